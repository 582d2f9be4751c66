import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../../../activities';
import type { ReceiptFacts } from '../../../activities/receipts';
import { loadConfig } from '../../../src/config';
import type { CheckoutWorkflowInput, SessionDefinition } from '../../../src/domain/definition';
import { initialState } from '../../../src/domain/initialState';
import type { EventIntent, PaymentState, SessionState } from '../../../src/domain/session';
import { nextState } from '../../../src/domain/transitions';
import { createdUpdate, receiptSignal, stateQuery } from '../../../src/temporal/definitions';
import { runSettings, type RunOptions } from '../../../src/temporal/sessionRun';
import { SEARCH_ATTRIBUTE_TYPES } from '../../../src/temporal/searchAttributes';
import { createTimeSkippingEnv } from '../../support/timeSkipping';

type Activities = ReturnType<typeof createActivities>;
/** The activities the checkout-session workflow calls. */
export type SessionActivities = Pick<Activities,
  'createSession' | 'openPayment' | 'persistNewSession' | 'recordSession' | 'receiptFacts' | 'loadSessionState' | 'loadSessionWithReceipt' | 'executeTransfer' | 'creditReceipt'>;
type Name = keyof SessionActivities;

/** The run options a production worker uses with no configuration: the durations these tests exercise. */
export const DEFAULT_RUN: RunOptions = (() => {
  const { taskQueue: _, ...options } = runSettings(loadConfig({}));
  return options;
})();
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** One activity call as the stubs saw it, at the test server's (skipped) time. */
export interface Call {
  name: Name;
  at: number;
  input: unknown;
  failed: boolean;
}

/**
 * Stub activities over an in-memory "database": sessions, their state mirror, events, receipts and
 * transfers. `failNext(name, n)` makes the next n calls of an activity fail the way a real outage does
 * after its quick retries (a non-retryable failure, so the attempt fails at once and the workflow's own
 * backoff takes over). Times come from the test server's clock, the one the workflow sees.
 */
export class FakeBackend {
  readonly calls: Call[] = [];
  readonly definitions = new Map<string, SessionDefinition>();
  readonly states = new Map<string, SessionState>();
  readonly events: (EventIntent & { sessionId: string })[] = [];
  readonly receipts = new Map<string, ReceiptFacts & { sessionId: string; transferIds: string[] }>();
  readonly credits: { receiptId: string; flag: string | null }[] = [];
  readonly transfers: string[] = [];
  private readonly failures = new Map<Name, { left: number; when: (input: any) => boolean }>();

  constructor(private readonly now: () => Promise<number>) {}

  /** The next `times` calls of `name` (those whose input `when` accepts) fail. */
  failNext(name: Name, times = 1, when: (input: any) => boolean = () => true): void { this.failures.set(name, { left: times, when }); }
  failAlways(name: Name): void { this.failNext(name, Number.POSITIVE_INFINITY); }
  heal(name: Name): void { this.failures.delete(name); }

  callsOf(name: Name): Call[] { return this.calls.filter((c) => c.name === name); }

  /** Stores a receipt of `sats` for the session's payment `paymentId`, split into `transferIds` when credited. */
  addReceipt(sessionId: string, payment: PaymentState, sats: string, transferIds: string[] = []): string {
    const receiptId = `rcpt_${randomBytes(5).toString('hex')}`;
    this.receipts.set(receiptId, {
      sessionId, transferIds, credited: false, receiptId, reference: `ref_${receiptId}`, paymentId: payment.id, method: 'lightning', sats,
      payment: { id: payment.id, seq: payment.seq, amount: payment.amount, exchangeRate: payment.exchangeRate, targetAmount: payment.targetAmount, expiresAt: payment.expiresAt },
    });
    return receiptId;
  }

  /** A stored receipt's facts as the activities read them: null unless it is this session's. */
  factsOf(sessionId: string, receiptId: string): ReceiptFacts | null {
    const stored = this.receipts.get(receiptId);
    if (!stored || stored.sessionId !== sessionId) return null;
    const { sessionId: _, transferIds: __, ...facts } = stored;
    return facts;
  }

