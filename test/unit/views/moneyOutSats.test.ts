import type { RefundRow } from '../../../src/db/refunds';
import type { WithdrawalLinkRow } from '../../../src/db/withdrawalLinks';
import { refundView } from '../../../src/views/refund';
import { withdrawalLinkView } from '../../../src/views/withdrawalLink';

/**
 * Sats in the money-out views go through `jsonNumber` like every other view: a JSON number while a
 * double holds it exactly, its exact decimal string beyond 2^53 (never a rounded number).
 */
const ABOVE_2_53 = '9007199254740993'; // 2^53 + 1: Number() would answer 9007199254740992

const refund = (over: Partial<RefundRow>): RefundRow => ({
  id: 're_1', account_id: 'acct_1', livemode: false, checkout_session_id: 'cs_1', payment_id: null, status: 'pending', type: 'partial',
  currency: 'SATS', amount: '1000', rate: 'original', exchange_rate: '1', target_amount: '1000', reverse_transfers: true,
  transfer_reversals: [{ account: 'acct_2', amount: '100' }], withdraw_method: 'lightning', withdraw_request: 'lnbc1', payment_hash: null,
  fee_limit: '10', fee: null, withdrawal_link_id: null, failure_reason: null, reason: null, metadata: null, created: '1', modified: '1', workflow_started_at: '1', ...over,
});

const link = (over: Partial<WithdrawalLinkRow>): WithdrawalLinkRow => ({
  id: 'wlink_1', account_id: 'acct_1', livemode: false, status: 'active', currency: 'SATS', amount: '5000', exchange_rate: '1',
  target_amount: '5000', fee_limit: '50', k1: 'k', expires_at: null, description: null, statement_descriptor: null, metadata: null,
  refund_id: null, payment_request: null, payment_hash: null, fee: null, failure_reason: null, paid_at: null, created: '1', modified: '1', workflow_started_at: '1', ...over,
});

test('a refund shows its sats as numbers, and as exact strings beyond 2^53', () => {
  expect(refundView(refund({ fee: '3' }), 'http://x')).toMatchObject({ target_amount: 1000, fee: 3, transfer_reversals: [{ destination_account: 'acct_2', amount: 100 }] });
  expect(refundView(refund({}), 'http://x').fee).toBeNull();
  const big = refundView(refund({ target_amount: ABOVE_2_53, fee: ABOVE_2_53, transfer_reversals: [{ account: 'acct_2', amount: ABOVE_2_53 }] }), 'http://x');
  expect([big.target_amount, big.fee, big.transfer_reversals[0].amount]).toEqual([ABOVE_2_53, ABOVE_2_53, ABOVE_2_53]);
});

test('a withdrawal link shows its sats as numbers, and as exact strings beyond 2^53', () => {
  expect(withdrawalLinkView(link({ fee: '4' }), 'http://x')).toMatchObject({ target_amount: 5000, fee_limit: 50, fee: 4 });
  expect(withdrawalLinkView(link({}), 'http://x').fee).toBeNull();
  const big = withdrawalLinkView(link({ target_amount: ABOVE_2_53, fee_limit: ABOVE_2_53, fee: ABOVE_2_53 }), 'http://x');
  expect([big.target_amount, big.fee_limit, big.fee]).toEqual([ABOVE_2_53, ABOVE_2_53, ABOVE_2_53]);
});
