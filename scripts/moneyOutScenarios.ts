/**
 * The money-out lifecycles recorded as replay fixtures: one withdrawal link claimed through LNURL, one
 * that expires unclaimed, one whose first claim cannot be paid (reopened, then claimed again), a refund
 * paid as a link the customer claims, one canceled unclaimed, a refund paid to an invoice and one whose
 * invoice cannot be paid, and payouts (instant sends) paid and failed. Test mode's sender fails an
 * invoice described `[unroutable]`, which is how the failure paths are reached.
 */
import { customerInvoice } from '../test/support/customerInvoices';
import { LnurlWallet } from '../test/support/lnurlWallet';
import { call, createMerchant, waitFor, type TestSystem } from '../test/support/testSystem';
import type { Scenario } from './historyScenarios';

const invoiceFor = (sats: bigint) => customerInvoice(sats, 'recorded');
const unroutableFor = (sats: bigint) => customerInvoice(sats, 'recorded', { unroutable: true });

async function ok(sys: TestSystem, key: string, method: string, route: string, body?: unknown) {
  const res = await call(sys.baseUrl, key, method, route, body);
  if (res.status !== 200) throw new Error(`${method} ${route} failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A merchant whose balance a paid session of `gross` sats filled (minus the platform fee). */
async function merchantWithBalance(sys: TestSystem, gross: number, amount = gross) {
  const m = await createMerchant(sys.baseUrl);
  const cs = await ok(sys, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount });
  await ok(sys, m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: gross });
  await waitFor(() => ok(sys, m.key, 'GET', `/checkout-sessions/${cs.id}`), (s) => s.status === 'paid' && s.target_amount_paid === gross);
  return { m, cs };
}

async function statusOf(sys: TestSystem, key: string, route: string, status: string) {
  return waitFor(() => ok(sys, key, 'GET', route), (o) => o.status === status, 30_000);
}

/** A refund of `amount` sats of a paid session to the customer's invoice: succeeded, or failed when the invoice is unroutable. */
function refundToInvoice(name: string, description: string, amount: number, unroutable: boolean): Scenario {
  return {
    name, description, system: 'default',
    async run(sys) {
      const { m, cs } = await merchantWithBalance(sys, 10_000);
      const refund = await ok(sys, m.key, 'POST', '/refunds', {
        checkout_session: cs.id, amount, withdraw_method: 'lightning', withdraw_request: await (unroutable ? unroutableFor : invoiceFor)(BigInt(amount)),
      });
      await statusOf(sys, m.key, `/refunds/${refund.id}`, unroutable ? 'failed' : 'succeeded');
      return [refund.id];
    },
  };
}

/** A payout (instant send) of 2,500 sats to an invoice: paid, or failed when the invoice is unroutable. */
function payoutToInvoice(name: string, description: string, unroutable: boolean): Scenario {
  return {
    name, description, system: 'default',
    async run(sys) {
      const { m } = await merchantWithBalance(sys, 10_000);
      const payout = await ok(sys, m.key, 'POST', '/instant-sends', {
        amount: 2500, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await (unroutable ? unroutableFor : invoiceFor)(2500n),
      });
      await statusOf(sys, m.key, `/instant-sends/${payout.id}`, unroutable ? 'failed' : 'paid');
      return [payout.id];
    },
  };
}

export const moneyOutScenarios: Scenario[] = [
  {
    name: 'withdrawal-link-claimed',
    description: 'A withdrawal link claimed through LNURL (withdraw request, invoice, callback), paid once, settled',
    system: 'default',
    async run(sys) {
      const { m } = await merchantWithBalance(sys, 20_000);
      const link = await ok(sys, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 5000 });
      const answer = await new LnurlWallet(sys.config.publicUrl, sys.baseUrl).claim(link.withdraw_request, invoiceFor);
      if (answer.status !== 'OK') throw new Error(`claim refused: ${answer.reason}`);
      await statusOf(sys, m.key, `/withdrawal-links/${link.id}`, 'paid');
      return [link.id];
    },
  },
  {
    name: 'withdrawal-link-expired',
    description: 'A withdrawal link nobody claims: its timer expires it and its reserve is released',
    system: 'default',
    async run(sys) {
      const { m } = await merchantWithBalance(sys, 20_000);
      const link = await ok(sys, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1000, ttl: 2 });
      await statusOf(sys, m.key, `/withdrawal-links/${link.id}`, 'expired');
      return [link.id];
    },
  },
  {
    name: 'refund-via-link',
    description: 'The excess of an overpaid session refunded as a withdrawal link the customer claims; the link tells the refund',
    system: 'default',
    async run(sys) {
      const { m, cs } = await merchantWithBalance(sys, 12_000, 10_000);
      const refund = await ok(sys, m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'excess' });
      const answer = await new LnurlWallet(sys.config.publicUrl, sys.baseUrl).claim(refund.withdraw_request, invoiceFor);
      if (answer.status !== 'OK') throw new Error(`claim refused: ${answer.reason}`);
      await statusOf(sys, m.key, `/refunds/${refund.id}`, 'succeeded');
      return [refund.id, refund.withdrawal_link];
    },
  },
  refundToInvoice('refund-to-invoice', 'A partial refund paid to the customer\'s invoice: sent once by payment hash, settled', 4000, false),
  {
    name: 'withdrawal-link-reclaimed',
    description: 'A withdrawal link whose first claim cannot be paid (no route): reopened with its reserve kept, claimed again, paid',
    system: 'default',
    async run(sys) {
      const { m } = await merchantWithBalance(sys, 20_000);
      const link = await ok(sys, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 3000 });
      const wallet = new LnurlWallet(sys.config.publicUrl, sys.baseUrl);
      const first = await wallet.claim(link.withdraw_request, unroutableFor);
      if (first.status !== 'OK') throw new Error(`first claim refused: ${first.reason}`);
      await waitFor(() => ok(sys, m.key, 'GET', `/withdrawal-links/${link.id}`), (l) => l.status === 'active' && Boolean(l.failure_reason), 30_000);
      const second = await wallet.claim(link.withdraw_request, invoiceFor);
      if (second.status !== 'OK') throw new Error(`second claim refused: ${second.reason}`);
      await statusOf(sys, m.key, `/withdrawal-links/${link.id}`, 'paid');
      return [link.id];
    },
  },
  {
    name: 'refund-canceled',
    description: 'A refund paid as a withdrawal link, canceled before anyone claims it: the link is deactivated, the refund canceled',
    system: 'default',
    async run(sys) {
      const { m, cs } = await merchantWithBalance(sys, 10_000);
      const refund = await ok(sys, m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 2000 });
      await ok(sys, m.key, 'POST', `/refunds/${refund.id}/cancel`);
      await statusOf(sys, m.key, `/refunds/${refund.id}`, 'canceled');
      return [refund.id, refund.withdrawal_link];
    },
  },
  refundToInvoice('refund-to-invoice-failed', 'A refund to an invoice that cannot be paid (no route): failed with the reason, its reserve released', 3000, true),
  payoutToInvoice('payout-paid', 'A payout (instant send) to an invoice: reserved at create, sent once by payment hash, settled', false),
  payoutToInvoice('payout-failed', 'A payout to an invoice that cannot be paid (no route): failed with the reason, its reserve released', true),
];
