import type { Knex } from 'knex';

/**
 * Payouts (Speed's instant send, `is_…`): money out of an account's platform-held balance to a BOLT11
 * invoice, a Lightning Address, an LNURL-pay or an on-chain address. The row is inserted in the same
 * transaction that reserves `reserved_amount` (amount + fee limit) on the account (src/db/funds.ts); its
 * status moves only from `unpaid`, in the transaction that settles or releases that reservation.
 * `payment_hash` (Lightning) is unique per mode: the node dedupes a hash, so two payouts of one invoice
 * could never both be paid. `txid` + `raw_tx` (on-chain) are recorded before the broadcast.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payouts', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.string('status').notNullable(); // unpaid | paid | failed
    t.string('withdraw_method').notNullable(); // lightning | onchain
    t.string('withdraw_type').notNullable(); // bolt11 | lightning_address | lnurl | onchain_address
    t.text('withdraw_request').notNullable();
    t.text('payment_request'); // the BOLT11 paid (resolved from an address / LNURL)
    t.string('payment_hash');
    t.string('onchain_address');
    t.string('currency').notNullable();
    t.decimal('amount', 30, 8).notNullable();
    t.string('exchange_rate').notNullable();
    t.bigInteger('target_amount').notNullable(); // sats sent to the destination
    t.bigInteger('fee_limit').notNullable(); // network fee reserved with it
    t.bigInteger('reserved_amount').notNullable();
    t.bigInteger('fee'); // network fee actually paid, once paid
    t.string('txid');
    t.text('raw_tx');
    t.string('failure_reason');
    t.text('note');
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'created', 'id']);
  });
  await knex.raw(`create unique index payouts_payment_hash on payouts (livemode, payment_hash) where payment_hash is not null`);
  await knex.raw(`alter table payouts add constraint payouts_status check (status in ('unpaid', 'paid', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('payouts');
}
