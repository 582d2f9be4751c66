import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret, secretForStandardWebhooks, signWebhook, WebhookArgumentError } from '../../../src/webhooks';

const keyPart = (secret: string): string => secret.replace(/^w?h?sec_/, '');

describe('signWebhook', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ id: 'evt_1', object: 'event', note: 'ünïcödé ⚡' });
  const now = new Date();

  it('produces the three Standard Webhooks headers with unix seconds', () => {
    const headers = signWebhook({ secret, msgId: 'evt_1', timestamp: new Date(1_700_000_000_999), body });
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe('1700000000');
    const expected = createHmac('sha256', Buffer.from(keyPart(secret), 'base64'))
      .update(`evt_1.1700000000.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('is accepted by the standardwebhooks library with the secret exactly as issued (or its bare key)', () => {
    const headers = signWebhook({ secret, msgId: 'evt_1', timestamp: now, body });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(keyPart(secret)).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('still signs with a legacy wsec_ secret, which verifies in its standard form', () => {
    const legacy = `wsec_${keyPart(secret)}`;
    const headers = signWebhook({ secret: legacy, msgId: 'evt_1', timestamp: now, body });
    expect(new Webhook(secretForStandardWebhooks(legacy)).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('with two secrets (a rotation overlap) carries two signatures, each verifying under its own secret alone', () => {
    const previous = generateWebhookSecret();
    const headers = signWebhook({ secret: [secret, previous], msgId: 'evt_1', timestamp: now, body });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => signWebhook({ secret: [], msgId: 'evt_1', timestamp: now, body })).toThrow(WebhookArgumentError);
  });

  it('matches the library signature for any id and body', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/), fc.string({ unit: 'binary' }), (msgId, text) => {
        const headers = signWebhook({ secret, msgId, timestamp: now, body: text });
        expect(headers['webhook-signature']).toBe(new Webhook(keyPart(secret)).sign(msgId, now, text));
      }),
    );
  });

  it('is rejected when the body is tampered with', () => {
    const headers = signWebhook({ secret, msgId: 'evt_1', timestamp: now, body });
    const tampered = body.replace('evt_1', 'evt_2');
    expect(() => new Webhook(keyPart(secret)).verify(tampered, headers)).toThrow(WebhookVerificationError);
  });

  it('is rejected under another secret', () => {
    const headers = signWebhook({ secret, msgId: 'evt_1', timestamp: now, body });
    const other = keyPart(generateWebhookSecret());
    expect(() => new Webhook(other).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('is rejected when id or timestamp headers are swapped', () => {
    const headers = signWebhook({ secret, msgId: 'evt_1', timestamp: now, body });
    const wh = new Webhook(keyPart(secret));
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow(WebhookVerificationError);
    const earlier = String(Number(headers['webhook-timestamp']) - 1);
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': earlier })).toThrow(WebhookVerificationError);
  });

  it('throws on caller bugs', () => {
    expect(() => signWebhook({ secret, msgId: 'evt_1', timestamp: new Date(NaN), body })).toThrow(WebhookArgumentError);
    expect(() => signWebhook({ secret, msgId: '', timestamp: now, body })).toThrow(WebhookArgumentError);
    expect(() => signWebhook({ secret, msgId: 'a,b', timestamp: now, body })).toThrow(WebhookArgumentError);
  });
});
