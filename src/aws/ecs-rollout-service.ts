import { Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TargetGroupAlarmOptions, TargetGroupAlarms } from './target-group-alarms';
import { Strategy, StrategyKind } from '../core/strategy';
import { CapacityMode, TrafficPlan } from '../core/traffic-plan';
import { requireAlarm, requireAlarms } from '../private/alarms';
import { albCondition, checkConditionValues } from '../private/alb-conditions';
import { ecsNativeDeployment } from '../private/ecs-native-deployment';
import { lifecycleHooks, trafficContainer } from '../private/ecs-service';
import { recordPlan } from '../private/plan-metadata';
import { arrayOf, fail, struct } from '../private/validation';

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
   * The production listener. The construct adds its rules to it: the production rule, and the
   * test rule when the strategy has a test route. No other listener is opened.
   */
  readonly listener: elbv2.ApplicationListener;

  /**
   * How a new task definition revision is released: `Strategy.ALL_AT_ONCE` (a rolling update),
   * a blue-green strategy without a promotion gate, a one-step canary or a linear strategy of
   * at least 3% per step, with bake times in whole minutes up to 24 hours.
   */
  readonly strategy: Strategy;

  /**
   * Priority of the production listener rule (1-50000, lower is evaluated first).
   *
   * @default 10
   */
  readonly priority?: number;

  /**
   * Priority of the test listener rule, created only when the strategy has a test route. It must
   * be evaluated before the production rule, so it must be lower than `priority`.
   *
   * @default - `priority` minus 1
   */
  readonly testPriority?: number;

  /**
   * Conditions of the production listener rule. The test rule adds the test route to them.
   * Do not change them after the first deployment (see the class documentation).
   *
   * @default - every path: `ListenerCondition.pathPatterns(['/*'])`
   */
  readonly conditions?: elbv2.ListenerCondition[];

  /**
   * Source addresses (CIDRs) allowed to use the test route. A header or query value alone is no
   * protection: anyone can send it. List public ranges (your office, your CI) to test from the
   * internet; `['0.0.0.0/0', '::/0']` opens the test route to everyone.
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

  /**
   * Health check of both target groups.
   *
   * @default - the ALB defaults: HTTP on the traffic port, path `/`
   */
  readonly healthCheck?: elbv2.HealthCheck;

  /**
   * Subnets of the tasks, for the `awsvpc` network mode.
   *
   * @default - the cluster VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the tasks, for the `awsvpc` network mode. The load balancer is allowed in
   * on the container port either way.
   *
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * An ECS service released by a `Strategy` with native ECS deployments (`DeploymentConfiguration.Strategy`
 * BLUE_GREEN, CANARY or LINEAR; ROLLING for `Strategy.ALL_AT_ONCE`), behind a production listener.
 *
 * It creates the service, a blue and a green target group, a production listener rule that
 * forwards to blue, and, when the strategy has a test route (`Match.header` or
 * `Match.queryParameter`), a test rule on the same listener, evaluated first, that sends only the
 * matching requests to green. ECS moves traffic by rewriting the weights of these rules, and rolls
 * back when a task fails to start (circuit breaker) or an alarm fires: the generated 5xx and p99
 * latency alarms of both target groups and any alarm added.
 *
 * The test rule admits only the sources in `testRouteSources` (private addresses by default), so
 * the test route is not reachable from the internet unless you list public ranges.
 *
 * After a deployment the weights in the template no longer match the live rules (ECS swaps
 * them). Do not change `priority`, `testPriority`, `conditions` or `testRouteSources` once the
 * service has been deployed: CloudFormation would rewrite the rules from the template and send
 * production traffic back to a target group whose tasks may be gone (aws-cdk issue #36649).
 *
 * A deploy that changes the task definition starts a deployment; CloudFormation waits for it,
 * bake times included, and rejects canary and linear deployments longer than 33 hours.
 *
 * @example
 * declare const cluster: ecs.Cluster;
 * declare const taskDefinition: ecs.FargateTaskDefinition;
 * declare const listener: elbv2.ApplicationListener;
 * declare const latencyAlarm: cloudwatch.Alarm;
 * const web = new EcsRolloutService(this, 'Web', {
 *   cluster,
 *   taskDefinition,
 *   listener,
 *   strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) }),
 * });
 * web.addAlarm(latencyAlarm);
 */
