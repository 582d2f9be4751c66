/**
 * How strong a configured secret (ADMIN_API_KEY) is. A key an operator types is not random, so the
 * estimate is deliberately pessimistic: length × log2 of the alphabet the key's character classes span
 * (what a brute force over those classes must try), plus two variety floors that a human-chosen or
 * repeated string fails however long it is. `openssl rand -base64 32` (44 characters, ~6 bits each)
 * and `openssl rand -hex 32` (64 characters, 4 bits each) both pass with room to spare.
 */

/** Bits the estimate must reach: 128, the strength of the keys the app generates itself (it makes 192). */
export const MIN_KEY_BITS = 128;
/** At least this many characters, whatever the alphabet. */
export const MIN_KEY_LENGTH = 32;
/** At least this many different characters: `aaaa…`, `abab…`, `0101…` fail. */
export const MIN_DISTINCT_CHARACTERS = 10;

const CLASSES: ReadonlyArray<readonly [RegExp, number]> = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 33],
];

/** The pessimistic bit estimate described above. */
export function estimatedKeyBits(key: string): number {
  const alphabet = CLASSES.reduce((n, [re, size]) => (re.test(key) ? n + size : n), 0);
  return alphabet === 0 ? 0 : [...key].length * Math.log2(alphabet);
}

/** Why a key is too weak to guard the platform, or null when it is strong enough. */
export function keyWeakness(key: string): string | null {
  const chars = [...key];
  if (chars.length < MIN_KEY_LENGTH) return `it has ${chars.length} characters; at least ${MIN_KEY_LENGTH} are needed`;
  const distinct = new Set(chars).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) return `it uses only ${distinct} different character${distinct === 1 ? '' : 's'}; a random key uses at least ${MIN_DISTINCT_CHARACTERS}`;
  // A run of one character (`…aaaaaaaa…`) or a long stretch of a key that repeats itself is not random.
  if (/(.)\1{5,}/su.test(key)) return 'it repeats one character six or more times in a row';
  const bits = Math.floor(estimatedKeyBits(key));
  if (bits < MIN_KEY_BITS) return `it carries about ${bits} bits of entropy; at least ${MIN_KEY_BITS} are needed (use more characters or more kinds of character)`;
  return null;
}

/** How to make a good key, for startup errors and the docs. */
export const KEY_ADVICE = 'generate one with `openssl rand -base64 32` (or `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"`)';
