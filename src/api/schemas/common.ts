import { z } from 'zod';
import { decimalFromJsonNumber } from '../../domain/money';

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
