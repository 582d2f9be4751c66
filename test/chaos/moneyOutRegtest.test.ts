import { runRegtestChaos } from '../../chaos/regtest';

/**
 * The regtest lane of the chaos run in `npm test`: live mode on btcd + two LND nodes, the system as
 * separate processes. The customer node pays 10 sessions over Lightning while 10 payouts, withdrawal links
 * and refunds pay its invoices; twice the worker is SIGKILLed after a send reached the platform node and
 * before the ledger settled, and a new worker must settle it; once the watcher is SIGKILLed while sessions
 * are being paid, and the invoices settled meanwhile must still be credited once. Afterwards, by both nodes' own records,
 * nothing was lost or paid twice, the ledger is the split rule's result less what went out, nothing stays
 * reserved, `npm run reconcile` (with its proof of reserves) exits 0, and the node's channel + wallet
 * balance is what came in less what went out and covers the platform-held balances.
 */
test('money in and out on the regtest network through worker SIGKILLs at the crash point: every sat accounted for, the node\'s balance included', async () => {
  const lines: string[] = [];
  const figures = await runRegtestChaos({
    sessions: 10, seed: 20261204, durationSec: 0, concurrency: 2, settleSec: 300, keep: false, minSats: 1, moneyOut: 10, regtest: true, kills: 2,
  }, (l) => lines.push(l));
  if (figures.failures.length) process.stderr.write(`${lines.join('\n')}\n`);
  expect(figures.failures).toEqual([]);
  // The run really did what it says: sessions paid, money out of every kind, two crashes at the send.
  expect(figures.log.sessions).toHaveLength(10);
  expect(new Set(figures.log.out.map((o) => o.kind))).toEqual(new Set(['payout', 'withdrawal_link', 'refund']));
  expect(figures.kills).toBe(2);
  expect(figures.watcherKills).toBe(1);
  expect(figures.reconcileCode).toBe(0);
}, 900_000); // a cold regtest build takes ~6 min before the run itself (a few minutes on a loaded 2-core box)
