/**
 * The money-out workflows (payouts, withdrawal links, refunds) have recorded histories of each lifecycle,
 * success and failure paths, in the current fixture set, and those histories replay against the current
 * bundle: a change to workflows/payout.ts, withdrawalLink.ts or refund.ts that alters their commands needs `patched()`.
 */
import { Worker } from '@temporalio/worker';
import { CURRENT_HISTORY_SET, loadHistories } from '../support/histories';

const LIFECYCLES: [string, string[]][] = [
  ['withdrawal-link-claimed', ['withdrawalLink']],
  ['withdrawal-link-expired', ['withdrawalLink']],
  ['refund-via-link', ['refund', 'withdrawalLink']],
  ['refund-to-invoice', ['refund']],
  ['withdrawal-link-reclaimed', ['withdrawalLink']],
  ['refund-canceled', ['refund', 'withdrawalLink']],
  ['refund-to-invoice-failed', ['refund']],
  ['payout-paid', ['payout']],
  ['payout-failed', ['payout']],
];
const fixtures = loadHistories([CURRENT_HISTORY_SET]).filter((f) => LIFECYCLES.some(([name]) => f.name === name || f.name.startsWith(`${name}.`)));

test('each money-out lifecycle is recorded, by the workflow types it involves', () => {
  for (const [name, types] of LIFECYCLES) {
    const recorded = fixtures.filter((f) => f.name === name || f.name.startsWith(`${name}.`)).map((f) => f.workflowType).sort();
    expect([name, recorded]).toEqual([name, [...types].sort()]);
  }
});

test('every money-out history replays against the current workflow bundle', async () => {
  // The run's one bundle (the global setup's), not a fresh webpack build per file.
  const bundle = process.env.CHECKOUT_TEST_BUNDLE ? { workflowBundle: { codePath: process.env.CHECKOUT_TEST_BUNDLE } } : { workflowsPath: require.resolve('../../workflows') };
  const replays = Worker.runReplayHistories({ ...bundle, replayName: 'money-out' },
    fixtures.map((f) => ({ workflowId: f.workflowId, history: f.parsed })));
  const failures: string[] = [];
  for await (const result of replays) if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  expect(failures).toEqual([]);
}, 120_000);
