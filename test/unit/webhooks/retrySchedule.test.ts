import { compileRetryPolicy, type RetryPolicy } from '@temporalio/common';
import fc from 'fast-check';
import { retryDelays, WEBHOOK_DELIVERY_WINDOW, WEBHOOK_RETRY_POLICY, WebhookArgumentError } from '../../../src/webhooks';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

describe('the webhook retry schedule', () => {
  const times = retryDelays(WEBHOOK_RETRY_POLICY, WEBHOOK_DELIVERY_WINDOW);
  const gaps = times.slice(1).map((t, i) => t - times[i]);

  it('starts at once and retries first within seconds', () => {
    expect(times[0]).toBe(0);
    expect(times[1]).toBeLessThan(10 * SECOND);
    expect(times[2]).toBeLessThan(60 * SECOND);
  });

  it('spreads later attempts to hours, never more than 4 h apart', () => {
    expect(Math.max(...gaps)).toBe(4 * HOUR);
    expect(gaps.filter((g) => g >= HOUR).length).toBeGreaterThan(gaps.length / 2);
  });

  it('stays inside 5 days and uses most of them', () => {
    expect(times[times.length - 1]).toBeLessThanOrEqual(5 * DAY);
    expect(times[times.length - 1]).toBeGreaterThan(5 * DAY - 4 * HOUR);
  });

  it('makes at least 15 attempts, in strictly increasing order with non-shrinking gaps', () => {
    expect(times.length).toBeGreaterThanOrEqual(15);
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThan(0);
      if (i > 0) expect(g).toBeGreaterThanOrEqual(gaps[i - 1]);
    });
  });

  it('is a policy Temporal accepts', () => {
    expect(() => compileRetryPolicy(WEBHOOK_RETRY_POLICY)).not.toThrow();
    expect(WEBHOOK_DELIVERY_WINDOW).toBe('5 days');
  });
});

describe('retryDelays', () => {
  it('holds its properties for any sane policy', () => {
    const policy = fc.record({
      initialInterval: fc.integer({ min: 1, max: 60_000 }),
      backoffCoefficient: fc.double({ min: 1, max: 10, noNaN: true }),
      maxFactor: fc.integer({ min: 1, max: 1000 }),
      maximumAttempts: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 30 * DAY }), (p, windowMs) => {
        const maximumInterval = p.initialInterval * p.maxFactor;
        fc.pre(windowMs / p.initialInterval < 20_000); // keep listings small enough to check quickly
        const times = retryDelays({ ...p, maximumInterval }, windowMs);
        expect(times[0]).toBe(0);
        if (p.maximumAttempts > 0) expect(times.length).toBeLessThanOrEqual(p.maximumAttempts);
        times.slice(1).forEach((t, i) => {
          expect(t).toBeGreaterThan(times[i]);
          expect(t - times[i]).toBeLessThanOrEqual(maximumInterval);
          expect(t).toBeLessThan(windowMs);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('applies Temporal defaults to a partial policy', () => {
    // initial 1 s, coefficient 2, maximum 100 s
    expect(retryDelays({}, '10 minutes').slice(0, 9)).toEqual([0, 1, 3, 7, 15, 31, 63, 127, 227].map((s) => s * SECOND));
  });

  it('counts maximumAttempts including the first', () => {
    expect(retryDelays({ initialInterval: '1 second', maximumAttempts: 3 }, '1 day')).toEqual([0, 1000, 3000]);
  });

  it('refuses to list an absurd number of attempts', () => {
    expect(() => retryDelays({ initialInterval: 1, backoffCoefficient: 1 }, '30 days')).toThrow(/more than 100000/);
  });

  it('rejects impossible policies', () => {
    const bad: RetryPolicy[] = [{ initialInterval: 0 }, { backoffCoefficient: 0.5 }, { initialInterval: 10, maximumInterval: 5 }];
    for (const policy of bad) expect(() => retryDelays(policy, '1 day')).toThrow(WebhookArgumentError);
  });
});
