import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';
import { StepGate, StepGateKind } from '../../core/step-gate';
import type { TrafficPlan } from '../../core/strategy';
import { StrategyKind } from '../../core/strategy-kind';

/** The controller's name in errors. */
const CONTROLLER = 'native ECS deployments';
/** `BakeTimeInMinutes`, `StepBakeTimeInMinutes` and `CanaryBakeTimeInMinutes`: 0 to 1440. */
const MAX_BAKE_MINUTES = 1440;
/** Linear `StepPercent`: 3 to 100 in steps of 0.1. Canary `CanaryPercent` takes 0.1 to 100, as the core does. */
const MIN_LINEAR_PERCENT = 3;
/**
 * CloudFormation rejects a canary or linear ECS deployment whose calculated time (bake times
 * included) exceeds 33 hours, below its 36-hour wait for any stack operation.
 */
const CLOUDFORMATION_LIMIT_HOURS = 33;

/** How a native ECS deployment moves traffic, in the units `AWS::ECS::Service` takes. */
export interface EcsNativeDeployment {
  /** `DeploymentConfiguration.Strategy`. */
  readonly strategy: 'ROLLING' | 'BLUE_GREEN' | 'CANARY' | 'LINEAR';
  /** Minutes the old revision keeps running after all traffic has moved (`BakeTimeInMinutes`); not for ROLLING. */
  readonly bakeMinutes?: number;
  /** Percent moved by the canary step or by each linear step. */
  readonly stepPercent?: number;
  /** Minutes between shifts. */
  readonly stepBakeMinutes?: number;
}

/**
 * Reads a plan as a native ECS deployment, or fails naming what ECS cannot express: no promotion
 * gate before a blue-green switch, one canary step, linear steps of at least 3%, no gate but time,
 * bake times in whole minutes up to a day, and a whole rollout CloudFormation can wait for.
 *
 * @param prop what to name in errors, such as `EcsRolloutService Stack/Web: strategy`
 */
export function ecsNativeDeployment(plan: TrafficPlan, prop: string): EcsNativeDeployment {
  const strategy = plan.strategy;
  const shown = strategy.describe();
  const last = plan.steps[plan.steps.length - 1];
  let deployment: EcsNativeDeployment;
  switch (strategy.kind) {
    case StrategyKind.ALL_AT_ONCE:
      return { strategy: 'ROLLING' };
    case StrategyKind.BLUE_GREEN: {
      const promotion = plan.steps[0].gate;
      if (promotion !== undefined) {
        fail(prop, shown, `${CONTROLLER} cannot hold the switch for a promotion gate (${promotion.describe()})`,
          'Remove the promotion and run the check in a lifecycle hook at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT (lifecycleHooks), '
          + 'or use the CodeDeploy controller, whose deploymentApprovalWaitTime holds the switch for an approval.');
      }
      deployment = { strategy: 'BLUE_GREEN', bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the switch') };
      break;
    }
    case StrategyKind.CANARY: {
      const shifts = plan.steps.filter(s => s.candidateWeight < 100);
      if (shifts.length !== 1) {
        fail(prop, shown, `${CONTROLLER} shift a canary in one step, then to 100%; this canary has ${shifts.length} steps before 100%`,
          'Use one step, such as Strategy.CANARY_10PERCENT_15MINUTES, or Strategy.linear() for equal steps.');
      }
      deployment = {
        strategy: 'CANARY',
        stepPercent: shifts[0].candidateWeight,
        stepBakeMinutes: bakeMinutes(prop, shown, shifts[0].gate, 'between shifts'),
        bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the last shift'),
      };
      break;
    }
    case StrategyKind.LINEAR: {
      const first = plan.steps[0];
      if (first.candidateWeight < MIN_LINEAR_PERCENT) {
        fail(prop, shown, `${CONTROLLER} move at least ${MIN_LINEAR_PERCENT}% of traffic per linear step, and ${first.candidateWeight}% is less`,
          `Use a stepPercent of ${MIN_LINEAR_PERCENT} or more, or a one-step canary for a smaller first share.`);
      }
      deployment = {
        strategy: 'LINEAR',
        stepPercent: first.candidateWeight,
        stepBakeMinutes: bakeMinutes(prop, shown, first.gate, 'between shifts'),
        bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the last shift'),
      };
      break;
    }
  }
  const total = plan.totalDuration.toSeconds();
  if (total > CLOUDFORMATION_LIMIT_HOURS * 3600) {
    fail(prop, shown, `the rollout takes ${formatSeconds(total)}, and CloudFormation rejects an ECS deployment whose bake times add up to more than ${CLOUDFORMATION_LIMIT_HOURS} hours`,
      'Use a shorter plan (fewer or shorter steps), or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.');
  }
  return deployment;
}

/** Minutes a bake gate holds, or 0 without a gate. */
function bakeMinutes(prop: string, shown: string, gate: StepGate | undefined, when: string): number {
  if (gate === undefined) return 0;
  if (gate.kind !== StepGateKind.BAKE) {
    fail(prop, shown, `${CONTROLLER} wait ${when} only for a time; they have no ${gate.kind === StepGateKind.ANALYSIS ? 'analysis' : 'manual approval'} step`,
      'Use StepGate.bake() with alarms that roll back, or run the check in a lifecycle hook (lifecycleHooks); '
      + 'for approvals or analysis between steps use a Kubernetes Argo Rollouts provider.');
  }
  const seconds = gate.minimumDuration.toSeconds();
  if (seconds % 60 !== 0) {
    fail(prop, shown, `${CONTROLLER} count bake times in whole minutes, and ${gate.describe()} is not`, 'Round the bake time to whole minutes.');
  }
  if (seconds / 60 > MAX_BAKE_MINUTES) {
    fail(prop, shown, `${CONTROLLER} bake at most ${MAX_BAKE_MINUTES} minutes (24 hours) ${when}, and ${gate.describe()} is longer`,
      'Use a bake time of at most Duration.hours(24).');
  }
  return seconds / 60;
}
