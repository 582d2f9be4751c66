import { z } from 'zod';
import { isObjectId, type IdPrefix } from '../ids';
import { CURRENCY_DECIMALS, Dec, decimalFromJsonNumber, isSupportedCurrency } from '../money';
import { textProblem } from '../text';

/**
 * An object ID of one kind in a body or query (`acct_…`, `cs_…`): checked against its alphabet and
 * length (src/domain/ids.ts), so a malformed one is a 400 naming the field, never a query.
 */
export function objectId(prefix: IdPrefix) {
  return z.string().refine((v) => isObjectId(prefix, v), { message: `must be an ID of the form ${prefix}_… (${prefix}_ and 24 letters or digits)` })
    .meta({ pattern: `^${prefix}_[0-9A-Za-z]{24}$` });
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

/** Whether `v` parses as an http(s) URL. */
export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * What the OpenAPI document says of an http(s) URL: a pattern every match of which `new URL` accepts
 * (a host name whose last label starts with a letter, or a dotted IPv4 address; a port of at most 4
 * digits; printable ASCII after it), so neither a generated client nor a fuzzer drawing from it is
 * refused. It is narrower than the validation (IPv6 and non-ASCII hosts pass `new URL` too).
 */
export const HTTP_URL_PATTERN = '^https?://(([A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*|((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))'
  + '(:[1-9][0-9]{0,3})?([/?#][!-~]*)?$';

/** An http(s) URL. */
export const httpUrl = z.string().max(2048).refine(isHttpUrl, 'must be an http(s) URL')
  .meta({ pattern: HTTP_URL_PATTERN });

/**
 * A text field of an update, where `""` clears the field (Stripe's convention) and `null` is refused
 * with a message saying so: a client generated from the OpenAPI document sends `null` for every field
 * it was not given, and that must never erase one.
 */
export function updateText(max: number) {
  return z.string({ error: (issue) => (issue.input === null ? 'must not be null: send "" to clear it' : undefined) }).max(max);
}

/** An http(s) URL in an update, where `""` clears the field. */
export const httpUrlOrEmpty = updateText(2048).refine((v) => v === '' || isHttpUrl(v), 'must be an http(s) URL, or "" to clear it')
  .meta({ pattern: `^$|${HTTP_URL_PATTERN}`, description: 'an http(s) URL; "" clears it' });

/** A currency code of an amount (upper case; lower case is accepted too), with its enum in the OpenAPI document. */
export const currencyCode = z.string().transform((c) => c.toUpperCase()).refine(isSupportedCurrency, {
  message: `must be one of ${Object.keys(CURRENCY_DECIMALS).join(', ')}`,
}).meta({ enum: Object.keys(CURRENCY_DECIMALS), description: 'the currency of the amount (upper case; lower case is accepted too)' });

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

/**
 * A decimal typed as text (a form field), parsed exactly: digits with an optional fraction (no sign,
 * exponent, hex or separators, which `Number()` would take, and no digits past a double's, which it
 * would round away), at most `places` decimals once trailing zeros go, as its plain decimal string.
 * The message is `decimalNumber`'s, so a form and the API refuse a value alike.
 */
export function decimalText(places: number) {
  return z.string().transform((v, ctx) => {
    const text = v.trim();
    if (!/^\d+(\.\d+)?$/.test(text) || new Dec(text).decimalPlaces() > places) {
      ctx.addIssue({ code: 'custom', message: `must be a number with at most ${places} decimal places` });
      return z.NEVER;
    }
    return new Dec(text).toFixed();
  });
}

/** `amount_paid_tolerance`'s range (a percentage of the amount, 0 to 5) on a decimal string from `decimalNumber` or `decimalText`. */
export function toleranceInRange<S extends z.ZodType<string, any>>(decimal: S): S {
  return decimal.refine((t) => new Dec(t).gte(0) && new Dec(t).lte(5), 'must be between 0 and 5');
}

/** A percentage for fees and transfers: 2 decimals at most. */
export const percentage = decimalNumber(2);

/** `metadata`: up to 50 keys of short strings, numbers or booleans. */
export const metadataSchema = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys');

/**
 * `metadata` of an update: merged key by key into the session's; a key set to `""` or `null` is
 * removed (Speed's rule). `metadata: null` itself is refused (see `updateText`).
 */
export const metadataUpdateSchema = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]), {
    error: (issue) => (issue.input === null ? 'must not be null: set each key to "" to remove it' : undefined),
  })
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys');
