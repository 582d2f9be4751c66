import fs from 'node:fs';
import path from 'node:path';
import type { RegtestNetwork } from '../test/support/regtest/network';
import { LnurlWallet } from '../test/support/lnurlWallet';
import type { ApiClient, Answer } from './http';
import type { Random } from './random';

/** The platform node's channel reserve (1 % of the 5,000,000-sat channel) with a margin: it can never send this. */
const CHANNEL_RESERVE_SATS = 60_000n;

/** An availability probe's session amount. */
const PROBE_SATS = 1_000n;

/** A live-mode account of the regtest run, with its live secret key. */
export interface LiveAccount {
  id: string;
  key: string;
}

/** How the customer paid a session: over Lightning, or on-chain to the platform node's wallet (mined). */
export type Rail = 'lightning' | 'onchain';

/**
 * A session the customer node paid in full, once: `reference` is what the node knows the payment by, the
 * invoice's hash as the customer node paid it (Lightning) or the txid of the customer node's transaction
 * (on-chain; the receipt's reference is `txid:vout`).
 */
export interface PaidSession {
  id: string;
  merchant: LiveAccount;
  sats: bigint;
  transfers: { destination: string; percentage: string }[];
  rail: Rail;
  reference: string;
  /** When the customer node's payment left (ms since epoch), for the availability probes. */
  sentAt: number;
  /** An availability probe's session (1,000 sats, no transfer), checked like every other. */
  probe?: boolean;
}

/** A payout, withdrawal link or refund the API accepted, paying `sats` to the receiver node's invoice `paymentHash`. */
export interface MoneyOut {
  kind: 'payout' | 'withdrawal_link' | 'refund';
  id: string;
  account: LiveAccount;
  sats: bigint;
  paymentHash: string;
  /** Its send was left to stop at the crash point (paid on the node, not settled): the worker is SIGKILLed there. */
  killTarget: boolean;
}

/** What the regtest traffic did. */
export interface RegtestLog {
  sessions: PaidSession[];
  out: MoneyOut[];
  /** Answers or node results the run does not allow. */
  violations: string[];
  /** Allowed refusals (a 400 insufficient_funds while receipts race the request). */
  notes: string[];
}

/**
 * The regtest run's traffic: the customer node pays checkout sessions over the platform node's channel,
 * and the same node receives the money out (its invoices are the payouts' and refunds' destinations, and
 * it claims withdrawal links through LNURL), so each side of every payment is on a real node's records.
 */
export class RegtestTraffic {
  readonly log: RegtestLog = { sessions: [], out: [], violations: [], notes: [] };
  /** Sats the customer paid in and the money out took (harness side): money out stays well inside the channel's spendable side. */
  /** Sats the customer paid over Lightning: the platform node's side of the channel, all money out can spend. */
  private paidInLightning = 0n;
  private paidOut = 0n;
  /** One LNURL wallet per API replica: a claim moves to the next when one is unreachable, as behind a load balancer. */
  private readonly wallets: LnurlWallet[];

  constructor(
    private readonly api: ApiClient, private readonly net: RegtestNetwork, private readonly pauseDir: string,
    publicUrl: string, apiUrls: string[], private readonly tag: string,
  ) {
    this.wallets = apiUrls.map((url) => new LnurlWallet(publicUrl, url));
  }

  /**
   * Creates a SATS session for one rail (maybe with a transfer; a probe: 1,000 sats, none) and has the customer node pay it in full:
   * its Lightning invoice, or its on-chain address (credited once the harness's miner mined it). Returns
   * the paid session, or null (a violation logged) when it could not be paid.
   */
  async paySession(
    rng: Random, merchant: LiveAccount, partner: LiveAccount | null, index: number | string, { rail = 'lightning', probe = false }: { rail?: Rail; probe?: boolean } = {},
  ): Promise<PaidSession | null> {
    const sats = probe ? PROBE_SATS : BigInt(rng.int(20_000, 60_000));
    const transfers = partner && !probe && rng.chance(0.5) ? [{ destination_account: partner.id, percentage: rng.int(500, 3000) / 100 }] : [];
    const created = await this.api.call(merchant.key, 'POST', '/checkout-sessions',
      { currency: 'SATS', amount: Number(sats), payment_methods: [rail], ...(transfers.length ? { transfers } : {}) },
      { 'Idempotency-Key': `${this.tag}-session-${index}` });
    if (created.status !== 200) return this.violation(`session ${index}: ${created.status} ${JSON.stringify(created.body)}`);
    const paymentId = await this.until(`session ${index}'s payment`, () => this.api.call(merchant.key, 'GET', `/checkout-sessions/${created.body.id}`),
      (a) => (a.status === 200 && a.body.payment_id ? a.body.payment_id as string : undefined));
    const payment = await this.api.call(merchant.key, 'GET', `/payments/${paymentId}`);
    const options = payment.body?.payment_method_options;
    const sentAt = Date.now();
    let reference: string;
    if (rail === 'lightning') {
      const bolt11 = options?.lightning?.payment_request as string | undefined;
      if (!bolt11) return this.violation(`session ${index}: no Lightning invoice (${JSON.stringify(payment.body)})`);
      const paid = await this.net.customer.payInvoice(bolt11);
      if (paid.status !== 'SUCCEEDED') return this.violation(`session ${index}: the customer node's payment ${paid.status} ${paid.failure_reason ?? ''}`);
      reference = paid.payment_hash;
      this.paidInLightning += sats;
    } else {
      const address = options?.onchain?.address as string | undefined;
      if (!address) return this.violation(`session ${index}: no on-chain address (${JSON.stringify(payment.body)})`);
      reference = await this.net.customer.sendCoins(address, sats);
    }
    const session: PaidSession = {
      id: created.body.id, merchant, sats, rail, reference, sentAt, ...(probe ? { probe } : {}),
      transfers: transfers.map((t) => ({ destination: t.destination_account, percentage: String(t.percentage) })),
    };
    this.log.sessions.push(session);
    return session;
  }

