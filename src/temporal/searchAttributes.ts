import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes of SPEC §9, as the dev server registers them. */
export const SEARCH_ATTRIBUTE_TYPES = {
  CheckoutStatus: 'Keyword',
  AccountId: 'Keyword',
  AmountPaidSats: 'Int',
  Livemode: 'Bool',
} as const;

export const CheckoutStatusKey = defineSearchAttributeKey('CheckoutStatus', SearchAttributeType.KEYWORD);
export const AccountIdKey = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const AmountPaidSatsKey = defineSearchAttributeKey('AmountPaidSats', SearchAttributeType.INT);
export const LivemodeKey = defineSearchAttributeKey('Livemode', SearchAttributeType.BOOL);
