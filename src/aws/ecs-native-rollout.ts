import { Annotations, CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TargetGroupAlarms } from './target-group-alarms';
import { HealthCheck } from '../core/health-check';
import { CapacityMode } from '../core/plan-options';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { requireAlarm, requireAlarms } from './private/alarms';
import { ecsNativeDeployment, EcsPauseHook } from './private/ecs-native-deployment';
import { lifecycleHooks, trafficContainer } from './private/ecs-service';
import { alarmRollbackTriggers, CIRCUIT_BREAKER, testRuleRoute } from './private/guardrail-facts';
import { HealthCheckAlarms, loadBalancedDefaultChecks, rolloutChecks, targetGroupMetrics } from './private/health-check-alarms';
import { registerListenerRules } from './private/listener-rules';
import { recordPlan } from './private/plan-metadata';
import { fail, struct } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** The backend's name in errors, in the recorded plan and for the guardrails. */
const BACKEND = 'native ECS deployment';

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
   * a blue-green strategy, a one-step canary or a linear strategy of at least 3% per step, with
   * bake times in whole minutes up to 24 hours. A test route becomes the test listener rule; the
   * test phase (blue-green's promotion, a canary's or linear strategy's `testGate`) may be held
   * only by `StepGate.manualApproval({ timeout })`, a PAUSE lifecycle hook at
   * `POST_TEST_TRAFFIC_SHIFT` that rolls back when the timeout passes: continue it with
   * `aws ecs continue-service-deployment --service-deployment-arn <arn> --hook-id <id> --action CONTINUE`
   * (or `--action ROLLBACK`).
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
   * The health checks that roll a deployment back, replacing the strategy's (`[]` for none). Error
   * rates and latencies are measured on both target groups, one alarm per check and target group
   * (`blueAlarms`, `greenAlarms`); checks of your own (`aws.CloudWatchHealthCheck`) once. Their
   * windows are whole minutes (load balancers publish their metrics once a minute). Add more later
   * with `addHealthCheck()`.
   *
   * @default - the strategy's health checks; when it declares none, `error-rate` (5xx above 1%) and
   * `latency-p99` (above 2 s), each failing after 2 one-minute windows of at least 10 requests
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * More alarms that stop and roll back a deployment, besides the health checks' alarms. Add more
   * later with `addAlarm()`.
   *
   * @default - only the health checks' alarms
   */
  readonly alarms?: cloudwatch.IAlarm[];

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
 * measures the health checks (the strategy's, or error rate and p99 latency by default) on both
 * target groups with CloudWatch alarms, which ECS watches as deployment alarms. A test phase held
 * by a manual approval (blue-green's promotion, a canary's or linear strategy's test gate) becomes a
 * PAUSE lifecycle hook after the test traffic shift, beside the Lambda hooks, with the gate's
 * timeout and a timeout action that rolls back.
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
 * rollout.addHealthCheck(HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.seconds(3) }));
 * rollout.addAlarm(latencyAlarm);
 */
export class EcsNativeRollout extends Construct {
  /** The ECS service released. */
  public readonly service: ecs.BaseService;
  /** The target group the service starts on. */
  public readonly blueTargetGroup: elbv2.IApplicationTargetGroup;
  /** The target group the next revision starts on. */
  public readonly greenTargetGroup: elbv2.IApplicationTargetGroup;
  /** The health checks' alarms on the blue target group. */
  public readonly blueAlarms: TargetGroupAlarms;
  /** The health checks' alarms on the green target group. */
  public readonly greenAlarms: TargetGroupAlarms;
  /** The container that receives traffic. */
  public readonly containerName: string;
  /** The container port that receives traffic. */
  public readonly containerPort: number;
  /**
   * The lifecycle stage where a deployment waits for a person (`POST_TEST_TRAFFIC_SHIFT`), when the
   * strategy's test phase is a manual approval: blue-green's promotion, or the test gate of a
   * canary or linear strategy.
   *
   * @default - undefined: no deployment waits for a person
   */
  public readonly approvalStage?: string;

  private readonly deploymentAlarms: cloudwatch.IAlarm[] = [];
  private readonly healthChecksRendered: HealthCheckAlarms;
  private readonly strategy: Strategy;
  private readonly capacity: CapacityMode;
  private currentPlan: TrafficPlan;

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

    // The listener check names the rules by their role in the rollout.
    registerListenerRules(this, {
      where,
      source: 'rules',
      base: 0,
      offsets: [0],
      setBase: () => '',
      rules: [
        { rule: productionRule, role: 'the production rule', consequence: 'the service would receive no request', prop: 'productionRule', propValue: productionRule.node.path },
        ...(testRule ? [{ rule: testRule, role: 'the test rule', consequence: 'the test route would never reach the green side', prop: 'testRule', propValue: testRule.node.path }] : []),
      ],
    });

    // ECS runs the new revision at full size beside the old one; a rolling update replaces it in place.
    const rolling = props.strategy.kind === StrategyKind.ALL_AT_ONCE;
    this.strategy = props.strategy;
    this.capacity = rolling ? CapacityMode.IN_PLACE : CapacityMode.FULL_COPY;
    const checks = rolloutChecks(`${where}: healthChecks`, props.healthChecks, props.strategy.healthChecks, loadBalancedDefaultChecks());
    this.currentPlan = props.strategy.plan({ capacity: this.capacity, healthChecks: checks });
    const deployment = ecsNativeDeployment(this.currentPlan, `${where}: strategy`);

    const { containerName, containerPort } = trafficContainer(where, taskDefinition, props.containerName, props.containerPort);
    this.containerName = containerName;
    this.containerPort = containerPort;
    const hooks = props.lifecycleHooks === undefined ? [] : lifecycleHooks(`${where}: lifecycleHooks`, props.lifecycleHooks);
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
    if (!rolling) dropRedundantRuleDependencies(this, cfnService, [productionRule, testRule]);

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
    // Without an alarm (healthChecks: [] and none added), no alarm configuration: the circuit breaker alone.
    set('Alarms', Lazy.any({
      produce: () => (this.deploymentAlarms.length === 0 ? undefined : {
        AlarmNames: this.deploymentAlarms.map(a => a.alarmName),
        Enable: true,
        Rollback: true,
      }),
    }));
    for (const hook of hooks) service.addLifecycleHook(hook);
    if (deployment.approval) addPauseHook(cfnService, deployment.approval);
    this.approvalStage = deployment.approval?.stage;

    this.blueAlarms = new TargetGroupAlarms(this, 'BlueAlarms', { targetGroup: blue, healthChecks: [] });
    this.greenAlarms = new TargetGroupAlarms(this, 'GreenAlarms', { targetGroup: green, healthChecks: [] });
    const fix = 'Forward the production rule to both target groups (ListenerAction.weightedForward), so that both are attached to the load balancer.';
    this.healthChecksRendered = new HealthCheckAlarms({
      backend: BACKEND,
      where,
      sources: [
        { scope: this.blueAlarms, metrics: () => targetGroupMetrics(blue, `${where}: blueTargetGroup`, fix) },
        { scope: this.greenAlarms, metrics: () => targetGroupMetrics(green, `${where}: greenTargetGroup`, fix) },
      ],
      scope: this,
      purpose: 'rolls the deployment back',
    }, checks);
    for (const alarm of [...this.healthChecksRendered.alarms, ...extraAlarms]) this.addAlarm(alarm);

    recordPlan(this, () => this.plan, BACKEND);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: BACKEND,
      get plan() {
        return self.plan;
      },
      rollbackTriggers: () => [CIRCUIT_BREAKER,
        ...alarmRollbackTriggers(this.healthChecksRendered.names, this.healthChecksRendered.alarms, this.deploymentAlarms)],
      testRoute: () => testRuleRoute(props.strategy, testRule),
      healthChecks: () => this.healthChecksRendered.names,
    });
  }

  /** The traffic plan the service follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The alarms of every health check, on both target groups, in the order the checks were added. */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.healthChecksRendered.alarms;
  }

  /**
   * Adds a health check that rolls a deployment back: an error rate or a latency is measured on both
   * target groups, a check of your own (`aws.CloudWatchHealthCheck`) once. The plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const alarms = this.healthChecksRendered.add(check, `EcsNativeRollout ${this.node.path}: healthCheck`);
    alarms.forEach(alarm => this.addAlarm(alarm));
    this.currentPlan = this.strategy.plan({ capacity: this.capacity, healthChecks: this.healthChecksRendered.checks });
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

/**
 * Adds a PAUSE lifecycle hook beside the service's Lambda hooks, with the timeout action that rolls
 * back. aws-cdk-lib's `addLifecycleHook` renders Lambda hooks only (a target ARN and a role), so
 * the service's hook list becomes aws-cdk-lib's own, then the pause; both are read at synth, so
 * hooks added later still count.
 */
