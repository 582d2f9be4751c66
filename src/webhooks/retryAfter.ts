/**
 * A receiver's `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as the delay before the
 * next attempt, in ms, clamped to [minMs, maxMs] so a receiver can neither hammer itself (0) nor park
 * a delivery past the retry window's own spacing. Null when absent or unreadable: the normal backoff applies.
 */
export function retryAfterMs(value: string | string[] | undefined, now: number, minMs = 1_000, maxMs = 4 * 3_600_000): number | null {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return null;
  let ms: number;
  if (/^\d+$/.test(raw)) ms = Number(raw) * 1000;
  else {
    // An HTTP-date names its day and month (`Fri, 04 Dec 2026 12:05:00 GMT`); anything else is unreadable.
    if (!/^[A-Za-z]{3}, /.test(raw)) return null;
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(maxMs, Math.max(minMs, ms));
}
