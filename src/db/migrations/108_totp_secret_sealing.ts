import type { Knex } from 'knex';

/**
 * TOTP keys are sealed at rest (AES-256-GCM, src/infra/secretBox.ts): a sealed value is
 * `v1.{key id}.…`, a good deal longer than the 32-character base32 key. The columns were `text` already;
 * this migration only records the change. The rows stored plain by migration 105 are sealed by the data
 * step that runs right after the migrations at start (`resealTotpSecrets`, in src/system.ts): it needs
 * DASHBOARD_SECRET_KEY, which a schema migration does not have, and it also moves values sealed under a
 * previous key onto the current one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("comment on column dashboard_users.totp_secret is 'sealed: v1.{key id}.{iv}.{ciphertext}.{tag} (AES-256-GCM)'");
  await knex.raw("comment on column dashboard_users.totp_pending_secret is 'sealed: v1.{key id}.{iv}.{ciphertext}.{tag} (AES-256-GCM)'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('comment on column dashboard_users.totp_secret is null');
  await knex.raw('comment on column dashboard_users.totp_pending_secret is null');
}
