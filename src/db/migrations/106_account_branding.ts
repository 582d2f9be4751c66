import type { Knex } from 'knex';

/**
 * The hosted payment page's branding, one row per account (both modes): a logo given as an https URL
 * or uploaded (a small image kept here, served by its SHA-256 so its URL changes with its content) and
 * an accent colour `#rrggbb`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table account_branding (
      account_id varchar(255) primary key references accounts(id) on delete cascade,
      logo_url text,
      logo_image bytea,
      logo_type varchar(32),
      logo_hash varchar(64),
      accent_color varchar(7),
      modified bigint not null,
      constraint account_branding_accent check (accent_color is null or accent_color ~ '^#[0-9a-f]{6}$'),
      constraint account_branding_one_logo check (logo_url is null or logo_image is null),
      constraint account_branding_logo_size check (logo_image is null or octet_length(logo_image) <= 102400)
    )`);
  await knex.raw('create index account_branding_logo_hash on account_branding (logo_hash)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_branding');
}
