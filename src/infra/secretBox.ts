import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (the dashboard's TOTP keys) sealed with AES-256-GCM (`node:crypto`). A sealed value is
 * `v1.{key id}.{iv}.{ciphertext}.{tag}` (base64url): the key id (the first 8 hex digits of the key's
 * SHA-256) says which key opens it, so the key can rotate: new values are sealed with the current key,
 * values sealed with a previous one still open while it is configured, and `resealed` moves them on.
 * The associated data binds a value to its row, so a sealed value copied to another user does not open.
 */
export interface Keyring {
  current: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

const PREFIX = 'v1';

/** A key id: the first 8 hex digits of the key's SHA-256 (names the key, reveals nothing usable). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** The keyring from the current key and any previous ones (each 32 bytes as 64 hex digits). */
export function keyring(currentHex: string, previousHex: string[] = []): Keyring {
  const current = Buffer.from(currentHex, 'hex');
  if (current.length !== 32) throw new RangeError('the secret key must be 32 bytes (64 hex digits)');
  const byId = new Map<string, Buffer>();
  for (const hex of [...previousHex, currentHex]) byId.set(keyId(Buffer.from(hex, 'hex')), Buffer.from(hex, 'hex'));
  return { current: { id: keyId(current), key: current }, byId };
}

/** True for a value in the sealed format (anything else is a legacy plain value). */
export function isSealed(value: string): boolean {
  return value.startsWith(`${PREFIX}.`);
}

/** Seals `plain` under the current key, bound to `aad`. */
export function seal(ring: Keyring, plain: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [PREFIX, ring.current.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** Opens a sealed value; throws when its key is not in the ring or it was altered or moved. */
export function open(ring: Keyring, sealed: string, aad: string): string {
  const [prefix, id, iv, body, tag] = sealed.split('.');
  if (prefix !== PREFIX || !id || !iv || body === undefined || !tag) throw new Error('not a sealed value');
  const key = ring.byId.get(id);
  if (!key) throw new Error(`sealed with key ${id}, which is not configured`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** The value sealed under the current key: a plain (legacy) value sealed, one under an old key resealed; null when already current. */
export function resealed(ring: Keyring, value: string, aad: string): string | null {
  if (!isSealed(value)) return seal(ring, value, aad);
  if (value.split('.')[1] === ring.current.id) return null;
  return seal(ring, open(ring, value, aad), aad);
}
