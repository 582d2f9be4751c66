import fs from 'node:fs';
import path from 'node:path';
import type { ActivityDeps } from './deps';

/**
 * The tests' crash point between send and settle (`TEST_PAUSE_AFTER_SEND_DIR`, never set in production):
 * once a send has reached the node (a Lightning payment final on it, an on-chain transaction broadcast),
 * the activity writes a file named by the send's key (payment hash or txid) into that folder and never
 * returns (once per key: a send whose file exists goes on), so the test can SIGKILL the worker at exactly the moment the node has paid and the ledger has
 * not settled (test/regtest/payoutCrash.test.ts). Undefined (a no-op) when the setting is absent.
 */
export function pauseAfterSend(deps: Pick<ActivityDeps, 'pauseAfterSendDir'>): ((key: string) => Promise<void>) | undefined {
  const dir = deps.pauseAfterSendDir;
  if (!dir) return undefined;
  return async (key: string) => {
    // Once per send: the worker that takes over (with the same setting) finds the file and goes on to settle.
    const file = path.join(dir, key);
    if (fs.existsSync(file)) return;
    fs.writeFileSync(file, String(process.pid));
    await new Promise<never>(() => undefined);
  };
}
