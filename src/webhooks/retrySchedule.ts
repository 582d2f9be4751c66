/**
 * Retry policy of the webhook delivery activity, as plain data (importable from workflow code: no I/O).
 * Shape: a few quick retries for blips (5 s, 15 s, 45 s, …), then one try every 4 hours until the
 * 5-day window (the activity's scheduleToCloseTimeout) closes, about 37 attempts in all.
 */
import type { Duration, RetryPolicy } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { WebhookArgumentError } from './errors';

/** Temporal retry policy for one (event, endpoint) delivery; attempts are bounded by the window, not a count. */
export const WEBHOOK_RETRY_POLICY = {
  initialInterval: '5 seconds',
  backoffCoefficient: 3,
  maximumInterval: '4 hours',
  // No maximumAttempts (= unlimited; the SDK rejects 0): WEBHOOK_DELIVERY_WINDOW ends the retries.
} as const satisfies RetryPolicy;

/** How long a delivery keeps being retried; use as the activity's scheduleToCloseTimeout. */
export const WEBHOOK_DELIVERY_WINDOW = '5 days' as const satisfies Duration;

// Temporal's own defaults, so the schedule of a partial policy matches what the server would do.
const DEFAULT_INITIAL_MS = 1000;
const DEFAULT_COEFFICIENT = 2;
const DEFAULT_MAX_FACTOR = 100;
// A listing longer than this is a mistyped policy (e.g. '1 ms' intervals), not a schedule to print.
const MAX_LISTED_ATTEMPTS = 100_000;

// Attempts are assumed to take no time, so real attempts start a little later than listed (by their
// durations, at most the send timeout each), which only moves them further from the first retry.
/** Start offsets in ms (first = 0) of every attempt `policy` allows inside `window`, as Temporal schedules them. */
export function retryDelays(policy: RetryPolicy, window: Duration): number[] {
  const initial = policy.initialInterval === undefined ? DEFAULT_INITIAL_MS : msToNumber(policy.initialInterval);
  const coefficient = policy.backoffCoefficient ?? DEFAULT_COEFFICIENT;
  const maximum =
    policy.maximumInterval === undefined ? initial * DEFAULT_MAX_FACTOR : msToNumber(policy.maximumInterval);
  const windowMs = msToNumber(window);
  const maxAttempts = policy.maximumAttempts || Infinity; // unset (or the server's 0) means unlimited
  if (!(initial > 0) || !(coefficient >= 1) || !(maximum >= initial) || !(windowMs > 0)) {
    throw new WebhookArgumentError('retry policy needs initialInterval > 0, coefficient >= 1, max >= initial, window > 0');
  }
  const times = [0];
  let interval = initial;
  let at = 0;
  while (times.length < maxAttempts) {
    // Whole milliseconds, like the server's integer durations; also keeps the offsets exact.
    at += Math.max(1, Math.round(Math.min(interval, maximum)));
    // An attempt starting at the deadline would be cut off at once: scheduleToClose covers all attempts.
    if (at >= windowMs) break;
    if (times.length >= MAX_LISTED_ATTEMPTS) {
      throw new WebhookArgumentError(`retry policy allows more than ${MAX_LISTED_ATTEMPTS} attempts in the window`);
    }
    times.push(at);
    interval *= coefficient;
  }
  return times;
}

/** Delay in ms before the retry that follows attempt `attempt` (1-based) under WEBHOOK_RETRY_POLICY. */
export function retryIntervalAfter(attempt: number): number {
  const initial = msToNumber(WEBHOOK_RETRY_POLICY.initialInterval);
  const maximum = msToNumber(WEBHOOK_RETRY_POLICY.maximumInterval);
  return Math.min(maximum, initial * WEBHOOK_RETRY_POLICY.backoffCoefficient ** Math.max(0, attempt - 1));
}
