import type { z } from 'zod';
import { fromZodError, InvalidRequestError } from './errors';
import { apiErrorMap } from './zodMessages';

/** Parses `input` with `schema` or throws a 400 naming the first bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input, { error: apiErrorMap });
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

/** The request body as an object (an absent body is `{}`; arrays and scalars are refused). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
