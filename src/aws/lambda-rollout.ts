import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CapacityMode } from '../core/plan-options';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { requireAlarm, requireAlarms } from './private/alarms';
import { codeDeployShift, CodeDeployShift, customTrafficRouting, limitAlarms, optionalApplication, predefinedKey } from './private/codedeploy-shift';
import { alarmTriggers } from './private/guardrail-facts';
import { recordPlan } from './private/plan-metadata';
import { fail, struct, wholeSeconds } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** CloudWatch `PutMetricAlarm`: period times evaluation periods (1 here) is at most 7 days. */
const MAX_ALARM_PERIOD_SECONDS = 7 * 24 * 3600;

/** Lambda's alias names: 1-128 letters, digits, "-" or "_", not all digits (Lambda API reference, `CreateAlias`). */
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;

/** Options for the alarm the rollout generates on the alias' errors. */
export interface LambdaErrorAlarmOptions {
  /**
   * Errors (the `Errors` metric, summed over `period`) at or above which the deployment rolls back.
   *
   * @default 1
   */
  readonly threshold?: number;

  /**
   * The period the errors are summed over.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/** Props for a `LambdaRollout`. */
export interface LambdaRolloutProps {
  /** The function to roll out. Each `cdk deploy` that changes it publishes a version and starts a deployment. */
  readonly targetFunction: lambda.Function;

  /**
   * How traffic moves to a new version: `Strategy.ALL_AT_ONCE`, a one-step canary or a linear
   * strategy, in whole percents and whole minutes (CodeDeploy's limits). Blue-green is refused:
   * a Lambda alias has no second environment to test.
   */
  readonly strategy: Strategy;

  /**
   * The alias that callers invoke and CodeDeploy shifts.
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * A function CodeDeploy runs before any traffic shifts; it reports success or failure to CodeDeploy.
   *
   * @default - no pre-traffic hook
   */
  readonly preTrafficHook?: lambda.IFunction;

  /**
   * A function CodeDeploy runs after all traffic has shifted.
   *
   * @default - no post-traffic hook
   */
  readonly postTrafficHook?: lambda.IFunction;

  /**
   * More alarms that stop and roll back the deployment. Add more later with `addAlarm()`.
   *
   * @default - only the generated error alarm
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The alarm generated on the alias' errors. Set `generateErrorAlarm: false` to go without it.
   *
   * @default - 1 error or more in a minute rolls back
   */
  readonly errorAlarm?: LambdaErrorAlarmOptions;

  /**
   * Whether to generate the error alarm.
   *
   * @default true
   */
  readonly generateErrorAlarm?: boolean;

  /**
   * The CodeDeploy application to put the deployment group in.
   *
   * @default - a new application
   */
  readonly application?: codedeploy.ILambdaApplication;
}

/**
 * Rolls a Lambda function out by a `Strategy`: a version, an alias, and a CodeDeploy deployment
 * group whose configuration is derived from the strategy (a predefined one when the strategy
 * matches it, a custom canary or linear one otherwise), with an error alarm that rolls back.
 *
 * Every `cdk deploy` that changes the function publishes a new version; CloudFormation hands the
 * alias update to CodeDeploy, which shifts traffic by the strategy and rolls back on an alarm.
 *
 * @example
 * declare const fn: lambda.Function;
 * const rollout = new aws.LambdaRollout(this, 'Rollout', {
 *   targetFunction: fn,
 *   strategy: Strategy.CANARY_10PERCENT_5MINUTES,
 * });
 * // Callers invoke the alias, not the function.
 * rollout.alias.grantInvoke(new iam.ServicePrincipal('apigateway.amazonaws.com'));
 */
export class LambdaRollout extends Construct {
  /** The alias CodeDeploy shifts between versions. */
  public readonly alias: lambda.Alias;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The CodeDeploy deployment configuration derived from the strategy. */
  public readonly deploymentConfig: codedeploy.ILambdaDeploymentConfig;
  /** The generated alarm on the alias' errors, unless turned off. */
  public readonly errorAlarm?: cloudwatch.Alarm;
  /** The traffic plan this rollout follows. */
  public readonly plan: TrafficPlan;

  private alarmCount = 0;

