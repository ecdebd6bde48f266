import tseslint from 'typescript-eslint';

const testFiles = ['test/**/*.ts', '**/*.spec.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'artifacts/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      // implementations of promise-returning contracts (MikroORM migrations, kafkajs codecs, Nest guards,
      // readiness checks) are async without awaiting so that a throw becomes a rejection, as callers expect
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // tests read untyped JSON bodies (fetch, Kafka values, pg rows) and assert on them with expect, which
    // checks the shape at run time; promise handling stays checked there too
    files: testFiles,
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // expect(mock.method).toHaveBeenCalled… passes methods unbound on purpose
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
