import 'dotenv/config';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { startSystem, type Part } from './system';
import { ensureDemoAccount } from './services/demo';

/**
 * `npm start` (everything) or `npm run start:api|start:worker|start:watcher` (one part). Embedded
 * PostgreSQL and the Temporal dev server start unless DATABASE_URL / TEMPORAL_ADDRESS are set.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const only = process.argv[2] as Part | undefined;
  if (only && !['api', 'worker', 'watcher'].includes(only)) throw new Error(`unknown part "${only}": use api, worker or watcher`);
  const system = await startSystem(config, log, { parts: only ? [only] : undefined });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const lines = [`Checkout is running${only ? ` (${only} only)` : ''}.`];
  if (system.url) {
    const demo = await ensureDemoAccount(system.ctx);
    lines.push(
      `  API:            ${system.config.publicUrl}   (health: ${system.config.publicUrl}/health)`,
      `  Admin key:      ${system.config.adminApiKey}${config.adminApiKey ? ' (from ADMIN_API_KEY)' : ' (generated for this run; set ADMIN_API_KEY to keep one)'}`,
      `  Demo account:   ${demo.accountId}`,
      `  Demo test key:  ${demo.secretKey}`,
      ...demo.extraLines,
    );
  }
  if (system.temporalUiUrl) lines.push(`  Temporal UI:    ${system.temporalUiUrl}`);
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
