import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';

/**
 * Telemetry options of the process's one Temporal runtime (installed by `installProcessGuards`): with
 * TEMPORAL_METRICS_BIND set, the SDK serves its own worker metrics (task latencies, slots, sticky cache,
 * polls) in Prometheus format on that address. Without it the SDK's defaults stay.
 */
export function temporalTelemetry(config: AppConfig, log: Logger): Pick<RuntimeOptions, 'telemetryOptions'> {
  if (!config.temporalMetricsBind) return {};
  log.info({ bindAddress: config.temporalMetricsBind }, 'Temporal worker metrics served in Prometheus format');
  return { telemetryOptions: { metrics: { prometheus: { bindAddress: config.temporalMetricsBind } } } };
}
