import type { Strategy, TrafficPlan } from '../strategy';

/** A plan's table and JSON, and the JSON as text. */
export interface RenderedPlan {
  readonly value: { readonly table: string; readonly plan: unknown };
  readonly planText: string;
}

const rendered = new WeakMap<Strategy, Map<string, RenderedPlan>>();
/** The same, by plan: rollouts that share a plan (`Strategy.plan()` shares them) skip building the key. */
const renderedByPlan = new WeakMap<TrafficPlan, RenderedPlan>();

/**
 * The table and JSON every rollout records, rendered once per strategy and plan shape: a platform's
 * services usually share one strategy, and rendering the same plan for each was most of what the
 * library added to synthesis time (bench/README.md). A plan is fully determined by its strategy
 * (whose steps are frozen), capacity mode, replica count, rollback time and health checks (the
 * strategy's, or the rollout's in their place; described with every setting that shapes them).
 */
export function renderedPlan(plan: TrafficPlan): RenderedPlan {
  const shared = renderedByPlan.get(plan);
  if (shared !== undefined) return shared;
  let byShape = rendered.get(plan.strategy);
  if (byShape === undefined) {
    byShape = new Map();
    rendered.set(plan.strategy, byShape);
  }
  const key = `${plan.capacity}|${plan.replicas ?? ''}|${plan.rollbackTime.toSeconds()}|${plan.healthChecks.map(c => c.describe()).join(';')}`;
  let entry = byShape.get(key);
  if (entry === undefined) {
    const json = plan.toJson();
    // The table is rendered when first read: the CDK metadata records it, the Kubernetes annotation does not.
    let table: string | undefined;
    const value = { get table() { return table ??= plan.toTable(); }, plan: json };
    entry = { value, planText: JSON.stringify(json) };
    byShape.set(key, entry);
  }
  renderedByPlan.set(plan, entry);
  return entry;
}
