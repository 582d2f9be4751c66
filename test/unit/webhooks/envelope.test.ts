import fc from 'fast-check';
import {
  buildEventEnvelope,
  canonicalJson,
  EVENT_API_VERSION,
  InvalidEventEnvelopeError,
  serializeEvent,
} from '../../../src/webhooks';

const base = {
  id: 'evt_1a2B',
  eventType: 'payment.paid',
  object: { id: 'pi_1', object: 'payment', amount: 1500, currency: 'SATS', metadata: { b: '2', a: '1' } },
  livemode: true,
  created: 1_700_000_000_123,
};

describe('buildEventEnvelope', () => {
  it('builds the SPEC §8 event shape', () => {
    expect(buildEventEnvelope(base)).toEqual({
      id: 'evt_1a2B',
      object: 'event',
      api_version: '2022-10-15',
      event_type: 'payment.paid',
      data: { object: base.object },
      livemode: true,
      created: 1_700_000_000_123,
    });
    expect(EVENT_API_VERSION).toBe('2022-10-15');
  });

  it.each([
    ['an id without evt_', { id: 'cs_1' }],
    ['an event type without a dot', { eventType: 'paid' }],
    ['a fractional created', { created: 1.5 }],
    ['an array object', { object: [] as unknown as object }],
    ['a Date inside the object', { object: { at: new Date() } }],
    ['NaN inside the object', { object: { amount: NaN } }],
    ['a bigint inside the object', { object: { amount: 1n } }],
  ])('rejects %s', (_label, patch) => {
    expect(() => buildEventEnvelope({ ...base, ...patch })).toThrow(InvalidEventEnvelopeError);
  });
});

describe('serializeEvent', () => {
  it('writes envelope fields in the documented order and sorts the object keys', () => {
    expect(serializeEvent(buildEventEnvelope(base))).toBe(
      '{"id":"evt_1a2B","object":"event","api_version":"2022-10-15","event_type":"payment.paid",' +
        '"data":{"object":{"amount":1500,"currency":"SATS","id":"pi_1","metadata":{"a":"1","b":"2"},"object":"payment"}},' +
        '"livemode":true,"created":1700000000123}',
    );
  });

  it('gives the same string whatever the key order the envelope was stored with', () => {
    const envelope = buildEventEnvelope(base);
    const reordered = JSON.parse(JSON.stringify(envelope, Object.keys(envelope).reverse().concat(['object', 'b', 'a', 'id', 'amount', 'currency', 'metadata'])));
    expect(serializeEvent(reordered)).toBe(serializeEvent(envelope));
  });

  it('round-trips any JSON object and is insensitive to key order', () => {
    const shuffle = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffle);
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, shuffle(v)]));
      }
      return value;
    };
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const envelope = buildEventEnvelope({ ...base, object });
        const body = serializeEvent(envelope);
        expect(JSON.parse(body)).toEqual(JSON.parse(JSON.stringify(envelope)));
        expect(serializeEvent({ ...envelope, data: { object: shuffle(object) as object } })).toBe(body);
      }),
    );
  });

  it('omits undefined members like JSON.stringify and refuses circular objects', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });
});
