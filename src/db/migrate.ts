import type { Knex } from 'knex';
import { Client } from 'pg';
import { connectionStringOf } from './knex';
import * as core from './migrations/001_core';
import * as ledger from './migrations/002_ledger';
import * as webhooks from './migrations/003_webhooks';
import * as links from './migrations/004_links';
import * as watcherCursors from './migrations/005_watcher_cursors';
import * as eventDispatch from './migrations/006_event_dispatch';
import * as receiptSources from './migrations/010_receipt_sources';
import * as apiKeyRevocation from './migrations/011_api_key_revocation';
import * as idempotencyLocks from './migrations/012_idempotency_locks';
import * as chainScan from './migrations/020_chain_scan';
import * as workflowRecovery from './migrations/030_workflow_recovery';
import * as addressReuse from './migrations/031_address_reuse';
import * as accountBalances from './migrations/050_account_balances';
import * as addressOwners from './migrations/060_address_owners';
import * as custody from './migrations/061_custody';
import * as payouts from './migrations/062_payouts';
import * as withdrawalLinks from './migrations/070_withdrawal_links';
import * as refunds from './migrations/071_refunds';
import * as dashboardUsers from './migrations/080_dashboard_users';
import * as webhookSecretRoll from './migrations/085_webhook_secret_roll';
import * as numericBalances from './migrations/086_numeric_balances';
import * as dashboardTwoFactor from './migrations/105_dashboard_two_factor';
import * as accountBranding from './migrations/106_account_branding';
import * as displayCurrency from './migrations/107_account_display_currency';
import * as totpSealing from './migrations/108_totp_secret_sealing';
import * as eventRelayNotify from './migrations/110_event_relay_notify';
import * as metricCounters from './migrations/120_metric_counters';
import * as transferConnections from './migrations/125_transfer_connections';
import * as deliveryAttemptNotify from './migrations/144_delivery_attempt_notify';
import * as webhookCircuits from './migrations/160_webhook_endpoint_circuits';
import * as sessionStoredView from './migrations/161_session_stored_view';
import * as webhookDeliveryWindow from './migrations/166_webhook_delivery_window';
import * as moneyOutWorkflowStarted from './migrations/170_money_out_workflow_started';

/** Migrations in order, loaded statically so they run the same under ts-node, jest and compiled JS. */
const MIGRATIONS: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_core': core,
  '002_ledger': ledger,
  '003_webhooks': webhooks,
  '004_links': links,
  '005_watcher_cursors': watcherCursors,
  '006_event_dispatch': eventDispatch,
  '010_receipt_sources': receiptSources,
  '011_api_key_revocation': apiKeyRevocation,
  '012_idempotency_locks': idempotencyLocks,
  '020_chain_scan': chainScan,
  '030_workflow_recovery': workflowRecovery,
  '031_address_reuse': addressReuse,
  '050_account_balances': accountBalances,
  '060_address_owners': addressOwners,
  '061_custody': custody,
  '062_payouts': payouts,
  '070_withdrawal_links': withdrawalLinks,
  '071_refunds': refunds,
  '080_dashboard_users': dashboardUsers,
  '085_webhook_secret_roll': webhookSecretRoll,
  '086_numeric_balances': numericBalances,
  '105_dashboard_two_factor': dashboardTwoFactor,
  '106_account_branding': accountBranding,
  '107_account_display_currency': displayCurrency,
  '108_totp_secret_sealing': totpSealing,
  '110_event_relay_notify': eventRelayNotify,
  '120_metric_counters': metricCounters,
  '125_transfer_connections': transferConnections,
  '144_delivery_attempt_notify': deliveryAttemptNotify,
  '160_webhook_endpoint_circuits': webhookCircuits,
  '161_session_stored_view': sessionStoredView,
  '166_webhook_delivery_window': webhookDeliveryWindow,
  '170_money_out_workflow_started': moneyOutWorkflowStarted,
};

/** knex's lock table (its default name for the default `knex_migrations`). */
const LOCK_TABLE = 'knex_migrations_lock';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};

// Processes started together (replicas, compose's api/worker/watcher) all migrate at start; they take
// turns, and a lock left by a crashed run still fails, after the wait, with knex's own message
// (`knex migrate:unlock`). knex's lock alone is not enough for that: on a fresh database every run
// makes knex's tables and lock row itself, and two runs doing it at once either fail on the table they
// both create or insert two lock rows, after which knex refuses every run for good ("Migration table is
// already locked": its lock update must touch exactly one row). So a PostgreSQL advisory lock, held on a
// connection of its own (the caller's pool may have a single connection), comes first; knex's lock
// refusal (MigrationLocked) is still waited out for runs of an older version that do not take it.
const LOCK_WAIT_MS = 120_000;
const LOCK_RETRY_MS = 250;
const ADVISORY_LOCK_KEY = "hashtextextended('checkout:migrations', 0)";

const isMigrationLocked = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'MigrationLocked';
const pause = () => new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));

/** Applies every pending migration; processes that run it at once take turns (up to `lockWaitMs`). */
export async function migrateLatest(db: Knex, lockWaitMs = LOCK_WAIT_MS): Promise<string[]> {
  const deadline = Date.now() + lockWaitMs;
  const lock = new Client({ connectionString: connectionStringOf(db) });
  // A connection lost while it idles (during a long migration) must not crash the process as an
  // unhandled 'error' event: it frees the advisory lock, and knex's own lock, held in the migrations'
  // transaction, still keeps a second run out until they commit.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    while (!(await lock.query(`select pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) as taken`)).rows[0].taken) {
      if (Date.now() >= deadline) throw new Error(`another process has been migrating this database for over ${lockWaitMs} ms`);
      await pause();
    }
    await dropDuplicateLockRows(db);
    for (;;) {
      try {
        const [, applied] = await db.migrate.latest({ migrationSource: source });
        return applied as string[];
      } catch (err) {
        if (!isMigrationLocked(err) || Date.now() >= deadline) throw err;
        await pause();
      }
    }
  } finally {
    await lock.end(); // ending the session releases the advisory lock
  }
}

/**
 * Repairs a database left with two knex lock rows by concurrent first runs of an earlier version (knex
 * refuses every run on it): the lowest row stays, with its state. Only ever run under the advisory lock.
 */
async function dropDuplicateLockRows(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable(LOCK_TABLE))) return;
  await db.raw(`delete from ${LOCK_TABLE} where index > (select min(index) from ${LOCK_TABLE})`);
}
