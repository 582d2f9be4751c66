/**
 * One trace from the HTTP request to the activity: creating a checkout session is a server span whose
 * children are the Temporal client's update-with-start, the workflow run and its activities (spans
 * exported with an in-memory exporter; in production OTLP, when the OTEL_* environment asks for it).
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(() => { tracing = startTracing(exporter, { simple: true }); });
// Read when the system starts, once the tracing pipeline exists.
const sys = useTestSystem(() => ({ tracing }));
const merchant = useMerchant(sys);
// Declared after useTestSystem: jest runs afterAll hooks in declaration order, so the system stops first.
afterAll(async () => { await tracing?.shutdown(); });

const names = (spans: ReadableSpan[]) => spans.map((s) => s.name);

test('a checkout session create is one trace: the request, the update-with-start, the workflow and its activity', async () => {
  exporter.reset();
  const res = await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
  expect(res.status).toBe(200);

  const request = await waitFor(async () => exporter.getFinishedSpans().find((s) => s.name === 'POST /checkout-sessions'), Boolean, 10_000);
  expect(request?.name).toBe('POST /checkout-sessions');
  const traceId = request!.spanContext().traceId;
  const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const spans = await waitFor(async () => inTrace(), (s) => names(s).includes('RunActivity:createSession'));
  const byName = new Map(spans.map((s) => [s.name, s]));
  // The request → update-with-start (client) → the update's handler (workflow) → the activity it ran.
  expect(names(spans)).toEqual(expect.arrayContaining([
    'POST /checkout-sessions', 'UpdateWithStartWorkflow:created', 'HandleUpdate:created', 'StartActivity:createSession', 'RunActivity:createSession',
  ]));
  expect(byName.get('UpdateWithStartWorkflow:created')!.parentSpanId).toBe(request!.spanContext().spanId);
  expect(byName.get('RunActivity:createSession')!.parentSpanId).toBe(byName.get('StartActivity:createSession')!.spanContext().spanId);
});
