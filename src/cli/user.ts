import 'dotenv/config';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { generatePassword } from '../dashboard/auth/passwords';
import { newUserSchema, passwordSchema, createUser } from '../dashboard/users';
import { createDb } from '../db/knex';
import { startEmbeddedPostgres } from '../infra/embeddedPostgres';
import { createLogger } from '../logger';

const USAGE = `Usage:
  npm run user -- create --email EMAIL --account ACCOUNT_ID --role owner|developer|viewer [--password PASSWORD]
  npm run user -- create --email EMAIL --admin [--password PASSWORD]
Without --password a random one is generated and printed once.`;

/**
 * \`npm run user -- create …\`: makes a dashboard user (a merchant account's, or the platform admin)
 * with the same validation as \`POST /accounts/{id}/users\`. Exit 0 on success, 1 on bad input, 2 when it could not run.
 */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { email: { type: 'string' }, account: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, admin: { type: 'boolean' } },
  });
  if (positionals[0] !== 'create' || !values.email || (!values.admin && (!values.account || !values.role))) {
    console.error(USAGE);
    return 1;
  }
  const password = values.password ?? generatePassword();
  const checked = values.admin
    ? passwordSchema.safeParse(password).success
      ? { success: true as const, data: { email: values.email.trim().toLowerCase(), role: 'admin' as const, password } }
      : { success: false as const }
    : newUserSchema.safeParse({ email: values.email, role: values.role, password });
  if (!checked.success) {
    console.error(`Invalid input: an email, a role of owner/developer/viewer and a password of at least 12 characters are needed.\n${USAGE}`);
    return 1;
  }
  const config = loadConfig();
  const log = createLogger('warn');
  const pg = config.databaseUrl ? null : await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), log);
  const db = createDb(config.databaseUrl ?? pg!.url);
  try {
    const user = await createUser({ db, config }, values.admin ? null : values.account!, checked.data);
    console.log(`Created ${user.role} ${user.email} (${user.id})${user.account ? ` of ${user.account}` : ''}.`);
    if (!values.password) console.log(`Password (shown once): ${password}`);
    console.log(`Sign in at ${config.publicUrl}/dashboard`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await db.destroy();
    await pg?.stop();
  }
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(2); });
