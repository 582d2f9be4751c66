import { extendedKeyMaterial, generateTestAccountKey, parseExtendedPublicKey, type BitcoinNetwork } from '../bitcoin';
import { claimAccountXpub } from '../db/addressOwners';
import { findAccount, insertAccount, merchantAccountIds, updateAccountRow, type AccountRow, type OnchainSettlement } from '../db/accounts';
import { issueKey, keyPrefix, listKeys, revokeKey, type ApiKeyRow } from '../db/apiKeys';
import type { DbOrTx } from '../db/knex';
import { idFromSeed } from '../domain/ids';
import { jsonNumber } from '../domain/money';
import { CheckoutError } from '../domain/errors';
import type { ServiceContext } from './context';

/** An account as the API returns it. */
export function accountView(a: AccountRow) {
  return {
    id: a.id,
    object: 'account',
    name: a.name,
    affiliate: a.affiliate_account_id ? { account: a.affiliate_account_id, percentage: jsonNumber(a.affiliate_percentage) } : null,
    amount_paid_tolerance: jsonNumber(a.amount_paid_tolerance),
    xpub: a.xpub_live,
    onchain_settlement: a.onchain_settlement,
    display_currency: a.display_currency,
    created: Number(a.created),
    modified: Number(a.modified),
  };
}

/** Input of account creation (already validated by the route's schema). */
export interface NewAccount {
  name: string;
  affiliate?: { account: string; percentage: string };
  amount_paid_tolerance?: string;
  xpub?: string;
  onchain_settlement?: OnchainSettlement;
  display_currency?: string;
}

/**
 * Creates a merchant account with a generated test-mode tpub (BIP84, one fresh address per payment)
 * and issues its first test key, shown once. The ID derives from the idempotency seed.
 */
export async function createAccount(ctx: Pick<ServiceContext, 'db' | 'config'>, input: NewAccount, seed: string) {
  const testNetwork: BitcoinNetwork = ctx.config.bitcoinTestNetwork;
  const xpubLive = input.xpub ? checkXpub(input.xpub, ctx.config.bitcoinNetwork) : null;
  if (input.affiliate) {
    const ok = await merchantAccountIds(ctx.db, [input.affiliate.account]);
    if (!ok.has(input.affiliate.account)) throw new CheckoutError('invalid_data', `No such account: '${input.affiliate.account}'`, 'affiliate.account');
  }
  const now = Date.now();
  return ctx.db.transaction(async (tx) => {
    const id = idFromSeed('acct', seed);
    const existed = await findAccount(tx, id);
    const row = existed ?? await insertAccount(tx, {
      id, name: input.name, kind: 'merchant', affiliate_account_id: input.affiliate?.account ?? null,
      affiliate_percentage: input.affiliate?.percentage ?? null, amount_paid_tolerance: input.amount_paid_tolerance ?? '1',
      xpub_live: xpubLive, xpub_test: generateTestAccountKey(testNetwork).tpub, created: String(now), modified: String(now),
      onchain_settlement: settlementFor(input.onchain_settlement ?? 'platform', xpubLive),
      display_currency: input.display_currency ?? 'USD',
    });
    if (xpubLive) await reserveXpub(tx, xpubLive, row.id, now);
    // The key is shown once; a replayed request gets the stored first response instead.
    const { secret: secretKey } = await issueKey(tx, row.id, false, now);
    return { ...accountView(row), secret_key: secretKey };
  });
}

/** The live-mode xpub, checked against BITCOIN_NETWORK (a tpub on mainnet, an xpub on regtest: 400). */
function checkXpub(xpub: string, network: BitcoinNetwork): string {
  try {
    parseExtendedPublicKey(xpub, network);
    return xpub.trim();
  } catch (err) {
    throw new CheckoutError('invalid_data', `Invalid xpub for BITCOIN_NETWORK=${network}: ${(err as Error).message}`, 'xpub');
  }
}

/** `merchant_wallet` settles live on-chain receipts into the account's xpub: it needs one. */
function settlementFor(setting: OnchainSettlement, xpubLive: string | null): OnchainSettlement {
  if (setting === 'merchant_wallet' && !xpubLive) {
    throw new CheckoutError('invalid_data', 'onchain_settlement "merchant_wallet" needs the account\'s live xpub.', 'onchain_settlement');
  }
  return setting;
}

/**
 * Makes `xpub` this account's alone: another account with the same key (in any spelling: xpub/zpub,
 * tpub/vpub) would derive the same addresses, and one merchant's payments would pay the other's sessions.
 */
