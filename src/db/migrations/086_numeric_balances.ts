import type { Knex } from 'knex';

/**
 * Running balances as NUMERIC(40,0) instead of bigint: a bigint tops out at 9.2 × 10^18 sats, which a
 * tenant could reach in test mode (many simulated receipts, each up to 21 M BTC, or the platform's 1 %
 * of every receipt), after which every credit to that account failed for good. 10^40 sats is out of
 * reach of any sum of receipts; pg returns NUMERIC as a string, as it did int8, so no reader changes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table account_balances
    alter column balance type numeric(40,0),
    alter column reserved type numeric(40,0),
    alter column merchant_wallet type numeric(40,0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table account_balances
    alter column balance type bigint,
    alter column reserved type bigint,
    alter column merchant_wallet type bigint`);
}
