import { TcpBalancer } from '../../scripts/cluster/tcpBalancer';
import { loadConfig } from '../../src/config';
import { NativeConnection } from '@temporalio/worker';
import { createTemporalClient } from '../../src/temporal/client';
import { workerTransportOptions } from '../../src/temporal/connectionOptions';

/** Two stand-in frontends (TCP hops to the suite's Temporal server) behind a balancer. */
async function twoFrontendsBehindABalancer() {
  const [host, port] = process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS!.split(':');
  const frontends = { a: new TcpBalancer([{ name: 'server', host, port: Number(port) }]), b: new TcpBalancer([{ name: 'server', host, port: Number(port) }]) };
  await frontends.a.listen();
  await frontends.b.listen();
  const lb = new TcpBalancer(Object.entries(frontends).map(([name, f]) => ({ name, host: '127.0.0.1', port: f.port })));
  await lb.listen();
  const close = async () => {
    await lb.close();
    await frontends.a.close();
    await frontends.b.close();
  };
  return { frontends, lb, close };
}

/**
 * The product's Temporal client (API, watcher) behind a load balancer, as production runs it
 * (docs/cluster.md, "Frontends behind a load balancer"): when the frontend carrying its connection dies,
 * the balancer resets that connection, and the next call, retried by the client, reconnects through the
 * balancer to the other frontend. Here each "frontend" is a TCP hop of its own in front of the suite's
 * Temporal server; closing one is that frontend dying (its sockets closed by the kernel, as on SIGKILL).
 * test/cluster/failover.test.ts does the same with real frontend processes, the worker and money moving.
 */
test('a frontend dying under the client\'s connection: the next call is served through the other one', async () => {
  const { frontends, lb, close } = await twoFrontendsBehindABalancer();
  const { connection } = await createTemporalClient(lb.address, 'default', {}, null, loadConfig({}).temporal.transport);
  try {
    await connection.workflowService.getSystemInfo({});
    const carrying = lb.liveConnections('a') === 1 ? 'a' : 'b';
    const other = carrying === 'a' ? 'b' : 'a';
    expect(lb.liveConnections(carrying)).toBe(1); // one HTTP/2 connection, on one frontend
    expect(lb.liveConnections(other)).toBe(0);

    await frontends[carrying].close(); // that frontend dies

    const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(namespace.namespaceInfo?.name).toBe('default');
    expect(lb.stats.cut[carrying]).toBe(1); // its connection was reset, not left to keepalive
    expect(lb.liveConnections(other)).toBe(1); // and the client came back through the other frontend
  } finally {
    await connection.close();
    await close();
  }
});

test('the same for the worker\'s connection (the SDK core\'s): its next call reconnects through the other frontend', async () => {
  const { frontends, lb, close } = await twoFrontendsBehindABalancer();
  const connection = await NativeConnection.connect({ address: lb.address, ...workerTransportOptions(loadConfig({}).temporal.transport) });
  try {
    await connection.workflowService.getSystemInfo({});
    const carrying = lb.liveConnections('a') >= 1 ? 'a' : 'b';
    const other = carrying === 'a' ? 'b' : 'a';
    const cutBefore = lb.liveConnections(carrying);
    expect(cutBefore).toBeGreaterThan(0);

    await frontends[carrying].close();

    const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(namespace.namespaceInfo?.name).toBe('default');
    expect(lb.stats.cut[carrying]).toBe(cutBefore);
    expect(lb.liveConnections(other)).toBeGreaterThan(0);
  } finally {
    await connection.close();
    await close();
  }
});
