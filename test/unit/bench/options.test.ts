/** The bench's command line: the long phases run only when named, and their sizes parse. */
import { OPT_IN, parseOptions } from '../../../bench/options';

test('a default run leaves out the cold-session and million-session phases', () => {
  const opts = parseOptions([]);
  expect(OPT_IN).toEqual(expect.arrayContaining(['cold', 'million']));
  expect(opts.phases.filter((p) => OPT_IN.includes(p))).toEqual([]);
  expect(opts.phases).toContain('open');
});

test('named phases and their sizes are taken as given', () => {
  const opts = parseOptions(['--phases', 'baseline,cold,million', '--cold-sizes', '2000,10000', '--cold-receipts', '20', '--million-total', '5000', '--million-open', '500']);
  expect(opts.phases).toEqual(['baseline', 'cold', 'million']);
  expect([opts.coldSizes, opts.coldReceipts, opts.millionTotal, opts.millionOpen]).toEqual(['2000,10000', 20, 5000, 500]);
  expect(() => parseOptions(['--million-total', 'many'])).toThrow(/needs a number/);
});
