import { Client, Connection } from '@temporalio/client';
import { clientInterceptors, type Tracing } from '../telemetry/tracing';
import { clientTransportOptions, temporalConnectionOptions, type TemporalSecurity, type TemporalTransport } from './connectionOptions';

/** A Temporal client on `address` (one gRPC connection, shared by the API and the watcher). */
export async function createTemporalClient(
  address: string, namespace: string, security?: TemporalSecurity, tracing: Tracing | null = null, transport?: TemporalTransport,
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address, ...temporalConnectionOptions(security), ...clientTransportOptions(transport) });
  return { client: new Client({ connection, namespace, interceptors: clientInterceptors(tracing) }), connection };
}
