import { Annotations, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TargetGroupAlarmOptions, TargetGroupAlarms } from './target-group-alarms';
import { CapacityMode } from '../core/plan-options';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { requireAlarm, requireAlarms } from './private/alarms';
import { ecsNativeDeployment } from './private/ecs-native-deployment';
import { lifecycleHooks, trafficContainer } from './private/ecs-service';
import { alarmTriggers, CIRCUIT_BREAKER, testRuleRoute } from './private/guardrail-facts';
import { recordPlan } from './private/plan-metadata';
import { fail, struct } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** Props for an `EcsNativeRollout`. */
export interface EcsNativeRolloutProps {
  /**
   * The ECS service to release, defined in this app (`FargateService` or `Ec2Service`). It must
   * use the ECS deployment controller: no `deploymentController`, or one of type `ECS`.
   *
   * The construct sets the service's `DeploymentConfiguration` strategy, bake times, circuit
   * breaker and alarms, replacing any set on the service itself; `MinimumHealthyPercent` and
   * `MaximumPercent` stay as the service sets them (`EcsRolloutService` uses 100 and 200).
   * Do not attach the service to another target group.
   */
  readonly service: ecs.BaseService;

  /**
   * How a new task definition revision is released: `Strategy.ALL_AT_ONCE` (a rolling update),
   * a blue-green strategy without a promotion gate, a one-step canary or a linear strategy of
   * at least 3% per step, with bake times in whole minutes up to 24 hours.
   */
  readonly strategy: Strategy;

  /** The target group the service starts on. ECS swaps the roles of blue and green at every deployment. */
  readonly blueTargetGroup: elbv2.IApplicationTargetGroup;

  /** The target group the next revision starts on. Not used by a rolling update (`Strategy.ALL_AT_ONCE`). */
  readonly greenTargetGroup: elbv2.IApplicationTargetGroup;

  /**
   * The production listener rule. You build it: it must forward to both target groups, blue
   * weighted 100 and green 0, with `ListenerAction.weightedForward()`. ECS moves traffic by
   * rewriting these weights.
   */
  readonly productionRule: elbv2.ApplicationListenerRule;

  /**
   * The test listener rule, required when the strategy has a test route and refused otherwise.
   * You build it: on the production listener, evaluated before the production rule (a lower
   * priority), with the production conditions plus the test route (for example an `httpHeader`
   * condition) and the sources allowed to test (`ListenerCondition.sourceIps`), forwarding to
   * both target groups, blue weighted 0 and green 100.
   *
   * @default - no test rule; the strategy must have no test route
   */
  readonly testRule?: elbv2.ApplicationListenerRule;

  /**
   * The container that receives traffic.
   *
   * @default - the task definition's default container
   */
  readonly containerName?: string;

  /**
   * The container port that receives traffic; the container must map it.
   *
   * @default - the container's first port mapping
   */
  readonly containerPort?: number;

  /**
   * More alarms that stop and roll back a deployment, besides the 5xx and latency alarms
   * generated for each target group. Add more later with `addAlarm()`.
   *
   * @default - only the generated target group alarms
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Thresholds of the alarms generated for the blue and the green target group.
   *
   * @default - the `TargetGroupAlarms` defaults: 5 or more 5xx, or a p99 of 2 s or more, for 2 one-minute periods
   */
  readonly targetGroupAlarms?: TargetGroupAlarmOptions;

  /**
   * Functions ECS runs at stages of a deployment, such as a smoke test of the green side at
   * `TEST_TRAFFIC_SHIFT`. Add more later with `addLifecycleHook()`.
   *
   * @default - no lifecycle hooks
   */
  readonly lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];

  /**
   * The infrastructure role ECS assumes to move traffic between the target groups.
   *
   * @default - a new role with the AWS managed policy `AmazonECSInfrastructureRolePolicyForLoadBalancers`
   */
  readonly infrastructureRole?: iam.IRole;
}

