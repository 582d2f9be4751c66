import { retryAfterMs } from '../../../src/webhooks/retryAfter';

const now = Date.parse('2026-12-04T12:00:00Z');

test.each([
  ['120', 120_000],
  ['0', 1_000], // never sooner than a second
  ['999999', 4 * 3_600_000], // never later than the retry schedule's longest gap
  ['Fri, 04 Dec 2026 12:05:00 GMT', 300_000],
  ['Fri, 04 Dec 2026 11:00:00 GMT', 1_000], // a date in the past: soon
])('Retry-After %s waits %i ms', (value, ms) => {
  expect(retryAfterMs(value, now)).toBe(ms);
});

test.each([[undefined], [''], ['soon'], ['-5'], ['1.5']])('an absent or unreadable Retry-After (%s) leaves the normal backoff', (value) => {
  expect(retryAfterMs(value, now)).toBeNull();
});
