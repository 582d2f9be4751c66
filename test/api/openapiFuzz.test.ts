import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { checkoutApp } from '../../src/system';
import { schemaArbitraries, type Schema } from '../support/schemaArbitrary';
import { ADMIN_KEY, call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';

/**
 * The OpenAPI document drives a property-based run against the real API (PostgreSQL + Temporal): every
 * operation gets valid inputs (drawn from its schemas, or a known-good body with one field redrawn) and
 * invalid ones (one thing broken). Properties: never a 5xx, only documented statuses, and every JSON
 * response matches the document's schema for its status.
 */
const sys = useTestSystem();
const m = useMerchant(sys);
const partner = useMerchant(sys);
let doc: any;
const ids: Record<string, string[]> = {};

beforeAll(async () => {
  await connectTransfers(sys.baseUrl, m.id, partner.id);
  const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, m.key, method, route, body);
  const cs = (await api('POST', '/checkout-sessions', {
    currency: 'SATS', amount: 10000, transfers: [{ destination_account: partner.id, percentage: 10 }],
  })).body;
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 4000 });
  const paid = await waitFor(() => api('GET', `/transfers?checkout_session=${cs.id}`), (r) => r.body.data?.length > 0, 30_000);
  const payments = (await api('GET', `/payments?checkout_session=${cs.id}`)).body.data.map((p: { id: string }) => p.id);
  const events = (await api('GET', '/events')).body.data.map((e: { id: string }) => e.id);
  const webhook = (await api('POST', '/webhooks', { url: 'https://hooks.example/orders', enabled_events: ['*'] })).body;
  const clink = (await api('POST', '/checkout-links', { currency: 'SATS', amount: 500 })).body;
  const plink = (await api('POST', '/payment-links', { currency: 'SATS', amount: 500 })).body;
  Object.assign(ids, {
    '/accounts': [m.id], '/checkout-sessions': [cs.id], '/checkout-sessions/payment': payments, '/payments': payments,
    '/test-helpers/payments': payments, '/transfers': paid.body.data.map((t: { id: string }) => t.id), '/events': events,
    '/webhooks': [webhook.id], '/checkout-links': [clink.id], '/payment-links': [plink.id], partner: [partner.id],
  });
  doc = await (await fetch(`${sys.baseUrl}/openapi.json`)).json();
}, 120_000);

/** Known-good bodies; a valid draw is one of these with one field redrawn from its schema, or a pure schema draw. */
const seeds = (route: string): Record<string, unknown>[] => {
  const session = [
    { currency: 'SATS', amount: 1000 },
    { currency: 'USD', amount: 12.5, transfers: [{ destination_account: ids.partner[0], percentage: 10 }], metadata: { order: '7' } },
    { currency: 'BTC', type: 'options', options: [0.0001, 0.0002] },
    { currency: 'EUR', type: 'preset', preset: { min_amount: 1, max_amount: 20 }, success_message: 'thanks' },
  ];
  const table: Record<string, Record<string, unknown>[]> = {
    '/accounts': [{ name: 'Fuzz shop' }], '/accounts/{id}/keys': [{ livemode: false }],
    '/checkout-sessions': session, '/checkout-links': session, '/payment-links': session,
    '/checkout-sessions/{id}': [{ metadata: { order: '8', drop: null } }, { success_url: 'https://shop.example/ok' }, { title: 'Hi' }],
    '/test-helpers/payments/{id}/receive': [{ amount: 10 }, { amount: 5, method: 'lightning' }],
    '/webhooks': [{ url: 'https://hooks.example/a', enabled_events: ['checkout_session.*'] }],
    '/webhooks/{id}': [{ description: 'renamed' }], '/webhooks/{id}/redeliver': [{ event: ids['/events'][0] }],
  };
  return table[route] ?? [{}];
};

function operations(): { route: string; method: string; op: any }[] {
  return Object.entries(doc.paths).flatMap(([route, item]: [string, any]) => Object.entries(item).map(([method, op]) => ({ route, method, op })));
}

