import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ApiError, toApiError } from '../../api/errors';
import { html, type SafeHtml } from '../../page/html';
import type { Scope } from '../../db/sessions';

/** The refusal of a form, as the API would answer it: the field it names, then the message. */
export function errorBox(err?: { message: string; param?: string }): SafeHtml | string {
  return err ? html`<p class="alert" role="alert" data-testid="form-error">${err.param ? html`<strong>${err.param}</strong>: ` : ''}${err.message}</p>` : '';
}

/** A 400 is shown on the form; anything else goes on to the error handler. */
export function only400(err: unknown): ApiError {
  const known = toApiError(err);
  if (known?.status === 400) return known;
  throw err;
}

/** A fresh seed for a create form: submitting the same form twice makes one object (as an Idempotency-Key would). */
export function newFormSeed(): SafeHtml {
  return html`<input type="hidden" name="_seed" value="${randomBytes(16).toString('hex')}">`;
}

/** The idempotency seed of a submitted create form, scoped to the account and mode (400 without one). */
export function formSeed(scope: Scope, form: Record<string, unknown>): string {
  const seed = z.string().regex(/^[0-9a-f]{32}$/).safeParse(form._seed);
  if (!seed.success) throw new ApiError(400, 'The form is incomplete; reload it and try again.');
  return `dashboard:${scope.accountId}:${scope.livemode}:${seed.data}`;
}

/** A trimmed form value, or undefined when blank (an absent field, as in a JSON body). */
export function given(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * A form's number as a JSON body would carry it: the API's schema then applies its own rules (decimal
 * places, positive, integer). A blank field is absent; text that is no number stays text, so the
 * schema refuses it naming the field.
 */
export function numberOf(value: unknown): number | string | undefined {
  const text = given(value);
  if (text === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}
