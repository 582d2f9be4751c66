import { CURRENCY_DECIMALS, floorToCurrency } from '../domain/money';
import type { PageFields } from './model';

/** How an input is drawn and checked. */
export type FieldKind = 'email' | 'tel' | 'text' | 'number' | 'select' | 'amount_choice' | 'amount_range';

/** One input of the page's form: the single source both the HTML and the server-side schema use. */
export interface FormField {
  /** The form control name (flat, so a plain urlencoded post carries it). */
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  group: 'amount' | 'contact' | 'billing' | 'shipping' | 'custom';
  /** Choices of a dropdown or of an `options` amount (decimal strings). */
  choices?: string[];
  /** Bounds of a `preset` amount (decimal strings). */
  range?: { min: string; max: string; decimals: number; currency: string };
  autocomplete?: string;
  maxLength: number;
}

const ADDRESS_PARTS = [
  { part: 'name', label: 'Full name', required: true, max: 200, ac: 'name' },
  { part: 'line1', label: 'Address line 1', required: true, max: 200, ac: 'address-line1' },
  { part: 'line2', label: 'Address line 2', required: false, max: 200, ac: 'address-line2' },
  { part: 'city', label: 'City', required: true, max: 100, ac: 'address-level2' },
  { part: 'state', label: 'State / region', required: false, max: 100, ac: 'address-level1' },
  { part: 'postal_code', label: 'Postal code', required: false, max: 20, ac: 'postal-code' },
  { part: 'country', label: 'Country', required: true, max: 60, ac: 'country-name' },
] as const;

/** The parts of an address, in order (the stored address object has these keys). */
export const ADDRESS_KEYS = ADDRESS_PARTS.map((p) => p.part);

function addressFields(prefix: 'billing' | 'shipping'): FormField[] {
  return ADDRESS_PARTS.map((p) => ({
    name: `${prefix}_${p.part}`, label: p.label, kind: 'text' as const, required: p.required, group: prefix,
    autocomplete: `${prefix} ${p.ac}`, maxLength: p.max,
  }));
}

/** An option amount as the decimal string the customer's choice carries (JSON numbers as sent). */
export function optionValue(n: number, currency: string): string {
  return floorToCurrency(String(n), currency);
}

/**
 * The inputs the page asks for: the amount when the customer picks it, then the enabled customer
 * details and the custom fields (SPEC §7). `withDetails` is false once the details are stored.
 */
export function formFields(f: PageFields, currency: string, opts: { withAmount: boolean; withDetails: boolean }): FormField[] {
  const out: FormField[] = [];
  if (opts.withAmount && f.type === 'options' && f.options) {
    out.push({ name: 'amount', label: 'Amount', kind: 'amount_choice', required: true, group: 'amount',
      choices: f.options.map((o) => optionValue(o, currency)), maxLength: 40 });
  }
  if (opts.withAmount && f.type === 'preset' && f.preset) {
    out.push({ name: 'amount', label: `Amount (${currency})`, kind: 'amount_range', required: true, group: 'amount',
      range: {
        min: optionValue(f.preset.min_amount, currency), max: optionValue(f.preset.max_amount, currency),
        decimals: CURRENCY_DECIMALS[currency] ?? 8, currency,
      },
      maxLength: 40 });
  }
  if (!opts.withDetails) return out;
  const c = f.customer_collections_status;
  if (c.is_email_enabled) out.push({ name: 'email', label: 'Email', kind: 'email', required: true, group: 'contact', autocomplete: 'email', maxLength: 254 });
  if (c.is_phone_enabled) out.push({ name: 'phone', label: 'Phone', kind: 'tel', required: true, group: 'contact', autocomplete: 'tel', maxLength: 32 });
  if (c.is_billing_address_enabled) out.push(...addressFields('billing'));
  if (c.is_shipping_address_enabled) out.push(...addressFields('shipping'));
  for (const cf of f.custom_fields) {
    out.push({
      name: `cf_${cf.id}`, label: cf.label, required: !cf.is_optional, group: 'custom', maxLength: cf.type === 'number' ? 40 : 500,
      kind: cf.type === 'dropdown' ? 'select' : cf.type === 'number' ? 'number' : 'text', choices: cf.options,
    });
  }
  return out;
}
