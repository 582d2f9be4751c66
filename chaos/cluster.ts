import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createDb } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { freePort, waitForPort } from '../src/infra/freePort';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../src/infra/temporalDevServer';
import { ensureSystemAccounts } from '../src/services/accounts';
import { TemporalCluster } from '../scripts/cluster/temporalCluster';
import { spawnTs, startPostgresProcess, stopChild, ROOT, type Child, type PostgresProcess } from './processes';

export type Part = 'api' | 'worker' | 'watcher';
export const PARTS: readonly Part[] = ['api', 'worker', 'watcher'];

/** Counts of what the run did to the processes. */
export interface FaultCounts {
  kills: Record<Part, number>;
  /** Parts that exited on their own (a start while PostgreSQL or Temporal was down) and were restarted. */
  exits: Record<Part, number>;
  /** Dev server: stopped and started. Cluster: a history process and a frontend SIGKILLed (and started again). */
  temporalRestarts: number;
  postgresRestarts: number;
}

/** Which Temporal the parts run against, and how many processes of each part. */
export interface ClusterShape {
  /** Null: the Temporal dev server. A folder: the multi-process cluster built from the server binaries there. */
  temporalServerBinDir: string | null;
  /** Processes per part (api, worker, watcher). */
  replicas: number;
  /** Settings on top of the parts' own (the regtest lane's live mode: LND, the chain, the send crash point). */
  env?: Record<string, string>;
}

/**
 * The system under test as separate processes: PostgreSQL (own process, fixed port), Temporal (the dev
 * server on a SQLite file, or a multi-process cluster on its own PostgreSQL) and `src/main.ts
 * api|worker|watcher`, one or more processes each, every one of which can be SIGKILLed and started
 * again. With replicas, processes are named `api-1`, `api-2` …; logs go to `dir/logs/<name>.log`.
 */
export class Cluster {
  readonly adminKey = `admin_chaos_${randomBytes(24).toString('base64url')}`;
  readonly counts: FaultCounts = {
    kills: { api: 0, worker: 0, watcher: 0 }, exits: { api: 0, worker: 0, watcher: 0 }, temporalRestarts: 0, postgresRestarts: 0,
  };
  private stopping = false;
  apiUrls: string[] = [];
  databaseUrl = '';
  /** The Temporal cluster, when the shape asks for one. */
  temporalCluster: TemporalCluster | null = null;
  private pg: PostgresProcess | null = null;
  private temporal: TemporalDevServerHandle | null = null;
  private readonly procs = new Map<string, Child>();
  private ports = { pg: 0, temporal: 0, api: [] as number[] };
  private bundlePath = '';
  private nextTemporalKill = 0;

  constructor(
    private readonly dir: string, private readonly log: Logger, private readonly lightningKey: string,
    readonly shape: ClusterShape = { temporalServerBinDir: null, replicas: 1 },
  ) {}

  /** Every part process's name: `api`, `worker`, `watcher`, or with replicas `api-1` … `watcher-N`. */
  get processNames(): string[] {
    const n = this.shape.replicas;
    return PARTS.flatMap((part) => (n === 1 ? [part] : Array.from({ length: n }, (_, i) => `${part}-${i + 1}`)));
  }

  async start(): Promise<void> {
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    fs.chmodSync(this.dir, 0o755); // the embedded server runs as the postgres user when we are root
    this.ports.pg = await freePort();
    this.ports.temporal = await freePort();
    for (let i = 0; i < this.shape.replicas; i++) this.ports.api.push(await freePort());
    this.apiUrls = this.ports.api.map((port) => `http://127.0.0.1:${port}`);
    await this.startPostgres();
    const migrator = createDb(this.databaseUrl, { min: 0, max: 1 }, { acquireMs: 30_000, statementMs: 0 });
    try {
      await migrateLatest(migrator);
      await ensureSystemAccounts(migrator);
    } finally {
      await migrator.destroy();
    }
    await this.startTemporal();
    // One bundle for every worker start: a restarted worker polls again in seconds, not after a rebuild.
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows'), logger: quietLogger });
    this.bundlePath = path.join(this.dir, 'workflow-bundle.js');
    fs.writeFileSync(this.bundlePath, code);
    for (const name of this.processNames) this.startPart(name);
    // Generous: on a loaded machine ts-node takes a while to start a part.
    await Promise.all(this.ports.api.map((port) => waitForPort('127.0.0.1', port, 300_000)));
  }

  /**
   * Starts one part process (`src/main.ts part`) without waiting for it to be ready. Like a process
   * supervisor (compose's `restart: unless-stopped`), it starts a part again when it exits on its own: a
   * part that starts while PostgreSQL or Temporal is down fails fast and exits.
   */
  startPart(name: string): void {
    if (this.procs.has(name)) return; // one process per name
    const part = partOf(name);
    const logFile = fs.createWriteStream(path.join(this.dir, 'logs', `${name}.log`), { flags: 'a' });
    const child = spawnTs('src/main.ts', [part], this.partEnv(name), (line) => logFile.write(`${line}\n`));
    this.procs.set(name, child);
    void child.exited.then(async () => {
      logFile.end();
      if (this.stopping || this.procs.get(name) !== child) return; // killed or stopped by us
      this.procs.delete(name);
      this.counts.exits[part]++;
      await sleep(1_000);
      if (!this.stopping && !this.procs.has(name)) this.startPart(name);
    });
  }

