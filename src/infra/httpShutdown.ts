import type { Server } from 'node:http';

/**
 * Stops an HTTP server without cutting a request short: stop accepting, close idle keep-alive
 * connections (again and again, since a busy one becomes idle when its response ends), and only after
 * `drainMs` close whatever is still open. Resolves once every connection is gone.
 */
export function closeGracefully(server: Server, drainMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    // Responses written from now on say `Connection: close`, so clients do not reuse the socket.
    server.on('request', (_req, res) => res.setHeader('connection', 'close'));
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
    server.close(() => {
      clearInterval(sweeper);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
