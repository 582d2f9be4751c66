import { CURRENCY_DECIMALS, Dec } from '../domain/money';

/** Groups the digits of an integer string in threes: "1234567" -> "1,234,567". */
export function groupDigits(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * BTC from whole sats by string arithmetic (no floats): "21000" -> "0.00021", "100000000" -> "1".
 * The form BIP21's `amount` takes.
 */
export function satsToBtc(sats: string): string {
  if (!/^\d+$/.test(sats)) throw new RangeError(`not a whole number of sats: ${sats}`);
  const padded = sats.padStart(9, '0');
  const whole = padded.slice(0, -8).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(-8).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Whole sats for display: "21000" -> "21,000 sats". */
export function formatSats(sats: string): string {
  return `${groupDigits(sats)} sats`;
}

/** A base-currency amount for display, with the currency's minor units: "25" USD -> "25.00 USD". */
export function formatAmount(value: string, currency: string): string {
  const places = CURRENCY_DECIMALS[currency] ?? 8;
  // BTC shows only the digits it needs; fiat always shows its cents.
  const text = currency === 'BTC' ? new Dec(value).toFixed() : new Dec(value).toFixed(places);
  const [whole, fraction] = text.split('.');
  return `${groupDigits(whole)}${fraction ? `.${fraction}` : ''} ${currency}`;
}
