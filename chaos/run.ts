import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/knex';
import { createLogger } from '../src/logger';
import { checkInvariants, observe, quiescent, type Observed } from './checks';
import { explainMoneyOut } from './diagnose';
import { Cluster, sleep } from './cluster';
import { runFailover, runFaults } from './faults';
import { recoveryFigures, runProbes } from './probes';
import { ApiClient, HttpStats } from './http';
import { parseOptions, type ChaosOptions } from './options';
import { Random } from './random';
import { WebhookReceiver } from './receiver';
import { buildTemporalServer } from '../scripts/cluster/temporalCluster';
import { printReport, type RunFigures } from './report';
import { spawnTs } from './processes';
import { runSession, type Account, type TrafficLog } from './traffic';
import { runMoneyOut, type MoneyOutLog } from './moneyOut';
import { runRegtestChaos } from './regtest';

const FEE_PERCENT = '1'; // PLATFORM_FEE_PERCENT's default, which the parts run with
const PLATFORM_ACCOUNT = 'acct_platform';

/**
 * `npm run chaos`: the system as separate processes under random SIGKILLs and one restart each of
 * Temporal and PostgreSQL, with concurrent, partial and duplicate payments; then every sat accounted
 * for. Exit code 0 when every check holds, 1 when one fails, 2 when the run could not be made.
 */
