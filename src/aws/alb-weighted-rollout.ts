import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HealthCheck } from '../core/health-check';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { currentStep, stepContextKey } from '../core/private/step';
import { fail, struct } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { requireAlarm, requireAlarms } from './private/alarms';
import { albCondition, checkRuleConditions } from './private/alb-conditions';
import { PRIVATE_RANGES, ruleConditions, rulePriority, sourceRanges } from './private/alb-rules';
import { drivenController, pipelineOnly, recordedDriver, staticRolloutChecks } from './private/driven-rollout';
import { albBackend, ForwardWeights, forwardWeights } from './private/driver-alb';
import { renderDriver } from './private/driver-resources';
import { alarmRollbackTriggers, testRuleRoute } from './private/guardrail-facts';
import { HealthCheckAlarms, loadBalancedDefaultChecks, targetGroupMetrics } from './private/health-check-alarms';
import { automaticPriority, hasAutomaticPriorities, productionAndTestRange, registerListenerRules } from './private/listener-rules';
import { RecordedDriver, recordPlan, STEP_METADATA_TYPE } from './private/plan-metadata';
import { RolloutDriver } from './rollout-driver';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** The backend, as plans and errors name it. */
const BACKEND = 'ALB weighted target groups';

/** Props for an `AlbWeightedRollout`. */
export interface AlbWeightedRolloutProps {
  /** The listener that serves production. The rollout adds its rule here. */
  readonly listener: elbv2.IApplicationListener;

  /**
   * The priority of the rollout's rule on the listener, unique among its rules: 1 to 50,000.
   *
   * @default - on a listener given to `ListenerPriorities.automatic()`, a priority chosen from the
   * construct path; required otherwise
   */
  readonly priority?: number;

  /**
   * Which requests the rule takes.
   *
   * @default - every request: ListenerCondition.pathPatterns(['/*'])
   */
  readonly conditions?: elbv2.ListenerCondition[];

  /** The target group of the version serving now: an Auto Scaling group's, an ECS service's, or any other. */
  readonly stable: elbv2.IApplicationTargetGroup;

  /**
   * The target group of the new version, beside the stable one at full size. Without it nothing
   * is rolling out: the rule forwards everything to `stable`.
   *
   * @default - no rollout in progress
   */
  readonly candidate?: elbv2.IApplicationTargetGroup;

  /** How traffic moves to the candidate: a canary, linear or blue-green strategy (with a header or query test route, if any). */
  readonly strategy: Strategy;

  /**
   * Who moves the traffic from step to step. `RolloutDriver.stepFunctions()`: the deploy that
   * changes the rule (a new candidate, or the target groups swapped) runs the whole plan, and the
   * alarms roll it back. `RolloutDriver.pipeline()`: one deploy per step (`step`).
   *
   * @default RolloutDriver.stepFunctions()
   */
  readonly driver?: RolloutDriver;

  /**
   * Alarms that roll the rollout back: the driver reads them while each step bakes and forwards
   * everything to `stable` again when one is in ALARM. Add more with `addAlarm()`. Only with the
   * Step Functions driver.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * With the Step Functions driver: the health checks that roll the rollout back, in place of the
   * strategy's (`[]` for none), rendered as CloudWatch alarms on the candidate target group's
   * request metrics, which the driver reads like `alarms`. Refused with `RolloutDriver.pipeline()`,
   * where nothing would act on them.
   *
   * @default - the strategy's health checks; without any, 5xx above 1% and p99 latency above 2
   * seconds, each for 2 one-minute windows of 10 or more requests
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * With `RolloutDriver.pipeline()`: the step of the plan to render, from 1, as numbered in the plan's table.
   *
   * @default - the context value `<construct path>:step`, else step 1
   */
  readonly step?: number;

  /**
   * The priority of the blue-green test route's rule, evaluated before the production rule.
   *
   * @default - `priority` minus 1
   */
  readonly testPriority?: number;

  /**
   * Who may use the blue-green test route: the rule matches the route's header or query parameter
   * and the client's source address.
   *
   * @default - private addresses only: 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16
   */
  readonly testRouteSources?: string[];
}

