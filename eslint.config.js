// Lint for src/, test/ and bench/: ESLint's and typescript-eslint's recommended rules, with the few
// project rules that review keeps asking for. Run by `npm test` (scripts/run-tests.mjs) before the suite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'bench/.data/**', 'bench/.shared-work/**', '.porta/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `any` appears at the JSON edges of Kratos's config and bodies; keep it visible, not forbidden.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/cmd/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