  /** SIGKILLs a part process: no shutdown hook runs, whatever it was doing is cut off mid-way. False if it was not running. */
  async kill(name: string): Promise<boolean> {
    const child = this.procs.get(name);
    if (!child) return false;
    this.procs.delete(name);
    this.counts.kills[partOf(name)]++;
    await stopChild(child, 'SIGKILL');
    return true;
  }

  isRunning(name: string): boolean { return this.procs.has(name); }

  /** The part process whose PID is `pid` (e.g. the worker that wrote a send's crash-point file), if running. */
  nameOfPid(pid: number): string | undefined {
    return [...this.procs].find(([, child]) => child.proc.pid === pid)?.[0];
  }

  /**
   * Dev server: stops and starts it on the same port and database file. Cluster: SIGKILLs one history
   * process and one frontend (each in turn) at once: the other history process takes the shards over,
   * the parts' connections through the killed frontend drop and reconnect through the balancer to the
   * other; both are started again after `downMs`.
   */
  async restartTemporal(downMs: number): Promise<void> {
    if (this.temporalCluster) {
      const tc = this.temporalCluster;
      const turn = this.nextTemporalKill++;
      const names = [tc.names('history'), tc.names('frontend')].map((of) => of[turn % of.length]);
      await Promise.all(names.map((name) => tc.kill(name)));
      this.log.info({ processes: names }, 'chaos: SIGKILL of a Temporal history process and a frontend');
      await sleep(downMs);
      for (const name of names) tc.startNode(name);
    } else {
      await this.temporal?.stop();
      await sleep(downMs);
      await this.startTemporal();
    }
    this.counts.temporalRestarts++;
  }

  /** Stops and starts PostgreSQL on the same port and data directory. */
  async restartPostgres(downMs: number): Promise<void> {
    await this.pg?.stop();
    await sleep(downMs);
    await this.startPostgres();
    this.counts.postgresRestarts++;
  }

  /** Environment of the reconcile CLI and other one-off commands against this cluster. */
  commandEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.shape.env, DATABASE_URL: this.databaseUrl, LOG_LEVEL: 'warn' };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.procs.entries()].map(async ([name, child]) => {
      this.procs.delete(name);
      await stopChild(child, 'SIGTERM', 20_000);
    }));
    await this.temporal?.stop().catch(() => undefined);
    await this.temporalCluster?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
  }

  private async startPostgres(): Promise<void> {
    this.pg = await startPostgresProcess(path.join(this.dir, 'pg'), this.ports.pg);
    this.databaseUrl = this.pg.url;
  }

  private async startTemporal(): Promise<void> {
    if (this.shape.temporalServerBinDir) {
      this.temporalCluster = new TemporalCluster(path.join(this.dir, 'temporal-cluster'), this.shape.temporalServerBinDir);
      const t = await this.temporalCluster.start();
      this.log.info({ startup: t }, 'chaos: Temporal cluster ready');
      return;
    }
    this.temporal = await startTemporalDevServer({
      port: this.ports.temporal, uiPort: null, namespace: 'default', log: this.log, dbFile: path.join(this.dir, 'temporal', 'temporal.db'),
    });
  }

  /**
   * The Temporal address a part process dials: the dev server's, or on the cluster the load balancer in
   * front of its frontends (as in production: every process dials one name, never a frontend by itself).
   */
  temporalAddress(): string {
    return this.temporalCluster ? this.temporalCluster.address : `127.0.0.1:${this.ports.temporal}`;
  }

  private partEnv(name: string): NodeJS.ProcessEnv {
    const port = this.ports.api[replicaIndex(name)]; // only the API listens
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress(),
      TEMPORAL_TASK_QUEUE: 'chaos',
      PORT: String(port),
      // One public URL for every replica, as behind a load balancer: session URLs must not depend on who made them.
      PUBLIC_URL: this.apiUrls[0],
      DATA_DIR: path.join(this.dir, 'data'),
      ADMIN_API_KEY: this.adminKey,
      LIGHTNING_NODE_KEY: this.lightningKey,
      CHECKOUT_MIN_TTL_SECONDS: '1',
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      WEBHOOK_TIMEOUT_MS: '3000',
      SHUTDOWN_DRAIN_MS: '5000',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', // the receiver is on 127.0.0.1
      LOG_LEVEL: 'info',
      DEMO: 'false', // the run makes its own accounts
      ...this.shape.env,
    };
  }
}

/** `api-2` → api; `api` → api. */
export function partOf(name: string): Part {
  return name.split('-')[0] as Part;
}

/** `api-2` → 1; `api` → 0. */
function replicaIndex(name: string): number {
  const n = Number(name.split('-')[1] ?? 1);
  return n - 1;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
