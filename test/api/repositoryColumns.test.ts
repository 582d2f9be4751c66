import { DEBT_COLUMNS } from '../../src/db/debts';
import { CHAIN_OUTPUT_COLUMNS } from '../../src/db/chainScan';
import { EVENT_COLUMNS } from '../../src/db/events';
import { IDEMPOTENCY_COLUMNS } from '../../src/db/idempotency';
import { createDb, type Db } from '../../src/db/knex';
import { LINK_COLUMNS } from '../../src/db/links';
import { PAYMENT_COLUMNS } from '../../src/db/payments';
import { PAYOUT_COLUMNS } from '../../src/db/payouts';
import { RECEIPT_COLUMNS } from '../../src/db/receipts';
import { REFUND_COLUMNS } from '../../src/db/refunds';
import { SESSION_ROW_COLUMNS } from '../../src/db/sessions';
import { STORED_VIEW_COLUMN } from '../../src/db/sessionView';
import { TRANSFER_CONNECTION_COLUMNS } from '../../src/db/transferConnections';
import { TRANSFER_COLUMNS } from '../../src/db/transfers';
import { CIRCUIT_COLUMNS } from '../../src/db/webhookCircuits';
import { WITHDRAWAL_LINK_COLUMNS } from '../../src/db/withdrawalLinks';

/**
 * Each repository lists its table's columns once (src/db/columns.ts) and selects and returns only
 * those. The lists are checked against the row types by the compiler and against the migrated
 * database here: a column a migration adds must be taken up by its repository, and no list may name a
 * column the table does not have. The sessions' stored object is read only by its own statements
 * (src/db/sessionView.ts), never as part of a row.
 */
const lists: Record<string, readonly string[]> = {
  checkout_sessions: [...SESSION_ROW_COLUMNS, STORED_VIEW_COLUMN], payments: PAYMENT_COLUMNS, receipts: RECEIPT_COLUMNS, events: EVENT_COLUMNS,
  transfers: TRANSFER_COLUMNS, account_debts: DEBT_COLUMNS, idempotency_keys: IDEMPOTENCY_COLUMNS, links: LINK_COLUMNS,
  payouts: PAYOUT_COLUMNS, refunds: REFUND_COLUMNS, withdrawal_links: WITHDRAWAL_LINK_COLUMNS, chain_outputs: CHAIN_OUTPUT_COLUMNS,
  transfer_connections: TRANSFER_CONNECTION_COLUMNS, webhook_endpoint_circuits: CIRCUIT_COLUMNS,
};

let db: Db;
beforeAll(() => { db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 1 }); });
afterAll(() => db.destroy());

test.each(Object.keys(lists).map((table) => [table]))('the repository of %s lists exactly its columns', async (table) => {
  const rows: { column_name: string }[] = await db('information_schema.columns').select('column_name')
    .where({ table_schema: 'public', table_name: table });
  expect([...lists[table]].sort()).toEqual(rows.map((r) => r.column_name).sort());
});
