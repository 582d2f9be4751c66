import type { Logger } from 'pino';
import { PARTS, sleep, type Cluster, type Part } from './cluster';
import type { Random } from './random';

/**
 * The fault schedule: until `untilMs`, every few seconds SIGKILL the API, the worker or the watcher (now
 * and then all three at once) and start it again after a random pause; restart the Temporal server once
 * (at about a third of the run) and PostgreSQL once (at about two thirds). Ends with every part running.
 */
export async function runFaults(cluster: Cluster, rng: Random, startMs: number, untilMs: number, log: Logger): Promise<void> {
  const span = untilMs - startMs;
  const temporalAt = startMs + span * 0.35;
  const postgresAt = startMs + span * 0.65;
  let temporalDone = false;
  let postgresDone = false;
  const restarts: Promise<void>[] = [];
  const down = new Set<Part>();

  const killAndRestart = async (part: Part) => {
    if (down.has(part)) return;
    if (!(await cluster.kill(part))) return; // not running (the supervisor is restarting it)
    down.add(part);
    log.info({ part }, 'chaos: SIGKILL');
    restarts.push(sleep(rng.int(200, 4_000)).then(() => {
      cluster.startPart(part);
      down.delete(part);
    }));
  };

  while (Date.now() < untilMs || !temporalDone || !postgresDone) {
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
    if (Date.now() >= untilMs) continue;
    if (rng.chance(0.15)) await Promise.all(PARTS.map(killAndRestart));
    else await killAndRestart(rng.pick(PARTS));
  }
  await Promise.all(restarts);
  for (const part of PARTS) if (!cluster.isRunning(part)) cluster.startPart(part);
}
