import type { Config } from 'jest';

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Tests run on the sources; the spawned service processes run the built `dist/` (see globalSetup).
  moduleNameMapper: { '^@herald/([^/]+)$': '<rootDir>/packages/$1/src' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.build/'],
  modulePathIgnorePatterns: ['<rootDir>/.build/'],
} satisfies Config;

const config: Config = {
  // Jest reads the timeout from the global config; integration tests start real processes.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services}/*/src/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      // Integration tests spawn `node services/*/dist/index.js`: make sure the build is current.
      globalSetup: '<rootDir>/test/global-setup.ts',
      testMatch: [
        '<rootDir>/{packages,services}/*/src/**/*.int.test.ts',
        '<rootDir>/services/*/test/**/*.int.test.ts',
        '<rootDir>/test/**/*.int.test.ts',
      ],
    },
  ],
};

export default config;