describe('the OpenAPI document', () => {
  test('is valid OpenAPI 3 for a maintained validator, with every path parameter declared', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    for (const { route, op } of operations()) {
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      expect([route, declared]).toEqual([route, [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()]);
      expect([route, Object.keys(op.responses['200'].content['application/json'].schema).length > 0]).toEqual([route, true]);
    }
    expect(operations().length).toBeGreaterThanOrEqual(33);
  });

  test("documents every API route of the app's router, so a new route cannot be left out", () => {
    const app = checkoutApp(sys.ctx, async () => ({ ok: true }) as never) as any;
    const routes = expressRoutes(app.router.stack, '')
      // The customer-facing pages, the dashboard's pages, and the LNURL-withdraw endpoints wallets call (LUD-03, docs/withdrawal-links.md).
      .filter((r) => !/^\/(c|p|pay|w|lnurlw|dashboard|health|openapi\.json|docs|metrics)(\/|$)/.test(r.path) && !r.path.startsWith('/pay-assets'));
    const documented = new Set(operations().map(({ route, method }) => `${method} ${route}`));
    const missing = routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, (_, n) => `{${n === 'paymentId' ? 'payment_id' : n === 'keyId' ? 'key_id' : n}}`)}`)
      .filter((r) => !documented.has(r));
    expect(routes.length).toBeGreaterThanOrEqual(33);
    expect(missing).toEqual([]);
  });

  test('every operation, valid and invalid inputs: no 5xx, only documented statuses, responses match their schemas', async () => {
    const resolve = (ref: string) => ref.split('/').slice(1).reduce((n: any, k) => n[k], doc) as Schema;
    const { valid, invalid } = schemaArbitraries(resolve);
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(toJsonSchema({ components: doc.components }), 'doc');
    const validators = new Map<string, ValidateFunction>();
    const validatorFor = (schema: object) => {
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/');
      if (!validators.has(text)) validators.set(text, ajv.compile(toJsonSchema(JSON.parse(text))));
      return validators.get(text)!;
    };
    const statuses: Record<string, number> = {};

    for (const { route, method, op } of operations()) {
      const params: any[] = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema: Schema | undefined = op.requestBody?.content['application/json'].schema;
      const prefix = route.replace(/\/\{.*$/, '');
      const known = ids[prefix] ?? [];

      // Any non-empty segment (the document's minLength 1); `.` and `..` are not segments a client can send.
      const segment = fc.string({ minLength: 1, maxLength: 12 }).filter((v) => v !== '.' && v !== '..');
      const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name,
        known.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: segment, weight: 1 }) : segment])));
      const validQuery = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valid(p.schema)])), { requiredKeys: [] });
      const queryArb = queryParams.length
        ? fc.oneof({ arbitrary: validQuery, weight: 3 },
          fc.tuple(validQuery, fc.constantFrom(...queryParams)).chain(([q, p]) => invalid(p.schema).map((bad) => ({ ...q, [p.name]: bad }))),
          validQuery.map((q) => ({ ...q, unknown_param: 'x' })))
        : fc.constant({});
      const bodyArb = bodySchema ? fc.oneof(
        { arbitrary: fc.constantFrom(...seeds(route)), weight: 2 },
        { arbitrary: fc.tuple(fc.constantFrom(...seeds(route)), fc.constantFrom(...Object.keys(propertiesOf(bodySchema, resolve))))
          .chain(([seed, key]) => valid(propertiesOf(bodySchema, resolve)[key]).map((v) => ({ ...seed, [key]: v }))), weight: 2 },
        { arbitrary: valid(bodySchema), weight: 1 },
        { arbitrary: invalid(bodySchema), weight: 2 },
      ) : fc.constant(undefined);

      await fc.assert(fc.asyncProperty(pathArb, queryArb, bodyArb, async (path, query, body) => {
        const url = route.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(String((path as Record<string, unknown>)[n]))) + queryString(query);
        const key = route.startsWith('/accounts') ? ADMIN_KEY : m.key;
        const res = await call(sys.baseUrl, key, method.toUpperCase(), url, body === undefined ? undefined : JSON.stringify(body));
        const where = `${method.toUpperCase()} ${url} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`;
        statuses[`${res.status}`] = (statuses[`${res.status}`] ?? 0) + 1;
        if (res.status >= 500) throw new Error(`server error: ${where}`);
        const documented = op.responses[String(res.status)];
        if (!documented) throw new Error(`undocumented status: ${where}`);
        const check = validatorFor(documented.content['application/json'].schema);
        if (!check(res.body)) throw new Error(`response breaks its schema: ${where}\n${ajv.errorsText(check.errors)}`);
      }), { numRuns: method === 'get' ? 25 : 15, endOnFailure: true });
    }
    process.stdout.write(`openapi property run: ${operations().length} operations, statuses ${JSON.stringify(statuses)}\n`);
    // The run exercised both sides: successes and refusals.
    expect(statuses['200']).toBeGreaterThan(100);
    expect(statuses['400']).toBeGreaterThan(100);
  }, 15 * 60_000);
});

function resolve0(s: Schema, resolve: (ref: string) => Schema): Schema {
  return s.$ref ? resolve0(resolve(s.$ref), resolve) : s;
}

/** The properties of a body schema, those of all its variants (oneOf by `type`) together. */
function propertiesOf(s: Schema, resolve: (ref: string) => Schema): Record<string, Schema> {
  const body = resolve0(s, resolve);
  const variants = body.oneOf ?? body.anyOf ?? [body];
  const props = Object.assign({}, ...variants.map((v) => resolve0(v, resolve).properties ?? {}));
  return Object.keys(props).length ? props : { x: {} };
}

function queryString(q: Record<string, unknown>): string {
  const entries = Object.entries(q).filter(([, v]) => v !== undefined);
  if (!entries.length) return '';
  return `?${entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`).join('&')}`;
}

/** OpenAPI 3.0 schema dialect to JSON Schema for Ajv: `nullable` becomes a null alternative, boolean `exclusiveMinimum` a number. */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: any = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'enum' || k === 'required' ? v : toJsonSchema(v)]));
  if (typeof out.exclusiveMinimum === 'boolean') {
    if (out.exclusiveMinimum) out.exclusiveMinimum = out.minimum;
    else delete out.exclusiveMinimum;
    if (out.exclusiveMinimum !== undefined) delete out.minimum;
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (out.enum) out.enum = [...out.enum, null];
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

/** Method and full path of every route in an Express 5 router stack (nested routers included). */
function expressRoutes(stack: any[], prefix: string): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((method) => ({ method, path: `${prefix}${layer.route.path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1') }));
    if (layer.handle?.stack) return expressRoutes(layer.handle.stack, `${prefix}${layer.rawPath ?? ''}`);
    return [];
  });
}
