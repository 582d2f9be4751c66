import { z } from 'zod';
import { CURRENCY_DECIMALS, Dec, exactJsonNumber, hasValidPrecision, isSupportedCurrency } from '../money';
import { decimalNumber, httpUrl, httpUrlOrEmpty, metadataSchema, metadataUpdateSchema, percentage, toleranceInRange, updateText } from './common';
import { boundIssues, MAX_MEMO_BYTES } from './bounds';

export const MAX_TTL_SECONDS = 31_536_000;

const customField = z.object({
  type: z.enum(['text', 'number', 'dropdown']),
  label: z.string().trim().min(1).max(100).meta({ pattern: '\\S' }),
  options: z.array(z.string().trim().min(1).max(100).meta({ pattern: '\\S' })).min(1).max(10).optional(),
  is_optional: z.boolean().default(false),
}).strict().superRefine((f, ctx) => {
  if (f.type === 'dropdown' && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a dropdown needs options' });
  if (f.type !== 'dropdown' && f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a dropdown takes options' });
});

const transfer = z.object({
  destination_account: z.string().regex(/^acct_\w+$/, 'must be an account ID (acct_…)'),
  percentage: percentage.refine((p) => new Dec(p).gt(0) && new Dec(p).lt(100), 'must be greater than 0 and less than 100')
    .meta({ minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true, description: 'a percentage, at most 2 decimals' }),
  description: z.string().max(255).nullable().optional(),
}).strict();

/** An option typed as a string, as the JSON number the rules check: refused if that number is not the same decimal. */
function exactOption(v: string, ctx: z.RefinementCtx): number {
  const n = exactJsonNumber(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'has more significant digits than a JSON number holds exactly (at most 15); it would be rounded' });
    return z.NEVER;
  }
  return n;
}

/** Fields of a checkout session a merchant may set (create; links reuse them). */
const sessionFieldsShape = {
  currency: z.string().transform((c) => c.toUpperCase()).refine(isSupportedCurrency, {
    message: `must be one of ${Object.keys(CURRENCY_DECIMALS).join(', ')}`,
  }).meta({ enum: Object.keys(CURRENCY_DECIMALS), description: 'the currency of the amounts (upper case; lower case is accepted too)' }),
  amount: z.number().min(0).optional(),
  target_currency: z.literal('SATS').default('SATS'),
  type: z.enum(['fixed', 'options', 'preset']).default('fixed'),
  // Speed's reference types options as strings ("10.5"), its guide as numbers: both are accepted. A
  // string becomes a number only if the number is the same decimal ("123456789012345.00000001" is not).
  options: z.array(z.union([z.number().positive(), z.string().regex(/^\d{1,15}(\.\d{1,8})?$/, 'must be a positive amount')])
    .transform((o, ctx) => (typeof o === 'number' ? o : exactOption(o, ctx)))
    .refine((o) => o > 0, 'must be positive')).min(1).max(3).optional(),
  preset: z.object({ min_amount: z.number().positive(), max_amount: z.number().positive() }).strict().optional(),
  ttl: z.number().int().max(MAX_TTL_SECONDS).optional(),
  payment_methods: z.array(z.enum(['lightning', 'onchain'])).min(1)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a method').meta({ uniqueItems: true }).optional(),
  statement_descriptor: z.string().max(255).nullable().optional(),
  description: z.string().max(1000).nullable().optional(),
  success_url: httpUrl.nullable().optional(),
  success_message: z.string().max(500).nullable().optional(),
  cancel_url: httpUrl.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
  title: z.string().max(255).nullable().optional(),
  title_description: z.string().max(1000).nullable().optional(),
  title_image: httpUrl.nullable().optional(),
  amount_paid_tolerance: toleranceInRange(decimalNumber(2))
    .meta({ minimum: 0, maximum: 5, description: 'a percentage of the amount, at most 2 decimals' }).optional(),
  customer_collections_status: z.object({
    is_phone_enabled: z.boolean().default(false),
    is_email_enabled: z.boolean().default(false),
    is_billing_address_enabled: z.boolean().default(false),
    is_shipping_address_enabled: z.boolean().default(false),
  }).strict().optional(),
  custom_fields: z.array(customField).max(10).optional(),
  transfers: z.array(transfer).max(10).optional(),
  cashback: z.object({ id: z.string().min(1).max(255) }).strict().nullable().optional(),
  source: z.string().max(255).nullable().optional(),
  source_id: z.string().max(255).nullable().optional(),
};

