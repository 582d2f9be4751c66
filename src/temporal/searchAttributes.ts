import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes of SPEC §9, as the dev server registers them. */
export const SEARCH_ATTRIBUTE_TYPES = {
  CheckoutStatus: 'Keyword',
  AccountId: 'Keyword',
  AmountPaidSats: 'Int',
  Livemode: 'Bool',
  CheckoutAttention: 'Bool',
} as const;

export const CheckoutStatusKey = defineSearchAttributeKey('CheckoutStatus', SearchAttributeType.KEYWORD);
export const AccountIdKey = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const AmountPaidSatsKey = defineSearchAttributeKey('AmountPaidSats', SearchAttributeType.INT);
export const LivemodeKey = defineSearchAttributeKey('Livemode', SearchAttributeType.BOOL);
/** True while some work of the session failed and waits for a retry (reason in the workflow's details). */
export const CheckoutAttentionKey = defineSearchAttributeKey('CheckoutAttention', SearchAttributeType.BOOL);
