import type { IConstruct } from 'constructs';
import type { Experiment } from '../core/experiment';
import type { Strategy } from '../core/strategy';
import type { TrafficPlan } from '../core/traffic-plan';

/** The metadata type under which every rollout records its plan in the cloud assembly. */
export const PLAN_METADATA_TYPE = 'cdk-deploy-strategies:plan';

/**
 * Records a rollout's plan on its construct, so tools read it from the synthesized output
 * (`manifest.json` metadata in a CDK cloud assembly) instead of asking users to declare it twice.
 */
export function recordPlan(construct: IConstruct, plan: TrafficPlan, controller: string): void {
  construct.node.addMetadata(PLAN_METADATA_TYPE, { controller, ...renderedPlan(plan).value });
}

/** A plan's table and JSON, and the JSON as text. */
export interface RenderedPlan {
  readonly value: { readonly table: string; readonly plan: unknown };
  readonly planText: string;
}

const rendered = new WeakMap<Strategy, Map<string, RenderedPlan>>();

/**
 * The table and JSON every rollout records, rendered once per strategy and plan shape: a platform's
 * services usually share one strategy, and rendering the same plan for each was most of what the
 * library added to synthesis time (bench/README.md). A plan is fully determined by its strategy
 * (whose steps are frozen), capacity mode, replica count and rollback time.
 */
export function renderedPlan(plan: TrafficPlan): RenderedPlan {
  let byShape = rendered.get(plan.strategy);
  if (byShape === undefined) {
    byShape = new Map();
    rendered.set(plan.strategy, byShape);
  }
  const key = `${plan.capacity}|${plan.replicas ?? ''}|${plan.rollbackTime.toSeconds()}`;
  let entry = byShape.get(key);
  if (entry === undefined) {
    const value = { table: plan.toTable(), plan: plan.toJson() };
    entry = { value, planText: JSON.stringify(value.plan) };
    byShape.set(key, entry);
  }
  return entry;
}

/** The metadata type under which a one-step-per-deploy rollout records the step it rendered. */
export const STEP_METADATA_TYPE = 'cdk-deploy-strategies:step';

/** The metadata type under which every A/B experiment records its allocations. */
export const EXPERIMENT_METADATA_TYPE = 'cdk-deploy-strategies:experiment';

/** What an experiment records: whether it runs at synth time, why not, and its allocation table. */
export interface RecordedExperiment {
  readonly backend: string;
  readonly active: boolean;
  readonly reason?: string;
  readonly table: string;
}

/** Records an experiment's allocations at `at` on its construct. */
export function recordExperiment(construct: IConstruct, experiment: Experiment, backend: string, at: Date): void {
  const recorded: RecordedExperiment = {
    backend,
    active: experiment.isActive(at),
    reason: experiment.inactiveReason(at),
    table: experiment.toTable(at),
  };
  construct.node.addMetadata(EXPERIMENT_METADATA_TYPE, recorded);
}
