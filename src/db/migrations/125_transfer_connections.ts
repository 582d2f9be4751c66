import type { Knex } from 'knex';
import { idFromSeed } from '../../domain/ids';

/**
 * Transfer consent (docs/transfers.md): a session, payment link or checkout link may name an account as
 * a transfer destination only while the platform admin has connected it to the source account. One
 * active row per (source, destination); revoking sets `revoked_at` and keeps the row as the record of
 * who was connected when. Sessions created while connected keep their transfers after a revocation.
 *
 * Back-fill: every (source, destination) pair already used by a transfer, a session's or a link's
 * definition is connected, so an install that upgrades keeps creating what it created before. Only
 * merchant destinations other than the source count (the only ones create ever accepted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table transfer_connections (
      id varchar(255) primary key,
      source_account_id varchar(255) not null references accounts(id),
      destination_account_id varchar(255) not null references accounts(id),
      created bigint not null,
      created_by varchar(64) not null,
      revoked_at bigint,
      constraint transfer_connections_not_self check (source_account_id <> destination_account_id)
    )`);
  // At most one active connection a pair: a second connect finds the first (idempotent by construction).
  await knex.raw(`create unique index transfer_connections_active on transfer_connections (source_account_id, destination_account_id)
    where revoked_at is null`);
  await knex.raw('create index transfer_connections_list on transfer_connections (source_account_id, created, id)');

  const { rows } = await knex.raw<{ rows: { source: string; destination: string }[] }>(`
    with used as (
      select source_account_id as source, destination_account_id as destination from transfers
      union select account_id, t->>'destination_account' from checkout_sessions, jsonb_array_elements(
        case when jsonb_typeof(definition->'transfers') = 'array' then definition->'transfers' else '[]'::jsonb end) t
      union select account_id, t->>'destination_account' from links, jsonb_array_elements(
        case when jsonb_typeof(definition->'transfers') = 'array' then definition->'transfers' else '[]'::jsonb end) t
    )
    select distinct u.source, u.destination from used u
      join accounts s on s.id = u.source
      join accounts d on d.id = u.destination and d.kind = 'merchant'
    where u.source <> u.destination
    order by u.source, u.destination`);
  const now = Date.now();
  for (let i = 0; i < rows.length; i += 500) {
    await knex('transfer_connections').insert(rows.slice(i, i + 500).map((r) => ({
      id: idFromSeed('tcon', `${r.source}:${r.destination}`, 'backfill'), source_account_id: r.source, destination_account_id: r.destination,
      created: now, created_by: 'migration',
    })));
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('transfer_connections');
}
