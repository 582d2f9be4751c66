import type { Client } from '@temporalio/client';
import { summarize, type Summary } from './stats';

type Ts = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
const ms = (t: Ts) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/**
 * Where a session's time goes, read from workflow histories (server timestamps): for workflow tasks
 * and each activity type, the wait in the task queue (scheduled → started) and the run (started →
 * completed); plus start → created update completed, and receipt signal → paid credit / last transfer.
 * This is the timing-span profile of the slowest steps, without instrumenting the product.
 */
export async function historySpans(temporal: Client, sessionIds: string[]): Promise<Record<string, Summary>> {
  const spans = new Map<string, number[]>();
  const add = (name: string, value: number) => { if (Number.isFinite(value)) spans.set(name, [...(spans.get(name) ?? []), value]); };
  for (const id of sessionIds) {
    const history = await temporal.workflow.getHandle(id).fetchHistory();
    const at = new Map<number, { time: number; name: string }>();
    let started = NaN;
    let signalled = NaN;
    let lastTransfer = NaN;
    for (const e of history.events ?? []) {
      const time = ms(e.eventTime as Ts);
      const eventId = Number(e.eventId);
      if (e.workflowExecutionStartedEventAttributes) started = time;
      else if (e.workflowExecutionSignaledEventAttributes) signalled = time;
      else if (e.workflowExecutionUpdateCompletedEventAttributes) add('start → created update completed', time - started);
      else if (e.workflowTaskScheduledEventAttributes) at.set(eventId, { time, name: 'workflow task' });
      else if (e.activityTaskScheduledEventAttributes) {
        at.set(eventId, { time, name: `activity ${e.activityTaskScheduledEventAttributes.activityType?.name}` });
      } else {
        const startedAttrs = e.workflowTaskStartedEventAttributes ?? e.activityTaskStartedEventAttributes;
        const done = e.workflowTaskCompletedEventAttributes ?? e.activityTaskCompletedEventAttributes;
        if (startedAttrs) {
          const scheduled = at.get(Number(startedAttrs.scheduledEventId));
          if (scheduled) {
            add(`${scheduled.name}: queue wait`, time - scheduled.time);
            at.set(eventId, { time, name: scheduled.name });
          }
        } else if (done) {
          const run = at.get(Number(done.startedEventId));
          if (run) add(`${run.name}: run`, time - run.time);
          const scheduled = at.get(Number(done.scheduledEventId));
          if (scheduled?.name === 'activity creditReceipt') add('receipt signal → credit done', time - signalled);
          if (scheduled?.name === 'activity executeTransfer') lastTransfer = time;
        }
      }
    }
    add('receipt signal → last transfer done', lastTransfer - signalled);
  }
  return Object.fromEntries([...spans.entries()].map(([k, v]) => [k, summarize(v)]));
}