/**
 * Blue-green and canary releases between two target groups behind one listener rule: the classic
 * EC2 / Auto Scaling (or two-service) setup. The rule (construct `Resource`) forwards to `stable`
 * and `candidate` with weights; a blue-green test route adds a rule before it (`TestRule`) that
 * sends the route's requests, from `testRouteSources` only, to the candidate.
 *
 * By default the rollout is driven (`RolloutDriver.stepFunctions()`): the template declares
 * everything forwarded to `stable`, and the deploy that changes the rule — a new `candidate`, or
 * the two target groups swapped for the next release — starts a Step Functions state machine that
 * walks the plan: it sets each step's weights, holds bakes while it reads the alarms, asks for
 * approvals on an SNS topic, and forwards everything to `stable` again when an alarm fires or an
 * approval is rejected. With `RolloutDriver.pipeline()`, one deploy per step instead (`step`).
 *
 * Percentages become exact weights (5% is 19 : 1; ALB weights are 0 to 999, which every 0.1% fits).
 * Both target groups keep their full capacity throughout (`CapacityMode.FULL_COPY`).
 *
 * To promote a finished release, make the candidate target group `stable` and leave `candidate`
 * out, and deploy: everything stays on the new version, and nothing rolls out. The next release
 * deploys the new version to the idle target group and names it `candidate`.
 *
 * @example
 * declare const listener: elbv2.ApplicationListener;
 * declare const blue: elbv2.ApplicationTargetGroup;
 * declare const green: elbv2.ApplicationTargetGroup;
 * declare const errors: cloudwatch.Alarm;
 * new aws.AlbWeightedRollout(this, 'Web', {
 *   listener,
 *   priority: 10,
 *   stable: blue,
 *   candidate: green,
 *   strategy: Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }] }),
 *   alarms: [errors],
 * });
 */
export class AlbWeightedRollout extends Construct {
  /** Who moves the traffic from step to step. */
  public readonly driver: RolloutDriver;
  /** The production rule, forwarding to both target groups by weight. */
  public readonly rule: elbv2.ApplicationListenerRule;
  /**
   * The blue-green test route's rule.
   *
   * @default - undefined: the strategy has no test route, or there is no candidate
   */
  public readonly testRule?: elbv2.ApplicationListenerRule;
  /**
   * The step rendered, with `RolloutDriver.pipeline()` and a candidate.
   *
   * @default - undefined: driven, or no candidate
   */
  public readonly step?: PlanStep;
  /**
   * The state machine that drives the rollout.
   *
   * @default - undefined: the pipeline drives the rollout, or there is no candidate
   */
  public readonly stateMachine?: sfn.StateMachine;
  /**
   * The name of the state machine that drives the rollout, known at synth: find its executions
   * under this name in the Step Functions console (`aws stepfunctions list-executions`).
   *
   * @default - undefined: no state machine
   */
  public readonly stateMachineName?: string;
  /**
   * The topic the driver announces to and asks for approvals on.
   *
   * @default - undefined: no driver, or a driver without a topic
   */
  public readonly notificationTopic?: sns.ITopic;

  private readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly health?: HealthCheckAlarms;
  private readonly strategy: Strategy;
  private currentPlan: TrafficPlan;

