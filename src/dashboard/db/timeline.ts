import type { DbOrTx } from '../../db/knex';
import type { Scope } from '../../db/sessions';
import { REFUNDS } from '../../db/refunds';
import { T } from '../../db/tables';

/**
 * Everything that happened to one session, for its timeline page: every payment (invoice, address,
 * rate, expiry), every receipt, the transfers it paid, its refunds, its events (of the session, its
 * payments, transfers and refunds) and their webhook deliveries. Six statements whatever the session's size; each is scoped
 * to the account and mode as well as the session (the session was already found in that scope).
 */
export async function sessionTimeline(db: DbOrTx, sessionId: string, scope: Scope) {
  const own = { account_id: scope.accountId, livemode: scope.livemode, checkout_session_id: sessionId };
  const [payments, receipts, transfers, refunds] = await Promise.all([
    db(T.payments).where(own).select('id', 'seq', 'status', 'currency', 'amount', 'exchange_rate', 'target_amount', 'payment_request',
      'payment_hash', 'onchain_address', 'received_sats', 'expires_at', 'created').orderBy('seq'),
    db(T.receipts).where(own).select('id', 'reference', 'source', 'payment_id', 'method', 'amount_sats', 'status', 'flag', 'created', 'credited_at')
      .orderBy([{ column: 'created' }, { column: 'id' }]),
    db(T.transfers).where({ checkout_session_id: sessionId, source_account_id: scope.accountId, livemode: scope.livemode })
      .select('id', 'receipt_id', 'destination_account_id', 'amount', 'percentage', 'status', 'failure_reason', 'created').orderBy([{ column: 'created' }, { column: 'index' }]),
    db(REFUNDS).where(own).select('id', 'type', 'status', 'currency', 'amount', 'target_amount', 'fee', 'withdrawal_link_id', 'failure_reason', 'created')
      .orderBy([{ column: 'created' }, { column: 'id' }]),
  ]);
  const objectIds = [sessionId, ...payments.map((p) => p.id as string), ...transfers.map((t) => t.id as string), ...refunds.map((r) => r.id as string)];
  const events = await db(T.events).where({ account_id: scope.accountId, livemode: scope.livemode }).whereIn('object_id', objectIds)
    .select('id', 'event_type', 'object_id', 'created', 'seq').orderBy('seq');
  const deliveries = events.length === 0 ? [] : await db(T.webhookDeliveries)
    .whereIn('endpoint_id', db(T.webhookEndpoints).select('id').where({ account_id: scope.accountId, livemode: scope.livemode }))
    .whereIn('event_id', events.map((e) => e.id as string))
    .select('id', 'endpoint_id', 'event_id', 'attempt', 'ok', 'http_status', 'error', 'created').orderBy([{ column: 'created' }, { column: 'id' }]);
  return { payments, receipts, transfers, refunds, events, deliveries };
}
