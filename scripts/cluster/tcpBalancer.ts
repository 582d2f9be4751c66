import net from 'node:net';

/** A backend of the balancer: a name for the report and where it listens. */
export interface Backend {
  name: string;
  host: string;
  port: number;
}

/** What the balancer did, per backend (for the run's report and its checks). */
export interface BalancerStats {
  /** Connections piped to each backend since the start. */
  connections: Record<string, number>;
  /** Connects to each backend that failed (refused, timed out) and were moved on to the next one. */
  skipped: Record<string, number>;
  /** Client connections closed because their backend went away under them (each client reconnects). */
  cut: Record<string, number>;
  /** Client connections refused because no backend answered. */
  refused: number;
}

/**
 * A local stand-in for the load balancer production puts in front of the Temporal frontends (docs/cluster.md):
 * a layer-4 TCP balancer, round-robin per new connection, that skips a backend whose connect fails and
 * tries the next. It holds no state of its own: a gRPC connection lives on one backend for its lifetime;
 * when that backend dies the balancer closes the client's side too (as a real L4 balancer forwards the
 * reset), the gRPC client sees the connection drop, fails or retries the calls in flight and reconnects,
 * and the new connection lands on a live frontend. Frontends are stateless, so any one serves any call.
 *
 * Why not an npm package: the TCP proxies on the registry pipe to one fixed target; round-robin with
 * failover and per-backend counts (which the failover test checks) is these few lines on node:net.
 */
export class TcpBalancer {
  private server: net.Server | null = null;
  private next = 0;
  private readonly live = new Map<string, Set<net.Socket>>();
  readonly stats: BalancerStats = { connections: {}, skipped: {}, cut: {}, refused: 0 };
  /** When each connection was piped, and to which backend (oldest first; the last 10,000). */
  private readonly piped: { name: string; at: number }[] = [];
  port = 0;

  constructor(private readonly backends: Backend[], private readonly connectTimeoutMs = 2_000) {
    if (backends.length === 0) throw new Error('a balancer needs at least one backend');
    for (const b of backends) {
      this.live.set(b.name, new Set());
      this.stats.connections[b.name] = 0;
      this.stats.skipped[b.name] = 0;
      this.stats.cut[b.name] = 0;
    }
  }

  get address(): string { return `127.0.0.1:${this.port}`; }

  /** Client connections piped to `name` right now. */
  liveConnections(name: string): number { return this.live.get(name)?.size ?? 0; }

  /** The first connection piped at or after `sinceMs` (ms since epoch), or null. */
  firstPipedSince(sinceMs: number): { name: string; at: number } | null {
    return this.piped.find((p) => p.at >= sinceMs) ?? null;
  }

  /** Listens on `port` (0: a free one) on 127.0.0.1. */
  async listen(port = 0): Promise<string> {
    const server = net.createServer({ pauseOnConnect: true }, (client) => void this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.address;
  }

  /** Stops listening and closes every piped connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const sockets of this.live.values()) for (const s of sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async accept(client: net.Socket): Promise<void> {
    client.on('error', () => undefined); // a reset client: its upstream is closed below
    // Each backend at most once per connection, starting at the next in turn.
    const start = this.next++ % this.backends.length;
    for (let i = 0; i < this.backends.length; i++) {
      const backend = this.backends[(start + i) % this.backends.length];
      const upstream = await this.connect(backend);
      if (!upstream) {
        this.stats.skipped[backend.name]++;
        continue;
      }
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      this.pipe(client, upstream, backend.name);
      return;
    }
    this.stats.refused++;
    client.destroy();
  }

  private connect(backend: Backend): Promise<net.Socket | null> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: backend.host, port: backend.port });
      const fail = () => {
        socket.destroy();
        resolve(null);
      };
      socket.setTimeout(this.connectTimeoutMs, fail);
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.removeListener('error', fail);
        socket.on('error', () => undefined); // a reset backend: 'close' follows, handled in pipe()
        resolve(socket);
      });
    });
  }

  private pipe(client: net.Socket, upstream: net.Socket, name: string): void {
    const sockets = this.live.get(name)!;
    sockets.add(client);
    this.stats.connections[name]++;
    this.piped.push({ name, at: Date.now() });
    if (this.piped.length > 10_000) this.piped.shift();
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let clientGone = false;
    // The backend went away (killed, or closed the connection): forward that as a reset so the client
    // notices now rather than at its next keepalive.
    upstream.once('close', () => {
      sockets.delete(client);
      if (!clientGone) {
        this.stats.cut[name]++;
        client.resetAndDestroy();
      }
    });
    client.once('close', () => {
      clientGone = true;
      sockets.delete(client);
      upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
