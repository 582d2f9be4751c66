/**
 * The lifecycles whose workflow histories are recorded as replay fixtures. Each drives a real session
 * through the API (real PostgreSQL, real Temporal) and returns the workflow ID(s) to record once closed.
 */
import type { Client } from '@temporalio/client';
import { chooseAmountUpdate, retryUpdate } from '../src/temporal/definitions';
import { call, createMerchant, waitFor, type TestSystem } from '../test/support/testSystem';
import { connectTransfers } from '../test/support/transferDestinations';
import { startReceiver } from '../test/support/webhookReceiver';
import { moneyOutScenarios } from './moneyOutScenarios';
import { webhookCircuitScenario } from './webhookCircuitScenario';
import { recordEvent } from '../src/db/events';
import { deliveryWorkflowId } from '../src/webhooks/deliveryTypes';

/** A lifecycle to record: drives it and returns the workflow IDs whose runs make the fixtures. */
export interface Scenario {
  name: string;
  description: string;
  /**
   * Which started system it runs on: `small` continues-as-new after a few dozen events; `idle` closes an
   * idle session's run after 2 s; `failing` retries failed work on a 1 s backoff.
   */
  system: 'default' | 'small' | 'idle' | 'failing';
  run(sys: TestSystem): Promise<string[]>;
}

