import type { Client } from '@temporalio/client';
import { waitFor } from './testSystem';

/**
 * How many runs of `workflowId` Temporal's visibility lists. Visibility is updated asynchronously (a
 * run that has started or closed may be listed a moment later, longer under load), so this polls until
 * at least `atLeast` runs are listed and then returns the count: a test asserting an exact number
 * never fails because the list lagged behind the server.
 */
export async function listedRuns(client: Client, workflowId: string, atLeast: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(async () => {
    let runs = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs++;
    return runs;
  }, (runs) => runs >= atLeast, timeoutMs);
}
