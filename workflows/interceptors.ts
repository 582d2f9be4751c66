import {
  OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * Workflow interceptors, bundled with every workflow (`WORKFLOW_INTERCEPTOR_MODULES`): OpenTelemetry
 * spans for the workflow run, its handlers and the activities it schedules, continuing the trace of the
 * client call that started or signalled it (the trace context travels in Temporal headers). Spans leave
 * the sandbox through the worker's `exporter` sink; with tracing off the sink drops them. They add no
 * command to the history.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
