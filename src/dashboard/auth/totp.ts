import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) with `otpauth`: SHA-1, 6 digits, 30-second steps, the parameters every authenticator
 * app supports. A code of the step before or after the server's is accepted (clock drift), never a step
 * at or before the last one accepted (no replay).
 */
const PERIOD = 30;
const DIGITS = 6;
const WINDOW = 1;

function totpOf(secretBase32: string, email = ''): TOTP {
  return new TOTP({ issuer: 'Checkout dashboard', label: email, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secretBase32) });
}

/** A new random secret (160 bits, RFC 4226's recommended length), base32 as authenticator apps show it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app scans. */
export function totpUri(secretBase32: string, email: string): string {
  return totpOf(secretBase32, email).toString();
}

/**
 * The step a code belongs to if it is valid now (within the window), else null. Codes are compared in
 * constant time by the library. The caller refuses a step not after the last one accepted.
 */
export function totpStep(secretBase32: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpOf(secretBase32);
  const delta = totp.validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/** How many recovery codes an enrolment gets. */
export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // 32 letters: no l, o, 0 or 1

/**
 * Recovery codes: 16 characters of a 32-letter alphabet without look-alikes (80 bits), shown as
 * `xxxx-xxxx-xxxx-xxxx`. High entropy, so a SHA-256 of the normalised code is a safe stored form.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** A typed recovery code as stored before hashing: lower case, no dashes or spaces (null if it cannot be one). */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]+/g, '');
  return code.length === 16 && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}
