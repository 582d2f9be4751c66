import type { temporal } from '@temporalio/proto';

/** A protobuf timestamp as the client returns it (seconds may be a Long) or as marker JSON holds it. */
export type Ts = { seconds?: { toNumber(): number } | number | string | null; nanos?: number | null } | null | undefined;
/** Milliseconds since the epoch of a timestamp, NaN when absent. */
export const ms = (t: Ts) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/** What a local activity's marker says about its run. */
export interface LocalActivityRun {
  activityType: string;
  attempt: number;
  /**
   * When it completed on the workflow's clock, in ms: the time the workflow task started (or the previous
   * local activity of that task completed, since the workflow clock moves to each completion) plus the
   * activity's runtime (sdk-core `LocalActivityMarkerData.complete_time`).
   */
  completeTime: number;
  /** When it was first scheduled, by the worker's wall clock, in ms. */
  originalScheduleTime: number;
}

/**
 * Decodes a `core_local_activity` marker (how the SDK records a local activity in the history; its
 * `data` detail is JSON `LocalActivityMarkerData`), or null for any other marker (patches).
 *
 * The runtime is `completeTime` minus the workflow clock when the activity was scheduled, not minus
 * `originalScheduleTime`: the two are different clocks (the workflow's, which stands still during the
 * task's own work, versus the wall), so their difference can even be negative.
 */
export function localActivityMarker(attrs: temporal.api.history.v1.IMarkerRecordedEventAttributes): LocalActivityRun | null {
  if (attrs.markerName !== 'core_local_activity') return null;
  const payload = attrs.details?.data?.payloads?.[0]?.data;
  if (!payload) return null;
  const data = JSON.parse(Buffer.from(payload).toString('utf8')) as {
    activity_type: string; attempt: number; complete_time?: Ts; original_schedule_time?: Ts;
  };
  return {
    activityType: data.activity_type, attempt: data.attempt,
    completeTime: ms(data.complete_time), originalScheduleTime: ms(data.original_schedule_time),
  };
}
