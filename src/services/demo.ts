import { findAccount } from '../db/accounts';
import { issueKey } from '../db/apiKeys';
import { idFromSeed } from '../domain/ids';
import { createAccount } from './accounts';
import type { ServiceContext } from './context';
import { demoCheckoutLines } from './demoLink';

const DEMO_SEED = 'demo-account';

/**
 * The demo merchant of `npm start`: made on first start, and given a fresh test key on every start so a
 * new user always has one to paste (keys are stored hashed and cannot be shown again).
 */
export async function ensureDemoAccount(ctx: ServiceContext): Promise<{ accountId: string; secretKey: string; extraLines: string[] }> {
  const id = idFromSeed('acct', DEMO_SEED);
  if (!(await findAccount(ctx.db, id))) {
    const created = await createAccount(ctx, { name: 'Demo merchant' }, DEMO_SEED);
    return { accountId: created.id, secretKey: created.secret_key, extraLines: await demoCheckoutLines(ctx, created.id) };
  }
  return { accountId: id, secretKey: await issueKey(ctx.db, id, false, Date.now()), extraLines: await demoCheckoutLines(ctx, id) };
}
