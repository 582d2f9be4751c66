/** What the failover can kill: a Temporal server process of one service, or a product part. */
export const FAILOVER_TARGETS = ['history', 'matching', 'frontend', 'api', 'worker', 'watcher'] as const;
export type FailoverTarget = typeof FAILOVER_TARGETS[number];

/** Size, seed and duration of a chaos run (`npm run chaos -- --sessions 100 --seed 7 --duration 120`). */
export interface ChaosOptions {
  /** Checkout sessions created during the run. */
  sessions: number;
  /** Seed of every random choice (traffic and faults), printed so a run can be repeated. */
  seed: number;
  /** Seconds of traffic and faults before the run waits for quiescence. */
  durationSec: number;
  /** Sessions worked on at the same time. */
  concurrency: number;
  /** Seconds to wait for quiescence (every receipt credited, every event delivered) before checking. */
  settleSec: number;
  /** Keep the data directory (PostgreSQL, Temporal, logs) after the run. */
  keep: boolean;
  /** Smallest session amount (SATS) and receipt, in sats; 1 includes dust that splits into 0-sat transfers. */
  minSats: number;
  /** Payouts and refunds attempted while the receipts and the faults run (absent or 0: none). */
  moneyOut?: number;
  /** Run on the multi-process Temporal cluster (built by scripts/build-temporal-server.sh) instead of the dev server. */
  cluster?: boolean;
  /** Processes per part (api, worker, watcher); 2 on the cluster unless given. */
  replicas?: number;
  /**
   * The scripted failover instead of random faults: one history, one matching and one frontend process
   * (the product dials a load balancer in front of the frontends), one API, one worker and one watcher
   * SIGKILLed at once mid-run, while probe payments measure how long until payments flow again.
   */
  failover?: boolean;
  /** With the failover: which of its processes to kill (default all six), e.g. ['frontend'] to time a frontend's loss alone. */
  failoverKill?: FailoverTarget[];
  /**
   * The regtest lane (chaos/regtest.ts): live mode on btcd + two LND nodes, sessions paid over Lightning,
   * payouts, withdrawal links and refunds to the customer node, the worker SIGKILLed at sends' crash points.
   */
  regtest?: boolean;
  /** Regtest lane: worker SIGKILLs, each between a send reaching the node and its settlement (default 2). */
  kills?: number;
}

export const USAGE = `usage: npm run chaos -- [--sessions N] [--seed N] [--duration SECONDS] [--concurrency N] [--settle SECONDS] [--money-out N] [--keep] [--regtest [--kills N]]
  --sessions     checkout sessions to create (default 40)
  --seed         seed of all random choices (default: random, printed)
  --duration     seconds of traffic while processes are killed and restarted (default 60)
  --concurrency  sessions worked on at once (default 6)
  --settle       seconds to wait for quiescence before checking (default 240)
  --min-sats     smallest SATS amount and receipt (default 1: dust included)
  --money-out    payouts and refunds racing the receipts (default 20; 0 for none)
  --keep         keep the data directory and the part logs
  --cluster      run on a multi-process Temporal cluster on PostgreSQL (docs/cluster.md), 2 processes per part
  --replicas     processes per part (api, worker, watcher; default 1, or 2 with --cluster)
  --failover     (implies --cluster) instead of random faults, SIGKILL one Temporal history, one matching and one
                 frontend process, one API, one worker and one watcher at once mid-run and report how long until
                 payments flow again
  --failover-kill  with --failover: which of history,matching,frontend,api,worker,watcher to kill (default all),
                 e.g. --failover-kill frontend to time a frontend's loss alone
  --regtest      live mode on a regtest network (btcd + two LND nodes): the customer node pays sessions over
                 Lightning and receives payouts, withdrawal links and refunds; the worker is SIGKILLed after a
                 send reached the node and before the ledger settled; then both nodes' records, the ledger and
                 the node's balance are checked (defaults: --sessions 10 --money-out 10 --settle 300); every other
                 session is paid on-chain (mined). With --cluster (or --failover): on the Temporal cluster, two
                 processes per part, the failover kill mid-run and live probe payments measuring the recovery
  --kills        with --regtest: worker SIGKILLs at sends' crash points (default 2)`;

/** Parses argv; throws with a message (and the usage) on an unknown or bad flag. */
export function parseOptions(argv: string[]): ChaosOptions {
  const opts: ChaosOptions = {
    sessions: 40, seed: Math.floor(Math.random() * 2 ** 31), durationSec: 60, concurrency: 6, settleSec: 240, keep: false, minSats: 1, moneyOut: 20,
  };
  const numeric: Record<string, keyof ChaosOptions> = {
    '--sessions': 'sessions', '--seed': 'seed', '--duration': 'durationSec', '--concurrency': 'concurrency', '--settle': 'settleSec', '--min-sats': 'minSats',
    '--replicas': 'replicas', '--money-out': 'moneyOut', '--kills': 'kills',
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--keep') { opts.keep = true; continue; }
    if (flag === '--cluster') { opts.cluster = true; continue; }
    if (flag === '--failover') { opts.failover = true; opts.cluster = true; continue; }
    if (flag === '--regtest') { opts.regtest = true; continue; }
    if (flag === '--failover-kill') {
      const raw = inline ?? argv[++i] ?? '';
      const targets = raw.split(',').filter(Boolean);
      const bad = targets.filter((t) => !(FAILOVER_TARGETS as readonly string[]).includes(t));
      if (targets.length === 0 || bad.length) throw new Error(`--failover-kill takes a comma list of ${FAILOVER_TARGETS.join(', ')}, got "${raw}"\n${USAGE}`);
      opts.failoverKill = targets as FailoverTarget[];
      opts.failover = true;
      opts.cluster = true;
      continue;
    }
    const key = numeric[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    // `--money-out` alone (as in `--money-out --regtest`) keeps its default count.
    if (key === 'moneyOut' && inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) continue;
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (key === 'seed' || key === 'moneyOut' || key === 'kills' ? 0 : 1)) throw new Error(`${flag} needs a positive whole number, got "${raw}"\n${USAGE}`);
    (opts as unknown as Record<string, number>)[key] = value;
    given.add(key);
  }
  if (opts.regtest) {
    // A real network is slower per payment: a small run unless asked otherwise.
    if (!given.has('sessions')) opts.sessions = 10;
    if (!given.has('moneyOut')) opts.moneyOut = 10;
    if (!given.has('settleSec')) opts.settleSec = 300;
    if (!given.has('kills')) opts.kills = 2;
  }
  return opts;
}
