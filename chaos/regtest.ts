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
  print(`chaos --regtest: seed ${opts.seed}, ${opts.sessions} sessions, ${moneyOutCount} payouts/withdrawals/refunds, ${kills} worker SIGKILLs, data in ${dir}`);
  const network = await startRegtestNetwork(path.join(dir, 'regtest'));
  const killNodes = () => network.killNow();
  process.once('exit', killNodes);
  const net = new RegtestNetwork(network.info);
  const pauseDir = path.join(dir, 'send-pauses');
  fs.mkdirSync(pauseDir, { recursive: true });
  const cluster = new Cluster(dir, log, randomBytes(32).toString('hex'), {
    temporalServerBinDir: null, replicas: 1,
    env: net.productEnv({ LND_PAYOUT_MACAROON_PATH: net.info.merchant.adminMacaroonPath, TEST_PAUSE_AFTER_SEND_DIR: pauseDir, ONCHAIN_MIN_CONFIRMATIONS: '1' }),
  });
  try {
    await cluster.start();
    const api = new ApiClient(cluster.apiUrls, new HttpStats());
    const [merchantA, merchantB, partner] = await liveAccounts(api, cluster.adminKey, `chaosrt${opts.seed}`);
    const merchants = [merchantA, merchantB];
    const traffic = new RegtestTraffic(api, net, pauseDir, cluster.apiUrls[0], cluster.apiUrls[0], `chaosrt${opts.seed}`);

    // Sessions paid by the customer node, two at a time, while the money goes out. Half-way, the watcher
    // (which follows the platform node's settled invoices from its stored cursor) is SIGKILLed and restarted:
    // an invoice settled while it is down must still be credited, once.
    let next = 0;
    let watcherKills = 0;
    const lanes = Array.from({ length: 2 }, async () => {
      const laneRng = rng.fork();
      for (let i = next++; i < opts.sessions; i = next++) {
        if (kills > 0 && i === Math.floor(opts.sessions / 2) && await cluster.kill('watcher')) {
          watcherKills++;
          print('chaos --regtest: watcher SIGKILLed while sessions are being paid');
          setTimeout(() => cluster.startPart('watcher'), 3_000);
        }
        await traffic.paySession(laneRng.fork(), merchants[i % 2], partner, i)
          .catch((err: Error) => { traffic.log.violations.push(`session ${i}: ${err.message}`); });
      }
    });
    // Money out from the first paid sessions on; the kill targets spread over the objects.
    let killed = 0;
    const targets = new Set(Array.from({ length: Math.min(kills, moneyOutCount) }, (_, k) => Math.floor(((k + 0.5) * moneyOutCount) / Math.max(kills, 1))));
    const moneyRng = rng.fork();
    let sessionsDone = false;
    const moneyLane = (async () => {
      for (let i = 0, tries = 0; i < moneyOutCount && tries < moneyOutCount * 40; tries++) {
        const made = await traffic.moneyOut(moneyRng.fork(), [merchantA, merchantB, partner], i, targets.has(i))
          .catch((err: Error) => { traffic.log.violations.push(`money out ${i}: ${err.message}`); return undefined; });
        if (made === null) { // nothing to take out yet (or a 400): the next try, later
          if (sessionsDone && tries > moneyOutCount * 4) break;
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
    await moneyLane;
    print(`chaos --regtest: ${traffic.log.sessions.length} sessions paid, ${traffic.log.out.length} sent out, ${killed} worker and ${watcherKills} watcher kills; waiting for quiescence`);

    const db = createDb(cluster.databaseUrl);
    try {
      const settleStart = Date.now();
      let observed = await observeRegtest(db, net, traffic.log);
      while (!regtestQuiescent(observed, traffic.log) && Date.now() - settleStart < opts.settleSec * 1000) {
        await sleep(2_000);
        observed = await observeRegtest(db, net, traffic.log);
      }
      const failures = await checkRegtest(db, net, observed, traffic.log, [merchantA, merchantB, partner], FEE_PERCENT, PLATFORM_ACCOUNT);
      if (killed < Math.min(kills, moneyOutCount)) failures.push(`only ${killed} of ${kills} worker kills happened`);
      const reconcile = spawnTs('src/cli/reconcile.ts', [], cluster.commandEnv());
      const reconcileCode = await reconcile.exited;
      const reserves = /reserves: .*/.exec(reconcile.tail())?.[0];
      if (reconcileCode !== 0) failures.push(`npm run reconcile exited ${reconcileCode}: ${reconcile.tail().slice(-1500)}`);
      const liabilities = [...observed.balances.values()].reduce((sum, b) => sum + b.balance, 0n);
      print(`  node             channels ${observed.node.channelsLocal} + wallet ${observed.node.walletConfirmed} sats; platform-held ${liabilities} sats `
        + `(tolerance ${custodyTolerance(traffic.log.out.length)})`);
      if (reserves) print(`  ${reserves}`);
      for (const note of traffic.log.notes.slice(0, 5)) print(`  note: ${note}`);
      print(failures.length === 0 ? 'chaos --regtest: PASS: every sat accounted for, the node\'s balance included' : `chaos --regtest: FAIL: ${failures.length} problem(s)`);
      for (const f of failures.slice(0, 50)) print(`  - ${f}`);
      return { log: traffic.log, observed, kills: killed, watcherKills, reconcileCode, failures };
    } finally {
      await db.destroy();
    }
  } finally {
    await cluster.stop().catch((err) => log.warn({ err }, 'stopping the cluster failed'));
    await network.stop();
    process.removeListener('exit', killNodes);
    if (opts.keep) print(`chaos --regtest: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
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
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the send of ${paymentHash} never reached its crash point`);
    await sleep(200);
  }
  await cluster.kill('worker');
  print(`chaos --regtest: worker SIGKILLed after the node paid ${paymentHash.slice(0, 16)}… and before the ledger settled`);
  await sleep(1_000);
  cluster.startPart('worker');
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
