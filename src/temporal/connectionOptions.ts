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
