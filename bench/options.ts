/** Command-line options of `npm run bench`, with defaults sized to finish in under 3 minutes on 2 cores. */

export const PHASES = ['baseline', 'create', 'receipt', 'get', 'ledger', 'curve', 'open', 'watch', 'cold', 'million', 'webhooks'] as const;
export type Phase = (typeof PHASES)[number];
/** Phases that run only when named in `--phases` (minutes each, and they change the system's idle time). */
export const OPT_IN: readonly Phase[] = ['watch', 'cold', 'million', 'webhooks'];

/** Everything a run can be told; each field is one `--kebab-case` flag. */
export interface BenchOptions {
  /** Bare workflows in the baseline (start, one signal, complete). */
  baseline: number;
  /** Sessions created through the API (2 split transfers each). */
  sessions: number;
  /** How many of them are paid in the receipt phase (the rest stay active for the GET mix). */
  receipts: number;
  /** Requests in flight in the baseline, creation and receipt phases. */
  concurrency: number;
  /** Sessions held open on their TTL timers in the last phase. */
  open: number;
  /** Requests in flight while creating the open sessions (throughput, not measured latency). */
  openConcurrency: number;
  /** Open sessions paid while the others wait, for receipt-to-paid under that load. */
  openReceipts: number;
  /** Receipts per second, sent on a fixed schedule (open loop); 0 = closed loop with `concurrency` in flight. */
  receiptRate: number;
  /** Duration and connections of the GET load. */
  getSeconds: number;
  getConcurrency: number;
  /** Ledger phase: prior entries of the merchant with history, and receipts posted for each merchant. */
  ledgerEntries: number;
  ledgerReceipts: number;
  /** Cost curve: sessions in the database at each point (comma-separated), creates, receipts and GET seconds per point. */
  curveSizes: string;
  curveCreate: number;
  curveReceipts: number;
  curveGetSeconds: number;
  /** Watch phase: live addresses watched at the small and the large point, outputs per block, of them paying watched addresses, blocks scanned per point. */
  watchSmall: number;
  watchLarge: number;
  watchOutputs: number;
  watchHits: number;
  watchBlocks: number;
  /** Cold phase: open sessions at each point (comma-separated), receipts per group (cached, evicted, idle-closed, seeded) per point. */
  coldSizes: string;
  coldReceipts: number;
  /** Million phase: sessions in the database at the small and the large point, open (idle-closed, watched) at the large one (the same share at the small), creates, receipts and GET seconds per point. */
  millionSmall: number;
  millionTotal: number;
  millionOpen: number;
  millionCreate: number;
  millionReceipts: number;
  millionGetSeconds: number;
  /** Webhooks phase: deliveries pending to a dead endpoint, sessions paid before and while they retry, and how the endpoint is dead. */
  webhookPending: number;
  webhookReceipts: number;
  webhookDead: string;
  /** Interval of the read-model poll that detects `paid` and posted transfers. */
  pollMs: number;
  /** Send an Idempotency-Key on each create, as a retrying client would. */
  idempotencyKeys: boolean;
  /** Phases to run (others are skipped; `receipt` and `get` need `create`). */
  phases: Phase[];
  /** Phase to record a CPU profile of (written to bench/results/<phase>.cpuprofile). */
  profile: Phase | null;
  /** Where the worker runs: in this process with the API (`npm start`), or in its own (`npm run start:worker`). */
  worker: 'in-process' | 'own-process';
  /** A label stored in the results (e.g. "before", "after"). */
  label: string;
  logLevel: string;
  outDir: string;
}

const DEFAULTS: BenchOptions = {
  baseline: 300, sessions: 300, receipts: 150, concurrency: 16, open: 2000, openConcurrency: 32, openReceipts: 100, receiptRate: 10,
  getSeconds: 10, getConcurrency: 32, ledgerEntries: 200_000, ledgerReceipts: 200,
  curveSizes: '1000,10000,50000,100000', curveCreate: 50, curveReceipts: 20, curveGetSeconds: 5,
  watchSmall: 1000, watchLarge: 1_000_000, watchOutputs: 3000, watchHits: 5, watchBlocks: 20, coldSizes: '2000,10000,50000', coldReceipts: 30,
  millionSmall: 1000, millionTotal: 1_000_000, millionOpen: 100_000, millionCreate: 200, millionReceipts: 60, millionGetSeconds: 10, webhookPending: 10_000, webhookReceipts: 100, webhookDead: '503', pollMs: 5, idempotencyKeys: true, phases: PHASES.filter((p) => !OPT_IN.includes(p)), profile: null,
  worker: 'in-process', label: 'latest', logLevel: 'error', outDir: 'bench/results',
};

const USAGE = `npm run bench -- [--sessions 300] [--receipts 150] [--baseline 300] [--concurrency 16] [--open 2000]
  [--open-concurrency 32] [--open-receipts 100] [--receipt-rate 10] [--get-seconds 10] [--get-concurrency 32]
  [--ledger-entries 200000] [--ledger-receipts 200] [--curve-sizes 1000,10000,50000,100000] [--curve-create 50]
  [--curve-receipts 20] [--curve-get-seconds 5] [--watch-small 1000] [--watch-large 1000000] [--watch-outputs 3000]
  [--watch-hits 5] [--watch-blocks 20] [--cold-sizes 2000,10000,50000] [--cold-receipts 30]
  [--million-small 1000] [--million-total 1000000] [--million-open 100000] [--million-create 200] [--million-receipts 60]
  [--million-get-seconds 10] [--webhook-pending 10000] [--webhook-receipts 100] [--webhook-dead 503|hang] [--poll-ms 5]
  (--phase = --phases, --watched = --watch-large)
  [--no-idempotency-keys] [--phases ${PHASES.join(',')}] [--profile <phase>] [--worker in-process|own-process] [--label latest] [--log-level error]`;

/** Other spellings: `--phase watch --watched 1000000` runs the watch phase alone at a million. */
const ALIASES: Record<string, keyof BenchOptions> = { '--phase': 'phases', '--watched': 'watchLarge' };

/** Parses `argv` (without node and script) into options; throws with the usage text on a bad flag. */
export function parseOptions(argv: string[]): BenchOptions {
  const opts: BenchOptions = { ...DEFAULTS, phases: [...DEFAULTS.phases] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    if (flag === '--no-idempotency-keys') { opts.idempotencyKeys = false; continue; }
    const name = (ALIASES[flag] ?? flag.replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase())) as keyof BenchOptions;
    const value = argv[++i];
    if (!flag.startsWith('--') || !(name in DEFAULTS) || value === undefined) throw new Error(`bad option ${flag}\n${USAGE}`);
    if (name === 'phases') opts.phases = value.split(',').map((p) => phase(p));
    else if (name === 'profile') opts.profile = phase(value);
    else if (name === 'worker') {
      if (value !== 'in-process' && value !== 'own-process') throw new Error(`--worker is in-process or own-process\n${USAGE}`);
      opts.worker = value;
    }
    else if (name === 'webhookDead') {
      if (value !== '503' && value !== 'hang') throw new Error(`--webhook-dead is 503 or hang\n${USAGE}`);
      opts.webhookDead = value;
    }
    else if (typeof DEFAULTS[name] === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number\n${USAGE}`);
      (opts as unknown as Record<string, number>)[name] = n;
    } else (opts as unknown as Record<string, string>)[name] = value;
  }
  return opts;
}

function phase(name: string): Phase {
  if (!(PHASES as readonly string[]).includes(name)) throw new Error(`unknown phase "${name}"\n${USAGE}`);
  return name as Phase;
}
