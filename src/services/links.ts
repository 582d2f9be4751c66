import type { SessionFieldsInput } from '../domain/input/sessionFields';
import { CheckoutError } from '../domain/errors';
import { findLink, insertLink, listLinks, type LinkKind, type LinkRow } from '../db/links';
import type { PageOptions } from '../db/pagination';
import type { Scope } from '../db/sessions';
import { idFromSeed } from '../domain/ids';
import type { LinkView } from '../views/link';
import { createCheckoutSession } from './checkoutSessions';
import type { ServiceContext } from './context';
import { readLinkView, recordLinkEvent } from '../webhooks/linkEvents';
import { accountForSession } from './sessionChecks';

/** `checkout link` / `payment link`, for messages. */
export const linkNoun = (kind: LinkKind) => (kind === 'checkout' ? 'checkout link' : 'payment link');

/** A link as the API shows it; a checkout link reads its session for its status and payments. */
export async function viewOfLink(ctx: ServiceContext, row: LinkRow): Promise<LinkView> {
  return readLinkView(ctx.db, row, ctx.config.publicUrl);
}

/** Reads a link scoped to an account and mode (others get 404). */
export async function getLink(ctx: ServiceContext, kind: LinkKind, id: string, scope: Scope): Promise<LinkView> {
  const row = await findLink(ctx.db, kind, id, scope);
  if (!row) throw CheckoutError.notFound(linkNoun(kind), id);
  return viewOfLink(ctx, row);
}

/** A page of links, newest first. */
export async function listLinkViews(
  ctx: ServiceContext, kind: LinkKind, scope: Scope, opts: PageOptions & { status?: 'active' | 'paid' | 'deactivated' },
): Promise<{ data: LinkView[]; hasMore: boolean }> {
  const { rows, hasMore } = await listLinks(ctx.db, scope, kind, opts);
  return { data: await Promise.all(rows.map((r) => viewOfLink(ctx, r))), hasMore };
}

/**
 * Creates a checkout link and its one session. The session goes first: its create validates what
 * needs the database, and the link row then names a session that exists. Both IDs derive from the
 * idempotency seed, so a retry after a crash in between finishes the same link instead of a second.
 */
export async function createCheckoutLink(ctx: ServiceContext, scope: Scope, input: SessionFieldsInput, seed: string): Promise<LinkView> {
  const id = idFromSeed('clink', seed);
  const session = await createCheckoutSession(ctx, scope, input, seed, id);
  await storeLink(ctx, scope, { id, kind: 'checkout', definition: input, checkoutSessionId: session.id });
  return getLink(ctx, 'checkout', id, scope);
}

/** Creates a payment link; its sessions are opened one per visit of `/p/{id}`. */
export async function createPaymentLink(ctx: ServiceContext, scope: Scope, input: SessionFieldsInput, seed: string): Promise<LinkView> {
  const id = idFromSeed('plink', seed);
  await accountForSession(ctx, scope, input);
  await storeLink(ctx, scope, { id, kind: 'payment', definition: input, checkoutSessionId: null });
  return getLink(ctx, 'payment', id, scope);
}

/** The link row and its `*.created` event in one transaction (the event exists exactly when the link does). */
async function storeLink(
  ctx: ServiceContext, scope: Scope, link: { id: string; kind: LinkKind; definition: SessionFieldsInput; checkoutSessionId: string | null },
): Promise<void> {
  const now = Date.now();
  // The event stays in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
  await ctx.db.transaction(async (tx) => {
    await insertLink(tx, {
      id: link.id, kind: link.kind, account_id: scope.accountId, livemode: scope.livemode,
      definition: link.definition as Record<string, unknown>, checkout_session_id: link.checkoutSessionId, created: String(now),
    });
    return recordLinkEvent(tx, ctx.config.publicUrl, link.kind, link.id, 'created', now);
  });
}

