/**
 * The one rule for every string that crosses the edge (request bodies and their object keys, query
 * parameters, form fields): no NUL, no other C0 control character except tab, line feed and carriage
 * return, and well-formed UTF-16 (no lone surrogate). PostgreSQL's `text` refuses NUL, its `jsonb`
 * refuses both NUL and a lone surrogate's `\ud800` escape, and `varchar` silently turns a lone
 * surrogate into U+FFFD: a string that breaks this rule either fails deep inside a workflow (retried
 * forever) or is stored as something the merchant did not send.
 */

// C0 controls other than \t (09), \n (0a) and \r (0d); NUL is reported on its own.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` may not be stored, or null when it may. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (CONTROL.test(s)) return 'must not contain control characters (only tab, line feed and carriage return are allowed)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it contains an unpaired UTF-16 surrogate)';
  return null;
}

/** Keys an object of ours never takes: `__proto__` would be dropped (or worse) by every plain-object copy. */
const RESERVED_KEYS = new Set(['__proto__']);

/** How deep a request's JSON may nest: the deepest body of the API (custom field options) needs 4. */
export const MAX_INPUT_DEPTH = 20;

/** A problem found in a decoded input: where (a path as in `metadata.order`, `options[1]`), and what. */
export interface InputProblem {
  kind: 'text' | 'key' | 'reserved_key' | 'depth';
  path: (string | number)[];
  /** Reads after the field's name: "must not contain a NUL character". */
  message: string;
}

/**
 * The first string, object key or nesting level of `value` (a decoded JSON body, a query, a form) that
 * breaks the rules above, or null. Iterative, so a hostile depth cannot overflow the stack; it stops
 * at `maxDepth` levels rather than walk further.
 */
export function findInputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const message = textProblem(v);
      if (message) return { kind: 'text', path, message };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { kind: 'depth', path: [], message: `is nested too deeply (at most ${maxDepth} levels)` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(v);
    for (const key of keys) {
      if (RESERVED_KEYS.has(key)) return { kind: 'reserved_key', path: [...path, key], message: 'is a reserved name that cannot be used as a key' };
      const message = textProblem(key);
      // The bad key is not put in the path: it is the one thing that cannot be echoed as it is.
      if (message) return { kind: 'key', path, message: `a key ${message}` };
    }
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]], path: [...path, keys[i]] });
  }
  return null;
}