export class EcsRolloutService extends Construct {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The target group the service starts on. ECS swaps the roles of blue and green at every deployment. */
  public readonly blueTargetGroup: elbv2.ApplicationTargetGroup;
  /** The target group the next revision starts on. */
  public readonly greenTargetGroup: elbv2.ApplicationTargetGroup;
  /** The production listener rule. */
  public readonly productionRule: elbv2.ApplicationListenerRule;
  /** The test listener rule, when the strategy has a test route. */
  public readonly testRule?: elbv2.ApplicationListenerRule;
  /** The rollback alarms of the blue target group. */
  public readonly blueAlarms: TargetGroupAlarms;
  /** The rollback alarms of the green target group. */
  public readonly greenAlarms: TargetGroupAlarms;
  /** The traffic plan this service follows. */
  public readonly plan: TrafficPlan;
  /** The container that receives traffic. */
  public readonly containerName: string;
  /** The container port that receives traffic. */
  public readonly containerPort: number;

  private readonly deploymentAlarms: cloudwatch.IAlarm[] = [];

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
      fail(`${where}: listener`, props.listener, 'it must be an elbv2.ApplicationListener, to which the construct adds its rules',
        'Pass the listener defined in this app, for example alb.addListener(...).');
    }
    if (props.cluster === undefined || props.cluster === null) {
      fail(`${where}: cluster`, props.cluster, 'a service needs a cluster', 'Pass an ecs.Cluster.');
    }
    const taskDefinition = props.taskDefinition;
    if (taskDefinition.networkMode === ecs.NetworkMode.NONE) {
      fail(`${where}: taskDefinition.networkMode`, 'none', 'a load-balanced service needs a network to receive traffic on',
        'Use the awsvpc network mode (the Fargate default), bridge or host.');
    }

    // ECS runs the new revision at full size beside the old one; a rolling update replaces it in place.
    const rolling = props.strategy.kind === StrategyKind.ALL_AT_ONCE;
    this.plan = props.strategy.plan({ capacity: rolling ? CapacityMode.IN_PLACE : CapacityMode.FULL_COPY });
    const deployment = ecsNativeDeployment(this.plan, `${where}: strategy`);
    const testCondition = props.strategy.testRoute && albCondition(`${where}: strategy.testRoute`, props.strategy.testRoute);

    const priority = rulePriority(`${where}: priority`, props.priority ?? DEFAULT_PRIORITY);
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
    checkConditionValues(`${where}: conditions`, conditions, 'the production rule');
    const testSources = testCondition && elbv2.ListenerCondition.sourceIps(cidrs(`${where}: testRouteSources`, props.testRouteSources ?? PRIVATE_RANGES));
    if (testCondition) checkConditionValues(`${where}: conditions`, conditions, 'the test rule (with the test route and its sources)', [testCondition, testSources!]);

    const { containerName, containerPort } = trafficContainer(where, taskDefinition, props.containerName, props.containerPort);
    this.containerName = containerName;
    this.containerPort = containerPort;
    if (props.desiredCount !== undefined && (typeof props.desiredCount !== 'number' || !Number.isInteger(props.desiredCount) || props.desiredCount < 0)) {
      fail(`${where}: desiredCount`, props.desiredCount, 'it is a number of tasks, a whole number of at least 0', 'Use a whole number such as 2.');
    }

    const targetGroup = (groupId: string) => new elbv2.ApplicationTargetGroup(this, groupId, {
      vpc: props.cluster.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
      healthCheck: props.healthCheck,
    });
    this.blueTargetGroup = targetGroup('Blue');
    this.greenTargetGroup = targetGroup('Green');

    // Both target groups are in each rule's forward action: ECS shifts traffic by rewriting the weights.
    this.productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener: props.listener,
      priority,
      conditions,
      action: elbv2.ListenerAction.weightedForward([
        { targetGroup: this.blueTargetGroup, weight: 100 },
        { targetGroup: this.greenTargetGroup, weight: 0 },
      ]),
    });
    if (testCondition) {
      this.testRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
        listener: props.listener,
        priority: testPriority!,
        conditions: [...conditions, testCondition, testSources!],
        action: elbv2.ListenerAction.weightedForward([
          { targetGroup: this.blueTargetGroup, weight: 0 },
          { targetGroup: this.greenTargetGroup, weight: 100 },
        ]),
      });
    }

    const serviceProps: ecs.BaseServiceOptions = {
      cluster: props.cluster,
      desiredCount: props.desiredCount,
      deploymentStrategy: ecs.DeploymentStrategy[deployment.strategy],
      bakeTime: deployment.bakeMinutes === undefined ? undefined : Duration.minutes(deployment.bakeMinutes),
      canaryConfiguration: deployment.strategy === 'CANARY'
        ? { stepPercent: deployment.stepPercent, stepBakeTime: Duration.minutes(deployment.stepBakeMinutes!) } : undefined,
      linearConfiguration: deployment.strategy === 'LINEAR'
        ? { stepPercent: deployment.stepPercent, stepBakeTime: Duration.minutes(deployment.stepBakeMinutes!) } : undefined,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: {
        alarmNames: Lazy.list({ produce: () => this.deploymentAlarms.map(a => a.alarmName) }),
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      },
      lifecycleHooks: props.lifecycleHooks === undefined ? undefined : lifecycleHooks(`${where}: lifecycleHooks`, props.lifecycleHooks),
      // Full capacity throughout: a rolling update starts new tasks before it stops old ones.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    };
    const awsvpc = { vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups };
    this.service = taskDefinition.isFargateCompatible
      ? new ecs.FargateService(this, 'Service', { ...serviceProps, ...awsvpc, taskDefinition })
      : new ecs.Ec2Service(this, 'Service', {
        ...serviceProps,
        ...(taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? awsvpc : {}),
        taskDefinition,
      });

    this.service.loadBalancerTarget({
      containerName,
      containerPort,
      // A rolling update has no second target group to move traffic to.
      alternateTarget: rolling ? undefined : new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: this.greenTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionRule),
        testListener: this.testRule && ecs.ListenerRuleConfiguration.applicationListenerRule(this.testRule),
        role: props.infrastructureRole,
      }),
    }).attachToApplicationTargetGroup(this.blueTargetGroup);

    const alarmOptions = struct<TargetGroupAlarmOptions>(`${where}: targetGroupAlarms`, props.targetGroupAlarms ?? {},
      'Pass { http5xxCount, p99Latency, period, evaluationPeriods }.');
    this.blueAlarms = new TargetGroupAlarms(this, 'BlueAlarms', { ...alarmOptions, targetGroup: this.blueTargetGroup });
    this.greenAlarms = new TargetGroupAlarms(this, 'GreenAlarms', { ...alarmOptions, targetGroup: this.greenTargetGroup });
    for (const alarm of [...this.blueAlarms.alarms, ...this.greenAlarms.alarms]) this.addAlarm(alarm);
    for (const alarm of requireAlarms(`${where}: alarms`, props.alarms)) this.addAlarm(alarm);

    recordPlan(this, this.plan, 'native ECS deployment');
  }

  /** Adds an alarm that stops and rolls back a deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    requireAlarm(`EcsRolloutService ${this.node.path}: alarm`, alarm);
    if (!this.deploymentAlarms.includes(alarm)) this.deploymentAlarms.push(alarm);
  }

  /** Adds a function ECS runs at stages of a deployment. */
  public addLifecycleHook(target: ecs.IDeploymentLifecycleHookTarget): void {
    this.service.addLifecycleHook(lifecycleHooks(`EcsRolloutService ${this.node.path}: lifecycleHook`, [target])[0]);
  }
}

/** RFC 1918 private IPv4 ranges: the test route's default sources. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

function cidrs(prop: string, value: unknown): string[] {
  const list = arrayOf<string>(prop, value, 'Pass CIDRs such as ["203.0.113.0/24"].');
  if (list.length === 0) {
    fail(prop, list, 'a test route needs at least one source range', 'List the ranges your testers connect from, or leave testRouteSources out for private addresses only.');
  }
  list.forEach((cidr, i) => {
    if (typeof cidr !== 'string' || !CIDR.test(cidr)) {
      fail(`${prop}[${i}]`, cidr, 'it must be a CIDR range', 'Write it as an address and a prefix length, such as "203.0.113.0/24".');
    }
  });
  return list;
}


function rulePriority(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
    fail(prop, value, `an ALB listener rule priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
      'Pick a priority no other rule on the listener uses, such as 10.');
  }
  return value;
}
