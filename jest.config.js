/**
 * Two tiers (docs/testing.md). The fast one (`npm run test:fast`): `unit` (pure code, no servers) and
 * `workflow-logic` (the workflows on Temporal's time-skipping test server with stub activities, and the
 * replay gates). The slow ones: `chaos` (its own servers, which it restarts), `cluster` (the product on a
 * multi-process Temporal cluster, once scripts/build-temporal-server.sh has built the server), `integration` (real
 * PostgreSQL + a real Temporal dev server, started once per run by the global setup; each file on its
 * own database) and `regtest`
 * (live mode against a real btcd + two LND nodes on regtest, built once per machine by
 * scripts/build-regtest-binaries.sh, plus the same PostgreSQL and Temporal).
 */
// The replay gates need only a workflow bundle: they run in the fast tier's workflow project.
const FAST_WORKFLOW_FILES = ['test/workflow/replay.test.ts', 'test/workflow/moneyOutReplay.test.ts'];
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest'] };
// @noble, @scure, micro-packed and @apidevtools (swagger-parser's ref parser) ship ES modules only: compile them for jest like our own code.
const transformIgnorePatterns = ['/node_modules/(?!(@noble|@scure|micro-packed|@apidevtools)/)'];
module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/projectTimings.js', '<rootDir>/test/support/openHandles.js'],
  // After every global teardown: a handle a test left open must not hold the finished run open (openHandles.js).
  testResultsProcessor: '<rootDir>/test/support/exitWatchdog.js',
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node' },
    {
      displayName: 'workflow-logic',
      testMatch: ['<rootDir>/test/workflow/logic/**/*.test.ts', ...FAST_WORKFLOW_FILES.map((f) => `<rootDir>/${f}`)],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/fastGlobalSetup.ts',
      globalTeardown: '<rootDir>/test/support/fastGlobalTeardown.ts',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{api,workflow,e2e,deploy}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/workflow/logic/', ...FAST_WORKFLOW_FILES.map((f) => `<rootDir>/${f}`)],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
      // Each file on its own copy of a migrated template database: files may run in parallel (-w 2).
      setupFilesAfterEnv: ['<rootDir>/test/support/fileDatabase.ts'],
    },
    {
      displayName: 'regtest',
      testMatch: ['<rootDir>/test/regtest/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/regtest/globalSetup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/fileDatabase.ts'],
      globalTeardown: '<rootDir>/test/support/regtest/globalTeardown.ts',
    },
    // Starts its own PostgreSQL and Temporal (it restarts them), so it needs no shared servers.
    { displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node' },
    // The product on a multi-process Temporal cluster built from source (docs/cluster.md); its own servers too.
    { displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'], transform, transformIgnorePatterns, testEnvironment: 'node' },
  ],
};
