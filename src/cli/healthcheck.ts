import 'dotenv/config';
import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { createTemporalClient } from '../temporal/client';

/**
 * Container healthcheck: `node dist/src/cli/healthcheck.js api|worker|watcher`, exit 0 when healthy.
 * The api answers its own /health; a worker or watcher is healthy when the two things it cannot work
 * without, PostgreSQL and Temporal, answer it (its own process is the container's, so a crash is seen
 * by the restart policy).
 */
async function main(part: string): Promise<void> {
  const config = loadConfig();
  if (part === 'api') {
    const res = await fetch(`http://127.0.0.1:${config.port}/health`, { signal: AbortSignal.timeout(4000) });
    if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
    return;
  }
  if (part !== 'worker' && part !== 'watcher') throw new Error(`unknown part "${part}": use api, worker or watcher`);
  if (!config.databaseUrl || !config.temporal.address) throw new Error('DATABASE_URL and TEMPORAL_ADDRESS must be set');
  const db = createDb(config.databaseUrl);
  try {
    await db.raw('select 1');
    const { connection } = await createTemporalClient(config.temporal.address, config.temporal.namespace, config.temporal.security, null, config.temporal.transport);
    try {
      await connection.workflowService.getSystemInfo({});
    } finally {
      await connection.close();
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv[2] ?? 'api').then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`unhealthy: ${err.message}\n`);
    process.exit(1);
  },
);
