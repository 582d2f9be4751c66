import { customerInvoice } from '../test/support/customerInvoices';
import type { ApiClient, Answer } from './http';
import type { Random } from './random';
import type { Account, SessionRecord, TrafficLog } from './traffic';

/** A payout or refund the API accepted, and how it must end (decided by the harness, not read from the product). */
export interface MoneyOutRecord {
  kind: 'payout' | 'refund';
  id: string;
  account: Account;
  sats: bigint;
  /** An invoice described `[unroutable]` fails in test mode's sender; every other one is paid. */
  expected: 'paid' | 'failed';
}

/** What the money-out lane did. */
export interface MoneyOutLog {
  objects: MoneyOutRecord[];
  /** Requests the contract allows to be refused (insufficient funds while receipts race, more than the session holds). */
  refused: number;
}

/**
 * One money-out operation racing the receipts: a payout (instant send) of part of an account's
 * available balance, sometimes more than it has, or a refund of part of a SATS session's receipts, each
 * to a fresh invoice (one in five `[unroutable]`, which must fail and give its reservation back). Every
 * call retries through outages with the same Idempotency-Key, so a retried create is the same object.
 * False when there was nothing to take out yet (no balance, no SATS session with money left).
 */
export async function runMoneyOut(api: ApiClient, rng: Random, traffic: TrafficLog, out: MoneyOutLog, accounts: Account[], index: number, tag: string): Promise<boolean> {
  const unroutable = rng.chance(0.2);
  if (rng.chance(0.6) || traffic.sessions.length === 0) return payout(api, rng, traffic, out, rng.pick(accounts), index, tag, unroutable);
  return refund(api, rng, traffic, out, rng.pick(traffic.sessions), index, tag, unroutable);
}

async function payout(api: ApiClient, rng: Random, traffic: TrafficLog, out: MoneyOutLog, account: Account, index: number, tag: string, unroutable: boolean) {
  const balances = await api.call(account.key, 'GET', '/balances');
  const available = BigInt(balances.body?.available?.[0]?.amount ?? 0);
  if (available < 2n) return false;
  // Mostly what fits, sometimes more than the account has (a 400 insufficient_funds, nothing reserved).
  const sats = rng.chance(0.2) ? available + 1n : 1n + BigInt(Math.floor(rng.next() * Number(available / 2n)));
  const pr = await invoice(sats, `chaos payout ${index}`, unroutable);
  const answer = await api.call(account.key, 'POST', '/instant-sends', { amount: Number(sats), currency: 'SATS', withdraw_method: 'lightning', withdraw_request: pr },
    { 'Idempotency-Key': `${tag}-payout-${index}` });
  record(traffic, out, answer, { kind: 'payout', account, sats, expected: unroutable ? 'failed' : 'paid' }, `payout ${index}`);
  return true;
}

async function refund(api: ApiClient, rng: Random, traffic: TrafficLog, out: MoneyOutLog, session: SessionRecord, index: number, tag: string, unroutable: boolean) {
  const read = await api.call(session.merchant.key, 'GET', `/checkout-sessions/${session.id}`);
  if (read.status !== 200 || read.body.currency !== 'SATS') return false;
  const left = BigInt(read.body.target_amount_paid ?? 0) - BigInt(read.body.target_amount_refunded ?? 0);
  if (left < 1n) return false;
  const sats = 1n + BigInt(Math.floor(rng.next() * Number(left)));
  const pr = await invoice(sats, `chaos refund ${index}`, unroutable);
  const answer = await api.call(session.merchant.key, 'POST', '/refunds',
    { checkout_session: session.id, amount: Number(sats), withdraw_method: 'lightning', withdraw_request: pr }, { 'Idempotency-Key': `${tag}-refund-${index}` });
  record(traffic, out, answer, { kind: 'refund', account: session.merchant, sats, expected: unroutable ? 'failed' : 'paid' }, `refund ${index}`);
  return true;
}

function record(traffic: TrafficLog, out: MoneyOutLog, answer: Answer, r: Omit<MoneyOutRecord, 'id'>, what: string): void {
  if (answer.status === 200) {
    if (!out.objects.some((o) => o.id === answer.body.id)) out.objects.push({ ...r, id: answer.body.id });
    return;
  }
  // A 400 is allowed: the balance or the session's refundable amount moved under the request (receipts,
  // transfers, other payouts and refunds race it). Nothing may be reserved for it (checked at the end).
  if (answer.status === 400) {
    out.refused++;
    traffic.notes.push(`${what}: 400 ${answer.body?.errors?.[0]?.code ?? ''} ${answer.body?.errors?.[0]?.message ?? ''}`.slice(0, 200));
    return;
  }
  traffic.violations.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** An invoice of the customer's wallet (regtest, unknown to the platform); an unroutable one fails in test mode's sender. */
function invoice(sats: bigint, memo: string, unroutable: boolean): Promise<string> {
  return customerInvoice(sats, memo, { unroutable, expirySeconds: 3600 });
}

/** Ledger keys of what an object moved out of its account (src/db/funds.ts settle; activities/refunds.ts). */
export function ledgerKeyPattern(o: MoneyOutRecord): string {
  return o.kind === 'payout' ? `payout:${o.id}:%` : `${o.id}:refund%`;
}
