import { NotFoundError } from '../api/errors';
import { findAccount } from '../db/accounts';
import { findBranding } from '../db/branding';
import { findPayment, type PaymentRow } from '../db/payments';
import { findSession, type SessionRow } from '../db/sessions';
import { jsonNumber, normalizeDecimal } from '../domain/money';
import type { ServiceContext } from '../services/context';
import { renewIfExpired } from '../services/renewal';
import { pageBrand, type PageBrand } from './brand';

/** A custom field of a session as the page asks it. */
export interface CustomField {
  id: string;
  type: 'text' | 'number' | 'dropdown';
  label: string;
  options?: string[];
  is_optional: boolean;
}

/** The session fields the page uses, typed (the stored definition is the validated create request). */
export interface PageFields {
  type: 'fixed' | 'options' | 'preset';
  options?: number[];
  preset?: { min_amount: number; max_amount: number };
  payment_methods: ('lightning' | 'onchain')[];
  title?: string | null;
  title_description?: string | null;
  title_image?: string | null;
  description?: string | null;
  success_url?: string | null;
  success_message?: string | null;
  cancel_url?: string | null;
  customer_collections_status: {
    is_email_enabled: boolean; is_phone_enabled: boolean; is_billing_address_enabled: boolean; is_shipping_address_enabled: boolean;
  };
  custom_fields: CustomField[];
}

/** Everything one render of `/pay/{cs}` needs, read in one place. */
export interface PageModel {
  session: SessionRow;
  fields: PageFields;
  merchantName: string;
  /** The merchant's logo and accent colour (Settings in the dashboard). */
  brand: PageBrand;
  /** Base-currency amount (decimal string), null until the customer picks one. */
  amount: string | null;
  payment: PaymentRow | null;
  detailsRequired: boolean;
  detailsGiven: boolean;
}

/** Reads a session for its public page; unknown IDs are 404 (the page never says whose they are). */
export async function loadPageModel(ctx: ServiceContext, sessionId: string): Promise<PageModel> {
  let session = await findSession(ctx.db, sessionId);
  if (!session) throw new NotFoundError('checkout session', sessionId);
  // The page is open, so someone can pay: an expired payment is renewed now (and only now).
  if (await renewIfExpired(ctx, session)) session = (await findSession(ctx.db, sessionId)) ?? session;
  const fields = session.definition as unknown as PageFields;
  const [account, branding] = await Promise.all([findAccount(ctx.db, session.account_id), findBranding(ctx.db, session.account_id)]);
  const payment = session.payment_id ? (await findPayment(ctx.db, session.payment_id)) ?? null : null;
  const c = fields.customer_collections_status;
  const detailsRequired = c.is_email_enabled || c.is_phone_enabled || c.is_billing_address_enabled
    || c.is_shipping_address_enabled || fields.custom_fields.length > 0;
  return {
    session, fields, merchantName: account?.name ?? 'Merchant', brand: pageBrand(branding, account?.name ?? 'Merchant'),
    amount: session.amount === null ? null : normalizeDecimal(session.amount),
    payment, detailsRequired, detailsGiven: session.customer_details !== null,
  };
}

/** True while the page must ask for details or an amount before it may show the QR. */
export function needsForm(m: PageModel): boolean {
  return (m.detailsRequired && !m.detailsGiven) || m.amount === null;
}

/**
 * A fingerprint of what the payment view shows. The page's script polls the status endpoint and
 * reloads when it changes: paid, deactivated, a renewed payment, or funds received.
 */
export function stateKey(m: Pick<PageModel, 'session' | 'payment'>): string {
  return [m.session.status, m.payment?.id ?? '', m.payment?.status ?? '', m.session.target_amount_paid].join('|');
}

/** The small public JSON of `/pay/{cs}/status`: only what the page's script needs. */
export function statusBody(m: PageModel) {
  const paid = m.session.status === 'paid';
  return {
    status: m.session.status,
    key: stateKey(m),
    payment: m.payment ? { id: m.payment.id, status: m.payment.status, expires_at: Number(m.payment.expires_at) } : null,
    target_amount_paid: jsonNumber(m.session.target_amount_paid),
    target_amount_due: jsonNumber(m.session.target_amount_due),
    success_url: paid ? m.fields.success_url ?? null : null,
    now: Date.now(),
  };
}
