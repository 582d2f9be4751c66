import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_BODY_LENGTH = 24;

/** Object-ID prefixes of SPEC §2. */
export type IdPrefix =
  | 'acct' | 'cs' | 'pi' | 'tr' | 'clink' | 'plink' | 'evt' | 'we' | 'txn' | 'cscf' | 'rcpt' | 'key' | 'whd' | 'debt' | 'is'
  | 'wlink' | 're' | 'tcon';

function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < ID_BODY_LENGTH; i++) out += ALPHABET[bytes[i % bytes.length] % ALPHABET.length];
  return out;
}

/** A fresh random ID such as `cs_4fT…`. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encode(randomBytes(ID_BODY_LENGTH))}`;
}

/**
 * An ID derived from a seed: the same seed always gives the same ID. Retried requests carry the seed
 * of their Idempotency-Key, so whatever they create collides with what the first attempt created.
 */
export function idFromSeed(prefix: IdPrefix, seed: string, label = ''): string {
  return `${prefix}_${encode(createHash('sha256').update(`${seed}:${prefix}:${label}`).digest())}`;
}

const ID_BODY = new RegExp(`^[0-9A-Za-z]{${ID_BODY_LENGTH}}$`);

/**
 * Whether `value` can be an ID of this kind: the prefix, `_`, then exactly the body `newId` and
 * `idFromSeed` make (24 characters of base62). Anything else cannot name a stored object, so it is
 * refused before it reaches a query (a NUL or a lone surrogate there is a database error, not a miss).
 */
export function isObjectId(prefix: IdPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === prefix.length + 1 + ID_BODY_LENGTH
    && value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}
