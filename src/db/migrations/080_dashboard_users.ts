import type { Knex } from 'knex';

/**
 * Dashboard users and their cookie sessions. A user belongs to one merchant account with a role
 * (owner, developer, viewer), or to none as the platform admin. Emails are unique across the platform
 * (one sign-in form, no account picker), stored lower-cased. A user without a password hash has an
 * open invitation (its token stored hashed). Sessions are stored by the SHA-256 of the cookie value,
 * so a database read never yields a usable cookie; each carries its CSRF token and its mode.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table dashboard_users (
      id varchar(64) primary key,
      account_id varchar(255) references accounts(id),
      email varchar(320) not null unique,
      role varchar(16) not null,
      password_hash text,
      invite_token_hash varchar(64) unique,
      invite_expires_at bigint,
      failed_sign_ins integer not null default 0,
      locked_until bigint,
      created bigint not null,
      modified bigint not null,
      constraint dashboard_users_role check (role in ('owner', 'developer', 'viewer', 'admin')),
      constraint dashboard_users_admin_has_no_account check ((role = 'admin') = (account_id is null)),
      constraint dashboard_users_email_lower check (email = lower(email))
    )`);
  await knex.raw('create index dashboard_users_account on dashboard_users (account_id, created)');
  await knex.raw(`
    create table dashboard_sessions (
      token_hash varchar(64) primary key,
      user_id varchar(64) not null references dashboard_users(id) on delete cascade,
      csrf_token varchar(64) not null,
      livemode boolean not null default false,
      created bigint not null,
      expires_at bigint not null
    )`);
  await knex.raw('create index dashboard_sessions_user on dashboard_sessions (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dashboard_sessions');
  await knex.schema.dropTableIfExists('dashboard_users');
}
