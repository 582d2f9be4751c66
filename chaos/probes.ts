import type { ApiClient } from './http';
import { currentPayment, receive, type Account, type SessionRecord, type TrafficLog } from './traffic';

/** One probe payment: a session paid in full by one receipt, and when it showed `paid`. */
export interface Probe {
  sentAt: number;
  paidAt: number | null;
}

const PROBE_SATS = 1_000n;

/**
 * Availability probes: every second until `untilMs`, a new session of `merchant` is paid in full and
 * read until it shows `paid` (the receipt went API → watcher path → workflow → ledger). Each probe is
 * recorded in the traffic log like any session, so the run's checks account for its sats too.
 */
export async function runProbes(api: ApiClient, merchant: Account, traffic: TrafficLog, untilMs: number, tag: string): Promise<Probe[]> {
  const probes: Promise<Probe | null>[] = [];
  for (let k = 0; Date.now() < untilMs; k++) {
    probes.push(probe(api, merchant, traffic, `${tag}-probe-${k}`).catch((err: Error) => {
      traffic.violations.push(`probe ${k}: ${err.message}`);
      return null;
    }));
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return (await Promise.all(probes)).filter((p): p is Probe => p !== null);
}

async function probe(api: ApiClient, merchant: Account, traffic: TrafficLog, tag: string): Promise<Probe | null> {
  const created = await api.call(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: Number(PROBE_SATS) }, { 'Idempotency-Key': `${tag}-create` });
  if (created.status !== 200) {
    traffic.violations.push(`${tag} create: ${created.status} ${JSON.stringify(created.body)}`);
    return null;
  }
  const session: SessionRecord = { id: created.body.id, merchant, receipts: [], deactivated: false, transfers: [] };
  traffic.sessions.push(session);
  const current = await currentPayment(api, merchant, session.id);
  if (current.status !== 200 || !current.body.payment_id) {
    traffic.violations.push(`${tag} read: ${current.status} ${JSON.stringify(current.body)}`);
    return null;
  }
  const sentAt = Date.now();
  const answer = await receive(api, traffic, session, { paymentId: current.body.payment_id, amount: PROBE_SATS, method: 'onchain', reference: `${tag}:0` }, 0);
  if (answer.status !== 200) return { sentAt, paidAt: null };
  const deadline = sentAt + 300_000; // then it counts as unpaid in the figures; the run's checks still demand its credit
  while (Date.now() < deadline) {
    const read = await api.call(merchant.key, 'GET', `/checkout-sessions/${session.id}`);
    if (read.body?.status === 'paid') return { sentAt, paidAt: Date.now() };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { sentAt, paidAt: null };
}

/** What the probes say about a failover at `killAt` (ms since epoch); durations in ms. */
export interface RecoveryFigures {
  probes: number;
  /** Median send → paid before the kill. */
  baselineMs: number | null;
  /** From the kill until the first payment sent after it showed paid: payments flow again. */
  firstPaidAfterKillMs: number | null;
  /** From the kill until the last payment slowed by it (> 3× the baseline, and 2 s more) showed paid. */
  allRecoveredMs: number | null;
  /** The slowest send → paid of a payment sent in the 10 s before or any time after the kill. */
  worstMs: number | null;
  /** Probes never seen paid (each also fails the run's checks through its session). */
  unpaid: number;
}

export function recoveryFigures(probes: Probe[], killAt: number): RecoveryFigures {
  const latency = (p: Probe) => (p.paidAt === null ? Infinity : p.paidAt - p.sentAt);
  const before = probes.filter((p) => p.paidAt !== null && p.paidAt < killAt).map(latency).sort((a, b) => a - b);
  const baselineMs = before.length ? before[Math.floor(before.length / 2)] : null;
  const after = probes.filter((p) => p.sentAt >= killAt && p.paidAt !== null);
  const firstPaidAfterKillMs = after.length ? Math.min(...after.map((p) => p.paidAt!)) - killAt : null;
  const around = probes.filter((p) => p.sentAt >= killAt - 10_000 && p.paidAt !== null);
  const slow = around.filter((p) => latency(p) > 3 * (baselineMs ?? 1_000) + 2_000);
  const allRecoveredMs = slow.length ? Math.max(...slow.map((p) => p.paidAt!)) - killAt : 0;
  const worstMs = around.length ? Math.max(...around.map(latency)) : null;
  return { probes: probes.length, baselineMs, firstPaidAfterKillMs, allRecoveredMs, worstMs, unpaid: probes.filter((p) => p.paidAt === null).length };
}