  constructor(scope: Construct, id: string, props: AlbWeightedRolloutProps) {
    super(scope, id);
    const where = `AlbWeightedRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { listener, priority, stable, candidate, strategy }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    this.strategy = strategy;
    const listener = props.listener;
    if (typeof listener !== 'object' || listener === null || !('listenerArn' in listener)) {
      fail(`${where}: listener`, listener, 'it must be an Application Load Balancer listener (elbv2.IApplicationListener)',
        'Pass the listener that serves production, such as loadBalancer.addListener("Http", { port: 80, ... }).');
    }
    const stable = targetGroup(`${where}: stable`, props.stable);
    const candidate = props.candidate === undefined ? undefined : targetGroup(`${where}: candidate`, props.candidate);
    if (candidate !== undefined && candidate === stable) {
      fail(`${where}: candidate`, candidate.node.path, 'it is also the stable target group, so the rollout would move no traffic',
        'Point candidate at the target group of the new version.');
    }
    this.driver = props.driver === undefined ? RolloutDriver.stepFunctions() : RolloutDriver._require(`${where}: driver`, props.driver);
    const driven = this.driver.isDriven;
    if (driven) {
      pipelineOnly(this, where, props.step);
    } else if (props.alarms !== undefined && requireAlarms(`${where}: alarms`, props.alarms).length > 0) {
      fail(`${where}: alarms`, props.alarms, 'nothing reads them: the pipeline advances one deploy per step, and the load balancer moves no traffic by itself',
        'Drive the rollout with driver: RolloutDriver.stepFunctions() (the default), which rolls back when an alarm fires, or leave alarms out.');
    }

    const checks = staticRolloutChecks(where, driven, props.healthChecks, strategy, loadBalancedDefaultChecks());
    // Both target groups keep their full capacity: the load balancer moves requests, not capacity.
    this.currentPlan = strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: checks });
    const weights = this.currentPlan.steps.map(forwardWeights);
    const declared: ForwardWeights = { stable: 1, candidate: 0 };
    const step = driven ? undefined : currentStep(this, where, props.step, this.currentPlan);

    const testCondition = strategy.testRoute && albCondition(`${where}: strategy.testRoute`, strategy.testRoute);
    // Automatic priorities take a slot: the test rule its first priority, the production rule the second.
    const automatic = props.priority === undefined && hasAutomaticPriorities(listener);
    if (props.priority === undefined && !automatic) {
      fail(`${where}: priority`, undefined, 'the rollout\'s rule needs a priority of its own on the listener',
        'Pass a priority no other rule on the listener uses, such as 10, or let the library choose one with ListenerPriorities.automatic(listener).');
    }
    const priority = rulePriority(`${where}: priority`, automatic ? automaticPriority(this) + 1 : props.priority);
    const conditions = ruleConditions(`${where}: conditions`, props.conditions);
    checkRuleConditions(`${where}: conditions`, conditions, 'the production rule');
    if (props.testRouteSources !== undefined && testCondition === undefined) {
      fail(`${where}: testRouteSources`, props.testRouteSources, 'the strategy has no test route, so nobody is let through to the candidate early',
        'Add a test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRouteSources out.');
    }
    if (props.testPriority !== undefined && testCondition === undefined) {
      fail(`${where}: testPriority`, props.testPriority, 'the strategy has no test route, so there is no test rule to prioritize',
        'Leave testPriority out, or add a test route to the strategy.');
    }

    const rendered = candidate === undefined ? undefined : (driven ? declared : weights[step!.index - 1]);
    const action = candidate === undefined ? elbv2.ListenerAction.forward([stable])
      : elbv2.ListenerAction.weightedForward([
        { targetGroup: stable, weight: rendered!.stable },
        { targetGroup: candidate, weight: rendered!.candidate },
      ]);
    this.rule = new elbv2.ApplicationListenerRule(this, 'Resource', { listener, priority, conditions, action });

    if (testCondition !== undefined && candidate !== undefined) {
      const testPriority = rulePriority(`${where}: testPriority`, props.testPriority ?? priority - 1);
      if (testPriority >= priority) {
        fail(`${where}: testPriority`, testPriority, `the test rule must be evaluated before the production rule (priority ${priority}), so its priority must be lower`,
          `Use a testPriority below ${priority}, or raise priority.`);
      }
      if (conditions.some(c => c.renderRawCondition()?.field === 'source-ip')) {
        fail(`${where}: conditions`, conditions, 'an ALB listener rule takes at most one source-ip condition, and the test rule sets its own from testRouteSources',
          'Leave the source-ip condition out of conditions, and list the ranges allowed to test in testRouteSources.');
      }
      const sources = elbv2.ListenerCondition.sourceIps(sourceRanges(`${where}: testRouteSources`, props.testRouteSources ?? PRIVATE_RANGES));
      checkRuleConditions(`${where}: conditions`, conditions, 'the test rule (with the test route and its sources)', [testCondition, sources]);
      this.testRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
        listener, priority: testPriority, conditions: [...conditions, testCondition, sources], action: elbv2.ListenerAction.forward([candidate]),
      });
    }
    const testOffset = testCondition === undefined ? undefined : (props.testPriority ?? priority - 1) - priority;
    registerListenerRules(this, {
      where,
      listener,
      source: automatic ? 'automatic' : 'given',
      base: priority,
      ...productionAndTestRange(testOffset, props.testPriority !== undefined),
      conditionsProp: 'conditions',
      rules: [
        { rule: this.rule, role: 'the production rule', consequence: 'the rollout would receive no request', prop: 'priority', propValue: priority },
        ...(this.testRule ? [{
          rule: this.testRule, role: 'the test rule', consequence: 'the test route would never reach the candidate', prop: 'testPriority', propValue: props.testPriority ?? priority - 1,
        }] : []),
      ],
    });
    for (const alarm of requireAlarms(`${where}: alarms`, props.alarms)) this.addAlarm(alarm);
    if (checks !== undefined && candidate !== undefined) {
      // The rule has attached the candidate target group to the listener: its metrics exist. The
      // alarms are measured in a scope of their own, their names as construct ids.
      const scopeOfChecks = new Construct(this, 'HealthChecks');
      this.health = new HealthCheckAlarms({
        backend: BACKEND,
        where,
        scope: scopeOfChecks,
        purpose: 'the rollout driver rolls the release back',
        sources: [{
          scope: scopeOfChecks,
          metrics: () => targetGroupMetrics(candidate, `${where}: candidate`, 'Use a target group of an Application Load Balancer.'),
        }],
      }, checks);
    }

    let controller = BACKEND;
    let recorded: (() => RecordedDriver) | undefined;
    if (driven && candidate !== undefined) {
      const cfn = this.rule.node.defaultChild as elbv2.CfnListenerRule;
      const driver = renderDriver(this, {
        where,
        driver: this.driver,
        plan: this.currentPlan,
        backend: albBackend({
          rule: { logicalId: Stack.of(this).resolve(cfn.logicalId), arn: this.rule.listenerRuleArn },
          stableTargetGroupArn: stable.targetGroupArn,
          candidateTargetGroupArn: candidate.targetGroupArn,
          weights,
          declared,
        }),
        candidate: cfn,
        alarms: () => [...this.alarms, ...this.health?.alarms ?? []],
        maxWriteSeconds: 0,
      });
      this.stateMachine = driver.stateMachine;
      this.stateMachineName = driver.stateMachineName;
      this.notificationTopic = driver.topic;
      controller = drivenController(BACKEND, driver);
      recorded = () => recordedDriver(driver);
    }
    this.step = candidate === undefined ? undefined : step;
    recordPlan(this, () => this.plan, controller, recorded);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: BACKEND,
      // Without a candidate nothing is being released.
      get plan() {
        return candidate && self.plan;
      },
      // With the driver, the health checks' alarms and the rollout's own roll it back.
      rollbackTriggers: () => (this.stateMachine
        ? alarmRollbackTriggers(this.health?.names ?? [], this.healthCheckAlarms, this.alarms) : []),
      healthChecks: () => (this.stateMachine ? this.health?.names ?? [] : []),
      testRoute: () => testRuleRoute(strategy, this.testRule),
    });
    if (!driven) {
      this.node.addMetadata(STEP_METADATA_TYPE, {
        step: this.step?.index,
        contextKey: stepContextKey(this),
        stableWeight: this.step?.stableWeight ?? 100,
        candidateWeight: this.step?.candidateWeight ?? 0,
      });
    }
  }

  /** The traffic plan the rule follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The alarms of every health check, in the order the checks were added (none without the driver or a candidate). */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.health?.alarms ?? [];
  }

  /**
   * Adds a health check that rolls the rollout back, rendered as an alarm on the candidate target
   * group that the driver reads. The plan lists it. Only with the Step Functions driver and a candidate.
   */
  public addHealthCheck(check: HealthCheck): void {
    const where = `AlbWeightedRollout ${this.node.path}`;
    if (this.health === undefined) {
      fail(`${where}: addHealthCheck`, check instanceof HealthCheck ? check.describe() : check,
        this.driver.isDriven ? 'the rollout has no candidate to measure' : 'nothing would measure it: the pipeline advances one deploy per step, and nothing rolls the rollout back',
        this.driver.isDriven ? 'Add the check with the next release\'s candidate.' : 'Drive the rollout with driver: RolloutDriver.stepFunctions().');
    }
    this.health.add(check, `${where}: addHealthCheck`);
    this.currentPlan = this.strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: this.health.checks });
  }

  /** Adds an alarm that rolls the rollout back: the driver reads it while each step bakes. Only with the Step Functions driver. */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    const where = `AlbWeightedRollout ${this.node.path}`;
    requireAlarm(`${where}: alarm`, alarm);
    if (!this.driver.isDriven) {
      fail(`${where}: alarm`, alarm.node?.path ?? alarm, 'nothing reads it: the pipeline advances one deploy per step, and the load balancer moves no traffic by itself',
        'Drive the rollout with driver: RolloutDriver.stepFunctions() (the default), which rolls back when an alarm fires.');
    }
    this.alarms.push(alarm);
  }
}

function targetGroup(prop: string, value: unknown): elbv2.IApplicationTargetGroup {
  if (typeof value !== 'object' || value === null || !('targetGroupArn' in value) || !('registerListener' in value)) {
    fail(prop, value, 'it must be an Application Load Balancer target group (elbv2.IApplicationTargetGroup)',
      'Pass an elbv2.ApplicationTargetGroup, such as the one an Auto Scaling group or an ECS service registers in.');
  }
  return value as elbv2.IApplicationTargetGroup;
}