  activities(): SessionActivities {
    const payment = async (sessionId: string, seq: number, amount: string): Promise<PaymentState> => {
      const definition = this.definitions.get(sessionId);
      if (!definition) throw ApplicationFailure.nonRetryable(`No checkout session ${sessionId}`, 'SessionNotFound');
      return {
        id: `pi_${sessionId}_${seq}`, seq, amount, exchangeRate: '1', targetAmount: amount, status: 'unpaid',
        expiresAt: (await this.now()) + definition.ttlSeconds * 1000, receivedSats: '0', amountPaid: '0',
      };
    };
    const stub = <N extends Name>(name: N, body: SessionActivities[N]): SessionActivities[N] => (async (input: unknown) => {
      const call: Call = { name, at: await this.now(), input, failed: false };
      this.calls.push(call);
      const failure = this.failures.get(name);
      if (failure && failure.left > 0 && failure.when(input)) {
        failure.left -= 1;
        call.failed = true;
        throw ApplicationFailure.nonRetryable(`${name} is down (test outage)`, 'TestOutage');
      }
      return (body as (i: unknown) => Promise<unknown>)(input);
    }) as SessionActivities[N];

    return {
      // The read model's row, as the real activities write it: the initial state (and the first payment).
      persistNewSession: stub('persistNewSession', async (definition) => {
        this.definitions.set(definition.id, definition);
        if (!this.states.has(definition.id)) this.states.set(definition.id, initialState(definition));
      }),
      createSession: stub('createSession', async ({ definition, seq }) => {
        this.definitions.set(definition.id, definition);
        const initial = initialState(definition);
        if (definition.amount === null) {
          this.states.set(definition.id, initial);
          return null;
        }
        const opened = await payment(definition.id, seq, definition.amount);
        const next = nextState(initial, { type: 'payment_opened', payment: opened }, opened.expiresAt);
        this.states.set(definition.id, next.state);
        return opened;
      }),
      openPayment: stub('openPayment', async ({ sessionId, seq, amount }) => payment(sessionId, seq, amount)),
      recordSession: stub('recordSession', async ({ state, events }) => {
        this.states.set(state.id, state);
        this.events.push(...events.map((e) => ({ ...e, sessionId: state.id })));
      }),
      loadSessionState: stub('loadSessionState', async (sessionId) => {
        const state = this.states.get(sessionId);
        if (!state) throw ApplicationFailure.nonRetryable(`No checkout session ${sessionId}`, 'SessionNotFound');
        return state;
      }),
      receiptFacts: stub('receiptFacts', async ({ sessionId, receiptId }) => this.factsOf(sessionId, receiptId)),
      loadSessionWithReceipt: stub('loadSessionWithReceipt', async ({ sessionId, receiptId }) => {
        const state = this.states.get(sessionId);
        if (!state) throw ApplicationFailure.nonRetryable(`No checkout session ${sessionId}`, 'SessionNotFound');
        return { state, facts: this.factsOf(sessionId, receiptId) };
      }),
      creditReceipt: stub('creditReceipt', async ({ state, receipt, flag, events }) => {
        const stored = this.receipts.get(receipt.receiptId)!;
        stored.credited = true;
        this.credits.push({ receiptId: receipt.receiptId, flag });
        this.states.set(state.id, state);
        this.events.push(...events.map((e) => ({ ...e, sessionId: state.id })));
        return { transferIds: stored.transferIds };
      }),
      executeTransfer: stub('executeTransfer', async (input) => {
        this.transfers.push(typeof input === 'string' ? input : input.transferId);
      }),
    };
  }
}

/** A session definition: a fixed amount in SATS (rate 1, so a payment's target is its amount), or none (`options`). */
export function definition(opts: { amount?: string | null; ttlSeconds?: number; tolerancePercent?: string } = {}): SessionDefinition {
  const amount = opts.amount === undefined ? '1000' : opts.amount;
  return {
    id: `cs_${randomBytes(8).toString('hex')}`, accountId: 'acct_logic', livemode: false, created: 0, currency: 'SATS', amount,
    tolerancePercent: opts.tolerancePercent ?? '0', ttlSeconds: opts.ttlSeconds ?? 3600, linkId: null,
    fields: amount === null ? { type: 'options', options: [500, 1000] } : {},
  };
}

/** One test file's time-skipping server, worker and stub backend. */
export interface Logic {
  env: TestWorkflowEnvironment;
  backend: FakeBackend;
  taskQueue: string;
  /** Runs `body` while a worker serves the task queue. */
  withWorker<T>(body: () => Promise<T>): Promise<T>;
  /** Starts a new session's workflow with the default run options (plus `run`) and waits for `created`. */
  create(def: SessionDefinition, run?: Partial<RunOptions>): Promise<string>;
  /**
   * Runs are named explicitly once a workflow has more than one: the time-skipping server may resolve a
   * bare workflow ID to an earlier run of it.
   */
  state(workflowId: string, runId?: string): Promise<SessionState>;
  /** Waits until the run has ended; its status (COMPLETED, CONTINUED_AS_NEW …). */
  ended(workflowId: string, runId?: string): Promise<string>;
  /** Sends a receipt with signal-with-start of a `resume` run (what the watcher does for a closed session); the new run's ID. */
  resumeWithReceipt(workflowId: string, receiptId: string): Promise<string>;
  /** Starts a `resume` run (what update-with-start does for a closed session); its ID. */
  resume(workflowId: string): Promise<string>;
  /** The run that continued `runId` as new, once it has. */
  continuedRun(workflowId: string, runId: string): Promise<string>;
  /** Skips the test server's clock by `ms` (timers due meanwhile fire in order). */
  skip(ms: number): Promise<void>;
  now(): Promise<number>;
}

