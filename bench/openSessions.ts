import { settleServers, watchConditions, type PhaseConditions } from './conditions';
import { childRssMb, processMemory, type ProcessMemory } from './memory';
import { runReceipts, type ReceiptLoad, type ReceiptResult } from './receipts';
import { createSession, type CreatedSession } from './sessions';
import { historySpans } from './spans';
import { rate, runPool, type Summary } from './stats';
import { WORKER_PROCESS_TITLE, type BenchSystem, type Merchant } from './system';

/** Figures of the open-sessions phase. */
export interface OpenSessionsResult {
  sessions: number;
  createdPerSec: number;
  /** This process (worker + API + watcher + bench client) before and after, after a full GC; RSS adds the worker's process when it has its own. */
  before: ProcessMemory;
  held: ProcessMemory;
  /** (held - before) RSS per open session, in KB. */
  rssPerSessionKb: number;
  /** The embedded Temporal dev server's RSS while they wait (null when TEMPORAL_ADDRESS is used). */
  temporalServerRssMb: number | null;
  /** Receipt to `paid` for a sample of the open sessions while the others keep waiting. */
  receipts: ReceiptResult;
  /** How long the servers took to go quiet after the bulk creation, before the receipts. */
  settle: { seconds: number; serversCpuPct: number };
  /** How busy the box was while those receipts were paid. */
  receiptConditions: PhaseConditions;
  /** The worker's sticky cache size (WORKER_MAX_CACHED_WORKFLOWS) and whether every paid session was outside it. */
  maxCachedWorkflows: number;
  paidOutsideCache: boolean;
  /** Process RSS (after a full GC) as the sessions accumulate: flat once the cache is full. */
  rssCurve: { sessions: number; rssMb: number }[];
  /** Where the paid sessions' time went (their histories: the signal's workflow task includes the fetch + replay). */
  spans: Record<string, Summary>;
}

/**
 * Opens `n` sessions (SATS, a year's TTL: each workflow waits on its payment timer) and keeps them
 * open, measures memory, then pays `receipts` of them spread across the set while the rest wait.
 */
export async function runOpenSessions(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[],
  opts: { n: number; concurrency: number; receipts: number; receiptLoad: ReceiptLoad; idempotencyKeys: boolean },
): Promise<OpenSessionsResult> {
  // With the worker in its own process, the system's RSS is both processes' (heap figures stay this one's).
  const memory = (): ProcessMemory => {
    const m = processMemory();
    const worker = sys.workerProcess ? childRssMb(new RegExp(`^${WORKER_PROCESS_TITLE}$`)) : null;
    return worker === null ? m : { ...m, rssMb: Math.round((m.rssMb + worker) * 10) / 10 };
  };
  const before = memory();
  const sessions: CreatedSession[] = [];
  const rssCurve = [{ sessions: 0, rssMb: before.rssMb }];
  const checkpoints = new Set([1, 2, 3].map((q) => Math.floor((opts.n * q) / 4)));
  let lastReport = performance.now();
  const wallMs = await runPool(opts.n, opts.concurrency, async (i) => {
    sessions.push(await createSession(sys, merchant, destinations, 1_000_000 + i, opts.idempotencyKeys));
    if (checkpoints.delete(sessions.length)) rssCurve.push({ sessions: sessions.length, rssMb: memory().rssMb });
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      console.log(`  … ${sessions.length}/${opts.n} open sessions`);
    }
  });
  await new Promise((r) => setTimeout(r, 2_000)); // let in-flight activities and webhook dispatch settle
  const held = memory();
  rssCurve.push({ sessions: opts.n, rssMb: held.rssMb });
  const temporalServerRssMb = sys.embedded.temporal ? childRssMb(/temporal/) : null;
  // The cache keeps the most recently used workflows: with more sessions than it holds (and than are
  // paid), the oldest n − cache − receipts were evicted and stay so, since paying them evicts newer ones.
  // Sample every k-th of those, so the figure is receipt → paid with a history fetch + replay.
  const cache = sys.config.worker.maxCachedWorkflows;
  const evicted = Math.max(0, sessions.length - cache - opts.receipts);
  const pool = evicted >= opts.receipts ? sessions.slice(0, evicted) : sessions;
  const step = Math.max(1, Math.floor(pool.length / Math.max(1, opts.receipts)));
  const sample = pool.filter((_, i) => i % step === 0).slice(0, opts.receipts);
  const settle = await settleServers();
  const stop = watchConditions(sys.db);
  const receipts = await runReceipts(sys, merchant, sample, opts.receiptLoad);
  const receiptConditions = stop();
  const spans = await historySpans(sys.temporal, sample.slice(0, 30).map((s) => s.id));
  return {
    sessions: opts.n, createdPerSec: rate(opts.n, wallMs), before, held,
    rssPerSessionKb: Math.round(((held.rssMb - before.rssMb) * 1024) / Math.max(1, opts.n) * 10) / 10,
    temporalServerRssMb, receipts, settle, receiptConditions, maxCachedWorkflows: cache, paidOutsideCache: pool !== sessions, rssCurve, spans,
  };
}
