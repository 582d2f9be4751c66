import { isObjectId, idFromSeed, newId } from '../../../src/domain/ids';
import { findInputProblem, MAX_INPUT_DEPTH, textProblem } from '../../../src/domain/text';

describe('the string rule', () => {
  test.each([
    ['plain text', 'Order 42'],
    ['tab, line feed and carriage return', 'a\tb\nc\r\nd'],
    ['an emoji (a surrogate pair)', 'Tee \ud83d\udc55'],
    ['accents and CJK', 'Café 東京'],
    ['DEL and C1 controls (not C0)', 'a\u007fb\u0085c'],
    ['the empty string', ''],
  ])('accepts %s', (_name, s) => {
    expect(textProblem(s)).toBeNull();
  });

  test.each([
    ['a NUL', 'a\u0000b', /NUL/],
    ['a lone high surrogate', 'x\ud800y', /unpaired UTF-16 surrogate/],
    ['a lone low surrogate', 'x\udc00y', /unpaired UTF-16 surrogate/],
    ['a high surrogate at the end', 'emoji cut \ud83d', /unpaired UTF-16 surrogate/],
    ['two high surrogates', '\ud800\ud800\udc00', /unpaired UTF-16 surrogate/],
    ['a reversed pair', '\udc55\ud83d', /unpaired UTF-16 surrogate/],
    ['an escape character', 'a\u001bb', /control characters/],
    ['a vertical tab', 'a\u000bb', /control characters/],
    ['a form feed', 'a\u000cb', /control characters/],
    ['a backspace', 'a\u0008b', /control characters/],
  ])('refuses %s', (_name, s, message) => {
    expect(textProblem(s)).toMatch(message);
  });
});

describe('findInputProblem over a decoded body', () => {
  test('a clean body, with numbers, booleans and nulls, has no problem', () => {
    expect(findInputProblem({ currency: 'SATS', amount: 1, metadata: { a: 'x', b: 2, c: true, d: null }, options: [1, '2'] })).toBeNull();
    expect(findInputProblem(undefined)).toBeNull();
  });

  test('names the path of a bad value, in objects and arrays', () => {
    expect(findInputProblem({ metadata: { order: 'a\u0000b' } })).toMatchObject({ kind: 'text', path: ['metadata', 'order'] });
    expect(findInputProblem({ custom_fields: [{ label: 'ok' }, { options: ['x', '\udc00'] }] }))
      .toMatchObject({ kind: 'text', path: ['custom_fields', 1, 'options', 1] });
  });

  test('checks object keys, naming the object that holds the bad key (not the key itself)', () => {
    expect(findInputProblem({ metadata: { 'k\u0000': 'v' } })).toEqual({ kind: 'key', path: ['metadata'], message: 'a key must not contain a NUL character' });
    expect(findInputProblem({ '\ud800': 1 })).toMatchObject({ kind: 'key', path: [] });
  });

  test('refuses a __proto__ key by name (JSON.parse makes it an own property; a copy would drop it)', () => {
    const body = JSON.parse('{"metadata":{"__proto__":"x","constructor":"y","prototype":"z"}}');
    expect(findInputProblem(body)).toMatchObject({ kind: 'reserved_key', path: ['metadata', '__proto__'] });
    expect(findInputProblem({ metadata: { constructor: 'y', prototype: 'z' } })).toBeNull();
  });

  test('stops at the depth limit without walking further: 50,000 nested arrays are one problem, found at once', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    expect(findInputProblem(deep)).toMatchObject({ kind: 'depth' });
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) ok = [ok];
    expect(findInputProblem(ok)).toBeNull();
    expect(findInputProblem([ok])).toMatchObject({ kind: 'depth' });
  });

  test('a wide body is walked whole (the first problem is found wherever it is)', () => {
    const wide = Array.from({ length: 10_000 }, (_, i) => (i === 9_999 ? '\u0000' : 'x'));
    expect(findInputProblem({ a: wide })).toMatchObject({ path: ['a', 9_999] });
  });
});

describe('isObjectId: each kind of ID against its own alphabet', () => {
  test('accepts what newId and idFromSeed make', () => {
    for (let i = 0; i < 50; i++) expect(isObjectId('cs', newId('cs'))).toBe(true);
    expect(isObjectId('acct', idFromSeed('acct', 'seed'))).toBe(true);
  });

  test.each([
    ['another kind', idFromSeed('pi', 'x')],
    ['too short', 'cs_abc'],
    ['too long', `${idFromSeed('cs', 'x')}A`],
    ['a NUL', `cs_${'A'.repeat(23)}\u0000`],
    ['a lone surrogate', `cs_${'A'.repeat(23)}\ud800`],
    ['an underscore in the body', `cs_${'A'.repeat(23)}_`],
    ['no prefix', 'A'.repeat(27)],
    ['a system account name', 'acct_platform'],
    ['not a string', 42],
  ])('refuses %s', (_name, value) => {
    expect(isObjectId(String(value).startsWith('acct') ? 'acct' : 'cs', value)).toBe(false);
  });
});
