import { condition, defineSignal, setHandler } from '@temporalio/workflow';

/** The one signal of the baseline workflow. */
export const goSignal = defineSignal('go');

/**
 * The bare-Temporal baseline: started, waits for one signal, completes. No activities, no timers:
 * what the server and worker cost per workflow before any of the project's own work.
 */
export async function baselineWorkflow(): Promise<string> {
  let go = false;
  setHandler(goSignal, () => { go = true; });
  await condition(() => go);
  return 'done';
}
