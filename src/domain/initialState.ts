import { amountChoiceOf } from './amountChoice';
import type { SessionDefinition } from './definition';
import type { SessionState } from './session';

/** The state of a session that was just created. */
export function initialState(definition: SessionDefinition): SessionState {
  return {
    id: definition.id,
    accountId: definition.accountId,
    livemode: definition.livemode,
    currency: definition.currency,
    amount: definition.amount,
    tolerancePercent: definition.tolerancePercent,
    ttlSeconds: definition.ttlSeconds,
    status: 'active',
    exceptionStatus: null,
    amountPaid: '0',
    receivedSats: '0',
    payments: [],
    currentPaymentId: null,
    nextPaymentSeq: 1,
    seenReceipts: [],
    amountChoice: amountChoiceOf(definition.fields),
    settledAt: null,
    version: 0,
  };
}