  constructor(scope: Construct, id: string, props: LambdaRolloutProps) {
    super(scope, id);
    const where = `LambdaRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { targetFunction, strategy }.');
    if (typeof props.targetFunction !== 'object' || props.targetFunction === null || !('currentVersion' in props.targetFunction)) {
      fail(`${where}: targetFunction`, props.targetFunction, 'it must be a lambda.Function, whose current version the alias points at',
        'Pass the lambda.Function defined in this app; an imported function has no versions to publish.');
    }
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    if (props.strategy.kind === StrategyKind.BLUE_GREEN) {
      fail(`${where}: strategy`, props.strategy.describe(),
        'CodeDeploy for Lambda cannot express blue-green: an alias has no second environment to reach through a test route',
        'Use Strategy.ALL_AT_ONCE, a one-step canary such as Strategy.CANARY_10PERCENT_5MINUTES, or a linear strategy; test the new version in a pre-traffic hook.');
    }

    // Lambda versions scale with their own traffic: nothing to provision, nothing to bring back.
    this.plan = props.strategy.plan({ capacity: CapacityMode.SERVERLESS });
    const shift = codeDeployShift(this.plan, `${where}: strategy`, 'CodeDeploy for Lambda');
    this.deploymentConfig = this.deploymentConfigFor(shift);

    const aliasName = checkAliasName(`${where}: aliasName`, props.aliasName ?? 'live');
    const preHook = optionalFunction(`${where}: preTrafficHook`, props.preTrafficHook);
    const postHook = optionalFunction(`${where}: postTrafficHook`, props.postTrafficHook);
    const application = optionalApplication<codedeploy.ILambdaApplication>(`${where}: application`, props.application, 'Lambda',
      'a codedeploy.LambdaApplication, or one imported with LambdaApplication.fromLambdaApplicationName()');

    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName,
      version: props.targetFunction.currentVersion,
    });

    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: this.alias,
      application,
      deploymentConfig: this.deploymentConfig,
      preHook,
      postHook,
    });

    if (props.generateErrorAlarm ?? true) {
      const options = struct<LambdaErrorAlarmOptions>(`${where}: errorAlarm`, props.errorAlarm ?? {}, 'Pass { threshold, period }.');
      const threshold = options.threshold ?? 1;
      if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 1) {
        fail(`${where}: errorAlarm.threshold`, threshold, 'it is a count of errors, at least 1', 'Use 1 to roll back on the first error, or a higher count.');
      }
      const periodSeconds = wholeSeconds(`${where}: errorAlarm.period`, options.period ?? Duration.minutes(1), {
        minSeconds: 60,
        fix: 'Lambda publishes its metrics every minute; use whole minutes, at least Duration.minutes(1).',
      });
      if (periodSeconds % 60 !== 0) {
        fail(`${where}: errorAlarm.period`, options.period, 'Lambda publishes its metrics every minute, so the period is whole minutes', 'Use whole minutes, such as Duration.minutes(2).');
      }
      if (periodSeconds > MAX_ALARM_PERIOD_SECONDS) {
        fail(`${where}: errorAlarm.period`, options.period, 'CloudWatch evaluates an alarm over at most 7 days',
          'Use a period of at most Duration.days(7); a shorter one, such as Duration.minutes(5), rolls back sooner.');
      }
      this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: `Errors on ${this.node.path}: rolls the deployment back`,
        metric: this.alias.metricErrors({ period: Duration.seconds(periodSeconds), statistic: cloudwatch.Stats.SUM }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.addAlarm(this.errorAlarm);
    }
    for (const alarm of requireAlarms(`${where}: alarms`, props.alarms)) this.addAlarm(alarm);

    limitAlarms(this, `${where}: alarms`, () => this.alarmCount);
    recordPlan(this, this.plan, 'CodeDeploy for Lambda');
    registerGuardrailFacts(this, { platform: 'aws', backend: 'CodeDeploy for Lambda', plan: this.plan, rollbackTriggers: () => alarmTriggers(this.alarmCount) });
  }

  /** Adds an alarm that stops and rolls back the deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    this.deploymentGroup.addAlarm(requireAlarm(`LambdaRollout ${this.node.path}: alarm`, alarm));
    this.alarmCount++;
  }

  private deploymentConfigFor(shift: CodeDeployShift): codedeploy.ILambdaDeploymentConfig {
    const predefined: Record<string, codedeploy.ILambdaDeploymentConfig> = {
      'ALL_AT_ONCE': codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
      'CANARY 10 5': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      'CANARY 10 10': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
      'CANARY 10 15': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
      'CANARY 10 30': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
      'LINEAR 10 1': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
      'LINEAR 10 2': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
      'LINEAR 10 3': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
      'LINEAR 10 10': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
    };
    return predefined[predefinedKey(shift)]
      ?? new codedeploy.LambdaDeploymentConfig(this, 'DeploymentConfig', { trafficRouting: customTrafficRouting(shift) });
  }
}

function checkAliasName(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !ALIAS_NAME.test(value)) {
    fail(prop, value, 'a Lambda alias name is 1-128 letters, digits, "-" or "_", and not a number (numbers name versions)',
      'Use a name such as "live".');
  }
  return value;
}

/** Checks a hook prop: a Lambda function CodeDeploy can invoke. */
function optionalFunction(prop: string, value: unknown): lambda.IFunction | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as lambda.IFunction)?.functionArn !== 'string' || typeof (value as lambda.IFunction)?.grantInvoke !== 'function') {
    fail(prop, value, 'it must be a Lambda function, which CodeDeploy invokes and which reports the result to CodeDeploy',
      'Pass a lambda.Function, or one imported with Function.fromFunctionArn().');
  }
  return value as lambda.IFunction;
}
