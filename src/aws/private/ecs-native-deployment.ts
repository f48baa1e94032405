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
/**
 * The lifecycle stage a manual approval pauses at: after the test traffic shift, before any
 * production traffic moves. ECS's own example of a pause hook uses it for a blue-green deployment
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html), and
 * canary and linear deployments go through the same test phase when the service has a test
 * listener rule (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html,
 * "How canary deployments work": a testing phase with test traffic routing, through the test
 * listener rule of https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html,
 * "Application Load Balancer resources for blue/green, linear, and canary deployments"). The
 * timeout action defaults to ROLLBACK and the timeout to 1,440 minutes (at most 20,160):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookTimeoutConfiguration.html.
 * No later stage can hold one step of a canary or linear deployment: a hook at
 * PRODUCTION_TRAFFIC_SHIFT runs at every production traffic shift step
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-linear.html).
 */
export const APPROVAL_STAGE = 'POST_TEST_TRAFFIC_SHIFT';

/** A PAUSE lifecycle hook: the deployment waits for `ContinueServiceDeployment`, or rolls back when it times out. */
export interface EcsPauseHook {
  /** The lifecycle stage it pauses at. */
  readonly stage: string;
  /**
   * `TimeoutConfiguration.TimeoutInMinutes` (ECS takes 1 to 20,160; CloudFormation's wait keeps it
   * far lower, see `CLOUDFORMATION_LIMIT_HOURS`). The timeout action is always `ROLLBACK`.
   */
  readonly timeoutMinutes: number;
}

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
  /** The manual approval of the test phase (blue-green's promotion, a canary's or linear strategy's test gate). */
  readonly approval?: EcsPauseHook;
}

/**
 * Reads a plan as a native ECS deployment, or fails naming what ECS cannot express: a test phase
 * held only by a manual approval with a timeout (a PAUSE hook), one canary step, linear steps of
 * at least 3%, no gate but time between shifts, bake times in whole minutes up to a day, and a
 * whole rollout CloudFormation can wait for.
 *
 * @param prop what to name in errors, such as `EcsRolloutService Stack/Web: strategy`
 */
