/**
 * `npm run record-histories [name…]`: drives every session lifecycle of scripts/historyScenarios.ts
 * against a real PostgreSQL and a real Temporal dev server (the test suite's own setup) and saves each
 * workflow run's history to the current fixture set (test/fixtures/histories/<set>/*.json), which
 * `npm test` replays against the current workflow bundle with every older set. Only the current set is
 * written: older sets were recorded by older workflow code and are what proves open histories replay.
 * A release that changes the workflow adds a set (test/support/histories.ts) and records it; never
 * re-record in the change that alters the workflow (docs/workflow-versioning.md).
 */
import globalSetup from '../test/support/globalSetup';
import globalTeardown from '../test/support/globalTeardown';
import { CURRENT_HISTORY_SET, removeHistories, saveHistory } from '../test/support/histories';
import { startTestSystem, waitFor, type TestSystem } from '../test/support/testSystem';
import { runIds, scenarios, waitClosed } from './historyScenarios';

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const chosen = scenarios.filter((s) => only.size === 0 || only.has(s.name));
  if (chosen.length === 0) throw new Error(`no scenario named ${[...only].join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  await globalSetup();
  const systems: Partial<Record<'default' | 'small' | 'idle' | 'failing', TestSystem>> = {};
  try {
    // No monitoring window: settled sessions close at once, so every recorded history is complete.
    systems.default = await startTestSystem({ MONITORING_HOURS: '0' });
    systems.small = await startTestSystem({ MONITORING_HOURS: '0', WORKFLOW_HISTORY_LIMIT: '60', WORKFLOW_RETRY_BASE_SECONDS: '1' });
    systems.idle = await startTestSystem({ MONITORING_HOURS: '0', WORKFLOW_IDLE_SECONDS: '2' });
    systems.failing = await startTestSystem({ MONITORING_HOURS: '0', WORKFLOW_RETRY_BASE_SECONDS: '1' });
    for (const scenario of chosen) {
      const sys = systems[scenario.system]!;
      const ids = await scenario.run(sys);
      // A re-recording may yield fewer runs than the last one: no stale file of this scenario may stay in the set.
      removeHistories(scenario.name, CURRENT_HISTORY_SET);
      for (const [i, workflowId] of ids.entries()) {
        // A run still open (a deactivated session waits for its next timer) is recorded as far as it got.
        const closed = await waitClosed(sys.temporal, workflowId, 5_000);
        const latest = (await sys.temporal.workflow.getHandle(workflowId).describe()).runId;
        const runs = await waitFor(() => runIds(sys.temporal, workflowId), (r) => r.includes(latest));
        for (const [r, runId] of runs.entries()) {
          const handle = sys.temporal.workflow.getHandle(workflowId, runId);
          const description = await handle.describe();
          const history = await handle.fetchHistory();
          const suffix = `${ids.length > 1 ? `.${i + 1}` : ''}${runs.length > 1 ? `.run${r + 1}` : ''}`;
          const file = saveHistory({
            name: `${scenario.name}${suffix}`, description: scenario.description, workflowId, runId,
            workflowType: description.type, history,
          }, CURRENT_HISTORY_SET);
          process.stdout.write(`${file}: ${history.events?.length ?? 0} events${closed || runId !== latest ? '' : ' (still running)'}\n`);
        }
      }
    }
  } finally {
    await systems.default?.stop();
    await systems.small?.stop();
    await systems.idle?.stop();
    await systems.failing?.stop();
    await globalTeardown();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
