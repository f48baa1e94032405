import { Duration, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DnsTarget } from './dns-target';
import { HealthCheck } from '../core/health-check';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { currentStep, stepContextKey } from '../core/private/step';
import { fail, struct, wholeSeconds } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { requireAlarm, requireAlarms } from './private/alarms';
import { drivenController, pipelineOnly, recordedDriver, staticRolloutChecks } from './private/driven-rollout';
import { renderDriver } from './private/driver-resources';
import { route53Backend } from './private/driver-route53';
import { alarmRollbackTriggers } from './private/guardrail-facts';
import { HealthCheckAlarms, loadBalancedDefaultChecks, loadBalancerMetrics } from './private/health-check-alarms';
import { RecordedDriver, recordPlan, STEP_METADATA_TYPE } from './private/plan-metadata';
import { MAX_ROUTE53_WEIGHT, planWeights } from './private/route53-weights';
import { RolloutDriver } from './rollout-driver';
import { registerGuardrailFacts, TriggerFacts } from '../guardrails/private/facts';

/** Route 53 set identifiers are 1 to 128 characters. */
const MAX_SET_IDENTIFIER = 128;
/**
 * Route 53 names (Developer Guide, "DNS domain name format", after RFC 1035): each label up to 63
 * bytes, the whole name up to 255 bytes including the dots. The guide does not say whether the
 * final dot counts; it is left out, as aws-cdk-lib does for zone names, so no name Route 53
 * accepts is refused.
 */
const MAX_LABEL_BYTES = 63;
const MAX_NAME_BYTES = 255;
const DEFAULT_TTL_SECONDS = 60;
/** The TTL of an alias record to an Elastic Load Balancing load balancer, which Route 53 fixes at 60 seconds. */
const ELB_ALIAS_TTL_SECONDS = 60;

/** Props for a `WeightedDnsRollout`. */
export interface WeightedDnsRolloutProps {
  /** The hosted zone the weighted records go in. */
  readonly zone: route53.IHostedZone;

  /**
   * The name clients resolve, relative to the zone (`www`) or fully qualified (`www.example.com.`).
   * A fully qualified name must be in the zone: the zone name itself or a name below it.
   *
   * @default - the zone apex
   */
  readonly recordName?: string;

  /** Where the version serving now runs. Its record is `Stable`, with set identifier `<id>-stable`. */
  readonly stable: DnsTarget;

  /**
   * Where the new version runs, beside the stable one at full size. Its record is `Candidate`,
   * with set identifier `<id>-candidate`; it must render the same record type as `stable`.
   *
   * Without it nothing is rolling out: only the `Stable` record exists and receives all traffic.
   * Leave it out between releases, or to roll a canary back entirely (its steps all send the
   * candidate some traffic).
   *
   * @default - no rollout in progress
   */
  readonly candidate?: DnsTarget;

  /**
   * How traffic moves to the candidate: any strategy without a test route, whose every step
   * Route 53 weights (whole numbers from 0 to 255) express exactly; every whole or half percent does.
   */
  readonly strategy: Strategy;

  /**
   * Who moves the traffic from step to step. `RolloutDriver.stepFunctions()`: the deploy that
   * changes the candidate runs the whole plan, and the alarms (`alarms`, `addAlarm()`) roll it back.
   * `RolloutDriver.pipeline()`: one deploy per step (`step`).
   *
   * @default RolloutDriver.pipeline()
   */
  readonly driver?: RolloutDriver;

  /**
   * Alarms that roll the rollout back: with `RolloutDriver.stepFunctions()`, the driver reads them
   * while each step bakes and puts all traffic back on the stable target when one is in ALARM. Add
   * more with `addAlarm()`. Without the driver nothing reads them, and they are refused.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * With `RolloutDriver.stepFunctions()`: the health checks that roll the rollout back, in place of
   * the strategy's (`[]` for none). They are rendered as CloudWatch alarms on the candidate's load
   * balancer (`DnsTarget.loadBalancer()` with an Application Load Balancer), which the driver reads
   * like `alarms`; another target has no request metrics to measure, so give it a check of your own
   * (`aws.CloudWatchHealthCheck.alarm()` or `.metric()`). Without the driver nothing would act on
   * them, and they are refused.
   *
   * @default - the strategy's health checks; without any, for an Application Load Balancer candidate,
   * 5xx above 1% and p99 latency above 2 seconds, each for 2 one-minute windows of 10 or more requests
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * The step of the plan to render, from 1, as numbered in the plan's table. Only with
   * `RolloutDriver.pipeline()` (a driven rollout runs every step itself), and refused without a
   * candidate, when no step applies.
   *
   * @default - the context value `<construct path>:step` (`cdk deploy -c 'Stack/Web:step=2'`), else step 1
   */
  readonly step?: number;