export function ecsNativeDeployment(plan: TrafficPlan, prop: string): EcsNativeDeployment {
  const strategy = plan.strategy;
  const shown = strategy.describe();
  const last = plan.steps[plan.steps.length - 1];
  // The test phase: blue-green's first step, or the 0% step a canary or linear test route adds.
  const testPhase = strategy.kind !== StrategyKind.ALL_AT_ONCE && plan.steps[0].candidateWeight === 0 ? plan.steps[0] : undefined;
  const approval = testPhase?.gate === undefined ? undefined
    : testPhaseApproval(prop, shown, testPhase.gate, strategy.kind === StrategyKind.BLUE_GREEN ? 'the switch' : 'the first shift');
  const shifts = plan.steps.filter(s => s.candidateWeight > 0 && s.candidateWeight < 100);
  let deployment: EcsNativeDeployment;
  switch (strategy.kind) {
    case StrategyKind.ALL_AT_ONCE:
      return { strategy: 'ROLLING' };
    case StrategyKind.BLUE_GREEN:
      deployment = { strategy: 'BLUE_GREEN', bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the switch'), approval };
      break;
    case StrategyKind.CANARY: {
      if (shifts.length !== 1) {
        fail(prop, shown, `${CONTROLLER} shift a canary in one step, then to 100%; this canary has ${shifts.length} steps before 100%`,
          'Use one step, such as Strategy.CANARY_10PERCENT_15MINUTES, or Strategy.linear() for equal steps.');
      }
      deployment = {
        strategy: 'CANARY',
        stepPercent: shifts[0].candidateWeight,
        stepBakeMinutes: bakeMinutes(prop, shown, shifts[0].gate, 'between shifts'),
        bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the last shift'),
        approval,
      };
      break;
    }
    case StrategyKind.LINEAR: {
      const first = shifts[0] ?? last;
      if (first.candidateWeight < MIN_LINEAR_PERCENT) {
        fail(prop, shown, `${CONTROLLER} move at least ${MIN_LINEAR_PERCENT}% of traffic per linear step, and ${first.candidateWeight}% is less`,
          `Use a stepPercent of ${MIN_LINEAR_PERCENT} or more, or a one-step canary for a smaller first share.`);
      }
      deployment = {
        strategy: 'LINEAR',
        stepPercent: first.candidateWeight,
        stepBakeMinutes: bakeMinutes(prop, shown, first.gate, 'between shifts'),
        bakeMinutes: bakeMinutes(prop, shown, last.gate, 'after the last shift'),
        approval,
      };
      break;
    }
  }
  const total = plan.totalDuration.toSeconds();
  const waits = total + (approval === undefined ? 0 : approval.timeoutMinutes * 60);
  if (waits > CLOUDFORMATION_LIMIT_HOURS * 3600) {
    fail(prop, shown, approval === undefined
      ? `the rollout takes ${formatSeconds(total)}, and CloudFormation rejects an ECS deployment whose bake times add up to more than ${CLOUDFORMATION_LIMIT_HOURS} hours`
      : `the rollout can take ${formatSeconds(waits)} (${formatSeconds(total)} of bake times, then the approval's timeout of ${formatSeconds(approval.timeoutMinutes * 60)}), `
        + `and CloudFormation waits for an ECS deployment at most 36 hours, so the library keeps one under ${CLOUDFORMATION_LIMIT_HOURS}`,
    approval === undefined
      ? 'Use a shorter plan (fewer or shorter steps), or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.'
      : 'Shorten the approval\'s timeout or the bake times, or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.');
  }
  return deployment;
}

/**
 * The PAUSE hook of a test phase held by a manual approval. ECS pauses only for a person (or a
 * Lambda hook): a bake or an analysis cannot hold the test phase.
 */
function testPhaseApproval(prop: string, shown: string, gate: StepGate, before: string): EcsPauseHook {
  if (gate.kind !== StepGateKind.MANUAL_APPROVAL) {
    fail(prop, shown, `${CONTROLLER} hold ${before} only for a manual approval (a PAUSE lifecycle hook at ${APPROVAL_STAGE}), not for ${
      gate.kind === StepGateKind.BAKE ? 'a time' : 'an analysis'} (${gate.describe()})`,
    'Use StepGate.manualApproval({ timeout }); or run the check in a Lambda lifecycle hook at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT (lifecycleHooks); '
      + 'or bake after traffic moves, while alarms can roll back.');
  }
  const seconds = gate.timeout?.toSeconds();
  if (seconds === undefined) {
    fail(prop, shown, `${CONTROLLER} end every PAUSE hook with a timeout (24 hours unless set) and CloudFormation waits for the deployment meanwhile, so ${gate.describe()} needs one`,
      'Set a timeout, such as StepGate.manualApproval({ timeout: Duration.hours(4) }); when it passes, ECS rolls the deployment back.');
  }
  if (seconds % 60 !== 0) {
    fail(prop, shown, `${CONTROLLER} count a PAUSE hook's timeout in whole minutes, and ${gate.describe()} is not`, 'Round the timeout to whole minutes.');
  }
  return { stage: APPROVAL_STAGE, timeoutMinutes: seconds / 60 };
}

/** Minutes a bake gate holds, or 0 without a gate. */
function bakeMinutes(prop: string, shown: string, gate: StepGate | undefined, when: string): number {
  if (gate === undefined) return 0;
  if (gate.kind === StepGateKind.MANUAL_APPROVAL) {
    fail(prop, shown, `${CONTROLLER} pause for a manual approval only before production traffic moves (a PAUSE lifecycle hook at ${APPROVAL_STAGE}); `
      + `a hook at PRODUCTION_TRAFFIC_SHIFT runs at every shift of a canary or linear deployment, so none can hold the rollout ${when} (${gate.describe()})`,
    'Hold the test phase for the approval instead (a testRoute with testGate: StepGate.manualApproval({ timeout })), bake this step with StepGate.bake() '
      + 'and alarms that roll back, or use a Kubernetes Argo Rollouts provider for approvals between steps.');
  }
  if (gate.kind === StepGateKind.ANALYSIS) {
    fail(prop, shown, `${CONTROLLER} wait ${when} only for a time; they have no analysis step (${gate.describe()})`,
      'Use StepGate.bake() with alarms that roll back, or run the check in a lifecycle hook (lifecycleHooks); '
      + 'for analysis between steps use a Kubernetes Argo Rollouts provider.');
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
