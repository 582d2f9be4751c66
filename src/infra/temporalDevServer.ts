import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTE_TYPES } from '../temporal/searchAttributes';
import { waitForPort } from './freePort';
import { ensureTemporalCli } from './temporalCliInstall';

/** A running `temporal server start-dev` child process. */
export interface TemporalDevServerHandle {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal dev server (the real server, SQLite-backed) with the search attributes of
 * SPEC §9 registered. `dbFile` persists workflows across restarts; without it they live in memory.
 */
export async function startTemporalDevServer(opts: {
  cliPath?: string;
  /** Where a missing CLI is installed (default: the user's cache folder). */
  cliCacheDir?: string;
  port: number;
  uiPort: number | null;
  dbFile?: string;
  namespace: string;
  log: Logger;
}): Promise<TemporalDevServerHandle> {
  const cli = await ensureTemporalCli({ explicitPath: opts.cliPath, cacheDir: opts.cliCacheDir, log: opts.log });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace,
    '--log-level', 'error', '--ui-disable-news-fetch'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    // WAL instead of SQLite's default rollback journal: ~1.7x the workflow throughput (bench/README.md);
    // synchronous=FULL keeps every commit fsynced, so no durability is traded for it.
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=FULL');
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let stderrTail = '';
  child.stdout?.on('data', (d: Buffer) => opts.log.debug({ component: 'temporal' }, d.toString().trim()));
  child.stderr?.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4000);
    opts.log.debug({ component: 'temporal' }, d.toString().trim());
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // However this process ends (an uncaught error, process.exit from anywhere), the server must not
  // outlive it holding its ports: the signal is sent synchronously from the `exit` event.
  const killOnExit = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  try {
    await Promise.race([
      waitForPort('127.0.0.1', opts.port, 60_000),
      exited.then((code) => { throw new Error(`temporal dev server exited (${code}): ${stderrTail}`); }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : null,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
