import { findAccount } from '../db/accounts';
import type { DbOrTx } from '../db/knex';
import type { PageOptions } from '../db/pagination';
import {
  connectTransferDestination, listActiveConnections, revokeConnection, type TransferConnectionRow,
} from '../db/transferConnections';
import { CheckoutError } from '../domain/errors';
import { idFromSeed } from '../domain/ids';

/**
 * Transfer consent (docs/transfers.md): the platform admin connects a destination account to a source
 * account; only then may the source's sessions and links send it transfers. Revoking refuses new
 * sessions and links with such a transfer; sessions created while connected still run theirs.
 */

/** A connection as the admin API shows it. */
export function transferDestinationView(r: TransferConnectionRow) {
  return {
    id: r.id,
    object: 'transfer_destination',
    account: r.source_account_id,
    destination_account: r.destination_account_id,
    created: Number(r.created),
    created_by: r.created_by,
    revoked: r.revoked_at !== null,
    revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

async function merchantSource(db: DbOrTx, id: string): Promise<void> {
  const account = await findAccount(db, id);
  if (!account || account.kind !== 'merchant') throw CheckoutError.notFound('account', id);
}

/**
 * Connects `destination` to `source` (both merchant accounts, not the same one). Connecting a pair that
 * is already connected returns the existing connection. The admin may learn whether an account exists,
 * so an unknown destination is named here (sessions never say).
 */
export async function connectDestination(db: DbOrTx, source: string, destination: string, seed: string) {
  await merchantSource(db, source);
  const param = 'destination_account';
  if (destination === source) throw new CheckoutError('invalid_data', 'An account cannot be its own transfer destination.', param);
  const dest = await findAccount(db, destination);
  if (!dest || dest.kind !== 'merchant') throw new CheckoutError('invalid_data', `No such merchant account: '${destination}'`, param);
  const row = await connectTransferDestination(db, {
    id: idFromSeed('tcon', seed), source_account_id: source, destination_account_id: destination, created: String(Date.now()), created_by: 'admin',
  });
  return transferDestinationView(row);
}

/** A page of the source's connected destinations, newest first. */
export async function listDestinations(db: DbOrTx, source: string, opts: PageOptions) {
  await merchantSource(db, source);
  const { rows, hasMore } = await listActiveConnections(db, source, opts);
  return { data: rows.map(transferDestinationView), hasMore };
}

/** Revokes the connection; a second revoke (or one never connected) is a 404. */
export async function revokeDestination(db: DbOrTx, source: string, destination: string) {
  await merchantSource(db, source);
  const row = await revokeConnection(db, source, destination, Date.now());
  if (!row) throw CheckoutError.notFound('transfer destination', destination);
  return transferDestinationView(row);
}
