import { isIPv4, isIPv6 } from 'net';
import { Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EcsCodeDeployRollout } from './ecs-code-deploy-rollout';
import { EcsController, EcsControllerKind } from './ecs-controller';
import { EcsNativeRollout } from './ecs-native-rollout';
import { TargetGroupAlarms } from './target-group-alarms';
import { HealthCheck } from '../core/health-check';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { albCondition, checkRuleConditions } from './private/alb-conditions';
import { dynamicHostPort, healthCheck, trafficContainer } from './private/ecs-service';
import { automaticPriority, hasAutomaticPriorities, productionAndTestRange, registerListenerRules, registerLoadBalancerCheck } from './private/listener-rules';
import { StrategyValidationError } from '../core/private/errors';
import { arrayOf, fail, struct } from '../core/private/validation';

const DEFAULT_PRIORITY = 10;
const MIN_PRIORITY = 1;
const MAX_PRIORITY = 50_000;

/** Props for an `EcsRolloutService`. */
export interface EcsRolloutServiceProps {
  /** The cluster to run the service in. Its VPC holds the target groups. */
  readonly cluster: ecs.ICluster;

  /**
   * The task definition to run. A Fargate-compatible one runs as a `FargateService`, any other as
   * an `Ec2Service` (the cluster then needs EC2 capacity).
   */
  readonly taskDefinition: ecs.TaskDefinition;

  /**
   * The production listener. With the native controller the construct adds its rules to it (the
   * production rule, and the test rule when the strategy has a test route), so other services
   * can share it; it must already have a default action, for the requests no rule matches. With
   * the CodeDeploy controller, which moves a listener's default action, the listener must be
   * dedicated to this service and created without a default action: the construct sets it.
   */
  readonly listener: elbv2.ApplicationListener;

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

  /**
   * What drives deployments: ECS native deployments, or CodeDeploy for teams that need it
   * (`EcsController.codeDeploy()`; see its limits in the class documentation).
   *
   * @default EcsController.NATIVE
   */
  readonly controller?: EcsController;

  /**
   * Priority of the production listener rule (1-50000, lower is evaluated first). Native controller
   * only. No other rule of the listener may use it; at synth the library refuses two rules at one
   * priority, and a rule of this service that an earlier rule of the listener shadows.
   *
   * @default - 10; or, on a listener given to `ListenerPriorities.automatic()`, a priority chosen from the construct path
   */
  readonly priority?: number;

  /**
   * Priority of the test listener rule, created only when the strategy has a test route. It must
   * be evaluated before the production rule, so it must be lower than `priority`. Native controller only.
   *
   * @default - `priority` minus 1
   */
  readonly testPriority?: number;

  /**
   * Conditions of the production listener rule. The test rule adds the test route to them.
   * Do not change them after the first deployment (see the class documentation). Native controller only.
   *
   * @default - every path: `ListenerCondition.pathPatterns(['/*'])`
   */
  readonly conditions?: elbv2.ListenerCondition[];

  /**
   * Source addresses (CIDRs) allowed to use the test route: the test rule's source condition with the
   * native controller, the test listener's ingress with CodeDeploy. A header or query value alone
   * is no protection: anyone can send it. List public ranges (your office, your CI) to test from
   * the internet; `['0.0.0.0/0', '::/0']` opens the test route to everyone. Only for a strategy with
   * a test route (native) or a `testPort` (CodeDeploy).
   *
   * @default - private addresses only: 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16
   */
  readonly testRouteSources?: string[];

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
   * How many tasks to run.
   *
   * @default - 1 when the service is created; later deploys keep the running count
   */
  readonly desiredCount?: number;

  /**
   * The health checks that roll a deployment back, replacing the strategy's (`[]` for none). Error
   * rates and latencies are measured on both target groups, one CloudWatch alarm per check and
   * target group (`blueAlarms`, `greenAlarms`); checks of your own (`aws.CloudWatchHealthCheck`)
   * once. Their windows are whole minutes. Add more later with `addHealthCheck()`.
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
   * `TEST_TRAFFIC_SHIFT`. Add more later with `addLifecycleHook()`. Native controller only: CodeDeploy
   * runs the hooks named in the deployment's AppSpec.
   *
   * @default - no lifecycle hooks
   */
  readonly lifecycleHooks?: ecs.IDeploymentLifecycleHookTarget[];

