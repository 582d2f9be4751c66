import { randomBytes } from 'node:crypto';
import { CheckoutError } from '../domain/errors';
import { findLink, markLinkDeactivated, type LinkKind, type LinkRow } from '../db/links';
import { findSession, listSessions, type Scope } from '../db/sessions';
import { linkStatus } from '../views/link';
import type { LinkView } from '../views/link';
import { createCheckoutSession, deactivateCheckoutSession } from './checkoutSessions';
import type { ServiceContext } from './context';
import { recordLinkEvent } from '../webhooks/linkEvents';
import { dispatchLinkEvents } from './linkEvents';
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
  const eventId = await ctx.db.transaction(async (tx) => (
    (await markLinkDeactivated(tx, id, now)) ? recordLinkEvent(tx, ctx.config.publicUrl, kind, id, 'deactivated', now) : null
  ));
  if (eventId) await dispatchLinkEvents(ctx, [eventId]);
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
  const row = await findLink(ctx.db, 'payment', id);
  if (!row) throw CheckoutError.notFound('payment link', id);
  if (row.status === 'deactivated') throw new LinkDeactivatedError('payment');
  const scope = scopeOfLink(row);
  const session = await createCheckoutSession(ctx, scope, row.definition as SessionFieldsInput, randomBytes(16).toString('hex'), id);
  if ((await findLink(ctx.db, 'payment', id))?.status === 'deactivated') {
    await deactivateQuietly(ctx, session.id, scope);
    throw new LinkDeactivatedError('payment');
  }
  return session.id;
}

function scopeOfLink(row: LinkRow): Scope {
  return { accountId: row.account_id, livemode: row.livemode };
}
