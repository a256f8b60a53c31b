import type { Config } from 'jest';

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Tests run on the sources; the spawned service processes run the built `dist/` (see globalSetup).
  moduleNameMapper: {
    '^@herald/([^/]+)$': '<rootDir>/packages/$1/src',
    // A package's test-only entry (e.g. the provider stand-ins of `@herald/channels`).
    '^@herald/([^/]+)/test-support$': '<rootDir>/packages/$1/src/test-support',
  },
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
      testMatch: ['<rootDir>/{packages,services}/*/src/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      // Integration tests spawn `node services/*/dist/index.js`: make sure the build is current.
      globalSetup: '<rootDir>/test/global-setup.ts',
      // Each test file's keys are removed when it ends; the run fails if Redis holds more keys after it.
      testEnvironment: '<rootDir>/test/support/redis-cleanup-environment.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      testMatch: [
        '<rootDir>/{packages,services}/*/src/**/*.int.test.ts',
        '<rootDir>/services/*/test/**/*.int.test.ts',
        '<rootDir>/test/**/*.int.test.ts',
      ],
    },
  ],
};

export default config;