  /**
   * How long resolvers cache the answer of a record that is not an alias (IP address and domain
   * name targets); alias records take the TTL of their target. Keep it short: each step and each
   * health check failover reaches clients only once their cached answers expire.
   *
   * Every record of a weighted group has the same TTL. With a load balancer target
   * (`DnsTarget.loadBalancer()`, whose alias record answers with a TTL of 60 seconds) beside an IP
   * address target, the TTL must be 60 seconds: another value changes the effect of the weights.
   *
   * @default Duration.minutes(1)
   */
  readonly ttl?: Duration;
}

/**
 * Shifts the traffic of one DNS name from a stable environment to a candidate by a `Strategy`,
 * with two weighted Route 53 records, `Stable` and `Candidate`, weighted by the current step of
 * the plan.
 *
 * Route 53 holds weights, not a timeline. With `driver: RolloutDriver.stepFunctions()`, the
 * template declares everything on the stable record and one deploy that changes the candidate runs
 * the whole plan: a Step Functions state machine sets each step's weights, holds its gate while it
 * reads the rollout's alarms, and puts everything back on the stable record when one fires (see
 * `RolloutDriver`). Otherwise (`RolloutDriver.pipeline()`, the default) a pipeline advances the
 * rollout one deploy per step: `cdk deploy -c '<construct path>:step=1'`, then it holds the step's
 * gate (bake time, approval, analysis: `plan.steps[i].gate`), then deploys step 2, and so on until
 * the last step sends everything to the candidate. The step comes from the `step` prop, else from
 * that context key, else it is step 1. Weights are whole numbers from 0 to 255, each step's share as a fraction in
 * lowest terms (10% is 9 and 1, 0% is 1 and 0); a step they cannot express exactly fails at
 * construction, whichever step is rendered.
 *
 * Both environments run at full size throughout (`CapacityMode.FULL_COPY`). Blue-green is one
 * switch: step 1 keeps everything on `stable`, step 2 sends everything to `candidate`. A test
 * route is refused, since DNS cannot match headers: test the idle environment at its own address.
 *
 * Without the driver, Route 53 cannot roll back by itself. To roll back, deploy again without
 * `candidate` (everything on `stable`), or an earlier step. Health checks (`DnsTarget` options) only fail over: while a
 * record's check fails, Route 53 answers with the other record, and a record of weight 0 answers
 * only when every record with a weight is unhealthy; the deployed weights do not change.
 *
 * The set identifiers belong to the roles, not to the environments, so every deploy updates the
 * records in place. The last step can stay deployed between releases; the next release swaps the
 * two targets (the environment serving everything becomes `stable`, the idle one with the new
 * version `candidate`) and starts again at step 1.
 *
 * CloudFormation updates `Stable` before `Candidate`, so for the moment between the two updates
 * the new stable weight meets the old candidate weight. A swap keeps all traffic on the serving
 * environment meanwhile, and so does removing the candidate (`Stable` alone has weight 255). Every
 * step of a plan has the same total weight where one fits in 255 (10% then 25% is 18:2 then 15:5),
 * so a step passes through a share between the old step's and the new one's; the blue-green switch
 * from 1:0 to 0:1 passes through 0:0, an equal split, until the candidate record follows.
 *
 * @example
 * declare const zone: route53.IHostedZone;
 * declare const blue: elbv2.ApplicationLoadBalancer;
 * declare const green: elbv2.ApplicationLoadBalancer;
 * // `cdk deploy -c 'Stack/Web:step=2'` renders step 2; without it, step 1.
 * const web = new aws.WeightedDnsRollout(this, 'Web', {
 *   zone,
 *   recordName: 'www',
 *   stable: aws.DnsTarget.loadBalancer(blue, { evaluateTargetHealth: true }),
 *   candidate: aws.DnsTarget.loadBalancer(green, { evaluateTargetHealth: true }),
 *   strategy: Strategy.canary({
 *     steps: [
 *       { weight: 10, gate: StepGate.bake(Duration.minutes(30)) },
 *       { weight: 50, gate: StepGate.manualApproval() },
 *     ],
 *   }),
 * });
 * console.log(web.plan.toTable());
 */
