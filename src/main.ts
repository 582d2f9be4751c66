import 'dotenv/config';
import path from 'node:path';
import { loadConfig } from './config';
import { createLogger, type Logger } from './logger';
import { installProcessGuards } from './processGuards';
import { startSystem, type Part, type SystemHandle } from './system';
import { ensureDemoAccount } from './demo/account';
import { startupBanner } from './banner';
import { errorMessage } from './cli/errorMessage';
import { temporalTelemetry } from './temporal/runtime';
import { passwordFile } from './infra/embeddedPostgres';
import { removeRuntimeFile, writeRuntimeFile } from './infra/runtimeFile';

/**
 * `npm start` (everything) or `npm run start:api|start:worker|start:webhooks|start:watcher` (one part). Embedded
 * PostgreSQL and the Temporal dev server start unless DATABASE_URL / TEMPORAL_ADDRESS are set.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const only = process.argv[2] as Part | undefined;
  if (only && !['api', 'worker', 'webhooks', 'watcher'].includes(only)) throw new Error(`unknown part "${only}": use api, worker, webhooks or watcher`);
  installProcessGuards(log, !only || only === 'worker' || only === 'webhooks' ? temporalTelemetry(config, log) : {});

  // Signals are handled from the first moment: one that arrives while the parts are still starting
  // (bundling the workflows takes seconds) stops them as soon as the start has finished.
  let stopRequested: string | null = null;
  let system: SystemHandle | null = null;
  const shutdown = async (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
    log.info({ signal, starting: !system }, 'stopping');
    if (!system) return; // the start below sees stopRequested and stops what it started
    await stopAndExit(system, config.shutdownDrainMs + config.worker.shutdownGraceMs, log);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const onWorkerFailed = (err: unknown) => {
    log.fatal({ err }, 'the worker stopped polling; exiting so the supervisor starts it again');
    process.exit(1);
  };
  system = await startSystem(config, log, { parts: only ? [only] : undefined, onWorkerFailed });
  if (stopRequested) return stopAndExit(system, config.shutdownDrainMs + config.worker.shutdownGraceMs, log);

  // Where the operator tools (`npm run temporal`, `reconcile`, `migrate`) find this instance.
  writeRuntimeFile(config.dataDir, {
    pid: process.pid, apiUrl: system.url,
    temporal: { address: system.temporalAddress, namespace: config.temporal.namespace, uiUrl: system.temporalUiUrl, embedded: system.temporalEmbedded },
    postgresPort: system.postgresPort,
  });
  process.on('exit', () => removeRuntimeFile(config.dataDir));

  console.log(startupBanner({
    only, publicUrl: system.url ? system.config.publicUrl : null,
    adminKey: system.config.adminApiKey!, adminKeyFromEnv: Boolean(config.adminApiKey),
    demo: system.url && config.demo ? await ensureDemoAccount(system.ctx) : null,
    temporalUiUrl: system.temporalUiUrl, webhooksAllowPrivateNetworks: config.webhooks.allowPrivateNetworks,
    temporal: { address: system.temporalAddress, namespace: config.temporal.namespace, embedded: system.temporalEmbedded },
    postgres: system.postgresPort === null ? undefined
      : { port: system.postgresPort, passwordFile: passwordFile(path.join(config.dataDir, 'postgres')) },
  }));
}

/** Stops every part (API first, draining its requests; workers within their grace time) and exits; a stop that hangs is cut off. */
async function stopAndExit(system: SystemHandle, drainMs: number, log: Logger): Promise<never> {
  const cutOff = setTimeout(() => {
    log.error('stop did not finish in time; exiting');
    process.exit(1);
  }, drainMs + 30_000);
  cutOff.unref();
  await system.stop();
  log.info('stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error && err.stack ? err.stack : `checkout did not start: ${errorMessage(err)}`);
  process.exit(1);
});
