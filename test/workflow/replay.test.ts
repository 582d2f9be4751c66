/**
 * The replay gate: every recorded history of test/fixtures/histories (`npm run record-histories`)
 * replays against the current workflow bundle. A change to workflows/ or src/domain/ that alters the
 * commands of a recorded lifecycle without `patched()` fails here (docs/workflow-versioning.md).
 */
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { loadHistories } from '../support/histories';

const fixtures = loadHistories();
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The lifecycles the recorder covers; a fixture set missing one of them is incomplete. */
const LIFECYCLES = [
  'paid-at-once', 'partials', 'ttl-renewals', 'late-after-close', 'deactivated', 'options-choose-amount',
  'preset-underpaid', 'continue-as-new', 'webhook-delivery',
];

async function replayAll(codePath?: string, code?: string): Promise<Map<string, ReplayResult>> {
  const results = new Map<string, ReplayResult>();
  const bundle = code !== undefined ? { code } : { codePath: codePath! };
  const replays = Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'replay-gate' },
    fixtures.map((f) => ({ workflowId: f.workflowId, history: f.parsed })));
  // Histories are replayed one after another, so results come back in the fixtures' order.
  for await (const result of replays) {
    const fixture = fixtures[results.size];
    expect(result.workflowId).toBe(fixture.workflowId);
    results.set(fixture.name, result);
  }
  return results;
}

test('every lifecycle has a recorded history', () => {
  const names = fixtures.map((f) => f.name);
  for (const lifecycle of LIFECYCLES) expect(names.some((n) => n === lifecycle || n.startsWith(`${lifecycle}.`))).toBe(true);
  for (const f of fixtures) expect(f.parsed.events.length).toBeGreaterThan(5);
});

test('every recorded history replays against the current workflow bundle', async () => {
  const results = await replayAll(process.env.CHECKOUT_TEST_BUNDLE);
  expect(results.size).toBe(fixtures.length);
  const failures = [...results].filter(([, r]) => r.error !== undefined).map(([name, r]) => `${name}: ${String(r.error)}`);
  expect(failures).toEqual([]);
});

describe('the gate itself', () => {
  const bundleWith = async (probe: string) => (await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: [require.resolve(`./replayProbes/${probe}`)],
    logger: quietLogger,
  })).code;

  test('a command added without patched() fails the replay of every recorded history', async () => {
    const results = await replayAll(undefined, await bundleWith('unguardedTimer'));
    expect(results.size).toBe(fixtures.length);
    for (const [name, r] of results) {
      expect([name, r.error?.name]).toEqual([name, 'DeterminismViolationError']);
    }
  }, 120_000);

  test('the same change behind patched() replays every recorded history', async () => {
    const results = await replayAll(undefined, await bundleWith('patchedTimer'));
    expect([...results].filter(([, r]) => r.error !== undefined).map(([name, r]) => `${name}: ${String(r.error)}`)).toEqual([]);
  }, 120_000);
});
