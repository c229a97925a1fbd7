// Lint: typescript-eslint's recommended rules, Lit's and web components' rules for the widget, and
// no import cycles anywhere. Formatting is Prettier's (eslint-config-prettier turns the rules it owns off).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'node_modules/**',
      'coverage/**',
      // Generated: the contract types, the compiled mail template and the widget's message catalogues.
      'contract/openapi-types.ts',
      'bff/mail/invite-template.ts',
      'widget/src/locales/generated/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Untrusted text is checked for control characters on purpose: those patterns name them.
      'no-control-regex': 'off',
      // widget/src/api/types.ts names the generated contract's shapes: \`interface Contact extends Schema<'Contact'> {}\`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Kysely's migrations take Kysely<any>: a migration must not depend on today's schema types.
  { files: ['migrations/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // A route test reads JSON answers whose shape its assertions check.
  { files: ['**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Chai's `expect(x).to.be.true` is an expression statement by design.
  { files: ['widget/src/**/*.test.ts'], rules: { '@typescript-eslint/no-unused-expressions': 'off' } },
  { files: ['widget/src/**/*.ts'], ...lit.configs['flat/recommended'] },
  { files: ['widget/src/**/*.ts'], ...wc.configs['flat/recommended'] },
  prettier,
);
