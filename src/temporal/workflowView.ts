import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { SessionState } from '../domain/session';
import { AccountIdKey, AmountPaidSatsKey, CheckoutStatusKey, LivemodeKey } from './searchAttributes';

/** The search attributes of SPEC §9 for a session state. */
export function searchAttributesOf(state: SessionState): SearchAttributeUpdatePair[] {
  return [
    { key: CheckoutStatusKey, value: state.status },
    { key: AccountIdKey, value: state.accountId },
    { key: AmountPaidSatsKey, value: Number(state.receivedSats) },
    { key: LivemodeKey, value: state.livemode },
  ];
}

/** The one-line summary operators see on the workflow in the Web UI. */
export function sessionSummary(state: SessionState): string {
  const amount = state.amount === null ? 'amount not chosen' : `${state.amount} ${state.currency}`;
  const exception = state.exceptionStatus ? ` (${state.exceptionStatus})` : '';
  return `${state.status}${exception}: ${amount}, received ${state.receivedSats} sats, account ${state.accountId}`;
}

/** A change key: publish search attributes only when one of them changed. */
export function searchAttributesKey(state: SessionState): string {
  return `${state.status}|${state.receivedSats}|${state.exceptionStatus}`;
}
