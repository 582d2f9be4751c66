import { parseOptions } from '../../../chaos/options';

describe('chaos options', () => {
  test('--money-out --regtest: the regtest lane at its small default size (money out keeps its default count)', () => {
    expect(parseOptions(['--money-out', '--regtest', '--seed', '7'])).toMatchObject({
      regtest: true, sessions: 10, moneyOut: 10, kills: 2, settleSec: 300, seed: 7,
    });
  });

  test('sizes given with --regtest are kept', () => {
    expect(parseOptions(['--regtest', '--sessions', '4', '--money-out=3', '--kills', '0'])).toMatchObject({ sessions: 4, moneyOut: 3, kills: 0 });
  });

  test('without --regtest the test-mode defaults stand, and a bad count is refused with the usage', () => {
    expect(parseOptions(['--money-out', '5'])).toMatchObject({ sessions: 40, moneyOut: 5 });
    expect(parseOptions([]).regtest).toBeUndefined();
    expect(() => parseOptions(['--kills', 'x'])).toThrow(/--kills needs a positive whole number[\s\S]*usage/);
  });

  test('--failover-kill narrows the failover to the named processes (and implies it), refusing an unknown one', () => {
    expect(parseOptions(['--failover-kill', 'frontend'])).toMatchObject({ failover: true, cluster: true, failoverKill: ['frontend'] });
    expect(parseOptions(['--failover-kill=history,frontend']).failoverKill).toEqual(['history', 'frontend']);
    expect(() => parseOptions(['--failover-kill', 'frontend,db'])).toThrow(/--failover-kill takes a comma list[\s\S]*usage/);
  });
});
