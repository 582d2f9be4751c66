import net from 'node:net';
import { TcpBalancer } from '../../../scripts/cluster/tcpBalancer';

/**
 * The cluster harness's stand-in for the load balancer in front of the Temporal frontends: round-robin
 * per new connection, a backend whose connect fails is skipped, a backend that goes away closes its
 * clients' connections (so they reconnect, to a live one). Backends here are plain TCP servers that
 * answer every connection with their name.
 */
interface NamedServer { name: string; server: net.Server; port: number; sockets: Set<net.Socket> }

async function namedServer(name: string): Promise<NamedServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.write(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { name, server, port: (server.address() as net.AddressInfo).port, sockets };
}

async function stopServer(s: NamedServer): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Connects through the balancer; resolves with the socket and the first data (the backend's name), or null if closed first. */
function dial(port: number): Promise<{ socket: net.Socket; name: string | null }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('data', (d) => resolve({ socket, name: d.toString() }));
    socket.once('close', () => resolve({ socket, name: null }));
  });
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function balancerOver(backends: { name: string; port: number }[]): Promise<TcpBalancer> {
  const lb = new TcpBalancer(backends.map((b) => ({ name: b.name, host: '127.0.0.1', port: b.port })));
  await lb.listen();
  cleanup.push(() => lb.close());
  return lb;
}

test('spreads new connections over the backends in turn', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  cleanup.push(() => stopServer(a), () => stopServer(b));
  const lb = await balancerOver([a, b]);
  const dials = [];
  for (let i = 0; i < 4; i++) dials.push(await dial(lb.port)); // one after another: each takes the next turn
  const names = dials.map((d) => d.name).sort();
  expect(names).toEqual(['a', 'a', 'b', 'b']);
  expect(lb.stats.connections).toEqual({ a: 2, b: 2 });
  expect(lb.liveConnections('a')).toBe(2);
  for (const d of dials) d.socket.destroy();
});

test('skips a backend whose connect fails', async () => {
  const b = await namedServer('b');
  cleanup.push(() => stopServer(b));
  const lb = await balancerOver([{ name: 'dead', port: await deadPort() }, b]);
  const dials = [];
  for (let i = 0; i < 4; i++) dials.push(await dial(lb.port));
  expect(dials.map((d) => d.name)).toEqual(['b', 'b', 'b', 'b']);
  expect(lb.stats.skipped.dead).toBe(2); // every other connection tried it first
  expect(lb.stats.connections).toEqual({ dead: 0, b: 4 });
  for (const d of dials) d.socket.destroy();
});

test('a backend that dies closes its clients\' connections; their reconnects land on the live one', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  cleanup.push(() => stopServer(b));
  const lb = await balancerOver([a, b]);
  const first = await dial(lb.port);
  const second = await dial(lb.port);
  const onA = [first, second].find((d) => d.name === 'a')!;
  const onB = [first, second].find((d) => d.name === 'b')!;
  await stopServer(a); // the frontend process is gone: the kernel closes its sockets
  await closed(onA.socket);
  expect(lb.stats.cut.a).toBe(1);
  expect(lb.liveConnections('a')).toBe(0);
  expect(onB.socket.closed).toBe(false); // the other backend's clients are untouched
  const again = [await dial(lb.port), await dial(lb.port)];
  expect(again.map((d) => d.name)).toEqual(['b', 'b']);
  for (const d of [onB, ...again]) d.socket.destroy();
});

test('closes the client when no backend answers', async () => {
  const lb = await balancerOver([{ name: 'x', port: await deadPort() }, { name: 'y', port: await deadPort() }]);
  const d = await dial(lb.port);
  expect(d.name).toBeNull();
  expect(lb.stats.refused).toBe(1);
});