export class WeightedDnsRollout extends Construct {
  /** Who moves the traffic from step to step. */
  public readonly driver: RolloutDriver;
  /**
   * The state machine that drives the rollout, with `RolloutDriver.stepFunctions()` and a candidate.
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
  /**
   * The step of the plan the records render.
   *
   * @default - undefined without a candidate: all traffic goes to the stable target
   */
  public readonly step?: PlanStep;
  /** The context key that chooses the step: `<construct path>:step`. */
  public readonly stepContextKey: string;
  /** The weighted record of the stable target. */
  public readonly stableRecord: route53.RecordSet;
  /**
   * The weighted record of the candidate target.
   *
   * @default - undefined without a candidate
   */
  public readonly candidateRecord?: route53.RecordSet;

  private readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly health?: HealthCheckAlarms;
  private readonly strategy: Strategy;
  private currentPlan: TrafficPlan;

  constructor(scope: Construct, id: string, props: WeightedDnsRolloutProps) {
    super(scope, id);
    const where = `WeightedDnsRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { zone, stable, candidate, strategy }.');
    this.driver = props.driver === undefined ? RolloutDriver.pipeline() : RolloutDriver._require(`${where}: driver`, props.driver);
    const driven = this.driver.isDriven;
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    const zone = props.zone;
    if (typeof zone !== 'object' || zone === null || !('hostedZoneId' in zone) || !('zoneName' in zone)) {
      fail(`${where}: zone`, zone, 'it must be a Route 53 hosted zone (route53.IHostedZone)',
        'Pass a route53.PublicHostedZone, or one imported with route53.HostedZone.fromHostedZoneAttributes().');
    }
    const stable = target(`${where}: stable`, props.stable);
    const candidate = props.candidate === undefined ? undefined : target(`${where}: candidate`, props.candidate);
    if (candidate && stable._key === candidate._key) {
      fail(`${where}: candidate`, candidate.description, 'it is also the stable target, so the rollout would move no traffic',
        'Point candidate at the environment that runs the new version.');
    }
    if (candidate && stable.recordType !== candidate.recordType) {
      fail(`${where}: candidate`, candidate.description,
        'Route 53 weighs records of one name and type against each other, and the candidate renders '
        + `${article(candidate.recordType)} ${candidate.recordType} record while the stable target (${stable.description}) renders `
        + `${article(stable.recordType)} ${stable.recordType} record`,
        'Use A targets for both (DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress()) or domain names for both (DnsTarget.domainName()).');
    }
    if (strategy.testRoute) {
      fail(`${where}: strategy`, strategy.describe(),
        'Route 53 weighted records cannot express a test route: DNS answers by weight and sees no headers, cookies or query strings',
        'Remove the testRoute and test the candidate at its own address (such as its load balancer\'s DNS name), or use a load balancer rollout for a header route.');
    }

    const recordName = props.recordName;
    if (recordName !== undefined && (typeof recordName !== 'string' || recordName.length === 0)) {
      fail(`${where}: recordName`, recordName, 'it must be a non-empty name', 'Pass a name such as "www", or leave recordName out for the zone apex.');
    }
    if (recordName !== undefined) {
      checkInZone(`${where}: recordName`, zone, recordName);
      checkNameLength(`${where}: recordName`, zone, recordName);
    }
    if (stable.recordType === route53.RecordType.CNAME && isApex(zone, recordName)) {
      fail(`${where}: recordName`, recordName ?? zone.zoneName, 'DNS allows no CNAME record at the zone apex',
        'Give the records a name below the apex, such as "www", or use A targets (DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress()).');
    }
    const roles: Array<[string, DnsTarget]> = [['stable', stable]];
    if (candidate) roles.push(['candidate', candidate]);
    for (const [role, t] of roles) {
      if (t._kind === 'cloudFront' && zone instanceof route53.PrivateHostedZone) {
        fail(`${where}: ${role}`, t.description, 'Route 53 allows no alias record to a CloudFront distribution in a private hosted zone',
          'Use a public hosted zone for a CloudFront target.');
      }
    }
    const ttl = ttlFor(where, props.ttl, roles.map(([, t]) => t));
    if (id.length + '-candidate'.length > MAX_SET_IDENTIFIER) {
      fail(`${where}: id`, id, `the set identifiers "<id>-stable" and "<id>-candidate" are at most ${MAX_SET_IDENTIFIER} characters`,
        `Use a construct id of at most ${MAX_SET_IDENTIFIER - '-candidate'.length} characters.`);
    }

    // Driven, the candidate's load balancer is measured; with the pipeline, nothing acts on checks.
    const candidateAlb = candidate && applicationLoadBalancer(candidate);
    const checks = staticRolloutChecks(where, driven, props.healthChecks, strategy, candidateAlb ? loadBalancedDefaultChecks() : []);
    // Both environments run at full size: DNS moves requests, not capacity.
    this.strategy = strategy;
    this.currentPlan = strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: checks });
    // Every step is checked, and so is the step chosen, even without a candidate: a mistake fails
    // now rather than when the next release starts.
    const weights = planWeights(`${where}: strategy`, this.currentPlan);
    this.stepContextKey = stepContextKey(this);
    if (candidate === undefined && props.step !== undefined) {
      fail(`${where}: step`, props.step, 'there is no candidate, so no step of the plan applies',
        'Add the candidate target to release, or leave step out (a rollback deploy leaves out the candidate alone).');
    }
    if (driven) {
      pipelineOnly(this, where, props.step);
      drivenRoute53Checks(where, zone, recordName);
    } else if (props.alarms !== undefined && requireAlarms(`${where}: alarms`, props.alarms).length > 0) {
      fail(`${where}: alarms`, props.alarms, 'nothing reads them: Route 53 moves no traffic by itself, and the pipeline advances one deploy per step',
        'Drive the rollout with driver: RolloutDriver.stepFunctions(), which rolls back when an alarm fires, or leave alarms out.');
    }
    const step = driven ? this.currentPlan.steps[0] : currentStep(this, where, props.step, this.currentPlan);
    // Driven: the template declares the start (everything on the stable record, in the plan's
    // total weight), and the driver moves the weights from there. A deploy that rewrites the
    // records mid-rollout sends everything back to the stable target, never somewhere undeclared.
    const declared = { stable: weights[0].stable + weights[0].candidate, candidate: 0 };

    const record = (recordId: string, t: DnsTarget, weight: number) => new route53.RecordSet(this, recordId, {
      zone,
      recordName: qualifiedName(zone, recordName),
      recordType: t.recordType,
      target: t._target,
      weight,
      // Fixed per role, so a new step or a swap of targets updates the record in place.
      setIdentifier: `${id}-${recordId.toLowerCase()}`,
      healthCheck: t.healthCheck,
      ttl: t.isAlias ? undefined : ttl,
    });
    const rendered = !candidate ? { stable: MAX_ROUTE53_WEIGHT, candidate: undefined } : (driven ? declared : weights[step.index - 1]);
    this.stableRecord = record('Stable', stable, rendered.stable);
    if (candidate) {
      this.step = driven ? undefined : step;
      this.candidateRecord = record('Candidate', candidate, rendered.candidate!);
      // Stable first: when the next release swaps the targets, both records point at the serving
      // environment until the candidate record moves to the idle one.
      this.candidateRecord.node.addDependency(this.stableRecord);
    }
    for (const alarm of requireAlarms(`${where}: alarms`, props.alarms)) this.addAlarm(alarm);
    if (checks !== undefined && candidate !== undefined) {
      // The alarms are measured in a scope of their own, their names as construct ids.
      const scopeOfChecks = new Construct(this, 'HealthChecks');
      this.health = new HealthCheckAlarms({
        backend: 'Route 53 weighted records',
        where,
        scope: scopeOfChecks,
        purpose: 'the rollout driver rolls the release back',
        sources: candidateAlb ? [{ scope: scopeOfChecks, metrics: () => loadBalancerMetrics(candidateAlb) }] : [],
        withoutSources: `Route 53 measures nothing itself, and the candidate (${candidate.description}) is not an Application Load Balancer with request metrics: `
          + 'watch it with an alarm of your own, healthChecks: [aws.CloudWatchHealthCheck.alarm(alarm)], or point the records at an Application Load Balancer.',
      }, checks);
    }

    const backend = 'Route 53 weighted records';
    let controller = backend;
    let recorded: (() => RecordedDriver) | undefined;
    if (driven && candidate && this.candidateRecord) {
      const cfn = (r: route53.RecordSet) => r.node.defaultChild as route53.CfnRecordSet;
      const driver = renderDriver(this, {
        where,
        driver: this.driver,
        plan: this.currentPlan,
        backend: route53Backend({
          hostedZoneId: zone.hostedZoneId,
          hostedZoneArn: zone.hostedZoneArn,
          recordName: cfn(this.stableRecord).name,
          recordType: stable.recordType,
          stableSetIdentifier: cfn(this.stableRecord).setIdentifier!,
          candidateSetIdentifier: cfn(this.candidateRecord).setIdentifier!,
          alias: stable.isAlias,
          stableHealthCheck: stable.healthCheck !== undefined,
          candidateHealthCheck: candidate.healthCheck !== undefined,
          weights,
          declared,
        }),
        candidate: cfn(this.candidateRecord),
        alarms: () => [...this.alarms, ...this.health?.alarms ?? []],
        maxWriteSeconds: 300,
      });
      this.stateMachine = driver.stateMachine;
      this.stateMachineName = driver.stateMachineName;
      this.notificationTopic = driver.topic;
      controller = drivenController(backend, driver);
      recorded = () => recordedDriver(driver);
    }
    recordPlan(this, () => this.plan, controller, recorded);
    const health: TriggerFacts | undefined = candidate?.healthCheck && { kind: 'HEALTH_CHECK', description: 'the Route 53 health check of the candidate' };
    // Without a candidate (a rollback, or between releases) nothing is being released. With the
    // driver, the alarms roll the rollout back.
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend,
      get plan() {
        return candidate && self.plan;
      },
      rollbackTriggers: () => [
        ...(this.stateMachine
          ? alarmRollbackTriggers(this.health?.names ?? [], this.healthCheckAlarms, this.alarms) : []),
        ...(health ? [health] : []),
      ],
      healthChecks: () => (this.stateMachine ? this.health?.names ?? [] : []),
    });
    if (!driven) {
      this.node.addMetadata(STEP_METADATA_TYPE, {
        step: this.step?.index,
        contextKey: this.stepContextKey,
        stableWeight: this.step?.stableWeight ?? 100,
        candidateWeight: this.step?.candidateWeight ?? 0,
        recordWeights: rendered,
      });
    }
  }

  /** The traffic plan the records follow, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The alarms of every health check, in the order the checks were added (none without the driver or a candidate). */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.health?.alarms ?? [];
  }

  /**
   * Adds a health check that rolls the rollout back, rendered as an alarm the driver reads. The
   * plan lists it. Only with `RolloutDriver.stepFunctions()` and a candidate.
   */
  public addHealthCheck(check: HealthCheck): void {
    const where = `WeightedDnsRollout ${this.node.path}`;
    if (this.health === undefined) {
      fail(`${where}: addHealthCheck`, check instanceof HealthCheck ? check.describe() : check,
        this.driver.isDriven ? 'the rollout has no candidate to measure' : 'nothing would measure it: the pipeline advances one deploy per step, and nothing rolls the rollout back',
        this.driver.isDriven ? 'Add the check with the next release\'s candidate.' : 'Drive the rollout with driver: RolloutDriver.stepFunctions().');
    }
    this.health.add(check, `${where}: addHealthCheck`);
    this.currentPlan = this.strategy.plan({ capacity: CapacityMode.FULL_COPY, healthChecks: this.health.checks });
  }

  /**
   * Adds an alarm that rolls the rollout back: the driver reads it while each step bakes. Only with
   * `RolloutDriver.stepFunctions()`.
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    const where = `WeightedDnsRollout ${this.node.path}`;
    requireAlarm(`${where}: alarm`, alarm);
    if (!this.driver.isDriven) {
      fail(`${where}: alarm`, alarm.node?.path ?? alarm, 'nothing reads it: Route 53 moves no traffic by itself, and the pipeline advances one deploy per step',
        'Drive the rollout with driver: RolloutDriver.stepFunctions(), which rolls back when an alarm fires.');
    }
    this.alarms.push(alarm);
  }
}

/**
 * What the driver needs of the records: a name known at synth, which its IAM policy names (Route 53's
 * record-name condition key). Their set identifiers (`<id>-stable`, `<id>-candidate`) take any
 * construct id: the driver lists from them and compares them as literal strings.
 */
function drivenRoute53Checks(where: string, zone: route53.IHostedZone, recordName: string | undefined): void {
  if (Token.isUnresolved(zone.zoneName) || (recordName !== undefined && Token.isUnresolved(recordName))) {
    fail(`${where}: zone`, zone.node?.path ?? zone, 'the driver may change only its own records, and its IAM policy names them, so the record name must be known at synth',
      'Use a hosted zone whose name is known in the app (route53.PublicHostedZone, or HostedZone.fromHostedZoneAttributes() with zoneName) and a literal recordName.');
  }
}

/** The candidate's Application Load Balancer, whose request metrics its health checks read, if it is one. */
function applicationLoadBalancer(t: DnsTarget): elbv2.IApplicationLoadBalancer | undefined {
  const lb = t._key as Partial<elbv2.IApplicationLoadBalancer>;
  return t._kind === 'loadBalancer' && typeof lb.metrics?.httpCodeTarget === 'function' ? lb as elbv2.IApplicationLoadBalancer : undefined;
}

function target(prop: string, value: unknown): DnsTarget {
  if (!DnsTarget._isDnsTarget(value)) {
    fail(prop, value, 'it must be a DnsTarget', 'Use DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress() or DnsTarget.domainName().');
  }
  return value;
}

function article(recordType: string): string {
  return /^[AEIOU]/.test(recordType) ? 'an' : 'a';
}

/** A literal name as DNS compares it: letter case aside, without the final dot. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Whether a literal name is the zone name or a name below it, as DNS compares names. */
function endsInZone(name: string, zoneName: string): boolean {
  const n = canonical(name);
  const z = canonical(zoneName);
  return n === z || n.endsWith(`.${z}`);
}

/** Whether the records are at the zone apex, as far as a literal name and zone name tell. */
function isApex(zone: route53.IHostedZone, recordName: string | undefined): boolean {
  if (recordName === undefined) return true;
  if (Token.isUnresolved(recordName) || Token.isUnresolved(zone.zoneName)) return false;
  return canonical(recordName) === canonical(zone.zoneName);
}

/**
 * The name to give aws-cdk-lib: a relative name that already ends in the zone name, in any letter
 * case, is that name fully qualified. aws-cdk-lib recognizes such a name only in the zone name's
 * own letter case, and would append the zone name again to `www.Example.com` (DNS names ignore
 * case), giving `www.Example.com.example.com.`.
 */
function qualifiedName(zone: route53.IHostedZone, recordName: string | undefined): string | undefined {
  if (recordName === undefined || recordName.endsWith('.') || Token.isUnresolved(recordName) || Token.isUnresolved(zone.zoneName)) return recordName;
  // A change of output: `www.Example.com` in example.com rendered the wrong `www.Example.com.example.com.` before.
  return endsInZone(recordName, zone.zoneName) ? `${recordName}.` : recordName;
}

/**
 * Refuses a fully qualified name (ending in ".") outside the zone: CloudFormation would accept the
 * template and Route 53 refuse the record at deploy. Relative names are always in the zone (the
 * zone name is appended), and names not known until deploy time are left to Route 53.
 */
function checkInZone(prop: string, zone: route53.IHostedZone, recordName: string): void {
  if (!recordName.endsWith('.') || Token.isUnresolved(recordName) || Token.isUnresolved(zone.zoneName)) return;
  if (!endsInZone(recordName, zone.zoneName)) {
    const zoneName = canonical(zone.zoneName);
    fail(prop, recordName,
      `a fully qualified name must be in the hosted zone "${zoneName}": the zone name itself or a name ending in ".${zoneName}.", and Route 53 refuses any other at deploy`,
      `Use a name in the zone, such as "www" or "www.${zoneName}.", or pass the hosted zone that holds ${recordName}`);
  }
}

/**
 * Refuses a name Route 53 refuses at deploy for its length, which CloudFormation accepts: a label
 * (the part between two dots) of more than 63 bytes, or none, or more than 255 bytes in all once
 * the zone name is appended. Where the zone name is not known until deploy time, a relative name
 * has only its labels checked.
 */
function checkNameLength(prop: string, zone: route53.IHostedZone, recordName: string): void {
  if (Token.isUnresolved(recordName)) return;
  const known = !Token.isUnresolved(zone.zoneName);
  const name = recordName.replace(/\.$/, '');
  const full = !known || recordName.endsWith('.') || endsInZone(name, zone.zoneName) ? name : `${name}.${canonical(zone.zoneName)}`;
  for (const label of full.split('.')) {
    const bytes = octets(label);
    if (bytes === 0 || bytes > MAX_LABEL_BYTES) {
      fail(prop, recordName,
        `each label of a Route 53 name (the part between two dots) is 1 to ${MAX_LABEL_BYTES} bytes long, and `
        + (bytes === 0 ? 'this name has an empty one' : `"${label}" has ${bytes}`),
        bytes === 0 ? 'Remove the dot at the start, or one of the two dots in a row.' : `Shorten the label to at most ${MAX_LABEL_BYTES} bytes.`);
    }
  }
  const bytes = octets(full);
  if ((known || recordName.endsWith('.')) && bytes > MAX_NAME_BYTES) {
    fail(prop, recordName,
      `a Route 53 name is at most ${MAX_NAME_BYTES} bytes, including the dots, and ${known ? `in the zone "${canonical(zone.zoneName)}" ` : ''}this one has ${bytes}`,
      'Use a shorter name, or fewer labels.');
  }
}

/** The bytes of a name as Route 53 counts them: an escape code such as `\052` (for `*`) is one byte. */
function octets(text: string): number {
  return Buffer.byteLength(text.replace(/\\(\d{3}|.)/g, '_'), 'utf8');
}

function ttlFor(where: string, ttl: unknown, targets: DnsTarget[]): Duration {
  if (ttl === undefined) return Duration.seconds(DEFAULT_TTL_SECONDS);
  const seconds = wholeSeconds(`${where}: ttl`, ttl, {
    minSeconds: 0,
    fix: 'Use a short TTL such as Duration.minutes(1), so each step reaches clients quickly.',
  });
  if (targets.every(t => t.isAlias)) {
    fail(`${where}: ttl`, ttl, 'its targets render alias records, which take the TTL of their target',
      'Leave ttl out; it applies to IP address and domain name targets only.');
  }
  // Route 53 answers for a load balancer's alias record with the load balancer's TTL, 60 seconds.
  // Resolvers that cache the other record of the group for longer (or shorter) ask for the two
  // answers at different rates, and the weights no longer give the split they say.
  const loadBalancer = targets.find(t => t._kind === 'loadBalancer');
  if (loadBalancer && targets.some(t => !t.isAlias) && seconds !== ELB_ALIAS_TTL_SECONDS) {
    fail(`${where}: ttl`, ttl,
      `the weighted records mix an alias record to ${loadBalancer.description}, which answers with the load balancer's TTL of ${ELB_ALIAS_TTL_SECONDS} seconds, `
      + 'with a record that is not an alias, and Route 53 splits traffic by the weights only when every record of the group has the same TTL',
      `Leave ttl out (it defaults to ${ELB_ALIAS_TTL_SECONDS} seconds) or set it to Duration.seconds(${ELB_ALIAS_TTL_SECONDS}); for another TTL, use IP address targets on both sides.`);
  }
  return Duration.seconds(seconds);
}