  /** Until the session shows `paid` (ms since epoch), or null after `timeoutMs`. */
  async paidAt(session: PaidSession, timeoutMs = 300_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const read = await this.api.call(session.merchant.key, 'GET', `/checkout-sessions/${session.id}`).catch(() => null);
      if (read?.body?.status === 'paid') return Date.now();
      await new Promise((r) => setTimeout(r, 500));
    }
    return null;
  }

  /** Whether every session the customer paid shows `paid` (all the money in is credited). */
  async everySessionPaid(): Promise<boolean> {
    for (const session of this.log.sessions) {
      const read = await this.api.call(session.merchant.key, 'GET', `/checkout-sessions/${session.id}`).catch(() => null);
      if (read?.body?.status !== 'paid') return false;
    }
    return true;
  }

  private violation(message: string): null {
    this.log.violations.push(message);
    return null;
  }

  /**
   * One money-out operation (by `index`: payouts, withdrawal links and refunds in turn) to an invoice of
   * the receiver node. With `killTarget` its send stops at the crash point; every other send's pause file
   * is made first, so it goes straight on. False when nothing could be taken out yet (try again later).
   */
  async moneyOut(rng: Random, accounts: LiveAccount[], index: number, killTarget: boolean): Promise<MoneyOut | null> {
    const kind = (['payout', 'withdrawal_link', 'payout', 'refund'] as const)[index % 4];
    if (kind === 'refund') {
      // Lightning-paid sessions only: the refund goes over the channel their sats came in on.
      const paidOverLightning = this.log.sessions.filter((s) => s.rail === 'lightning');
      const session = paidOverLightning.length ? rng.pick(paidOverLightning) : null;
      if (!session) return null;
      return this.refund(session, index, killTarget);
    }
    const account = rng.pick(accounts);
    const balances = await this.api.call(account.key, 'GET', '/balances');
    const available = BigInt(balances.body?.available?.[0]?.amount ?? 0);
    // What fits with its fee limit (1 %, at least 10 sats), and leaves the platform node's side of the
    // channel well above its reserve (1 % of 5,000,000 sats), so every send has a route.
    const sats = this.bounded(available / 3n);
    if (sats < 1_000n) return null;
    return kind === 'payout' ? this.payout(account, sats, index, killTarget) : this.withdrawalLink(account, sats, index, killTarget);
  }

  private async payout(account: LiveAccount, sats: bigint, index: number, killTarget: boolean): Promise<MoneyOut | null> {
    const { paymentRequest, hash } = await this.invoice(sats, `chaos payout ${index}`, killTarget);
    const answer = await this.api.call(account.key, 'POST', '/instant-sends',
      { amount: Number(sats), currency: 'SATS', withdraw_method: 'lightning', withdraw_request: paymentRequest }, { 'Idempotency-Key': `${this.tag}-payout-${index}` });
    return this.accepted(answer, { kind: 'payout', account, sats, paymentHash: hash, killTarget }, `payout ${index}`);
  }

  private async withdrawalLink(account: LiveAccount, sats: bigint, index: number, killTarget: boolean): Promise<MoneyOut | null> {
    const answer = await this.api.call(account.key, 'POST', '/withdrawal-links',
      { currency: 'SATS', amount: Number(sats), description: `chaos ${index}` }, { 'Idempotency-Key': `${this.tag}-link-${index}` });
    if (answer.status !== 200) return this.accepted(answer, { kind: 'withdrawal_link', account, sats, paymentHash: '', killTarget }, `withdrawal link ${index}`);
    // The receiver node claims it as a phone wallet would (LUD-03): its invoice goes to the callback.
    const request = await this.withWallet((w) => w.withdrawRequest(answer.body.withdraw_request));
    const { paymentRequest, hash } = await this.invoice(sats, `chaos withdrawal ${index}`, killTarget);
    const claimed = await this.claim(account, answer.body.id, request, paymentRequest, hash);
    if (!claimed) this.log.violations.push(`withdrawal link ${index}: the claim of ${hash} was never taken`);
    return this.accepted(answer, { kind: 'withdrawal_link', account, sats, paymentHash: hash, killTarget }, `withdrawal link ${index}`);
  }

  /**
   * Sends the invoice to the link's callback as a wallet does, again after a LUD-03 ERROR ("busy": the
   * API's wait for the link's workflow ran out while the worker was down), unless the link meanwhile
   * took this very invoice (the claim had gone through). True once the link holds it.
   */
  private async claim(account: LiveAccount, linkId: string, request: Awaited<ReturnType<LnurlWallet['withdrawRequest']>>, pr: string, hash: string): Promise<boolean> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const answer = await this.wallets[attempt % this.wallets.length].sendInvoice(request, pr).catch((err: Error) => ({ status: 'ERROR', reason: err.message }));
      if (answer.status === 'OK') return true;
      this.log.notes.push(`withdrawal link ${linkId}: claim answered ${answer.reason ?? answer.status}`);
      const link = await this.api.call(account.key, 'GET', `/withdrawal-links/${linkId}`);
      if (link.body?.payment_hash === hash) return true;
      if (link.body?.payment_hash) return false; // another invoice took it: cannot happen, the harness sent only this one
      await new Promise((r) => setTimeout(r, 2_000));
    }
    return false;
  }

  private async refund(session: PaidSession, index: number, killTarget: boolean): Promise<MoneyOut | null> {
    const read = await this.api.call(session.merchant.key, 'GET', `/checkout-sessions/${session.id}`);
    const left = BigInt(read.body?.target_amount_paid ?? 0) - BigInt(read.body?.target_amount_refunded ?? 0);
    const sats = this.bounded(left / 2n);
    if (sats < 1_000n) return null;
    const { paymentRequest, hash } = await this.invoice(sats, `chaos refund ${index}`, killTarget);
    const answer = await this.api.call(session.merchant.key, 'POST', '/refunds',
      { checkout_session: session.id, amount: Number(sats), withdraw_method: 'lightning', withdraw_request: paymentRequest },
      { 'Idempotency-Key': `${this.tag}-refund-${index}` });
    return this.accepted(answer, { kind: 'refund', account: session.merchant, sats, paymentHash: hash, killTarget }, `refund ${index}`);
  }

  /** A wallet call through the API replicas in turn, for up to a minute while they are unreachable (one killed and restarting). */
  private async withWallet<T>(call: (wallet: LnurlWallet) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(this.wallets[attempt % this.wallets.length]);
      } catch (err) {
        if (attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  /**
   * Caps one send so that all money out stays under three quarters of what came in over Lightning above
   * the channel's reserve: the platform node's side starts empty, and it can send only what it holds
   * beyond the reserve (1 % of the 5,000,000-sat channel), which early in a run is little.
   */
  private bounded(wanted: bigint): bigint {
    const room = ((this.paidInLightning - CHANNEL_RESERVE_SATS) * 3n) / 4n - this.paidOut;
    const capped = wanted < room ? wanted : room;
    return capped > 12_000n ? 12_000n : capped;
  }

  /** An invoice of the receiver node; unless it is the kill target, its send's pause file exists first (no stop). */
  private async invoice(sats: bigint, memo: string, killTarget: boolean): Promise<{ paymentRequest: string; hash: string }> {
    const inv = await this.net.customer.post<{ payment_request: string; r_hash: string }>('/v1/invoices', { value: sats.toString(), memo, expiry: '3600' });
    const hash = Buffer.from(inv.r_hash, 'base64').toString('hex');
    if (!killTarget) fs.writeFileSync(path.join(this.pauseDir, hash), 'no stop');
    return { paymentRequest: inv.payment_request, hash };
  }

  private accepted(answer: Answer, o: Omit<MoneyOut, 'id'>, what: string): MoneyOut | null {
    if (answer.status === 200) {
      const record = { ...o, id: answer.body.id as string };
      this.paidOut += o.sats;
      this.log.out.push(record);
      return record;
    }
    // A 400 is allowed: receipts, transfers and other sends move the balance under the request.
    if (answer.status === 400) this.log.notes.push(`${what}: 400 ${answer.body?.errors?.[0]?.code ?? ''} ${answer.body?.errors?.[0]?.message ?? ''}`.slice(0, 200));
    else this.log.violations.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return null;
  }

  private async until<T>(what: string, read: () => Promise<Answer>, pick: (a: Answer) => T | undefined, timeoutMs = 180_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = pick(await read());
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
