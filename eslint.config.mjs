// ESLint flat config: typescript-eslint with type information, floating promises as errors, the
// workflow sandbox rule, and the layer rules (docs/architecture.md): imports point one way, down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'http', 'https', 'net', 'dns', 'crypto', 'child_process', 'stream', 'url', 'util', 'worker_threads', 'zlib'];

/**
 * The layers, highest first. A module may import its own layer and any layer below it, never one above.
 * Each layer lists its folders (under the repository root; a name ending in `.ts` is one file).
 * docs/architecture.md explains each layer; keep the two in step.
 */
const layers = [
  // Process entry points, the composition root and the demo data of `npm start` (which uses the API's
  // schema and the dashboard's users): they wire everything, so they may import anything.
  { name: 'entry', paths: ['src/main.ts', 'src/system.ts', 'src/processGuards.ts', 'src/banner.ts', 'src/cli', 'src/demo'] },
  // HTTP adapters: the API, the hosted page, the dashboard and /metrics. They share the API's error
  // mapping, validation and input rules, so they may import each other; nothing below imports them.
  { name: 'edge', paths: ['src/api', 'src/page', 'src/dashboard', 'src/metrics'] },
  // Use cases: services (called by the edge and the CLI) and the watcher (turns receipts into signals).
  // They throw CheckoutError (src/domain/errors.ts) with a kind, never HTTP statuses.
  { name: 'services', paths: ['src/services', 'src/watcher'] },
  // Temporal's client, worker bootstrap and message definitions, and the local-run infrastructure
  // (embedded PostgreSQL, the dev server it registers search attributes on, node secrets).
  { name: 'temporal', paths: ['src/temporal', 'src/infra'] },
  // Side effects run by workflows: built once by createActivities(deps), registered by the worker.
  { name: 'activities', paths: ['activities'] },
  // What the outside sees: the API views of rows and the webhook outbox (events, delivery, dispatch).
  { name: 'records', paths: ['src/views', 'src/webhooks'] },
  // The outside world's clients: PostgreSQL repositories, Bitcoin/Lightning nodes, rate sources, and
  // the guarded fetch to public addresses (src/net) they use.
  { name: 'adapters', paths: ['src/db', 'src/bitcoin', 'src/rates', 'src/net'] },
  // Shared configuration and logging, read by every layer.
  { name: 'base', paths: ['src/config.ts', 'src/logger.ts'] },
  // Pure TypeScript: money, state transitions, request input schemas (src/domain/input), errors with a
  // kind. No I/O, no imports of the project.
  { name: 'domain', paths: ['src/domain'] },
];

/**
 * Layer edges that only types may cross (erased at compile time, so no code runs across them).
 * activities → temporal: the workflows' message types (ClaimResult, LinkOutcome) that activities return.
 */
const typeOnly = { activities: ['temporal'] };

const lastSegment = (p) => p.replace(/\.ts$/, '').split('/').pop();
const isFile = (p) => p.endsWith('.ts');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Relative specifiers that reach a layer's paths: `../api/errors`, `../../src/api`, `../system`. */
function reach(paths) {
  const names = paths.map((p) => escape(lastSegment(p)) + (isFile(p) ? '$' : '(/|$)'));
  return `^\\.{1,2}/(\\.\\./)*(src/)?(${names.map((n) => `(${n})`).join('|')})`;
}
const filesOf = (paths) => paths.map((p) => (isFile(p) ? p : `${p}/**/*.ts`));

const workflowPattern = { regex: reach(['workflows']), message: 'Workflow code runs only in the worker\'s sandbox bundle: import its message definitions from src/temporal instead.' };

function layerRule(index) {
  const layer = layers[index];
  const above = layers.slice(0, index);
  const patterns = above.map((upper) => ({
    regex: reach(upper.paths),
    allowTypeImports: (typeOnly[layer.name] ?? []).includes(upper.name),
    message: `Layer "${layer.name}" may not import layer "${upper.name}" (${upper.paths.join(', ')}): dependencies point down (docs/architecture.md).`,
  }));
  return {
    files: filesOf(layer.paths),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [workflowPattern, ...patterns] }] },
  };
}

export default tseslint.config(
  // test/support/lintProbes.mjs is a plain Node script outside the TypeScript project (it runs this config).
  { ignores: ['node_modules/**', 'dist/**', '.generated/**', 'bench/results/**', '.data/**', 'eslint.config.mjs', 'test/support/lintProbes.mjs'] },
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
    // The jest harness's plain CommonJS files (jest loads its config, reporters and results processor
    // untransformed): outside the TypeScript project, so linted without type information.
    files: ['jest.config.js', 'test/support/*.js', 'test/support/fixtures/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', test: 'readonly', expect: 'readonly' },
    },
  },
  ...layers.map((_, index) => layerRule(index)),
  {
    // src/domain is deterministic, except ids.ts, which draws random IDs (node:crypto); workflows may
    // not import ids.ts (below), so the rest of the folder is safe for them.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/ids.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: 'src/domain is deterministic (workflows import it): no Node builtins.' })),
      }],
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
          { group: ['**/src/domain/ids'], message: 'ids.ts draws random IDs (node:crypto): a workflow takes IDs from its input or an activity.' },
          {
            group: ['**/src/api/**', '**/src/services/**', '**/src/watcher/**', '**/src/bitcoin/**', '**/src/infra/**', '**/src/page/**', '**/src/dashboard/**', '**/src/cli/**', '**/src/rates/**', '**/src/metrics/**'],
            message: 'Workflow code may import only deterministic modules (src/domain, src/temporal definitions).',
          },
        ],
      }],
    },
  },
);
