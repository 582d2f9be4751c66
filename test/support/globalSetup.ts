import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { freePort } from '../../src/infra/freePort';
import { startEmbeddedPostgres } from '../../src/infra/embeddedPostgres';
import { startTemporalDevServer } from '../../src/infra/temporalDevServer';
import { createLogger } from '../../src/logger';
import { ensureSystemAccounts } from '../../src/services/accounts';
import { databaseUrl as databaseUrlOf, dropDatabases } from './testDatabases';

/**
 * Once per test run: a real PostgreSQL (embedded, or TEST_DATABASE_URL), a real Temporal dev server
 * (in memory, headless) and one workflow bundle, shared by every integration test file.
 */
export default async function globalSetup(): Promise<void> {
  const log = createLogger('silent');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-test-'));
  fs.chmodSync(dir, 0o755); // the embedded server runs as the postgres user and must reach its folder
  const stops: (() => Promise<void>)[] = [];

  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), log);
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  // The migrated template every test file's database is copied from (test/support/testDatabases.ts).
  const template = `checkout_tpl_${randomBytes(4).toString('hex')}`;
  const admin = createDb(databaseUrl, { min: 0, max: 1 });
  await admin.raw('create database ??', [template]);
  await admin.destroy();
  const db = createDb(databaseUrlOf(databaseUrl, template));
  await migrateLatest(db);
  await ensureSystemAccounts(db);
  await db.destroy();
  if (process.env.TEST_DATABASE_URL) {
    // A server of the developer's own: leave it as it was.
    stops.push(async () => {
      const a = createDb(databaseUrl!, { min: 0, max: 1 });
      const made = await a.raw<{ rows: { datname: string }[] }>("select datname from pg_database where datname like ?", [`${template}%`]);
      await a.destroy();
      await dropDatabases(databaseUrl!, [...made.rows.map((r) => r.datname).filter((n) => n !== template), template]);
    });
  }

  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null, namespace: 'default', log });
  stops.push(temporal.stop);

  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);

  // A file's own database once its setup ran (test/support/fileDatabase.ts); the template until then.
  process.env.CHECKOUT_TEST_DATABASE_URL = databaseUrlOf(databaseUrl, template);
  process.env.CHECKOUT_TEST_ADMIN_DATABASE_URL = databaseUrl;
  process.env.CHECKOUT_TEST_TEMPLATE_DATABASE = template;
  process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.CHECKOUT_TEST_BUNDLE = bundlePath;
  process.env.CHECKOUT_TEST_DIR = dir;
  (globalThis as { __checkoutTestStop?: () => Promise<void> }).__checkoutTestStop = async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
