import { z } from 'zod';

/**
 * The objects the API answers with, as zod schemas. The OpenAPI document's response schemas are
 * generated from these, and the document-driven property test checks every real response against
 * them, so the documented shapes are the served ones.
 */
const ms = z.number().int().describe('epoch milliseconds');
const nullableString = z.string().nullable();
const sats = z.number().int().min(0);
const metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable();

const transferSpec = z.object({ destination_account: z.string(), percentage: z.number(), description: nullableString });
const customField = z.object({
  id: z.string().optional(), type: z.enum(['text', 'number', 'dropdown']), label: z.string(),
  options: z.array(z.string()).optional(), is_optional: z.boolean(),
});
const collections = z.object({
  is_phone_enabled: z.boolean(), is_email_enabled: z.boolean(), is_billing_address_enabled: z.boolean(), is_shipping_address_enabled: z.boolean(),
});
const address = z.object({
  name: nullableString.optional(), line1: nullableString.optional(), line2: nullableString.optional(), city: nullableString.optional(),
  state: nullableString.optional(), postal_code: nullableString.optional(), country: nullableString.optional(),
}).nullable();

/** The descriptive fields a session and a link share. */
const sessionFields = {
  currency: z.string(),
  target_currency: z.literal('SATS'),
  type: z.enum(['fixed', 'options', 'preset']),
  options: z.array(z.number()).optional(),
  preset: z.object({ min_amount: z.number(), max_amount: z.number() }).optional(),
  payment_methods: z.array(z.enum(['lightning', 'onchain'])),
  statement_descriptor: nullableString,
  description: nullableString,
  success_message: nullableString,
  success_url: nullableString,
  cancel_url: nullableString,
  metadata,
  cashback: z.object({ id: z.string() }).nullable(),
  title: nullableString,
  title_description: nullableString,
  title_image: nullableString,
  customer_collections_status: collections,
  custom_fields: z.array(customField),
  transfers: z.array(transferSpec),
  source: nullableString,
  source_id: nullableString,
};

export const sessionPaymentObject = z.object({
  id: z.string(), module: z.literal('payment'), created: ms, modified: ms,
  amount_paid: z.number(), exchange_rate: z.number(), target_amount_paid: sats,
}).meta({ id: 'SessionPayment' });

export const checkoutSessionObject = z.object({
  id: z.string(), object: z.literal('checkout_session'), livemode: z.boolean(),
  status: z.enum(['active', 'paid', 'deactivated']),
  default_url: z.string(), url: z.string(),
  amount: z.number().nullable(), ttl: z.number().int(),
  ...sessionFields,
  amount_paid: z.number().nullable(), target_amount_paid: sats.nullable(), target_amount_due: sats.nullable(),
  exception_status: z.enum(['underpaid', 'overpaid', 'paid_late']).nullable(),
  amount_refunded: z.number().describe('what pending and succeeded refunds take, in currency'),
  target_amount_refunded: sats.describe('what pending and succeeded refunds take, in sats'),
  payment_id: nullableString,
  payments: z.array(sessionPaymentObject),
  amount_paid_tolerance: z.number(),
  customer_details: z.object({
    email: nullableString.optional(), phone: nullableString.optional(), billing_address: address.optional(),
    shipping_address: address.optional(), custom_fields: z.array(z.object({ id: z.string(), label: z.string(), type: z.string(), value: z.unknown() })).optional(),
  }).nullable().optional().describe('only on GET /checkout-sessions/payment/{payment_id}'),
  created: ms, modified: ms,
}).meta({ id: 'CheckoutSession' });

export const paymentObject = z.object({
  id: z.string(), object: z.literal('payment'), livemode: z.boolean(), checkout_session: z.string(),
  status: z.enum(['unpaid', 'paid', 'expired', 'cancelled']),
  currency: z.string(), amount: z.number(), exchange_rate: z.number(), target_currency: z.literal('SATS'), target_amount: sats,
  amount_paid: z.number(), target_amount_paid: sats,
  payment_method_options: z.object({
    lightning: z.object({ payment_request: z.string(), payment_hash: nullableString }).optional(),
    onchain: z.object({ address: z.string() }).optional(),
  }),
  expires_at: ms, created: ms, modified: ms,
}).meta({ id: 'Payment' });

