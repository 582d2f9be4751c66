import bolt11 from 'bolt11';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { bech32 } from '@scure/base';
import {
  decodeAndVerifyInvoice,
  generateNodeKey,
  LocalLightningNode,
  nodePublicKey,
} from '../../../src/bitcoin/localLightningNode';
import { InvalidInvoiceError, InvalidInvoiceRequestError, InvalidNodeKeyError } from '../../../src/bitcoin/errors';

// BOLT11 spec example "2500u for a cup of coffee, 60s expiry", signed by the spec's node key.
const SPEC_INVOICE =
  'lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh';
const SPEC_PAYEE = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 500);

/** Re-encodes an invoice with a different human-readable part and/or signature words, valid checksum. */
function reencode(pr: string, change: { prefix?: string; signature?: Uint8Array }): string {
  const { prefix, words } = bech32.decode(pr, false);
  let body = words;
  if (change.signature) body = words.slice(0, -104).concat(bech32.toWords(change.signature));
  return bech32.encode(change.prefix ?? prefix, body, false);
}

describe('generateNodeKey / nodePublicKey', () => {
  it('makes a 32-byte key whose public key is the compressed point', () => {
    const key = generateNodeKey();
    expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(nodePublicKey(key.privateKey)).toBe(key.publicKey);
    expect(generateNodeKey().privateKey).not.toBe(key.privateKey);
  });

  it.each([
    ['not hex', 'zz'.repeat(32)],
    ['too short', 'ab'.repeat(31)],
    ['zero', '00'.repeat(32)],
    ['the curve order', 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'],
  ])('rejects a key that is %s', (_why, key) => {
    expect(() => nodePublicKey(key)).toThrow(InvalidNodeKeyError);
    expect(() => new LocalLightningNode(key, 'regtest')).toThrow(InvalidNodeKeyError);
  });
});

describe('LocalLightningNode.createInvoice', () => {
  const key = generateNodeKey();

  it.each([
    ['mainnet', 'lnbc'],
    ['testnet', 'lntb'],
    ['regtest', 'lnbcrt'],
  ] as const)('signs a %s invoice that decodes and verifies against the node key', async (network, hrp) => {
    const node = new LocalLightningNode(key.privateKey, network, { now: () => NOW });
    const { paymentRequest, paymentHash } = await node.createInvoice({
      amountSats: 12_345n,
      memo: 'Order #42 – café ☕',
      expirySeconds: 900,
    });
    expect(paymentRequest.startsWith(`${hrp}123450n1`)).toBe(true);
    expect(paymentHash).toMatch(/^[0-9a-f]{64}$/);
    const invoice = decodeAndVerifyInvoice(paymentRequest, key.publicKey);
    expect(invoice).toEqual({
      amountSats: 12_345n,
      paymentHash,
      payeeNodeKey: key.publicKey,
      expiresAt: (Math.floor(NOW / 1000) + 900) * 1000,
      description: 'Order #42 – café ☕',
      networkPrefix: hrp.slice(2),
    });
    expect(node.publicKey).toBe(key.publicKey);
  });

  it('includes a payment secret with its feature bit, and a fresh hash every time', async () => {
    const node = new LocalLightningNode(key.privateKey, 'regtest');
    const a = await node.createInvoice({ amountSats: 1n, memo: '', expirySeconds: 60 });
    const b = await node.createInvoice({ amountSats: 1n, memo: '', expirySeconds: 60 });
    const decoded = bolt11.decode(a.paymentRequest);
    expect(decoded.tagsObject.payment_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(decoded.tagsObject.feature_bits?.payment_secret?.supported).toBe(true);
    expect(a.paymentHash).not.toBe(b.paymentHash);
  });

  it('round-trips any amount and expiry exactly (property)', async () => {
    const node = new LocalLightningNode(key.privateKey, 'testnet', { now: () => NOW });
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 2_100_000_000_000_000n }),
        fc.integer({ min: 1, max: 31_536_000 }),
        async (amountSats, expirySeconds) => {
          const { paymentRequest, paymentHash } = await node.createInvoice({ amountSats, memo: 'x', expirySeconds });
          const inv = decodeAndVerifyInvoice(paymentRequest, key.publicKey);
          expect(inv.amountSats).toBe(amountSats);
          expect(inv.paymentHash).toBe(paymentHash);
          expect(inv.expiresAt).toBe((Math.floor(NOW / 1000) + expirySeconds) * 1000);
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each([
    ['zero amount', { amountSats: 0n, memo: '', expirySeconds: 60 }],
    ['negative amount', { amountSats: -5n, memo: '', expirySeconds: 60 }],
    ['more than 21M BTC', { amountSats: 2_100_000_000_000_001n, memo: '', expirySeconds: 60 }],
    ['zero expiry', { amountSats: 5n, memo: '', expirySeconds: 0 }],
    ['fractional expiry', { amountSats: 5n, memo: '', expirySeconds: 1.5 }],
    ['a memo over 639 bytes', { amountSats: 5n, memo: 'é'.repeat(320), expirySeconds: 60 }],
  ])('refuses %s', async (_why, req) => {
    const node = new LocalLightningNode(key.privateKey, 'regtest');
    await expect(node.createInvoice(req)).rejects.toThrow(InvalidInvoiceRequestError);
  });
});

describe('decodeAndVerifyInvoice', () => {
  const key = generateNodeKey();
  const node = new LocalLightningNode(key.privateKey, 'regtest', { now: () => NOW });

  it('verifies the BOLT11 specification example', () => {
    expect(decodeAndVerifyInvoice(SPEC_INVOICE, SPEC_PAYEE)).toEqual({
      amountSats: 250_000n,
      paymentHash: '0001020304050607080900010203040506070809000102030405060708090102',
      payeeNodeKey: SPEC_PAYEE,
      expiresAt: (1496314658 + 60) * 1000,
      description: '1 cup coffee',
      networkPrefix: 'bc',
    });
  });

  it('accepts the invoice in upper case (QR codes use it)', async () => {
    const { paymentRequest } = await node.createInvoice({ amountSats: 10n, memo: 'qr', expirySeconds: 60 });
    expect(decodeAndVerifyInvoice(paymentRequest.toUpperCase(), key.publicKey).amountSats).toBe(10n);
  });

  it('rejects an invoice signed by another node', async () => {
    const { paymentRequest } = await node.createInvoice({ amountSats: 10n, memo: '', expirySeconds: 60 });
    expect(() => decodeAndVerifyInvoice(paymentRequest, generateNodeKey().publicKey)).toThrow(/not by the expected node/);
  });

  it('rejects a single changed character (checksum)', async () => {
    const { paymentRequest } = await node.createInvoice({ amountSats: 10n, memo: '', expirySeconds: 60 });
    const i = paymentRequest.length - 20;
    const tampered = paymentRequest.slice(0, i) + (paymentRequest[i] === 'q' ? 'p' : 'q') + paymentRequest.slice(i + 1);
    expect(() => decodeAndVerifyInvoice(tampered, key.publicKey)).toThrow(InvalidInvoiceError);
  });

  it('rejects a raised amount re-encoded with a valid checksum (signature no longer from the node)', async () => {
    const { paymentRequest } = await node.createInvoice({ amountSats: 10n, memo: '', expirySeconds: 60 });
    const forged = reencode(paymentRequest, { prefix: 'lnbcrt1u' }); // 10 sats → 100 sats
    expect(bolt11.decode(forged).satoshis).toBe(100);
    expect(() => decodeAndVerifyInvoice(forged, key.publicKey)).toThrow(InvalidInvoiceError);
  });

  it('rejects a high-S signature that bolt11 alone would accept', async () => {
    const { paymentRequest } = await node.createInvoice({ amountSats: 10n, memo: '', expirySeconds: 60 });
    const decoded = bolt11.decode(paymentRequest);
    const sig = secp256k1.Signature.fromBytes(hexToBytes(decoded.signature!), 'compact');
    const n = secp256k1.Point.Fn.ORDER;
    // (r, n−s) with the flipped recovery id recovers the same key: a malleated, non-canonical signature.
    const high = new secp256k1.Signature(sig.r, n - sig.s).toBytes('compact');
    const forged = reencode(paymentRequest, {
      signature: Uint8Array.from([...high, decoded.recoveryFlag! ^ 1]),
    });
    expect(bolt11.decode(forged).payeeNodeKey).toBe(key.publicKey);
    expect(() => decodeAndVerifyInvoice(forged, key.publicKey)).toThrow(/does not verify/);
  });

  it('rejects an invoice without an amount', () => {
    const unsigned = bolt11.encode({
      network: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
      tags: [{ tagName: 'payment_hash', data: bytesToHex(sha256(new Uint8Array(32))) }],
    });
    const signed = bolt11.sign(unsigned, key.privateKey);
    expect(() => decodeAndVerifyInvoice(signed.paymentRequest!, key.publicKey)).toThrow(/no amount/);
  });

  it.each(['', 'hello', 'lnbc1garbage', 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu'])('rejects garbage %p', (pr) => {
    expect(() => decodeAndVerifyInvoice(pr)).toThrow(InvalidInvoiceError);
  });
});
