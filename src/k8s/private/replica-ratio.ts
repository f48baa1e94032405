import type { HealthCheck } from '../../core/health-check';
import { CapacityMode } from '../../core/plan-options';
import { fail } from '../../core/private/validation';
import type { Strategy } from '../../core/strategy';
import { TrafficPlan } from '../../core/strategy';

/** The default gap, in percentage points, between a requested weight and the replica split that approximates it. */
export const DEFAULT_WEIGHT_TOLERANCE = 5;
const SEARCH_LIMIT = 1000;

/** Reads a weight tolerance in percentage points. */
export function weightTolerance(prop: string, value: unknown): number {
  if (value === undefined) return DEFAULT_WEIGHT_TOLERANCE;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 50) {
    fail(prop, value, 'a tolerance is a number of percentage points from 0 to 50', `Use a tolerance such as ${DEFAULT_WEIGHT_TOLERANCE}.`);
  }
  return value;
}

/** The largest gap between the weights the strategy asks for and those `plan` delivers, with the step it occurs at. */
function worstGap(strategy: Strategy, plan: TrafficPlan): { index: number; gap: number } {
  let worst = { index: 0, gap: 0 };
  plan.steps.forEach((step, i) => {
    // The replica split itself: the plan's candidateWeight is rounded to 0.1%, which would let a gap 0.05 points past the tolerance through.
    const gap = Math.abs(100 * step.candidateReplicas! / plan.replicas! - strategy.steps[i].weight);
    if (gap > worst.gap + 1e-9) worst = { index: i, gap };
  });
  return worst;
}

/**
 * The plan of a canary whose traffic follows the replica count (plain Kubernetes, Argo Rollouts
 * without traffic routing): each weight becomes whole replicas. Fails when a step lands further
 * from its weight than `tolerance` allows, naming the replica count that would do.
 */
export function replicaRatioPlan(
  prop: string, provider: string, strategy: Strategy, replicas: number, tolerance: number, alternative: string, healthChecks?: HealthCheck[],
): TrafficPlan {
  const plan = strategy.plan({ capacity: CapacityMode.REPLICA_RATIO, replicas, healthChecks });
  const worst = worstGap(strategy, plan);
  if (worst.gap > tolerance + 1e-9) {
    const step = plan.steps[worst.index];
    const asked = strategy.steps[worst.index].weight;
    let enough: number | undefined;
    for (let n = replicas + 1; n <= SEARCH_LIMIT && enough === undefined; n++) {
      if (worstGap(strategy, strategy.plan({ capacity: CapacityMode.REPLICA_RATIO, replicas: n })).gap <= tolerance + 1e-9) enough = n;
    }
    const fix = enough === undefined ? `Use ${alternative}, or raise the tolerance.` : `Use at least ${enough} replicas, raise the tolerance, or use ${alternative}.`;
    const gap = describeGap(worst.gap, tolerance);
    // The split at the gap's precision, as the weight asked (one decimal at most) plus or minus the gap shown, so the numbers add up.
    const split = 100 * step.candidateReplicas! / replicas;
    const shown = Number((asked + Math.sign(split - asked) * gap.points).toFixed(gap.decimals));
    fail(prop, replicas,
      `${provider} splits traffic by replica count, and step ${step.index}'s ${asked}% becomes ${shown}% (${step.candidateReplicas} of ${replicas} replicas), ${gap.points} points off, beyond the tolerance of ${tolerance}`,
      fix);
  }
  return plan;
}

/** A gap to one decimal, or to two (rounded up) where one would not show it is past the tolerance: 2.73, not 2.7, past 2.7. */
function describeGap(gap: number, tolerance: number): { points: number; decimals: number } {
  const tenth = Math.round(gap * 10) / 10;
  return tenth > tolerance ? { points: tenth, decimals: 1 } : { points: Math.ceil(gap * 100 - 1e-9) / 100, decimals: 2 };
}