  /**
   * The infrastructure role ECS assumes to move traffic between the target groups. Native
   * controller only: CodeDeploy's deployment group has its own role.
   *
   * @default - a new role with the AWS managed policy `AmazonECSInfrastructureRolePolicyForLoadBalancers`
   */
  readonly infrastructureRole?: iam.IRole;

  /**
   * Health check of both target groups, within the load balancer's limits (checked at construction):
   * an interval of 5-300 s longer than the timeout of 2-120 s, thresholds of 2-10, HTTP codes 200-499.
   *
   * @default - the ALB defaults: HTTP on the traffic port, path `/`
   */
  readonly healthCheck?: elbv2.HealthCheck;

  /**
   * Subnets of the tasks, for the `awsvpc` network mode (refused with other network modes, whose
   * tasks use the network of their container instance).
   *
   * @default - the cluster VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the tasks, for the `awsvpc` network mode (refused with other network modes).
   * The load balancer is allowed in on the container port either way.
   *
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * An ECS service released by a `Strategy`, with everything around it: the service, a blue and a
 * green target group, the production route, a test route closed to the internet, rollback alarms
 * and the deployment controller's configuration.
 *
 * **Native controller (default).** Built on `EcsNativeRollout`: ECS deployments
 * (`DeploymentConfiguration.Strategy` BLUE_GREEN, CANARY or LINEAR; ROLLING for
 * `Strategy.ALL_AT_ONCE`) behind a production rule on the listener that forwards to blue, and, when
 * the strategy has a test route (`Match.header` or `Match.queryParameter`), a test rule on the same
 * listener, evaluated first, that sends only the matching requests from `testRouteSources` to green.
 * ECS moves traffic by rewriting the weights of these rules, and rolls back when a task fails to
 * start (circuit breaker) or an alarm fires: the alarms of the health checks (the strategy's, or an
 * error rate and a p99 latency by default) on both target groups, and any alarm added. A deploy that changes the task definition starts a deployment;
 * CloudFormation waits for it, bake times included, and rejects canary and linear deployments
 * longer than 33 hours.
 *
 * After a deployment the weights in the template no longer match the live rules (ECS swaps
 * them). Do not change `priority`, `testPriority`, `conditions` or `testRouteSources` once the
 * service has been deployed: CloudFormation would rewrite the rules from the template and send
 * production traffic back to a target group whose tasks may be gone (aws-cdk issue #36649).
 *
 * **CodeDeploy controller** (`EcsController.codeDeploy()`). Built on `EcsCodeDeployRollout`: the
 * service uses the CODE_DEPLOY controller and a CodeDeploy deployment group moves the production
 * listener's default action (CodeDeploy shifts listeners, not rules), so the listener serves this
 * service alone. A `testPort` adds a test listener on the same load balancer, reachable only from
 * `testRouteSources`, that CodeDeploy points at the new task set before production traffic moves.
 * Deployments are started through CodeDeploy (see `EcsCodeDeployRollout`), not by `cdk deploy`.
 *
 * @example
 * declare const cluster: ecs.Cluster;
 * declare const taskDefinition: ecs.FargateTaskDefinition;
 * declare const listener: elbv2.ApplicationListener;
 * declare const latencyAlarm: cloudwatch.Alarm;
 * const web = new aws.EcsRolloutService(this, 'Web', {
 *   cluster,
 *   taskDefinition,
 *   listener,
 *   strategy: Strategy.blueGreen({
 *     testRoute: Match.header('x-env', 'green'),
 *     bakeTime: Duration.minutes(10),
 *     healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1 })],
 *   }),
 * });
 * web.addHealthCheck(HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }));
 * web.addAlarm(latencyAlarm);
 */
export class EcsRolloutService extends Construct {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** What drives the service's deployments. */
  public readonly controller: EcsController;
  /** The target group the service starts on. The controller swaps the roles of blue and green at every deployment. */
  public readonly blueTargetGroup: elbv2.ApplicationTargetGroup;
  /** The target group the next revision starts on. */
  public readonly greenTargetGroup: elbv2.ApplicationTargetGroup;
  /** The production listener rule (native controller). */
  public readonly productionRule?: elbv2.ApplicationListenerRule;
  /** The test listener rule (native controller, when the strategy has a test route). */
  public readonly testRule?: elbv2.ApplicationListenerRule;
  /** The test listener (CodeDeploy controller, when `testPort` is set). */
  public readonly testListener?: elbv2.ApplicationListener;
  /** The native rollout applied to the service (native controller). */
  public readonly nativeRollout?: EcsNativeRollout;
  /** The CodeDeploy rollout applied to the service (CodeDeploy controller). */
  public readonly codeDeployRollout?: EcsCodeDeployRollout;
  /** The health checks' alarms on the blue target group. */
  public readonly blueAlarms: TargetGroupAlarms;
  /** The health checks' alarms on the green target group. */
  public readonly greenAlarms: TargetGroupAlarms;
  /** The container that receives traffic. */
  public readonly containerName: string;
  /** The container port that receives traffic. */
  public readonly containerPort: number;

