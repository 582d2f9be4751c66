/**
 * An on-chain address belongs to exactly one account and mode (one session): two accounts may not hold
 * the same extended key in any spelling, the database refuses a payment on another session's address,
 * and the watcher credits money on an address to the session that owns it, never to another account's.
 */
import { randomBytes } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { findPaymentByChainTarget } from '../../src/db/payments';
import { insertReceipt } from '../../src/db/receipts';
import { T } from '../../src/db/tables';
import { watcherContext } from '../../src/watcher/context';
import { ingestReceipt } from '../../src/watcher/ingest';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();

const base58check = createBase58check(sha256);
/** A fresh mainnet BIP84 account key (m/84'/0'/0'), as xpub. */
const freshXpub = () => HDKey.fromMasterSeed(randomBytes(32)).derive("m/84'/0'/0'").publicExtendedKey;
/** The same key with another SLIP-132 version (zpub: 0x04b24746): other text, the same addresses. */
function respell(xpub: string, version: number): string {
  const payload = Uint8Array.from(base58check.decode(xpub));
  new DataView(payload.buffer).setUint32(0, version, false);
  return base58check.encode(payload);
}
const ZPUB = 0x04b24746;
const admin = (method: string, route: string, body?: unknown) => call(sys.baseUrl, ADMIN_KEY, method, route, body);
const liveKey = async (accountId: string) => (await admin('POST', `/accounts/${accountId}/keys`, { livemode: true })).body.secret_key as string;
const liveSession = async (key: string, amount = 50_000) =>
  (await call(sys.baseUrl, key, 'POST', '/checkout-sessions', { currency: 'SATS', amount, payment_methods: ['onchain'] }).then((r) => { if (r.status !== 200) throw new Error(JSON.stringify(r.body)); return r; })).body;

describe('one extended key, one account', () => {
  test('a second account with the same key is a 400 naming xpub, whether spelled xpub or zpub', async () => {
    const xpub = freshXpub();
    const first = await admin('POST', '/accounts', { name: 'Shop X', xpub });
    expect(first.status).toBe(200);
    for (const spelling of [xpub, respell(xpub, ZPUB), ` ${xpub} `]) {
      const second = await admin('POST', '/accounts', { name: 'Shop Y', xpub: spelling });
      expect(second.status).toBe(400);
      expect(second.body.errors[0]).toMatchObject({ param: 'xpub', message: expect.stringMatching(/another account/) });
    }
    // The refused creations made no account.
    expect(await sys.db(T.accounts).where({ name: 'Shop Y' }).whereIn('xpub_live', [xpub, respell(xpub, ZPUB)])).toHaveLength(0);
  });

  test('an update to another account\'s key is a 400 naming xpub; a key once used stays its account\'s', async () => {
    const xpubX = freshXpub();
    const x = (await admin('POST', '/accounts', { name: 'Shop X', xpub: xpubX })).body;
    const y = (await admin('POST', '/accounts', { name: 'Shop Y', xpub: freshXpub() })).body;
    const taken = await admin('POST', `/accounts/${y.id}`, { xpub: respell(xpubX, ZPUB) });
    expect(taken.status).toBe(400);
    expect(taken.body.errors[0].param).toBe('xpub');
    expect((await admin('GET', `/accounts/${y.id}`)).body.xpub).not.toBe(xpubX);

    // X moves to a new key and back to its own old one (in zpub spelling): both fine.
    expect((await admin('POST', `/accounts/${x.id}`, { xpub: freshXpub() })).status).toBe(200);
    expect((await admin('POST', `/accounts/${x.id}`, { xpub: respell(xpubX, ZPUB) })).status).toBe(200);
    // X's former key stays X's: its addresses were handed out under X.
    expect((await admin('POST', `/accounts/${x.id}`, { xpub: '' })).status).toBe(200);
    expect((await admin('POST', `/accounts/${y.id}`, { xpub: xpubX })).status).toBe(400);
  });
});

