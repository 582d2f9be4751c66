import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The folder of btcd, btcctl, lnd and lncli: built once per machine by the project's script, then cached. */
export function regtestBinaries(): string {
  const script = path.resolve(__dirname, '../../../scripts/build-regtest-binaries.sh');
  // Cached: returns at once. Cold: builds for ~6 min (stderr shows progress).
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 }).trim().split('\n').pop()!;
}
