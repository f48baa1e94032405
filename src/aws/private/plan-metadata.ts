import { Lazy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Experiment } from '../../core/experiment';
import { renderedPlan } from '../../core/private/rendered-plan';
import type { TrafficPlan } from '../../core/strategy';

/** The metadata type under which every rollout records its plan in the cloud assembly. */
export const PLAN_METADATA_TYPE = 'cdk-deploy-strategies:plan';

/**
 * Records a rollout's plan on its construct, so tools read it from the synthesized output
 * (`manifest.json` metadata in a CDK cloud assembly) instead of asking users to declare it twice.
 * A rollout whose plan changes after construction (health checks added) passes a function: the
 * table and the plan are then read when they are, at synth.
 */
export function recordPlan(construct: IConstruct, plan: TrafficPlan | (() => TrafficPlan), controller: string, driver?: () => RecordedDriver): void {
  // Read at synth: the alarms the driver reads, which its cost depends on, are known then.
  const recordedDriver = driver ? { driver: Lazy.any({ produce: driver }) } : {};
  if (typeof plan !== 'function') {
    construct.node.addMetadata(PLAN_METADATA_TYPE, { controller, ...renderedPlan(plan).value, ...recordedDriver });
    return;
  }
  construct.node.addMetadata(PLAN_METADATA_TYPE, {
    controller,
    get table() {
      return renderedPlan(plan()).value.table;
    },
    get plan() {
      return renderedPlan(plan()).value.plan;
    },
    ...recordedDriver,
  });
}

/** What a driven rollout records of its driver: the state machine, and what a rollout costs it. */
export interface RecordedDriver {
  readonly engine: string;
  readonly stateMachineName: string;
  /** State transitions of a usual rollout (the deploy already finished, each change applied promptly). */
  readonly stateTransitions: number;
  /** State transitions of the longest rollout that succeeds. */
  readonly maxStateTransitions: number;
  /** History events of the longest rollout, rollback included; a Standard workflow keeps at most 25,000. */
  readonly maxHistoryEvents: number;
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
  /** The health checks measuring each variant (and the control), by name. */
  readonly watchedBy?: Record<string, string[]>;
  /** Where they are measured. */
  readonly measurement?: { readonly source: string };
}

/** What measures an experiment's variants, for the plan command. */
export interface ExperimentWatchers {
  /** The health checks measuring each variant (and the control), by name. */
  readonly watchedBy: Record<string, string[]>;
  /** Where: `CloudWatch alarms on each target group's metrics`. */
  readonly source: string;
}

/** Records an experiment's allocations at `at` on its construct. */
export function recordExperiment(construct: IConstruct, experiment: Experiment, backend: string, at: Date, watchers?: ExperimentWatchers): void {
  const recorded: RecordedExperiment = {
    backend,
    active: experiment.isActive(at),
    reason: experiment.inactiveReason(at),
    table: experiment.toTable(at),
    // What measures each variant, read by the plan command; only where health checks measure it.
    ...(watchers !== undefined && experiment.healthChecks.length > 0
      ? { watchedBy: watchers.watchedBy, measurement: { source: watchers.source } } : {}),
  };
  construct.node.addMetadata(EXPERIMENT_METADATA_TYPE, recorded);
}
