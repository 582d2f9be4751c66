/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `{msgId}.{unix seconds}.{body}` with the endpoint's key, sent as `v1,<base64>`. With several secrets
 * (a rotation's overlap) the header carries one signature per secret, space-separated, as the
 * standard allows: a receiver accepts the delivery if any of them matches its secret.
 */
import { createHmac } from 'node:crypto';
import { WebhookArgumentError } from './errors';
import { secretKeyBytes } from './secret';

/** The three Standard Webhooks headers of one delivery attempt (a type alias, so it fits Record<string, string>). */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Input of `signWebhook`: the body must be the exact string that is sent. */
export interface SignWebhookInput {
  /** The endpoint's secret, or its secrets in order (current first) during a rotation's overlap. */
  secret: string | readonly string[];
  msgId: string;
  timestamp: Date;
  body: string;
}

/** Signs one delivery and returns its `webhook-id`, `webhook-timestamp` and `webhook-signature` headers. */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  const { secret, msgId, timestamp, body } = input;
  if (typeof msgId !== 'string' || msgId.length === 0 || /[\s,]/.test(msgId)) {
    // Whitespace/commas would make the id ambiguous in headers; ids are ours (evt_…), so this is a bug.
    throw new WebhookArgumentError('msgId must be a non-empty string without whitespace or commas');
  }
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
    throw new WebhookArgumentError('timestamp must be a valid Date');
  }
  if (typeof body !== 'string') {
    throw new WebhookArgumentError('body must be the exact string that will be sent');
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new WebhookArgumentError('at least one secret is needed');
  // Receivers reparse the header as an integer of seconds, so sign exactly that truncated value.
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const signatures = secrets.map((s) => `v1,${createHmac('sha256', secretKeyBytes(s)).update(`${msgId}.${seconds}.${body}`, 'utf8').digest('base64')}`);
  return { 'webhook-id': msgId, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
}
