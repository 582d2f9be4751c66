import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runBaseline } from './baseline';
import { runColdSessions } from './coldSessions';
import { runCurve } from './curve';
import { runMillion } from './million';
import { runLedger } from './ledger';
import { watchConditions } from './conditions';
import { runOpenSessions } from './openSessions';
import { parseOptions, type Phase } from './options';
import { profiled, topSelfTime } from './profile';
import { runReads } from './reads';
import { runReceipts } from './receipts';
import { runWatch } from './watch';
import { runWebhookLoad } from './webhookLoad';
import type { DeadMode } from './deadEndpointProcess';
import { toMarkdown, writeResults, type BenchResults } from './report';
import { checkReadable, runCreation, type CreatedSession } from './sessions';
import { historySpans } from './spans';
import { connectDestinations, createMerchant, startBenchSystem, terminateLeftovers } from './system';

/**
 * `npm run bench`: starts the project, then measures in one run the bare-Temporal baseline, session
 * creation, receipt to paid, GET under load and open sessions held; prints and writes the results.
 */
async function main(): Promise<void> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    // Usage text, not a stack trace: --help succeeds, a bad flag fails.
    console.error((err as Error).message);
    process.exit(process.argv.includes('--help') || process.argv.includes('-h') ? 0 : 2);
  }
  // The SDK's worker lifecycle lines would drown the figures; warnings and errors still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
  const results: BenchResults = {
    label: opts.label, startedAt: new Date().toISOString(), durationSec: 0,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, loadAvgStart: load(), loadAvgEnd: [] },
    infra: { postgres: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded', temporal: process.env.TEMPORAL_ADDRESS ? 'TEMPORAL_ADDRESS' : 'embedded dev server' },
    options: opts,
  };
  const t0 = performance.now();
  if (opts.phases.includes('cold') || opts.phases.includes('million')) {
    // Abandoned sessions must close their runs within the phase: a 1 s payment, then a short idle time
    // (only sessions with nothing due close; a session waiting on its payment or monitoring window does not).
    process.env.WORKFLOW_IDLE_SECONDS ??= '5';
    process.env.CHECKOUT_MIN_TTL_SECONDS ??= '1';
  }
  console.log(`Starting the system (load average ${results.machine.loadAvgStart.join(' / ')}) …`);
  // The webhooks phase's dead endpoint listens on loopback, which the destination rules refuse by default.
  if (opts.phases.includes('webhooks')) process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ??= 'true';
  const sys = await startBenchSystem(opts.logLevel, opts.worker === 'own-process');
  const on = (phase: Phase) => opts.phases.includes(phase);
  const phase = async <T>(name: Phase, title: string, fn: () => Promise<T>): Promise<T> => {
    console.log(`${title} …`);
    const file = opts.profile === name ? path.join(opts.outDir, `${name}.cpuprofile`) : null;
    const stop = watchConditions(sys.db);
    const value = await profiled(file, fn);
    (results.conditions ??= {})[name] = stop();
    if (file) results.profile = { phase: name, file, top: topSelfTime(file) };
    return value;
  };
  try {
    const merchant = await createMerchant(sys, 'Bench merchant');
    const destinations = [await createMerchant(sys, 'Bench partner A'), await createMerchant(sys, 'Bench partner B')];
    await connectDestinations(sys, merchant, destinations);

    if (on('baseline')) results.baseline = await phase('baseline', `1. Baseline: ${opts.baseline} bare workflows`, () => runBaseline(sys, sys.temporalAddress, opts.baseline, opts.concurrency));
    const receiptLoad = { ratePerSec: opts.receiptRate, concurrency: opts.concurrency, pollMs: opts.pollMs, transfers: destinations.length };
    let sessions: CreatedSession[] = [];
    if (on('create')) {
      const created = await phase('create', `2. Creating ${opts.sessions} sessions through the API`, () => runCreation(
        sys, merchant, destinations, opts.sessions, opts.concurrency, opts.idempotencyKeys, results.baseline?.workflowsPerSec ?? null, 30));
      results.creation = created.result;
      sessions = created.sessions;
      await checkReadable(sys, merchant, sessions);
    }
    if (on('receipt') && sessions.length > 0) {
      const paid = sessions.slice(0, opts.receipts);
      results.receipts = await phase('receipt', `3. Paying ${paid.length} sessions`, () => runReceipts(sys, merchant, paid, receiptLoad));
    }
    if (sessions.length > 0) results.spans = await historySpans(sys.temporal, sessions.slice(0, 30).map((s) => s.id));
    if (on('get') && sessions.length > 0) {
      results.reads = await phase('get', `4. GET: a bare Express + pg read, then /checkout-sessions/{id}, ${opts.getSeconds} s each`, () => runReads(
        sys, merchant, sessions.map((s) => s.id), opts.getSeconds, opts.getConcurrency));
    }
    if (on('ledger') && opts.ledgerReceipts > 0) {
      const [fresh, heavy, other] = [await createMerchant(sys, 'Ledger fresh'), await createMerchant(sys, 'Ledger heavy'), await createMerchant(sys, 'Ledger other')];
      results.ledger = await phase('ledger', `6. Ledger: a receipt's postings at 0 and ${opts.ledgerEntries} prior entries`, () => runLedger(
        sys.db, fresh, heavy, other, destinations, { priorEntries: opts.ledgerEntries, receipts: opts.ledgerReceipts }));
    }
    if (on('curve')) {
      const sizes = opts.curveSizes.split(',').map(Number).filter((n) => n > 0);
      results.curve = await phase('curve', `7. Cost curve at ${sizes.join(' / ')} sessions in the database`, () => runCurve(sys, merchant, destinations, {
        sizes, create: opts.curveCreate, receipts: opts.curveReceipts, concurrency: opts.concurrency, getSeconds: opts.curveGetSeconds,
        getConcurrency: opts.getConcurrency, receiptLoad,
      }));
    }
    if (on('open') && opts.open > 0) {
      results.open = await phase('open', `5. Holding ${opts.open} open sessions`, () => runOpenSessions(sys, merchant, destinations, {
        n: opts.open, concurrency: opts.openConcurrency, receipts: opts.openReceipts, receiptLoad, idempotencyKeys: opts.idempotencyKeys,
      }));
    }
    if (on('watch') && opts.watchLarge > 0) {
      results.watch = await phase('watch', `8. Block scan with ${opts.watchSmall} and ${opts.watchLarge} live addresses watched`, () => runWatch(sys, {
        small: opts.watchSmall, large: opts.watchLarge, outputs: opts.watchOutputs, watchedPerBlock: opts.watchHits, blocks: opts.watchBlocks,
      }));
    }
    if (on('webhooks') && opts.webhookPending > 0) {
      const hooked = await createMerchant(sys, 'Webhook bench');
      await connectDestinations(sys, hooked, destinations);
      results.webhooks = await phase('webhooks', `11. Receipt → paid with no webhooks, then with ${opts.webhookPending} deliveries pending to a dead endpoint (${opts.webhookDead})`,
        () => runWebhookLoad(sys, hooked, destinations, {
          pending: opts.webhookPending, receipts: opts.webhookReceipts, mode: opts.webhookDead as DeadMode, concurrency: opts.concurrency, receiptLoad,
        }));
    }
    if (on('cold')) {
      const sizes = opts.coldSizes.split(',').map(Number).filter((n) => n > 0);
      results.cold = await phase('cold', `9. Cold sessions at ${sizes.join(' / ')} open`, () => runColdSessions(sys, merchant, destinations, {
        sizes, receipts: opts.coldReceipts, ratePerSec: opts.receiptRate || 10, concurrency: opts.concurrency, pollMs: opts.pollMs,
      }));
    }
    if (on('million')) {
      results.million = await phase('million', `10. ${opts.millionSmall} then ${opts.millionTotal} sessions in the database (${opts.millionOpen} open)`, () => runMillion(sys, merchant, destinations, {
        small: opts.millionSmall, total: opts.millionTotal, open: opts.millionOpen, create: opts.millionCreate, receipts: opts.millionReceipts,
        getSeconds: opts.millionGetSeconds, getConcurrency: opts.getConcurrency, concurrency: opts.concurrency, receiptLoad,
      }));
    }
  } finally {
    results.machine.loadAvgEnd = load();
    results.durationSec = Math.round((performance.now() - t0) / 1000);
    await terminateLeftovers(sys).catch((err) => console.error('could not terminate the open workflows:', err));
    await sys.stop();
  }
  console.log(`\n${toMarkdown(results)}`);
  if (results.profile) console.log('Top self time:', results.profile.top.slice(0, 15));
  console.log(`Written: ${writeResults(results, opts.outDir).join(', ')}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
