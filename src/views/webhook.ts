import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/webhooks';

/** A webhook endpoint (`we_…`) as the API returns it; the secret only when `withSecret` (create, rotate). */
export function webhookEndpointView(e: WebhookEndpointRow, withSecret = false) {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    livemode: e.livemode,
    url: e.url,
    description: e.description,
    enabled_events: e.enabled_events,
    status: e.status,
    ...(withSecret ? { secret: e.secret } : {}),
    created: Number(e.created),
    modified: Number(e.modified),
  };
}

/** One logged delivery attempt as the API returns it. */
export function webhookDeliveryView(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    object: 'webhook_delivery',
    webhook: d.endpoint_id,
    event: d.event_id,
    event_type: d.event_type,
    attempt: d.attempt,
    manual: d.manual,
    succeeded: d.ok,
    status_code: d.http_status,
    error: d.error,
    error_kind: d.error_kind,
    duration_ms: d.duration_ms,
    response_body: d.response_snippet,
    created: Number(d.created),
  };
}
