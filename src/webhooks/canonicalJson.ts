/**
 * Deterministic JSON: the same value gives the same bytes whatever key order it was built or stored
 * with (a jsonb round trip reorders keys), so a re-sent event body is byte-identical to the first.
 */
import { InvalidEventEnvelopeError } from './errors';

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, path: string, seen: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidEventEnvelopeError(`${path} is not a finite number`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new InvalidEventEnvelopeError(`${path} has unsupported type ${typeof value}`);
  // Dates, Decimals, Buffers… must be converted by the caller: the API shows epoch ms and decimal numbers.
  if (!Array.isArray(value) && !isPlainObject(value)) {
    throw new InvalidEventEnvelopeError(`${path} is a ${value.constructor?.name ?? 'non-plain'} object, not JSON`);
  }
  if (seen.has(value)) throw new InvalidEventEnvelopeError(`${path} is a circular reference`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item, i) => encode(item, `${path}[${i}]`, seen)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    out = `{${keys.map((k) => `${JSON.stringify(k)}:${encode(record[k], `${path}.${k}`, seen)}`).join(',')}}`;
  }
  seen.delete(value);
  return out;
}

/** Serializes a JSON value, object keys sorted by UTF-16 code unit, `undefined` members omitted; throws on non-JSON values. */
export function canonicalJson(value: unknown, path = '$'): string {
  return encode(value, path, new Set());
}
