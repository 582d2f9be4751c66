import type { Knex } from 'knex';

/**
 * Custody: every ledger entry says where its sats physically are, and an account's running balance is
 * split into what the platform holds (withdrawable) and what settled straight into the merchant's own
 * wallet (`merchant_wallet`, information only: the platform can never move it).
 *
 * - `accounts.onchain_settlement`: `platform` (live on-chain addresses from the platform node's wallet)
 *   or `merchant_wallet` (addresses of the merchant's xpub). Accounts that already have a live xpub
 *   keep their addresses and become `merchant_wallet`; every other account is `platform`.
 * - `ledger_entries.custody`: `platform_channels`, `platform_wallet`, `platform` (pooled platform money
 *   moved between accounts when its rail is not determined, e.g. a debt recovery) or `merchant_wallet`.
 *   Existing entries take the rail of their receipt.
 * - `account_balances.reserved`: held by payouts in flight; `merchant_wallet`: settled to the merchant.
 * - `account_debts`: what a merchant_wallet receipt owes (fees, transfers) and its platform-held money
 *   did not cover yet; recovered from the debtor's next platform-held money.
 *
 * Existing ledgers: a live on-chain receipt of an xpub account was credited as if the platform held it.
 * It did not, so its gross is moved from the merchant's platform-held balance to its wallet by a
 * `custody_correction`; what that balance cannot cover (fees and transfers already paid out of it)
 * becomes a debt of the merchant, recovered like any other.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table accounts add column onchain_settlement varchar(20) not null default 'platform'
    check (onchain_settlement in ('platform', 'merchant_wallet'))`);
  await knex.raw(`update accounts set onchain_settlement = 'merchant_wallet' where xpub_live is not null`);

  await knex.raw(`alter table ledger_entries add column custody varchar(20) not null default 'platform'
    check (custody in ('platform_channels', 'platform_wallet', 'platform', 'merchant_wallet'))`);
  await knex.raw(`update ledger_entries e set custody = case r.method when 'lightning' then 'platform_channels' else 'platform_wallet' end
    from ledger_transactions t join receipts r on r.id = t.receipt_id where t.id = e.txn_id`);

  await knex.raw(`alter table account_balances
    add column reserved bigint not null default 0,
    add column merchant_wallet bigint not null default 0,
    add constraint account_balances_reserved_covered check (reserved >= 0 and reserved <= balance)`);

  await knex.schema.createTable('account_debts', (t) => {
    t.string('id').primary();
    t.string('key').notNullable().unique();
    t.string('debtor_account_id').notNullable().references('accounts.id');
    // The platform-held account the recovered sats go to; the debtor itself for a custody correction.
    t.string('creditor_account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.string('kind').notNullable(); // platform_fee | affiliate_fee | transfer | custody_correction
    t.string('receipt_id');
    t.string('transfer_id');
    t.string('checkout_session_id');
    // Order within one receipt: platform fee, affiliate fee, then transfers in array order.
    t.integer('position').notNullable().defaultTo(0);
    t.bigInteger('amount').notNullable();
    t.bigInteger('recovered').notNullable().defaultTo(0);
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.check('recovered >= 0 and recovered <= amount', [], 'account_debts_recovered_in_range');
  });
  await knex.raw(`create index account_debts_open on account_debts (debtor_account_id, livemode, created, position, id) where recovered < amount`);
  await knex.raw('create unique index account_debts_transfer on account_debts (transfer_id) where transfer_id is not null');

  await correctExistingCustody(knex);
}

async function correctExistingCustody(knex: Knex): Promise<void> {
  const now = Date.now();
  const receipts: { id: string; account_id: string; amount_sats: string; checkout_session_id: string }[] = await knex('receipts as r')
    .join('accounts as a', 'a.id', 'r.account_id')
    .select('r.id', 'r.account_id', 'r.amount_sats', 'r.checkout_session_id')
    .where({ 'r.livemode': true, 'r.method': 'onchain', 'r.status': 'credited', 'a.onchain_settlement': 'merchant_wallet' })
    .orderBy([{ column: 'r.created' }, { column: 'r.id' }]);
  for (const r of receipts) {
    const gross = BigInt(r.amount_sats);
    const row = await knex('account_balances').where({ account_id: r.account_id, livemode: true }).first('balance');
    const held = BigInt(row?.balance ?? 0);
    const moved = held < gross ? held : gross;
    const txnId = `txn_custody_${r.id}`;
    if (moved > 0n) {
      await knex('ledger_transactions').insert({ id: txnId, key: `${r.id}:custody_correction`, type: 'custody_correction', livemode: true,
        receipt_id: r.id, checkout_session_id: r.checkout_session_id, description: 'Settled to the merchant wallet (custody correction)', created: now });
      await knex('ledger_entries').insert([
        { txn_id: txnId, account_id: r.account_id, livemode: true, amount: (-moved).toString(), custody: 'platform_wallet', created: now },
        { txn_id: txnId, account_id: r.account_id, livemode: true, amount: moved.toString(), custody: 'merchant_wallet', created: now },
      ]);
      await knex('account_balances').where({ account_id: r.account_id, livemode: true })
        .update({ balance: knex.raw('balance - ?', [moved.toString()]), merchant_wallet: knex.raw('merchant_wallet + ?', [moved.toString()]) });
    }
    if (moved < gross) {
      await knex('account_debts').insert({ id: `debt_custody_${r.id}`, key: `${r.id}:custody_correction`, debtor_account_id: r.account_id,
        creditor_account_id: r.account_id, livemode: true, kind: 'custody_correction', receipt_id: r.id, checkout_session_id: r.checkout_session_id,
        amount: (gross - moved).toString(), recovered: 0, created: now, modified: now });
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_debts');
  await knex.raw('alter table account_balances drop constraint account_balances_reserved_covered, drop column reserved, drop column merchant_wallet');
  await knex.raw('alter table ledger_entries drop column custody');
  await knex.raw('alter table accounts drop column onchain_settlement');
}
