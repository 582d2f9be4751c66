import type { ServiceContext } from '../services/context';
import { generatePassword } from './auth/passwords';
import { findUserByEmail } from './db/users';
import { createUser, setPassword } from './users';

/** The demo merchant's owner and the local platform admin, made by `npm start` when DEMO is on. */
export const DEMO_OWNER_EMAIL = 'owner@demo.test';
export const DEMO_ADMIN_EMAIL = 'admin@demo.test';

/**
 * Gives the demo owner and the platform admin a fresh password on every start (like the demo key:
 * passwords are stored hashed and cannot be shown again), which also signs out the previous run's
 * browsers. Returns the banner lines.
 */
export async function demoSignInLines(ctx: ServiceContext, accountId: string): Promise<string[]> {
  const [owner, admin] = await Promise.all([
    resetUser(ctx, DEMO_OWNER_EMAIL, accountId), resetUser(ctx, DEMO_ADMIN_EMAIL, null),
  ]);
  return [
    `  Dashboard:      ${ctx.config.publicUrl}/dashboard`,
    `    demo owner:   ${DEMO_OWNER_EMAIL} / ${owner}`,
    `    platform:     ${DEMO_ADMIN_EMAIL} / ${admin}   (new passwords every run)`,
  ];
}

async function resetUser(ctx: ServiceContext, email: string, accountId: string | null): Promise<string> {
  const password = generatePassword();
  const user = await findUserByEmail(ctx.db, email);
  if (user) await setPassword(ctx, user.id, password);
  else {
    try {
      await createUser(ctx, accountId, { email, role: accountId ? 'owner' : 'admin', password });
    } catch (err) {
      // Two API replicas starting at the same moment: the other one made the user first.
      const made = await findUserByEmail(ctx.db, email);
      if (!made) throw err;
      await setPassword(ctx, made.id, password);
    }
  }
  return password;
}