  constructor(scope: Construct, id: string, props: EcsRolloutServiceProps) {
    super(scope, id);
    const where = `EcsRolloutService ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { cluster, taskDefinition, listener, strategy }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.BLUE_GREEN.');
    }
    if (!(props.taskDefinition instanceof ecs.TaskDefinition)) {
      fail(`${where}: taskDefinition`, props.taskDefinition, 'it must be an ecs.TaskDefinition, whose containers the service runs',
        'Pass the FargateTaskDefinition or Ec2TaskDefinition defined in this app.');
    }
    if (!(props.listener instanceof elbv2.ApplicationListener)) {
      fail(`${where}: listener`, props.listener, 'it must be an elbv2.ApplicationListener, to which the construct adds its routes',
        'Pass the listener defined in this app, for example alb.addListener(...).');
    }
    if (props.cluster === undefined || props.cluster === null) {
      fail(`${where}: cluster`, props.cluster, 'a service needs a cluster', 'Pass an ecs.Cluster.');
    }
    if (props.controller !== undefined && !(props.controller instanceof EcsController)) {
      fail(`${where}: controller`, props.controller, 'it must be an EcsController', 'Use EcsController.NATIVE or EcsController.codeDeploy().');
    }
    const controller = props.controller ?? EcsController.NATIVE;
    this.controller = controller;
    const taskDefinition = props.taskDefinition;
    if (taskDefinition.networkMode === ecs.NetworkMode.NONE) {
      fail(`${where}: taskDefinition.networkMode`, 'none', 'a load-balanced service needs a network to receive traffic on',
        'Use the awsvpc network mode (the Fargate default), bridge or host.');
    }
    const codeDeploy = controller.kind === EcsControllerKind.CODE_DEPLOY;
    // The load balancer's quotas count this service's rules and listeners with everyone else's.
    registerLoadBalancerCheck(this);
    if (codeDeploy) refuseNativeOnly(where, props);
    else requireDefaultAction(`${where}: listener`, props.listener);
    const hasTestRoute = codeDeploy ? controller.testPort !== undefined : props.strategy.testRoute !== undefined;
    if (props.testRouteSources !== undefined && !hasTestRoute) {
      fail(`${where}: testRouteSources`, props.testRouteSources,
        codeDeploy ? 'it limits who reaches the CodeDeploy test listener, and there is none without a testPort'
          : `it limits who may use the test route, and the strategy ${props.strategy.describe()} has none`,
        codeDeploy ? 'Set testPort in EcsController.codeDeploy({ testPort }), or leave testRouteSources out.'
          : 'Add a test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRouteSources out.');
    }
    // A canary's or linear strategy's test route is refused by EcsCodeDeployRollout, whatever the test port.
    if (codeDeploy && props.strategy.kind === StrategyKind.BLUE_GREEN && props.strategy.testRoute && controller.testPort === undefined) {
      fail(`${where}: controller`, 'EcsController.codeDeploy() without a testPort',
        `CodeDeploy routes test traffic by a second listener, not by a request match, so the strategy's test route (${props.strategy.testRoute.describe()}) needs a test listener`,
        'Set a testPort, such as EcsController.codeDeploy({ testPort: 9000 }); or leave testRoute out of the strategy; or use EcsController.NATIVE, which routes tests by header.');
    }
    const testSources = hasTestRoute ? cidrs(`${where}: testRouteSources`, props.testRouteSources ?? PRIVATE_RANGES) : [];

