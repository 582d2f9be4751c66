import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

/** How the client and the worker authenticate to a Temporal cluster (none for the embedded dev server). */
export interface TemporalSecurity {
  /** Client certificate and key (PEM) for mTLS; both or neither. */
  certPath?: string;
  keyPath?: string;
  /** CA that signed the server's certificate, when the system's roots do not cover it. */
  caPath?: string;
  /** Server name to verify, when it differs from the address's host. */
  serverName?: string;
  /** Temporal Cloud style API key, sent as `Authorization: Bearer …` (implies TLS unless `tls` is false). */
  apiKey?: string;
  /** Force TLS on or off; by default on when any of the above is set. */
  tls?: boolean;
}

/** The TLS and API-key options of `Connection.connect` / `NativeConnection.connect`, files read once. */
export function temporalConnectionOptions(sec: TemporalSecurity = {}): { tls?: TLSConfig | false; apiKey?: string } {
  if (Boolean(sec.certPath) !== Boolean(sec.keyPath)) {
    throw new Error('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together (mTLS needs both).');
  }
  const wantsTls = sec.tls ?? Boolean(sec.certPath || sec.caPath || sec.serverName || sec.apiKey);
  if (!wantsTls) {
    if (sec.certPath || sec.caPath) throw new Error('TEMPORAL_TLS=false contradicts the TEMPORAL_TLS_* certificate paths.');
    return sec.apiKey ? { tls: false, apiKey: sec.apiKey } : {};
  }
  const tls: TLSConfig = {
    ...(sec.certPath && sec.keyPath ? { clientCertPair: { crt: fs.readFileSync(sec.certPath), key: fs.readFileSync(sec.keyPath) } } : {}),
    ...(sec.caPath ? { serverRootCACertificate: fs.readFileSync(sec.caPath) } : {}),
    ...(sec.serverName ? { serverNameOverride: sec.serverName } : {}),
  };
  return { tls, ...(sec.apiKey ? { apiKey: sec.apiKey } : {}) };
}

/**
 * How a process's gRPC connections to Temporal notice a dead path and find a live one (docs/cluster.md,
 * "Frontends behind a load balancer"). A gRPC connection lives on one frontend: when that frontend dies
 * behind a layer-4 balancer, the balancer resets the connection, the calls in flight fail UNAVAILABLE and
 * are retried, and the reconnect lands on a live frontend. When nothing resets it (a host or a network
 * path gone silent), only keepalive pings notice: `keepaliveMs` + `keepaliveTimeoutMs` is the longest a
 * silent dead connection holds calls.
 */
export interface TemporalTransport {
  /** Idle time before a keepalive ping; not below 10 s, or the server answers GOAWAY "too many pings". */
  keepaliveMs: number;
  /** A ping not answered within this closes the connection. */
  keepaliveTimeoutMs: number;
  /** Longest wait between reconnect attempts while Temporal is unreachable (gRPC's own default: 120 s). */
  reconnectBackoffMaxMs: number;
  /**
   * When set: TEMPORAL_ADDRESS is a DNS name with one address per frontend; spread connections over
   * every address (round-robin) and resolve the name again at most this often (the worker: this often).
   * Null: one connection to whatever the name resolves to (a load balancer's address).
   */
  dnsResolutionMs: number | null;
}

/** The SDK's own keepalive (both the client's and the worker's), no DNS spreading, reconnects capped at 10 s. */
export const DEFAULT_TEMPORAL_TRANSPORT: TemporalTransport = {
  keepaliveMs: 30_000, keepaliveTimeoutMs: 15_000, reconnectBackoffMaxMs: 10_000, dnsResolutionMs: null,
};

/** `Connection.connect` channel arguments (grpc-js) for the API's and the watcher's client. */
export function clientTransportOptions(t: TemporalTransport = DEFAULT_TEMPORAL_TRANSPORT): { channelArgs: Record<string, string | number> } {
  return {
    channelArgs: {
      'grpc.keepalive_time_ms': t.keepaliveMs,
      'grpc.keepalive_timeout_ms': t.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_reconnect_backoff_ms': t.reconnectBackoffMaxMs,
      ...(t.dnsResolutionMs === null ? {} : {
        'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
        'grpc.dns_min_time_between_resolutions_ms': t.dnsResolutionMs,
      }),
    },
  };
}

/**
 * `NativeConnection.connect` options for the worker. Its keepalive is the SDK core's, fixed at 30 s ping
 * / 15 s timeout (the TypeScript SDK 1.24 does not pass it through), and it retries its polls itself, so
 * only DNS spreading is set here.
 */
export function workerTransportOptions(t: TemporalTransport = DEFAULT_TEMPORAL_TRANSPORT): { dnsLoadBalancingConfig?: { resolutionInterval: number } } {
  return t.dnsResolutionMs === null ? {} : { dnsLoadBalancingConfig: { resolutionInterval: t.dnsResolutionMs } };
}
