import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';

/**
 * Installs the Temporal SDK runtime of this process once, before any worker connection: with
 * TEMPORAL_METRICS_BIND set, the SDK serves its own worker metrics (task latencies, slots, sticky cache,
 * polls) in Prometheus format on that address. Without it the SDK's defaults stay.
 */
export function installTemporalRuntime(config: AppConfig, log: Logger): void {
  if (!config.temporalMetricsBind) return;
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.temporalMetricsBind } } } });
  log.info({ bindAddress: config.temporalMetricsBind }, 'Temporal worker metrics served in Prometheus format');
}