describe('one address, one session', () => {
  /** Two accounts holding one key, as before keys were unique (written straight into the database). */
  async function twoAccountsOneKey() {
    const xpub = freshXpub();
    // On-chain money to the merchants' own wallets (the addresses derive from their xpubs).
    const x = await createMerchant(sys.baseUrl, { name: 'Shop X', xpub, onchain_settlement: 'merchant_wallet' });
    const y = await createMerchant(sys.baseUrl, { name: 'Shop Y' });
    await sys.db(T.accounts).where({ id: y.id }).update({ xpub_live: respell(xpub, ZPUB), onchain_settlement: 'merchant_wallet' });
    return { x: { ...x, live: await liveKey(x.id) }, y: { ...y, live: await liveKey(y.id) } };
  }

  test('an account sharing a key never gets an address another session owns, and money there pays only that session', async () => {
    const { x, y } = await twoAccountsOneKey();
    const csX = await liveSession(x.live);
    const csY = await liveSession(y.live);
    const payX = await sys.db(T.payments).where({ id: csX.payment_id }).first();
    const payY = await sys.db(T.payments).where({ id: csY.payment_id }).first();
    // Both accounts start at index 0 of one key: Y skips the address X's session owns.
    expect(payX.address_index).toBe(0);
    expect(payY.onchain_address).not.toBe(payX.onchain_address);
    expect(payY.address_index).toBe(1);

    const paid = await ingestReceipt(watcherContext(sys.ctx), {
      address: payX.onchain_address, reference: `${randomBytes(32).toString('hex')}:0`, method: 'onchain', amountSats: 50_000n,
    });
    expect(paid?.receipt?.payment_id).toBe(csX.payment_id);
    const sessionX = await waitFor(() => call(sys.baseUrl, x.live, 'GET', `/checkout-sessions/${csX.id}`), (r) => r.body.status === 'paid');
    expect(sessionX.body).toMatchObject({ status: 'paid', target_amount_paid: 50_000 });
    expect((await call(sys.baseUrl, y.live, 'GET', `/checkout-sessions/${csY.id}`)).body).toMatchObject({ status: 'active', target_amount_paid: null });
  });

  test('the database refuses a payment on an address another session owns', async () => {
    const { x, y } = await twoAccountsOneKey();
    const csX = await liveSession(x.live);
    const csY = await liveSession(y.live);
    const payX = await sys.db(T.payments).where({ id: csX.payment_id }).first();
    await expect(sys.db(T.payments).where({ id: csY.payment_id }).update({ onchain_address: payX.onchain_address }))
      .rejects.toThrow(/payments_address_owner/);
  });

  test('a payment that shared its address before addresses had owners is never matched; the conflict is logged once', async () => {
    const { x, y } = await twoAccountsOneKey();
    const csX = await liveSession(x.live, 40_000);
    const csY = await liveSession(y.live, 40_000);
    const payX = await sys.db(T.payments).where({ id: csX.payment_id }).first();
    const errors: unknown[] = [];
    const ctx = watcherContext(sys.ctx);
    const log = new Proxy(ctx.log, { get: (target, prop) => (prop === 'error' ? (o: unknown) => errors.push(o) : Reflect.get(target, prop)) });
    const reference = `${randomBytes(32).toString('hex')}:1`;
    const observed = { address: payX.onchain_address, reference, method: 'onchain' as const, amountSats: 40_000n };
    // Inside a transaction rolled back at the end: the shared database keeps one session per address.
    await sys.db.transaction(async (tx) => {
      // As data from before this rule: Y's payment on X's address (the foreign key is not validated on old rows)…
      await tx.raw('set local session_replication_role = replica');
      await tx(T.payments).where({ id: csY.payment_id }).update({ onchain_address: payX.onchain_address });
      await tx.raw('set local session_replication_role = origin');
      expect(await tx(T.payments).where({ onchain_address: payX.onchain_address })).toHaveLength(2);
      // …is never what the address finds: the owner's session is.
      expect((await findPaymentByChainTarget(tx, { address: payX.onchain_address }))?.id).toBe(csX.payment_id);
      // The money already recorded for Y's payment (as the shared lookup once did): every poll is a conflict, alerted once.
      await insertReceipt(tx, {
        id: `rcpt_${randomBytes(8).toString('hex')}`, reference, source: 'onchain', payment_id: csY.payment_id, checkout_session_id: csY.id,
        account_id: y.id, livemode: true, method: 'onchain', amount_sats: '40000', created: String(Date.now()),
      });
      for (let poll = 0; poll < 3; poll++) expect(await ingestReceipt({ ...ctx, db: tx as never, log }, observed)).toMatchObject({ conflict: true });
      expect(errors).toHaveLength(1);
      expect(await tx(T.receiptConflicts).where({ reference })).toEqual([expect.objectContaining({ payment_id: csX.payment_id, stored_payment_id: csY.payment_id })]);
      await tx.rollback();
    }).catch((err) => { if (err) throw err; });
  });
});
