import { z } from 'zod';
import type { IdPrefix } from '../domain/ids';
import { objectId } from '../domain/input/common';

/** Query parameters every list endpoint takes (SPEC §2). */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().min(1).optional(),
  ending_before: z.string().min(1).optional(),
});

/**
 * Query schema of a list endpoint with extra filters; unknown query params are refused. With the
 * listed objects' ID prefix, a cursor must be such an ID (a 400 naming it otherwise, before any query).
 */
export function listQuery<E extends z.ZodRawShape>(extra: E, prefix?: IdPrefix) {
  const cursor = () => (prefix ? objectId(prefix) : z.string().min(1)).optional();
  return listQuerySchema.extend({ starting_after: cursor(), ending_before: cursor(), ...extra }).strict();
}

/** The SPEC §2 list envelope. */
export function listBody<T>(data: T[], hasMore: boolean) {
  return { object: 'list', has_more: hasMore, data };
}

/** `listBody` as the text `res.json` sends for it, from objects that are JSON texts already. */
export function listBodyText(texts: string[], hasMore: boolean): string {
  return `{"object":"list","has_more":${hasMore},"data":[${texts.join(',')}]}`;
}

/** Cursor options for repositories from a parsed list query. */
export function pageOptions(q: z.infer<typeof listQuerySchema>) {
  return { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before };
}