/**
 * Sets up a file's time-skipping environment (in `beforeAll`) and tears it down (in `afterAll`). The
 * workflow code is the bundle the project's global setup built once (CHECKOUT_LOGIC_BUNDLE).
 */
export function useLogicEnvironment(): Logic {
  const ctx = {} as { env: TestWorkflowEnvironment; backend: FakeBackend; stop?: () => Promise<void> };
  const taskQueue = `logic-${randomBytes(4).toString('hex')}`;
  const runs: [string, string][] = [];
  const track = (workflowId: string, runId: string) => { runs.push([workflowId, runId]); return runId; };
  beforeAll(async () => {
    // The workflow's own warnings (work kept for a retry) are what these tests cause on purpose.
    try { Runtime.install({ logger: new DefaultLogger('ERROR') }); } catch { /* installed by an earlier file of this worker */ }
    ({ env: ctx.env, stop: ctx.stop } = await createTimeSkippingEnv());
    ctx.backend = new FakeBackend(() => ctx.env.currentTimeMs());
    // The time-skipping server keeps whatever search attributes it is given; registering them keeps it strict like the real one.
    await registerSearchAttributes(ctx.env);
  }, 180_000);
  // A test's sessions end with it: timers left running would fire in the next test's skipped time.
  afterEach(async () => {
    for (const [id, runId] of runs.splice(0)) await ctx.env.client.workflow.getHandle(id, runId).terminate('test over').catch(() => undefined);
  });
  afterAll(async () => { await ctx.stop?.(); });

  const logic: Logic = {
    get env() { return ctx.env; },
    get backend() { return ctx.backend; },
    taskQueue,
    async withWorker(body) {
      const worker = await Worker.create({
        connection: ctx.env.nativeConnection, taskQueue, activities: ctx.backend.activities(),
        workflowBundle: { codePath: process.env.CHECKOUT_LOGIC_BUNDLE! },
      });
      return worker.runUntil(body());
    },
    async create(def, run = {}) {
      const input: CheckoutWorkflowInput = { kind: 'new', definition: def, ...DEFAULT_RUN, ...run };
      const handle = await ctx.env.client.workflow.start('checkoutSession', { workflowId: def.id, taskQueue, args: [input] });
      track(def.id, handle.firstExecutionRunId);
      await handle.executeUpdate(createdUpdate);
      return def.id;
    },
    state: (workflowId, runId) => ctx.env.client.workflow.getHandle(workflowId, runId).query(stateQuery),
    // Not `result()`: awaiting a result lets the test server skip time freely, far past what a test means to skip.
    ended: async (workflowId, runId) => (await eventually(
      () => ctx.env.client.workflow.getHandle(workflowId, runId).describe(), (d) => d.status.name !== 'RUNNING',
    )).status.name,
    async resumeWithReceipt(workflowId, receiptId) {
      const handle = await ctx.env.client.workflow.signalWithStart('checkoutSession', {
        // As the watcher does: the input names the receipt, so the new run loads it with the session.
        workflowId, taskQueue, args: [{ kind: 'resume', sessionId: workflowId, receiptId, ...DEFAULT_RUN }], signal: receiptSignal, signalArgs: [{ receiptId }],
      });
      return track(workflowId, handle.signaledRunId);
    },
    async resume(workflowId) {
      const input: CheckoutWorkflowInput = { kind: 'resume', sessionId: workflowId, ...DEFAULT_RUN };
      return track(workflowId, (await ctx.env.client.workflow.start('checkoutSession', { workflowId, taskQueue, args: [input] })).firstExecutionRunId);
    },
    async continuedRun(workflowId, runId) {
      const handle = ctx.env.client.workflow.getHandle(workflowId, runId);
      await eventually(() => handle.describe(), (d) => d.status.name === 'CONTINUED_AS_NEW');
      const last = (await handle.fetchHistory()).events!.at(-1)!;
      return track(workflowId, last.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId!);
    },
    skip: (ms) => ctx.env.sleep(ms),
    now: () => ctx.env.currentTimeMs(),
  };
  return logic;
}

async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const types = { Keyword: 2, Int: 3, Bool: 5 } as const;
  const searchAttributes = Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, types[type]]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes }).catch(() => undefined);
}

/** Polls `read` (real time, the test clock stays put) until `done` holds; fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
