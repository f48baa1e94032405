import { Strategy } from '../../src';
import {
  compareJson, compareMarkdown, compareText, comparisonRows, CORE_STRATEGIES, coreStrategyRollouts, DEFAULT_REPLICAS, strategiesTitle,
} from '../../src/cli/compare';
import { textChart } from '../../src/cli/text-chart';
import { sharedAxis } from '../../src/cli/timeline';
import { gatedCanary, rolloutOf } from '../support/cli-fixtures';

describe('the four core strategies', () => {
  test('are the presets users write, planned at one service size', () => {
    const rollouts = coreStrategyRollouts(20);
    expect(rollouts.map(r => r.name)).toEqual(['Strategy.ALL_AT_ONCE', 'Strategy.BLUE_GREEN', 'Strategy.CANARY_10PERCENT_5MINUTES', 'Strategy.LINEAR_10PERCENT_EVERY_1MINUTE']);
    rollouts.forEach((r, i) => expect(r.plan).toEqual(CORE_STRATEGIES[i][1].plan({ replicas: 20 }).toJson()));
    expect(coreStrategyRollouts().map(r => r.plan)).toEqual(CORE_STRATEGIES.map(([, s]) => s.plan({ replicas: DEFAULT_REPLICAS }).toJson()));
    expect(strategiesTitle(20)).toBe('The four core strategies at 20 replicas');
  });

  test('side by side: blue-green pays a second environment for an instant rollback; a canary bounds the blast radius', () => {
    const rows = comparisonRows(coreStrategyRollouts(10));
    expect(rows.map(r => [r.name, r.totalDurationSeconds, r.peakExtraCapacityPercent, r.blastRadiusPercent, r.rollbackSeconds])).toEqual([
      ['Strategy.ALL_AT_ONCE', 0, 0, 100, 300],
      ['Strategy.BLUE_GREEN', 300, 100, 100, 0],
      ['Strategy.CANARY_10PERCENT_5MINUTES', 300, 0, 10, 300],
      ['Strategy.LINEAR_10PERCENT_EVERY_1MINUTE', 540, 0, 10, 300],
    ]);
  });
});

describe('renderers', () => {
  const rollouts = [rolloutOf('Strategy.BLUE_GREEN', Strategy.BLUE_GREEN), rolloutOf('Gated', gatedCanary)];

  test('text: a table, then every chart on the axis of the longest', () => {
    const out = compareText(rollouts, 'Two');
    const lines = out.split('\n');
    expect(lines[0]).toBe('Two');
    expect(lines[2]).toMatch(/^rollout\s+strategy\s+capacity\s+to 100%\s+duration\s+extra capacity\s+blast radius\s+rollback$/);
    expect(lines[3]).toMatch(/^Strategy\.BLUE_GREEN\s+blue-green \(bake 5m\)\s+FULL_COPY\s+0s\s+5m\s+\+100%\s+100%\s+instant$/);
    expect(lines[4]).toMatch(/^Gated\s+canary 5% .*\s+PROPORTIONAL\s+40m \+ 1 manual approval\s+40m \+ 1 manual approval\s+\+100%\s+5%\s+instant$/);
    const axis = sharedAxis(rollouts.map(r => r.plan));
    for (const r of rollouts) expect(out).toContain(`${r.name}:\n${textChart(r.plan, { height: 5, axis })}`);
  });

  test('markdown: the same table and charts', () => {
    const out = compareMarkdown(rollouts, 'Two');
    expect(out).toContain('### Two\n\n| rollout | strategy | capacity | to 100% | duration | extra capacity | blast radius | rollback |');
    expect(out).toContain('| `Strategy.BLUE_GREEN` | blue-green (bake 5m) | FULL_COPY | 0s | 5m | +100% | 100% | instant |');
    expect(out).toContain('```text\nStrategy.BLUE_GREEN:\n');
  });

  test('json: the numbers, in seconds and percent', () => {
    expect(JSON.parse(compareJson(rollouts, 'Two'))).toEqual({ title: 'Two', rollouts: comparisonRows(rollouts) });
    expect(comparisonRows(rollouts)[1]).toEqual({
      name: 'Gated',
      strategy: gatedCanary.describe(),
      capacity: 'PROPORTIONAL',
      timeToFullTrafficSeconds: 2400,
      totalDurationSeconds: 2400,
      manualApprovals: 1,
      peakCapacityPercent: 200,
      peakExtraCapacityPercent: 100,
      blastRadiusPercent: 5,
      rollbackSeconds: 0,
    });
  });
});
