/**
 * The rules a wallet's invoice must pass before a withdrawal link pays it (LUD-03 callback), pure.
 * Checked at the edge (the callback answers LUD-03's ERROR with the reason) and again by the activity
 * that records the claim, against the stored link: a claim that reaches the workflow is payable.
 */

/** What the link says (from its stored row). */
export interface ClaimableLink {
  status: string;
  targetSats: bigint;
  /** ms since the epoch; null: never expires. */
  expiresAt: number | null;
}

/** What the invoice says (after its signature was verified and its network checked). */
export interface ClaimInvoice {
  amountSats: bigint;
  expiresAt: number;
  payeeNodeKey: string;
}

/**
 * An invoice must stay payable long enough for the send to start and route: a shorter one would
 * likely expire in flight (and LND refuses an expired one anyway).
 */
export const MIN_INVOICE_REMAINING_MS = 30_000;

/** Why this invoice cannot claim this link, or null when it can. */
export function claimProblem(link: ClaimableLink, invoice: ClaimInvoice, now: number, ownNodeKeys: string[] = []): string | null {
  if (link.status === 'paid' || link.status === 'processing') return 'This withdrawal link has already been claimed';
  if (link.status === 'expired' || (link.expiresAt !== null && now >= link.expiresAt)) return 'This withdrawal link has expired';
  if (link.status !== 'active') return 'This withdrawal link is no longer active';
  if (invoice.amountSats !== link.targetSats) {
    return `The invoice is for ${invoice.amountSats} sats; this link pays exactly ${link.targetSats} sats`;
  }
  if (invoice.expiresAt - now < MIN_INVOICE_REMAINING_MS) return 'The invoice has expired or expires too soon';
  if (ownNodeKeys.includes(invoice.payeeNodeKey)) return 'The invoice is the platform\'s own';
  return null;
}