    const { containerName, containerPort } = trafficContainer(where, taskDefinition, props.containerName, props.containerPort);
    this.containerName = containerName;
    this.containerPort = containerPort;
    if (props.desiredCount !== undefined && (typeof props.desiredCount !== 'number' || !Number.isInteger(props.desiredCount) || props.desiredCount < 0)) {
      fail(`${where}: desiredCount`, props.desiredCount, 'it is a number of tasks, a whole number of at least 0', 'Use a whole number such as 2.');
    }

    const checked = healthCheck(`${where}: healthCheck`, props.healthCheck);
    // With dynamic host ports the health check must follow the traffic port, and says so: `traffic-port` is
    // CloudFormation's default, but cfn-lint requires it written (E3049).
    const dynamic = dynamicHostPort(taskDefinition, containerName, containerPort);
    if (dynamic && checked?.port !== undefined && checked.port !== 'traffic-port') {
      fail(`${where}: healthCheck.port`, checked.port,
        `container "${containerName}" maps port ${containerPort} to a dynamic host port (bridge network mode, host port 0), so each task listens on a port of its own that a fixed health check port misses`,
        'Leave port out (or set "traffic-port"): the health check then follows each task\'s port.');
    }
    const targetGroup = (groupId: string) => new elbv2.ApplicationTargetGroup(this, groupId, {
      vpc: props.cluster.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
      healthCheck: dynamic ? { ...checked, port: 'traffic-port' } : checked,
    });
    this.blueTargetGroup = targetGroup('Blue');
    this.greenTargetGroup = targetGroup('Green');
    // Both target groups are in each forward action, which keeps green attached to the load balancer
    // (its metrics exist) and is the shape both controllers rewrite when they move traffic.
    const forward = (blueWeight: number) => elbv2.ListenerAction.weightedForward([
      { targetGroup: this.blueTargetGroup, weight: blueWeight },
      { targetGroup: this.greenTargetGroup, weight: 100 - blueWeight },
    ]);

