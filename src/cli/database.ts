import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { embeddedPostgresUrl, runningEmbeddedPostgres, startEmbeddedPostgres } from '../infra/embeddedPostgres';

/** The database an operator tool works on, and how to let go of it. */
export interface OperatorDatabase {
  url: string;
  /** Where it came from, for the tool's first line of output. */
  source: string;
  release(): Promise<void>;
}

/**
 * DATABASE_URL when set; else the embedded PostgreSQL of DATA_DIR that a running `npm start` holds
 * (its port from the server's own pid file, its password from DATA_DIR), used beside it; else that
 * embedded PostgreSQL started for this tool's run and stopped after. Two servers never run on one data
 * folder.
 */
export async function operatorDatabase(config: AppConfig, log: Logger): Promise<OperatorDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, source: 'DATABASE_URL', release: async () => undefined };
  const dir = path.join(config.dataDir, 'postgres');
  const running = runningEmbeddedPostgres(dir);
  if (running) {
    return { url: embeddedPostgresUrl(dir, running.port), source: `the running embedded PostgreSQL (port ${running.port})`, release: async () => undefined };
  }
  const pg = await startEmbeddedPostgres(dir, log);
  return { url: pg.url, source: `the embedded PostgreSQL of ${config.dataDir}, started for this run`, release: pg.stop };
}