export const linkObject = z.object({
  id: z.string(), object: z.enum(['checkout.link', 'payment.link']), livemode: z.boolean(),
  status: z.enum(['active', 'paid', 'deactivated']), url: z.string(),
  checkout_session: nullableString.optional(), payment_id: z.array(z.string()).optional(),
  amount: z.number().nullable(), ttl: z.number().int().nullable(), amount_paid_tolerance: z.number().nullable(),
  ...sessionFields,
  custom_fields: z.array(customField.partial({ is_optional: true })),
  created: ms, modified: ms,
}).meta({ id: 'Link' });

export const transferObject = z.object({
  id: z.string(), object: z.literal('transfer'), livemode: z.boolean(), status: z.enum(['pending', 'paid', 'failed']),
  failure_reason: nullableString.describe('why a failed transfer failed; an operator can retry it'), amount: sats, currency: z.literal('SATS'),
  source_account: z.string(), destination_account: z.string(), checkout_session: nullableString, percentage: z.number(),
  description: nullableString, transfer_order: z.number().int(), created: ms, modified: ms,
}).meta({ id: 'Transfer' });

export const instantSendObject = z.object({
  id: z.string(), object: z.literal('instant_send'), livemode: z.boolean(), status: z.enum(['unpaid', 'paid', 'failed']),
  amount: z.number(), currency: z.string(), exchange_rate: z.number(), target_amount: sats, target_currency: z.literal('SATS'),
  fees: sats.describe('network fee: the limit reserved while unpaid, the fee paid once paid'), fee_limit: sats,
  withdraw_method: z.enum(['lightning', 'onchain']), withdraw_type: z.enum(['bolt11', 'lightning_address', 'lnurl', 'onchain_address']),
  withdraw_request: z.string(), payment_request: nullableString, payment_hash: nullableString, txid: nullableString, explorer_link: nullableString,
  note: nullableString, failure_reason: nullableString, created: ms, modified: ms,
}).meta({ id: 'InstantSend' });

const satsAmounts = (what: string) => z.array(z.object({ amount: sats, target_currency: z.literal('SATS') })).describe(what);
export const balanceObject = z.object({
  object: z.literal('balance'), livemode: z.boolean(),
  available: satsAmounts('platform-held and withdrawable now (docs/custody.md)'),
  pending: satsAmounts('platform-held, reserved by payouts in flight'),
  merchant_wallet: satsAmounts('received straight into your own wallet (on-chain, onchain_settlement "merchant_wallet"): never withdrawable here'),
  owed: satsAmounts('fees and transfers your own-wallet receipts owe, recovered from your next platform-held money'),
}).meta({ id: 'Balance' });

export const balanceTransactionObject = z.object({
  id: z.string(), object: z.literal('balance_transaction'), type: z.string(), amount: z.number().int(), currency: z.literal('SATS'),
  custody: z.enum(['platform_channels', 'platform_wallet', 'platform', 'merchant_wallet']).describe('where these sats physically are (docs/custody.md)'),
  source: nullableString, checkout_session: nullableString, description: nullableString, livemode: z.boolean(), created: ms,
}).meta({ id: 'BalanceTransaction' });

export const eventObject = z.object({
  id: z.string(), object: z.literal('event'), api_version: z.string(), event_type: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }).passthrough(), livemode: z.boolean(), created: ms,
}).meta({ id: 'Event' });

export const webhookEndpointObject = z.object({
  id: z.string(), object: z.literal('webhook_endpoint'), livemode: z.boolean(), url: z.string(), description: nullableString,
  enabled_events: z.array(z.string()), status: z.enum(['enabled', 'disabled']),
  secret: z.string().optional().describe('only when created or rotated'), created: ms, modified: ms,
}).meta({ id: 'WebhookEndpoint' });

export const deletedObject = z.object({ id: z.string(), object: z.string(), deleted: z.literal(true) }).meta({ id: 'Deleted' });

export const webhookDeliveryObject = z.object({
  id: z.string(), object: z.literal('webhook_delivery'), webhook: z.string(), event: z.string(), event_type: z.string(),
  attempt: z.number().int(), manual: z.boolean(), succeeded: z.boolean(), status_code: z.number().int().nullable(),
  error: nullableString, error_kind: nullableString, duration_ms: z.number().nullable(), response_body: nullableString, created: ms,
}).meta({ id: 'WebhookDelivery' });

export const redeliveryObject = z.object({
  object: z.literal('webhook_redelivery'), webhook: z.string(), event: z.string(), event_type: z.string(), status: z.string(),
}).meta({ id: 'Redelivery' });

