/**
 * A merchant's webhook receiver for integration tests: a real HTTP server on 127.0.0.1:0 that verifies
 * every request with the `standardwebhooks` package (written by others, so it checks our signing, not
 * our own reading of the spec) and records what arrived, in arrival order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver saw it. */
export interface ReceivedWebhook {
  webhookId: string;
  /** Whether `standardwebhooks` accepted the signature with the receiver's secret at arrival. */
  verified: boolean;
  verifyError: string | null;
  headers: Record<string, string>;
  body: string;
  event: { id: string; event_type: string; data: { object: Record<string, any> }; [k: string]: unknown };
  /** What the response status was. */
  answered: number;
  /** Whatever `onEvent` returned for this request (e.g. a read of the API made inside the handler). */
  seen: unknown;
}

/** Options: the status per request (1-based count) and work to do before answering. */
export interface ReceiverOptions {
  status?: (n: number, event: ReceivedWebhook['event']) => number;
  onEvent?: (event: ReceivedWebhook['event']) => Promise<unknown>;
  /** Response body (default `ok` / `nope`). */
  body?: string;
}

/** A running receiver. Set `secret` once the endpoint exists (and again after a rotation). */
export interface WebhookReceiver {
  url: string;
  secret: string;
  received: ReceivedWebhook[];
  /** Successfully answered requests' event types, in arrival order. */
  types(): string[];
  close(): Promise<void>;
}

/** Verifies a request with the `standardwebhooks` library; returns the error message or null. */
export function verifyWith(secret: string, body: string, headers: Record<string, string>): string | null {
  try {
    // The secret exactly as the API returned it: the library takes the standard `whsec_` form as is.
    new Webhook(secret).verify(body, headers);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Starts a receiver on a free loopback port. */
export async function startReceiver(opts: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let count = 0;
  const receiver: WebhookReceiver = {
    url: '',
    secret: '',
    received,
    types: () => received.filter((r) => r.answered < 300).map((r) => r.event.event_type),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string>;
      const verifyError = verifyWith(receiver.secret, body, headers);
      const event = JSON.parse(body);
      const n = ++count;
      const answered = opts.status?.(n, event) ?? 200;
      // Recorded on arrival, so `received` is in arrival order whatever the handler below awaits.
      const record: ReceivedWebhook = { webhookId: headers['webhook-id'], verified: verifyError === null, verifyError, headers, body, event, answered, seen: undefined };
      received.push(record);
      if (answered < 300 && opts.onEvent) record.seen = await opts.onEvent(event);
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(opts.body ?? (answered < 300 ? 'ok' : 'nope'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
