import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'demo-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'src/sim/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The `callbridge` shim is plain JavaScript run by Node, so it needs no build step.
    files: ['bin/**/*.js'],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
  {
    // The dashboard runs in the browser, as plain JavaScript with no build step.
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
);
