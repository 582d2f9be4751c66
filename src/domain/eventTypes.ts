/**
 * The event types of SPEC §8 and how an endpoint's `enabled_events` select them. Besides exact types,
 * `*` (everything) and `resource.*` (every action of one resource) are accepted, so an endpoint keeps
 * receiving actions that a later version adds to a resource it already listens to.
 */

/** Every event type an endpoint may subscribe to by name. */
export const WEBHOOK_EVENT_TYPES = [
  'checkout_session.created',
  'checkout_session.paid',
  'checkout_session.payment_paid',
  'checkout_session.deactivated',
  'payment.created',
  'payment.paid',
  'payment.expired',
  'payment.cancelled',
  'transfer.created',
  'transfer.paid',
  'checkout_link.created',
  'checkout_link.paid',
  'checkout_link.deactivated',
  'payment_link.created',
  'payment_link.deactivated',
  'instant_send.created',
  'instant_send.paid',
  'instant_send.failed',
] as const;

/** The resources events are about, for `resource.*` subscriptions. */
export const WEBHOOK_EVENT_RESOURCES = ['checkout_session', 'payment', 'transfer', 'checkout_link', 'payment_link', 'instant_send'] as const;

const KNOWN = new Set<string>(WEBHOOK_EVENT_TYPES);
const RESOURCES = new Set<string>(WEBHOOK_EVENT_RESOURCES);

/** Whether `value` is something `enabled_events` may hold: `*`, `resource.*` or a known type. */
export function isEventSelector(value: string): boolean {
  if (value === '*') return true;
  if (value.endsWith('.*')) return RESOURCES.has(value.slice(0, -2));
  return KNOWN.has(value);
}

/** Whether an endpoint with these `enabled_events` wants events of `eventType`. */
export function isSubscribed(enabledEvents: readonly string[], eventType: string): boolean {
  const resource = eventType.slice(0, eventType.indexOf('.'));
  return enabledEvents.some((s) => s === '*' || s === eventType || s === `${resource}.*`);
}
