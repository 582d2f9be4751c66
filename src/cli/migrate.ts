import 'dotenv/config';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { migrateLatest } from '../db/migrate';
import { createLogger } from '../logger';
import { operatorDatabase } from './database';
import { errorMessage } from './errorMessage';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database (the one a
 * running `npm start` holds, else started for this run; see `operatorDatabase`).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await operatorDatabase(config, createLogger('warn'));
  process.stderr.write(`migrate: using ${database.source}\n`);
  const db = createDb(database.url);
  try {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.destroy();
    await database.release();
  }
}

main().catch((err: unknown) => {
  console.error(`migrate failed: ${errorMessage(err)}`);
  process.exit(1);
});
