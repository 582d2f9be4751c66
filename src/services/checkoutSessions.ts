import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { findSession, findSessions, findSessionWithFunded, type Scope } from '../db/sessions';
import { fundedPaymentsBySession } from '../db/payments';
import type { PageOptions } from '../db/pagination';
import { listSessionViews } from '../db/sessionView';
import { readSessionWithFunded } from '../db/sessionRead';
import type { CheckoutWorkflowInput, SessionDefinition } from '../domain/definition';
import { idFromSeed } from '../domain/ids';
import { decimalFromJsonNumber, normalizeDecimal } from '../domain/money';
import { notDeactivatableMessage } from '../domain/transitions';
import { CheckoutError } from '../domain/errors';
import type { SessionFieldsInput } from '../domain/input/sessionFields';
import { MAX_TTL_SECONDS } from '../domain/input/sessionFields';
import { withCallDeadline } from '../temporal/deadline';
import { runOptions, runSettings, updateSession } from '../temporal/sessionRun';
import { CHECKOUT_WORKFLOW_TYPE, createdUpdate, deactivateUpdate } from '../temporal/definitions';
import { AccountIdKey, CheckoutStatusKey, LivemodeKey, AmountPaidSatsKey } from '../temporal/searchAttributes';
import { checkoutSessionView, type CheckoutSessionView } from '../views/checkoutSession';
import { servedSessionView } from '../views/storedSessionView';
import type { ServiceContext } from './context';
import { accountForSession } from './sessionChecks';

const FIAT_DEFAULT_TTL = 600;

/** Reads a session as the API shows it, scoped to an account and mode (others get 404). */
export async function getCheckoutSession(ctx: ServiceContext, id: string, scope?: Scope, withCustomer = false): Promise<CheckoutSessionView> {
  const found = scope ? await readSessionWithFunded(ctx.db, id, scope) : await findSessionWithFunded(ctx.db, id);
  if (!found) throw CheckoutError.notFound('checkout session', id);
  return checkoutSessionView(found.row, found.funded, ctx.config.publicUrl, withCustomer);
}

/**
 * A page of the caller's sessions, each as the JSON text `GET /checkout-sessions/{id}` sends for it: its
 * stored object where it has one (one statement for the whole page, nothing rendered), else rendered
 * from its row and funded payments (two more statements, for those sessions only). A row deleted
 * between the two reads (the product deletes none; an operator's SQL might) is left out of the page.
 */
export async function listCheckoutSessionTexts(
  ctx: ServiceContext, scope: Scope, opts: PageOptions & { status?: string },
): Promise<{ texts: string[]; hasMore: boolean }> {
  const { rows, hasMore } = await listSessionViews(ctx.db, scope, opts);
  const texts = rows.map((r) => (r.view === null ? undefined : servedSessionView(r.view, r.id, ctx.config.publicUrl)));
  const unstored = rows.filter((_, i) => texts[i] === undefined).map((r) => r.id);
  if (unstored.length > 0) {
    const [found, funded] = await Promise.all([findSessions(ctx.db, unstored), fundedPaymentsBySession(ctx.db, unstored)]);
    const rendered = new Map(found.map((row) => [row.id, JSON.stringify(checkoutSessionView(row, funded.get(row.id) ?? [], ctx.config.publicUrl))]));
    rows.forEach((r, i) => { texts[i] ??= rendered.get(r.id); });
  }
  return { texts: texts.filter((t): t is string => t !== undefined), hasMore };
}

/**
 * Creates a checkout session: checks what needs the database, fixes the session ID from the
 * idempotency seed, then starts its workflow with update-with-start and returns the persisted object.
 * A retry with the same seed lands on the same workflow (USE_EXISTING) or the same stored row; a seed
 * made for this request (`seedIsNew`) cannot have a row yet, so it is not looked up.
 */
