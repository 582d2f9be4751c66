import type { Server } from 'node:http';
import type { Express } from 'express';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import { createApp } from './api/app';
import { healthProbe } from './api/health';
import { createHttpServer } from './api/httpServer';
import { instantSendRoutes } from './api/instantSends/routes';
import { linkApiRouters } from './api/links/routes';
import { webhookRoutes } from './api/webhooks/routes';
import { withdrawalLinkRoutes } from './api/withdrawalLinks/routes';
import { refundRoutes } from './api/refunds/routes';
import { LndRestNode, LocalLightningNode } from './bitcoin';
import { LndSender } from './bitcoin/lndSender';
import { SimulatedSender } from './bitcoin/simulatedSender';
import type { AppConfig } from './config';
import { createDb, type Db, type DbTimeouts } from './db/knex';
import { migrateLatest } from './db/migrate';
import { startEmbeddedPostgres } from './infra/embeddedPostgres';
import { closeGracefully } from './infra/httpShutdown';
import { dashboardSecretKey, generatedAdminKey, lightningNodeKey, lndInvoiceSecret } from './infra/localSecrets';
import { keyring } from './infra/secretBox';
import { resealTotpSecrets } from './dashboard/db/totpSealing';
import { startTemporalDevServer } from './infra/temporalDevServer';
import { createModeRates, type ModeRates, type RateProvider } from './rates';
import { ensureSystemAccounts } from './services/accounts';
import type { ServiceContext } from './services/context';
import { startMoneyOutStarter } from './services/moneyOutStarter';
import { pageRouters } from './page/routes';
import { dashboardRouter } from './dashboard/routes';
import { createTemporalClient } from './temporal/client';
import { startTracing, traceExporterFromEnv, workflowInterceptorModules, type Tracing } from './telemetry/tracing';
import type { TemporalSecurity } from './temporal/connectionOptions';
import { createWorker, webhookWorkerTuning, workerTuning, type WorkerKind, type WorkflowBundleOption } from './temporal/worker';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { workflowBundleToLoad } from './temporal/workflowBundle';
import { startWatcher } from './watcher';
import { watcherContext } from './watcher/context';
import { createWebhookDispatcher } from './webhooks/dispatch';
import { startDispatchSweeper } from './webhooks/sweeper';
import { startCircuitWaker } from './webhooks/circuitWaker';
import { attemptBudgetMs } from './webhooks/deliveryTypes';
import { startRetentionLoop } from './webhooks/retention';

/**
 * A part of the system: the API, the money worker, the webhook worker (deliveries and the outbox relay)
 * and the payment watcher. The worker part brings the webhook part along unless WEBHOOK_WORKER=separate.
 */
export type Part = 'api' | 'worker' | 'webhooks' | 'watcher';

/** A running system: what tests, the CLI and the benchmark talk to. */
export interface SystemHandle {
  config: AppConfig;
  db: Db;
  temporal: Client;
  ctx: ServiceContext;
  /** Base URL of the API when it runs in this process. */
  url: string | null;
  /** The API's Express app when it runs in this process (its route table is what the isolation sweep walks). */
  app: Express | null;
  temporalUiUrl: string | null;
  /** Where Temporal is (the embedded dev server's loopback address, or TEMPORAL_ADDRESS) and whether it is ours. */
  temporalAddress: string;
  temporalEmbedded: boolean;
  /** The embedded PostgreSQL's port; null with DATABASE_URL. */
  postgresPort: number | null;
  stop(): Promise<void>;
}

/** The whole HTTP app: the API, the merchant routers of webhooks and links, the payment page and the dashboard (its own cookie auth). */
export function checkoutApp(ctx: ServiceContext, health: Parameters<typeof createApp>[1], temporalUiUrl: string | null = null) {
  return createApp(ctx, health, {
    publicRouters: [...pageRouters(ctx), dashboardRouter(ctx, { temporalUiUrl })],
    merchantRouters: { '/webhooks': webhookRoutes(ctx), '/instant-sends': instantSendRoutes(ctx), ...linkApiRouters(ctx), '/withdrawal-links': withdrawalLinkRoutes(ctx), '/refunds': refundRoutes(ctx) },
  });
}

