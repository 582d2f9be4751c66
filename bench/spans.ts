import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { localActivityMarker, ms, type Ts } from './localActivityMarker';
import { summarize, type Summary } from './stats';

/**
 * Where a session's time goes, read from workflow histories (server timestamps): for workflow tasks
 * and each remote activity type, the wait in the task queue (scheduled → started) and the run (started →
 * completed); for each local activity type its run (see localActivityMarker.ts); plus start → created
 * update completed, and receipt signal → credit done / last transfer done.
 * This is the timing-span profile of the slowest steps, without instrumenting the product.
 */
export async function historySpans(temporal: Client, sessionIds: string[]): Promise<Record<string, Summary>> {
  const spans = new Map<string, number[]>();
  for (const id of sessionIds) {
    for (const [name, value] of sessionSpans(await temporal.workflow.getHandle(id).fetchHistory())) {
      spans.set(name, [...(spans.get(name) ?? []), value]);
    }
  }
  return Object.fromEntries([...spans.entries()].map(([k, v]) => [k, summarize(v)]));
}

/** The spans of one session's history, in ms, in history order (a name repeats per occurrence). */
export function sessionSpans(history: temporal.api.history.v1.IHistory): Array<[string, number]> {
  const spans: Array<[string, number]> = [];
  const add = (name: string, value: number) => { if (Number.isFinite(value)) spans.push([name, value]); };
  const at = new Map<number, { time: number; name: string }>();
  /** Workflow task completed event ID → its time and the time its task started (the workflow's clock then). */
  const taskDone = new Map<number, { time: number; startedAt: number }>();
  let started = NaN;
  let signalled = NaN;
  let lastTransfer = NaN;
  // The workflow clock advances to each local activity's completion within a task (see localActivityMarker.ts).
  let clock = { task: NaN, time: NaN };
  for (const e of history.events ?? []) {
    const time = ms(e.eventTime as Ts);
    const eventId = Number(e.eventId);
    if (e.workflowExecutionStartedEventAttributes) started = time;
    else if (e.workflowExecutionSignaledEventAttributes?.signalName === 'receipt') signalled = time;
    else if (e.workflowExecutionUpdateCompletedEventAttributes) add('start → created update completed', time - started);
    else if (e.workflowTaskScheduledEventAttributes) at.set(eventId, { time, name: 'workflow task' });
    else if (e.activityTaskScheduledEventAttributes) {
      at.set(eventId, { time, name: `activity ${e.activityTaskScheduledEventAttributes.activityType?.name}` });
    } else if (e.markerRecordedEventAttributes) {
      const marker = localActivityMarker(e.markerRecordedEventAttributes);
      const task = Number(e.markerRecordedEventAttributes.workflowTaskCompletedEventId);
      const done = taskDone.get(task);
      if (!marker || !done) continue;
      if (clock.task !== task) clock = { task, time: done.startedAt };
      add(`local activity ${marker.activityType}: run`, marker.completeTime - clock.time);
      clock.time = Math.max(clock.time, marker.completeTime);
      // Its result is durable (and the transfer final for the workflow) once the task that records it completes.
      if (marker.activityType === 'executeTransfer') lastTransfer = done.time;
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
        if (e.workflowTaskCompletedEventAttributes && run) taskDone.set(eventId, { time, startedAt: run.time });
        const scheduled = at.get(Number(done.scheduledEventId));
        if (scheduled?.name === 'activity creditReceipt') add('receipt signal → credit done', time - signalled);
        if (scheduled?.name === 'activity executeTransfer') lastTransfer = time;
      }
    }
  }
  add('receipt signal → last transfer done', lastTransfer - signalled);
  return spans;
}
