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
import { spawnTs, startPostgresProcess, stopChild, ROOT, type Child, type PostgresProcess } from './processes';

export type Part = 'api' | 'worker' | 'watcher';
export const PARTS: readonly Part[] = ['api', 'worker', 'watcher'];

/** Counts of what the run did to the processes. */
export interface FaultCounts {
  kills: Record<Part, number>;
  /** Parts that exited on their own (a start while PostgreSQL or Temporal was down) and were restarted. */
  exits: Record<Part, number>;
  temporalRestarts: number;
  postgresRestarts: number;
}

/**
 * The system under test as separate processes: PostgreSQL (own process, fixed port), the Temporal dev
 * server (SQLite file, fixed port, so a restart keeps every workflow), and `src/main.ts api|worker|watcher`,
 * each of which can be SIGKILLed and started again. Logs of every part go to `dir/logs`.
 */
export class Cluster {
  readonly adminKey = `admin_chaos_${randomBytes(24).toString('base64url')}`;
  readonly counts: FaultCounts = {
    kills: { api: 0, worker: 0, watcher: 0 }, exits: { api: 0, worker: 0, watcher: 0 }, temporalRestarts: 0, postgresRestarts: 0,
  };
  private stopping = false;
  apiUrl = '';
  databaseUrl = '';
  private pg: PostgresProcess | null = null;
  private temporal: TemporalDevServerHandle | null = null;
  private readonly parts = new Map<Part, Child>();
  private ports = { pg: 0, temporal: 0, api: 0 };
  private bundlePath = '';

  constructor(private readonly dir: string, private readonly log: Logger, private readonly lightningKey: string) {}

  async start(): Promise<void> {
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    fs.chmodSync(this.dir, 0o755); // the embedded server runs as the postgres user when we are root
    this.ports = { pg: await freePort(), temporal: await freePort(), api: await freePort() };
    this.apiUrl = `http://127.0.0.1:${this.ports.api}`;
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
    for (const part of PARTS) this.startPart(part);
    // Generous: on a loaded machine ts-node takes a while to start a part.
    await waitForPort('127.0.0.1', this.ports.api, 180_000);
  }

  /**
   * Starts one part (`src/main.ts part`) without waiting for it to be ready. Like a process supervisor
   * (compose's `restart: unless-stopped`), it starts a part again when it exits on its own: a part that
   * starts while PostgreSQL or Temporal is down fails fast and exits.
   */
  startPart(part: Part): void {
    if (this.parts.has(part)) return; // one process per part
    const logFile = fs.createWriteStream(path.join(this.dir, 'logs', `${part}.log`), { flags: 'a' });
    const child = spawnTs('src/main.ts', [part], this.partEnv(), (line) => logFile.write(`${line}\n`));
    this.parts.set(part, child);
    void child.exited.then(async () => {
      logFile.end();
      if (this.stopping || this.parts.get(part) !== child) return; // killed or stopped by us
      this.parts.delete(part);
      this.counts.exits[part]++;
      await sleep(1_000);
      if (!this.stopping && !this.parts.has(part)) this.startPart(part);
    });
  }

  /** SIGKILLs a part: no shutdown hook runs, whatever it was doing is cut off mid-way. False if it was not running. */
  async kill(part: Part): Promise<boolean> {
    const child = this.parts.get(part);
    if (!child) return false;
    this.parts.delete(part);
    this.counts.kills[part]++;
    await stopChild(child, 'SIGKILL');
    return true;
  }

  isRunning(part: Part): boolean { return this.parts.has(part); }

  /** Stops and starts the Temporal dev server on the same port and database file. */
  async restartTemporal(downMs: number): Promise<void> {
    await this.temporal?.stop();
    await sleep(downMs);
    await this.startTemporal();
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
    return { ...process.env, DATABASE_URL: this.databaseUrl, LOG_LEVEL: 'warn' };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const part of [...this.parts.keys()]) {
      const child = this.parts.get(part)!;
      this.parts.delete(part);
      await stopChild(child, 'SIGTERM', 20_000);
    }
    await this.temporal?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
  }

  private async startPostgres(): Promise<void> {
    this.pg = await startPostgresProcess(path.join(this.dir, 'pg'), this.ports.pg);
    this.databaseUrl = this.pg.url;
  }

  private async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      port: this.ports.temporal, uiPort: null, namespace: 'default', log: this.log, dbFile: path.join(this.dir, 'temporal', 'temporal.db'),
    });
  }

  private partEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.ports.temporal}`,
      TEMPORAL_TASK_QUEUE: 'chaos',
      PORT: String(this.ports.api),
      PUBLIC_URL: this.apiUrl,
      DATA_DIR: path.join(this.dir, 'data'),
      ADMIN_API_KEY: this.adminKey,
      LIGHTNING_NODE_KEY: this.lightningKey,
      CHECKOUT_MIN_TTL_SECONDS: '1',
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      WEBHOOK_TIMEOUT_MS: '3000',
      SHUTDOWN_DRAIN_MS: '5000',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', // the receiver is on 127.0.0.1
      LOG_LEVEL: 'info',
    };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
