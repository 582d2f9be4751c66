import { decodeAndVerifyInvoice } from '../../../src/bitcoin';
import { SimulatedSender } from '../../../src/bitcoin/simulatedSender';
import { customerInvoice } from '../../support/customerInvoices';

/** Test mode's sender, paying the customer invoices the tests, the chaos run and the recorded scenarios make. */
describe('test mode\'s sender', () => {
  const sender = new SimulatedSender('regtest');
  const pay = async (paymentRequest: string) =>
    sender.pay({ paymentRequest, paymentHash: decodeAndVerifyInvoice(paymentRequest, undefined, 'regtest').paymentHash });

  test('pays a customer invoice, and fails one made unroutable with no route', async () => {
    expect(await pay(await customerInvoice(1000n, 'plain'))).toMatchObject({ status: 'SUCCEEDED', failureReason: null, feeSats: 0n });
    expect(await pay(await customerInvoice(1000n, 'no channel', { unroutable: true })))
      .toMatchObject({ status: 'FAILED', failureReason: 'FAILURE_REASON_NO_ROUTE' });
  });

  test('a second pay of the same invoice answers the first outcome', async () => {
    const pr = await customerInvoice(500n, 'twice', { unroutable: true });
    expect(await pay(pr)).toEqual(await pay(pr));
  });
});
