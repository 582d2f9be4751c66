import type { ApiClient, Answer } from './http';
import type { Random } from './random';

/** A merchant or partner account of the run, with its test key. */
export interface Account {
  id: string;
  key: string;
}

/** A receipt the API accepted (200), as the harness sent it. */
export interface SentReceipt {
  reference: string;
  paymentId: string;
  sessionId: string;
  accountId: string;
  amount: bigint;
  receiptId: string;
}

/** A session the run created and what it did with it. */
export interface SessionRecord {
  id: string;
  merchant: Account;
  transfers: { destination: string; percentage: string }[];
  receipts: SentReceipt[];
  deactivated: boolean;
}

/** Everything the traffic did, for the checks and the figures. */
export interface TrafficLog {
  sessions: SessionRecord[];
  /** Receive requests sent (first sends, duplicates and concurrent copies; retries not counted). */
  receiveRequests: number;
  duplicateAnswers: number;
  /** Answers the contract does not allow (a 4xx to a valid request, a changed receipt ID …). */
  violations: string[];
  /** Refusals the contract allows (a deactivate refused with a 409 unexpected_state), kept for the report. */
  notes: string[];
}

/**
 * Works through one session: create it (0–2 transfers), pay it with random partial, full, over- and
 * late receipts, some sent twice in a row, some three times at once, some to an earlier payment, and
 * sometimes deactivate it first. Every call retries through outages with the same Idempotency-Key.
 */
