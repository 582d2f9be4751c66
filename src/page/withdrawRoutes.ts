import { timingSafeEqual } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Router, type Response } from 'express';
import { decodeAndVerifyInvoice, InvalidInvoiceError } from '../bitcoin';
import { findWithdrawalLink, type WithdrawalLinkRow } from '../db/withdrawalLinks';
import { lnurlError, lnurlOk, withdrawRequest, type LnurlStatus } from '../domain/lnurl';
import { claimProblem } from '../domain/withdrawalClaim';
import type { ServiceContext } from '../services/context';
import { withCallDeadline } from '../temporal/deadline';
import { claimUpdate, type ClaimResult } from '../temporal/withdrawalDefinitions';
import { withdrawRequestUrl } from '../views/withdrawalLink';
import type { PublicLimiters } from './rateLimits';
import { renderNotice, type RenderedPage } from './render';
import { renderWithdrawPage } from './withdrawPage';
import { pageBrand } from './brand';
import { findAccount } from '../db/accounts';
import { findBranding } from '../db/branding';
import { encodeLnurl } from '../domain/lnurl';
import { isObjectId } from '../domain/ids';

/** LUD-03 answers are JSON for wallets, never cached, readable from a web wallet (LUD-01 asks for CORS). */
function lnurlJson(res: Response, body: object): void {
  res.status(200).set({ 'cache-control': 'no-store', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' }).json(body);
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The public side of withdrawal links (no key): `/w/{id}` (the QR page), `/lnurlw/{id}` (LUD-03's
 * withdraw request) and `/lnurlw/{id}/callback?k1=…&pr=…` (the wallet's invoice). Every refusal at the
 * callback is LUD-03's `{"status":"ERROR","reason":…}` with HTTP 200, as wallets expect, and comes
 * before any workflow is asked; the link's workflow then re-checks the claim against the row.
 */
export function withdrawRoutes(ctx: ServiceContext, limits: PublicLimiters, send: (res: Response, page: RenderedPage) => void): Router {
  const router = Router();
  const { publicUrl } = ctx.config;

  router.get('/w/:id', async (req, res) => {
    const id = String(req.params.id);
    const row = isObjectId('wlink', id) ? await findWithdrawalLink(ctx.db, id) : undefined;
    if (!row) return send(res, renderNotice(404));
    const [account, branding] = await Promise.all([findAccount(ctx.db, row.account_id), findBranding(ctx.db, row.account_id)]);
    send(res, await renderWithdrawPage(row, encodeLnurl(withdrawRequestUrl(publicUrl, row.id)), pageBrand(branding, account?.name ?? 'Merchant')));
  });

  router.get('/lnurlw/:id', async (req, res) => {
    const id = String(req.params.id);
    const row = isObjectId('wlink', id) ? await findWithdrawalLink(ctx.db, id) : undefined;
    if (!row) return lnurlJson(res, lnurlError('No such withdrawal link'));
    if (row.status !== 'active') return lnurlJson(res, lnurlError(notActive(row)));
    if (row.expires_at !== null && Date.now() >= Number(row.expires_at)) return lnurlJson(res, lnurlError('This withdrawal link has expired'));
    lnurlJson(res, withdrawRequest({
      callback: `${withdrawRequestUrl(publicUrl, row.id)}/callback`, k1: row.k1, sats: BigInt(row.target_amount),
      description: row.description ?? row.statement_descriptor ?? 'Withdrawal',
    }));
  });

  router.get('/lnurlw/:id/callback', limits.perIp, async (req, res) => {
    lnurlJson(res, await takeClaim(ctx, String(req.params.id), req.query.k1, req.query.pr));
  });

  return router;
}

function notActive(row: WithdrawalLinkRow): string {
  if (row.status === 'paid' || row.status === 'processing') return 'This withdrawal link has already been claimed';
  return `This withdrawal link is ${row.status}`;
}

/** Checks the wallet's claim at the edge, then hands it to the link's workflow; the answer the wallet gets. */
async function takeClaim(ctx: ServiceContext, id: string, k1: unknown, pr: unknown): Promise<LnurlStatus> {
  if (typeof k1 !== 'string' || k1.length === 0) return lnurlError('Missing k1');
  if (typeof pr !== 'string' || pr.length === 0) return lnurlError('Missing pr (the invoice)');
  const row = isObjectId('wlink', id) ? await findWithdrawalLink(ctx.db, id) : undefined;
  if (!row || !sameSecret(k1, row.k1)) return lnurlError('Unknown k1');
  const network = row.livemode ? ctx.config.bitcoinNetwork : ctx.config.bitcoinTestNetwork;
  let invoice;
  try {
    invoice = decodeAndVerifyInvoice(pr.trim(), undefined, network);
  } catch (err) {
    if (err instanceof InvalidInvoiceError) return lnurlError(`Invalid invoice for ${network}: ${err.message}`);
    throw err;
  }
  const problem = claimProblem({ status: row.status, targetSats: BigInt(row.target_amount), expiresAt: row.expires_at === null ? null : Number(row.expires_at) },
    invoice, Date.now());
  if (problem) return lnurlError(problem);
  let result: ClaimResult;
  try {
    result = await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs,
      () => ctx.temporal.workflow.getHandle(id).executeUpdate(claimUpdate, { args: [{ k1, paymentRequest: pr.trim() }] }));
  } catch (err) {
    // Refused by the workflow's validator: another claim got there first.
    if (err instanceof WorkflowUpdateFailedError) return lnurlError(err.cause?.message ?? 'This withdrawal link cannot be claimed now');
    ctx.log.warn({ err, withdrawalLinkId: id }, 'withdraw callback: the link\'s workflow did not answer');
    return lnurlError('The service is busy; please try again in a moment');
  }
  return result.ok ? lnurlOk() : lnurlError(result.reason);
}
