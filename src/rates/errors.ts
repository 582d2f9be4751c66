/**
 * Named errors of the rates library. Callers branch on `instanceof` (or on `name`, which survives
 * Temporal's failure conversion), never on message text.
 */

/** The provider has no price for the requested currency. */
export class UnknownCurrencyError extends Error {
  override readonly name = 'UnknownCurrencyError';
  constructor(readonly currency: string) {
    super(`no BTC exchange rate for currency "${currency}"`);
  }
}

/** The rate source could not be reached or answered something we cannot trust. */
export class RateProviderError extends Error {
  override readonly name = 'RateProviderError';
  constructor(
    message: string,
    /** HTTP status when the source answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A rate configuration (static table, provider kind, URL) that cannot be used. */
export class RateConfigError extends Error {
  override readonly name = 'RateConfigError';
}

/** An amount or rate that is not a plain non-negative decimal string, or a currency we cannot convert. */
export class InvalidConversionInputError extends Error {
  override readonly name = 'InvalidConversionInputError';
}
