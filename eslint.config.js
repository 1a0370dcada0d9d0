import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
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
    plugins: { 'import-x': importX },
    // Paths resolve as TypeScript resolves them (`./x.js` is ./x.ts).
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle follows imports through the TypeScript sources, so it has to parse them.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
  },
  {
    // ARCHITECTURE.md's import direction. The simulators may import anything; only scripts/ and test/ may import them.
    files: ['src/**/*.ts', 'bin/**/*.js'],
    ignores: ['src/sim/**'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/telephony', from: './src/realtime', message: 'telephony/ (Twilio) and realtime/ (OpenAI) never know about each other: call/ joins them.' },
            { target: './src/realtime', from: './src/telephony', message: 'telephony/ (Twilio) and realtime/ (OpenAI) never know about each other: call/ joins them.' },
            { target: './src/audio', from: './src', except: ['./audio', './errors.ts'], message: 'audio/ is pure: it imports nothing of ours but errors.' },
            { target: '.', from: './src/sim', message: 'Only scripts/ and test/ may import the simulators: they are not in the production build.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
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
