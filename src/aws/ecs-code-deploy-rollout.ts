import { Annotations, Duration, Resource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { TargetGroupAlarms } from './target-group-alarms';
import { HealthCheck } from '../core/health-check';
import { CapacityMode } from '../core/plan-options';
import { fail, struct } from '../core/private/validation';
import { StepGate, StepGateKind } from '../core/step-gate';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { requireAlarm, requireAlarms } from './private/alarms';
import {
  codeDeployShift, CodeDeployShift, customTrafficRouting, limitAlarms, optionalApplication, optionalDeploymentGroupName, predefinedKey,
} from './private/codedeploy-shift';
import { alarmRollbackTriggers, CODEDEPLOY_FAILED_DEPLOYMENT, testListenerRoute } from './private/guardrail-facts';
import { HealthCheckAlarms, loadBalancedDefaultChecks, rolloutChecks, targetGroupMetrics } from './private/health-check-alarms';
import { recordPlan } from './private/plan-metadata';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** The controller's name in errors and in the recorded plan. */
const CONTROLLER = 'CodeDeploy for ECS';

/** How to stay within CodeDeploy's alarms when health checks count twice (one alarm per target group). */
const HEALTH_CHECK_HINT = 'each error-rate or latency health check renders one alarm per target group';


/** CodeDeploy's limit on the approval wait and on the wait before the old task set ends: 2 days. */
const MAX_WAIT_MINUTES = 2 * 24 * 60;

/** Props for an `EcsCodeDeployRollout`. */
export interface EcsCodeDeployRolloutProps {
  /**
   * The service to roll out. It must be created with
   * `deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY }` and registered in
   * `blueTargetGroup`.
   */
  readonly service: ecs.IBaseService;

  /** The target group the service's tasks are registered in before the first deployment. */
  readonly blueTargetGroup: elbv2.IApplicationTargetGroup;

  /**
   * The target group CodeDeploy registers the new task set in. CodeDeploy swaps the two roles at
   * every deployment.
   */
  readonly greenTargetGroup: elbv2.IApplicationTargetGroup;

  /** The production listener, whose traffic CodeDeploy shifts from one target group to the other. */
  readonly listener: elbv2.IApplicationListener;

  /**
   * CodeDeploy's test traffic route: a second listener, on its own port, that CodeDeploy points at
   * the new task set before any production traffic moves, so it can be tested (by people, or by an
   * `AfterAllowTestTraffic` hook in the AppSpec).
   *
   * Keep it closed to the public: only peers you name may reach it, for example a listener created
   * with `open: false` on a port the load balancer's security group opens to one CIDR or one peer
   * security group (`alb.connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(9000))`).
   * This construct opens nothing; the listener's reachability is yours to decide.
   *
   * A strategy's `testRoute` (a header or cookie match) cannot be rendered by CodeDeploy, which routes
   * test traffic by listener: with a test listener, every request reaching it goes to the new task set.
   *
   * @default - no test route: the new task set receives production traffic directly; a strategy
   * with a `testRoute` is refused
   */
  readonly testListener?: elbv2.IApplicationListener;

  /**
   * How traffic moves to a new task set: `Strategy.ALL_AT_ONCE`, `Strategy.blueGreen()`, a one-step
   * canary or a linear strategy, in whole percents and whole minutes (CodeDeploy's limits).
   */
  readonly strategy: Strategy;

  /**
   * The health checks that roll a deployment back, replacing the strategy's (`[]` for none). Error
   * rates and latencies are measured on both target groups, one alarm per check and target group
   * (both groups must then be attached to a listener: their metrics are per load balancer); checks of
   * your own (`aws.CloudWatchHealthCheck`) once. Add more later with `addHealthCheck()`.
   *
   * @default - the strategy's health checks; when it declares none, `error-rate` (5xx above 1%) and
   * `latency-p99` (above 2 s), each failing after 2 one-minute windows of at least 10 requests
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
  readonly application?: codedeploy.IEcsApplication;

  /**
   * The deployment group's name.
   *
   * @default - a name generated by CloudFormation
   */
  readonly deploymentGroupName?: string;
}

/**
 * Applies a `Strategy` to an ECS service deployed by CodeDeploy: a blue-green deployment group
 * with its traffic shift, approval wait and bake time derived from the strategy (a predefined
 * deployment configuration when the strategy matches one, a custom canary or linear one otherwise),
 * the health checks measured on both target groups (the strategy's, or error rate and p99 latency by
 * default) as the group's alarms, and automatic rollback when a deployment fails, is stopped, or an
 * alarm fires.
 *
 * | strategy | CodeDeploy |
 * | --- | --- |
 * | all at once, blue-green | `CodeDeployDefault.ECSAllAtOnce` |
 * | one-step canary, linear | the matching predefined configuration, or a custom `TimeBasedCanary` / `TimeBasedLinear` one |
 * | blue-green `bakeTime` | how long the old task set keeps running after the switch (at most 2 days) |
 * | blue-green `promotion: StepGate.manualApproval({ timeout })` | wait for `ContinueDeployment` before production traffic moves, then stop and roll back (at most 2 days) |
 * | blue-green `testRoute` | the `testListener` |
 *
 * **Starting a deployment.** The service runs what CodeDeploy last deployed: with the `CODE_DEPLOY`
 * controller, CloudFormation creates the service but cannot roll a new task definition out to it,
 * so a `cdk deploy` that changes the task definition registers a new revision and leaves the running
 * tasks alone. A deployment is started through CodeDeploy itself, with an AppSpec that names the
 * task definition revision, the container and port behind the load balancer, and optional lifecycle
 * hooks (Lambda functions such as `AfterAllowTestTraffic`):
 * - from a pipeline: the CodePipeline action `codepipeline_actions.CodeDeployEcsDeployAction`
 *   (provider `CodeDeployToECS`) takes this `deploymentGroup`, a task definition template and an
 *   AppSpec template (whose `<TASK_DEFINITION>` placeholder it fills in), and up to 4 image inputs;
 * - or directly: `aws deploy create-deployment` (the `CreateDeployment` API) with the AppSpec.
 *
 * The CloudFormation alternative, the `AWS::CodeDeploy::BlueGreen` hook with the
 * `AWS::CodeDeployBlueGreen` transform (`CfnCodeDeployBlueGreenHook`), is a different model: the
 * template declares both task definitions and task sets and CloudFormation drives CodeDeploy without an
 * `AWS::CodeDeploy::DeploymentGroup`, so it does not combine with this construct.
 *
 * @example
 * declare const service: ecs.FargateService; // deploymentController: CODE_DEPLOY, registered in blue
 * declare const blue: elbv2.ApplicationTargetGroup;
 * declare const green: elbv2.ApplicationTargetGroup;
 * declare const listener: elbv2.ApplicationListener;
 * declare const testListener: elbv2.ApplicationListener; // open: false, reachable from 10.0.0.0/8 only
 * const rollout = new aws.EcsCodeDeployRollout(this, 'Rollout', {
 *   service,
 *   blueTargetGroup: blue,
 *   greenTargetGroup: green,
 *   listener,
 *   testListener,
 *   strategy: Strategy.blueGreen({
 *     promotion: StepGate.manualApproval({ timeout: Duration.hours(1) }),
 *     bakeTime: Duration.minutes(30),
 *   }),
 * });
 * // Deploy new revisions with codepipeline_actions.CodeDeployEcsDeployAction on rollout.deploymentGroup.
 */
export class EcsCodeDeployRollout extends Construct {
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.EcsDeploymentGroup;
  /** The CodeDeploy deployment configuration derived from the strategy. */
  public readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  /** The health checks' alarms on the blue target group. */
  public readonly blueAlarms: TargetGroupAlarms;
  /** The health checks' alarms on the green target group. */
  public readonly greenAlarms: TargetGroupAlarms;

  private readonly alarms = new Set<cloudwatch.IAlarm>();
  private readonly healthChecksRendered: HealthCheckAlarms;
  private readonly strategy: Strategy;
  private currentPlan: TrafficPlan;

  constructor(scope: Construct, id: string, props: EcsCodeDeployRolloutProps) {
    super(scope, id);
    const where = `EcsCodeDeployRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { service, blueTargetGroup, greenTargetGroup, listener, strategy }.');
    required(`${where}: service`, props.service, SERVICE, 'Pass the ECS service created with the CODE_DEPLOY deployment controller.');
    required(`${where}: blueTargetGroup`, props.blueTargetGroup, TARGET_GROUP, 'Pass the target group the service is registered in.');
    required(`${where}: greenTargetGroup`, props.greenTargetGroup, TARGET_GROUP, 'Pass a second target group, for the new task set.');
    required(`${where}: listener`, props.listener, LISTENER, 'Pass the production listener.');
    if (props.testListener !== undefined) {
      required(`${where}: testListener`, props.testListener, LISTENER, 'Pass a second listener on its own port, reachable only from your testers, or leave testListener out.');
    }
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.BLUE_GREEN.');
    }
    if (props.greenTargetGroup === props.blueTargetGroup) {
      fail(`${where}: greenTargetGroup`, props.greenTargetGroup.node.path, 'it is also the blue target group; CodeDeploy needs two, one per task set',
        'Create a second target group like the first, for the new task set.');
    }
    if (props.testListener !== undefined && props.testListener === props.listener) {
      fail(`${where}: testListener`, props.testListener.node.path, 'it is also the production listener, so test traffic would be production traffic',
        'Add a second listener on its own port, reachable only from your testers, or leave testListener out.');
    }
    checkController(`${where}: service`, props.service);

    // CodeDeploy starts the new task set at full size beside the old one before any traffic moves.
    this.strategy = props.strategy;
    const checks = rolloutChecks(`${where}: healthChecks`, props.healthChecks, props.strategy.healthChecks, loadBalancedDefaultChecks());
    this.currentPlan = props.strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: checks });
    const strategyProp = `${where}: strategy`;
    const shift = codeDeployShift(this.currentPlan, strategyProp, CONTROLLER,
      'Remove the testRoute and give the deployment a test listener (testListener, or testPort with EcsRolloutService), where CodeDeploy sends every request '
      + 'to the new task set before any traffic shifts; or use native ECS deployments (EcsNativeRollout, EcsController.NATIVE), which route a test route by header.');
    const waits = blueGreenWaits(this.currentPlan, strategyProp, props.testListener !== undefined);
    this.deploymentConfig = this.deploymentConfigFor(shift);
    if (props.strategy.testRoute && props.testListener) {
      // Not an error (the test listener is the route), but the match itself is not applied: say so.
      Annotations.of(this).addWarningV2('cdk-deploy-strategies:ecsCodeDeployTestRoute',
        `The test route (${props.strategy.testRoute.describe()}) is the test listener ${props.testListener.node.path}: `
        + `${CONTROLLER} sends every request reaching that listener to the new task set, whatever the request carries.`);
    }

    const application = optionalApplication<codedeploy.IEcsApplication>(`${where}: application`, props.application, 'ECS',
      'a codedeploy.EcsApplication, or one imported with EcsApplication.fromEcsApplicationName()');
    const deploymentGroupName = optionalDeploymentGroupName(`${where}: deploymentGroupName`, props.deploymentGroupName);

    this.deploymentGroup = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
      service: props.service,
      application,
      deploymentGroupName,
      deploymentConfig: this.deploymentConfig,
      blueGreenDeploymentConfig: {
        blueTargetGroup: props.blueTargetGroup,
        greenTargetGroup: props.greenTargetGroup,
        listener: props.listener,
        testListener: props.testListener,
        deploymentApprovalWaitTime: waits.approval,
        terminationWaitTime: waits.termination,
      },
      // Alarm rollback is on whenever there is an alarm (CDK's default); a stop covers an approval timing out.
      autoRollback: { failedDeployment: true, stoppedDeployment: true },
    });

    this.blueAlarms = new TargetGroupAlarms(this, 'BlueAlarms', { targetGroup: props.blueTargetGroup, healthChecks: [] });
    this.greenAlarms = new TargetGroupAlarms(this, 'GreenAlarms', { targetGroup: props.greenTargetGroup, healthChecks: [] });
    // Target group metrics are per load balancer: a group attached to no listener has none.
    const fix = 'Forward a listener (the test listener, say) or a listener rule to it, or measure the rollout only by checks of your own: healthChecks: [aws.CloudWatchHealthCheck.alarm(alarm)].';
    this.healthChecksRendered = new HealthCheckAlarms({
      backend: CONTROLLER,
      where,
      sources: [
        { scope: this.blueAlarms, metrics: () => targetGroupMetrics(props.blueTargetGroup, `${where}: blueTargetGroup`, fix) },
        { scope: this.greenAlarms, metrics: () => targetGroupMetrics(props.greenTargetGroup, `${where}: greenTargetGroup`, fix) },
      ],
      scope: this,
      purpose: 'rolls the deployment back',
    }, checks);
    [...this.healthChecksRendered.alarms, ...requireAlarms(`${where}: alarms`, props.alarms)].forEach(alarm => this.addAlarm(alarm));

    limitAlarms(this, `${where}: alarms`, () => this.alarms.size, HEALTH_CHECK_HINT);
    recordPlan(this, () => this.plan, CONTROLLER);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: CONTROLLER,
      get plan() {
        return self.plan;
      },
      rollbackTriggers: () => [CODEDEPLOY_FAILED_DEPLOYMENT,
        ...alarmRollbackTriggers(this.healthChecksRendered.names, this.healthChecksRendered.alarms, this.alarms)],
      testRoute: () => testListenerRoute(props.testListener),
      healthChecks: () => this.healthChecksRendered.names,
    });
  }

  /** The traffic plan this rollout follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The alarms of every health check, on both target groups, in the order the checks were added. */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.healthChecksRendered.alarms;
  }

  /** Adds an alarm that stops and rolls back the deployment. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    requireAlarm(`EcsCodeDeployRollout ${this.node.path}: alarm`, alarm);
    if (this.alarms.has(alarm)) return;
    this.deploymentGroup.addAlarm(alarm);
    this.alarms.add(alarm);
  }

  /**
   * Adds a health check that rolls the deployment back: an error rate or a latency is measured on
   * both target groups, a check of your own (`aws.CloudWatchHealthCheck`) once. The plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const alarms = this.healthChecksRendered.add(check, `EcsCodeDeployRollout ${this.node.path}: healthCheck`);
    alarms.forEach(alarm => this.addAlarm(alarm));
    this.currentPlan = this.strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: this.healthChecksRendered.checks });
  }

  private deploymentConfigFor(shift: CodeDeployShift): codedeploy.IEcsDeploymentConfig {
    const predefined: Record<string, codedeploy.IEcsDeploymentConfig> = {
      'ALL_AT_ONCE': codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
      'CANARY 10 5': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      'CANARY 10 15': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES,
      'LINEAR 10 1': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
      'LINEAR 10 3': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
    };
    return predefined[predefinedKey(shift)]
      ?? new codedeploy.EcsDeploymentConfig(this, 'DeploymentConfig', { trafficRouting: customTrafficRouting(shift) });
  }
}

/** The waits of a CodeDeploy ECS blue-green deployment, read from the plan. */
interface BlueGreenWaits {
  /** How long CodeDeploy waits for ContinueDeployment before production traffic moves. */
  readonly approval?: Duration;
  /** How long the old task set keeps running after all traffic has moved. */
  readonly termination?: Duration;
}

/**
 * Reads the test phase (a 0% step, blue-green only) and the final hold of the plan as CodeDeploy's
 * approval wait and termination wait, or fails naming what CodeDeploy for ECS cannot express.
 * `codeDeployShift` has already refused a hold at 100% for canary and linear strategies.
 */
function blueGreenWaits(plan: TrafficPlan, prop: string, hasTestListener: boolean): BlueGreenWaits {
  const strategy = plan.strategy;
  if (strategy.kind !== StrategyKind.BLUE_GREEN) return {};
  const shown = strategy.describe();
  if (strategy.testRoute && !hasTestListener) {
    fail(prop, shown,
      `${CONTROLLER} routes test traffic by a second listener, not by a request match, so the test route (${strategy.testRoute.describe()}) needs a testListener`,
      'Pass testListener: a listener on its own port, reachable only from your testers, where every request reaches the new task set; or leave testRoute out of the strategy.');
  }
  const testPhase = plan.steps.find(s => s.candidateWeight === 0);
  const final = plan.steps[plan.steps.length - 1];
  return {
    approval: testPhase?.gate === undefined ? undefined : approvalWait(testPhase.gate, prop, shown),
    termination: final.gate === undefined ? undefined
      : minutesWithin(final.gate.minimumDuration, prop, shown, 'keeps the old task set after the switch', final.gate.describe(), 'bakeTime'),
  };
}

function approvalWait(gate: StepGate, prop: string, shown: string): Duration {
  switch (gate.kind) {
    case StepGateKind.BAKE:
      fail(prop, shown,
        `${CONTROLLER} holds the new task set before the switch only for an approval; it has no timed wait before promotion (${gate.describe()})`,
        'Use StepGate.manualApproval({ timeout }) and approve with the ContinueDeployment API, or bake after the switch with bakeTime, while alarms can still roll back.');
    case StepGateKind.ANALYSIS:
      fail(prop, shown, `${CONTROLLER} has no analysis step before the switch (${gate.describe()})`,
        'Run the checks in an AfterAllowTestTraffic hook of the AppSpec and add alarms, or gate with StepGate.manualApproval({ timeout }); for analysis steps use a Kubernetes Argo Rollouts provider.');
    case StepGateKind.MANUAL_APPROVAL:
      if (gate.timeout === undefined) {
        fail(prop, shown,
          `${CONTROLLER} waits for an approval for a set time, at most 2 days, then stops and rolls back; this approval has no timeout`,
          'Give it a timeout, such as StepGate.manualApproval({ timeout: Duration.hours(4) }).');
      }
      return minutesWithin(gate.timeout, prop, shown, 'waits for an approval', gate.describe(), 'timeout');
  }
}

/**
 * A wait in whole minutes of at most 2 days, as CodeDeploy takes it.
 *
 * @param activity what CodeDeploy does meanwhile, such as `waits for an approval`
 * @param described the gate as the user wrote it, such as `bake 5m`
 * @param name the prop to change, such as `bakeTime`
 */
function minutesWithin(wait: Duration, prop: string, shown: string, activity: string, described: string, name: string): Duration {
  const seconds = wait.toSeconds();
  if (seconds % 60 !== 0) {
    fail(prop, shown, `${CONTROLLER} counts how long it ${activity} in whole minutes, and ${described} is not`,
      `Round the ${name} to whole minutes.`);
  }
  if (seconds / 60 > MAX_WAIT_MINUTES) {
    fail(prop, shown, `${CONTROLLER} ${activity} for at most 2 days (${MAX_WAIT_MINUTES} minutes), and ${described} is longer`,
      `Use a ${name} of at most Duration.days(2).`);
  }
  return Duration.minutes(seconds / 60);
}

/** What a construct-typed prop must be, checked by the members aws-cdk-lib reads from it. */
interface Kind {
  readonly what: string;
  readonly is: (value: any) => boolean;
}
const SERVICE: Kind = { what: 'an ECS service', is: v => typeof v.serviceArn === 'string' && typeof v.serviceName === 'string' };
const TARGET_GROUP: Kind = {
  what: 'an application target group',
  is: v => typeof v.targetGroupArn === 'string' && typeof v.registerConnectable === 'function',
};
const LISTENER: Kind = { what: 'an application load balancer listener', is: v => typeof v.listenerArn === 'string' };

function required(prop: string, value: unknown, kind: Kind, fix: string): void {
  if (value === undefined || value === null) fail(prop, value, 'it is required', fix);
  if (typeof value !== 'object' || !kind.is(value)) fail(prop, value, `it must be ${kind.what}`, fix);
}

/** CDK checks this too, but only for a service defined in the app, and without naming the fix. */
function checkController(prop: string, service: ecs.IBaseService): void {
  if (!Resource.isOwnedResource(service)) return;
  const cfn = service.node.defaultChild as ecs.CfnService | undefined;
  const controller = (cfn?.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined)?.type;
  if (cfn !== undefined && controller !== ecs.DeploymentControllerType.CODE_DEPLOY) {
    fail(prop, service.node.path,
      `it uses the ${controller ?? 'ECS'} deployment controller; CodeDeploy deploys only a service created with the CODE_DEPLOY controller`,
      'Create the service with deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } (changing it replaces the service), or roll it out with ECS native deployments instead.');
  }
}
