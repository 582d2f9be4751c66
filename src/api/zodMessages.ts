import type { z } from 'zod';

/** What a JSON value is, in words: "a string", "an array", "null", "a number too large to represent". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? 'a whole number' : 'a number with decimals') : 'a number too large to represent';
  if (typeof v === 'boolean') return 'true or false';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', record: 'an object',
  array: 'an array', tuple: 'an array', null: 'null',
};

function expectedOf(expected: string): string {
  return EXPECTED[expected] ?? `a ${expected}`;
}

/** "a, b or c" */
function orList(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? unique.join('') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

/** The safe-integer bounds zod adds to `.int()`: crossing them means "out of range", not a number to quote. */
function isSafeIntBound(n: number | bigint): boolean {
  return typeof n === 'number' && Math.abs(n) === Number.MAX_SAFE_INTEGER;
}

function rangeMessage(origin: string, bound: number | bigint, inclusive: boolean | undefined, side: 'min' | 'max'): string {
  if (isSafeIntBound(bound)) return 'is out of range';
  const n = String(bound);
  switch (origin) {
    case 'string':
      if (side === 'min') return bound === 1 ? 'must not be empty' : `must be at least ${n} characters`;
      return `must be at most ${n} characters`;
    case 'array':
    case 'set':
      if (side === 'min') return bound === 1 ? 'must not be empty' : `must have at least ${n} items`;
      return `must have at most ${n} items`;
    default:
      if (side === 'min') return inclusive === false ? `must be greater than ${n}` : `must be at least ${n}`;
      return inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
  }
}

const FORMATS: Record<string, string> = { email: 'email address', url: 'URL', uuid: 'UUID', datetime: 'date and time', regex: 'value' };

/**
 * Messages for zod's built-in checks in the API's words, so no validator internals reach a client
 * ("Too small: expected int to be >=-9007199254740991", "Invalid key in record"): each reads after
 * "Invalid <field>: ". A schema's own message (`.refine(…, 'must be …')`) always wins over this map.
 */
export const apiErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${expectedOf(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'too_small':
      return rangeMessage(issue.origin, issue.minimum, issue.inclusive, 'min');
    case 'too_big':
      return rangeMessage(issue.origin, issue.maximum, issue.inclusive, 'max');
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${FORMATS[issue.format] ?? issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union': {
      // Every branch refused the type: say which types would do. Else the first branch's own complaint.
      const branches = issue.errors ?? [];
      const types = branches.map((errs) => errs[0]).filter((e) => e?.code === 'invalid_type').map((e) => expectedOf((e as { expected: string }).expected));
      if (types.length > 0 && types.length === branches.length) return `expected ${orList(types)}, got ${describeValue(issue.input)}`;
      return branches[0]?.[0]?.message ?? 'is not valid';
    }
    case 'invalid_key':
      return `a key ${issue.issues[0]?.message ?? 'is not valid'}`;
    case 'custom':
      return 'is not valid';
    default:
      return undefined;
  }
};
