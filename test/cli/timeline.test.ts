import { Strategy } from '../../src';
import { approvalMarkers, shareAt, sharedAxis, timeAxis } from '../../src/cli/timeline';
import { gatedCanary } from '../support/cli-fixtures';

describe('timeAxis', () => {
  test.each([
    // total seconds, axis end, tick spacing
    [0, 60, 10],
    [300, 360, 60],
    [540, 600, 120],
    [600, 720, 120],
    [2400, 3000, 600],
    [86400, 108000, 21600],
    [30 * 86400, 5 * 604800, 604800],
  ])('a %is rollout gets an axis to %is with ticks every %is', (total, end, spacing) => {
    const axis = timeAxis(total);
    expect(axis.endSeconds).toBe(end);
    expect(axis.ticks[1] - axis.ticks[0]).toBe(spacing);
    expect(axis.ticks[0]).toBe(0);
    expect(axis.ticks[axis.ticks.length - 1]).toBe(end);
  });

  test('ends after the rollout, so the final share is visible, with at most 7 ticks', () => {
    for (const total of [1, 59, 61, 599, 3601, 7 * 86400, 40 * 86400]) {
      const axis = timeAxis(total);
      expect(axis.endSeconds).toBeGreaterThan(total);
      expect(axis.ticks.length).toBeLessThanOrEqual(7);
    }
  });

  test('several plans share the axis of the longest', () => {
    const plans = [Strategy.ALL_AT_ONCE.plan().toJson(), gatedCanary.plan().toJson()];
    expect(sharedAxis(plans)).toEqual(timeAxis(gatedCanary.plan().totalDuration.toSeconds()));
  });
});

describe('shareAt', () => {
  const plan = gatedCanary.plan().toJson();

  test('is the weight of the last step started by then', () => {
    expect(shareAt(plan, 0)).toBe(5);
    expect(shareAt(plan, 599)).toBe(5);
    // Step 2 (25%, a manual approval) and step 3 (50%) both start at 10m: the plan counts approvals as instant.
    expect(shareAt(plan, 600)).toBe(50);
    expect(shareAt(plan, 2399)).toBe(50);
    expect(shareAt(plan, 2400)).toBe(100);
    expect(shareAt(plan, 1e9)).toBe(100);
  });

  test('blue-green switches at once', () => {
    expect(shareAt(Strategy.BLUE_GREEN.plan().toJson(), 0)).toBe(100);
  });
});

test('approvalMarkers lists the steps that wait for a person, where the clock stops', () => {
  expect(approvalMarkers(gatedCanary.plan().toJson())).toEqual([{ step: 2, offsetSeconds: 600, candidateWeight: 25 }]);
  expect(approvalMarkers(Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson())).toEqual([]);
});
