import type { DbOrTx } from './knex';

const COUNTERS_TABLE = 'metric_counters';

/** Rows per series: concurrent increments of one series lock different rows most of the time. */
const SHARDS = 8;

/**
 * The business counters (Prometheus counters, `/metrics`): what each counts and its labels. Each is
 * incremented by the repository or activity that writes the transition, in the same transaction and
 * only when the row actually changed, so a retry that finds the work done counts nothing and a rolled
 * back transition is not counted either.
 */
export const COUNTERS = {
  checkout_session_transitions_total: { help: 'Checkout sessions that became paid or deactivated', labels: ['to', 'livemode'] },
  checkout_payment_transitions_total: { help: 'Payments of checkout sessions that became paid, expired or cancelled', labels: ['to', 'livemode'] },
  checkout_receipts_credited_total: { help: 'Receipts (money arrived) credited to their session', labels: ['method', 'livemode'] },
  checkout_receipts_credited_sats_total: { help: 'Sats of the receipts credited', labels: ['method', 'livemode'] },
  checkout_transfers_total: { help: 'Split transfers that were paid or failed', labels: ['outcome'] },
  checkout_payouts_total: { help: 'Payouts that were sent (paid) or failed', labels: ['outcome', 'livemode'] },
  checkout_refunds_total: { help: 'Refunds that reached a final status (succeeded, failed, canceled)', labels: ['outcome', 'livemode'] },
  checkout_webhook_deliveries_total: { help: 'Webhook delivery attempts by outcome (ok, or the error kind)', labels: ['outcome'] },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

export type CounterName = keyof typeof COUNTERS;
type LabelsOf<N extends CounterName> = Record<(typeof COUNTERS)[N]['labels'][number], string | boolean>;

/**
 * Adds `by` to one series of counter `name`, in the caller's transaction: call it exactly where the row
 * change it counts was written (and found changed). The increment holds its shard row's lock until
 * the transaction commits; a rare deadlock between two such transactions fails one, which its activity retries.
 */
export async function incrementCounter<N extends CounterName>(db: DbOrTx, name: N, labels: LabelsOf<N>, by: number | bigint | string = 1): Promise<void> {
  const values = Object.fromEntries(COUNTERS[name].labels.map((l) => [l, String((labels as Record<string, string | boolean>)[l])]));
  await db.raw(
    `insert into ${COUNTERS_TABLE} (name, labels, shard, value) values (?, ?::jsonb, ?, ?)
     on conflict (name, labels, shard) do update set value = ${COUNTERS_TABLE}.value + excluded.value`,
    [name, JSON.stringify(values), Math.floor(Math.random() * SHARDS), String(by)],
  );
}

/** One series of a counter as stored: its labels and its value (a decimal string: sats sums can pass 2^53). */
export interface CounterSeries {
  name: CounterName;
  labels: Record<string, string>;
  value: string;
}

/** Every series of every counter, the shards summed: a read of a small table, cheap enough for each scrape. */
export async function readCounters(db: DbOrTx): Promise<CounterSeries[]> {
  const { rows } = await db.raw(`select name, labels, sum(value)::text as value from ${COUNTERS_TABLE} group by name, labels`);
  return (rows as { name: string; labels: Record<string, string>; value: string }[])
    .filter((r): r is CounterSeries => r.name in COUNTERS);
}
