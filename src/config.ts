import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KEY_ADVICE, keyWeakness } from './domain/keyStrength';

/** Environment variables, parsed once at start and injected everywhere (SPEC §1). */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_CLI_CACHE_DIR: z.string().optional(),
  TEMPORAL_TASK_QUEUE: z.string().default('checkout'),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  // The server refuses pings more often than every 10 s (frontend.keepAliveMinTime) with GOAWAY.
  TEMPORAL_KEEPALIVE_SECONDS: z.coerce.number().int().min(10, 'at least 10 (the server refuses more frequent pings)').default(30),
  TEMPORAL_KEEPALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(15),
  TEMPORAL_RECONNECT_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).default(10),
  TEMPORAL_DNS_RESOLUTION_SECONDS: z.coerce.number().int().min(1).optional(),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  TEMPORAL_METRICS_BIND: z.string().regex(/^[^:]+:\d+$/, 'host:port, e.g. 0.0.0.0:9464').optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  // A guessable admin key opens every tenant's money: refuse a weak one at start (keyStrength.ts).
  ADMIN_API_KEY: z.string().superRefine((key, ctx) => {
    const weakness = keyWeakness(key);
    if (weakness) ctx.addIssue({ code: 'custom', message: `too weak: ${weakness}; ${KEY_ADVICE}` });
  }).optional(),
  // Failed admin authentications a client may make per window before every admin request of it is a 429.
  ADMIN_AUTH_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  ADMIN_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  NODE_ENV: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  RATE_LIMIT_PUBLIC_PER_IP: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_PUBLIC_PER_TARGET: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_SIMULATOR_PER_PAYMENT: z.coerce.number().int().min(1).default(120),
  // Open unpaid sessions per payment link (each holds a wallet address index); below a wallet's usual gap limit of 20.
  PAYMENT_LINK_MAX_OPEN_SESSIONS: z.coerce.number().int().min(1).default(10),
  DEMO: z.enum(['true', 'false']).optional(),
  PLATFORM_FEE_PERCENT: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, 'a percentage 0-99.99').default('1'),
  CHECKOUT_MIN_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  MONITORING_HOURS: z.coerce.number().min(0).default(24),
  WORKFLOW_HISTORY_LIMIT: z.coerce.number().int().min(50).default(10_000),
  // A cached session costs the worker ~350–400 KB of RSS, and the workflow thread's garbage swings another
  // ~150 MB (docs/decisions/bench-round-4-cache-500-poll-off-process.md): 500 keep the whole process at 630–800 MB however many sessions
  // are open, well inside 1 GiB, where 1,000 peaked at 1,003 MB. One outside the cache replays its history
  // on its next signal (~20 ms on a quiet machine).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  // Capacity (docs/capacity.md): each workload's slots fit its own pool, so a burst waits in Temporal's
  // task queue (latency) instead of on a pool connection (a KnexTimeoutError, retries, then attention).
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(20),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(20),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  WORKER_DB_POOL_MAX: z.coerce.number().int().min(1).default(40),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  WORKER_DEPLOYMENT_NAME: z.string().regex(/^[\w.-]{1,100}$/).default('checkout'),
  WORKER_BUILD_ID: z.string().regex(/^[\w.+-]{1,100}$/).optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).default(20),
  WATCHER_DB_POOL_MAX: z.coerce.number().int().min(1).default(5),
  METRICS_REFRESH_SECONDS: z.coerce.number().min(0).default(30),
  WORKFLOW_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).default(30),
  // An active session with nothing due (no open payment, no failed work) closes its run after this long;
  // the next receipt, renewal or deactivation starts it again from the read model.
  WORKFLOW_IDLE_SECONDS: z.coerce.number().min(1).default(86_400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_PROVIDER: z.enum(['static', 'http']).default('static'),
  RATE_PROVIDER_URL: z.string().url().optional(),
  STATIC_RATES: z.string().optional(),
  LND_REST_URL: z.string().url().optional(),
  LND_MACAROON_HEX: z.string().regex(/^[0-9a-f]+$/i, 'hex').optional(),
  LND_MACAROON_PATH: z.string().optional(),
  // The sending side (payouts, proof of reserves): a macaroon with offchain:write, onchain:write and the reads.
  LND_PAYOUT_MACAROON_HEX: z.string().regex(/^[0-9a-f]+$/i, 'hex').optional(),
  LND_PAYOUT_MACAROON_PATH: z.string().optional(),
  PAYOUT_LIGHTNING_FEE_LIMIT_PERCENT: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, 'a percentage 0-99.99').default('1'),
  PAYOUT_LIGHTNING_FEE_LIMIT_MIN_SATS: z.coerce.number().int().min(0).default(10),
  PAYOUT_ONCHAIN_TARGET_CONF: z.coerce.number().int().min(1).max(1008).default(6),
  // Plain-http LNURL services (a local test server); LUD-16 wants https.
  PAYOUT_LNURL_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
  // LNURL / Lightning Address hosts may be loopback or private (local development), like webhooks' setting.
  PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  // How long a payout, refund or withdrawal link may wait for its workflow before the money-out starter starts it, and how often it looks.
  MONEY_OUT_START_CHECK_MS: z.coerce.number().int().min(1000).default(60000),
  // Tests only (docs/payouts.md): a folder; a send that reached the node writes its key there and the worker then stops, never settling.
  TEST_PAUSE_AFTER_SEND_DIR: z.string().optional(),
  LND_TLS_CERT_PATH: z.string().optional(),
  LND_TLS_CERT_BASE64: z.string().optional(),
  LND_INVOICE_SECRET: z.string().regex(/^[0-9a-f]{64}$/i, '32 bytes of hex').optional(),
  ESPLORA_URL: z.string().url().optional(),
  ESPLORA_POLL_SECONDS: z.coerce.number().min(1).default(30),
  ESPLORA_MAX_ADDRESSES_PER_PASS: z.coerce.number().int().min(1).default(1000),
  BITCOIN_RPC_URL: z.string().url().optional(),
  BITCOIN_RPC_COOKIE: z.string().optional(),
  BITCOIN_RPC_POLL_SECONDS: z.coerce.number().min(0.1).default(10),
  ONCHAIN_MIN_CONFIRMATIONS: z.coerce.number().int().min(0).default(1),
  BITCOIN_NETWORK: z.enum(['mainnet', 'testnet', 'signet', 'regtest']).default('mainnet'),
  BITCOIN_TEST_NETWORK: z.enum(['testnet', 'regtest']).default('regtest'),
  LIGHTNING_NODE_KEY: z.string().regex(/^[0-9a-f]{64}$/i).optional(),
  // AES-256-GCM key of the dashboard's secrets at rest (TOTP keys); else generated once into DATA_DIR.
  DASHBOARD_SECRET_KEY: z.string().regex(/^[0-9a-f]{64}$/i, '32 bytes of hex').optional(),
  // Keys it replaced, comma-separated, still able to open values until they are resealed at start.
  DASHBOARD_SECRET_KEYS_PREVIOUS: z.string().regex(/^([0-9a-f]{64})(,[0-9a-f]{64})*$/i, '32-byte hex keys, comma-separated').optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  WEBHOOK_MAX_ENDPOINTS: z.coerce.number().int().min(1).max(1000).default(16),
  WEBHOOK_TASK_QUEUE: z.string().min(1).optional(),
  WEBHOOK_WORKER: z.enum(['with-worker', 'separate']).default('with-worker'),
  WEBHOOK_MAX_CONCURRENT_DELIVERIES: z.coerce.number().int().min(1).default(20),
  WEBHOOK_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(10),
  WEBHOOK_MAX_DELIVERIES_PER_SECOND: z.coerce.number().min(0).default(50),
  WEBHOOK_DB_POOL_MAX: z.coerce.number().int().min(1).default(10),
  WEBHOOK_RELAY_INTERVAL_MS: z.coerce.number().int().min(10).default(500),
  WEBHOOK_ENDPOINT_WINDOW: z.coerce.number().int().min(1).max(1000).default(10),
  WEBHOOK_SLOT_CHECK_MS: z.coerce.number().int().min(1000).default(60000),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  DB_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(20000),
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(5),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(0).default(2000),
}).refine((e) => e.HTTP_HEADERS_TIMEOUT_SECONDS <= e.HTTP_REQUEST_TIMEOUT_SECONDS, {
  path: ['HTTP_HEADERS_TIMEOUT_SECONDS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_SECONDS',
});

export type AppConfig = ReturnType<typeof loadConfig>;
type Env = z.infer<typeof envSchema>;

/** LND settings: the macaroon from hex or a file, the TLS certificate pinned from a file or base64 PEM. */
function lndConfig(e: Env) {
  if (!e.LND_REST_URL) return undefined;
  if (e.LND_MACAROON_HEX && e.LND_MACAROON_PATH) throw new Error('Invalid configuration: set LND_MACAROON_HEX or LND_MACAROON_PATH, not both');
  if (e.LND_TLS_CERT_PATH && e.LND_TLS_CERT_BASE64) throw new Error('Invalid configuration: set LND_TLS_CERT_PATH or LND_TLS_CERT_BASE64, not both');
  const macaroonHex = e.LND_MACAROON_PATH ? readConfigFile('LND_MACAROON_PATH', e.LND_MACAROON_PATH).toString('hex') : e.LND_MACAROON_HEX ?? '';
  let tlsCertPem: string | undefined;
  if (e.LND_TLS_CERT_PATH) tlsCertPem = readConfigFile('LND_TLS_CERT_PATH', e.LND_TLS_CERT_PATH).toString('utf8');
  // Accept the base64 of the PEM file (what `base64 -w0 tls.cert` prints) or a PEM pasted as is.
  if (e.LND_TLS_CERT_BASE64) {
    const raw = e.LND_TLS_CERT_BASE64.trim();
    tlsCertPem = raw.startsWith('-----BEGIN') ? raw : Buffer.from(raw, 'base64').toString('utf8');
  }
  if (tlsCertPem !== undefined && !tlsCertPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error('Invalid configuration: the LND TLS certificate is not a PEM certificate');
  }
  if (e.LND_PAYOUT_MACAROON_HEX && e.LND_PAYOUT_MACAROON_PATH) throw new Error('Invalid configuration: set LND_PAYOUT_MACAROON_HEX or LND_PAYOUT_MACAROON_PATH, not both');
  const payoutMacaroonHex = e.LND_PAYOUT_MACAROON_PATH
    ? readConfigFile('LND_PAYOUT_MACAROON_PATH', e.LND_PAYOUT_MACAROON_PATH).toString('hex') : e.LND_PAYOUT_MACAROON_HEX;
  return { url: e.LND_REST_URL, macaroonHex, tlsCertPem, invoiceSecretHex: e.LND_INVOICE_SECRET, payoutMacaroonHex };
}

function readConfigFile(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`Invalid configuration: ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

/** Parses the environment (and `.env` if present) into the one config object of the process. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      cliPath: e.TEMPORAL_CLI_PATH,
      cliCacheDir: e.TEMPORAL_CLI_CACHE_DIR,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      // Only for a cluster of your own (TEMPORAL_ADDRESS): the embedded dev server listens on loopback.
      security: {
        certPath: e.TEMPORAL_TLS_CERT_PATH, keyPath: e.TEMPORAL_TLS_KEY_PATH, caPath: e.TEMPORAL_TLS_CA_PATH,
        serverName: e.TEMPORAL_TLS_SERVER_NAME, apiKey: e.TEMPORAL_API_KEY,
        tls: e.TEMPORAL_TLS === undefined ? undefined : e.TEMPORAL_TLS === 'true',
      },
      /** Keepalive, reconnect and DNS spreading of the connections to TEMPORAL_ADDRESS (docs/cluster.md). */
      transport: {
        keepaliveMs: e.TEMPORAL_KEEPALIVE_SECONDS * 1000,
        keepaliveTimeoutMs: e.TEMPORAL_KEEPALIVE_TIMEOUT_SECONDS * 1000,
        reconnectBackoffMaxMs: e.TEMPORAL_RECONNECT_BACKOFF_MAX_SECONDS * 1000,
        dnsResolutionMs: e.TEMPORAL_DNS_RESOLUTION_SECONDS === undefined ? null : e.TEMPORAL_DNS_RESOLUTION_SECONDS * 1000,
      },
    },
    adminApiKey: e.ADMIN_API_KEY,
    adminAuthThrottle: { maxFailures: e.ADMIN_AUTH_MAX_FAILURES, windowMs: e.ADMIN_AUTH_FAILURE_WINDOW_SECONDS * 1000 },
    /** Express's `trust proxy`: whose address `req.ip` (and so the per-IP limits) uses behind a proxy. */
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    /** Requests per minute (public page per client IP and per link/session; simulator per payment). */
    rateLimits: {
      perIpPerMinute: e.RATE_LIMIT_PUBLIC_PER_IP, perTargetPerMinute: e.RATE_LIMIT_PUBLIC_PER_TARGET,
      simulatorPerPaymentPerMinute: e.RATE_LIMIT_SIMULATOR_PER_PAYMENT,
    },
    /** Make the demo merchant, its test key and checkout at start: on by default, off in production. */
    demo: e.DEMO === undefined ? e.NODE_ENV !== 'production' : e.DEMO === 'true',
    platformFeePercent: e.PLATFORM_FEE_PERCENT,
    minTtlSeconds: e.CHECKOUT_MIN_TTL_SECONDS,
    paymentLinkMaxOpenSessions: e.PAYMENT_LINK_MAX_OPEN_SESSIONS,
    monitoringHours: e.MONITORING_HOURS,
    workflowHistoryLimit: e.WORKFLOW_HISTORY_LIMIT,
    /** The money worker: session, payout, refund and link workflows and their activities (docs/capacity.md). */
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivities: e.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      dbPoolMax: e.WORKER_DB_POOL_MAX,
      shutdownGraceMs: Math.round(e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000),
      /** The worker deployment version every worker reports (`name` + build ID; the build ID defaults to the package version). */
      deployment: { name: e.WORKER_DEPLOYMENT_NAME, buildId: e.WORKER_BUILD_ID ?? `v${packageVersion()}` },
    },
    /** Pool sizes of the API's and the watcher's own connections. */
    pools: { apiMax: e.DB_POOL_MAX, watcherMax: e.WATCHER_DB_POOL_MAX },
    metricsRefreshSeconds: e.METRICS_REFRESH_SECONDS,
    workflowRetryBaseMs: Math.round(e.WORKFLOW_RETRY_BASE_SECONDS * 1000),
    workflowIdleMs: Math.round(e.WORKFLOW_IDLE_SECONDS * 1000),
    logLevel: e.LOG_LEVEL,
    rates: { kind: e.RATE_PROVIDER, url: e.RATE_PROVIDER_URL, table: e.STATIC_RATES },
    lnd: lndConfig(e),
    /** Routing fee limit of a Lightning payout: max(percent of the amount, minimum sats), reserved with it. */
    payouts: {
      lightningFeeLimitPercent: e.PAYOUT_LIGHTNING_FEE_LIMIT_PERCENT, lightningFeeLimitMinSats: e.PAYOUT_LIGHTNING_FEE_LIMIT_MIN_SATS,
      onchainTargetConf: e.PAYOUT_ONCHAIN_TARGET_CONF, lnurlAllowHttp: e.PAYOUT_LNURL_ALLOW_HTTP === 'true',
      lnurlAllowPrivateNetworks: e.PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS === 'true',
      testPauseAfterSendDir: e.TEST_PAUSE_AFTER_SEND_DIR,
      startCheckMs: e.MONEY_OUT_START_CHECK_MS,
    },
    esplora: e.ESPLORA_URL
      ? {
        url: e.ESPLORA_URL, pollSeconds: e.ESPLORA_POLL_SECONDS, minConfirmations: e.ONCHAIN_MIN_CONFIRMATIONS,
        maxAddressesPerPass: e.ESPLORA_MAX_ADDRESSES_PER_PASS,
      }
      : undefined,
    bitcoinRpc: e.BITCOIN_RPC_URL
      ? { url: e.BITCOIN_RPC_URL, cookieFile: e.BITCOIN_RPC_COOKIE, pollSeconds: e.BITCOIN_RPC_POLL_SECONDS, minConfirmations: e.ONCHAIN_MIN_CONFIRMATIONS }
      : undefined,
    bitcoinNetwork: e.BITCOIN_NETWORK,
    bitcoinTestNetwork: e.BITCOIN_TEST_NETWORK,
    lightningNodeKey: e.LIGHTNING_NODE_KEY,
    dashboardSecretKey: e.DASHBOARD_SECRET_KEY?.toLowerCase(),
    dashboardPreviousSecretKeys: e.DASHBOARD_SECRET_KEYS_PREVIOUS ? e.DASHBOARD_SECRET_KEYS_PREVIOUS.toLowerCase().split(',') : [],
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
    metricsToken: e.METRICS_TOKEN,
    temporalMetricsBind: e.TEMPORAL_METRICS_BIND,
    webhooks: {
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true', maxEndpointsPerAccount: e.WEBHOOK_MAX_ENDPOINTS,
      /** Deliveries run on their own task queue and worker, with their own slots and pool (docs/webhooks.md). */
      taskQueue: e.WEBHOOK_TASK_QUEUE ?? `${e.TEMPORAL_TASK_QUEUE}-webhooks`,
      /** `separate`: the worker part leaves deliveries to `npm run start:webhooks` processes. */
      separateWorker: e.WEBHOOK_WORKER === 'separate',
      maxConcurrentDeliveries: e.WEBHOOK_MAX_CONCURRENT_DELIVERIES,
      maxConcurrentWorkflowTasks: e.WEBHOOK_MAX_CONCURRENT_WORKFLOW_TASKS,
      /** Attempts per second over the whole webhook task queue (every worker together); 0 = no limit. */
      maxDeliveriesPerSecond: e.WEBHOOK_MAX_DELIVERIES_PER_SECOND,
      dbPoolMax: e.WEBHOOK_DB_POOL_MAX,
      relayIntervalMs: e.WEBHOOK_RELAY_INTERVAL_MS,
      /** Delivery workflows in flight per endpoint at most; the rest wait as parked rows (docs/webhooks.md). */
      endpointWindow: e.WEBHOOK_ENDPOINT_WINDOW,
      /** A window slot older than this, and not asked about for as long, is checked against Temporal (freed if its run ended). */
      slotCheckMs: e.WEBHOOK_SLOT_CHECK_MS,
    },
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    /** Deadline of the API's Temporal calls (updates, signals) before it answers 503. */
    temporalCallTimeoutMs: e.TEMPORAL_CALL_TIMEOUT_MS,
    db: { acquireMs: e.DB_ACQUIRE_TIMEOUT_MS, statementMs: e.DB_STATEMENT_TIMEOUT_MS },
    /** How long a stopping API lets in-flight requests finish before it closes their connections. */
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    /** The API listener's deadlines and connection cap (slow clients cannot hold sockets for minutes). */
    http: {
      requestTimeoutMs: Math.round(e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000),
      headersTimeoutMs: Math.round(e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000),
      keepAliveTimeoutMs: Math.round(e.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000),
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
  };
}

/**
 * An empty value means "not set": compose files write `${ESPLORA_URL:-}` and `.env` templates leave
 * `KEY=` lines, and both must fall back to the default rather than fail validation.
 */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') out[key] = value;
  return out;
}

/** `TRUST_PROXY`: unset/`false` (clients connect directly), `true`, a hop count, or Express's address list. */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** This package's version (the default worker build ID), read once from package.json next to src/ or dist/src/. */
function packageVersion(): string {
  for (const dir of [path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not here: try the next
    }
  }
  return '0.0.0';
}
