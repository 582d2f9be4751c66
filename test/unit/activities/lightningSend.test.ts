import { sendLightningOnce } from '../../../activities/lightningSend';
import { LndRequestError } from '../../../src/bitcoin/errors';
import type { LightningSender, SentPayment } from '../../../src/bitcoin/simulatedSender';

/** A node that answers from a script: what it knows of the hash, and what a pay does. */
class ScriptedNode implements LightningSender {
  pays = 0;
  questions = 0;
  constructor(private known: (SentPayment | null)[], private readonly onPay: () => SentPayment | Error) {}
  async pay(): Promise<SentPayment> {
    this.pays++;
    const r = this.onPay();
    if (r instanceof Error) throw r;
    this.known = [r];
    return r;
  }
  async paymentByHash(): Promise<SentPayment | null> {
    this.questions++;
    return this.known.length > 1 ? this.known.shift()! : this.known[0];
  }
}

const HASH = 'ab'.repeat(32);
const req = { paymentRequest: 'lnbcrt1…', paymentHash: HASH, feeLimitSats: 10n };
const p = (status: SentPayment['status'], feeSats = 0n, failureReason: string | null = null): SentPayment => ({ paymentHash: HASH, status, feeSats, failureReason });

test('a hash the node already paid (the worker died before settling) is not sent again: its fee is the answer', async () => {
  const node = new ScriptedNode([p('SUCCEEDED', 3n)], () => { throw new Error('must not pay'); });
  expect(await sendLightningOnce(node, req)).toEqual({ status: 'succeeded', feeSats: '3' });
  expect(node.pays).toBe(0);
});

test('a hash the node reports FAILED is a failure and never re-sent', async () => {
  const node = new ScriptedNode([p('FAILED', 0n, 'FAILURE_REASON_NO_ROUTE')], () => { throw new Error('must not pay'); });
  expect(await sendLightningOnce(node, req)).toEqual({ status: 'failed', reason: 'FAILURE_REASON_NO_ROUTE' });
  expect(node.pays).toBe(0);
});

test('an in-flight hash is asked about again until it is final, without a second send', async () => {
  const node = new ScriptedNode([p('IN_FLIGHT'), p('IN_FLIGHT'), p('SUCCEEDED', 1n)], () => { throw new Error('must not pay'); });
  expect(await sendLightningOnce(node, req)).toEqual({ status: 'succeeded', feeSats: '1' });
  expect(node.pays).toBe(0);
  expect(node.questions).toBeGreaterThanOrEqual(3);
});

test('a hash the node never saw is sent once', async () => {
  const node = new ScriptedNode([null], () => p('SUCCEEDED', 2n));
  expect(await sendLightningOnce(node, req)).toEqual({ status: 'succeeded', feeSats: '2' });
  expect(node.pays).toBe(1);
});

test('the node refusing the invoice (it started no payment) is a final failure', async () => {
  const node = new ScriptedNode([null], () => new LndRequestError('POST /v2/router/send: invoice expired', 500));
  expect(await sendLightningOnce(node, req)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/invoice expired/) });
});

test('a lost connection leaves the outcome unknown: thrown, so the retry asks the node again', async () => {
  const node = new ScriptedNode([null], () => new LndRequestError('POST /v2/router/send failed: fetch failed'));
  await expect(sendLightningOnce(node, req)).rejects.toThrow(/fetch failed/);
});

test('the crash point is reached only once the node holds a final payment', async () => {
  const seen: string[] = [];
  const node = new ScriptedNode([null], () => p('SUCCEEDED'));
  await sendLightningOnce(node, req, { pause: async (key) => { seen.push(key); } });
  expect(seen).toEqual([HASH]);
});
