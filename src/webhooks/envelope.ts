/**
 * The event envelope (SPEC §8) and its one serialization. The same string is signed and sent, so it is
 * produced in exactly one place: envelope fields in the documented order, the object's keys sorted.
 */
import { canonicalJson } from './canonicalJson';
import { InvalidEventEnvelopeError } from './errors';

/** The only API version this server speaks (SPEC §2). */
export const EVENT_API_VERSION = '2022-10-15';

/** An event as stored, listed by `GET /events` and delivered to webhook endpoints. */
export interface EventEnvelope<T extends object = Record<string, unknown>> {
  id: string;
  object: 'event';
  api_version: typeof EVENT_API_VERSION;
  event_type: string;
  data: { object: T };
  livemode: boolean;
  created: number;
}

/** Input of `buildEventEnvelope`; `created` is epoch milliseconds. */
export interface BuildEventInput<T extends object = Record<string, unknown>> {
  id: string;
  eventType: string;
  object: T;
  livemode: boolean;
  created: number;
}

const EVENT_ID = /^evt_[A-Za-z0-9]+$/;
// resource.action, e.g. checkout_session.payment_paid; resources and actions are snake_case.
const EVENT_TYPE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

function check(envelope: EventEnvelope<object>): void {
  const fail = (what: string): never => {
    throw new InvalidEventEnvelopeError(`event envelope: ${what}`);
  };
  if (typeof envelope.id !== 'string' || !EVENT_ID.test(envelope.id)) fail(`id "${envelope.id}" is not evt_…`);
  if (envelope.object !== 'event') fail('object must be "event"');
  if (envelope.api_version !== EVENT_API_VERSION) fail(`api_version must be ${EVENT_API_VERSION}`);
  if (typeof envelope.event_type !== 'string' || !EVENT_TYPE.test(envelope.event_type)) {
    fail(`event_type "${envelope.event_type}" is not resource.action`);
  }
  if (typeof envelope.livemode !== 'boolean') fail('livemode must be a boolean');
  if (!Number.isSafeInteger(envelope.created) || envelope.created < 0) fail('created must be epoch milliseconds');
  const object = envelope.data?.object;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) fail('data.object must be an object');
}

/** Builds and validates the envelope `{ id, object: 'event', api_version, event_type, data: { object }, livemode, created }`. */
export function buildEventEnvelope<T extends object>(input: BuildEventInput<T>): EventEnvelope<T> {
  const envelope: EventEnvelope<T> = {
    id: input.id,
    object: 'event',
    api_version: EVENT_API_VERSION,
    event_type: input.eventType,
    data: { object: input.object },
    livemode: input.livemode,
    created: input.created,
  };
  check(envelope);
  canonicalJson(envelope.data.object, '$.data.object'); // fail at creation, not at the first delivery
  return envelope;
}

/** The exact body to sign and send: stable JSON, independent of the key order the envelope was stored with. */
export function serializeEvent(envelope: EventEnvelope<object>): string {
  check(envelope);
  const field = (key: string, json: string): string => `${JSON.stringify(key)}:${json}`;
  return `{${[
    field('id', JSON.stringify(envelope.id)),
    field('object', '"event"'),
    field('api_version', JSON.stringify(envelope.api_version)),
    field('event_type', JSON.stringify(envelope.event_type)),
    field('data', `{"object":${canonicalJson(envelope.data.object, '$.data.object')}}`),
    field('livemode', JSON.stringify(envelope.livemode)),
    field('created', JSON.stringify(envelope.created)),
  ].join(',')}}`;
}
