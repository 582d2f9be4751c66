import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt from `node:crypto` (memory-hard, no native add-on to build): OWASP's
 * parameters N=2^17, r=8, p=1 (128 MiB, ~0.5–1 s on this hardware). The parameters live in the stored
 * string (`scrypt$17$8$1$salt$hash`), so they can be raised later and old hashes still verify.
 * At most two hashes run at once: each takes 128 MiB, and a burst of sign-ins must not exhaust memory.
 */
const LOG_N = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_CONCURRENT = 2;

/** The shortest password accepted (NIST SP 800-63B: at least 8; we ask for 12). */
export const MIN_PASSWORD_LENGTH = 12;

let running = 0;
const waiting: (() => void)[] = [];

async function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 1024 * 1024 };
    return await new Promise<Buffer>((resolve, reject) => {
      scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key)));
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Hashes a password with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, LOG_N, R, P);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored` (constant-time comparison of the derived keys). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches: verified against for unknown emails so their timing matches a known one's. */
export const DUMMY_HASH = `scrypt$${LOG_N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;

/** A random password for the demo user and the CLI (20 characters of base64url, ~120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
