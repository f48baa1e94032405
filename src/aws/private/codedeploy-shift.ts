import { Duration, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type { IConstruct } from 'constructs';
import { StrategyValidationError } from '../../core/private/errors';
import { fail } from '../../core/private/validation';
import { StepGateKind } from '../../core/step-gate';
import type { TrafficPlan } from '../../core/strategy';
import { StrategyKind } from '../../core/strategy-kind';

/** How CodeDeploy shifts traffic: its three shapes, in the units it accepts. */
export interface CodeDeployShift {
  readonly kind: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
  /** Percent moved by the canary step, or by each linear step. */
  readonly percentage?: number;
  /** Minutes between shifts. */
  readonly intervalMinutes?: number;
}

/**
 * Reads a plan as a CodeDeploy traffic shift, or fails naming what CodeDeploy cannot express:
 * it has one canary step or equal linear steps, whole percents, whole minutes, no gate but
 * time (alarms stop it; there is no approval or analysis between shifts), and no test route
 * before a canary or linear shift (it routes by weight, never by request).
 *
 * @param prop what to name in errors, such as `LambdaRollout Stack/Fn/Rollout: strategy`
 * @param controller the controller's name for errors, such as `CodeDeploy for Lambda`
 * @param testRouteFix what works instead of a canary's or linear strategy's test route, for errors
 */
export function codeDeployShift(plan: TrafficPlan, prop: string, controller: string, testRouteFix: string): CodeDeployShift {
  const strategy = plan.strategy;
  const shown = strategy.describe();
  if (strategy.kind === StrategyKind.ALL_AT_ONCE || strategy.kind === StrategyKind.BLUE_GREEN) {
    return { kind: 'ALL_AT_ONCE' };
  }
  if (strategy.testRoute) {
    fail(prop, shown, `${controller} shifts traffic by weight only and cannot send the requests of a test route (${strategy.testRoute.describe()}) to the new version first`,
      testRouteFix);
  }
  const shifts = strategy.steps.filter(s => s.weight < 100);
  const last = strategy.steps[strategy.steps.length - 1];
  if (last.gate !== undefined) {
    fail(prop, shown, `${controller} completes a deployment as soon as all traffic has shifted, so it cannot hold the 100% step (${last.gate.describe()})`,
      'Remove the gate from the 100% step; alarms keep watching until the deployment ends.');
  }
  for (const step of shifts) {
    if (step.gate?.kind !== StepGateKind.BAKE) {
      fail(prop, shown, `${controller} waits between shifts only for a time; it has no ${step.gate?.kind === StepGateKind.ANALYSIS ? 'analysis' : 'manual approval'} step`,
        'Use StepGate.bake() and add alarms to stop a bad deployment; for approvals or analysis use a Kubernetes Argo Rollouts provider.');
    }
    if (step.gate.minimumDuration.toSeconds() % 60 !== 0) {
      fail(prop, shown, `${controller} counts the time between shifts in whole minutes, and ${step.gate.describe()} is not`,
        'Round the bake time to whole minutes.');
    }
    if (!Number.isInteger(step.weight)) {
      fail(prop, shown, `${controller} shifts whole percents of traffic, and ${step.weight}% is not`,
        'Round the weight to a whole percent.');
    }
  }
  if (strategy.kind === StrategyKind.LINEAR) {
    return {
      kind: 'LINEAR',
      percentage: strategy.linearStepPercent!,
      intervalMinutes: strategy.linearInterval!.toSeconds() / 60,
    };
  }
  if (shifts.length !== 1) {
    fail(prop, shown, `${controller} shifts a canary in one step, then to 100%; this canary has ${shifts.length} steps before 100%`,
      'Use one step, such as Strategy.CANARY_10PERCENT_5MINUTES, or Strategy.linear() for equal steps.');
  }
  return {
    kind: 'CANARY',
    percentage: shifts[0].weight,
    intervalMinutes: shifts[0].gate!.minimumDuration.toSeconds() / 60,
  };
}

/**
 * The key of a shift among CodeDeploy's predefined configurations: `ALL_AT_ONCE`, or
 * `CANARY 10 5` for 10% then the rest after 5 minutes, `LINEAR 10 1` for 10% every minute.
 */
export function predefinedKey(shift: CodeDeployShift): string {
  return shift.kind === 'ALL_AT_ONCE' ? shift.kind : `${shift.kind} ${shift.percentage} ${shift.intervalMinutes}`;
}

/** The traffic routing of a custom configuration for a canary or linear shift. */
export function customTrafficRouting(shift: CodeDeployShift): codedeploy.TrafficRouting {
  const routing = { interval: Duration.minutes(shift.intervalMinutes!), percentage: shift.percentage! };
  return shift.kind === 'CANARY' ? codedeploy.TrafficRouting.timeBasedCanary(routing) : codedeploy.TrafficRouting.timeBasedLinear(routing);
}

/** CodeDeploy's limit on alarms per deployment group. */
const MAX_ALARMS = 50;

function tooManyAlarms(prop: string, count: number, hint: string): StrategyValidationError | undefined {
  return count > MAX_ALARMS
    ? new StrategyValidationError(prop, `${count} alarms`, `CodeDeploy allows at most ${MAX_ALARMS} per deployment group, health checks' alarms included (${hint})`,
      'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.')
    : undefined;
}

/**
 * Fails now when the alarms known at construction are already more than CodeDeploy allows, and
 * at synthesis when alarms added later (`addAlarm()`, `addHealthCheck()`) pass the limit. The quotas
 * page says 50, adjustable ("Associated alarms per deployment group"); CloudFormation's reference
 * for `AlarmConfiguration.Alarms` and the API's `AlarmsLimitExceededException` still say 10.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html
 *
 * @param hint how the rollout's health checks become alarms, such as `each health check renders one alarm`
 */
export function limitAlarms(scope: IConstruct, prop: string, count: () => number, hint: string = 'each health check renders one alarm'): void {
  const now = tooManyAlarms(prop, count(), hint);
  if (now !== undefined) throw now;
  scope.node.addValidation({
    validate: () => {
      const error = tooManyAlarms(prop, count(), hint);
      return error === undefined ? [] : [error.message];
    },
  });
}

/** The compute platforms of CodeDeploy applications, by the aws-cdk-lib class that creates them. */
const PLATFORMS: Array<[string, (value: unknown) => boolean]> = [
  ['Lambda', value => value instanceof codedeploy.LambdaApplication],
  ['ECS', value => value instanceof codedeploy.EcsApplication],
  ['Server', value => value instanceof codedeploy.ServerApplication],
];

/**
 * Checks an `application` prop: a CodeDeploy application, defined in the app or imported, and,
 * when defined in the app, one for `platform` (a deployment group of another compute platform fails
 * at deploy time).
 */
export function optionalApplication<T>(prop: string, value: unknown, platform: 'Lambda' | 'ECS', example: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as { applicationName?: unknown })?.applicationName !== 'string'
    || typeof (value as { applicationArn?: unknown })?.applicationArn !== 'string') {
    fail(prop, value, 'it must be a CodeDeploy application', `Pass ${example}, or leave it out for a new application.`);
  }
  const other = PLATFORMS.find(([name, is]) => name !== platform && is(value));
  if (other !== undefined) {
    fail(prop, (value as IConstruct).node.path, `it is an application for the ${other[0]} compute platform, and this deployment group deploys to ${platform}`,
      `Pass ${example}, or leave it out for a new application.`);
  }
  return value as T;
}

/** Deployment group names as aws-cdk-lib checks them: at most 100 letters, digits or `._+=,@-`. */
const DEPLOYMENT_GROUP_NAME = /^[a-z0-9._+=,@-]{1,100}$/i;

/** Checks a `deploymentGroupName` prop, which aws-cdk-lib would only refuse at synth. */
export function optionalDeploymentGroupName(prop: string, value: unknown): string | undefined {
  if (value === undefined || Token.isUnresolved(value)) return value as string | undefined;
  if (typeof value !== 'string' || !DEPLOYMENT_GROUP_NAME.test(value)) {
    fail(prop, value, 'a CodeDeploy deployment group name is 1 to 100 letters, digits or . _ + = , @ -',
      'Use a name such as "web-production", or leave it out for a generated one.');
  }
  return value;
}
