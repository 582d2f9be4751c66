import { jsonNumber } from '../domain/money';
import type { LinkRow } from '../db/links';
import type { PaymentRow } from '../db/payments';
import type { SessionRow } from '../db/sessions';
import { sessionFieldsView } from './sessionFields';

/** Status a link shows: a checkout link follows its one session unless the link itself was deactivated. */
export function linkStatus(row: LinkRow, session?: Pick<SessionRow, 'status'>): 'active' | 'paid' | 'deactivated' {
  if (row.status === 'deactivated' || row.kind === 'payment') return row.status;
  return session?.status ?? 'active';
}

/** The public URL of a link: `/c/{clink}` opens its session, `/p/{plink}` opens a new one per visit. */
export function linkUrl(row: Pick<LinkRow, 'id' | 'kind'>, publicUrl: string): string {
  return `${publicUrl}/${row.kind === 'checkout' ? 'c' : 'p'}/${row.id}`;
}

/**
 * A checkout link (`checkout.link`) or payment link (`payment.link`) as the API returns it: Speed's
 * link object, echoing the session fields the merchant gave. Defaults that depend on the account or
 * the moment (tolerance, ttl) stay null here and are fixed on each session.
 */
export function linkView(row: LinkRow, publicUrl: string, session?: SessionRow, funded: PaymentRow[] = []) {
  const f = row.definition as Record<string, any>;
  return {
    id: row.id,
    object: row.kind === 'checkout' ? 'checkout.link' : 'payment.link',
    livemode: row.livemode,
    status: linkStatus(row, session),
    url: linkUrl(row, publicUrl),
    ...(row.kind === 'checkout' ? { checkout_session: row.checkout_session_id, payment_id: funded.map((p) => p.id) } : {}),
    currency: f.currency,
    amount: f.amount ?? null,
    target_currency: 'SATS',
    ttl: f.ttl ?? null,
    payment_methods: f.payment_methods ?? ['lightning', 'onchain'],
    ...sessionFieldsView(f),
    amount_paid_tolerance: f.amount_paid_tolerance === undefined ? null : jsonNumber(String(f.amount_paid_tolerance)),
    customer_collections_status: f.customer_collections_status ?? {
      is_phone_enabled: false, is_email_enabled: false, is_billing_address_enabled: false, is_shipping_address_enabled: false,
    },
    transfers: (f.transfers ?? []).map((t: Record<string, unknown>) => ({ ...t, percentage: jsonNumber(String(t.percentage)), description: t.description ?? null })),
    created: Number(row.created),
    modified: Number(row.modified),
  };
}

/** A link object as the API returns it. */
export type LinkView = ReturnType<typeof linkView>;