/**
 * Cross-field checks run only on fields that parsed: a field's own refusal may leave the raw value in
 * place (an option "ten" refused by its pattern), and these checks read values as amounts. The field's
 * own issue is the 400 then.
 */
const onParsedFields = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** Cross-field rules of a session's fields; `minTtl` is 300 s unless CHECKOUT_MIN_TTL_SECONDS lowers it. */
function checkSessionFields(s: z.infer<z.ZodObject<typeof sessionFieldsShape>>, ctx: z.RefinementCtx, minTtl: number): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const precise = (n: number) => hasValidPrecision(String(n), s.currency);
  if (s.type === 'fixed') {
    if (s.amount === undefined) issue(['amount'], 'is required for a fixed checkout session');
    else if (s.amount === 0) issue(['amount'], 'must be greater than 0: an open amount is type options or preset');
    else if (!precise(s.amount)) issue(['amount'], `has more decimals than ${s.currency} allows`);
  }
  // For options and preset the customer's choice sets the amount; one sent anyway (Speed requires the
  // field, default 200) is ignored, see \`withoutChosenAmount\`.
  if (s.type === 'options') {
    if (!s.options) issue(['options'], 'is required for type options');
    else s.options.forEach((o, i) => { if (!precise(o)) issue(['options', i], `has more decimals than ${s.currency} allows`); });
  } else if (s.options) issue(['options'], 'is only allowed for type options');
  if (s.type === 'preset') {
    if (!s.preset) issue(['preset'], 'is required for type preset');
    else if (s.preset.min_amount >= s.preset.max_amount) issue(['preset', 'max_amount'], 'must be greater than min_amount');
    else if (!precise(s.preset.min_amount) || !precise(s.preset.max_amount)) issue(['preset'], `has more decimals than ${s.currency} allows`);
  } else if (s.preset) issue(['preset'], 'is only allowed for type preset');
  if (s.ttl !== undefined && s.ttl < minTtl) issue(['ttl'], `must be at least ${minTtl} seconds`);
  if (s.success_url && s.success_message) issue(['success_message'], 'give either success_url or success_message, not both');
  if (s.transfers) {
    const total = s.transfers.reduce((sum, t) => sum.plus(t.percentage), new Dec(0));
    if (total.gt(100)) issue(['transfers'], 'percentages must add up to at most 100');
  }
  for (const b of boundIssues(s)) issue(b.path, b.message);
}

/** Drops `amount` where the customer picks it (options, preset), so it can never be taken as a price. */
function withoutChosenAmount<T extends { type: string; amount?: number }>(s: T): T {
  if (s.type === 'fixed' || s.amount === undefined) return s;
  const rest = { ...s };
  delete rest.amount;
  return rest;
}

/** Body of `POST /checkout-sessions`. */
export function createSessionSchema(minTtl: number) {
  return z.object(sessionFieldsShape).strict().superRefine((s, ctx) => checkSessionFields(s, ctx, minTtl), onParsedFields).transform(withoutChosenAmount);
}

export type SessionFieldsInput = z.infer<ReturnType<typeof createSessionSchema>>;

/**
 * Body of `POST /checkout-sessions/{id}`: the descriptive fields, any state. A field left out is kept;
 * `""` clears it (Stripe's convention). `null` is refused rather than taken as "clear": a client
 * generated from the OpenAPI document sends `null` for every field it was not given, and an update of
 * `metadata` alone must not erase `success_url`. In `metadata` a key set to `""` is removed, others are
 * merged (the merge is `sessionUpdate`).
 */
export const updateSessionSchema = z.object({
  metadata: metadataUpdateSchema.optional(),
  description: updateText(1000).optional(),
  success_url: httpUrlOrEmpty.optional(),
  cancel_url: httpUrlOrEmpty.optional(),
  success_message: updateText(500).optional(),
  // The title is the Lightning memo of every later payment when there is no statement_descriptor: held to
  // BOLT11's byte limit here too, or the session's next payment (a partial payment's rest) could not be made.
  title: updateText(255).refine((t) => Buffer.byteLength(t, 'utf8') <= MAX_MEMO_BYTES,
    `must be at most ${MAX_MEMO_BYTES} bytes in UTF-8 (a Lightning invoice's description limit)`).optional(),
  title_description: updateText(1000).optional(),
  title_image: httpUrlOrEmpty.optional(),
}).strict();
