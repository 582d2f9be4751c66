import { randomBytes } from 'node:crypto';
import { isSealed, keyId, keyring, open, resealed, seal } from '../../../src/infra/secretBox';

const hex = () => randomBytes(32).toString('hex');

test('a sealed value is not the secret, opens to it, and names its key', () => {
  const key = hex();
  const ring = keyring(key);
  const sealed = seal(ring, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'row:1');
  expect(sealed).not.toContain('JBSWY3DP');
  expect(isSealed(sealed)).toBe(true);
  expect(sealed.split('.')[1]).toBe(keyId(Buffer.from(key, 'hex')));
  expect(open(ring, sealed, 'row:1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  expect(seal(ring, 'same', 'row:1')).not.toBe(seal(ring, 'same', 'row:1'));
});

test('a value moved to another row, altered, or sealed under an unknown key does not open', () => {
  const ring = keyring(hex());
  const sealed = seal(ring, 'secret', 'row:1');
  expect(() => open(ring, sealed, 'row:2')).toThrow();
  const parts = sealed.split('.');
  parts[3] = Buffer.from('secreT').toString('base64url');
  expect(() => open(ring, parts.join('.'), 'row:1')).toThrow();
  expect(() => open(keyring(hex()), sealed, 'row:1')).toThrow(/not configured/);
});

test('rotation: a value under a previous key still opens and is resealed under the current one; a plain one is sealed; a current one is left', () => {
  const [oldKey, newKey] = [hex(), hex()];
  const before = seal(keyring(oldKey), 'secret', 'row:1');
  const ring = keyring(newKey, [oldKey]);
  expect(open(ring, before, 'row:1')).toBe('secret');
  const moved = resealed(ring, before, 'row:1')!;
  expect(moved.split('.')[1]).toBe(ring.current.id);
  expect(open(keyring(newKey), moved, 'row:1')).toBe('secret');
  expect(resealed(ring, moved, 'row:1')).toBeNull();
  const fromPlain = resealed(ring, 'PLAINSECRET', 'row:1')!;
  expect(open(ring, fromPlain, 'row:1')).toBe('PLAINSECRET');
  expect(() => keyring('abcd')).toThrow(/32 bytes/);
});