export async function runSession(
  api: ApiClient, rng: Random, log: TrafficLog, merchant: Account, partners: Account[], index: number, tag: string, minSats: number,
): Promise<void> {
  const transfers = rng.int(0, 2) === 0 ? [] : Array.from({ length: rng.int(1, 2) }, (_, k) => ({
    destination_account: partners[(index + k) % partners.length].id,
    percentage: rng.chance(0.3) ? rng.int(1, 40) : rng.int(100, 4000) / 100,
    description: `partner ${k}`,
  }));
  const body: Record<string, unknown> = { ...amountOf(rng, minSats), ...(transfers.length ? { transfers } : {}) };
  if (rng.chance(0.25)) body.ttl = rng.int(5, 40); // short-lived payments: renewals happen during the run
  const created = await api.call(merchant.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': `${tag}-create-${index}` });
  if (created.status !== 200) return void log.violations.push(`create ${index}: ${created.status} ${JSON.stringify(created.body)}`);
  const session: SessionRecord = {
    id: created.body.id, merchant, receipts: [], deactivated: false,
    transfers: transfers.map((t) => ({ destination: t.destination_account, percentage: String(t.percentage) })),
  };
  log.sessions.push(session);

  const earlier: string[] = [];
  const count = rng.int(0, 4);
  const deactivateAfter = rng.chance(0.15) ? rng.int(0, count) : -1;
  for (let j = 0; j < count; j++) {
    if (j === deactivateAfter) await deactivate(api, log, session);
    const current = await currentPayment(api, merchant, session.id);
    if (current.status !== 200 || !current.body.payment_id) {
      log.violations.push(`read ${session.id}: ${current.status} ${JSON.stringify(current.body)}`);
      return;
    }
    const due = BigInt(current.body.target_amount_due ?? 0);
    const paymentId = earlier.length > 0 && rng.chance(0.2) ? rng.pick(earlier) : current.body.payment_id as string;
    if (!earlier.includes(current.body.payment_id)) earlier.push(current.body.payment_id);
    const amount = withinSimulatorCap(receiptAmount(rng, due, minSats), await targetOf(api, merchant, paymentId));
    const method = rng.chance(0.8) ? 'onchain' : 'lightning';
    const reference = `${tag}-${index}-${j}${method === 'onchain' ? ':0' : ''}`;
    const copies = rng.chance(0.25) ? 3 : 1; // the same money reported three times at once
    // Each report is its own request (its own Idempotency-Key), as two watchers seeing one payment would be.
    const send = (copy: number) => receive(api, log, session, { paymentId, amount, method, reference }, copy);
    const answers = await Promise.all(Array.from({ length: copies }, (_, copy) => send(copy)));
    if (rng.chance(0.25)) answers.push(await send(copies)); // and once more, later: a duplicate report
    if (rng.chance(0.3) && j + 1 < count) {
      // A second, different receipt racing the first one's crediting.
      j++;
      const other = `${tag}-${index}-${j}:0`;
      const raced = withinSimulatorCap(receiptAmount(rng, due / 2n, minSats), await targetOf(api, merchant, current.body.payment_id));
      answers.push(await receive(api, log, session, { paymentId: current.body.payment_id, amount: raced, method: 'onchain', reference: other }, 0));
    }
    await new Promise((r) => setTimeout(r, rng.int(0, 1500)));
  }
  if (deactivateAfter === count) await deactivate(api, log, session);
}

/** Reports one receipt through the test helper and records what the API answered. */
export async function receive(
  api: ApiClient, log: TrafficLog, session: SessionRecord, r: { paymentId: string; amount: bigint; method: string; reference: string }, copy: number,
): Promise<Answer> {
  log.receiveRequests++;
  const answer = await api.call(session.merchant.key, 'POST', `/test-helpers/payments/${r.paymentId}/receive`,
    { amount: Number(r.amount), method: r.method, reference: r.reference }, { 'Idempotency-Key': `receive-${r.reference}-${copy}` });
  if (answer.status !== 200) {
    log.violations.push(`receive ${r.reference}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }
  if (answer.body.duplicate) log.duplicateAnswers++;
  if (answer.body.amount !== Number(r.amount) || answer.body.checkout_session !== session.id) {
    log.violations.push(`receive ${r.reference}: answered ${JSON.stringify(answer.body)} for ${r.amount} sats to ${session.id}`);
  }
  const known = session.receipts.find((s) => s.reference === r.reference);
  if (known && known.receiptId !== answer.body.id) log.violations.push(`receive ${r.reference}: receipt ${answer.body.id}, earlier ${known.receiptId}`);
  if (!known) {
    session.receipts.push({
      reference: r.reference, paymentId: r.paymentId, sessionId: session.id, accountId: session.merchant.id, amount: r.amount, receiptId: answer.body.id,
    });
  }
  return answer;
}

async function deactivate(api: ApiClient, log: TrafficLog, session: SessionRecord): Promise<void> {
  const answer = await api.call(session.merchant.key, 'POST', `/checkout-sessions/${session.id}/deactivate`, undefined,
    { 'Idempotency-Key': `deactivate-${session.id}` });
  // 409 unexpected_state: already paid (or deactivated by an earlier attempt whose answer was lost).
  const refused = answer.status === 409 && answer.body?.errors?.[0]?.code === 'unexpected_state';
  if (refused) log.notes.push(`deactivate ${session.id}: 409 ${answer.body?.errors?.[0]?.message}`);
  if (answer.status === 200 || refused) session.deactivated = answer.status === 200 || session.deactivated;
  else log.violations.push(`deactivate ${session.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** A price: mostly SATS, some BTC and fiat (converted at the built-in rates, rounded up to a sat). */
function amountOf(rng: Random, minSats: number): Record<string, unknown> {
  const kind = rng.int(0, 9);
  if (kind < 7) return { currency: 'SATS', amount: Math.max(minSats, rng.chance(0.15) ? rng.int(1, 200) : rng.int(500, 200_000)) };
  if (kind < 8) return { currency: 'BTC', amount: rng.int(1_000, 200_000) / 1e8 };
  return { currency: rng.pick(['USD', 'EUR']), amount: rng.int(100, 15_000) / 100 };
}

/** Full, partial, over or tiny; late money (anything) once nothing is due. */
function receiptAmount(rng: Random, due: bigint, minSats: number): bigint {
  const floor = BigInt(minSats);
  const atLeast = (v: bigint) => (v < floor ? floor : v);
  if (due <= 0n) return atLeast(BigInt(rng.int(1, 5_000)));
  const roll = rng.int(0, 9);
  if (roll < 3) return atLeast(due);
  if (roll < 8) return atLeast(due > 1n ? 1n + BigInt(Math.floor(rng.next() * Number(due - 1n))) : 1n);
  if (roll < 9) return due + BigInt(rng.int(1, 10_000));
  return atLeast(BigInt(rng.int(1, 10)));
}

/** The simulator takes at most 10 times a payment's amount (1 sat for a payment without one): late and over money stays within it. */
function withinSimulatorCap(amount: bigint, target: bigint): bigint {
  const cap = (target > 0n ? target : 1n) * 10n;
  return amount > cap ? cap : amount;
}

/** A payment's amount in sats (`target_amount`), read once per payment. */
const targets = new Map<string, bigint>();
async function targetOf(api: ApiClient, merchant: Account, paymentId: string): Promise<bigint> {
  if (!targets.has(paymentId)) {
    const read = await api.call(merchant.key, 'GET', `/payments/${paymentId}`);
    if (read.status !== 200) return 1n; // the receive answers the refusal, recorded as a violation there
    targets.set(paymentId, BigInt(read.body.target_amount ?? 0));
  }
  return targets.get(paymentId)!;
}

/** Reads the session until it has its first payment (made by the workflow, possibly after the create answered). */
export async function currentPayment(api: ApiClient, merchant: Account, id: string): Promise<Answer> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const answer = await api.call(merchant.key, 'GET', `/checkout-sessions/${id}`);
    if (answer.status !== 200 || answer.body.payment_id || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
