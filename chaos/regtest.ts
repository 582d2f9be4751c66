import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/knex';
import { createLogger } from '../src/logger';
import { RegtestNetwork, startRegtestNetwork } from '../test/support/regtest/network';
import { Cluster, sleep } from './cluster';
import { ApiClient, HttpStats } from './http';
import type { ChaosOptions } from './options';
import { spawnTs } from './processes';
import { Random } from './random';
import { checkRegtest, custodyTolerance, observeRegtest, regtestQuiescent, type RegtestObserved } from './regtestChecks';
import { RegtestTraffic, type LiveAccount, type RegtestLog } from './regtestTraffic';
import { runFailover } from './faults';
import { recoveryFigures, type Probe } from './probes';
import { failoverRows, type RunFigures } from './report';
import { buildTemporalServer } from '../scripts/cluster/temporalCluster';

const FEE_PERCENT = '1';
const PLATFORM_ACCOUNT = 'acct_platform';

/** What a regtest run did and found. */
export interface RegtestFigures {
  log: RegtestLog;
  observed: RegtestObserved;
  /** Worker SIGKILLs, each at a send's crash point (the node had paid, the ledger had not settled). */
  kills: number;
  /** Watcher SIGKILLs while the customer node paid sessions. */
  watcherKills: number;
  reconcileCode: number | null;
  failures: string[];
  /** On the cluster: the scripted failover and what the probe payments measured around it. */
  failover?: RunFigures['failover'];
}

/**
 * `npm run chaos -- --regtest`: money in and out on a real network. btcd and two LND nodes (the
 * platform's, and a customer's that pays sessions and receives the money out) next to the system as
 * separate processes in live mode. The customer node pays sessions over Lightning while payouts,
 * withdrawal links (claimed through LNURL) and refunds pay its invoices; `kills` of those sends stop at
 * the crash point (paid on the node, not yet settled on the ledger) and the worker is SIGKILLed there
 * and started again. Then nothing lost or doubled by either node's records, the ledger as the split rule
 * says, `npm run reconcile` (with its proof of reserves) at 0, and custody with the node's own balance.
 */
