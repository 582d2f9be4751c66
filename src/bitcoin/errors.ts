/**
 * Named errors of the Bitcoin library. Callers branch on `instanceof` (or on `name`, which survives
 * Temporal's failure conversion), never on message text.
 */

/** An extended key that is garbage, private, of the wrong network or of an unsupported script type. */
export class InvalidExtendedKeyError extends Error {
  override readonly name = 'InvalidExtendedKeyError';
}

/** A derivation index outside 0 … 2^31−1 (hardened indexes cannot be derived from a public key). */
export class InvalidDerivationIndexError extends Error {
  override readonly name = 'InvalidDerivationIndexError';
}

/** A network name we do not know, or an operation that is refused on the given network. */
export class UnsupportedNetworkError extends Error {
  override readonly name = 'UnsupportedNetworkError';
}

/** A BOLT11 payment request that does not decode, is unsigned, or is signed by the wrong node. */
export class InvalidInvoiceError extends Error {
  override readonly name = 'InvalidInvoiceError';
}

/** Arguments to `createInvoice` that no Lightning node would accept (zero amount, long memo, …). */
export class InvalidInvoiceRequestError extends Error {
  override readonly name = 'InvalidInvoiceRequestError';
}

/** A Lightning node private key that is not 32 bytes of hex or not a valid secp256k1 scalar. */
export class InvalidNodeKeyError extends Error {
  override readonly name = 'InvalidNodeKeyError';
}

/** LND's REST API answered with an HTTP error or a body we cannot understand. */
export class LndRequestError extends Error {
  override readonly name = 'LndRequestError';
  constructor(
    message: string,
    /** HTTP status when LND answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The Esplora API answered with an HTTP error or a body we cannot understand. */
export class EsploraError extends Error {
  override readonly name = 'EsploraError';
  constructor(
    message: string,
    /** HTTP status when the server answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A Bitcoin node's JSON-RPC interface failed, refused the credentials or sent something we cannot parse. */
export class ChainRpcError extends Error {
  override readonly name = 'ChainRpcError';
  constructor(
    message: string,
    /** HTTP status, or the JSON-RPC error code, when the node answered at all. */
    readonly code?: number,
  ) {
    super(message);
  }
}
