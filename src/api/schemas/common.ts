import { z } from 'zod';
import { isObjectId, type IdPrefix } from '../../domain/ids';
import { decimalFromJsonNumber } from '../../domain/money';
import { textProblem } from '../../domain/text';

/**
 * An object ID of one kind in a body or query (`acct_…`, `cs_…`): checked against its alphabet and
 * length (src/domain/ids.ts), so a malformed one is a 400 naming the field, never a query.
 */
export function objectId(prefix: IdPrefix) {
  return z.string().refine((v) => isObjectId(prefix, v), { message: `must be an ID of the form ${prefix}_… (${prefix}_ and 24 letters or digits)` });
}

/**
 * The edge's string rule (src/domain/text.ts: no NUL or other control characters, well-formed
 * Unicode) as a zod refinement, for strings parsed outside a request body (every body and query is
 * already checked whole by \`cleanInput\`, keys included).
 */
export const cleanText = z.string().superRefine((v, ctx) => {
  const problem = textProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An http(s) URL. */
export const httpUrl = z.string().max(2048).refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

/** A JSON number with at most `places` decimals, as an exact decimal string. */
export function decimalNumber(places: number) {
  return z.number().transform((n, ctx) => {
    const text = decimalFromJsonNumber(n);
    if (text === null || (text.split('.')[1]?.length ?? 0) > places) {
      ctx.addIssue({ code: 'custom', message: `must be a number with at most ${places} decimal places` });
      return z.NEVER;
    }
    return text;
  });
}

/** A percentage for fees and transfers: 2 decimals at most. */
export const percentage = decimalNumber(2);

/** `metadata`: up to 50 keys of short strings, numbers or booleans. */
export const metadataSchema = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys');

/** `metadata` of an update: as on create, and a key set to `null` (or `""`) removes that key. */
export const metadataUpdateSchema = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys');