    const service = this.createService(props, codeDeploy);
    this.service = service;
    const alarmProps = { alarms: props.alarms, healthChecks: props.healthChecks };
    if (codeDeploy) {
      takeDefaultAction(`${where}: listener`, props.listener);
      props.listener.addAction('CodeDeployProduction', { action: forward(100) });
      if (controller.testPort !== undefined) {
        this.testListener = this.createTestListener(`${where}: controller`, props.listener, controller.testPort, testSources, forward(100));
      }
      service.attachToApplicationTargetGroup(this.blueTargetGroup);
      this.codeDeployRollout = new EcsCodeDeployRollout(this, 'Rollout', {
        ...alarmProps,
        service,
        strategy: props.strategy,
        blueTargetGroup: this.blueTargetGroup,
        greenTargetGroup: this.greenTargetGroup,
        listener: props.listener,
        testListener: this.testListener,
        application: controller.application,
        deploymentGroupName: controller.deploymentGroupName,
      });
      this.blueAlarms = this.codeDeployRollout.blueAlarms;
      this.greenAlarms = this.codeDeployRollout.greenAlarms;
    } else {
      const rules = this.createRules(where, props, testSources, forward);
      this.productionRule = rules.production;
      this.testRule = rules.test;
      this.nativeRollout = new EcsNativeRollout(this, 'Rollout', {
        ...alarmProps,
        service,
        strategy: props.strategy,
        blueTargetGroup: this.blueTargetGroup,
        greenTargetGroup: this.greenTargetGroup,
        productionRule: rules.production,
        testRule: rules.test,
        containerName,
        containerPort,
        lifecycleHooks: props.lifecycleHooks,
        infrastructureRole: props.infrastructureRole,
      });
      this.blueAlarms = this.nativeRollout.blueAlarms;
      this.greenAlarms = this.nativeRollout.greenAlarms;
    }
  }

  /** The traffic plan this service follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return (this.nativeRollout ?? this.codeDeployRollout!).plan;
  }

  /** The alarms of every health check, on both target groups, in the order the checks were added. */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return (this.nativeRollout ?? this.codeDeployRollout!).healthCheckAlarms;
  }

  /** Adds an alarm that stops and rolls back a deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    if (this.nativeRollout) this.nativeRollout.addAlarm(alarm);
    else this.codeDeployRollout!.addAlarm(alarm);
  }

  /**
   * Adds a health check that rolls a deployment back: an error rate or a latency is measured on both
   * target groups, a check of your own (`aws.CloudWatchHealthCheck`) once. The plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    if (this.nativeRollout) this.nativeRollout.addHealthCheck(check);
    else this.codeDeployRollout!.addHealthCheck(check);
  }

  /** Adds a function ECS runs at stages of a deployment (native controller only). */
  public addLifecycleHook(target: ecs.IDeploymentLifecycleHookTarget): void {
    if (!this.nativeRollout) {
      fail(`EcsRolloutService ${this.node.path}: lifecycleHook`, target, 'ECS lifecycle hooks run only with the native controller',
        'With CodeDeploy, name the hook functions in the AppSpec of the deployment (BeforeInstall ... AfterAllowTraffic); or use EcsController.NATIVE.');
    }
    this.nativeRollout.addLifecycleHook(target);
  }

  private createService(props: EcsRolloutServiceProps, codeDeploy: boolean): ecs.BaseService {
    const taskDefinition = props.taskDefinition;
    const serviceProps: ecs.BaseServiceOptions = {
      cluster: props.cluster,
      desiredCount: props.desiredCount,
      deploymentController: codeDeploy ? { type: ecs.DeploymentControllerType.CODE_DEPLOY } : undefined,
      // The native rollout sets the same circuit breaker; CodeDeploy rolls back by itself.
      circuitBreaker: codeDeploy ? undefined : { enable: true, rollback: true },
      // Full capacity throughout: a rolling update starts new tasks before it stops old ones.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // The native rollout renders the alarm configuration itself (an override, empty when there is no
      // alarm). Naming alarms here too keeps aws-cdk-lib from choosing a default by the stack's
      // partition, which loads its region-info tables: about 60 ms per process (bench/README.md).
      deploymentAlarms: codeDeploy ? undefined : { alarmNames: Lazy.list({ produce: () => [] }) },
    };
    const awsvpc = taskNetwork(`EcsRolloutService ${this.node.path}`, props);
    return taskDefinition.isFargateCompatible
      ? new ecs.FargateService(this, 'Service', { ...serviceProps, ...awsvpc, taskDefinition })
      : new ecs.Ec2Service(this, 'Service', { ...serviceProps, ...awsvpc, taskDefinition });
  }

  private createRules(where: string, props: EcsRolloutServiceProps, testSources: string[], forward: (blueWeight: number) => elbv2.ListenerAction) {
    const testCondition = props.strategy.testRoute && albCondition(`${where}: strategy.testRoute`, props.strategy.testRoute);
    // Automatic priorities take a slot: the test rule its first priority, the production rule the second.
    const source = props.priority !== undefined ? 'given' : hasAutomaticPriorities(props.listener) ? 'automatic' : 'default';
    const priority = rulePriority(`${where}: priority`, props.priority ?? (source === 'automatic' ? automaticPriority(this) + 1 : DEFAULT_PRIORITY));
    const testPriority = testCondition && rulePriority(`${where}: testPriority`, props.testPriority ?? priority - 1);
    if (testPriority !== undefined && testPriority >= priority) {
      fail(`${where}: testPriority`, testPriority, `the test rule must be evaluated before the production rule (priority ${priority}), so its priority must be lower`,
        `Use a testPriority below ${priority}, or raise priority.`);
    }
    const conditions = props.conditions === undefined ? [elbv2.ListenerCondition.pathPatterns(['/*'])]
      : arrayOf<elbv2.ListenerCondition>(`${where}: conditions`, props.conditions, 'Pass conditions such as [ListenerCondition.pathPatterns(["/api/*"])].');
    if (conditions.length === 0) {
      fail(`${where}: conditions`, conditions, 'a listener rule needs at least one condition',
        'Leave conditions out to match every path, or pass one such as ListenerCondition.pathPatterns(["/api/*"]).');
    }
    conditions.forEach((condition, i) => {
      if (typeof (condition as elbv2.ListenerCondition)?.renderRawCondition !== 'function') {
        fail(`${where}: conditions[${i}]`, condition, 'it must be an elbv2.ListenerCondition', 'Use ListenerCondition.pathPatterns(), hostHeaders() or another ListenerCondition factory.');
      }
    });
    checkRuleConditions(`${where}: conditions`, conditions, 'the production rule');
    const sources = testCondition && elbv2.ListenerCondition.sourceIps(testSources);
    if (testCondition) {
      const testRule = 'the test rule (with the test route and its sources)';
      if (conditions.some(c => c.renderRawCondition()?.field === 'source-ip')) {
        fail(`${where}: conditions`, conditions, `an ALB listener rule takes at most one source-ip condition, and ${testRule} sets its own from testRouteSources`,
          'Leave the source-ip condition out of conditions, and list the ranges allowed to test in testRouteSources.');
      }
      checkRuleConditions(`${where}: conditions`, conditions, testRule, [testCondition, sources!]);
    }

    const production = new elbv2.ApplicationListenerRule(this, 'ProductionRule', { listener: props.listener, priority, conditions, action: forward(100) });
    const test = testCondition ? new elbv2.ApplicationListenerRule(this, 'TestRule', {
      listener: props.listener,
      priority: testPriority!,
      conditions: [...conditions, testCondition, sources!],
      action: forward(0),
    }) : undefined;
    const testOffset = testPriority === undefined ? undefined : testPriority - priority;
    registerListenerRules(this, {
      where,
      listener: props.listener,
      source,
      base: priority,
      ...productionAndTestRange(testOffset, props.testPriority !== undefined),
      conditionsProp: 'conditions',
      rules: [
        { rule: production, role: 'the production rule', consequence: 'the service would receive no request', prop: 'priority', propValue: priority },
        ...(test ? [{ rule: test, role: 'the test rule', consequence: 'the test route would never reach the green side', prop: 'testPriority', propValue: testPriority! }] : []),
      ],
    });
    return { production, test };
  }

  private createTestListener(prop: string, production: elbv2.ApplicationListener, port: number, sources: string[],
    action: elbv2.ListenerAction): elbv2.ApplicationListener {
    const portOf = (listener: elbv2.ApplicationListener) => Stack.of(listener).resolve((listener.node.defaultChild as elbv2.CfnListener).port);
    // The production listener, then the load balancer's other listeners: a load balancer takes one listener per port.
    const others = production.loadBalancer instanceof elbv2.ApplicationLoadBalancer ? production.loadBalancer.listeners : [];
    const taken = [production, ...others.filter(l => l !== production)].find(l => portOf(l) === port);
    if (taken !== undefined) {
      fail(prop, `EcsController.codeDeploy({ testPort: ${port} })`,
        `${taken === production ? 'the production listener' : `the listener ${taken.node.path} of the same load balancer`} already uses port ${port}`,
        'Pick another free port of the load balancer for the test listener, such as 9000.');
    }
    // Plain HTTP on a port only the named sources reach: the load balancer's security group opens
    // nothing else (`open: false`), so the test listener is never public unless asked.
    const listener = new elbv2.ApplicationListener(this, 'TestListener', {
      loadBalancer: production.loadBalancer,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: action,
    });
    for (const cidr of sources) {
      listener.connections.allowDefaultPortFrom(cidr.includes(':') ? ec2.Peer.ipv6(canonicalIpv6(cidr)) : ec2.Peer.ipv4(cidr), `CodeDeploy test listener, from ${cidr}`);
    }
    return listener;
  }
}

