import type { Request, Response } from 'express';
import { parse, serialize } from 'cookie';
import { findSession } from '../db/sessions';
import type { ServiceContext } from '../services/context';

const MAX_AGE_SECONDS = 24 * 3600;

function cookieName(linkId: string): string {
  return `plink_${linkId.replace(/[^\w]/g, '')}`;
}

/**
 * The open session this visitor already has for a payment link (from the cookie set on their first
 * visit), so a reload or a second tab shows it again instead of opening a new workflow. Only an active
 * session of this very link counts; anything else (paid, deactivated, forged) means a new session.
 */
export async function returningVisitorSession(ctx: ServiceContext, req: Request, linkId: string): Promise<string | null> {
  const sessionId = parse(req.headers.cookie ?? '')[cookieName(linkId)];
  if (!sessionId || !/^cs_\w{1,64}$/.test(sessionId)) return null;
  const session = await findSession(ctx.db, sessionId);
  return session && session.link_id === linkId && session.status === 'active' ? session.id : null;
}

/** Remembers the visitor's session for this link only (path-scoped, HttpOnly, not sent cross-site). */
export function rememberVisitorSession(ctx: ServiceContext, res: Response, linkId: string, sessionId: string): void {
  res.append('Set-Cookie', serialize(cookieName(linkId), sessionId, {
    path: `/p/${linkId}`, httpOnly: true, sameSite: 'lax', maxAge: MAX_AGE_SECONDS, secure: ctx.config.publicUrl.startsWith('https:'),
  }));
}
