import { randomBytes } from 'node:crypto';
import { createLinkSchema } from '../api/links/routes';
import { listLinks } from '../db/links';
import { linkUrl } from '../views/link';
import type { ServiceContext } from '../services/context';
import { createCheckoutLink } from '../services/links';

/** What the demo sells: SATS-priced (a year's TTL, so it sits idle without renewing), with a form step. */
const DEMO_LINK = {
  currency: 'SATS',
  amount: 21_000,
  title: 'Demo: "Sound money" T-shirt',
  title_description: 'A test-mode checkout made by npm start. Pay it with the "Simulate payment" button: no real bitcoin moves.',
  customer_collections_status: { is_email_enabled: true },
  custom_fields: [{ type: 'dropdown', label: 'Size', options: ['S', 'M', 'L', 'XL'] }],
  success_message: 'Thank you! The demo payment arrived. Look the session up in the API or the Temporal UI.',
  metadata: { demo: true },
};

// Making a session waits for a worker; with `start:api` alone there may be none in this process.
const DEMO_TIMEOUT_MS = 15_000;

/**
 * The lines `npm start` prints about the demo checkout link: the newest unpaid demo link of the demo
 * account, or a new one, so a new user can click through the whole flow and pay from the page.
 */
export async function demoCheckoutLines(ctx: ServiceContext, accountId: string): Promise<string[]> {
  const scope = { accountId, livemode: false };
  try {
    const { rows } = await listLinks(ctx.db, scope, 'checkout', { limit: 20, status: 'active' });
    const existing = rows.find((r) => (r.definition.metadata as Record<string, unknown> | undefined)?.demo === true);
    const id = existing?.id ?? (await withTimeout(
      createCheckoutLink(ctx, scope, createLinkSchema(1).parse(DEMO_LINK), randomBytes(16).toString('hex')),
    )).id;
    return [`  Demo checkout:  ${linkUrl({ id, kind: 'checkout' }, ctx.config.publicUrl)}   (open it, then pay with "Simulate payment")`];
  } catch (err) {
    ctx.log.warn({ err }, 'could not prepare the demo checkout link');
    return ['  Demo checkout:  not available (is a worker running? see the log)'];
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEMO_TIMEOUT_MS} ms`)), DEMO_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
