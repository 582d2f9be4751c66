import { randomBytes } from 'node:crypto';
import { mustCall } from './http';
import { ReadModelPoller } from './readModelPoller';
import { SESSION_SATS, type CreatedSession } from './sessions';
import { rate, runPool, summarize, within, type Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** Figures of the receipt phase. */
export interface ReceiptResult {
  sessions: number;
  /** Offered load: receipts per second sent on a fixed schedule (open loop), or null for closed loop. */
  ratePerSec: number | null;
  /** Closed loop only: receipts in flight (each lane waits for paid and transfers before the next). */
  concurrency: number | null;
  /** Sessions paid per second over the phase (first receipt sent → last transfer posted). */
  paidPerSec: number;
  /** How `paid` is detected (see ReadModelPoller). */
  method: string;
  /** The simulator call itself (store the receipt, signal the workflow). */
  receiveCall: Summary;
  /** Receipt call sent → the session row (what GET reads) shows `paid`. */
  toPaid: Summary;
  /** Receipt call sent → both split transfers posted (`paid`). */
  toTransfers: Summary | null;
}

/** How receipts are offered: `ratePerSec` > 0 sends on a fixed schedule (open loop), else `concurrency` lanes. */
export interface ReceiptLoad {
  ratePerSec: number;
  concurrency: number;
  pollMs: number;
  /** Split transfers per session to wait for (0: do not wait). */
  transfers: number;
}

/**
 * Pays each session in full with one on-chain receipt through the test-mode simulator
 * (`POST /test-helpers/payments/{pi}/receive`, the watcher's own entry point) and times how long the
 * read model takes to show it paid and, with `transfers` > 0, its split transfers posted. Open loop
 * (a fixed arrival rate, as payments arrive in practice) measures latency below capacity; closed
 * loop measures it at saturation. Times count from the scheduled send, so a late send is not hidden.
 */
export async function runReceipts(sys: BenchSystem, merchant: Merchant, sessions: CreatedSession[], load: ReceiptLoad): Promise<ReceiptResult> {
  const { pollMs, transfers } = load;
  const poller = await ReadModelPoller.start(sys, pollMs);
  const calls: number[] = [];
  const toPaid: number[] = [];
  const toTransfers: number[] = [];
  const started = performance.now();
  const pay = async (s: CreatedSession, t0: number) => {
    const paid = poller.whenPaid(s.id);
    const posted = transfers > 0 ? poller.whenTransfersPaid(s.id, transfers) : null;
    await mustCall(sys.baseUrl, merchant.key, 'POST', `/test-helpers/payments/${s.paymentId}/receive`, {
      amount: SESSION_SATS, method: 'onchain', reference: `${randomBytes(32).toString('hex')}:0`,
    });
    calls.push(performance.now() - t0);
    toPaid.push((await within(paid, 60_000, `${s.id} paid`)) - t0);
    if (posted) toTransfers.push((await within(posted, 60_000, `${s.id} transfers`)) - t0);
  };
  try {
    if (load.ratePerSec > 0) {
      await Promise.all(sessions.map(async (s, i) => {
        const at = started + (i * 1000) / load.ratePerSec;
        await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
        await pay(s, at);
      }));
    } else {
      await runPool(sessions.length, load.concurrency, (i) => pay(sessions[i], performance.now()));
    }
  } finally {
    await poller.stop();
  }
  const open = load.ratePerSec > 0;
  return {
    sessions: sessions.length, ratePerSec: open ? load.ratePerSec : null, concurrency: open ? null : load.concurrency,
    paidPerSec: rate(sessions.length, performance.now() - started),
    method: `read-model poll of PostgreSQL every ${pollMs} ms from its own process (upper bound: late by at most one interval + one query)`,
    receiveCall: summarize(calls), toPaid: summarize(toPaid), toTransfers: transfers > 0 ? summarize(toTransfers) : null,
  };
}