export async function runChaos(opts: ChaosOptions, print: (line: string) => void): Promise<RunFigures> {
  const log = createLogger(process.env.CHAOS_LOG_LEVEL ?? 'warn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-chaos-'));
  const rng = new Random(opts.seed);
  const shape = {
    temporalServerBinDir: opts.cluster || opts.failover ? await buildTemporalServer() : null,
    replicas: opts.replicas ?? (opts.cluster || opts.failover ? 2 : 1),
  };
  const cluster = new Cluster(dir, log, randomBytes(32).toString('hex'), shape);
  const receiver = new WebhookReceiver();
  const stats = new HttpStats();
  const on = shape.temporalServerBinDir ? `a Temporal cluster (${shape.replicas} processes per part)` : 'the Temporal dev server';
  print(`chaos: seed ${opts.seed}, ${opts.sessions} sessions over ${opts.durationSec} s on ${on}, data in ${dir}`);
  try {
    await receiver.start();
    await cluster.start();
    if (cluster.temporalCluster?.startup) {
      const t = cluster.temporalCluster.startup;
      print(`chaos: Temporal cluster of ${cluster.temporalCluster.nodes.size} processes ready in ${t.total} ms `
        + `(PostgreSQL ${t.postgres}, schema ${t.schema}, first frontend ${t.firstFrontend}, ring ${t.ring}, namespace ${t.namespace})`);
    }
    const api = new ApiClient(cluster.apiUrls, stats);
    const accounts = await setUpAccounts(api, cluster.adminKey, receiver);
    const [merchants, partners] = [accounts.slice(0, 2), accounts.slice(2)];

    const traffic: TrafficLog = { sessions: [], receiveRequests: 0, duplicateAnswers: 0, violations: [], notes: [] };
    const started = Date.now();
    const until = started + opts.durationSec * 1000;
    const faults = opts.failover ? runFailover(cluster, rng.fork(), started, until, log, opts.failoverKill) : runFaults(cluster, rng.fork(), started, until, log);
    const probes = opts.failover ? runProbes(api, merchants[0], traffic, until, `chaos${opts.seed}`) : Promise.resolve([]);
    let next = 0;
    const lanes = Array.from({ length: opts.concurrency }, async (_, lane) => {
      const laneRng = rng.fork();
      for (let i = next++; i < opts.sessions; i = next++) {
        // Sessions are spread over the run, so traffic meets every kind of fault.
        const slot = started + (i * opts.durationSec * 1000) / opts.sessions;
        if (Date.now() < slot) await sleep(slot - Date.now());
        await runSession(api, laneRng.fork(), traffic, merchants[(i + lane) % merchants.length], partners, i, `chaos${opts.seed}`, opts.minSats)
          .catch((err: Error) => { traffic.violations.push(`session ${i}: ${err.message} (the API stayed unreachable)`); });
      }
    });
    // Payouts and refunds race the receipts over the run's later part (once there is money to take out).
    const moneyOut: MoneyOutLog = { objects: [], refused: 0 };
    const moneyRng = rng.fork();
    let stopAt = Number.POSITIVE_INFINITY;
    const moneyLane = (async () => {
      // Spread over the run from its first third; an attempt with nothing to take out yet is tried again,
      // until the receipts' traffic has ended and 20 s more have passed.
      const moneyOutCount = opts.moneyOut ?? 0;
      const spacing = (opts.durationSec * 700) / Math.max(moneyOutCount, 1);
      await sleep(opts.durationSec * 300);
      for (let i = 0; i < moneyOutCount && Date.now() < stopAt;) {
        const made = await runMoneyOut(api, moneyRng.fork(), traffic, moneyOut, accounts, i, `chaos${opts.seed}`)
          .catch((err: Error) => { traffic.violations.push(`money out ${i}: ${err.message} (the API stayed unreachable)`); return true; });
        if (made) i++;
        await sleep(made ? spacing : 1_000);
      }
    })();
    const receipts = Promise.all([faults, probes, ...lanes]).then((r) => { stopAt = Date.now() + 20_000; return r; });
    const [[kill, probeResults]] = await Promise.all([receipts, moneyLane]);
    const chaosMs = Date.now() - started;
    print(`chaos: traffic and faults done after ${(chaosMs / 1000).toFixed(1)} s; waiting for quiescence`);

    const db = createDb(cluster.databaseUrl);
    try {
      const settleStart = Date.now();
      let observed: Observed = await observe(db, accounts, moneyOut);
      while (!quiescent(observed, receiver) && Date.now() - settleStart < opts.settleSec * 1000) {
        await sleep(2_000);
        observed = await observe(db, accounts, moneyOut);
      }
      const settleMs = Date.now() - settleStart;
      const failures = await checkInvariants(observed, traffic, receiver, api, accounts, FEE_PERCENT, PLATFORM_ACCOUNT, moneyOut);
      const reconcileCode = await reconcileExitCode(cluster);
      if (reconcileCode !== 0) failures.push(`npm run reconcile exited ${reconcileCode}`);
      if (cluster.temporalCluster?.unexpectedExits.length) failures.push(...cluster.temporalCluster.unexpectedExits.map((e) => `Temporal: ${e}`));
      const unended = moneyOut.objects.filter((m) => failures.some((f) => f.includes(m.id))).map((m) => m.id);
      if (unended.length) {
        print('chaos: money out that did not end as expected, as Temporal and the part logs have it:');
        for (const line of await explainMoneyOut(cluster.temporalAddress(), path.join(dir, 'logs'), unended)) print(line);
      }
      const figures: RunFigures = {
        opts, traffic, observed, moneyOut, stats, receiver, counts: cluster.counts, chaosMs, settleMs, reconcileCode, failures,
        failover: kill ? { killed: kill.killed, atMs: kill.atMs, loadAtKill: kill.loadAtKill, recovery: recoveryFigures(probeResults, kill.atMs), frontend: kill.frontend } : undefined,
        temporalRssMiB: cluster.temporalCluster?.rssMiB(),
      };
      printReport(figures, print);
      return figures;
    } finally {
      await db.destroy();
    }
  } finally {
    await cluster.stop().catch((err) => log.warn({ err }, 'stopping the cluster failed'));
    await receiver.stop();
    if (opts.keep) print(`chaos: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Two merchants and three partners (transfer destinations, connected to both), each with a webhook endpoint on the receiver. */
async function setUpAccounts(api: ApiClient, adminKey: string, receiver: WebhookReceiver): Promise<Account[]> {
  const accounts: Account[] = [];
  for (const name of ['Merchant A', 'Merchant B', 'Partner 1', 'Partner 2', 'Partner 3']) {
    const made = await api.call(adminKey, 'POST', '/accounts', { name }, { 'Idempotency-Key': `chaos-account-${name}` });
    if (made.status !== 200) throw new Error(`account ${name}: ${made.status} ${JSON.stringify(made.body)}`);
    const account = { id: made.body.id as string, key: made.body.secret_key as string };
    const hook = await api.call(account.key, 'POST', '/webhooks', { url: receiver.urlFor(account.id), enabled_events: ['*'] },
      { 'Idempotency-Key': `chaos-webhook-${name}` });
    if (hook.status !== 200) throw new Error(`webhook of ${name}: ${hook.status} ${JSON.stringify(hook.body)}`);
    receiver.setSecret(account.id, hook.body.secret);
    accounts.push(account);
  }
  // Transfer consent (docs/transfers.md): each merchant may send transfers to every partner.
  for (const merchant of accounts.slice(0, 2)) {
    for (const partner of accounts.slice(2)) {
      const connected = await api.call(adminKey, 'POST', `/accounts/${merchant.id}/transfer-destinations`, { destination_account: partner.id },
        { 'Idempotency-Key': `chaos-connect-${merchant.id}-${partner.id}` });
      if (connected.status !== 200) throw new Error(`transfer connection: ${connected.status} ${JSON.stringify(connected.body)}`);
    }
  }
  return accounts;
}

/** Runs the reconcile CLI (what `npm run reconcile` runs) against the run's database. */
async function reconcileExitCode(cluster: Cluster): Promise<number | null> {
  const child = spawnTs('src/cli/reconcile.ts', [], cluster.commandEnv());
  const code = await child.exited;
  if (code !== 0) process.stderr.write(child.tail());
  return code;
}

if (require.main === module) {
  let opts: ChaosOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const run = opts.regtest ? runRegtestChaos(opts, print) : runChaos(opts, print);
  run.then((figures) => process.exit(figures.failures.length === 0 ? 0 : 1), (err) => {
    process.stderr.write(`chaos: the run could not be made: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(2);
  });
}