export async function runRegtestChaos(opts: ChaosOptions, print: (line: string) => void): Promise<RegtestFigures> {
  const log = createLogger(process.env.CHAOS_LOG_LEVEL ?? 'warn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-chaos-regtest-'));
  const rng = new Random(opts.seed);
  const kills = opts.kills ?? 2;
  const moneyOutCount = opts.moneyOut ?? 10;
  // On the Temporal cluster: two processes per part, the scripted failover instead of the lone watcher
  // kill, and probe payments measuring how long until payments flow again.
  const onCluster = Boolean(opts.cluster || opts.failover);
  const replicas = opts.replicas ?? (onCluster ? 2 : 1);
  const on = onCluster ? `a Temporal cluster (${replicas} processes per part)` : 'the Temporal dev server';
  print(`chaos --regtest: seed ${opts.seed}, ${opts.sessions} sessions (Lightning and on-chain), ${moneyOutCount} payouts/withdrawals/refunds, `
    + `${kills} worker SIGKILLs at the send, on ${on}, data in ${dir}`);
  const temporalServerBinDir = onCluster ? await buildTemporalServer() : null;
  const network = await startRegtestNetwork(path.join(dir, 'regtest'));
  const killNodes = () => network.killNow();
  process.once('exit', killNodes);
  const net = new RegtestNetwork(network.info);
  const pauseDir = path.join(dir, 'send-pauses');
  fs.mkdirSync(pauseDir, { recursive: true });
  const cluster = new Cluster(dir, log, randomBytes(32).toString('hex'), {
    temporalServerBinDir, replicas,
    env: net.productEnv({ LND_PAYOUT_MACAROON_PATH: net.info.merchant.adminMacaroonPath, TEST_PAUSE_AFTER_SEND_DIR: pauseDir, ONCHAIN_MIN_CONFIRMATIONS: '1' }),
  });
  let traffic: RegtestTraffic | undefined;
  const miner = new Miner(net, (err) => traffic?.log.violations.push(`mining: ${err.message}`));
  try {
    await cluster.start();
    if (cluster.temporalCluster?.startup) print(`chaos --regtest: Temporal cluster of ${cluster.temporalCluster.nodes.size} processes ready in ${cluster.temporalCluster.startup.total} ms`);
    const api = new ApiClient(cluster.apiUrls, new HttpStats());
    const [merchantA, merchantB, partner] = await liveAccounts(api, cluster.adminKey, `chaosrt${opts.seed}`);
    const merchants = [merchantA, merchantB];
    const t = new RegtestTraffic(api, net, pauseDir, cluster.apiUrls[0], cluster.apiUrls, `chaosrt${opts.seed}`);
    traffic = t;
    miner.start(); // a block every 2 s while the mempool holds a transaction: on-chain payments confirm (1 confirmation counts)

    const started = Date.now();
    const until = started + opts.durationSec * 1000;
    const failover = onCluster ? runFailover(cluster, rng.fork(), started, until, log, opts.failoverKill) : Promise.resolve(null);
    const probes = onCluster ? liveProbes(t, merchantA, until) : Promise.resolve([]);
    // Sessions paid by the customer node, every other one on-chain, two at a time (spread over the run's
    // duration, if it has one), while the money goes out. On the dev server, half-way the watcher (which
    // follows the node's settled invoices and blocks from its stored cursors) is SIGKILLed and restarted:
    // money that arrived while it was down must still be credited, once.
    let next = 0;
    let watcherKills = 0;
    const lanes = Array.from({ length: 2 }, async () => {
      const laneRng = rng.fork();
      for (let i = next++; i < opts.sessions; i = next++) {
        const slot = started + (i * opts.durationSec * 1000) / opts.sessions;
        if (Date.now() < slot) await sleep(slot - Date.now());
        if (!onCluster && kills > 0 && i === Math.floor(opts.sessions / 2) && await cluster.kill('watcher')) {
          watcherKills++;
          print('chaos --regtest: watcher SIGKILLed while sessions are being paid');
          setTimeout(() => cluster.startPart('watcher'), 3_000);
        }
        await t.paySession(laneRng.fork(), merchants[i % 2], partner, i, { rail: i % 2 === 1 ? 'onchain' : 'lightning' })
          .catch((err: Error) => { t.log.violations.push(`session ${i}: ${err.message}`); });
      }
    });
    // Money out from the first paid sessions on; the kill targets spread over the first half of the
    // objects. Late objects may never be made: each is capped by what came in over Lightning, and the lane
    // ends once every session is paid and nothing more fits (a run with 7 of 10 made once missed a kill
    // aimed at object 7).
    let killed = 0;
    const targets = new Set(Array.from({ length: Math.min(kills, moneyOutCount) }, (_, k) => Math.floor(((k + 0.5) * moneyOutCount) / (2 * Math.max(kills, 1)))));
    const moneyRng = rng.fork();
    let sessionsDone = false;
    const moneyLane = (async () => {
      for (let i = 0, tries = 0; i < moneyOutCount && tries < moneyOutCount * 40; tries++) {
        const made = await t.moneyOut(moneyRng.fork(), [merchantA, merchantB, partner], i, targets.has(i))
          .catch((err: Error) => { t.log.violations.push(`money out ${i}: ${err.message}`); return undefined; });
        if (made === null) { // nothing to take out yet (or a 400): the next try, later
          // Nothing more will come in once every paid session shows paid: then nothing more can go out.
          if (sessionsDone && await t.everySessionPaid()) break;
          await sleep(1_000);
          continue;
        }
        if (made?.killTarget) {
          await crashAtSend(cluster, pauseDir, made.paymentHash, print);
          killed++;
        }
        i++;
      }
    })();
    await Promise.all(lanes);
    sessionsDone = true;
    const [kill, probeResults] = await Promise.all([failover, probes, moneyLane]);
    const paid = t.log.sessions.filter((s) => !s.probe);
    print(`chaos --regtest: ${paid.length} sessions paid (${paid.filter((s) => s.rail === 'onchain').length} on-chain) and ${t.log.sessions.length - paid.length} probes, `
      + `${t.log.out.length} sent out, ${killed} worker and ${watcherKills} watcher kills at their points${kill ? `, failover: ${kill.killed.join(', ')}` : ''}; waiting for quiescence`);

    const db = createDb(cluster.databaseUrl);
    try {
      const settleStart = Date.now();
      let observed = await observeRegtest(db, net, t.log);
      while (!regtestQuiescent(observed, t.log) && Date.now() - settleStart < opts.settleSec * 1000) {
        await sleep(2_000);
        observed = await observeRegtest(db, net, t.log);
      }
      await miner.stop();
      observed = await observeRegtest(db, net, t.log);
      const failures = await checkRegtest(db, net, observed, t.log, [merchantA, merchantB, partner], FEE_PERCENT, PLATFORM_ACCOUNT);
      if (killed < Math.min(kills, moneyOutCount)) failures.push(`only ${killed} of ${kills} worker kills happened`);
      if (cluster.temporalCluster?.unexpectedExits.length) failures.push(...cluster.temporalCluster.unexpectedExits.map((e) => `Temporal: ${e}`));
      const reconcile = spawnTs('src/cli/reconcile.ts', [], cluster.commandEnv());
      const reconcileCode = await reconcile.exited;
      const reserves = /reserves: .*/.exec(reconcile.tail())?.[0];
      if (reconcileCode !== 0) failures.push(`npm run reconcile exited ${reconcileCode}: ${reconcile.tail().slice(-1500)}`);
      const liabilities = [...observed.balances.values()].reduce((sum, b) => sum + b.balance, 0n);
      const failoverFigures = kill ? { killed: kill.killed, atMs: kill.atMs, loadAtKill: kill.loadAtKill, recovery: recoveryFigures(probeResults, kill.atMs), frontend: kill.frontend } : undefined;
      if (failoverFigures && failoverFigures.recovery.firstPaidAfterKillMs === null) failures.push('no payment sent after the failover was seen paid');
      const receipts = [...observed.receipts.values()].flat();
      print(`  receipts         ${receipts.length} (${receipts.filter((r) => r.reference.includes(':')).length} on-chain, mined; `
        + `${receipts.filter((r) => !r.reference.includes(':')).length} Lightning), each checked against the platform node's invoices and wallet`);
      print(`  node             channels ${observed.node.channelsLocal} + wallet ${observed.node.walletConfirmed} sats; platform-held ${liabilities} sats `
        + `(tolerance ${custodyTolerance(t.log.out.length)})`);
      if (reserves) print(`  ${reserves}`);
      if (failoverFigures) for (const [name, value] of failoverRows(failoverFigures)) print(`  ${name.padEnd(16)} ${value}`);
      for (const note of t.log.notes.slice(0, 5)) print(`  note: ${note}`);
      print(failures.length === 0 ? 'chaos --regtest: PASS: every sat accounted for, the node\'s balance included' : `chaos --regtest: FAIL: ${failures.length} problem(s)`);
      for (const f of failures.slice(0, 50)) print(`  - ${f}`);
      return { log: t.log, observed, kills: killed, watcherKills, reconcileCode, failures, failover: failoverFigures };
    } finally {
      await db.destroy();
    }
  } finally {
    await miner.stop();
    await cluster.stop().catch((err) => log.warn({ err }, 'stopping the cluster failed'));
    await network.stop();
    process.removeListener('exit', killNodes);
    if (opts.keep) print(`chaos --regtest: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Availability probes in live mode: every 2 s until `untilMs`, a customer opens a 1,000-sat Lightning
 * checkout (the session and its invoice made through the API and a worker), the customer node pays it,
 * and it is read until it shows `paid` (invoice settled on the node → a watcher's stream → the workflow →
 * the ledger). A probe's time runs from opening the checkout, so a creation stalled by a failover counts
 * too. Each is a paid session of the run, so the checks account for its sats.
 */
async function liveProbes(traffic: RegtestTraffic, merchant: LiveAccount, untilMs: number): Promise<Probe[]> {
  const probes: Promise<Probe | null>[] = [];
  for (let k = 0; Date.now() < untilMs; k++) {
    probes.push((async () => {
      const openedAt = Date.now();
      const session = await traffic.paySession(new Random(k), merchant, null, `probe-${k}`, { probe: true });
      return session ? { sentAt: openedAt, paidAt: await traffic.paidAt(session) } : null;
    })().catch((err: Error) => { traffic.log.violations.push(`probe ${k}: ${err.message}`); return null; }));
    await sleep(2_000);
  }
  return (await Promise.all(probes)).filter((p): p is Probe => p !== null);
}

/** Mines a block every 2 s while the miner's mempool holds a transaction (the customers' on-chain payments). */
class Miner {
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly net: RegtestNetwork, private readonly onError: (err: Error) => void) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopped) {
        await sleep(2_000);
        if (this.stopped) break;
        try {
          if ((await this.net.mempool()).length > 0) await this.net.mine(1);
        } catch (err) {
          this.onError(err as Error);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

/**
 * Waits until the send of `paymentHash` stopped at its crash point (the node has paid, the ledger has
 * not settled: activities/sendPause.ts wrote its file), SIGKILLs the worker there and starts a new one,
 * which must find the payment on the node instead of paying again.
 */
async function crashAtSend(cluster: Cluster, pauseDir: string, paymentHash: string, print: (line: string) => void): Promise<void> {
  const file = path.join(pauseDir, paymentHash);
  const deadline = Date.now() + 240_000;
  while (!fs.existsSync(file) || !fs.readFileSync(file, 'utf8')) {
    if (Date.now() > deadline) throw new Error(`the send of ${paymentHash} never reached its crash point`);
    await sleep(200);
  }
  // The file holds the PID of the worker stopped there (with replicas, either one).
  const worker = cluster.nameOfPid(Number(fs.readFileSync(file, 'utf8'))) ?? 'worker';
  await cluster.kill(worker);
  print(`chaos --regtest: ${worker} SIGKILLed after the node paid ${paymentHash.slice(0, 16)}… and before the ledger settled`);
  await sleep(1_000);
  cluster.startPart(worker);
}

/** Two merchants and a partner (a transfer destination connected to both), each with a live secret key; Lightning money is platform-held. */
async function liveAccounts(api: ApiClient, adminKey: string, tag: string): Promise<LiveAccount[]> {
  const accounts: LiveAccount[] = [];
  for (const name of ['Merchant A', 'Merchant B', 'Partner']) {
    const made = await api.call(adminKey, 'POST', '/accounts', { name, onchain_settlement: 'platform' }, { 'Idempotency-Key': `${tag}-account-${name}` });
    if (made.status !== 200) throw new Error(`account ${name}: ${made.status} ${JSON.stringify(made.body)}`);
    const key = await api.call(adminKey, 'POST', `/accounts/${made.body.id}/keys`, { livemode: true }, { 'Idempotency-Key': `${tag}-key-${name}` });
    if (key.status !== 200) throw new Error(`live key of ${name}: ${key.status} ${JSON.stringify(key.body)}`);
    accounts.push({ id: made.body.id, key: key.body.secret_key });
  }
  // Transfer consent (docs/transfers.md): both merchants may send transfers to the partner.
  const [partner] = accounts.slice(2);
  for (const merchant of accounts.slice(0, 2)) {
    const connected = await api.call(adminKey, 'POST', `/accounts/${merchant.id}/transfer-destinations`, { destination_account: partner.id },
      { 'Idempotency-Key': `${tag}-connect-${merchant.id}` });
    if (connected.status !== 200) throw new Error(`transfer connection: ${connected.status} ${JSON.stringify(connected.body)}`);
  }
  return accounts;
}
