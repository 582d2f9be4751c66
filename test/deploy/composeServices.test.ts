import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { freePort } from '../../src/infra/freePort';
import { readCompose, serviceEnvironment, type ComposeService } from './support/compose';
import { root, startNode, waitForStatus, type Started } from './support/processes';

const ADMIN = 'compose-Admin-key-0123456789-abcdefXYZ';
const APP_SERVICES = ['api', 'worker', 'watcher'];

/**
 * docker-compose.yml as shipped, without a container engine: the image's build (`npm run build`) runs
 * here, then each application service runs as a plain process with the compose file's command and
 * environment. Only what a container engine would provide is mapped: the `postgres` and `temporal`
 * hostnames to the test run's embedded PostgreSQL (with the compose file's role and database) and
 * Temporal dev server (search attributes registered, as temporal-setup does), the published ports to free ones, the `/data` volume to a folder. A payment then goes through.
 */
describe('docker-compose.yml application services as plain processes', () => {
  const compose = readCompose(path.join(root, 'docker-compose.yml'));
  const stops: (() => Promise<void>)[] = [];
  const processes: Record<string, Started> = {};
  let dir: string;
  let env: Record<string, Record<string, string>>;
  let api: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-compose-'));
    fs.chmodSync(dir, 0o755);
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });

    // The run's embedded PostgreSQL gets the compose file's role and database, as the postgres image
    // makes them from POSTGRES_USER / POSTGRES_DB.
    const pgUrl = process.env.CHECKOUT_TEST_DATABASE_URL!;
    const admin = knex({ client: 'pg', connection: pgUrl });
    const pgEnv = compose.services.postgres.environment!;
    const { POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database } = pgEnv as Record<string, string>;
    const roleExists = (await admin.raw('select 1 from pg_roles where rolname = ?', [user])).rows.length > 0;
    if (!roleExists) await admin.raw(`create role "${user}" login password '${password}'`);
    const dbExists = (await admin.raw('select 1 from pg_database where datname = ?', [database])).rows.length > 0;
    if (!dbExists) await admin.raw(`create database "${database}" owner "${user}"`);
    stops.push(async () => {
      if (!dbExists) await admin.raw(`drop database if exists "${database}" with (force)`);
      if (!roleExists) await admin.raw(`drop role if exists "${user}"`);
      await admin.destroy();
    });
    const temporal = { address: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS! };

    const apiPort = String(await freePort());
    const metricsPort = String(await freePort());
    const hostEnv = { ADMIN_API_KEY: ADMIN, PUBLIC_URL: `http://127.0.0.1:${apiPort}`, LOG_LEVEL: 'warn' };
    env = {};
    for (const name of APP_SERVICES) {
      const e = serviceEnvironment(compose.services[name], hostEnv);
      e.DATABASE_URL = databaseUrlOnTestServer(e.DATABASE_URL, pgUrl, roleExists);
      e.TEMPORAL_ADDRESS = e.TEMPORAL_ADDRESS.replace(/^temporal:7233$/, temporal.address);
      e.DATA_DIR = path.join(dir, 'data'); // the app-data volume
      e.PORT = apiPort; // "3000:3000"
      if (e.TEMPORAL_METRICS_BIND) e.TEMPORAL_METRICS_BIND = `127.0.0.1:${metricsPort}`;
      env[name] = { ...e, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir };
    }
    api = `http://127.0.0.1:${apiPort}`;
  }, 5 * 60_000);

  afterAll(async () => {
    for (const p of Object.values(processes)) await p.stop();
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every service has a healthcheck and the app services share the chain, Lightning and rate settings', () => {
    for (const [name, service] of Object.entries(compose.services)) expect([name, service.healthcheck?.test?.length ?? 0]).not.toEqual([name, 0]);
    for (const key of ['ESPLORA_URL', 'LND_REST_URL', 'LND_MACAROON_HEX', 'RATE_PROVIDER', 'STATIC_RATES', 'BITCOIN_TEST_NETWORK']) {
      for (const name of APP_SERVICES) expect([name, key in (compose.services[name].environment ?? {})]).toEqual([name, true]);
    }
    expect(compose.services.temporal.image).toMatch(/^temporalio\/auto-setup/);
    expect(compose.services.temporal.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(compose.services['temporal-ui'].image).toMatch(/^temporalio\/ui/);
  });

  test('api, worker and watcher start from the compiled build, pass their healthchecks and take a payment', async () => {
    for (const name of APP_SERVICES) {
      const service: ComposeService = compose.services[name];
      expect(service.command?.slice(0, 2)).toEqual(['node', 'dist/src/main.js']);
      processes[name] = startNode(service.command!.slice(1), env[name]);
    }
    await waitForStatus(`${api}/health`, 200, Object.values(processes), 3 * 60_000);
    for (const name of APP_SERVICES) {
      const check = compose.services[name].healthcheck!.test;
      expect(check.slice(0, 2)).toEqual(['CMD', 'node']);
      const run = spawnSync(process.execPath, check.slice(2), { cwd: root, env: env[name], encoding: 'utf8', timeout: 30_000 });
      expect([name, run.status, run.stderr]).toEqual([name, 0, '']);
    }

    const call = async (key: string, method: string, route: string, body?: unknown) => {
      const res = await fetch(`${api}${route}`, {
        method,
        headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const account = await call(ADMIN, 'POST', '/accounts', { name: 'Compose shop' });
    expect(account.status).toBe(200);
    const key: string = account.body.secret_key;
    const cs = await call(key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 21000 });
    expect(cs.status).toBe(200);
    expect(cs.body.payment_id).toMatch(/^pi_/);
    const receipt = await call(key, 'POST', `/test-helpers/payments/${cs.body.payment_id}/receive`, { amount: 21000, method: 'lightning' });
    expect(receipt.status).toBeLessThan(300);
    let session = cs.body;
    const deadline = Date.now() + 60_000;
    while (session.status !== 'paid' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      session = (await call(key, 'GET', `/checkout-sessions/${cs.body.id}`)).body;
    }
    expect(session).toMatchObject({ status: 'paid', target_amount_paid: 21000, target_amount_due: 0 });
    let balance = 0;
    while (balance !== 20790 && Date.now() < deadline) { // 21,000 less the 1% platform fee
      balance = (await call(key, 'GET', '/balances')).body.available[0].amount;
      if (balance !== 20790) await new Promise((r) => setTimeout(r, 250));
    }
    expect(balance).toBe(20790);
    // The worker's own Temporal SDK metrics, on the compose file's TEMPORAL_METRICS_BIND.
    const sdk = await fetch(`http://${env.worker.TEMPORAL_METRICS_BIND}/metrics`);
    expect(sdk.status).toBe(200);
    expect(await sdk.text()).toMatch(/^temporal_\w+/m);
    // The worker loaded the bundle `npm run build` wrote instead of bundling at start.
    expect(processes.worker.output()).not.toContain('Workflow bundle created');
  }, 5 * 60_000);
});

/**
 * The compose service's DATABASE_URL pointed at the run's PostgreSQL. When the compose role is the test
 * server's own role (the embedded server's superuser is also `checkout`, with a generated password), the
 * test server's credentials stand in for the compose file's fixed one; the database stays the compose one.
 */
function databaseUrlOnTestServer(composeUrl: string, testUrl: string, roleExisted: boolean): string {
  const url = new URL(composeUrl);
  const test = new URL(testUrl);
  url.host = test.host;
  if (roleExisted && decodeURIComponent(url.username) === decodeURIComponent(test.username)) url.password = test.password;
  return url.toString();
}

