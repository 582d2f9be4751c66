import 'dotenv/config';
import path from 'node:path';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { startEmbeddedPostgres } from '../infra/embeddedPostgres';
import { createLogger } from '../logger';
import { reconcile } from '../services/reconcile';

/**
 * `npm run reconcile`: re-derives every balance from receipts and ledger entries and prints each
 * difference. Exit code 0 when everything agrees, 1 when anything differs, 2 when it could not run.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const log = createLogger('warn');
  let url = config.databaseUrl;
  const pg = url ? null : await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), log);
  url = url ?? pg!.url;
  const db = createDb(url);
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
    await pg?.stop();
  }
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(2); });
