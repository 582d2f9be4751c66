import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_BODY_LENGTH = 24;

/** Object-ID prefixes of SPEC §2. */
export type IdPrefix =
  | 'acct' | 'cs' | 'pi' | 'tr' | 'clink' | 'plink' | 'evt' | 'we' | 'txn' | 'cscf' | 'rcpt' | 'key' | 'whd' | 'debt' | 'is';

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
