/**
 * Public surface of the webhook library used by the API (secrets, URL checks) and the delivery activity.
 * Workflow code must import `./retrySchedule` directly: this barrel pulls in node:http and node:dns.
 */
export * from './errors';
export {
  WEBHOOK_SECRET_PREFIX, LEGACY_WEBHOOK_SECRET_PREFIX, WEBHOOK_SECRET_OVERLAP_MS, generateWebhookSecret, secretKeyBytes, secretForStandardWebhooks,
  signingSecrets,
} from './secret';
export { signWebhook, type SignWebhookInput, type WebhookSignatureHeaders } from './signing';
export { blockedIpReason } from './ipRules';
export {
  assertDeliverableUrl,
  resolveAndCheck,
  type CheckedDestination,
  type DeliveryPolicy,
  type HostResolver,
  type ResolvedAddress,
} from './destination';
export {
  sendWebhook,
  WEBHOOK_USER_AGENT,
  type SendWebhookInput,
  type WebhookAttemptResult,
  type WebhookFailureKind,
} from './send';
export { WEBHOOK_RETRY_POLICY, WEBHOOK_DELIVERY_WINDOW, retryDelays } from './retrySchedule';
export { EVENT_API_VERSION, buildEventEnvelope, serializeEvent, type EventEnvelope, type BuildEventInput } from './envelope';
export { canonicalJson } from './canonicalJson';