function addPauseHook(cfnService: ecs.CfnService, pause: EcsPauseHook): void {
  const config = cfnService.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty;
  const own = config.lifecycleHooks;
  const hook: ecs.CfnService.DeploymentLifecycleHookProperty = {
    targetType: 'PAUSE',
    lifecycleStages: [pause.stage],
    timeoutConfiguration: { timeoutInMinutes: pause.timeoutMinutes, action: 'ROLLBACK' },
  };
  cfnService.deploymentConfiguration = {
    ...config,
    lifecycleHooks: Lazy.any({
      produce: () => {
        const lambdas = own === undefined ? undefined : Stack.of(cfnService).resolve(own);
        return [...(Array.isArray(lambdas) ? lambdas : []), hook];
      },
    }),
  };
}

/**
 * aws-cdk-lib makes a load-balanced service depend on every listener rule of its target group, so
 * that the target group is attached before the service starts. With an alternate target the
 * service also references its production and test rules (`AdvancedConfiguration`), which orders it
 * after them already: CloudFormation validation flags the `DependsOn` as redundant (W3005). Those
 * two are removed; a dependency on any other rule stays. aws-cdk-lib turns construct dependencies
 * into `DependsOn` when synthesis starts, before validations run, so the removal runs as one.
 */
function dropRedundantRuleDependencies(scope: Construct, service: ecs.CfnService, rules: Array<elbv2.ApplicationListenerRule | undefined>): void {
  scope.node.addValidation({
    validate: () => {
      for (const rule of rules) {
        const cfnRule = rule?.node.defaultChild;
        if (cfnRule instanceof CfnResource && Stack.of(cfnRule) === Stack.of(service)
          && service.obtainDependencies().includes(cfnRule)) {
          service.removeResourceDependency(cfnRule);
        }
      }
      return [];
    },
  });
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


