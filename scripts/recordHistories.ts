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
import { runIds, scenarios, waitClosed, type Scenario } from './historyScenarios';

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const chosen = scenarios.filter((s) => only.size === 0 || only.has(s.name));
  if (chosen.length === 0) throw new Error(`no scenario named ${[...only].join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  await globalSetup();
  // Each system is started the first time a chosen scenario needs it (recording one scenario starts one).
  // No monitoring window: settled sessions close at once, so every recorded history is complete.
  const envs: Record<Scenario['system'], Record<string, string>> = {
    default: { MONITORING_HOURS: '0' },
    small: { MONITORING_HOURS: '0', WORKFLOW_HISTORY_LIMIT: '60', WORKFLOW_RETRY_BASE_SECONDS: '1' },
    idle: { MONITORING_HOURS: '0', WORKFLOW_IDLE_SECONDS: '2' },
    failing: { MONITORING_HOURS: '0', WORKFLOW_RETRY_BASE_SECONDS: '1' },
  };
  const systems: Partial<Record<Scenario['system'], TestSystem>> = {};
  try {
    for (const scenario of chosen) {
      const sys = systems[scenario.system] ??= await startTestSystem(envs[scenario.system]);
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
    for (const sys of Object.values(systems)) await sys.stop();
    await globalTeardown();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
