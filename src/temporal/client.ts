import { Client, Connection } from '@temporalio/client';

/** A Temporal client on `address` (one gRPC connection, shared by the API and the watcher). */
export async function createTemporalClient(address: string, namespace: string): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), connection };
}
