import { Strategy } from '../../src';
import { textChart } from '../../src/cli/text-chart';
import { shareAt, timeAxis } from '../../src/cli/timeline';
import { gatedCanary } from '../support/cli-fixtures';

/** The share each column shows, read back from the chart's rows (`#` full, `:` partial). */
function columnsOf(chart: string, height: number, width: number): Array<[number, number]> {
  const rows = chart.split('\n').slice(0, height).map(line => line.slice(6).padEnd(width));
  return Array.from({ length: width }, (_, c) => {
    const full = rows.filter(r => r[c] === '#').length;
    const partial = rows.filter(r => r[c] === ':').length;
    return [full, partial];
  });
}

test('draws each column at the share of its start time, one row per 10%', () => {
  const plan = gatedCanary.plan().toJson();
  const axis = timeAxis(plan.totalDurationSeconds);
  const chart = textChart(plan, { width: 50 });
  columnsOf(chart, 10, 50).forEach(([full, partial], c) => {
    const share = shareAt(plan, (c * axis.endSeconds) / 50);
    expect(full).toBe(Math.floor(share / 10));
    expect(partial).toBe(share % 10 === 0 ? 0 : 1);
  });
});

test('prints plain ASCII: axis, ticks, labels and approval markers', () => {
  const chart = textChart(gatedCanary.plan().toJson(), { width: 60 });
  expect(chart).toMatch(/^[\x20-\x7e\n]*$/);
  const lines = chart.split('\n');
  expect(lines[0]).toMatch(/^100% \|/);
  expect(lines[5]).toMatch(/^ 50% \|/);
  expect(lines[10]).toBe('  0% +-----------+-----------+-----------+-----------+-----------+');
  expect(lines[11]).toBe('     0s          10m         20m         30m         40m         50m');
  expect(lines[12]).toBe('                 A');
  expect(lines[13]).toBe('     A at 10m: step 2 holds 25% until someone approves (counted as instant)');
  expect(lines).toHaveLength(14);
});

test('no approvals, no marker rows; a shared axis lines charts up', () => {
  const axis = timeAxis(3600);
  const chart = textChart(Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson(), { height: 5, width: 40, axis });
  const lines = chart.split('\n');
  expect(lines).toHaveLength(7);
  expect(lines[5]).toBe('  0% +-------+-------+-------+-------+-------+');
  expect(lines[6]).toBe('     0s      15m     30m     45m     1h      1h 15m');
});

test('an instant rollout is drawn full from the start on a one-minute axis', () => {
  const chart = textChart(Strategy.ALL_AT_ONCE.plan().toJson(), { width: 12, height: 2 });
  expect(chart).toBe([
    '100% |############',
    ' 50% |############',
    '  0% +-+-+-+-+-+-+',
    '     0s  20s 40s 1m',
  ].join('\n'));
});
