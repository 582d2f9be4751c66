/**
 * Real HTTP servers on 127.0.0.1:0 for the webhook tests; each records its requests and is torn down
 * with every open connection so jest exits cleanly.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it (raw body, lower-cased headers). */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A running local server: its base URL, what it received, and how to stop it. */
export interface LocalServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Handler that receives the fully read request body. */
export type LocalHandler = (req: ReceivedRequest, res: http.ServerResponse) => void;

/** Starts a server on a free loopback port; the handler runs after the request body has been read. */
export async function startServer(handler: LocalHandler): Promise<LocalServer> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      handler(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
