import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', '.data/', 'bench/results/', 'test/fixtures/**/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // the phone page the simulator's browser mode and live preview load into a browser
    files: ['simulator/render/browser/phone/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // the mini program runs in WeChat's JS engine, not Node: its own globals only
    files: ['miniprogram/**/*.ts', 'test/fixtures/**/*.js'],
    languageOptions: {
      globals: { wx: 'readonly', App: 'readonly', Page: 'readonly', Component: 'readonly', Behavior: 'readonly', getApp: 'readonly', getCurrentPages: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', require: 'readonly', module: 'writable', exports: 'writable' },
    },
  },
);
