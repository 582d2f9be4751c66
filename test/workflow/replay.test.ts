/**
 * The replay gate: every recorded history of every fixture set of test/fixtures/histories
 * (`npm run record-histories`) replays against the current workflow bundle. A change to workflows/ or
 * src/domain/ that alters the commands of a recorded lifecycle without `patched()` fails here
 * (docs/workflow-versioning.md).
 */
import * as proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/tracing';
import { HISTORY_SETS, loadHistories } from '../support/histories';
import { markersOf } from '../support/historyMarkers';
import { WEBHOOK_CIRCUIT_PATCH, WEBHOOK_WAKE_SIGNAL, WEBHOOK_WINDOW_PATCH } from '../../src/webhooks/deliveryTypes';

const fixtures = loadHistories();
const label = (f: (typeof fixtures)[number]) => `${f.set}/${f.name}`;
const EVENT_SIGNALED = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The lifecycles the recorder covers; a fixture set missing one of them is incomplete. */
const LIFECYCLES = [
  'paid-at-once', 'partials', 'ttl-renewals', 'late-after-close', 'deactivated', 'options-choose-amount',
  'preset-underpaid', 'continue-as-new', 'webhook-delivery', 'webhook-circuit', 'webhook-window',
  // Failure paths and runs that end early.
  'attention-and-retry', 'failed-transfer', 'continue-as-new-with-failed-work', 'resume-after-idle-close', 'cancel-deactivates',
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
    results.set(label(fixture), result);
  }
  return results;
}

test('every lifecycle has a recorded history in every fixture set', () => {
  for (const set of HISTORY_SETS) {
    const names = fixtures.filter((f) => f.set === set).map((f) => f.name);
    const missing = LIFECYCLES.filter((lifecycle) => !names.some((n) => n === lifecycle || n.startsWith(`${lifecycle}.`)));
    expect([set, missing]).toEqual([set, []]);
  }
  for (const f of fixtures) expect([label(f), f.parsed.events.length > 5]).toEqual([label(f), true]);
});

describe('the 1.0 set was recorded by the 1.0 workflow', () => {
  const sessions = fixtures.filter((f) => f.set === '1.0' && f.workflowType === 'checkoutSession');
  const startKind = (f: (typeof fixtures)[number]) => {
    const input = f.parsed.events[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    return input ? (JSON.parse(Buffer.from(input).toString('utf8')) as { kind?: string }).kind : undefined;
  };

  test('no patch markers; local activities; every new session created in one step; crediting a remote activity', () => {
    expect(sessions.length).toBeGreaterThan(0);
    const ran = new Set<string>();
    for (const f of sessions) {
      const { patches, localActivities } = markersOf(f.parsed);
      localActivities.forEach((type) => ran.add(type));
      expect([label(f), patches]).toEqual([label(f), []]);
      if (startKind(f) === 'new') expect([label(f), localActivities[0]]).toEqual([label(f), 'createSession']);
    }
    expect([...ran].sort()).toEqual(['createSession', 'executeTransfer', 'loadSessionState', 'openPayment', 'receiptFacts', 'recordSession']);
    const remote = new Set(sessions.flatMap((f) => f.parsed.events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean)));
    expect([...remote]).toEqual(['creditReceipt']);
  });
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
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, require.resolve(`./replayProbes/${probe}`)],
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

describe('the delivery workflow\'s circuit path (patch webhook-endpoint-circuit)', () => {
  const circuit = fixtures.filter((f) => f.name.startsWith('webhook-circuit.'));
  const named = (name: string) => circuit.filter((f) => f.name === name);
  /** A history as a list of steps: `activity:<outcome>@<attempt>`, `parked-wait`, `signal:<name>`. */
  const steps = (f: (typeof fixtures)[number]) => {
    const out: string[] = [];
    let attempt = 0;
    for (const e of f.parsed.events) {
      if (e.activityTaskStartedEventAttributes) attempt = e.activityTaskStartedEventAttributes.attempt ?? 0;
      const done = e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
      if (done) out.push(`activity:${(JSON.parse(Buffer.from(done).toString('utf8')) as { outcome?: string } | null)?.outcome ?? 'done'}@${attempt > 1 ? 'retried' : 'first'}`);
      if (e.timerStartedEventAttributes) out.push('parked-wait');
      if (e.workflowExecutionSignaledEventAttributes) out.push(`signal:${e.workflowExecutionSignaledEventAttributes.signalName}`);
    }
    return out;
  };

  test('recorded in every set with the patch: a probe that failed then was delivered, a parked run woken by the waker, a run the waker started', () => {
    for (const set of HISTORY_SETS) {
      const inSet = (name: string) => named(name).filter((f) => f.set === set);
      // Recorded after later patches of the delivery workflow, a fixture carries theirs too.
      for (const f of circuit.filter((x) => x.set === set)) expect([label(f), markersOf(f.parsed).patches[0]]).toEqual([label(f), WEBHOOK_CIRCUIT_PATCH]);
      expect(inSet('webhook-circuit.1').map(steps)).toEqual([['activity:delivered@retried']]);
      expect(inSet('webhook-circuit.2').map(steps)).toEqual([['activity:parked@retried', 'parked-wait', `signal:${WEBHOOK_WAKE_SIGNAL}`, 'activity:delivered@first']]);
      expect(inSet('webhook-circuit.3').map(steps)).toEqual([[`signal:${WEBHOOK_WAKE_SIGNAL}`, 'activity:delivered@first']]);
      // Started by the waker's signal-with-start: the signal is the history's second event, before any workflow task.
      expect(inSet('webhook-circuit.3').map((f) => f.parsed.events[1].eventType)).toEqual([EVENT_SIGNALED]);
    }
  });

  test('a command added on the wake-up path without patched() fails the replay of the woken deliveries and no other history', async () => {
    const results = await replayAll(undefined, (await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, require.resolve('./replayProbes/wakeTimer')],
      logger: quietLogger,
    })).code);
    const woken = new Set(fixtures.filter((f) => steps(f).includes(`signal:${WEBHOOK_WAKE_SIGNAL}`)).map(label));
    expect([...woken].sort()).toEqual(circuit.filter((f) => f.name !== 'webhook-circuit.1').map(label).sort());
    // The SDK reports such a mismatch as a DeterminismViolationError, or as a ReplayError when its timer
    // machine meets the recorded cancel of the parked wait first; either way the history refuses the code.
    const failed = [...results].filter(([, r]) => r.error !== undefined);
    expect(failed.map(([name]) => name).sort()).toEqual([...woken].sort());
    for (const [name, r] of failed) expect([name, r.error?.name]).toEqual([name, expect.stringMatching(/^(DeterminismViolationError|ReplayError)$/)]);
  }, 120_000);
});

test('the delivery workflow\'s window path (patch webhook-delivery-window) is recorded: both patches, then the slot freed by a local activity when the run ends', () => {
  const windowed = fixtures.filter((f) => f.name === 'webhook-window');
  expect(windowed.map((f) => f.set)).toEqual([...HISTORY_SETS]);
  for (const f of windowed) {
    expect([label(f), markersOf(f.parsed)]).toEqual([label(f), { patches: [WEBHOOK_CIRCUIT_PATCH, WEBHOOK_WINDOW_PATCH], localActivities: ['releaseWebhookSlot'] }]);
  }
  // Fixtures recorded before the window took no slot and free none: their replay never asks for the local activity.
  for (const f of fixtures.filter((x) => x.workflowType === 'webhookDelivery' && x.name !== 'webhook-window')) {
    expect([label(f), markersOf(f.parsed).localActivities]).toEqual([label(f), []]);
  }
});