/**
 * The tasks' subnets and security groups, checked: they apply to the awsvpc network mode only, and
 * would be silently ignored with bridge or host.
 */
function taskNetwork(where: string, props: EcsRolloutServiceProps): { vpcSubnets?: ec2.SubnetSelection; securityGroups?: ec2.ISecurityGroup[] } {
  const awsvpc = props.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC;
  for (const name of ['vpcSubnets', 'securityGroups'] as const) {
    if (props[name] !== undefined && !awsvpc) {
      fail(`${where}: ${name}`, props[name], `it applies to tasks in the awsvpc network mode only, and the task definition uses ${props.taskDefinition.networkMode}`,
        `Leave ${name} out (the tasks use the network of their container instance), or use the awsvpc network mode.`);
    }
  }
  if (!awsvpc) return {};
  const vpcSubnets = props.vpcSubnets === undefined ? undefined
    : struct<ec2.SubnetSelection>(`${where}: vpcSubnets`, props.vpcSubnets, 'Pass a subnet selection such as { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }.');
  if (vpcSubnets !== undefined) {
    try {
      props.cluster.vpc.selectSubnets(vpcSubnets);
    } catch (e) {
      throw new StrategyValidationError(`${where}: vpcSubnets`, describeSelection(vpcSubnets),
        `the cluster's VPC has no subnets of this selection (${(e as Error).message})`, 'Select subnets the VPC has, or leave vpcSubnets out for its private subnets.');
    }
  }
  const securityGroups = props.securityGroups === undefined ? undefined
    : arrayOf<ec2.ISecurityGroup>(`${where}: securityGroups`, props.securityGroups, 'Pass an array of security groups.');
  securityGroups?.forEach((group, i) => {
    if (typeof (group as ec2.ISecurityGroup)?.securityGroupId !== 'string' || typeof (group as ec2.ISecurityGroup)?.addIngressRule !== 'function') {
      fail(`${where}: securityGroups[${i}]`, group, 'it must be an EC2 security group', 'Pass an ec2.SecurityGroup, or one imported with SecurityGroup.fromSecurityGroupId().');
    }
  });
  return { vpcSubnets, securityGroups };
}

