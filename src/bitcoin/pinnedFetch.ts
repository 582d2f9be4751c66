import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** The subset of `fetch` the node clients use. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that trusts exactly one certificate: `pem`, a node's self-signed TLS certificate (LND's
 * `tls.cert`, btcd's `rpc.cert`). The peer must present that very certificate (same SHA-256
 * fingerprint); the host name is not checked, because a pinned certificate already names the server
 * and nodes are often reached by an address their certificate does not list. Nothing else in the
 * process is affected (no NODE_TLS_REJECT_UNAUTHORIZED).
 */
export function pinnedFetch(pem: string): FetchLike {
  const pinned = new X509Certificate(pem).fingerprint256;
  const dispatcher = new Agent({
    connect: {
      ca: pem,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.fingerprint256 === pinned ? undefined : new Error(`the server's TLS certificate ${cert.fingerprint256} is not the pinned one ${pinned}`),
    },
  });
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}