const api = (sys: TestSystem, key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pay(sys: TestSystem, key: string, paymentId: string, amount: number, reference?: string): Promise<void> {
  const res = await api(sys, key, 'POST', `/test-helpers/payments/${paymentId}/receive`, { amount, ...(reference ? { reference } : {}) });
  if (res.status !== 200) throw new Error(`receive failed: ${JSON.stringify(res.body)}`);
}

async function sessionOf(sys: TestSystem, key: string, id: string) {
  return (await api(sys, key, 'GET', `/checkout-sessions/${id}`)).body;
}

async function create(sys: TestSystem, key: string, body: Record<string, unknown>) {
  const res = await api(sys, key, 'POST', '/checkout-sessions', body);
  if (res.status !== 200) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the workflow's latest run has closed; returns false if it is still running after `timeoutMs`. */
export async function waitClosed(temporal: Client, workflowId: string, timeoutMs = 30_000): Promise<boolean> {
  const status = await waitFor(async () => (await temporal.workflow.getHandle(workflowId).describe()).status.name, (s) => s !== 'RUNNING', timeoutMs);
  return status !== 'RUNNING';
}

/** The Web UI's details line of a running session (its ATTENTION part when flagged). */
async function attentionOf(sys: TestSystem, id: string): Promise<string> {
  return (await sys.temporal.workflow.getHandle(id).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
}

/** Runs `during` while the database refuses `op` on `table` for rows matching `when` (a trigger). */
async function refuse(sys: TestSystem, table: string, op: 'insert' | 'update', when: string, during: () => Promise<void>): Promise<void> {
  const name = `refuse_${table}_${Date.now()}`;
  await sys.db.raw(`create or replace function ${name}() returns trigger as $$ begin raise exception 'database unavailable (simulated)'; end $$ language plpgsql`);
  await sys.db.raw(`create trigger ${name} before ${op} on ${table} for each row when (${when}) execute function ${name}()`);
  try { await during(); } finally { await sys.db.raw(`drop trigger if exists ${name} on ${table}`); }
}

/** Runs `during` while transfers to `destination` are inserted with an amount the ledger refuses. */
async function inflateTransfersTo(sys: TestSystem, destination: string, during: () => Promise<void>): Promise<void> {
  const name = `inflate_${Date.now()}`;
  await sys.db.raw(`create or replace function ${name}() returns trigger as $$ begin new.amount := 1000000000; return new; end $$ language plpgsql`);
  await sys.db.raw(`create trigger ${name} before insert on transfers for each row when (new.destination_account_id = '${destination}') execute function ${name}()`);
  try { await during(); } finally { await sys.db.raw(`drop trigger if exists ${name} on transfers`); }
}

export const scenarios: Scenario[] = [
  {
    name: 'paid-at-once',
    description: 'SATS session with two transfers, paid in one receipt; closes after the (zero) monitoring window',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const [a, b] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
      await connectTransfers(sys.baseUrl, m.id, a.id, b.id);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 10000, transfers: [
        { destination_account: a.id, percentage: 10 }, { destination_account: b.id, percentage: 25 }] });
      await pay(sys, m.key, cs.payment_id, 10000);
      return [cs.id];
    },
  },
  {
    name: 'partials',
    description: 'Two partial receipts (a new payment for the rest after the first), then paid; one transfer',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const dest = await createMerchant(sys.baseUrl);
      await connectTransfers(sys.baseUrl, m.id, dest.id);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 10000, transfers: [{ destination_account: dest.id, percentage: 5 }] });
      await pay(sys, m.key, cs.payment_id, 4000);
      const after = await waitFor(() => sessionOf(sys, m.key, cs.id), (s) => s.payment_id !== cs.payment_id);
      await pay(sys, m.key, after.payment_id, 3000);
      const third = await waitFor(() => sessionOf(sys, m.key, cs.id), (s) => s.payment_id !== after.payment_id);
      await pay(sys, m.key, third.payment_id, 3000);
      return [cs.id];
    },
  },
  {
    name: 'ttl-renewals',
    description: 'USD session with ttl 1 s: its payment expires and is renewed a few times, then it is paid in full',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'USD', amount: 12.5, ttl: 1 });
      await sleep(3_500);
      // The open payment page renews the expired payment (an API read never does).
      const s = await waitFor(async () => {
        await fetch(`${sys.baseUrl}/pay/${cs.id}/status`);
        return sessionOf(sys, m.key, cs.id);
      }, (x) => x.payment_id !== cs.payment_id);
      const payment = (await api(sys, m.key, 'GET', `/payments/${s.payment_id}`)).body;
      await pay(sys, m.key, s.payment_id, payment.target_amount);
      return [cs.id];
    },
  },
  {
    name: 'late-after-close',
    description: 'Paid, its workflow closed; money arriving later starts a resume run that credits it (flagged late) and closes',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const dest = await createMerchant(sys.baseUrl);
      await connectTransfers(sys.baseUrl, m.id, dest.id);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 5000, transfers: [{ destination_account: dest.id, percentage: 20 }] });
      await pay(sys, m.key, cs.payment_id, 5000);
      if (!(await waitClosed(sys.temporal, cs.id))) throw new Error('the paid session did not close');
      await pay(sys, m.key, cs.payment_id, 1000);
      await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.target_amount_paid === 6000);
      return [cs.id];
    },
  },
  {
    name: 'deactivated',
    description: 'Created, then deactivated through the API (the `deactivate` update); money after that is credited and flagged late',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'EUR', amount: 20 });
      const res = await api(sys, m.key, 'POST', `/checkout-sessions/${cs.id}/deactivate`);
      if (res.status !== 200) throw new Error(`deactivate failed: ${JSON.stringify(res.body)}`);
      await pay(sys, m.key, cs.payment_id, 777);
      await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.target_amount_paid === 777);
      return [cs.id];
    },
  },
  {
    name: 'options-choose-amount',
    description: 'An `options` session: no payment until the customer picks (the `chooseAmount` update), then paid, overpaid',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'SATS', type: 'options', options: [1000, 2000] });
      await sys.temporal.workflow.getHandle(cs.id).executeUpdate(chooseAmountUpdate, { args: ['2000'] });
      const s = await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.payment_id !== null);
      await pay(sys, m.key, s.payment_id, 2100);
      return [cs.id];
    },
  },
  {
    name: 'preset-underpaid',
    description: 'A `preset` session priced in BTC: amount chosen, paid within the tolerance (underpaid)',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'BTC', type: 'preset', preset: { min_amount: 0.0001, max_amount: 0.01 }, amount_paid_tolerance: 2 });
      await sys.temporal.workflow.getHandle(cs.id).executeUpdate(chooseAmountUpdate, { args: ['0.0002'] });
      const s = await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.payment_id !== null);
      await pay(sys, m.key, s.payment_id, 19_700);
      return [cs.id];
    },
  },
  {
    name: 'continue-as-new',
    description: 'A session flooded with receipts continues as new (small history limit), then is deactivated',
    system: 'small',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 1_000_000, payment_methods: ['onchain'] });
      for (let i = 0; i < 20; i++) await pay(sys, m.key, cs.payment_id, 100, `flood${cs.id}${i}:0`);
      await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.target_amount_paid === 2000, 30_000);
      const runs = await waitFor(() => runIds(sys.temporal, cs.id), (r) => r.length >= 2, 30_000);
      if (runs.length < 2) throw new Error('the session did not continue as new');
      const res = await api(sys, m.key, 'POST', `/checkout-sessions/${cs.id}/deactivate`);
      if (res.status !== 200) throw new Error(`deactivate failed: ${JSON.stringify(res.body)}`);
      return [cs.id];
    },
  },
  {
    name: 'attention-and-retry',
    description: 'The payment for the rest cannot be made (payment inserts refused): flagged, retried on the backoff, then an operator retry makes it; paid',
    system: 'failing',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 5000 });
      await refuse(sys, 'payments', 'insert', `new.checkout_session_id = '${cs.id}'`, async () => {
        await pay(sys, m.key, cs.payment_id, 2000);
        await waitFor(() => attentionOf(sys, cs.id), (d) => /retry [2-9]/.test(d), 30_000);
      });
      const retried = await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate);
      if (retried.pending !== 0) throw new Error(`retry left work: ${JSON.stringify(retried)}`);
      const s = await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.payment_id !== cs.payment_id);
      await pay(sys, m.key, s.payment_id, 3000);
      return [cs.id];
    },
  },
  {
    name: 'failed-transfer',
    description: 'Two transfers; the ledger refuses the first: it fails, holds the second, is retried on the backoff; corrected, both are posted',
    system: 'failing',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const [a, b] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
      await connectTransfers(sys.baseUrl, m.id, a.id, b.id);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 10000, transfers: [
        { destination_account: a.id, percentage: 10 }, { destination_account: b.id, percentage: 10 }] });
      await inflateTransfersTo(sys, a.id, async () => {
        await pay(sys, m.key, cs.payment_id, 10000);
        await waitFor(() => sys.db('transfers').where({ checkout_session_id: cs.id, destination_account_id: a.id }).first(), (t) => t?.status === 'failed', 30_000);
      });
      await waitFor(() => attentionOf(sys, cs.id), (d) => /retry [2-9]/.test(d), 30_000);
      await sys.db('transfers').where({ checkout_session_id: cs.id, destination_account_id: a.id }).update({ amount: 990 });
      await waitFor(() => sys.db('transfers').where({ checkout_session_id: cs.id }), (ts) => ts.length === 2 && ts.every((t: { status: string }) => t.status === 'paid'), 60_000);
      return [cs.id];
    },
  },
  {
    name: 'continue-as-new-with-failed-work',
    description: 'A transfer keeps failing while receipts flood in: the run continues as new carrying the failed transfer, which the next run posts once corrected',
    system: 'small',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const dest = await createMerchant(sys.baseUrl);
      await connectTransfers(sys.baseUrl, m.id, dest.id);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 1_000_000, payment_methods: ['onchain'], transfers: [{ destination_account: dest.id, percentage: 10 }] });
      await inflateTransfersTo(sys, dest.id, async () => {
        await pay(sys, m.key, cs.payment_id, 1000, `cnfail${cs.id}first:0`);
        await waitFor(() => sys.db('transfers').where({ checkout_session_id: cs.id }).first(), (t) => t?.status === 'failed', 30_000);
      });
      for (let i = 0; i < 20; i++) await pay(sys, m.key, cs.payment_id, 100, `cnfail${cs.id}${i}:0`);
      const runs = await waitFor(() => runIds(sys.temporal, cs.id), (r) => r.length >= 2, 60_000);
      if (runs.length < 2) throw new Error('the session did not continue as new');
      await sys.db('transfers').where({ checkout_session_id: cs.id, destination_account_id: dest.id }).where('amount', '>', 100000).update({ amount: 99 });
      const retried = await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate);
      if (retried.pending !== 0) throw new Error(`retry left work: ${JSON.stringify(retried)}`);
      const res = await api(sys, m.key, 'POST', `/checkout-sessions/${cs.id}/deactivate`);
      if (res.status !== 200) throw new Error(`deactivate failed: ${JSON.stringify(res.body)}`);
      return [cs.id];
    },
  },
  {
    name: 'resume-after-idle-close',
    description: 'Its payment expires and the idle run closes; the payment page renews it (update-with-start, resume run), which is paid',
    system: 'idle',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 4000, ttl: 1 });
      if (!(await waitClosed(sys.temporal, cs.id))) throw new Error('the idle session did not close');
      const page = await fetch(`${sys.baseUrl}/pay/${cs.id}/status`).then((r) => r.json() as Promise<{ payment: { id: string } }>);
      if (page.payment.id === cs.payment_id) throw new Error('the page did not renew the payment');
      await pay(sys, m.key, page.payment.id, 4000);
      await waitFor(() => sessionOf(sys, m.key, cs.id), (x) => x.status === 'paid');
      return [cs.id];
    },
  },
  {
    name: 'cancel-deactivates',
    description: 'An operator\'s cancel request ("Request Cancellation"): the session is deactivated and the run ends cleanly',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const cs = await create(sys, m.key, { currency: 'SATS', amount: 3000 });
      await sys.temporal.workflow.getHandle(cs.id).cancel();
      if (!(await waitClosed(sys.temporal, cs.id))) throw new Error('the cancelled session did not close');
      const s = await sessionOf(sys, m.key, cs.id);
      if (s.status !== 'deactivated') throw new Error(`cancel left the session ${s.status}`);
      return [cs.id];
    },
  },
  {
    name: 'webhook-delivery',
    description: 'A `checkout_session.paid` event delivered to a webhook endpoint (the delivery workflow)',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const receiver = await startReceiver();
      try {
        const ep = await api(sys, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['checkout_session.paid'] });
        if (ep.status !== 200) throw new Error(`endpoint failed: ${JSON.stringify(ep.body)}`);
        receiver.secret = ep.body.secret;
        const cs = await create(sys, m.key, { currency: 'SATS', amount: 3000 });
        await pay(sys, m.key, cs.payment_id, 3000);
        await waitFor(async () => receiver.types(), (t) => t.includes('checkout_session.paid'));
        const ids: string[] = [];
        for await (const w of sys.temporal.workflow.list({ query: `WorkflowType="webhookDelivery" AND WorkflowId STARTS_WITH "webhook:"` })) {
          if (w.workflowId.endsWith(`:${ep.body.id}`)) ids.push(w.workflowId);
        }
        return [cs.id, ...ids];
      } finally {
        await receiver.close();
      }
    },
  },
  webhookCircuitScenario,
  {
    name: 'webhook-window',
    description: 'An event delivered by a workflow that frees its slot of the endpoint\'s in-flight window when it ends (patch `webhook-delivery-window`)',
    system: 'default',
    async run(sys) {
      const m = await createMerchant(sys.baseUrl);
      const receiver = await startReceiver();
      try {
        const ep = await api(sys, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['*'] });
        if (ep.status !== 200) throw new Error(`endpoint failed: ${JSON.stringify(ep.body)}`);
        receiver.secret = ep.body.secret;
        const eventId = await recordEvent(sys.db, { dedupeKey: `window-${Date.now()}`, accountId: m.id, livemode: false,
          type: 'payment_link.created', objectId: 'plink_window', data: { object: { id: 'plink_window' } }, created: Date.now() });
        await waitFor(async () => receiver.received.map((r) => r.event.id), (ids) => ids.includes(eventId));
        return [deliveryWorkflowId(eventId, ep.body.id)];
      } finally {
        await receiver.close();
      }
    },
  },
  ...moneyOutScenarios,
];

/** Every run of a workflow ID, oldest first. */
export async function runIds(temporal: Client, workflowId: string): Promise<string[]> {
  const runs: { runId: string; start: number }[] = [];
  for await (const w of temporal.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push({ runId: w.runId, start: w.startTime.getTime() });
  return runs.sort((a, b) => a.start - b.start).map((r) => r.runId);
}
