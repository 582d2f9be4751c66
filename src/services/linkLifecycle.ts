import { randomBytes } from 'node:crypto';
import { openUnpaidLinkSessions } from '../db/linkSessions';
import { BusyError, CheckoutError } from '../domain/errors';
import { findLink, markLinkDeactivated, type LinkKind, type LinkRow } from '../db/links';
import { findSession, listSessions, type Scope } from '../db/sessions';
import { linkStatus } from '../views/link';
import type { LinkView } from '../views/link';
import { createCheckoutSession, deactivateCheckoutSession } from './checkoutSessions';
import type { ServiceContext } from './context';
import { recordLinkEvent } from '../webhooks/linkEvents';
import { getLink, linkNoun } from './links';
import type { SessionFieldsInput } from '../domain/input/sessionFields';

/** A deactivated link was visited: the page says so (HTTP 410). */
export class LinkDeactivatedError extends CheckoutError {
  constructor(kind: LinkKind) { super('gone', `This ${linkNoun(kind)} has been deactivated.`); }
}

/**
 * Deactivates a link and, through each session's workflow, its active sessions (SPEC §7). A checkout
 * link deactivates its session first: the workflow decides atomically against a payment racing in,
 * and a paid session means a paid link, which cannot be deactivated. The cascade runs on every call,
 * so a retry after a crash mid-cascade finishes it before answering.
 */
export async function deactivateLink(ctx: ServiceContext, kind: LinkKind, id: string, scope: Scope): Promise<LinkView> {
  const row = await findLink(ctx.db, kind, id, scope);
  if (!row) throw CheckoutError.notFound(linkNoun(kind), id);
  const session = row.checkout_session_id ? await findSession(ctx.db, row.checkout_session_id) : undefined;
  const before = linkStatus(row, session);
  if (before === 'paid') throw CheckoutError.unexpectedState(`This ${linkNoun(kind)} is paid; only an active ${linkNoun(kind)} can be deactivated.`);
  if (kind === 'checkout' && session?.status === 'active') await deactivateCheckoutSession(ctx, session.id, scope);
  const now = Date.now();
  // The event stays in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
  await ctx.db.transaction(async (tx) => (
    (await markLinkDeactivated(tx, id, now)) ? recordLinkEvent(tx, ctx.config.publicUrl, kind, id, 'deactivated', now) : null
  ));
  if (kind === 'payment') await deactivateLinkSessions(ctx, id, scope);
  if (before === 'deactivated') throw CheckoutError.unexpectedState(`This ${linkNoun(kind)} is already deactivated.`);
  return getLink(ctx, kind, id, scope);
}

/** Deactivates every active session opened from a link; one paid or deactivated meanwhile is skipped. */
async function deactivateLinkSessions(ctx: ServiceContext, linkId: string, scope: Scope): Promise<void> {
  // Pages over all of the link's sessions: a status filter would drop the cursor row as it changes.
  let startingAfter: string | undefined;
  for (;;) {
    const { rows, hasMore } = await listSessions(ctx.db, scope, { limit: 100, startingAfter, linkId });
    await Promise.all(rows.filter((s) => s.status === 'active').map((s) => deactivateQuietly(ctx, s.id, scope)));
    if (!hasMore || rows.length === 0) return;
    startingAfter = rows[rows.length - 1].id;
  }
}

async function deactivateQuietly(ctx: ServiceContext, sessionId: string, scope: Scope): Promise<void> {
  try {
    await deactivateCheckoutSession(ctx, sessionId, scope);
  } catch (err) {
    // Paid or deactivated since it was read: nothing left to do for it.
    if (!CheckoutError.isUnexpectedState(err)) throw err;
  }
}

/**
 * The link already has PAYMENT_LINK_MAX_OPEN_SESSIONS open unpaid sessions: 429, `Retry-After` until the
 * first of their payments expires. Each open session holds an address index of the merchant's wallet
 * (and, live, an invoice), so without a cap a crawler could move the wallet past its gap limit.
 */
export class PaymentLinkBusyError extends BusyError {
  constructor(retryAfterSeconds: number) {
    super('Many customers are paying through this link right now. Please try again in a few minutes.', retryAfterSeconds);
  }
}

// Count-then-create runs one at a time per link in this process, so concurrent visits cannot all pass
// the count together (with N API replicas the cap can be exceeded by at most N - 1).
const pending = new Map<string, Promise<unknown>>();
function oneAtATime<R>(key: string, work: () => Promise<R>): Promise<R> {
  const before = pending.get(key) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.catch(() => undefined);
  pending.set(key, tail);
  void tail.then(() => { if (pending.get(key) === tail) pending.delete(key); });
  return run;
}

/** The session a visit of `/c/{clink}` shows, or an error for an unknown or deactivated link. */
export async function checkoutLinkSession(ctx: ServiceContext, id: string): Promise<string> {
  const row = await findLink(ctx.db, 'checkout', id);
  if (!row || !row.checkout_session_id) throw CheckoutError.notFound('checkout link', id);
  if (row.status === 'deactivated') throw new LinkDeactivatedError('checkout');
  return row.checkout_session_id;
}

/**
 * A visit of `/p/{plink}`: opens a new session for the link's account and mode. If the link was
 * deactivated while the session was being made, the session is deactivated too: the deactivation's
 * cascade either sees this session or this check sees the deactivation, never neither.
 */
export async function openPaymentLinkSession(ctx: ServiceContext, id: string): Promise<string> {
  return oneAtATime(id, () => openUnderCap(ctx, id));
}

async function openUnderCap(ctx: ServiceContext, id: string): Promise<string> {
  const row = await findLink(ctx.db, 'payment', id);
  if (!row) throw CheckoutError.notFound('payment link', id);
  if (row.status === 'deactivated') throw new LinkDeactivatedError('payment');
  const open = await openUnpaidLinkSessions(ctx.db, id);
  if (open.count >= ctx.config.paymentLinkMaxOpenSessions) {
    const untilExpiry = open.nextExpiry === null ? 0 : Math.ceil((open.nextExpiry - Date.now()) / 1000);
    throw new PaymentLinkBusyError(untilExpiry > 0 ? Math.min(untilExpiry, 3600) : 60);
  }
  const scope = scopeOfLink(row);
  const session = await createCheckoutSession(ctx, scope, row.definition as SessionFieldsInput, randomBytes(16).toString('hex'), id)
    .catch((err: unknown) => { throw visitRefusal(err); });
  if ((await findLink(ctx.db, 'payment', id))?.status === 'deactivated') {
    await deactivateQuietly(ctx, session.id, scope);
    throw new LinkDeactivatedError('payment');
  }
  return session.id;
}

/**
 * A link's transfer destination whose connection was revoked after the link was made (docs/transfers.md):
 * the visitor made no mistake, so the refusal is the link's state (409), in words for a customer.
 */
function visitRefusal(err: unknown): unknown {
  if (!(err instanceof CheckoutError) || err.kind !== 'invalid_data' || !err.param?.startsWith('transfers[')) return err;
  return CheckoutError.unexpectedState('This payment link cannot take payments at the moment; please contact the merchant.');
}

function scopeOfLink(row: LinkRow): Scope {
  return { accountId: row.account_id, livemode: row.livemode };
}
