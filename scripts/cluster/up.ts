import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTemporalServer, TemporalCluster } from './temporalCluster';

/**
 * `npx ts-node --transpile-only scripts/cluster/up.ts [DIR]`: brings up the multi-process Temporal
 * cluster (docs/cluster.md) on fresh databases, prints its frontends and how long each phase took, and
 * keeps it running until Ctrl-C (then stops every process it started). Point the product at it with
 * TEMPORAL_ADDRESS=<the balancer> (it spreads connections over the frontends, as production's LB does).
 */
async function main(): Promise<void> {
  const dir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cluster-'));
  const cluster = new TemporalCluster(dir, await buildTemporalServer());
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.stdout.write('stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    const t = await cluster.start();
    process.stdout.write(`Temporal cluster of ${cluster.nodes.size} processes ready in ${t.total} ms `
      + `(PostgreSQL ${t.postgres}, schema ${t.schema}, first frontend ${t.firstFrontend}, ring ${t.ring}, namespace + search attributes ${t.namespace})\n`);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  for (const n of cluster.nodes.values()) process.stdout.write(`  ${n.name.padEnd(11)} gRPC 127.0.0.1:${n.ports.grpc}  membership ${n.ports.membership}\n`);
  process.stdout.write(`frontends: ${cluster.frontendAddresses.join(' ')}\nbalancer in front of them (dial this): ${cluster.address}\nlogs and configs in ${dir}; Ctrl-C stops it\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