/**
 * Releases an ECS service you already have by a `Strategy`, with native ECS deployments
 * (`DeploymentConfiguration.Strategy` BLUE_GREEN, CANARY or LINEAR; ROLLING for
 * `Strategy.ALL_AT_ONCE`): the same deployment `EcsRolloutService` renders, on your service,
 * target groups and listener rules.
 *
 * It registers the service in the blue target group with the green one as its alternate target,
 * behind the production rule (and the test rule, when the strategy has a test route), sets the
 * deployment strategy, the circuit breaker and the alarms that roll back on the service, and
 * generates 5xx and p99 latency alarms for both target groups.
 *
 * You build the listener rules: the production rule forwards to blue (weight 100) and green
 * (weight 0); the test rule, needed only for a test route, is evaluated first and forwards to
 * green (weight 100). After a deployment ECS has swapped the weights, so do not change the rules'
 * conditions or priorities once deployed: CloudFormation would rewrite them from the template
 * (aws-cdk issue #36649).
 *
 * A service with the CODE_DEPLOY or EXTERNAL deployment controller is refused: use
 * `EcsCodeDeployRollout` for CodeDeploy.
 *
 * @example
 * declare const service: ecs.FargateService;
 * declare const listener: elbv2.ApplicationListener;
 * declare const blue: elbv2.ApplicationTargetGroup;
 * declare const green: elbv2.ApplicationTargetGroup;
 * declare const latencyAlarm: cloudwatch.Alarm;
 * const productionRule = new elbv2.ApplicationListenerRule(this, 'Production', {
 *   listener,
 *   priority: 10,
 *   conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
 *   action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
 * });
 * const testRule = new elbv2.ApplicationListenerRule(this, 'Test', {
 *   listener,
 *   priority: 9,
 *   conditions: [
 *     elbv2.ListenerCondition.pathPatterns(['/*']),
 *     elbv2.ListenerCondition.httpHeader('x-env', ['green']),
 *     elbv2.ListenerCondition.sourceIps(['10.0.0.0/8']),
 *   ],
 *   action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 0 }, { targetGroup: green, weight: 100 }]),
 * });
 * const rollout = new aws.EcsNativeRollout(this, 'Rollout', {
 *   service,
 *   strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) }),
 *   blueTargetGroup: blue,
 *   greenTargetGroup: green,
 *   productionRule,
 *   testRule,
 * });
 * rollout.addAlarm(latencyAlarm);
 */
export class EcsNativeRollout extends Construct {
  /** The ECS service released. */
  public readonly service: ecs.BaseService;
  /** The target group the service starts on. */
  public readonly blueTargetGroup: elbv2.IApplicationTargetGroup;
  /** The target group the next revision starts on. */
  public readonly greenTargetGroup: elbv2.IApplicationTargetGroup;
  /** The rollback alarms of the blue target group. */
  public readonly blueAlarms: TargetGroupAlarms;
  /** The rollback alarms of the green target group. */
  public readonly greenAlarms: TargetGroupAlarms;
  /** The traffic plan the service follows. */
  public readonly plan: TrafficPlan;
  /** The container that receives traffic. */
  public readonly containerName: string;
  /** The container port that receives traffic. */
  public readonly containerPort: number;