export const accountObject = z.object({
  id: z.string(), object: z.literal('account'), name: z.string(),
  affiliate: z.object({ account: z.string(), percentage: z.number() }).nullable(),
  amount_paid_tolerance: z.number(), xpub: nullableString, secret_key: z.string().optional().describe('shown once, at creation'),
  onchain_settlement: z.enum(['platform', 'merchant_wallet']).describe('where live on-chain receipts settle (docs/custody.md)'),
  display_currency: z.string().describe('the currency the dashboard shows revenue in besides sats'),
  created: ms, modified: ms,
}).meta({ id: 'Account' });

export const apiKeyObject = z.object({
  id: z.string(), object: z.literal('api_key'), account: z.string(), livemode: z.boolean(), prefix: z.string(), created: ms,
  revoked: z.boolean(), revoked_at: ms.nullable(), secret_key: z.string().optional().describe('shown once, when issued'),
}).meta({ id: 'ApiKey' });

export const transferDestinationObject = z.object({
  id: z.string(), object: z.literal('transfer_destination'), account: z.string().describe('the source account, whose sessions and links send the transfers'),
  destination_account: z.string(), created: ms, created_by: z.string().describe('admin, or migration for pairs connected when consent was introduced'),
  revoked: z.boolean(), revoked_at: ms.nullable(),
}).meta({ id: 'TransferDestination' });

export const userObject = z.object({
  id: z.string(), object: z.literal('user'), account: nullableString, email: z.string(), role: z.enum(['owner', 'developer', 'viewer']),
  status: z.enum(['active', 'invited']), created: ms,
  invite_url: z.string().optional().describe('only when created without a password: where the user sets one (once)'),
}).meta({ id: 'User' });

export const receiptObject = z.object({
  id: z.string(), object: z.literal('receipt'), payment: z.string(), checkout_session: z.string(), reference: z.string(),
  method: z.enum(['lightning', 'onchain']), amount: sats, duplicate: z.boolean(), created: ms,
}).meta({ id: 'Receipt' });

export const errorObject = z.object({
  errors: z.array(z.object({ type: z.string(), message: z.string(), param: z.string().optional() })).min(1),
}).meta({ id: 'Error' });

/** The list envelope of SPEC §2 around `item`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ object: z.literal('list'), has_more: z.boolean(), data: z.array(item) });
}

export const withdrawalLinkObject = z.object({
  id: z.string(), object: z.literal('withdrawal.link'), livemode: z.boolean(),
  status: z.enum(['active', 'processing', 'paid', 'expired', 'deactivated']),
  url: z.string().describe('the public page with the QR code: {PUBLIC_URL}/w/{id}'),
  withdraw_request: z.string().describe('the LNURL-withdraw (LUD-03), bech32 lnurl1…'),
  currency: z.string(), amount: z.number(), target_currency: z.literal('SATS'), target_amount: sats, exchange_rate: z.number(),
  fee_limit: sats.describe('routing-fee ceiling, reserved with the amount'), fee: sats.nullable().describe('routing fee paid, once paid'),
  payment_hash: nullableString, expires_at: ms.nullable(), description: nullableString, statement_descriptor: nullableString, metadata,
  refund: nullableString.describe('the refund this link pays, if any'),
  failure_reason: nullableString.describe('why the last claimed invoice could not be paid (the link is active again)'),
  paid_at: ms.nullable(), created: ms, modified: ms,
}).meta({ id: 'WithdrawalLink' });

export const refundObject = z.object({
  id: z.string(), object: z.literal('refund'), livemode: z.boolean(), status: z.enum(['pending', 'succeeded', 'failed', 'canceled']),
  checkout_session: z.string(), payment: nullableString, type: z.enum(['full', 'partial', 'excess']),
  currency: z.string(), amount: z.number(), target_currency: z.literal('SATS'), target_amount: sats,
  rate: z.enum(['original', 'current']), exchange_rate: z.number(), reverse_transfers: z.boolean(),
  transfer_reversals: z.array(z.object({ destination_account: z.string(), amount: sats })),
  withdraw_method: z.enum(['withdrawal_link', 'lightning']),
  withdraw_request: nullableString.describe('the LNURL of the withdrawal link, or the BOLT11 invoice paid'),
  withdrawal_link: nullableString, url: nullableString.describe('the withdrawal link\'s page, to hand to the customer'),
  fee: sats.nullable().describe('routing fee paid (the account\'s)'), failure_reason: nullableString, reason: nullableString, metadata,
  created: ms, modified: ms,
}).meta({ id: 'Refund' });
