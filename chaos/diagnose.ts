import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';

/**
 * Why money-out objects did not end as the run expected, for the report of a failed run: what
 * Temporal says of each one's workflow (its status; a pending activity's attempts and last failure; a
 * closed run's failure), or that it has none, and the last part-log lines naming it. A failed check then
 * says why, not only what.
 */
export async function explainMoneyOut(temporalAddress: string, logsDir: string, ids: string[]): Promise<string[]> {
  const lines: string[] = [];
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 5_000 }).catch((err: Error) => {
    lines.push(`  (Temporal at ${temporalAddress} unreachable: ${err.message})`);
    return null;
  });
  try {
    for (const id of ids) {
      lines.push(`  ${id}: ${connection ? await workflowState(new Client({ connection }), id) : 'workflow not asked'}`);
      for (const l of logLinesNaming(logsDir, id)) lines.push(`    ${l.slice(0, 400)}`);
    }
  } finally {
    await connection?.close();
  }
  return lines;
}

async function workflowState(client: Client, id: string): Promise<string> {
  const handle = client.workflow.getHandle(id);
  try {
    const d = await handle.describe();
    const parts = [`workflow ${d.status.name}`];
    for (const a of d.raw.pendingActivities ?? []) {
      parts.push(`pending ${a.activityType?.name ?? '?'} attempt ${a.attempt ?? 0}${a.lastFailure?.message ? ` (last failure: ${a.lastFailure.message})` : ''}`);
    }
    if (d.status.name === 'FAILED' || d.status.name === 'TERMINATED' || d.status.name === 'TIMED_OUT') {
      parts.push(await handle.result().then(() => 'no failure', (err: Error) => `failure: ${(err.cause as Error | undefined)?.message ?? err.message}`));
    }
    return parts.join('; ');
  } catch (err) {
    return (err as Error).name === 'WorkflowNotFoundError' ? 'no workflow' : `describe failed: ${(err as Error).message}`;
  }
}

/** The last lines of the part logs that name `id` (at most 8). */
function logLinesNaming(logsDir: string, id: string): string[] {
  if (!fs.existsSync(logsDir)) return [];
  const found: string[] = [];
  for (const file of fs.readdirSync(logsDir).sort()) {
    for (const line of fs.readFileSync(path.join(logsDir, file), 'utf8').split('\n')) if (line.includes(id)) found.push(`${file}: ${line}`);
  }
  return found.slice(-8);
}
