import { WorkflowUpdateFailedError } from '@temporalio/client';
import { saveCustomerDetails } from '../db/sessions';
import { refreshSessionView } from '../views/storedSessionView';
import { Dec } from '../domain/money';
import type { ServiceContext } from '../services/context';
import { chooseAmountUpdate } from '../temporal/definitions';
import { runSettings, updateSession } from '../temporal/sessionRun';
import { checkForm, customerDetails, FORM_ERROR } from './details';
import { formFields, type FormField } from './formFields';
import { loadPageModel, needsForm, type PageModel } from './model';

/** What a post of the page's form led to: on to the payment, or the form again with messages. */
export type SubmitOutcome =
  | { ok: true }
  | { ok: false; model: PageModel; fields: FormField[]; errors: Record<string, string>; values: Record<string, unknown> };

/** The inputs the page asks for right now (the amount until chosen, the details until stored). */
export function pendingFields(m: PageModel): FormField[] {
  return formFields(m.fields, m.session.currency, { withAmount: m.amount === null, withDetails: m.detailsRequired && !m.detailsGiven });
}

/**
 * Handles the page's form: validates on the server, stores the customer's details on the session,
 * then (for `options`/`preset`) asks the workflow to make the payment for the chosen amount through
 * the `chooseAmount` update. The workflow decides; a refusal (say, the session was just deactivated)
 * comes back as a message on the form.
 */
export async function submitCheckoutForm(ctx: ServiceContext, sessionId: string, body: unknown): Promise<SubmitOutcome> {
  const model = await loadPageModel(ctx, sessionId);
  // Nothing to ask (already answered, or the session is no longer active): the page shows its state.
  if (model.session.status !== 'active' || !needsForm(model)) return { ok: true };
  const fields = pendingFields(model);
  const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const checked = checkForm(fields, body);
  if (!checked.ok) return { ok: false, model, fields, errors: checked.errors, values };

  if (model.detailsRequired && !model.detailsGiven) {
    const c = model.fields.customer_collections_status;
    const details = customerDetails(checked.values, model.fields.custom_fields, {
      email: c.is_email_enabled, phone: c.is_phone_enabled, billing: c.is_billing_address_enabled, shipping: c.is_shipping_address_enabled,
    });
    await ctx.db.transaction(async (tx) => {
      await saveCustomerDetails(tx, sessionId, details as unknown as Record<string, unknown>, Date.now());
      // `modified` moved: the stored object is rendered again with the row this transaction wrote.
      await refreshSessionView(tx, sessionId);
    });
  }
  const amount = checked.values.amount;
  if (model.amount === null && amount !== undefined) {
    try {
      // Started again if its run closed while waiting for the choice; the same amount posted twice is one update.
      const chosen = new Dec(amount).toFixed();
      await updateSession(ctx.temporal, runSettings(ctx.config), sessionId, chooseAmountUpdate, {
        args: [chosen], updateId: `chooseAmount:${chosen}`, deadlineMs: ctx.config.temporalCallTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const refused = await loadPageModel(ctx, sessionId);
      const message = err.cause?.message ?? 'This amount could not be used. Please try again.';
      return { ok: false, model: refused, fields: pendingFields(refused), errors: { [FORM_ERROR]: message }, values };
    }
  }
  return { ok: true };
}
