import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createDb, type Db } from '../../src/db/knex';
import {
  accountBalance, derivedAccountBalance, EXTERNAL_ACCOUNT_ID, NegativeBalanceError, postLedgerTransaction,
} from '../../src/db/ledger';
import { T } from '../../src/db/tables';
import { reconcile } from '../../src/services/reconcile';

// Every test writes inside a transaction it rolls back: the shared database keeps reconciling to nothing.
let db: Db;
beforeAll(() => { db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!); });
afterAll(async () => { await db.destroy(); });

async function inRolledBackTx(fn: (tx: Knex.Transaction) => Promise<void>): Promise<void> {
  const tx = await db.transaction();
  try { await fn(tx); } finally { await tx.rollback(); }
}

async function account(tx: Knex.Transaction): Promise<string> {
  const id = `acct_ledger${randomBytes(6).toString('hex')}`;
  await tx(T.accounts).insert({ id, name: 'Ledger test', created: Date.now(), modified: Date.now() });
  return id;
}

const receive = (tx: Knex.Transaction, key: string, to: string, sats: bigint) => postLedgerTransaction(tx, {
  key, type: 'payment', livemode: false, now: Date.now(),
  entries: [{ accountId: EXTERNAL_ACCOUNT_ID, amount: -sats }, { accountId: to, amount: sats }] });
const move = (tx: Knex.Transaction, key: string, from: string, to: string, sats: bigint) => postLedgerTransaction(tx, {
  key, type: 'transfer', livemode: false, now: Date.now(),
  entries: [{ accountId: from, amount: -sats }, { accountId: to, amount: sats }] });

describe('running balances', () => {
  test('follow every movement in the same statement, equal the sum of the entries, and a retried key moves nothing', async () => {
    await inRolledBackTx(async (tx) => {
      const [shop, partner] = [await account(tx), await account(tx)];
      const key = `test:${shop}`;
      await receive(tx, `${key}:pay`, shop, 10_000n);
      await move(tx, `${key}:split`, shop, partner, 2_475n);
      await move(tx, `${key}:split`, shop, partner, 2_475n); // a retry of the same movement
      expect(await accountBalance(tx, shop, false)).toBe(7_525n);
      expect(await accountBalance(tx, partner, false)).toBe(2_475n);
      expect(await derivedAccountBalance(tx, shop, false)).toBe(7_525n);
      expect(await accountBalance(tx, shop, true)).toBe(0n); // the other mode is untouched
      expect(await tx(T.ledgerEntries).where({ account_id: partner })).toHaveLength(1);
    });
  });

  test('an overdraft is refused by the database and the caller’s transaction keeps nothing of it', async () => {
    let shop = '';
    const tx = await db.transaction();
    try {
      shop = await account(tx);
      const partner = await account(tx);
      await receive(tx, `test:${shop}:pay`, shop, 1_000n);
      await tx.commit();
      const spend = db.transaction((t) => move(t, `test:${shop}:over`, shop, partner, 1_001n));
      await expect(spend).rejects.toThrow(NegativeBalanceError);
      expect(await accountBalance(db, shop, false)).toBe(1_000n);
      expect(await db(T.ledgerTransactions).where({ key: `test:${shop}:over` })).toHaveLength(0);
      // Exactly the balance is allowed.
      await db.transaction((t) => move(t, `test:${shop}:all`, shop, partner, 1_000n));
      expect(await accountBalance(db, shop, false)).toBe(0n);
      expect(await accountBalance(db, partner, false)).toBe(1_000n);
    } finally {
      // Undo the committed rows so the shared database still reconciles.
      const txns = db(T.ledgerTransactions).select('id').where('key', 'like', `test:${shop}:%`);
      await db(T.ledgerEntries).whereIn('txn_id', txns).delete();
      await db(T.ledgerTransactions).where('key', 'like', `test:${shop}:%`).delete();
      await db(T.accountBalances).where('account_id', 'like', 'acct_ledger%').delete();
      await db(T.accounts).where('id', 'like', 'acct_ledger%').delete();
    }
  });

  test('concurrent movements between the same accounts, both directions, queue on the balance rows instead of deadlocking', async () => {
    const prefix = `test:conc${randomBytes(4).toString('hex')}`;
    let a = '';
    let b = '';
    try {
      await db.transaction(async (tx) => {
        [a, b] = [await account(tx), await account(tx)];
        await receive(tx, `${prefix}:pay-a`, a, 1_000n);
        await receive(tx, `${prefix}:pay-b`, b, 1_000n);
      });
      const moves = Array.from({ length: 40 }, (_, i) => db.transaction((tx) => (i % 2 === 0
        ? move(tx, `${prefix}:m${i}`, a, b, 7n) : move(tx, `${prefix}:m${i}`, b, a, 5n))));
      const outcomes = await Promise.allSettled(moves);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(await accountBalance(db, a, false)).toBe(1_000n - 20n * 7n + 20n * 5n);
      expect(await accountBalance(db, b, false)).toBe(1_000n + 20n * 7n - 20n * 5n);
      expect(await derivedAccountBalance(db, a, false)).toBe(1_000n - 20n * 7n + 20n * 5n);
    } finally {
      const txns = db(T.ledgerTransactions).select('id').where('key', 'like', `${prefix}:%`);
      await db(T.ledgerEntries).whereIn('txn_id', txns).delete();
      await db(T.ledgerTransactions).where('key', 'like', `${prefix}:%`).delete();
      await db(T.accountBalances).whereIn('account_id', [a, b]).delete();
      await db(T.accounts).whereIn('id', [a, b]).delete();
    }
  });

  test('the CHECK holds for any write, not only for postLedgerTransaction', async () => {
    await inRolledBackTx(async (tx) => {
      const shop = await account(tx);
      await receive(tx, `test:${shop}:pay`, shop, 5n);
      await expect(tx(T.accountBalances).where({ account_id: shop }).update({ balance: -1 }))
        .rejects.toMatchObject({ code: '23514', constraint: 'account_balances_non_negative' });
    });
  });

  test('reconcile re-derives every running balance from the entries and reports one that disagrees', async () => {
    await inRolledBackTx(async (tx) => {
      const shop = await account(tx);
      await receive(tx, `test:${shop}:pay`, shop, 3_000n);
      const before = (await reconcile(tx)).filter((d) => d.kind === 'running_balance');
      expect(before).toEqual([]);
      await tx(T.accountBalances).where({ account_id: shop, livemode: false }).increment('balance', 1);
      const after = (await reconcile(tx)).filter((d) => d.kind === 'running_balance');
      expect(after).toEqual([{ kind: 'running_balance', subject: `${shop}:false`, expected: '3000', actual: '3001' }]);
    });
  });
});
