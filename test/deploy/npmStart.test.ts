import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/infra/freePort';
import { LEGACY_PASSWORD } from '../../src/infra/embeddedPostgres';
import { isRunning } from '../support/pids';
import { root } from './support/processes';

/**
 * The operator's side of `npm start`, exactly as the README has it: the banner names where Temporal
 * and PostgreSQL are; `npm run temporal -- …`, `npm run reconcile` and `npm run migrate` work beside
 * it with nothing but DATA_DIR; the fixed `checkout` password is refused; and a SIGTERM to the npm
 * process (what `kill $!` and supervisors send) stops every process it started and frees every port.
 */
let dir: string;
let npm: ChildProcess | undefined;
let output = '';
let env: Record<string, string>;
const ports: Record<string, number> = {};
/** Every process `npm start` started, as seen while it ran: killed after the tests if any survived. */
const started = new Set<number>();

/** The environment of a user's shell: ours without what points the product at the test servers. */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(CHECKOUT_TEST_|DATABASE_URL$|TEMPORAL_(?!CLI_)|PORT$|DATA_DIR$|ADMIN_API_KEY$|PUBLIC_URL$)/.test(k)) continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

/** Runs `npm run --silent <args>` in the repository with `extra` in the environment. */
function npmRun(args: string[], extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('npm', ['run', '--silent', ...args], { cwd: root, env: userEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.once('error', reject);
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every descendant of `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces; the parent PID is the second field after it.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, p] of parentOf) if (p === parent) { found.push(child); queue.push(child); }
  }
  return found;
}

/** True when nothing listens on `port` (a server can bind it, on every address). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; output:\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = path.join(process.env.CHECKOUT_TEST_DIR!, `npm-start-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as another user and must reach its folder
  for (const name of ['PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT']) ports[name] = await freePort();
  env = { DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info' };
  npm = spawn('npm', ['start'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: userEnv({ ...env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) }),
  });
  npm.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  npm.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  await until('the banner was printed', () => {
    if (npm!.exitCode !== null) throw new Error(`npm start exited (${npm!.exitCode}):\n${output.slice(-4000)}`);
    return output.includes('Checkout is running.');
  }, 5 * 60_000);
}, 6 * 60_000);

afterAll(async () => {
  if (npm && npm.exitCode === null && npm.signalCode === null) {
    for (const pid of descendants(npm.pid!)) started.add(pid);
    npm.kill('SIGKILL');
  }
  for (const pid of started) if (isRunning(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the banner says where Temporal and PostgreSQL are, as the README shows', () => {
  expect(output).toContain(`  Temporal:       127.0.0.1:${ports.TEMPORAL_PORT}, namespace default   (CLI: npm run temporal -- workflow list)`);
  expect(output).toMatch(/ {2}PostgreSQL: {5}127\.0\.0\.1:\d+, user checkout, password in \S+postgres\.password/);
  expect(output).toContain(`  Temporal UI:    http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
});

test('`npm run temporal -- …` reaches the running dev server with only DATA_DIR set', async () => {
  const attributes = await npmRun(['temporal', '--', 'operator', 'search-attribute', 'list'], env);
  expect({ code: attributes.code, stderr: attributes.stderr }).toEqual({ code: 0, stderr: '' });
  expect(attributes.stdout).toContain('CheckoutStatus');
  const count = await npmRun(['temporal', '--', 'workflow', 'count', '--query', 'CheckoutStatus="active"'], env);
  expect(count.code).toBe(0);
  expect(count.stdout).toMatch(/^Total: \d+/m);
}, 120_000);

test('`npm run reconcile` and `npm run migrate` use the running embedded PostgreSQL', async () => {
  const reconcile = await npmRun(['reconcile'], env);
  expect(reconcile).toMatchObject({ code: 0, stdout: 'reconcile: every balance agrees with receipts and entries.\n' });
  expect(reconcile.stderr).toContain('the running embedded PostgreSQL');
  const migrate = await npmRun(['migrate'], env);
  expect(migrate).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
}, 120_000);

test('the embedded PostgreSQL refuses the old fixed password; its own sits in a 0600 file', async () => {
  const port = Number(/PostgreSQL: {5}127\.0\.0\.1:(\d+)/.exec(output)![1]);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'checkout', password: LEGACY_PASSWORD, database: 'checkout' });
  const refused = await client.connect().then(() => 'connected', (err: { code?: string }) => err.code);
  await client.end().catch(() => undefined);
  expect(refused).toBe('28P01');
  expect(fs.statSync(path.join(env.DATA_DIR, 'postgres.password')).mode & 0o777).toBe(0o600);
});

test('SIGTERM to the npm process stops the app, PostgreSQL and the Temporal dev server, and frees every port', async () => {
  const pgPort = Number(/PostgreSQL: {5}127\.0\.0\.1:(\d+)/.exec(output)![1]);
  const children = descendants(npm!.pid!);
  for (const pid of children) started.add(pid);
  // node (the app), the postmaster and its backends, the dev server
  expect(children.length).toBeGreaterThanOrEqual(3);
  const exited = new Promise<number | null>((resolve) => npm!.once('exit', (code) => resolve(code)));
  npm!.kill('SIGTERM');
  expect(await exited).toBe(0);
  await until('every process npm start started has exited', () => children.every((pid) => !isRunning(pid)), 60_000);
  const allPorts = [...Object.values(ports), pgPort];
  await until('every port is free', async () => (await Promise.all(allPorts.map(portFree))).every(Boolean), 60_000);
  expect(fs.existsSync(path.join(env.DATA_DIR, 'runtime.json'))).toBe(false);
}, 120_000);

test('with nothing running, `npm run reconcile` starts the embedded PostgreSQL for its run and stops it', async () => {
  // After the SIGTERM test above: the instance is gone, its data folder stays.
  const reconcile = await npmRun(['reconcile'], env);
  expect(reconcile).toMatchObject({ code: 0, stdout: 'reconcile: every balance agrees with receipts and entries.\n' });
  expect(reconcile.stderr).toContain('started for this run');
  expect(fs.existsSync(path.join(env.DATA_DIR, 'postgres', 'postmaster.pid'))).toBe(false);
}, 120_000);

test('an operator command that cannot reach its database says why, never `undefined`', async () => {
  const closed = await freePort();
  const reconcile = await npmRun(['reconcile'], { ...env, DATABASE_URL: `postgres://checkout:x@127.0.0.1:${closed}/checkout` });
  expect(reconcile.code).toBe(2);
  expect(reconcile.stderr).toMatch(/^reconcile could not run: .*ECONNREFUSED/m);
  expect(reconcile.stderr).not.toMatch(/undefined/);
}, 120_000);
