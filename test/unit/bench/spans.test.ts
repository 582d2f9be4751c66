/**
 * The bench's "where the time goes" spans read local activities from their `core_local_activity`
 * markers: a run is its completion on the workflow clock minus that clock when it was scheduled, and a
 * transfer run locally is done when the workflow task that records it completes.
 */
import type { temporal } from '@temporalio/proto';
import { sessionSpans } from '../../../bench/spans';
import { loadHistories } from '../../support/histories';

type Event = temporal.api.history.v1.IHistoryEvent;
const T0 = 1_800_000_000_000;
const at = (msAfter: number) => ({ seconds: Math.floor((T0 + msAfter) / 1000), nanos: ((T0 + msAfter) % 1000) * 1e6 });

// Event IDs are int64 (Long) in the generated types; the spans read them with Number(), so plain numbers do here.
type EventAttributes = Record<string, unknown>;
function history(events: Array<EventAttributes & { t: number }>): temporal.api.history.v1.IHistory {
  return { events: events.map(({ t, ...e }, i) => ({ ...e, eventId: i + 1, eventTime: at(t) }) as unknown as Event) };
}
function marker(type: string, completeAfter: number, taskCompletedEventId: number): EventAttributes {
  const data = { seq: 1, attempt: 1, activity_id: '1', activity_type: type, complete_time: at(completeAfter), backoff: null,
    original_schedule_time: at(completeAfter - 1) };
  return { markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: taskCompletedEventId,
    details: { data: { payloads: [{ metadata: {}, data: Buffer.from(JSON.stringify(data)) }] } } } };
}
const spansNamed = (spans: Array<[string, number]>, name: string) => spans.filter(([n]) => n === name).map(([, v]) => v);

test('local activities run back to back in one task each get their own runtime; a local transfer is done when its task completes', () => {
  const spans = sessionSpans(history([
    { t: 0, workflowExecutionStartedEventAttributes: {} },
    { t: 1, workflowTaskScheduledEventAttributes: {} },
    { t: 10, workflowTaskStartedEventAttributes: { scheduledEventId: 2 } },
    { t: 100, workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
    // The workflow clock starts at the task's start (10) and moves to each completion: runs of 30 and 20 ms.
    { t: 101, ...marker('createSession', 40, 4) },
    { t: 101, ...marker('recordSession', 60, 4) },
    { t: 200, workflowExecutionSignaledEventAttributes: { signalName: 'receipt' } },
    { t: 201, workflowTaskScheduledEventAttributes: {} },
    { t: 205, workflowTaskStartedEventAttributes: { scheduledEventId: 8 } },
    { t: 240, workflowTaskCompletedEventAttributes: { scheduledEventId: 8, startedEventId: 9 } },
    { t: 241, activityTaskScheduledEventAttributes: { activityType: { name: 'creditReceipt' } } },
    { t: 242, activityTaskStartedEventAttributes: { scheduledEventId: 11 } },
    { t: 270, activityTaskCompletedEventAttributes: { scheduledEventId: 11, startedEventId: 12 } },
    { t: 271, workflowTaskScheduledEventAttributes: {} },
    { t: 275, workflowTaskStartedEventAttributes: { scheduledEventId: 14 } },
    { t: 300, workflowTaskCompletedEventAttributes: { scheduledEventId: 14, startedEventId: 15 } },
    { t: 301, ...marker('executeTransfer', 282, 16) },
    { t: 301, ...marker('executeTransfer', 290, 16) },
    // A patch marker is not a local activity.
    { t: 301, markerRecordedEventAttributes: { markerName: 'core_patch', workflowTaskCompletedEventId: 16, details: {} } },
  ]));
  const near = (values: number[]) => values.map((v) => Math.round(v * 1000) / 1000);
  expect(near(spansNamed(spans, 'local activity createSession: run'))).toEqual([30]);
  expect(near(spansNamed(spans, 'local activity recordSession: run'))).toEqual([20]);
  expect(near(spansNamed(spans, 'local activity executeTransfer: run'))).toEqual([7, 8]);
  expect(near(spansNamed(spans, 'activity creditReceipt: run'))).toEqual([28]);
  expect(near(spansNamed(spans, 'receipt signal → credit done'))).toEqual([70]);
  expect(near(spansNamed(spans, 'receipt signal → last transfer done'))).toEqual([100]);
  expect(spans.some(([n]) => n.includes('core_patch') || n.includes('undefined'))).toBe(false);
});

describe('on the recorded histories', () => {
  const recorded = loadHistories(['1.0']).find((f) => f.name === 'paid-at-once')!;

  test('a session recorded with local activities shows each of them, within the workflow task that ran it', () => {
    const spans = sessionSpans(recorded.parsed);
    for (const type of ['createSession', 'receiptFacts', 'executeTransfer']) {
      const runs = spansNamed(spans, `local activity ${type}: run`);
      expect([type, runs.length > 0]).toEqual([type, true]);
      for (const run of runs) expect(run).toBeGreaterThan(0);
    }
    expect(spansNamed(spans, 'local activity executeTransfer: run')).toHaveLength(2);
    // Each task's local activities ran inside it: their runs add up to no more than the task's own run.
    const taskRuns = spansNamed(spans, 'workflow task: run');
    const firstTaskLocal = spansNamed(spans, 'local activity createSession: run')[0];
    expect(firstTaskLocal).toBeLessThanOrEqual(taskRuns[0]);
    const credit = spansNamed(spans, 'receipt signal → credit done')[0];
    const lastTransfer = spansNamed(spans, 'receipt signal → last transfer done')[0];
    expect(lastTransfer).toBeGreaterThan(credit);
  });
});
