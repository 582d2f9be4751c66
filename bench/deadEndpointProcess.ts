import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the endpoint is dead: `503` answers at once with `Retry-After: 1`; `hang` accepts and never answers. */
export type DeadMode = '503' | 'hang';

/** What it tells its parent: its port once listening, then the requests it got when asked. */
export type DeadEndpointReply = { type: 'listening'; port: number } | { type: 'count'; requests: number };

/**
 * A webhook receiver that is down, in its own process so its work is not counted in the measured one:
 * every request is answered `503 Service Unavailable` with `Retry-After: 1` (the busiest a delivery
 * can be made to retry: one attempt a second, the floor the sender honours), or held open unanswered
 * until the sender's timeout. Loopback only.
 */
function main(mode: DeadMode): void {
  let requests = 0;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    if (mode === 'hang') { held.push(res); return; }
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('down');
  });
  server.listen(0, '127.0.0.1', () => process.send!({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies DeadEndpointReply));
  process.on('message', (m: { type: 'count' | 'stop' }) => {
    if (m.type === 'count') process.send!({ type: 'count', requests } satisfies DeadEndpointReply);
    else { server.closeAllConnections(); server.close(() => process.exit(0)); }
  });
  process.on('disconnect', () => process.exit(0));
}

main((process.argv[2] as DeadMode | undefined) ?? '503');
