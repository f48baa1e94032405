import { gcd, lcm } from '../../core/private/arithmetic';
import { formatPercent } from '../../core/private/format';
import { fail } from '../../core/private/validation';
import type { TrafficPlan } from '../../core/strategy';

/** The largest weight Route 53 accepts on a weighted record (weights are whole numbers from 0 to 255). */
export const MAX_ROUTE53_WEIGHT = 255;

/** The weights of the two records of a rollout. Route 53 splits traffic by each one's share of their sum. */
export interface Route53Weights {
  readonly stable: number;
  readonly candidate: number;
}

/**
 * The Route 53 weights that send exactly `candidateTenths` tenths of a percent of traffic to the
 * candidate: the fraction `candidateTenths / 1000` in lowest terms (10% is 9 and 1), or `undefined`
 * when a part of it is above 255. 0% and 100% are 1 and 0, and 0 and 1: never 0 and 0, which
 * Route 53 reads as an equal split.
 */
export function route53Weights(candidateTenths: number): Route53Weights | undefined {
  if (!Number.isInteger(candidateTenths) || candidateTenths < 0 || candidateTenths > 1000) return undefined;
  // gcd(0, 1000) is 1000, so 0% reduces to 0/1 and 100% to 1/1.
  const divisor = gcd(candidateTenths, 1000);
  const candidate = candidateTenths / divisor;
  const stable = 1000 / divisor - candidate;
  return stable <= MAX_ROUTE53_WEIGHT && candidate <= MAX_ROUTE53_WEIGHT ? { stable, candidate } : undefined;
}

/**
 * The nearest shares, in tenths of a percent, above 0 and below 100%, that Route 53 weights express
 * exactly: the closest below `candidateTenths` and the closest above, where there is one.
 */
export function nearestExpressible(candidateTenths: number): number[] {
  const nearest: number[] = [];
  for (let t = candidateTenths - 1; t > 0; t--) {
    if (route53Weights(t)) {
      nearest.push(t);
      break;
    }
  }
  for (let t = candidateTenths + 1; t < 1000; t++) {
    if (route53Weights(t)) {
      nearest.push(t);
      break;
    }
  }
  return nearest;
}

/**
 * The Route 53 weights of every step of `plan`, checked all at once so that a step no pair of
 * weights can express fails at the first deploy, not halfway through the rollout.
 *
 * Where it fits in 255, every step gets the same total weight (10% then 25% is 18 : 2 then
 * 15 : 5, not 9 : 1 then 3 : 1). The two records change one after the other, and with equal totals
 * the share in between always lies between the old step's and the new one's; with totals of their
 * own, 30% → 40% would pass through 3 : 3, an even split.
 */
export function planWeights(prop: string, plan: TrafficPlan): Route53Weights[] {
  const reduced = reducedPlanWeights(prop, plan);
  const total = reduced.reduce((acc, w) => lcm(acc, w.stable + w.candidate), 1);
  if (total > MAX_ROUTE53_WEIGHT) return reduced;
  return reduced.map(w => {
    const factor = total / (w.stable + w.candidate);
    return { stable: w.stable * factor, candidate: w.candidate * factor };
  });
}

function reducedPlanWeights(prop: string, plan: TrafficPlan): Route53Weights[] {
  return plan.steps.map(step => {
    const tenths = Math.round(step.candidateWeight * 10);
    const weights = route53Weights(tenths);
    if (weights === undefined) {
      const options = nearestExpressible(tenths).map(t => {
        const w = route53Weights(t)!;
        return `${formatPercent(t / 10)} (stable ${w.stable}, candidate ${w.candidate})`;
      });
      fail(prop, plan.strategy.describe(),
        `Route 53 weights are whole numbers from 0 to ${MAX_ROUTE53_WEIGHT}, and no pair of them sends exactly `
        + `${formatPercent(step.candidateWeight)} of traffic to the candidate (step ${step.index})`,
        `Use ${options.join(' or ')} instead; every whole or half percent can be expressed.`);
    }
    return weights;
  });
}
