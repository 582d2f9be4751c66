import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { UNROUTABLE_MARKER } from '../../src/bitcoin/simulatedSender';

/** The customer's wallet: a node of the test network (regtest), unknown to the platform. */
const customer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');

/**
 * An invoice of the customer's wallet for `sats`. Test mode's sender pays it, unless `unroutable`: its
 * description then carries the marker that makes that sender fail it (no route), as a live payment
 * with no route would.
 */
export async function customerInvoice(sats: bigint, memo: string, opts: { unroutable?: boolean; expirySeconds?: number } = {}): Promise<string> {
  const description = opts.unroutable ? `${memo} ${UNROUTABLE_MARKER}` : memo;
  return (await customer.createInvoice({ amountSats: sats, memo: description, expirySeconds: opts.expirySeconds ?? 600 })).paymentRequest;
}

