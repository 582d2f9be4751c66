import 'dotenv/config';
import path from 'node:path';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { migrateLatest } from '../db/migrate';
import { startEmbeddedPostgres } from '../infra/embeddedPostgres';
import { createLogger } from '../logger';

/** `npm run migrate`: applies pending migrations to DATABASE_URL or the embedded database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const pg = config.databaseUrl ? null : await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), createLogger('warn'));
  const db = createDb(config.databaseUrl ?? pg!.url);
  try {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.destroy();
    await pg?.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
