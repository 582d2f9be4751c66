import {
  ActivityFailure, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions, type RetryPolicy,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

/**
 * Errors no retry can fix (by their `name`, which survives Temporal's failure conversion): a currency
 * the rate source cannot price, a bad extended key, an invoice no node accepts, a ledger refusal.
 * They fail the attempt at once; the workflow then flags the session and retries on its own backoff.
 */
export const DETERMINISTIC_ERRORS = [
  'UnknownCurrencyError', 'InvalidConversionInputError', 'RateConfigError', 'InvalidExtendedKeyError',
  'InvalidDerivationIndexError', 'UnsupportedNetworkError', 'InvalidInvoiceRequestError', 'InvalidNodeKeyError',
  'LedgerImbalanceError', 'NegativeBalanceError',
];

// A few quick retries inside the activity for blips; past them the workflow takes over with a durable,
// growing backoff (workflows/recovery.ts) so one stuck call never holds the session's other inputs.
const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4, nonRetryableErrorTypes: DETERMINISTIC_ERRORS };

/** Database-only activities: a transaction on the pool (knex waits ≤ 30 s for a connection). */
const DB_ONLY: ActivityOptions = { startToCloseTimeout: '30 seconds', retry };

/**
 * Making a payment calls the rate source (10 s timeout) and LND (15 s) before its insert: the attempt
 * must outlive both, or a slow node leaves orphan invoices on every retry.
 */
const PAYMENT: ActivityOptions = { startToCloseTimeout: '90 seconds', retry };

/**
 * Which activity may run where, checked by the compiler. A local activity runs inside the workflow task
 * that asked for it and is recorded only as a marker when that task completes; if the task is lost (a
 * worker crash, a completion the server refused) it runs again, maybe on another worker, and nothing on
 * the server deduplicates it. So only work that is safe to repeat, and that the workflow never tells
 * "done" from the database by, is local: reads, keyed inserts, version-guarded mirrors, and transfers
 * (row lock, `status = 'paid'` check and ledger key `transfer:{id}` in one transaction).
 */
export type LocalDbActivities = Pick<Activities, 'persistNewSession' | 'recordSession' | 'receiptFacts' | 'loadSessionState' | 'loadSessionWithReceipt' | 'executeTransfer'>;
/** Making a payment: keyed by the reducer's `seq` (`findPaymentBySeq` first, the LND invoice keyed by it). */
export type LocalPaymentActivities = Pick<Activities, 'createSession' | 'openPayment'>;
/**
 * Crediting a receipt must be a remote activity, in the history before the state that includes it moves
 * on: the workflow skips a receipt the database says is credited, so a local credit repeated after a
 * lost workflow task would find its own write, call the receipt credited and drop it from the replayed
 * state. Remote, it is also the one money step an operator sees as a pending activity with its attempts.
 */
export type RemoteMoneyActivities = Pick<Activities, 'creditReceipt'>;

export const remoteMoney: RemoteMoneyActivities = proxyActivities<RemoteMoneyActivities>(DB_ONLY);
/**
 * The local activities: run by this worker inside the workflow task that
 * asked for them, their results recorded as markers, so a session's work costs no extra trip through
 * the server's task queues (a receipt is credited within the workflow task of its signal). Same
 * timeouts and retries as above; a long call heartbeats the workflow task. Typed as the safe subsets:
 * `localDb.creditReceipt(…)` does not compile.
 */
export const localDb: LocalDbActivities = asActivityFailures(proxyLocalActivities<LocalDbActivities>(DB_ONLY as LocalActivityOptions));
export const localPayments: LocalPaymentActivities = asActivityFailures(proxyLocalActivities<LocalPaymentActivities>(PAYMENT as LocalActivityOptions));

/**
 * A local activity's failure reaches the workflow as its bare cause (an ApplicationFailure, a timeout),
 * not wrapped in an ActivityFailure as a remote one's is. Wrapped here, so the workflow tells "an
 * activity failed: keep the work and retry" from its own errors the same way for both kinds.
 */
function asActivityFailures<A extends object>(proxy: A): A {
  return new Proxy(proxy, {
    get(target, name) {
      const call = target[name as keyof A] as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => call(...args).catch((err: unknown) => {
        if (err instanceof ActivityFailure) throw err;
        const cause = err instanceof Error ? err : new Error(String(err));
        throw new ActivityFailure(`Local activity ${String(name)} failed`, String(name), undefined, 'MAXIMUM_ATTEMPTS_REACHED', undefined, cause);
      });
    },
  });
}
