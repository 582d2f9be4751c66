import 'dotenv/config';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { createLogger } from '../logger';
import { reconcile } from '../services/reconcile';
import { operatorDatabase } from './database';
import { errorMessage } from './errorMessage';

/**
 * `npm run reconcile`: re-derives every balance from receipts and ledger entries and prints each
 * difference. Exit code 0 when everything agrees, 1 when anything differs, 2 when it could not run.
 * Beside a running `npm start` it reads that instance's database (see `operatorDatabase`).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const database = await operatorDatabase(config, createLogger('warn'));
  process.stderr.write(`reconcile: reading ${database.source}\n`);
  const db = createDb(database.url);
  try {
    const diffs = await reconcile(db);
    if (diffs.length === 0) {
      console.log('reconcile: every balance agrees with receipts and entries.');
      return 0;
    }
    for (const d of diffs) console.log(`DIFFERENCE ${d.kind} ${d.subject}: expected ${d.expected}, found ${d.actual}`);
    console.log(`reconcile: ${diffs.length} difference(s).`);
    return 1;
  } finally {
    await db.destroy();
    await database.release();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`reconcile could not run: ${errorMessage(err)}`);
  process.exit(2);
});
