import { Router } from 'express';
import { accountFunds } from '../../db/funds';
import { listBalanceTransactions } from '../../db/ledger';
import { findTransfer, listTransfers } from '../../db/transfers';
import { jsonNumber } from '../../domain/money';
import type { ServiceContext } from '../../services/context';
import { transferView } from '../../views/transfer';
import { scopeOf } from '../auth';
import { NotFoundError } from '../errors';
import { objectId } from '../../domain/input/common';
import { listBody, listQuery, pageOptions } from '../lists';
import { parseOr400 } from '../validate';
import { idParam } from '../inputRules';

/** `/balances`, `/balance-transactions` and `/transfers` (SPEC §6). */
export function balanceRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('tr', 'transfer'));
  const transactionList = listQuery({}, 'txn');
  const transferList = listQuery({ checkout_session: objectId('cs').optional() }, 'tr');

  router.get('/balances', async (req, res) => {
    const scope = scopeOf(req);
    const funds = await accountFunds(ctx.db, scope.accountId, scope.livemode);
    const sats = (n: bigint) => [{ amount: jsonNumber(n.toString()), target_currency: 'SATS' }];
    res.json({ object: 'balance', livemode: scope.livemode, available: sats(funds.available), pending: sats(funds.reserved),
      merchant_wallet: sats(funds.merchantWallet), owed: sats(funds.owed) });
  });

  router.get('/balance-transactions', async (req, res) => {
    const scope = scopeOf(req);
    const q = parseOr400(transactionList, req.query);
    const { rows, hasMore } = await listBalanceTransactions(ctx.db, scope.accountId, scope.livemode, pageOptions(q));
    res.json(listBody(rows.map((r: Record<string, string>) => ({
      id: r.id, object: 'balance_transaction', type: r.type, amount: jsonNumber(r.amount), currency: 'SATS', custody: r.custody,
      source: r.transfer_id ?? r.receipt_id, checkout_session: r.checkout_session_id, description: r.description,
      livemode: scope.livemode, created: Number(r.created),
    })), hasMore));
  });

  router.get('/transfers', async (req, res) => {
    const scope = scopeOf(req);
    const q = parseOr400(transferList, req.query);
    const { rows, hasMore } = await listTransfers(ctx.db, scope.accountId, scope.livemode, { ...pageOptions(q), sessionId: q.checkout_session });
    res.json(listBody(rows.map(transferView), hasMore));
  });

  router.get('/transfers/:id', async (req, res) => {
    const scope = scopeOf(req);
    const t = await findTransfer(ctx.db, req.params.id);
    const visible = t && t.livemode === scope.livemode && (t.source_account_id === scope.accountId || t.destination_account_id === scope.accountId);
    if (!visible) throw new NotFoundError('transfer', req.params.id);
    res.json(transferView(t));
  });
  return router;
}
