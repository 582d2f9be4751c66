/**
 * The Temporal server's configuration for one process of a multi-process cluster on PostgreSQL: every
 * process reads the same stores and differs only in its ports. The ring forms through the
 * `cluster_membership` table (each process writes broadcastAddress:membershipPort there), so all
 * processes may share 127.0.0.1 as long as each has its own gRPC and membership port.
 */

/** The Temporal services a server process can run. */
export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

/** Ports of one server process (the service it runs uses its own pair; the HTTP port only on a frontend). */
export interface NodePorts {
  grpc: number;
  membership: number;
  http: number;
}

/** What every process of the cluster shares. */
export interface SharedSettings {
  postgres: { host: string; port: number; user: string; password: string };
  /** Fixed for the life of the databases: the history processes split these shards between them. */
  numHistoryShards: number;
  /** The frontend clusterMetadata names as this cluster's address (any frontend will do). */
  frontendAddress: string;
  frontendHttpAddress: string;
  dynamicConfigFile: string;
  logLevel: string;
}

/**
 * YAML (JSON is YAML) for a process running `service` on `ports`. Every process must know every service
 * (its membership monitor tracks them all, or it refuses to start: "service not tracked by Monitor"):
 * the others are listed with `others`' ports, which this process never binds.
 */
export function renderServerConfig(
  service: TemporalService, ports: NodePorts, s: SharedSettings, others: Record<TemporalService, NodePorts>,
): string {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${s.postgres.host}:${s.postgres.port}`,
      connectProtocol: 'tcp',
      user: s.postgres.user,
      password: s.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (svc: TemporalService, p: NodePorts) => ({
    grpcPort: p.grpc, membershipPort: p.membership, bindOnIP: '127.0.0.1', ...(svc === 'frontend' ? { httpPort: p.http } : {}),
  });
  const services = Object.fromEntries((Object.keys(others) as TemporalService[])
    .map((svc) => [svc, { rpc: rpc(svc, svc === service ? ports : others[svc]) }]));
  const config = {
    log: { stdout: true, level: s.logLevel, format: 'json' },
    persistence: {
      numHistoryShards: s.numHistoryShards,
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' }, pprof: { port: 0 } },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: s.frontendAddress, httpAddress: s.frontendHttpAddress },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: s.dynamicConfigFile, pollInterval: '10s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Dynamic configuration for tests: search attributes registered a moment ago are seen at once (no cache
 * wait), which a fresh cluster per run needs.
 */
export const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`;
