import { Experiment, Match } from '../../../src';
import { allocationGroups } from '../../../src/core/private/allocation-groups';

const at = new Date('2026-12-01T00:00:00Z');

describe('allocationGroups', () => {
  test('a matching variant with a weight shares its rule with the control; weight-only variants share the last', () => {
    const beta = Match.cookie('beta', 'true');
    const experiment = new Experiment({
      name: 'checkout',
      variants: [
        { name: 'beta', match: beta, weight: 50 },
        { name: 'one-click', weight: 10 },
        { name: 'redesign', weight: 20 },
      ],
    });
    const groups = allocationGroups(experiment, at);
    expect(groups.map(g => g.match)).toEqual([beta, undefined]);
    expect(groups.map(g => g.allocations.map(a => `${a.variant} ${a.weight}`))).toEqual([
      ['beta 50', 'control 50'],
      ['one-click 10', 'redesign 20', 'control 70'],
    ]);
  });

  test('an experiment that is switched off is one group: everyone on the control', () => {
    const experiment = new Experiment({ name: 'off', enabled: false, variants: [{ name: 'b', match: Match.header('x-b', '1') }] });
    expect(allocationGroups(experiment, at)).toEqual([{ match: undefined, allocations: [{ variant: 'control', isControl: true, weight: 100 }] }]);
  });
});
