import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server standing in for an off-machine service (LND, Esplora, a rate API). */
export interface StandInServer {
  url: string;
  /** Every request seen, in order. */
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

/** The handler gets the request (body already read) and the response to answer on. */
export type StandInHandler = (
  req: http.IncomingMessage & { body: string },
  res: http.ServerResponse,
) => unknown;

/** Starts a stand-in on 127.0.0.1, port 0 (a free port chosen by the OS). */
export async function startStandIn(handler: StandInHandler): Promise<StandInServer> {
  const requests: StandInServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      Promise.resolve(handler(Object.assign(req, { body }), res)).catch((err: Error) => {
        res.statusCode = 599;
        res.end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Streaming responses (invoice subscriptions) never end by themselves.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body (given as text, so tests control exactly which numbers are sent). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(text);
}

/** Resolves once `predicate` holds, polling every 5 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
