import { findAccount } from '../db/accounts';
import { issueKey, labelAccountKeys, revokeLabelledKeys } from '../db/apiKeys';
import { idFromSeed } from '../domain/ids';
import { createAccount } from '../services/accounts';
import type { ServiceContext } from '../services/context';
import { demoCheckoutLines } from './link';
import { demoSignInLines } from '../dashboard/demoUser';

const DEMO_SEED = 'demo-account';
const DEMO_KEY_LABEL = 'demo';

/**
 * The demo merchant of `npm start` (only when `DEMO` is on, the default outside production): made on
 * first start, and given a fresh test key on every start so a new user always has one to paste (keys
 * are stored hashed and cannot be shown again). The previous start's demo key is revoked, so restarts
 * never pile up live credentials.
 */
export async function ensureDemoAccount(ctx: ServiceContext): Promise<{ accountId: string; secretKey: string; extraLines: string[] }> {
  const id = idFromSeed('acct', DEMO_SEED);
  const now = Date.now();
  let secret: string;
  if (!(await findAccount(ctx.db, id))) {
    secret = (await createAccount(ctx, { name: 'Demo merchant' }, DEMO_SEED)).secret_key;
    await labelAccountKeys(ctx.db, id, DEMO_KEY_LABEL); // its only key: the one just shown
  } else {
    await revokeLabelledKeys(ctx.db, id, DEMO_KEY_LABEL, now);
    secret = (await issueKey(ctx.db, id, false, now, DEMO_KEY_LABEL)).secret;
  }
  return { accountId: id, secretKey: secret, extraLines: [...await demoSignInLines(ctx, id), ...await demoCheckoutLines(ctx, id)] };
}
