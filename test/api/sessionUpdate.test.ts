import { call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const create = async (body: Record<string, unknown> = {}) => (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000, ...body })).body;
const update = (id: string, body: unknown) => api('POST', `/checkout-sessions/${id}`, body);

describe('updating a checkout session as Speed and Stripe do', () => {
  test('metadata merges key by key: new keys are added, existing ones replaced, the rest kept', async () => {
    const cs = await create({ metadata: { order: '42', customer: 'c_1' } });
    const res = await update(cs.id, { metadata: { customer: 'c_2', channel: 'web' } });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toEqual({ order: '42', customer: 'c_2', channel: 'web' });
    expect((await api('GET', `/checkout-sessions/${cs.id}`)).body.metadata).toEqual({ order: '42', customer: 'c_2', channel: 'web' });
  });

  test('a key set to null or "" is removed; removing the last key leaves metadata null; metadata: null is refused', async () => {
    const cs = await create({ metadata: { a: '1', b: 2, c: true } });
    expect((await update(cs.id, { metadata: { a: null, b: '' } })).body.metadata).toEqual({ c: true });
    const refused = await update(cs.id, { metadata: null });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].param).toBe('metadata');
    expect((await update(cs.id, { metadata: { c: null } })).body.metadata).toBeNull();
  });

  test('a field left out is kept, "" clears it, null is refused: a generated client sending null for unset fields erases nothing', async () => {
    const cs = await create({ success_url: 'https://shop.example/thanks', description: 'blue', title: 'T-shirt' });
    const unset = { description: null, success_url: null, cancel_url: null, success_message: null, title: null, title_description: null, title_image: null };
    const refused = await update(cs.id, { metadata: { order: '42' }, ...unset });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].param).toBe('description');
    const kept = await update(cs.id, { metadata: { order: '42' } });
    expect(kept.body).toMatchObject({ metadata: { order: '42' }, success_url: 'https://shop.example/thanks', description: 'blue', title: 'T-shirt' });
    const cleared = await update(cs.id, { description: '', success_url: '' });
    expect(cleared.body).toMatchObject({ description: null, success_url: null, title: 'T-shirt' });
  });

  test('the 50-key limit holds after the merge, and a refused update changes nothing', async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    const cs = await create({ metadata: fifty });
    const refused = await update(cs.id, { metadata: { extra: 'one too many' }, description: 'not written' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].param).toBe('metadata');
    const after = (await api('GET', `/checkout-sessions/${cs.id}`)).body;
    expect(Object.keys(after.metadata)).toHaveLength(50);
    expect(after.description).toBeNull();
    expect((await update(cs.id, { metadata: { k0: null, extra: 'fits now' } })).status).toBe(200);
  });

  test('concurrent merges of different keys all land', async () => {
    const cs = await create();
    await Promise.all(Array.from({ length: 8 }, (_, i) => update(cs.id, { metadata: { [`k${i}`]: String(i) } })));
    const after = (await api('GET', `/checkout-sessions/${cs.id}`)).body;
    expect(after.metadata).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, String(i)])));
  });

  test('success_url and success_message stay mutually exclusive: both at once is a 400, one replaces the other', async () => {
    const cs = await create({ success_message: 'Thanks!' });
    const both = await update(cs.id, { success_url: 'https://shop.example/ok', success_message: 'Thanks' });
    expect(both.status).toBe(400);
    expect(both.body.errors[0].param).toBe('success_message');
    const toUrl = await update(cs.id, { success_url: 'https://shop.example/ok' });
    expect(toUrl.body).toMatchObject({ success_url: 'https://shop.example/ok', success_message: null });
    const toMessage = await update(cs.id, { success_message: 'Paid, thank you' });
    expect(toMessage.body).toMatchObject({ success_url: null, success_message: 'Paid, thank you' });
    const clearOne = await update(cs.id, { success_url: '' });
    expect(clearOne.body).toMatchObject({ success_url: null, success_message: 'Paid, thank you' });
  });
});
