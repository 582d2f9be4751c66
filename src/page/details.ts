import { z } from 'zod';
import { Dec } from '../domain/money';
import { textProblem } from '../domain/text';
import { formatAmount } from './format';
import { ADDRESS_KEYS, type FormField } from './formFields';
import type { CustomField } from './model';

/** What the customer submitted, as stored on the session and returned by the API (`customer_details`). */
export interface CustomerDetails {
  email: string | null;
  phone: string | null;
  billing_address: Record<string, string | null> | null;
  shipping_address: Record<string, string | null> | null;
  custom_fields: { id: string; label: string; type: CustomField['type']; value: string | null }[];
}

/** The result of checking a posted form: values by field name, or one message per bad field. */
export type FormResult =
  | { ok: true; values: Record<string, string | undefined> }
  | { ok: false; errors: Record<string, string> };

/** The key a message not tied to one field (an unexpected field) is filed under. */
export const FORM_ERROR = '_form';

const EMAIL = z.email();
const DECIMAL = /^\d{1,20}(\.\d{1,8})?$/;
const NUMBER = /^-?\d{1,30}(\.\d{1,10})?$/;

/** The message for one field's value, or null when it is fine. Values arrive trimmed, '' as undefined. */
function problem(f: FormField, v: string | undefined): string | null {
  if (v === undefined) return f.required ? (f.group === 'amount' ? 'Choose an amount.' : `${f.label} is required.`) : null;
  if (v.length > f.maxLength) return `${f.label} must be at most ${f.maxLength} characters.`;
  // The edge's string rule: the details are stored as jsonb, which refuses NUL and lone surrogates.
  const bad = textProblem(v);
  if (bad) return `${f.label} ${bad}.`;
  switch (f.kind) {
    case 'email':
      return EMAIL.safeParse(v).success ? null : 'Enter a valid email address, like name@example.com.';
    case 'tel': {
      const digits = v.replace(/\D/g, '').length;
      return /^\+?[\d\s().-]+$/.test(v) && digits >= 7 && digits <= 15 ? null : 'Enter a valid phone number, like +1 555 123 4567.';
    }
    case 'number':
      return NUMBER.test(v) ? null : `${f.label} must be a number.`;
    case 'select':
      return f.choices!.includes(v) ? null : `Choose one of the options for ${f.label}.`;
    case 'amount_choice':
      return DECIMAL.test(v) && f.choices!.some((c) => new Dec(c).eq(v)) ? null : 'Choose one of the amounts offered.';
    case 'amount_range': {
      const { min, max, decimals, currency } = f.range!;
      if (!DECIMAL.test(v)) return `Enter the amount as a number, like ${min}.`;
      if (new Dec(v).decimalPlaces() > decimals) return decimals === 0 ? 'Enter a whole amount.' : `Use at most ${decimals} decimals.`;
      return new Dec(v).gte(min) && new Dec(v).lte(max) ? null
        : `Enter an amount between ${formatAmount(min, currency)} and ${formatAmount(max, currency)}.`;
    }
    default:
      return null;
  }
}

/**
 * The zod schema of the form: `.strict()` (an unknown field is refused), each value trimmed and
 * checked by `problem`, so every bad field gets its own message.
 */
export function formSchema(fields: FormField[]) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const f of fields) {
    shape[f.name] = z.string({ error: `${f.label} must be a single value.` }).optional()
      .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
      .superRefine((v, ctx) => {
        const message = problem(f, v);
        if (message) ctx.addIssue({ code: 'custom', message });
      });
  }
  return z.object(shape).strict();
}

/** Checks a posted form against the page's fields. */
export function checkForm(fields: FormField[], body: unknown): FormResult {
  const parsed = formSchema(fields).safeParse(body ?? {});
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') errors[FORM_ERROR] ??= `Unexpected field: ${issue.keys.join(', ')}.`;
    else errors[String(issue.path[0] ?? FORM_ERROR)] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The stored details from checked form values (absent optional parts are null). */
export function customerDetails(values: Record<string, string | undefined>, custom: CustomField[], enabled: {
  email: boolean; phone: boolean; billing: boolean; shipping: boolean;
}): CustomerDetails {
  const address = (prefix: string) => Object.fromEntries(ADDRESS_KEYS.map((k) => [k, values[`${prefix}_${k}`] ?? null]));
  return {
    email: enabled.email ? values.email ?? null : null,
    phone: enabled.phone ? values.phone ?? null : null,
    billing_address: enabled.billing ? address('billing') : null,
    shipping_address: enabled.shipping ? address('shipping') : null,
    custom_fields: custom.map((cf) => ({ id: cf.id, label: cf.label, type: cf.type, value: values[`cf_${cf.id}`] ?? null })),
  };
}
