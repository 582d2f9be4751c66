import type * as proto from '@temporalio/proto';

/** What a recorded history's markers show: the patches it took and the local activities it ran, in order. */
export interface HistoryMarkers {
  patches: string[];
  localActivities: string[];
}

const decode = (data: Uint8Array | null | undefined) => (data ? JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown> : {});

/**
 * Reads the SDK's markers of a history: `core_patch` (its `patch-data` detail names the patch) and
 * `core_local_activity` (its `data` detail names the activity type), so a fixture can be checked to have
 * been recorded by the workflow version it is filed under.
 */
export function markersOf(history: proto.temporal.api.history.v1.IHistory): HistoryMarkers {
  const found: HistoryMarkers = { patches: [], localActivities: [] };
  for (const e of history.events ?? []) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch') {
      found.patches.push(String(decode(marker.details?.['patch-data']?.payloads?.[0]?.data).id));
    } else if (marker?.markerName === 'core_local_activity') {
      found.localActivities.push(String(decode(marker.details?.data?.payloads?.[0]?.data).activity_type));
    }
  }
  return found;
}
