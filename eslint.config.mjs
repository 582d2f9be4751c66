// ESLint flat config: typescript-eslint with type information, floating promises as errors, and the
// workflow sandbox rule (workflow code may not import Node builtins, the database or activities' code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'http', 'https', 'net', 'dns', 'crypto', 'child_process', 'stream', 'url', 'util', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.generated/**', 'bench/results/**', '.data/**', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: 'Workflow code runs in a deterministic sandbox: no Node builtins.' })),
          { name: 'knex', message: 'Workflows never touch the database: call an activity.' },
          { name: 'pg', message: 'Workflows never touch the database: call an activity.' },
        ],
        patterns: [
          { group: ['**/src/db/**', '**/src/db'], message: 'Workflows never touch the database: call an activity.' },
          { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activities as types only and call them through proxyActivities.' },
          { group: ['**/src/api/**', '**/src/services/**', '**/src/watcher/**', '**/src/bitcoin/**', '**/src/infra/**'], message: 'Workflow code may import only deterministic modules (src/domain, src/temporal definitions).' },
        ],
      }],
    },
  },
);
