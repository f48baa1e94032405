import { Duration } from 'aws-cdk-lib';
import { StepGate, Strategy } from '../../../src';
import { MAX_ROUTE53_WEIGHT, nearestExpressible, planWeights, route53Weights } from '../../../src/aws/private/route53-weights';
import { gcd } from '../../../src/core/private/arithmetic';
import { expectValidationError } from '../../support/validation-error';

const bake = StepGate.bake(Duration.minutes(5));

describe('route53Weights', () => {
  test.each([
    [0, 1, 0],
    [1000, 0, 1],
    [100, 9, 1],
    [500, 1, 1],
    [125, 7, 1],
    [250, 3, 1],
    [4, 249, 1],
    [332, 167, 83],
    [502, 249, 251],
    [996, 1, 249],
  ])('%d tenths of a percent is stable %d, candidate %d', (tenths, stable, candidate) => {
    expect(route53Weights(tenths)).toEqual({ stable, candidate });
  });

  test.each([1, 2, 333, 334, 666, 999])('%d tenths of a percent has no exact pair of weights up to 255', tenths => {
    expect(route53Weights(tenths)).toBeUndefined();
  });

  test.each([-1, 1001, 12.5, NaN])('%d is not a share of traffic', tenths => {
    expect(route53Weights(tenths)).toBeUndefined();
  });

  test('every share it expresses is exact, in lowest terms, within 0-255 and never 0 and 0', () => {
    let expressible = 0;
    for (let tenths = 0; tenths <= 1000; tenths++) {
      const weights = route53Weights(tenths);
      if (weights === undefined) continue;
      expressible++;
      const { stable, candidate } = weights;
      expect(Number.isInteger(stable) && Number.isInteger(candidate)).toBe(true);
      expect(stable).toBeLessThanOrEqual(MAX_ROUTE53_WEIGHT);
      expect(candidate).toBeLessThanOrEqual(MAX_ROUTE53_WEIGHT);
      expect(stable + candidate).toBeGreaterThan(0);
      expect(candidate * 1000).toBe(tenths * (stable + candidate));
      expect(gcd(stable, candidate)).toBe(1);
    }
    // Multiples of 0.4% and of 0.5% (counting multiples of 2% once), plus 49.4%, 49.8%, 50.2% and 50.6%
    // (denominator 500, both parts from 247 to 253).
    expect(expressible).toBe(251 + 201 - 51 + 4);
  });

  test('every whole and half percent is expressible', () => {
    for (let tenths = 0; tenths <= 1000; tenths += 5) expect(route53Weights(tenths)).toBeDefined();
  });
});

describe('nearestExpressible', () => {
  test.each([
    [333, [332, 335]],
    [1, [4]],
    [999, [996]],
    [503, [502, 504]],
  ])('%d tenths: the nearest expressible shares are %j', (tenths, nearest) => {
    expect(nearestExpressible(tenths)).toEqual(nearest);
  });
});

describe('planWeights', () => {
  test('gives the weights of every step', () => {
    expect(planWeights('p', Strategy.CANARY_10PERCENT_5MINUTES.plan())).toEqual([{ stable: 9, candidate: 1 }, { stable: 0, candidate: 10 }]);
    expect(planWeights('p', Strategy.BLUE_GREEN.plan())).toEqual([{ stable: 1, candidate: 0 }, { stable: 0, candidate: 1 }]);
  });

  test('gives every step one total, so the share between two record updates stays between the steps\' shares', () => {
    const linear = planWeights('p', Strategy.linear({ stepPercent: 10, interval: Duration.minutes(1) }).plan());
    expect(new Set(linear.map(w => w.stable + w.candidate))).toEqual(new Set([10]));
    // Updating Stable first: the new stable weight meets the old candidate weight.
    for (let i = 1; i < linear.length; i++) {
      const between = linear[i - 1].candidate / (linear[i].stable + linear[i - 1].candidate);
      expect(between).toBeGreaterThanOrEqual(linear[i - 1].candidate / 10);
      expect(between).toBeLessThanOrEqual(linear[i].candidate / 10);
    }
  });

  test('keeps each step\'s own total when one total would pass 255', () => {
    // 12.5% is 1/8 and 0.4% is 1/250: a common total would be 1000.
    const strategy = Strategy.canary({ steps: [{ weight: 0.4, gate: bake }, { weight: 12.5, gate: bake }] });
    expect(planWeights('p', strategy.plan())).toEqual([{ stable: 249, candidate: 1 }, { stable: 7, candidate: 1 }, { stable: 0, candidate: 1 }]);
  });

  test('fails on a share no pair of weights expresses, with the nearest ones that work', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 33.3, gate: bake }] });
    expectValidationError(() => planWeights('Rollout: strategy', strategy.plan()),
      'Rollout: strategy is "canary 33.3% (bake 5m) → 100%": Route 53 weights are whole numbers from 0 to 255, and no pair of them '
      + 'sends exactly 33.3% of traffic to the candidate (step 1). Use 33.2% (stable 167, candidate 83) or 33.5% (stable 133, candidate 67) '
      + 'instead; every whole or half percent can be expressed.');
  });

  test('checks every step, not only the first', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 10, gate: bake }, { weight: 66.7, gate: bake }] });
    expectValidationError(() => planWeights('p', strategy.plan()),
      'p is "canary 10% (bake 5m) → 66.7% (bake 5m) → 100%": Route 53 weights are whole numbers from 0 to 255, and no pair of them '
      + 'sends exactly 66.7% of traffic to the candidate (step 2). Use 66.5% (stable 67, candidate 133) or 66.8% (stable 83, candidate 167) '
      + 'instead; every whole or half percent can be expressed.');
  });

  test('suggests only shares above 0 and below 100%', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 0.1, gate: bake }] });
    expectValidationError(() => planWeights('p', strategy.plan()),
      'p is "canary 0.1% (bake 5m) → 100%": Route 53 weights are whole numbers from 0 to 255, and no pair of them '
      + 'sends exactly 0.1% of traffic to the candidate (step 1). Use 0.4% (stable 249, candidate 1) '
      + 'instead; every whole or half percent can be expressed.');
  });
});
