import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor, ConsoleSpanExporter, NoopSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkerOptions } from '@temporalio/worker';

/** The workflow interceptor modules of a traced bundle (workflows/interceptors.ts). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../workflows/interceptors')];

/**
 * The interceptor modules a workflow bundle is built with: the tracing interceptors only when the
 * process traces. Bundled with tracing off they still make a span per activation and hand each out
 * through the sink to be dropped, which measured about twice the worker CPU per receipt and 2.4× its
 * memory (bench/README.md, the cold-session phase); they add no command, so a traced and an untraced
 * worker replay each other's histories.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? WORKFLOW_INTERCEPTOR_MODULES : [];
}

/** The process's tracer: where spans go. */
export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

/**
 * The span exporter the standard OpenTelemetry environment asks for: `OTEL_TRACES_EXPORTER=otlp`
 * (or an `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: OTLP over HTTP, which
 * reads those variables and `OTEL_EXPORTER_OTLP_HEADERS` itself), `console`, or none (the default:
 * tracing off).
 */
export function traceExporterFromEnv(env: NodeJS.ProcessEnv = process.env): SpanExporter | null {
  const configured = env.OTEL_TRACES_EXPORTER?.trim();
  const kind = configured || (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none');
  if (kind === 'otlp') return new OTLPTraceExporter();
  if (kind === 'console') return new ConsoleSpanExporter();
  if (kind === 'none') return null;
  throw new Error(`OTEL_TRACES_EXPORTER=${kind} is not supported here: use otlp, console or none`);
}

/**
 * Registers the process's tracer provider (one per process: the HTTP spans, the client interceptor and
 * the activity interceptor use the global one). `simple` exports each span at its end (tests); by
 * default spans are batched.
 */
export function startTracing(exporter: SpanExporter, opts: { simple?: boolean; serviceName?: string } = {}): Tracing {
  const resource = new Resource({ 'service.name': opts.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'temporal-btc-checkout' });
  const spanProcessor = opts.simple ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  provider.register();
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** The client's interceptors: a span per start, signal, update(-with-start) …, its context in the headers. */
export function clientInterceptors(tracing: Tracing | null) {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}

/**
 * The worker's part: activity spans (children of the workflow's) and the sink that takes the
 * workflow's spans out of the sandbox; without tracing the sink drops them.
 */
export function workerTracing(tracing: Tracing | null): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const sinks = { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) };
  if (!tracing) return { sinks };
  return {
    sinks,
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
  };
}
