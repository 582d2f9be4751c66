import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startPostgresProcess, type PostgresProcess } from '../../chaos/processes';
import { freePort } from '../../src/infra/freePort';
import { LEGACY_PASSWORD, passwordFile } from '../../src/infra/embeddedPostgres';

/**
 * The embedded PostgreSQL has a password of its own, generated per data folder and kept beside it
 * with mode 0600; the old fixed `checkout`/`checkout` is refused, also for a folder made before
 * (its password is changed on the first start, and the data is kept).
 */
let dir: string;
let server: PostgresProcess | undefined;

beforeAll(() => {
  dir = path.join(process.env.CHECKOUT_TEST_DIR!, `pg-password-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755); // the server runs as the postgres user and must reach its folder
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sqlError(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

test('a new folder gets a generated 0600 password; a folder with the old fixed password is moved to a generated one, data kept', async () => {
  const pgDir = path.join(dir, 'postgres');
  const port = await freePort();
  server = await startPostgresProcess(pgDir, port);
  const file = passwordFile(pgDir);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const first = fs.readFileSync(file, 'utf8').trim();
  expect(first).toMatch(/^[0-9a-f]{48}$/);
  expect(new URL(server.url).password).toBe(first);
  expect(await sqlError(server.url)).toBeUndefined();
  expect(await sqlError(withPassword(server.url, LEGACY_PASSWORD))).toBe('28P01');

  // Make it a folder of the old code: the fixed password, no password file, and some data.
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`ALTER ROLE checkout PASSWORD '${LEGACY_PASSWORD}'`);
  await client.query('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
  await client.end();
  await server.stop();
  fs.rmSync(file);

  server = await startPostgresProcess(pgDir, port);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const second = fs.readFileSync(file, 'utf8').trim();
  expect(second).not.toBe(first);
  expect(await sqlError(withPassword(server.url, LEGACY_PASSWORD))).toBe('28P01');
  const after = new pg.Client({ connectionString: server.url });
  await after.connect();
  expect((await after.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
  await after.end();

  // A later start changes nothing: the same password, still accepted.
  await server.stop();
  server = await startPostgresProcess(pgDir, port);
  expect(fs.readFileSync(file, 'utf8').trim()).toBe(second);
  expect(await sqlError(server.url)).toBeUndefined();
}, 180_000);