export async function createCheckoutSession(
  ctx: ServiceContext, scope: Scope, input: SessionFieldsInput, seed: string, linkId: string | null = null, seedIsNew = false,
): Promise<CheckoutSessionView> {
  const id = idFromSeed('cs', seed, linkId ?? '');
  if (!seedIsNew && await findSession(ctx.db, id)) return getCheckoutSession(ctx, id, scope);
  const definition = await buildDefinition(ctx, scope, input, id, seed, linkId);
  const workflowInput: CheckoutWorkflowInput = { kind: 'new', definition, ...runOptions(runSettings(ctx.config)) };
  // The deadline bounds an unreachable Temporal too: its gRPC error surfaces as a 503 with Retry-After.
  const started = withCallDeadline(ctx.temporal, CREATE_WAIT_MS + 1_000, () => ctx.temporal.workflow.executeUpdateWithStart(createdUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation(CHECKOUT_WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: ctx.config.temporal.taskQueue,
      args: [workflowInput],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A closed session's ID is reused only by the watcher's "late receipt" runs, never by create:
      // create finds the persisted row first.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: CheckoutStatusKey, value: 'active' }, { key: AccountIdKey, value: scope.accountId },
        { key: AmountPaidSatsKey, value: 0 }, { key: LivemodeKey, value: scope.livemode },
      ],
      staticSummary: `Checkout ${definition.amount ?? 'open amount'} ${definition.currency} for ${scope.accountId}`,
    }),
  }));
  // If making the first payment is slow (a rate API or LND down: its activity keeps retrying), answer
  // with the persisted session instead of hanging; its payment_id fills in once the payment exists.
  const settled = await Promise.race([started.then(() => true), delay(CREATE_WAIT_MS).then(() => false)]);
  if (!settled) {
    started.catch((err) => ctx.log.warn({ err, sessionId: id }, 'first payment still pending'));
    if (!(await findSession(ctx.db, id))) throw new CheckoutError('unavailable', 'The checkout session could not be started yet; retry with the same Idempotency-Key.');
  }
  return getCheckoutSession(ctx, id, scope);
}

const CREATE_WAIT_MS = 15_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function buildDefinition(
  ctx: ServiceContext, scope: Scope, input: SessionFieldsInput, id: string, seed: string, linkId: string | null,
): Promise<SessionDefinition> {
  const account = await accountForSession(ctx, scope, input);
  const paymentMethods = input.payment_methods ?? ['lightning', 'onchain'];
  const bitcoinUnit = input.currency === 'SATS' || input.currency === 'BTC';
  const tolerance = input.amount_paid_tolerance ?? normalizeDecimal(account.amount_paid_tolerance);
  const amount = input.amount === undefined ? null : decimalFromJsonNumber(input.amount);
  const ttl = input.ttl ?? (bitcoinUnit ? MAX_TTL_SECONDS : FIAT_DEFAULT_TTL);
  const fields = {
    ...input,
    ttl,
    payment_methods: paymentMethods,
    amount_paid_tolerance: Number(tolerance),
    customer_collections_status: input.customer_collections_status ?? {
      is_phone_enabled: false, is_email_enabled: false, is_billing_address_enabled: false, is_shipping_address_enabled: false,
    },
    custom_fields: (input.custom_fields ?? []).map((f, i) => ({ id: idFromSeed('cscf', seed, `${id}:${i}`), ...f })),
    transfers: (input.transfers ?? []).map((t) => ({ ...t, percentage: Number(t.percentage), description: t.description ?? null })),
  };
  return {
    id, accountId: scope.accountId, livemode: scope.livemode, created: Date.now(), currency: input.currency,
    amount, tolerancePercent: tolerance, ttlSeconds: ttl, linkId, fields,
  };
}

/**
 * Deactivates a session through its workflow's `deactivate` update (the same one operators use). A
 * session whose run has closed (idle, or terminated by an operator) is started again to take it.
 */
export async function deactivateCheckoutSession(ctx: ServiceContext, id: string, scope: Scope): Promise<CheckoutSessionView> {
  const session = await getCheckoutSession(ctx, id, scope);
  if (session.status !== 'active') {
    // A settled session's workflow may have closed, so the read model answers this one, not the workflow.
    throw CheckoutError.unexpectedState(notDeactivatableMessage(session.status));
  }
  try {
    await updateSession(ctx.temporal, runSettings(ctx.config), id, deactivateUpdate, { updateId: 'deactivate', deadlineMs: ctx.config.temporalCallTimeoutMs });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw CheckoutError.unexpectedState(err.cause?.message ?? err.message);
    throw err;
  }
  return getCheckoutSession(ctx, id, scope);
}
