import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.build/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only a service composition root (src/index.ts) reads process.env.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/services/**',
                '@herald/ingest-api',
                '@herald/worker',
                '@herald/launcher',
                '@herald/tracker',
              ],
              message: 'Services are never imported.',
            },
            {
              group: ['../../packages/*', '../../../packages/*', '**/packages/*/src/**'],
              message: 'Import packages by their name.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'services/*/src/index.ts',
      '**/*.test.ts',
      'test/**/*.ts',
      'services/*/test/**/*.ts',
      'jest.config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
