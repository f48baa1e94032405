import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HealthCheck } from '../core/health-check';
import { CapacityMode } from '../core/plan-options';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { requireAlarm, requireAlarms } from './private/alarms';
import { codeDeployShift, CodeDeployShift, customTrafficRouting, limitAlarms, optionalApplication, predefinedKey } from './private/codedeploy-shift';
import { alarmRollbackTriggers } from './private/guardrail-facts';
import { HealthCheckAlarms, lambdaDefaultChecks, lambdaMetrics, rolloutChecks } from './private/health-check-alarms';
import { recordPlan } from './private/plan-metadata';
import { fail, struct } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** The controller's name in errors, in the recorded plan and for the guardrails. */
const CONTROLLER = 'CodeDeploy for Lambda';

/** Lambda's alias names: 1-128 letters, digits, "-" or "_", not all digits (Lambda API reference, `CreateAlias`). */
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;

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
   * The health checks that roll a deployment back, replacing the strategy's (`[]` for none): error
   * rates (function errors over invocations) and latencies (`Duration` percentiles) of the alias,
   * measured with CloudWatch alarms in whole-minute windows, and checks of your own
   * (`aws.CloudWatchHealthCheck`). Add more later with `addHealthCheck()`.
   *
   * @default - the strategy's health checks; when it declares none, `error-rate` (function errors
   * above 1% of invocations, failing after 2 one-minute windows of at least 10 invocations)
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * More alarms that stop and roll back the deployment, besides the health checks' alarms. Add more
   * later with `addAlarm()`. CodeDeploy watches at most 50 per deployment group, the health checks'
   * included.
   *
   * @default - only the health checks' alarms
   */
  readonly alarms?: cloudwatch.IAlarm[];

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
 * matches it, a custom canary or linear one otherwise), with the health checks (the strategy's, or
 * an error rate by default) measured on the alias as the group's alarms.
 *
 * Every `cdk deploy` that changes the function publishes a new version; CloudFormation hands the
 * alias update to CodeDeploy, which shifts traffic by the strategy and rolls back on an alarm.
 * The alias' metrics count the invocations of both versions during a shift: a check judges the
 * alias as its callers see it.
 *
 * @example
 * declare const fn: lambda.Function;
 * const rollout = new aws.LambdaRollout(this, 'Rollout', {
 *   targetFunction: fn,
 *   strategy: Strategy.CANARY_10PERCENT_5MINUTES,
 * });
 * // Callers invoke the alias, not the function.
 * rollout.alias.grantInvoke(new iam.ServicePrincipal('apigateway.amazonaws.com'));
 * rollout.addHealthCheck(HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1) }));
 */
export class LambdaRollout extends Construct {
  /** The alias CodeDeploy shifts between versions. */
  public readonly alias: lambda.Alias;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The CodeDeploy deployment configuration derived from the strategy. */
  public readonly deploymentConfig: codedeploy.ILambdaDeploymentConfig;

  private readonly alarms = new Set<cloudwatch.IAlarm>();
  private readonly healthChecksRendered: HealthCheckAlarms;
  private readonly strategy: Strategy;
  private currentPlan: TrafficPlan;

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
    this.strategy = props.strategy;
    const checks = rolloutChecks(`${where}: healthChecks`, props.healthChecks, props.strategy.healthChecks, lambdaDefaultChecks());
    this.currentPlan = props.strategy.plan({ capacity: CapacityMode.SERVERLESS, healthChecks: checks });
    const shift = codeDeployShift(this.currentPlan, `${where}: strategy`, CONTROLLER,
      'Remove the testRoute; test the new version before it gets traffic in a preTrafficHook, or invoke it directly by its version ARN.');
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

    // Health checks are measured in a scope of their own, their names as construct ids.
    const scopeOfChecks = new Construct(this, 'HealthChecks');
    this.healthChecksRendered = new HealthCheckAlarms({
      backend: CONTROLLER,
      where,
      sources: [{ scope: scopeOfChecks, metrics: () => lambdaMetrics(this.alias, `alias ${this.alias.node.path}`) }],
      scope: scopeOfChecks,
      purpose: 'rolls the deployment back',
    }, checks);
    [...this.healthChecksRendered.alarms, ...requireAlarms(`${where}: alarms`, props.alarms)].forEach(alarm => this.addAlarm(alarm));

    limitAlarms(this, `${where}: alarms`, () => this.alarms.size);
    recordPlan(this, () => this.plan, CONTROLLER);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: CONTROLLER,
      get plan() {
        return self.plan;
      },
      rollbackTriggers: () => alarmRollbackTriggers(this.healthChecksRendered.names, this.healthChecksRendered.alarms, this.alarms),
      healthChecks: () => this.healthChecksRendered.names,
    });
  }

  /** The traffic plan this rollout follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The alarms of every health check, in the order the checks were added. */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.healthChecksRendered.alarms;
  }

  /**
   * Adds a health check that rolls the deployment back: an error rate or a latency is measured on
   * the alias, a check of your own (`aws.CloudWatchHealthCheck`) as it is. The plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const alarms = this.healthChecksRendered.add(check, `LambdaRollout ${this.node.path}: healthCheck`);
    alarms.forEach(alarm => this.addAlarm(alarm));
    this.currentPlan = this.strategy.plan({ capacity: CapacityMode.SERVERLESS, healthChecks: this.healthChecksRendered.checks });
  }

  /** Adds an alarm that stops and rolls back the deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    requireAlarm(`LambdaRollout ${this.node.path}: alarm`, alarm);
    if (this.alarms.has(alarm)) return;
    this.deploymentGroup.addAlarm(alarm);
    this.alarms.add(alarm);
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
