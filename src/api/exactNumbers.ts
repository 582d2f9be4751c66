import type { IncomingMessage, ServerResponse } from 'node:http';
import { Dec } from '../domain/money';
import { InvalidRequestError } from './errors';

// A JSON number with 16 or more digits may not survive parsing into a double (999999999999999.99 becomes
// 1000000000000000): only such literals need the exact comparison, and a body without a run of 16
// digits or dots has none.
const LONG_RUN = /\d[\d.]{15,}/;
// Strings (whose content is skipped; a string followed by a colon is a key) and number literals.
const TOKENS = /"((?:[^"\\]|\\.)*)"(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * `express.json`'s `verify` hook: refuses a body holding a number literal whose value a double cannot
 * hold exactly (more significant digits than 15–17 can carry), with a 400 naming the nearest key,
 * instead of letting the parser round a price silently. Numbers that parse to exactly what was written
 * (0.1 reads back as 0.1) pass.
 */
export function refuseInexactNumbers(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (body.length === 0) return;
  const text = body.toString('utf8');
  if (!LONG_RUN.test(text)) return;
  let key: string | undefined;
  for (const m of text.matchAll(TOKENS)) {
    if (m[2] !== undefined) {
      key = m[1];
      continue;
    }
    const literal = m[3];
    if (literal === undefined || !LONG_RUN.test(literal)) continue;
    const parsed = Number(literal);
    if (Number.isFinite(parsed) && new Dec(literal).eq(new Dec(String(parsed)))) continue;
    throw new InvalidRequestError(`The number ${literal} has more significant digits than a JSON number holds exactly (at most 15); `
      + 'it would be rounded. Send it with fewer digits.', key);
  }
}
