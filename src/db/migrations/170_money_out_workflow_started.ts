import type { Knex } from 'knex';

/**
 * When Temporal confirmed a money-out row's workflow (docs/payouts.md "If a workflow never started").
 * A payout, refund or withdrawal link is recorded and its money reserved in one transaction; its workflow
 * is started after the commit. `workflow_started_at` is set once that start succeeded (or found the
 * workflow already there). A row whose start failed (Temporal unreachable) keeps it null, and the
 * money-out starter (src/services/moneyOutStarter.ts) starts it later: a reservation never waits on a
 * client's retry. Rows already ended are marked; rows still open are left null, so the starter confirms
 * their workflows once (a start of a running workflow is a no-op).
 */
const TABLES = [
  { table: 'payouts', open: ['unpaid'] },
  { table: 'refunds', open: ['pending'] },
  { table: 'withdrawal_links', open: ['active', 'processing'] },
];

export async function up(knex: Knex): Promise<void> {
  for (const { table, open } of TABLES) {
    await knex.raw(`alter table ?? add column workflow_started_at bigint`, [table]);
    await knex(table).whereNotIn('status', open).update({ workflow_started_at: knex.ref('created') });
    // The starter reads only the unmarked rows: a partial index stays as small as the rows awaiting a start.
    await knex.raw(`create index ?? on ?? (created) where workflow_started_at is null`, [`${table}_workflow_unstarted`, table]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { table } of TABLES) {
    await knex.raw('drop index if exists ??', [`${table}_workflow_unstarted`]);
    await knex.raw('alter table ?? drop column if exists workflow_started_at', [table]);
  }
}
