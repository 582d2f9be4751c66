import type { PaymentRow } from '../db/payments';
import type { SessionRow } from '../db/sessions';
import { restoreSessionView, storeSessionView } from '../db/sessionView';
import type { DbOrTx } from '../db/knex';
import { checkoutSessionView } from './checkoutSession';

/**
 * A session's API object as stored in `checkout_sessions.view_json` (migration 161): exactly the JSON
 * `res.json(checkoutSessionView(row, funded, publicUrl))` sends, rendered with an empty public URL so the
 * stored text does not depend on a deployment's configuration; `servedSessionView` puts the URL in.
 * The object depends only on the row and its funded payments, never on the time it is read (a read
 * shows an expired payment as the row has it: no renewal), so a text rendered at the last write is the
 * object a read renders, byte for byte (test/api/storedSessionView.test.ts).
 */
export function storedSessionView(row: SessionRow, funded: PaymentRow[]): string {
  return JSON.stringify(checkoutSessionView(row, funded, ''));
}

/**
 * The response body for a stored text: its `default_url` and `url` (`/pay/{id}`, the fifth and sixth
 * fields, after four that carry no merchant input) get the public URL in front. Undefined when the text
 * is not the stored object of session `id` (then the caller renders from the row).
 */
export function servedSessionView(stored: string, id: string, publicUrl: string): string | undefined {
  const head = `{"id":${JSON.stringify(id)},"object":"checkout_session","livemode":`;
  if (!stored.startsWith(head)) return undefined;
  const path = JSON.stringify(`/pay/${id}`);
  const urls = `,"default_url":${path},"url":${path},`;
  const at = stored.indexOf(',"default_url":', head.length);
  if (at < 0 || !stored.startsWith(urls, at)) return undefined;
  if (publicUrl === '') return stored;
  const url = JSON.stringify(`${publicUrl}/pay/${id}`);
  return `${stored.slice(0, at)},"default_url":${url},"url":${url},${stored.slice(at + urls.length)}`;
}

/**
 * Renders and stores the object of a session whose row `row` (with its funded payments `funded`, read
 * after the row's write) this transaction just wrote and still holds locked.
 */
export async function storeRenderedSessionView(tx: DbOrTx, row: SessionRow, funded: PaymentRow[]): Promise<void> {
  await storeSessionView(tx, row.id, storedSessionView(row, funded));
}

/** Renders and stores the object of session `id` inside a transaction that changed (or is about to commit a change to) it. */
export async function refreshSessionView(tx: DbOrTx, id: string): Promise<void> {
  await restoreSessionView(tx, id, storedSessionView);
}
