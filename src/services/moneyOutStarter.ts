import type { Logger } from 'pino';
import { unstartedPayouts, unstartedRefunds, unstartedWithdrawalLinks } from '../db/moneyOutStarts';
import { findWithdrawalLink } from '../db/withdrawalLinks';
import type { ServiceContext } from './context';
import { startPayoutWorkflow } from './payouts';
import { startRefundWorkflows } from './refunds';
import { startWithdrawalLinkWorkflow } from './withdrawalLinks';

/** How many rows of each kind one step starts at most. */
const BATCH = 100;

/** What one step started: rows whose create committed but whose workflow start never succeeded. */
export interface MoneyOutStarts {
  payouts: number;
  refunds: number;
  withdrawalLinks: number;
}

/**
 * Starts the workflows of open money-out rows created before `createdBefore` that Temporal never
 * confirmed (src/db/moneyOutStarts.ts): a create that committed the row and its reservation and then
 * could not start the workflow (Temporal unreachable), and was never retried. Without this the money
 * would stay reserved for good. Refunds go before links: a refund's start starts its link after it.
 * Every start is idempotent and marks its row; a failed start throws and the next step tries again.
 */
export async function startUnstartedMoneyOut(ctx: ServiceContext, createdBefore: number): Promise<MoneyOutStarts> {
  const started: MoneyOutStarts = { payouts: 0, refunds: 0, withdrawalLinks: 0 };
  for (const p of await unstartedPayouts(ctx.db, createdBefore, BATCH)) {
    await startPayoutWorkflow(ctx, p);
    started.payouts += 1;
  }
  for (const r of await unstartedRefunds(ctx.db, createdBefore, BATCH)) {
    const link = r.withdrawal_link_id ? await findWithdrawalLink(ctx.db, r.withdrawal_link_id) : undefined;
    await startRefundWorkflows(ctx, r, link ?? null);
    started.refunds += 1;
  }
  for (const l of await unstartedWithdrawalLinks(ctx.db, createdBefore, BATCH)) {
    await startWithdrawalLinkWorkflow(ctx, l);
    started.withdrawalLinks += 1;
  }
  return started;
}

/**
 * Runs `startUnstartedMoneyOut` every `checkMs` for rows older than `checkMs` (younger ones are still
 * their create's to start). Steps never overlap; a failed step is logged and the next one retries.
 * Returns a stop function that waits for a running step.
 */
export function startMoneyOutStarter(ctx: ServiceContext, opts: { checkMs: number; log: Logger }): () => Promise<void> {
  let running: Promise<void> | null = null;
  const step = (): void => {
    if (running) return;
    running = startUnstartedMoneyOut(ctx, Date.now() - opts.checkMs)
      .then((n) => {
        if (n.payouts + n.refunds + n.withdrawalLinks > 0) opts.log.warn(n, 'started money-out workflows that their creates could not start');
      })
      .catch((err: unknown) => opts.log.warn({ err }, 'money-out starter step failed; the next one retries'))
      .finally(() => { running = null; });
  };
  const timer = setInterval(step, opts.checkMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