/** A subnet selection as a user wrote it, such as `{ subnetType: Private }`. */
function describeSelection(selection: ec2.SubnetSelection): string {
  const parts = Object.entries(selection)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key}: ${value}`);
  return `{ ${parts.join(', ')}${parts.length < Object.keys(selection).length ? `${parts.length ? ', ' : ''}...` : ''} }`;
}

/** Props only the native controller uses; passing them with CodeDeploy would be silently ignored. */
function refuseNativeOnly(where: string, props: EcsRolloutServiceProps): void {
  const nativeOnly: Array<[keyof EcsRolloutServiceProps, string]> = [
    ['priority', 'CodeDeploy moves the listener\'s default action, so there is no production rule to prioritize'],
    ['testPriority', 'CodeDeploy routes tests by a test listener, so there is no test rule to prioritize'],
    ['conditions', 'CodeDeploy moves the listener\'s default action, which has no conditions'],
    ['lifecycleHooks', 'CodeDeploy runs the hook functions named in the deployment\'s AppSpec, not ECS lifecycle hooks'],
    ['infrastructureRole', 'the CodeDeploy deployment group moves traffic with its own service role'],
  ];
  for (const [name, why] of nativeOnly) {
    if (props[name] !== undefined) {
      fail(`${where}: ${name}`, props[name], `it applies to the native controller only: ${why}`,
        `Leave ${name} out with EcsController.codeDeploy(), or use EcsController.NATIVE.`);
    }
  }
}

/**
 * CodeDeploy shifts the listener's default action; a listener that already forwards somewhere serves
 * something else, which a deployment would take over.
 */
function takeDefaultAction(prop: string, listener: elbv2.ApplicationListener): void {
  const actions = Stack.of(listener).resolve((listener.node.defaultChild as elbv2.CfnListener).defaultActions);
  if (Array.isArray(actions) && actions.length > 0) {
    fail(prop, listener.node.path, 'it already has a default action, and CodeDeploy moves the default action of a listener dedicated to this service',
      'Create the listener without defaultAction or defaultTargetGroups (the construct sets it), or use EcsController.NATIVE to share a listener through rules.');
  }
}

/**
 * The native controller adds rules to a shared listener, which needs a default action for the
 * requests no rule matches; without one, aws-cdk-lib refuses the listener at synth.
 */
function requireDefaultAction(prop: string, listener: elbv2.ApplicationListener): void {
  const actions = Stack.of(listener).resolve((listener.node.defaultChild as elbv2.CfnListener).defaultActions);
  if (!Array.isArray(actions) || actions.length === 0) {
    fail(prop, listener.node.path, 'it has no default action, and the native controller only adds listener rules, so requests no rule matches would have nowhere to go',
      'Create the listener with a default action, such as defaultAction: ListenerAction.fixedResponse(404), before the service; '
      + 'or, for a listener dedicated to this service, use EcsController.codeDeploy(), which sets the default action.');
  }
}

/** RFC 1918 private IPv4 ranges: the test route's default sources. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

function cidrs(prop: string, value: unknown): string[] {
  const list = arrayOf<string>(prop, value, 'Pass CIDRs such as ["203.0.113.0/24"].');
  if (list.length === 0) {
    fail(prop, list, 'a test route needs at least one source range', 'List the ranges your testers connect from, or leave testRouteSources out for private addresses only.');
  }
  list.forEach((cidr, i) => {
    if (!isCidr(cidr)) {
      fail(`${prop}[${i}]`, cidr, 'it must be a CIDR range: an IPv4 address with a prefix length from 0 to 32, or an IPv6 address with one from 0 to 128',
        'Write it as an address and a prefix length, such as "203.0.113.0/24".');
    }
    // EC2 masks the host bits of a security group's range away, so the range deployed is not the one written (and
    // drifts from the template); cfn-lint refuses such a range (E3002, format ipv4-network / ipv6-network).
    const network = networkOf(cidr);
    if (network !== undefined) {
      const [address, prefix] = cidr.split('/');
      fail(`${prop}[${i}]`, cidr, `its address has bits set past the /${prefix} prefix, so the range is really ${network}: AWS masks the rest away, and cfn-lint refuses it`,
        `Write the range as "${network}", or "${address}/${isIPv4(address) ? 32 : 128}" for that one address.`);
    }
  });
  return list;
}

/**
 * The network of a CIDR whose address has bits set past its prefix (`203.0.113.7/24` is really `203.0.113.0/24`),
 * IPv6 in the canonical form; undefined when the address is the network's own.
 */
function networkOf(cidr: string): string | undefined {
  const slash = cidr.lastIndexOf('/');
  const address = cidr.slice(0, slash);
  const prefix = Number(cidr.slice(slash + 1));
  const v4 = isIPv4(address);
  const bits = v4 ? 8 : 16;
  const parts = v4 ? address.split('.').map(Number) : ipv6Groups(address);
  // Each part keeps its bits inside the prefix: the top `kept` of its `bits`.
  const masked = parts.map((part, i) => {
    const cleared = 2 ** (bits - Math.min(bits, Math.max(0, prefix - i * bits)));
    return part - (part % cleared);
  });
  if (masked.every((part, i) => part === parts[i])) return undefined;
  return v4 ? `${masked.join('.')}/${prefix}` : canonicalIpv6(`${masked.map(g => g.toString(16)).join(':')}/${prefix}`);
}

/** The eight 16-bit groups of an IPv6 address in any valid notation (`::` runs, an IPv4 tail, any case). */
function ipv6Groups(text: string): number[] {
  let address = text.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (tail !== null) {
    const [a, b, c, d] = tail.slice(1, 5).map(Number);
    address = `${address.slice(0, tail.index)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  const [head, rest] = address.split('::');
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const known = [...groupsOf(head), ...(rest === undefined ? [] : groupsOf(rest))].length;
  return [...groupsOf(head), ...Array(8 - known).fill('0'), ...groupsOf(rest)].map(g => parseInt(g, 16));
}

