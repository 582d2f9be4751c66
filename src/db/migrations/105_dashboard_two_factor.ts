import type { Knex } from 'knex';

/**
 * TOTP two-factor for dashboard users. A user is enrolled once `totp_enabled_at` is set; an enrolment
 * in progress keeps its secret in `totp_pending_secret` until a code confirms it. `totp_last_step` is
 * the 30-second step of the last code accepted, so a code is never accepted twice (RFC 6238 §5.2).
 * Recovery codes are stored as SHA-256 (they are 80 random bits: no slow hash needed), each usable once.
 * A sign-in that passed the password and still needs its code is a challenge, stored by the hash of
 * its cookie value, short-lived and single-use.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table dashboard_users
    add column totp_secret text,
    add column totp_pending_secret text,
    add column totp_enabled_at bigint,
    add column totp_last_step bigint`);
  await knex.raw(`
    create table dashboard_recovery_codes (
      user_id varchar(64) not null references dashboard_users(id) on delete cascade,
      code_hash varchar(64) not null,
      used_at bigint,
      created bigint not null,
      primary key (user_id, code_hash)
    )`);
  await knex.raw(`
    create table dashboard_sign_in_challenges (
      token_hash varchar(64) primary key,
      user_id varchar(64) not null references dashboard_users(id) on delete cascade,
      next_path varchar(300),
      created bigint not null,
      expires_at bigint not null
    )`);
  await knex.raw('create index dashboard_sign_in_challenges_user on dashboard_sign_in_challenges (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dashboard_sign_in_challenges');
  await knex.schema.dropTableIfExists('dashboard_recovery_codes');
  await knex.raw(`alter table dashboard_users drop column totp_secret, drop column totp_pending_secret,
    drop column totp_enabled_at, drop column totp_last_step`);
}
