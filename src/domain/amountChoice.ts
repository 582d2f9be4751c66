import { CURRENCY_DECIMALS, Dec } from './money';

/** How a session's amount is set: fixed at create, or chosen by the customer among options / in a range. */
export type AmountChoice =
  | { type: 'fixed' }
  | { type: 'options'; options: string[] }
  | { type: 'preset'; min: string; max: string };

/** The amount rule of a session from its create fields (amounts as JSON numbers). */
export function amountChoiceOf(fields: Record<string, unknown>): AmountChoice {
  const exact = (n: unknown) => new Dec(n as number).toFixed();
  if (fields.type === 'options' && Array.isArray(fields.options)) return { type: 'options', options: fields.options.map(exact) };
  const preset = fields.preset as { min_amount?: unknown; max_amount?: unknown } | undefined;
  if (fields.type === 'preset' && preset) return { type: 'preset', min: exact(preset.min_amount), max: exact(preset.max_amount) };
  return { type: 'fixed' };
}

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

/**
 * Why `amount` cannot be chosen for a session in `currency` with rule `choice`, or null if it can:
 * a plain positive decimal within the currency's minor units, one of the options, or inside the range.
 * A session without a known rule (state from before rules were kept) checks the format only.
 */
export function chosenAmountError(amount: unknown, currency: string, choice: AmountChoice | undefined): string | null {
  if (typeof amount !== 'string' || !DECIMAL.test(amount)) return 'The amount must be a positive decimal string, e.g. "12.50".';
  const value = new Dec(amount);
  if (!value.isPositive() || value.isZero()) return 'The amount must be greater than 0.';
  if (value.decimalPlaces() > (CURRENCY_DECIMALS[currency] ?? 0)) return `The amount has more decimals than ${currency} allows.`;
  if (!choice) return null;
  if (choice.type === 'fixed') return 'This checkout session has a fixed amount; it cannot be chosen.';
  if (choice.type === 'options' && !choice.options.some((o) => value.eq(o))) return `The amount must be one of ${choice.options.join(', ')}.`;
  if (choice.type === 'preset' && (value.lt(choice.min) || value.gt(choice.max))) return `The amount must be between ${choice.min} and ${choice.max}.`;
  return null;
}
