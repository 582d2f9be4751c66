import os from 'node:os';
import type { Logger } from 'pino';
import { PARTS, partOf, sleep, type Cluster } from './cluster';
import type { FailoverTarget } from './options';
import type { Random } from './random';

/**
 * The fault schedule: until `untilMs`, every few seconds SIGKILL an API, worker or watcher process (now
 * and then one of each at once) and start it again after a random pause; restart Temporal once (at about
 * a third of the run; on a cluster: SIGKILL a history process and a frontend) and PostgreSQL once (at about two thirds).
 * At least one part is killed however slow the box: on a loaded machine the two server restarts can
 * take the whole traffic window, and a run that killed nothing would prove nothing of what it claims.
 * Ends with every process running.
 */
export async function runFaults(cluster: Cluster, rng: Random, startMs: number, untilMs: number, log: Logger): Promise<void> {
  const span = untilMs - startMs;
  const temporalAt = startMs + span * 0.35;
  const postgresAt = startMs + span * 0.65;
  let temporalDone = false;
  let postgresDone = false;
  const restarts: Promise<void>[] = [];
  const down = new Set<string>();
  const names = cluster.processNames;
  let killed = 0;

  const killAndRestart = async (name: string) => {
    if (down.has(name)) return;
    if (!(await cluster.kill(name))) return; // not running (the supervisor is restarting it)
    killed++;
    down.add(name);
    log.info({ process: name }, 'chaos: SIGKILL');
    restarts.push(sleep(rng.int(200, 4_000)).then(() => {
      cluster.startPart(name);
      down.delete(name);
    }));
  };

  while (Date.now() < untilMs || !temporalDone || !postgresDone || killed === 0) {
    await sleep(rng.int(1_000, 5_000));
    if (!temporalDone && Date.now() >= temporalAt) {
      temporalDone = true;
      log.info('chaos: restarting Temporal');
      await cluster.restartTemporal(rng.int(1_000, 4_000));
      continue;
    }
    if (!postgresDone && Date.now() >= postgresAt) {
      postgresDone = true;
      log.info('chaos: restarting PostgreSQL');
      await cluster.restartPostgres(rng.int(1_000, 4_000));
      continue;
    }
    if (Date.now() >= untilMs && killed > 0) continue;
    if (rng.chance(0.15)) await Promise.all(PARTS.map((part) => killAndRestart(rng.pick(names.filter((n) => partOf(n) === part)))));
    else await killAndRestart(rng.pick(names));
  }
  await Promise.all(restarts);
  for (const name of names) if (!cluster.isRunning(name)) cluster.startPart(name);
}

/** When the scripted failover struck, and what. */
export interface FailoverKill {
  atMs: number;
  killed: string[];
  /** The box's load average (1, 5, 15 min) at the kill: recovery figures mean little without it. */
  loadAtKill: number[];
  /** The frontend killed, and what the load balancer in front of the frontends saw of it. */
  frontend?: FrontendLoss;
}

/** The frontend's part of the failover, from the balancer's counts. */
export interface FrontendLoss {
  name: string;
  /** The product's connections through the balancer to that frontend when it was killed (each had to reconnect). */
  liveAtKill: number;
  /** Connections through the balancer to any frontend, per frontend, over the whole run. */
  connections: Record<string, number>;
  /** Connects to the dead frontend that the balancer skipped for the next one while it was down. */
  skipped: number;
  /** From the kill until the first new connection was piped (to a surviving frontend: the dead one is still down then). */
  firstReconnectMs: number | null;
}

/**
 * The failover plan (`--failover`, on a cluster with replicas): at about 40 % of the run, SIGKILL at the
 * same instant one Temporal history process, one matching process (when the cluster runs two: the other
 * must take its task-queue partitions over), one frontend (when it runs two: the one carrying most of the
 * product's connections through the load balancer, which must move them to the other), one API, one
 * worker and one watcher. The survivors carry the load: the parts come back after 3 s (a supervisor's
 * restart), the server processes only after 20 s, so the other history and matching processes must have
 * taken their shards and partitions over by themselves, and every product process that was connected
 * through the dead frontend must have reconnected through the balancer. No other fault. `only` narrows
 * the kill to some of these (the same picks are made, so a seed names the same processes).
 */
export async function runFailover(
  cluster: Cluster, rng: Random, startMs: number, untilMs: number, log: Logger, only?: readonly FailoverTarget[],
): Promise<FailoverKill> {
  const wanted = (name: string) => !only || only.includes(name.split('-')[0] as FailoverTarget);
  const tc = cluster.temporalCluster;
  if (!tc) throw new Error('the failover plan needs the Temporal cluster (--cluster)');
  await sleep(Math.max(0, startMs + (untilMs - startMs) * 0.4 - Date.now()));
  const history = rng.pick(tc.names('history'));
  const matchings = tc.names('matching');
  const frontends = tc.names('frontend');
  const balancer = tc.balancer!;
  // The busiest frontend (ties: the first): the kill must cut product connections to prove anything.
  const frontend = frontends.length > 1
    ? frontends.reduce((a, b) => (balancer.liveConnections(b) > balancer.liveConnections(a) ? b : a))
    : null;
  const servers = [history, ...(matchings.length > 1 ? [rng.pick(matchings)] : []), ...(frontend ? [frontend] : [])].filter(wanted);
  const parts = PARTS.map((part) => rng.pick(cluster.processNames.filter((n) => partOf(n) === part))).filter(wanted);
  const atMs = Date.now();
  const loadAtKill = os.loadavg();
  const frontendKilled = frontend !== null && servers.includes(frontend);
  const liveAtKill = frontendKilled ? balancer.liveConnections(frontend) : 0;
  const skippedBefore = frontendKilled ? balancer.stats.skipped[frontend] : 0;
  await Promise.all([...servers.map((name) => tc.kill(name)), ...parts.map((name) => cluster.kill(name))]);
  log.info({ servers, parts, frontendConnectionsCut: liveAtKill }, 'failover: SIGKILL');
  if (servers.length) cluster.counts.temporalRestarts++;
  await sleep(3_000);
  for (const name of parts) cluster.startPart(name);
  await sleep(17_000);
  // Read before the restart: after it, connections may go to the killed frontend again.
  const reconnected = balancer.firstPipedSince(atMs);
  const skipped = frontendKilled ? balancer.stats.skipped[frontend] - skippedBefore : 0;
  for (const name of servers) tc.startNode(name);
  const lost: FrontendLoss | undefined = frontendKilled ? {
    name: frontend, liveAtKill, connections: { ...balancer.stats.connections }, skipped,
    firstReconnectMs: reconnected ? reconnected.at - atMs : null,
  } : undefined;
  return { atMs, killed: [...servers, ...parts], loadAtKill, frontend: lost };
}