async function reserveXpub(db: DbOrTx, xpub: string, accountId: string, now: number): Promise<void> {
  if (!(await claimAccountXpub(db, extendedKeyMaterial(xpub), accountId, now))) {
    throw new CheckoutError('invalid_data', 'This xpub (or the same key with another prefix) belongs to another account: '
      + 'each account needs a wallet account of its own, or both would be handed the same addresses.', 'xpub');
  }
}

/** Fields of `POST /accounts/{id}` (already validated by the route's schema). */
export interface AccountUpdate {
  name?: string;
  amount_paid_tolerance?: string;
  xpub?: string | null;
  onchain_settlement?: OnchainSettlement;
  display_currency?: string;
}

/**
 * Updates a merchant account. A new `xpub` is checked against the network like at creation; payments
 * already made keep their addresses, new ones derive from the new key.
 */
export async function updateAccount(ctx: Pick<ServiceContext, 'db' | 'config'>, id: string, input: AccountUpdate) {
  const account = await findAccount(ctx.db, id);
  if (!account || account.kind !== 'merchant') throw CheckoutError.notFound('account', id);
  const changes: Partial<AccountRow> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.amount_paid_tolerance !== undefined) changes.amount_paid_tolerance = input.amount_paid_tolerance;
  if (input.display_currency !== undefined) changes.display_currency = input.display_currency;
  if (input.xpub !== undefined) changes.xpub_live = input.xpub === null ? null : checkXpub(input.xpub, ctx.config.bitcoinNetwork);
  const xpubAfter = changes.xpub_live !== undefined ? changes.xpub_live : account.xpub_live;
  const settlement = input.onchain_settlement ?? account.onchain_settlement;
  // Removing the xpub of an own-wallet account would leave it no on-chain addresses: refuse unless it switches too.
  if (input.onchain_settlement !== undefined || input.xpub !== undefined) {
    changes.onchain_settlement = settlementFor(settlement, xpubAfter);
  }
  const now = Date.now();
  return ctx.db.transaction(async (tx) => {
    if (changes.xpub_live) await reserveXpub(tx, changes.xpub_live, id, now);
    return accountView(await updateAccountRow(tx, id, { ...changes, modified: String(now) }));
  });
}

/** A key as the admin API shows it: its ID and prefix, never the secret or its hash. */
export function apiKeyView(k: ApiKeyRow) {
  return {
    id: k.id, object: 'api_key', account: k.account_id, livemode: k.livemode, prefix: keyPrefix(k.key_hint),
    created: Number(k.created), revoked: k.revoked_at !== null, revoked_at: k.revoked_at === null ? null : Number(k.revoked_at),
  };
}

async function merchantAccount(db: DbOrTx, accountId: string): Promise<AccountRow> {
  const account = await findAccount(db, accountId);
  if (!account || account.kind !== 'merchant') throw CheckoutError.notFound('account', accountId);
  return account;
}

/** Issues another secret key for an account in test or live mode (the secret is in this answer only). */
export async function createKey(db: DbOrTx, accountId: string, livemode: boolean) {
  await merchantAccount(db, accountId);
  const { row, secret } = await issueKey(db, accountId, livemode, Date.now());
  return { ...apiKeyView(row), secret_key: secret };
}

/** An account's keys (prefix only), revoked ones included. */
export async function listAccountKeys(db: DbOrTx, accountId: string) {
  await merchantAccount(db, accountId);
  const keys = await listKeys(db, accountId);
  return { object: 'list', has_more: false, data: keys.map(apiKeyView) };
}

/** Revokes a key: from this moment every request with it is a 401. Revoking twice changes nothing. */
export async function revokeAccountKey(db: DbOrTx, accountId: string, keyId: string) {
  await merchantAccount(db, accountId);
  const row = await revokeKey(db, accountId, keyId, Date.now());
  if (!row) throw CheckoutError.notFound('api key', keyId);
  return apiKeyView(row);
}

/** The platform's fee account and the external counterparty: the ledger needs both to exist. */
export async function ensureSystemAccounts(db: DbOrTx): Promise<void> {
  const now = String(Date.now());
  const base = { affiliate_account_id: null, affiliate_percentage: null, amount_paid_tolerance: '0', xpub_live: null, xpub_test: null,
    onchain_settlement: 'platform' as const, display_currency: 'USD', created: now, modified: now };
  await insertAccount(db, { ...base, id: 'acct_platform', name: 'Platform fees', kind: 'platform' });
  await insertAccount(db, { ...base, id: 'acct_external', name: 'Outside world (chain and Lightning)', kind: 'external' });
}

