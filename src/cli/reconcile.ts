import 'dotenv/config';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { createLogger } from '../logger';
import { LndSender } from '../bitcoin/lndSender';
import { proveReserves, reconcile } from '../services/reconcile';
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
    let code = 0;
    if (diffs.length === 0) {
      console.log('reconcile: every balance agrees with receipts and entries.');
    } else {
      for (const d of diffs) console.log(`DIFFERENCE ${d.kind} ${d.subject}: expected ${d.expected}, found ${d.actual}`);
      console.log(`reconcile: ${diffs.length} difference(s).`);
      code = 1;
    }
    // Proof of reserves (live mode): needs the node's balances, read with the sending macaroon.
    const lnd = config.lnd;
    if (lnd?.payoutMacaroonHex) {
      const proof = await proveReserves(db, new LndSender({ url: lnd.url, macaroonHex: lnd.payoutMacaroonHex, tlsCertPem: lnd.tlsCertPem }));
      console.log(`reserves: platform-held ${proof.liabilities} sats; node ${proof.channelsLocal + proof.walletConfirmed} sats `
        + `(channels ${proof.channelsLocal} + confirmed wallet ${proof.walletConfirmed}); reserve ratio ${proof.ratio ?? 'n/a (nothing held)'}`);
      if (!proof.solvent) {
        console.log('RESERVES BELOW 1: the node holds less than the accounts are owed.');
        code = 1;
      }
    } else if (lnd) {
      console.log('reserves: not checked (set LND_PAYOUT_MACAROON_PATH to read the node\'s balances).');
    }
    return code;
  } finally {
    await db.destroy();
    await database.release();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`reconcile could not run: ${errorMessage(err)}`);
  process.exit(2);
});
