import { Writable } from 'node:stream';
import { routeTable, type RouteEntry } from '../support/routeTable';
import { createLogger } from '../../src/logger';
import { ADMIN_KEY, call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/**
 * Hostile input over every route of the app's route table (walked from the router, so a new route is
 * fuzzed the day it is added) and every public page: NUL, lone surrogates, control characters and
 * over-long values in path IDs, cursors and filters; wrong types, reserved keys, deep JSON and non-JSON
 * bodies; undeclared methods. Properties: never a 5xx, and not one error-level log line (an error
 * logged is a bug we did not answer as a 4xx). Bounded: a fixed set of cases, about a thousand requests.
 */
const errorLines: string[] = [];
// Warnings and up are captured; the property reads the error-level ones (pino level 50 and 60).
const sink = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (/"level":(50|60)/.test(line)) errorLines.push(line); done(); } });
const sys = useTestSystem({ log: createLogger('warn', sink) });
const merchant = useMerchant(sys);
let routes: RouteEntry[];
let sessionId = '';

beforeAll(async () => {
  routes = routeTable(sys.app!);
  sessionId = (await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000, custom_fields: [{ type: 'text', label: 'Note' }] })).body.id;
}, 120_000);

/** Raw path-segment values: each must be a 4xx wherever an ID goes. */
const BAD_SEGMENTS = [
  '%00', 'cs_%00', '%ED%A0%80', '%F0%9F', '%ff', `cs_${'A'.repeat(23)}%00`, '%1B', 'x'.repeat(2000), 'A'.repeat(24), '%E2%80%AE', '__proto__', 'constructor',
];
/** Raw query strings for list endpoints. */
const BAD_QUERIES = [
  'starting_after=%00', 'ending_before=%ED%A0%80', 'limit=abc', 'limit=1e400', 'limit=-1', 'starting_after=cs_AAAAAAAAAAAAAAAAAAAAAAAA',
  'checkout_session=%00', 'event_type=a%1Bb', 'status=%00', 'event=%ED%A0%80', '__proto__=x', 'starting_after=a&starting_after=b', `x=${'y'.repeat(3000)}`,
];
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
/** Raw JSON bodies for POSTs (sent as application/json). */
const BAD_BODIES = [
  '{"title":"a\\u0000b"}', '{"title":"\\ud800"}', '{"name":"\\udc00x"}', '{"description":"a\\u001bb"}', '{"metadata":{"\\ud800":"x"}}',
  '{"metadata":{"__proto__":"x"}}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":1}}', '{"currency":5,"amount":"10"}',
  '{"amount":1e400}', '{"amount":-6.9e27,"ttl":300.5}', '{"livemode":"yes"}', '{"url":"\\u0000","enabled_events":"*"}', '{"event":"evt_\\u0000"}',
  '[]', '"text"', 'null', '7', '{', deep(5000), `[${'['.repeat(40_000)}${']'.repeat(40_000)}]`, `{"title":"${'x'.repeat(50_000)}"}`,
];

function keyFor(path: string): string | null {
  if (/^\/(pay|c|p)\/|^\/(health|openapi\.json|docs|metrics|pay-assets|dashboard)/.test(path)) return null;
  return path.startsWith('/accounts') ? ADMIN_KEY : merchant.key;
}

/** The route's path with each `:param` set to `value` (raw, already percent-encoded where it needs to be). */
function fill(path: string, value: string): string {
  return path.replace(/:(\w+)/g, () => value);
}

async function send(method: string, path: string, body?: string, key = keyFor(path)): Promise<{ status: number; allow: string | null; where: string }> {
  const res = await fetch(`${sys.baseUrl}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body,
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status, allow: res.headers.get('allow'), where: `${method} ${path.slice(0, 120)} ${String(body).slice(0, 60)}` };
}

test('every route and public page answers hostile IDs, cursors, bodies and methods with a 4xx (never a 5xx) and logs no error', async () => {
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  const check = (r: { status: number; where: string }) => {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status >= 500) failures.push(`${r.status} ${r.where}`);
  };
  const withParams = routes.filter((r) => r.path.includes(':'));
  const lists = routes.filter((r) => r.method === 'GET' && !r.path.includes(':'));
  const posts = routes.filter((r) => r.method === 'POST');
  expect(withParams.length).toBeGreaterThan(20);

  // Hostile path IDs on every parameterised route (and with a real session, the page routes see real data).
  for (const route of withParams) {
    for (const segment of BAD_SEGMENTS) check(await send(route.method, fill(route.path, segment), route.method === 'POST' ? '{}' : undefined));
  }
  // Hostile cursors and filters on every list and collection GET.
  for (const route of lists) for (const q of BAD_QUERIES) check(await send('GET', `${route.path}?${q}`));
  // Hostile bodies on every POST, with a well-formed ID where one is needed (the body is checked before any lookup).
  for (const route of posts) {
    const path = fill(route.path, route.path.startsWith('/pay/') ? sessionId : `cs_${'A'.repeat(24)}`);
    for (const body of BAD_BODIES) check(await send('POST', path, body));
    // The same with an Idempotency-Key: the key's hash must cope with whatever was sent.
    for (const body of BAD_BODIES.slice(-3)) {
      const res = await fetch(`${sys.baseUrl}${path}`, {
        method: 'POST', body, headers: { 'content-type': 'application/json', 'idempotency-key': `fuzz-${Math.random()}`,
          ...(keyFor(path) ? { authorization: `Basic ${Buffer.from(`${keyFor(path)}:`).toString('base64')}` } : {}) },
      });
      await res.arrayBuffer();
      check({ status: res.status, where: `POST ${path} (idempotent) ${body.slice(0, 40)}` });
    }
  }
  // The customer form, posted as a browser would, with hostile fields.
  for (const form of ['amount=%00', 'x%00=1', 'email=%ED%A0%80', `note=${'%1B'.repeat(100)}`, 'a=1&a=2']) {
    const res = await fetch(`${sys.baseUrl}/pay/${sessionId}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, redirect: 'manual' });
    await res.arrayBuffer();
    check({ status: res.status, where: `POST /pay form ${form}` });
  }
  // Undeclared methods on every known path: a 405 whose Allow lists exactly the declared methods.
  const declared = new Map<string, Set<string>>();
  for (const r of routes) declared.set(r.path, (declared.get(r.path) ?? new Set()).add(r.method));
  for (const [path, methods] of declared) {
    const concrete = fill(path, `cs_${'B'.repeat(24)}`);
    // Another pattern may match the same concrete path (`/checkout-sessions/payment` is also `/:id`): take their union.
    const all = new Set([...declared].filter(([p]) => matchesPattern(p, concrete)).flatMap(([, m]) => [...m]));
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST', 'GET']) {
      if (all.has(method)) continue;
      const res = await send(method, concrete, method === 'GET' ? undefined : '{}');
      check(res);
      if (res.status !== 405 || [...all].some((m) => !res.allow?.split(', ').includes(m))) failures.push(`expected 405 with Allow ${[...all].join(', ')}: ${res.status} ${res.allow} ${res.where}`);
    }
    void methods;
  }

  process.stdout.write(`edge fuzz: ${Object.values(statuses).reduce((a, b) => a + b, 0)} requests, statuses ${JSON.stringify(statuses)}\n`);
  expect(failures).toEqual([]);
  expect(errorLines).toEqual([]);
  expect(statuses['404']).toBeGreaterThan(100);
  expect(statuses['400']).toBeGreaterThan(100);
}, 10 * 60_000);

function matchesPattern(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((s, i) => s.startsWith(':') || s === b[i]);
}