  private readonly deploymentAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: EcsNativeRolloutProps) {
    super(scope, id);
    const where = `EcsNativeRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { service, strategy, blueTargetGroup, greenTargetGroup, productionRule }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.BLUE_GREEN.');
    }
    if (!(props.service instanceof ecs.BaseService)) {
      fail(`${where}: service`, props.service, 'it must be an ecs.BaseService, whose deployment configuration the construct sets',
        'Pass the FargateService or Ec2Service defined in this app.');
    }
    const service = props.service;
    const cfnService = service.node.defaultChild as ecs.CfnService;
    if (!service.isUsingECSDeploymentController()) {
      const controller = service.stack.resolve(cfnService.deploymentController)?.type;
      fail(`${where}: service.deploymentController`, controller, 'native ECS deployments need the ECS deployment controller',
        'Leave deploymentController out (or use DeploymentControllerType.ECS); for the CODE_DEPLOY controller use EcsCodeDeployRollout.');
    }
    const taskDefinition = service.taskDefinition;
    if (taskDefinition.networkMode === ecs.NetworkMode.NONE) {
      fail(`${where}: service.taskDefinition.networkMode`, 'none', 'a load-balanced service needs a network to receive traffic on',
        'Use the awsvpc network mode (the Fargate default), bridge or host.');
    }
    const blue = targetGroup(`${where}: blueTargetGroup`, props.blueTargetGroup);
    const green = targetGroup(`${where}: greenTargetGroup`, props.greenTargetGroup);
    if (blue === green) {
      fail(`${where}: greenTargetGroup`, green.node.path, 'it is the blue target group; ECS needs a second one to start the new revision on',
        'Pass two different target groups.');
    }
    this.blueTargetGroup = blue;
    this.greenTargetGroup = green;
    const productionRule = listenerRule(`${where}: productionRule`, props.productionRule);
    const testRule = props.testRule === undefined ? undefined : listenerRule(`${where}: testRule`, props.testRule);
    if (props.strategy.testRoute && testRule === undefined) {
      fail(`${where}: testRule`, undefined, `the strategy has a test route (${props.strategy.testRoute.describe()}), and ECS sends test traffic through a test listener rule`,
        'Build a listener rule with the test route as a condition, forwarding to green (weight 100), and pass it as testRule.');
    }
    if (!props.strategy.testRoute && testRule !== undefined) {
      fail(`${where}: testRule`, testRule.node.path, `the strategy (${props.strategy.describe()}) has no test route, so nothing declares which requests the test rule sends to green`,
        'Add the test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRule out.');
    }

    // ECS runs the new revision at full size beside the old one; a rolling update replaces it in place.
    const rolling = props.strategy.kind === StrategyKind.ALL_AT_ONCE;
    this.plan = props.strategy.plan({ capacity: rolling ? CapacityMode.IN_PLACE : CapacityMode.FULL_COPY });
    const deployment = ecsNativeDeployment(this.plan, `${where}: strategy`);

    const { containerName, containerPort } = trafficContainer(where, taskDefinition, props.containerName, props.containerPort);
    this.containerName = containerName;
    this.containerPort = containerPort;
    const hooks = props.lifecycleHooks === undefined ? [] : lifecycleHooks(`${where}: lifecycleHooks`, props.lifecycleHooks);
    const alarmOptions = struct<TargetGroupAlarmOptions>(`${where}: targetGroupAlarms`, props.targetGroupAlarms ?? {},
      'Pass { http5xxCount, p99Latency, period, evaluationPeriods }.');
    const extraAlarms = requireAlarms(`${where}: alarms`, props.alarms);

    this.service = service;
    service.loadBalancerTarget({
      containerName,
      containerPort,
      // A rolling update has no second target group to move traffic to.
      alternateTarget: rolling ? undefined : new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: green,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
        testListener: testRule && ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
        role: props.infrastructureRole,
      }),
    }).attachToApplicationTargetGroup(blue);

    // The same DeploymentConfiguration as EcsRolloutService renders through BaseServiceOptions.
    const set = (path: string, value: unknown) => value === undefined
      ? cfnService.addPropertyDeletionOverride(`DeploymentConfiguration.${path}`)
      : cfnService.addPropertyOverride(`DeploymentConfiguration.${path}`, value);
    const steps = deployment.stepPercent === undefined ? undefined : { percent: deployment.stepPercent, minutes: deployment.stepBakeMinutes! };
    // Explicit, as aws-cdk-lib renders it whenever a deployment strategy is set.
    cfnService.addPropertyOverride('DeploymentController', { Type: ecs.DeploymentControllerType.ECS });
    set('Strategy', deployment.strategy);
    set('BakeTimeInMinutes', deployment.bakeMinutes);
    set('CanaryConfiguration', deployment.strategy === 'CANARY' ? { CanaryPercent: steps!.percent, CanaryBakeTimeInMinutes: steps!.minutes } : undefined);
    set('LinearConfiguration', deployment.strategy === 'LINEAR' ? { StepPercent: steps!.percent, StepBakeTimeInMinutes: steps!.minutes } : undefined);
    set('DeploymentCircuitBreaker', { Enable: true, Rollback: true });
    // aws-cdk-lib warns when the service was created without a circuit breaker; this sets one.
    Annotations.of(service).acknowledgeWarning('@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
      `${this.node.path} enables the deployment circuit breaker with rollback`);
    set('Alarms', {
      AlarmNames: Lazy.list({ produce: () => this.deploymentAlarms.map(a => a.alarmName) }),
      Enable: true,
      Rollback: true,
    });
    for (const hook of hooks) service.addLifecycleHook(hook);

    this.blueAlarms = new TargetGroupAlarms(this, 'BlueAlarms', { ...alarmOptions, targetGroup: blue });
    this.greenAlarms = new TargetGroupAlarms(this, 'GreenAlarms', { ...alarmOptions, targetGroup: green });
    for (const alarm of [...this.blueAlarms.alarms, ...this.greenAlarms.alarms, ...extraAlarms]) this.addAlarm(alarm);

    recordPlan(this, this.plan, 'native ECS deployment');
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: 'native ECS deployment',
      plan: this.plan,
      rollbackTriggers: () => [CIRCUIT_BREAKER, ...alarmTriggers(this.deploymentAlarms.length)],
      testRoute: () => testRuleRoute(props.strategy, testRule),
    });
  }

  /** Adds an alarm that stops and rolls back a deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    requireAlarm(`EcsNativeRollout ${this.node.path}: alarm`, alarm);
    if (!this.deploymentAlarms.includes(alarm)) this.deploymentAlarms.push(alarm);
  }

  /** Adds a function ECS runs at stages of a deployment. */
  public addLifecycleHook(target: ecs.IDeploymentLifecycleHookTarget): void {
    this.service.addLifecycleHook(lifecycleHooks(`EcsNativeRollout ${this.node.path}: lifecycleHook`, [target])[0]);
  }
}

function targetGroup(prop: string, value: unknown): elbv2.IApplicationTargetGroup {
  if (typeof (value as elbv2.IApplicationTargetGroup)?.targetGroupArn !== 'string'
    || typeof (value as elbv2.IApplicationTargetGroup)?.registerConnectable !== 'function') {
    fail(prop, value, 'it must be an application target group', 'Pass an elbv2.ApplicationTargetGroup.');
  }
  return value as elbv2.IApplicationTargetGroup;
}

function listenerRule(prop: string, value: unknown): elbv2.ApplicationListenerRule {
  if (!(value instanceof elbv2.ApplicationListenerRule)) {
    fail(prop, value, 'it must be an elbv2.ApplicationListenerRule, whose weights ECS rewrites',
      'Pass a rule defined in this app that forwards to both target groups with ListenerAction.weightedForward().');
  }
  return value;
}