/**
 * Starts the parts of the system on `config`: PostgreSQL (DATABASE_URL or embedded), migrations,
 * Temporal (TEMPORAL_ADDRESS or the embedded dev server), then the worker, the watcher and the API.
 * `stop()` undoes everything in reverse order, child processes included.
 */
export async function startSystem(
  baseConfig: AppConfig, log: Logger,
  opts: {
    parts?: Part[]; workflowBundlePath?: string; rates?: RateProvider; onWorkerFailed?: (err: unknown) => void;
    /** Where spans go; by default the OTEL_* environment decides (off unless configured). */
    tracing?: Tracing | null;
  } = {},
): Promise<SystemHandle> {
  const config: AppConfig = { ...baseConfig, adminApiKey: baseConfig.adminApiKey ?? generatedAdminKey() };
  const parts = new Set<Part>(opts.parts ?? ['api', 'worker', 'webhooks', 'watcher']);
  if (parts.has('worker') && !config.webhooks.separateWorker) parts.add('webhooks');
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.warn({ err }, 'error while stopping'));
    stops.length = 0;
  };
  const secretKeys = keyring(dashboardSecretKey(config.dataDir, config.dashboardSecretKey), config.dashboardPreviousSecretKeys);
  try {
    let databaseUrl = config.databaseUrl;
    let postgresPort: number | null = null;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), log);
      stops.push(pg.stop);
      databaseUrl = pg.url;
      postgresPort = pg.port;
    }
    // Migrations run without the statement timeout (a migration may rightly take long), then close.
    const migrator = createDb(databaseUrl, { min: 0, max: 1 }, { acquireMs: 60_000, statementMs: 0 });
    try {
      await migrateLatest(migrator);
      await ensureSystemAccounts(migrator);
      // The data step of migration 108: TOTP keys stored plain (or under a previous key) are sealed under the current one.
      const sealed = await resealTotpSecrets(migrator, secretKeys);
      if (sealed > 0) log.info({ component: 'dashboard', sealed }, 'two-factor keys sealed under the current DASHBOARD_SECRET_KEY');
    } finally {
      await migrator.destroy();
    }
    // Each workload has its own pool (docs/capacity.md): a slow one cannot take another's connections.
    const pool = (max: number, timeouts = config.db) => {
      const made = createDb(databaseUrl, { min: 0, max }, timeouts);
      stops.push(() => made.destroy());
      return made;
    };
    const db = pool(config.pools.apiMax);

    let address = config.temporal.address;
    let security: TemporalSecurity = config.temporal.security;
    let temporalUiUrl: string | null = null;
    if (!address) {
      security = {}; // the embedded dev server speaks plain gRPC on loopback only
      const server = await startTemporalDevServer({
        cliPath: config.temporal.cliPath, cliCacheDir: config.temporal.cliCacheDir, port: config.temporal.port, uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'), namespace: config.temporal.namespace, log,
      });
      stops.push(server.stop);
      address = server.address;
      temporalUiUrl = server.uiUrl;
    }
    const tracing = opts.tracing !== undefined ? opts.tracing : tracingFromEnv();
    if (tracing) stops.push(() => tracing.spanProcessor.forceFlush());
    const { client, connection } = await createTemporalClient(address, config.temporal.namespace, security, tracing, config.temporal.transport);
    stops.push(() => connection.close());

    const rates = createModeRates({ kind: config.rates.kind, url: config.rates.url, table: config.rates.table }, opts.rates);
    if (!rates.liveConfigured) log.warn('live fiat sessions are refused: no real exchange-rate provider (set RATE_PROVIDER=http and RATE_PROVIDER_URL); SATS/BTC work');
    const payoutSender = liveSender(config);
    const ctx: ServiceContext = { db, temporal: client, config, log, liveLightning: Boolean(config.lnd), rates, payoutSender, secretKeys, traced: tracing !== null };
    let workflowBundle: WorkflowBundleOption | undefined = opts.workflowBundlePath
      ? { codePath: opts.workflowBundlePath } : workflowBundleToLoad(config.workflowBundlePath, tracing !== null);
    if (!workflowBundle && parts.has('worker') && parts.has('webhooks')) {
      // Under ts-node with no prebuilt bundle: bundle workflows/ once for both workers, not once each,
      // with the tracing interceptors when this process traces (createWorker adds none to a given bundle).
      workflowBundle = { code: (await bundleWorkflowCode({
        workflowsPath: require.resolve('../workflows'), workflowInterceptorModules: workflowInterceptorModules(tracing !== null), logger: new DefaultLogger('WARN'),
      })).code };
    }
    const startWorkerPart = async (kind: WorkerKind, taskQueue: string, partDb: Db, tuning: Partial<WorkerOptions>) => {
      const deps = { ...activityDeps(config, partDb, log, rates), payoutSender, payoutOnchainTargetConf: config.payouts.onchainTargetConf,
        pauseAfterSendDir: config.payouts.testPauseAfterSendDir };
      log.info({ taskQueue, kind, deployment: config.worker.deployment }, 'starting worker');
      const { worker, connection: workerConnection } = await createWorker({
        kind, address, namespace: config.temporal.namespace, taskQueue, deps, log, workflowBundle, security, transport: config.temporal.transport, tuning,
        deployment: config.worker.deployment, tracing,
      });
      let stoppingWorker = false;
      const running = worker.run();
      // A worker that stops polling on its own (a fatal error, e.g. Temporal gone for too long) must not
      // leave a process that looks alive: `src/main.ts` exits so its supervisor starts it again.
      running.then(
        () => { if (!stoppingWorker) (opts.onWorkerFailed ?? ((err) => log.error({ err }, 'worker stopped')))(new Error('worker stopped polling')); },
        (err: unknown) => { if (!stoppingWorker) (opts.onWorkerFailed ?? ((e) => log.error({ err: e }, 'worker failed')))(err); },
      );
      stops.push(async () => { stoppingWorker = true; worker.shutdown(); await running.catch(() => undefined); await workerConnection.close(); });
    };
    if (parts.has('worker')) {
      const w = config.worker;
      if (w.maxConcurrentActivities + w.maxConcurrentLocalActivities > w.dbPoolMax) {
        log.warn({ activities: w.maxConcurrentActivities, localActivities: w.maxConcurrentLocalActivities, pool: w.dbPoolMax },
          'worker activity slots exceed WORKER_DB_POOL_MAX: under load activities wait on the pool and may fail (docs/capacity.md)');
      }
      const workerDb = pool(w.dbPoolMax, workerDbTimeouts(config));
      await startWorkerPart('checkout', config.temporal.taskQueue, workerDb, workerTuning(config.worker));
      // Money-out rows whose create committed but could not start their workflow (src/services/moneyOutStarter.ts).
      stops.push(startMoneyOutStarter({ ...ctx, db: workerDb }, { checkMs: config.payouts.startCheckMs, log: log.child({ component: 'money-out-starter' }) }));
    }
    if (parts.has('webhooks')) {
      const webhookDb = pool(config.webhooks.dbPoolMax, workerDbTimeouts(config));
      await startWorkerPart('webhooks', config.webhooks.taskQueue, webhookDb, webhookWorkerTuning(config.webhooks, config.worker));
      const dispatch = createWebhookDispatcher({
        db: webhookDb, temporal: client, taskQueue: config.webhooks.taskQueue, timeoutMs: config.webhookTimeoutMs, log: log.child({ component: 'webhooks' }),
        window: config.webhooks.endpointWindow,
      });
      stops.push(startCircuitWaker({
        db: webhookDb, temporal: client, log: log.child({ component: 'webhooks' }),
        taskQueue: config.webhooks.taskQueue, timeoutMs: config.webhookTimeoutMs, perSecond: config.webhooks.maxDeliveriesPerSecond, leaseMs: attemptBudgetMs(config.webhookTimeoutMs),
        window: config.webhooks.endpointWindow, slotCheckMs: config.webhooks.slotCheckMs,
      }));
      stops.push(startRetentionLoop({ db: webhookDb, log: log.child({ component: 'retention' }), retentionDays: config.eventRetentionDays }));
      stops.push(startDispatchSweeper({
        db: webhookDb, dispatch, log: log.child({ component: 'webhooks' }), intervalMs: config.webhooks.relayIntervalMs, graceMs: 0,
      }));
    }
    if (parts.has('watcher')) {
      stops.push(startWatcher(watcherContext({ ...ctx, db: pool(config.pools.watcherMax) }), {
        esplora: config.esplora, bitcoinRpc: config.bitcoinRpc, network: config.bitcoinNetwork,
        lnd: config.lnd ? liveLndNode(config, log) : undefined,
      }));
    }
    let url: string | null = null;
    let app: Express | null = null;
    if (parts.has('api')) {
      app = checkoutApp(ctx, healthProbe(db, connection), temporalUiUrl);
      const server: Server = createHttpServer(app, config.http).listen(config.port, '0.0.0.0');
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      const port = (server.address() as { port: number }).port;
      url = `http://127.0.0.1:${port}`;
      // In-flight requests finish (a create waits for its workflow, so the worker stops after this).
      stops.push(() => closeGracefully(server, config.shutdownDrainMs));
    }
    return {
      config, db, temporal: client, ctx, url, app, temporalUiUrl, stop,
      temporalAddress: address, temporalEmbedded: !config.temporal.address, postgresPort,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A worker's pool waits for a connection as long as its longest activity may run: its slots fit the
 * pool, so a wait means PostgreSQL is slow, and failing after the API's short wait would turn load into
 * retries and attention flags.
 */
function workerDbTimeouts(config: AppConfig): DbTimeouts {
  return { ...config.db, acquireMs: Math.max(config.db.acquireMs, 30_000) };
}

function activityDeps(config: AppConfig, db: Db, log: Logger, rates: ModeRates): ActivityDeps {
  return {
    db,
    log: log.child({ component: 'activities' }),
    rates,
    lightning: {
      test: new LocalLightningNode(lightningNodeKey(config.dataDir, config.lightningNodeKey), config.bitcoinTestNetwork),
      live: config.lnd ? liveLndNode(config, log) : undefined,
    },
    lightningSenders: { test: new SimulatedSender(config.bitcoinTestNetwork), live: liveSender(config) },
    networks: { test: config.bitcoinTestNetwork, live: config.bitcoinNetwork },
    publicUrl: config.publicUrl,
    platformFeePercent: config.platformFeePercent,
    webhookAllowPrivateNetworks: config.webhooks.allowPrivateNetworks,
  };
}

/** The live node's sending side, when a macaroon allowed to pay is configured (LND_PAYOUT_MACAROON_PATH). */
function liveSender(config: AppConfig): LndSender | undefined {
  const lnd = config.lnd;
  if (!lnd?.payoutMacaroonHex) return undefined;
  return new LndSender({ url: lnd.url, macaroonHex: lnd.payoutMacaroonHex, tlsCertPem: lnd.tlsCertPem });
}

/** The live LND node: pinned certificate, invoice preimages derived from the node-local secret. */
function liveLndNode(config: AppConfig, log: Logger): LndRestNode {
  const lnd = config.lnd!;
  return new LndRestNode({
    url: lnd.url, macaroonHex: lnd.macaroonHex, tlsCertPem: lnd.tlsCertPem, network: config.bitcoinNetwork, logger: log,
    invoiceSecretHex: lndInvoiceSecret(config.dataDir, lnd.invoiceSecretHex),
  });
}


let envTracing: Tracing | null | undefined;
/** The process's tracing as the OTEL_* environment configures it, started once per process. */
function tracingFromEnv(): Tracing | null {
  if (envTracing === undefined) {
    const exporter = traceExporterFromEnv();
    envTracing = exporter ? startTracing(exporter) : null;
  }
  return envTracing;
}
