import { MAX_MEMO_BYTES, MAX_SATS } from '../limits';
import { Dec } from '../money';

export { MAX_MEMO_BYTES, MAX_SATS };

const SATS_PER_UNIT: Record<string, string> = { SATS: '1', BTC: '100000000' };

/**
 * Bounds that only a payment reveals, checked at create so they are a 400 naming the field instead of
 * a payment that can never be made: a Bitcoin-unit amount from 1 sat to 21 M BTC, a Lightning memo
 * (the statement descriptor, else the title) within BOLT11's byte limit, and no NUL character anywhere
 * (PostgreSQL text and jsonb refuse it).
 */
export function boundIssues(s: Record<string, unknown> & { currency: string }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const perUnit = SATS_PER_UNIT[s.currency];
  // An amount sent with type options or preset is ignored (the customer picks it), so it is not bounded.
  const amounts: [(string | number)[], unknown][] = s.type === 'options' || s.type === 'preset' ? [] : [[['amount'], s.amount]];
  (Array.isArray(s.options) ? s.options : []).forEach((o, i) => amounts.push([['options', i], o]));
  const preset = s.preset as { min_amount?: unknown; max_amount?: unknown } | undefined;
  if (preset) amounts.push([['preset', 'min_amount'], preset.min_amount], [['preset', 'max_amount'], preset.max_amount]);
  for (const [path, value] of amounts) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (perUnit) {
      const sats = new Dec(value).times(perUnit);
      if (sats.lt(1)) issues.push({ path, message: `must be at least 1 sat (${new Dec(1).div(perUnit).toFixed()} ${s.currency})` });
      else if (sats.gt(MAX_SATS)) issues.push({ path, message: `must be at most 21,000,000 BTC (${MAX_SATS.div(perUnit).toFixed()} ${s.currency})` });
    } else if (new Dec(value).gt('1e15')) {
      issues.push({ path, message: `must be at most 1000000000000000 ${s.currency}` });
    }
  }
  for (const field of ['statement_descriptor', 'title']) {
    const text = s[field];
    if (typeof text === 'string' && Buffer.byteLength(text, 'utf8') > MAX_MEMO_BYTES) {
      issues.push({ path: [field], message: `must be at most ${MAX_MEMO_BYTES} bytes in UTF-8 (a Lightning invoice's description limit)` });
    }
  }
  findNul(s, [], issues);
  return issues;
}

function findNul(value: unknown, path: (string | number)[], issues: { path: (string | number)[]; message: string }[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) issues.push({ path, message: 'must not contain a NUL character' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findNul(v, [...path, i], issues));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) issues.push({ path: [...path, k], message: 'must not contain a NUL character' });
      findNul(v, [...path, k], issues);
    }
  }
}