/** Whether `value` is an IPv4 address with a prefix length of 0 to 32, or an IPv6 address (without a zone) with one of 0 to 128. */
function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.lastIndexOf('/');
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (slash < 0 || !/^(0|[1-9]\d{0,2})$/.test(prefix)) return false;
  const length = Number(prefix);
  if (isIPv4(address)) return length <= 32;
  return isIPv6(address) && !address.includes('%') && length <= 128;
}


/**
 * An IPv6 CIDR in the canonical text form (RFC 5952: lowercase, no leading zeros, the longest run
 * of zero groups as `::`, no IPv4 tail), the only form aws-cdk-lib's `Peer.ipv6` accepts for all
 * addresses: it refuses `::ffff:192.0.2.0/120` and `::0:0:0:0:0:0:1/128`, which `isCidr` accepts.
 */
function canonicalIpv6(cidr: string): string {
  const slash = cidr.lastIndexOf('/');
  const groups = ipv6Groups(cidr.slice(0, slash)).map(g => g.toString(16));
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
  }
  const text = best.at < 0 ? groups.join(':')
    : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
  return `${text}${cidr.slice(slash)}`;
}

function rulePriority(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
    fail(prop, value, `an ALB listener rule priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
      'Pick a priority no other rule on the listener uses, such as 10.');
  }
  return value;
}
