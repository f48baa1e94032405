import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Experiment } from '../core/experiment';
import { HealthCheck } from '../core/health-check';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { requireAlarm, requireAlarms } from './private/alarms';
import {
  checkPlan, CLOUDFRONT_CD, experimentTraffic, PROMOTE_COMMAND, singleHeader, singleWeight, stickinessSeconds,
} from './private/cloudfront-traffic-config';
import { cloudFrontDefaultChecks, drivenController, pipelineOnly, recordedDriver, staticRolloutChecks } from './private/driven-rollout';
import { cloudFrontBackend, headerTraffic, PolicyTraffic, weightTraffic } from './private/driver-cloudfront';
import { Driver, renderDriver } from './private/driver-resources';
import { DashboardVariant, experimentDashboard } from './private/experiment-dashboard';
import { alarmRollbackTriggers } from './private/guardrail-facts';
import { cloudFrontAdditionalMetrics, cloudFrontMetrics, HealthCheckAlarms, HealthCheckSource } from './private/health-check-alarms';
import { recordExperiment, RecordedDriver, recordPlan } from './private/plan-metadata';
import { RolloutDriver } from './rollout-driver';
import { currentStep, stepContextKey } from '../core/private/step';
import { fail, struct, validDate } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import { declaredOrder, unrestrictedRoute } from '../guardrails/private/readers';

/** Props for a `CloudFrontContinuousDeployment`. */
export interface CloudFrontContinuousDeploymentProps {
  /**
   * The distribution that serves production, defined in this app and in this construct's stack.
   * The construct attaches the continuous deployment policy to it. It must already be deployed:
   * CloudFront attaches a policy to an existing distribution, so add this construct in a deploy
   * after the one that creates the primary.
   */
  readonly primary: cloudfront.Distribution;

  /**
   * The configuration under test: the props of the staging distribution, which the construct
   * creates as a CloudFront staging distribution (`Staging: true`). Typically the primary's props
   * with the change you are testing (a new origin, behavior, cache policy or function).
   *
   * A staging distribution has no domain names of its own (viewers reach it only through the
   * primary), so `domainNames` and `certificate` are refused; neither distribution may use HTTP/3.
   * With an S3 origin and origin access control, the bucket policy grants the staging
   * distribution too, as CloudFront requires.
   */
  readonly stagingDistributionProps: cloudfront.DistributionProps;

  /**
   * An A/B test with exactly one variant: selected by a header whose name starts with
   * `aws-cf-cd-` (`Match.header('aws-cf-cd-variant', 'b')`, every matching request, so the
   * experiment takes no `stickiness`), or by a weight of at most 15% (a whole percent) without a
   * match, kept for the experiment's `stickiness` (5 to 60 minutes) if set. An experiment switched off, before its start
   * date or past its end date renders the policy disabled, with a warning. Give either an experiment or a strategy.
   *
   * @default - no experiment: `strategy` drives the policy
   */
  readonly experiment?: Experiment;

  /**
   * A rollout whose steps before 100% send at most 15% of requests (whole percents) to the
   * staging distribution, such as `Strategy.CANARY_10PERCENT_30MINUTES`, or a blue-green
   * strategy whose test route is a header starting with `aws-cf-cd-`. The construct renders one
   * step per deploy (`step`); the 100% step is the promotion, which you run with `aws cloudfront
   * update-distribution-with-staging-config`. Give either an experiment or a strategy.
   *
   * @default - no strategy: `experiment` drives the policy
   */
  readonly strategy?: Strategy;

  /**
   * With a strategy: who moves the traffic from step to step. `RolloutDriver.stepFunctions()`: the
   * deploy that changes the staging distribution runs the whole plan, the 100% step included (the
   * driver promotes the staging configuration), and the alarms (`alarms`, `addAlarm()`) roll it
   * back. `RolloutDriver.pipeline()`: one deploy per step (`step`), the promotion by hand.
   *
   * @default RolloutDriver.pipeline()
   */
  readonly driver?: RolloutDriver;

  /**
   * With a strategy and `RolloutDriver.stepFunctions()`: alarms that roll the rollout back. The
   * driver reads them while each step bakes and switches the policy off when one is in ALARM. Add
   * more with `addAlarm()`.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Turns on CloudFront's additional metrics (a monitoring subscription, which CloudFront charges
   * per distribution) for the staging distribution and, with an experiment, for the primary too, so
   * that latency checks can read `OriginLatency`. The primary must have no monitoring subscription of
   * its own: CloudFront takes one per distribution.
   *
   * @default false - the standard metrics only: requests and error rates, no latency checks
   */
  readonly additionalMetrics?: boolean;

  /**
   * With a strategy and `RolloutDriver.stepFunctions()`: the health checks that roll the rollout
   * back, in place of the strategy's (`[]` for none), rendered as CloudWatch alarms on the staging
   * distribution's metrics (which CloudFront publishes in us-east-1: the stack must be there), read
   * by the driver like `alarms`. Refused with the pipeline, where nothing would act on them.
   *
   * @default - the strategy's health checks; without any, the staging distribution's 5xx error rate
   * above 1% for 2 one-minute windows of 10 or more requests
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * With a strategy: the plan step to render, numbered from 1 as in the plan's table
   * (`strategy.plan().toTable()`). A pipeline advances one deploy per step, holding the
   * strategy's gates between deploys. Only with `RolloutDriver.pipeline()`. A 0% step (blue-green's test phase) sends only the test
   * route's requests to the staging distribution, or, without a test route, none: the policy is
   * rendered disabled.
   *
   * @default - the CDK context value `<construct path>:step` (`cdk deploy -c <path>:step=2`), else step 1
   */
  readonly step?: number;

  /**
   * With a strategy: how long a viewer stays on the distribution it was given, so one user's
   * requests do not alternate between the two configurations. 5 to 60 minutes. An experiment
   * sets this through its own `stickiness`.
   *
   * @default - no stickiness: every request is allocated on its own
   */
  readonly sessionStickiness?: Duration;

  /**
   * With a strategy: whether the policy sends requests to the staging distribution. Set `false`
   * to roll back: every request goes to the primary again, while the staging distribution stays.
   * An experiment is switched off by its own `enabled`.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * With an experiment: the moment whose allocations are rendered. An experiment before its start
   * date or past its end date at this moment renders the policy disabled. Pass a fixed date for
   * reproducible templates.
   *
   * @default - now, when the construct is created
   */
  readonly at?: Date;
}

type TrafficConfig = cloudfront.CfnContinuousDeploymentPolicy.TrafficConfigProperty;

/** What a driver renders: the policy's traffic config and switch, and what it was derived from. */
interface Rendered {
  readonly trafficConfig: TrafficConfig;
  readonly enabled: boolean;
  readonly experiment?: Experiment;
  /** With an experiment: the moment rendered. */
  readonly at?: Date;
  readonly plan?: TrafficPlan;
  readonly step?: PlanStep;
  /** Driven: the policy of each step before the promotion. */
  readonly traffic?: (step: PlanStep) => PolicyTraffic;
  /** Driven: the policy the template declares. */
  readonly declared?: PolicyTraffic;
}

/** Which distributions already carry a policy from this library, and from which construct. */
const attached = new WeakMap<cloudfront.Distribution, string>();

/**
 * CloudFront continuous deployment for a distribution you already have: a staging distribution
 * built from the props you give, an `AWS::CloudFront::ContinuousDeploymentPolicy` that sends part
 * of the primary distribution's requests to it, and the policy attached to the primary
 * (`ContinuousDeploymentPolicyId`). aws-cdk-lib has no L2 for this.
 *
 * The policy follows an `Experiment` (one variant, by an `aws-cf-cd-` header or by a weight of at
 * most 15%) or one step of a `Strategy` (weights of at most 15%, or a blue-green header test
 * route). CloudFront cannot do more: one staging distribution, one header or one weight, at most
 * 15% by weight in whole percents, sticky sessions of 5 to 60 minutes. Anything else fails at
 * construction, naming what works instead. The plan (with a strategy) or the experiment's
 * allocations are recorded in the cloud assembly.
 *
 * An experiment is measured per side: a CloudWatch dashboard (`dashboard`) shows the control (the
 * primary distribution) beside the variant (the staging distribution), and each of the
 * experiment's `healthChecks` becomes an alarm per side (`variantAlarms`). CloudFront publishes
 * its metrics in us-east-1, so a stack with checks must be deployed there.
 *
 * Viewers never reach the staging distribution directly: only through the primary, by the
 * policy. CloudFront may also send every request to the primary at times of peak load on the
 * service, whatever the policy says.
 *
 * Deploy the primary distribution first, then add this construct in a later deploy: CloudFront
 * attaches a policy to an existing distribution. While the policy is attached, CloudFront
 * refuses to associate a web ACL with the primary for the first time, or to remove one.
 *
 * To promote the staging configuration once it has proved itself:
 *
 * 1. Read the ETag of both distributions (`aws cloudfront get-distribution --id <id>`), then run
 *    `aws cloudfront update-distribution-with-staging-config --id <primary id>
 *    --staging-distribution-id <staging id> --if-match "<primary ETag>, <staging ETag>"`.
 *    CloudFront copies the staging configuration onto the primary (which keeps its domain names)
 *    and disables the policy.
 * 2. In the app, give the primary distribution the configuration you promoted (the staging props,
 *    with the primary's domain names and certificate) and remove this construct, then deploy:
 *    the template matches what CloudFront serves, and the policy and the staging distribution are
 *    deleted. Add the construct again for the next change.
 *
 * To roll back instead, switch the policy off (`enabled: false`, or the experiment's `enabled`),
 * deploy, then remove the construct.
 *
 * A strategy can run by itself: with `driver: RolloutDriver.stepFunctions()` the template declares
 * the policy switched off (or a blue-green strategy's header test route), and one deploy that
 * changes the staging distribution starts a Step Functions state machine that sets each step's
 * weight, holds its gate while it reads the rollout's alarms (by default the staging distribution's
 * 5xx rate, whose metric is in us-east-1), switches the policy off again when one fires, and
 * promotes at the 100% step (step 1 above). Step 2 stays yours.
 *
 * @example
 * declare const bucket: s3.Bucket;
 * declare const site: cloudfront.Distribution;
 * new aws.CloudFrontContinuousDeployment(this, 'NewHomepage', {
 *   primary: site,
 *   stagingDistributionProps: {
 *     defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket, { originPath: '/b' }) },
 *     defaultRootObject: 'index.html',
 *   },
 *   experiment: new Experiment({
 *     name: 'new-homepage',
 *     variants: [{ name: 'b', match: Match.header('aws-cf-cd-variant', 'b') }],
 *   }),
 * });
 */
export class CloudFrontContinuousDeployment extends Construct {
  /** The staging distribution, serving the configuration under test. */
  public readonly stagingDistribution: cloudfront.Distribution;
  /** The continuous deployment policy attached to the primary distribution. */
  public readonly policy: cloudfront.CfnContinuousDeploymentPolicy;
  /** Whether the policy is rendered enabled, sending requests to the staging distribution. */
  public readonly policyEnabled: boolean;
  /** The experiment rendered, if the policy follows one. */
  public readonly experiment?: Experiment;
  /**
   * With an experiment: its dashboard, the requests, error rate and latency of the control (the
   * primary distribution) and the variant (the staging distribution) side by side.
   *
   * @default - undefined: the policy follows a strategy
   */
  public readonly dashboard?: cloudwatch.Dashboard;
  /**
   * With an experiment: the alarms of its health checks, by variant (the control's on the primary
   * distribution, the variant's on the staging distribution). Nothing acts on them: subscribe to
   * them, and switch the experiment off (its `enabled`) when the variant fails.
   *
   * @default - undefined: the policy follows a strategy
   */
  public readonly variantAlarms?: { [variant: string]: cloudwatch.IAlarm[] };
  /** The plan step rendered, if the policy follows a strategy and the pipeline drives it. */
  public readonly step?: PlanStep;
  /** Who moves the traffic from step to step. */
  public readonly driver: RolloutDriver;
  /**
   * The state machine that drives the rollout, with a strategy and `RolloutDriver.stepFunctions()`.
   *
   * @default - undefined: an experiment, or the pipeline drives the rollout
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
  private readonly additionalMetrics: boolean;
  private health?: HealthCheckAlarms;
  private currentPlan?: TrafficPlan;

  constructor(scope: Construct, id: string, props: CloudFrontContinuousDeploymentProps) {
    super(scope, id);
    const where = `CloudFrontContinuousDeployment ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { primary, stagingDistributionProps, experiment } or { primary, stagingDistributionProps, strategy }.');
    const primary = this.primaryOf(where, props.primary);
    const stagingProps = stagingPropsOf(where, props.stagingDistributionProps);
    this.driver = props.driver === undefined ? RolloutDriver.pipeline() : RolloutDriver._require(`${where}: driver`, props.driver);
    if (props.additionalMetrics !== undefined && typeof props.additionalMetrics !== 'boolean') {
      fail(`${where}: additionalMetrics`, props.additionalMetrics, 'it is true or false', 'Pass true to turn on CloudFront\'s additional metrics, or leave it out.');
    }
    this.additionalMetrics = props.additionalMetrics ?? false;

    if (props.experiment !== undefined && props.strategy !== undefined) {
      fail(`${where}: strategy`, describeStrategy(props.strategy), 'an experiment is given too, and one policy follows one of them',
        'Pass either an experiment or a strategy.');
    }
    if (props.experiment === undefined && props.strategy === undefined) {
      fail(`${where}: experiment or strategy`, undefined, 'the policy needs an experiment or a strategy to send requests to the staging distribution by',
        'Pass an experiment (an A/B test with one variant) or a strategy (a canary whose steps before 100% are 15% or less).');
    }
    const rendered = props.experiment !== undefined ? this.renderExperiment(where, props) : this.renderStrategy(where, props);
    const { trafficConfig, enabled } = rendered;
    this.policyEnabled = enabled;
    this.experiment = rendered.experiment;
    this.currentPlan = rendered.plan;
    this.step = rendered.step;

    this.stagingDistribution = new cloudfront.Distribution(this, 'Staging', stagingProps);
    (this.stagingDistribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride('DistributionConfig.Staging', true);
    if (this.additionalMetrics) cloudFrontAdditionalMetrics(this, 'StagingMetrics', this.stagingDistribution.distributionId);

    // The policy names the staging distribution, and the primary names the policy: staging →
    // policy → primary, so CloudFormation creates them in that order and nothing refers back.
    this.policy = new cloudfront.CfnContinuousDeploymentPolicy(this, 'Policy', {
      continuousDeploymentPolicyConfig: {
        enabled,
        stagingDistributionDnsNames: [this.stagingDistribution.distributionDomainName],
        trafficConfig,
      },
    });
    (primary.node.defaultChild as cloudfront.CfnDistribution)
      .addPropertyOverride('DistributionConfig.ContinuousDeploymentPolicyId', this.policy.attrId);
    attached.set(primary, this.node.path);

    if (rendered.experiment !== undefined) {
      const measured = this.measureExperiment(where, primary, rendered.experiment, rendered.at!);
      this.dashboard = measured.dashboard;
      this.variantAlarms = measured.variantAlarms;
    }

    for (const alarm of requireAlarms(`${where}: alarms`, props.alarms)) this.addAlarm(alarm);
    const driver = rendered.plan !== undefined ? this.recordStrategy(where, primary, rendered) : undefined;
    this.stateMachine = driver?.stateMachine;
    this.stateMachineName = driver?.stateMachineName;
    this.notificationTopic = driver?.topic;
  }

  /**
   * The traffic plan, with the health checks that watch each step, if the policy follows a strategy.
   *
   * @default - undefined: the policy follows an experiment
   */
  public get plan(): TrafficPlan | undefined {
    return this.currentPlan;
  }

  /** The alarms of every health check, in the order the checks were added (none without a driven strategy). */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.health?.alarms ?? [];
  }

  /**
   * Adds a health check that rolls the rollout back, rendered as an alarm on the staging
   * distribution's metrics that the driver reads. The plan lists it. Only with a strategy and
   * `RolloutDriver.stepFunctions()`.
   */
  public addHealthCheck(check: HealthCheck): void {
    const where = `CloudFrontContinuousDeployment ${this.node.path}`;
    if (this.health === undefined) {
      fail(`${where}: addHealthCheck`, check instanceof HealthCheck ? check.describe() : check,
        'nothing would measure it: only a strategy driven by RolloutDriver.stepFunctions() reads health checks and rolls back',
        'Drive the strategy with driver: RolloutDriver.stepFunctions().');
    }
    this.health.add(check, `${where}: addHealthCheck`);
    const plan = this.currentPlan!;
    this.currentPlan = plan.strategy.plan({ capacity: plan.capacity, healthChecks: this.health.checks });
  }

  /**
   * Adds an alarm that rolls the rollout back: the driver reads it while each step bakes. Only
   * with a strategy and `RolloutDriver.stepFunctions()`.
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    const where = `CloudFrontContinuousDeployment ${this.node.path}`;
    requireAlarm(`${where}: alarm`, alarm);
    if (this.plan === undefined || !this.driver.isDriven) {
      fail(`${where}: alarm`, alarm.node?.path ?? alarm,
        this.plan === undefined ? 'nothing reads it: an experiment runs until its end date, and has no rollout to roll back'
          : 'nothing reads it: the pipeline advances one deploy per step, and CloudFront moves no traffic by itself',
        this.plan === undefined ? 'Watch the experiment\'s variants with alarms of your own, or leave the alarm out.'
          : 'Drive the rollout with driver: RolloutDriver.stepFunctions(), which rolls back when an alarm fires.');
    }
    this.alarms.push(alarm);
  }

  /** Records the plan, drives it if asked, and tells the guardrails what rolls it back. */
  private recordStrategy(where: string, primary: cloudfront.Distribution, rendered: Rendered): Driver | undefined {
    const plan = rendered.plan!;
    let controller = CLOUDFRONT_CD;
    let recorded: (() => RecordedDriver) | undefined;
    let driver: Driver | undefined;
    if (this.driver.isDriven) {
      const stack = Stack.of(this);
      // The alarms are measured in a scope of their own, their names as construct ids.
      const scopeOfChecks = new Construct(this, 'HealthChecks');
      this.health = new HealthCheckAlarms({
        backend: CLOUDFRONT_CD,
        where,
        scope: scopeOfChecks,
        purpose: 'the rollout driver rolls the release back',
        sources: [{
          scope: scopeOfChecks,
          metrics: () => cloudFrontMetrics(this.stagingDistribution.distributionId, {
            description: `staging distribution ${this.stagingDistribution.node.path}`, additionalMetrics: this.additionalMetrics,
          }),
        }],
      }, plan.healthChecks);
      const staging = this.stagingDistribution.node.defaultChild as cloudfront.CfnDistribution;
      const primaryCfn = primary.node.defaultChild as cloudfront.CfnDistribution;
      driver = renderDriver(this, {
        where,
        driver: this.driver,
        plan,
        backend: cloudFrontBackend({
          policy: { logicalId: stack.resolve(this.policy.logicalId), id: this.policy.attrId },
          primary: { logicalId: stack.resolve(primaryCfn.logicalId), id: primary.distributionId },
          staging: { logicalId: stack.resolve(staging.logicalId), id: this.stagingDistribution.distributionId },
          declared: rendered.declared!,
          traffic: rendered.traffic!,
        }),
        candidate: staging,
        alarms: () => [...this.alarms, ...this.health?.alarms ?? []],
        maxWriteSeconds: 1800,
      });
      const drives = driver;
      controller = drivenController(CLOUDFRONT_CD, drives);
      recorded = () => recordedDriver(drives);
    }
    recordPlan(this, () => this.plan!, controller, recorded);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: CLOUDFRONT_CD,
      get plan() {
        return self.plan;
      },
      testRoute: unrestrictedRoute(plan.strategy),
      rollbackTriggers: () => (driver
        ? alarmRollbackTriggers(this.health?.names ?? [], this.healthCheckAlarms, this.alarms) : []),
      healthChecks: () => (driver ? this.health?.names ?? [] : []),
    });
    return driver;
  }

  private primaryOf(where: string, value: unknown): cloudfront.Distribution {
    if (!(value instanceof cloudfront.Distribution)) {
      fail(`${where}: primary`, value, 'it must be a cloudfront.Distribution defined in this app, to which the construct attaches the policy',
        'Pass the cloudfront.Distribution that serves production; an imported distribution cannot be changed from this app.');
    }
    const here = Stack.of(this);
    const there = Stack.of(value);
    if (here !== there) {
      fail(`${where}: primary`, value.node.path, `it is in stack ${there.node.path}, and the policy attached to it would be in stack ${here.node.path}`,
        'Create the CloudFrontContinuousDeployment in the primary distribution\'s stack.');
    }
    const other = attached.get(value);
    if (other !== undefined) {
      fail(`${where}: primary`, value.node.path, `it already has a continuous deployment policy, from ${other}, and CloudFront attaches one policy to a distribution`,
        'Test one change at a time: use one CloudFrontContinuousDeployment per primary distribution.');
    }
    const cfn = value.node.defaultChild as cloudfront.CfnDistribution;
    checkHttpVersion(`${where}: primary httpVersion`, (cfn.distributionConfig as cloudfront.CfnDistribution.DistributionConfigProperty).httpVersion);
    return value;
  }

  private renderExperiment(where: string, props: CloudFrontContinuousDeploymentProps): Rendered {
    if (!(props.experiment instanceof Experiment)) {
      fail(`${where}: experiment`, props.experiment, 'it must be an Experiment', 'Pass new Experiment({ name, variants }).');
    }
    const experiment = props.experiment;
    const unused = (prop: string, value: unknown, limit: string, fix: string) => {
      if (value !== undefined) fail(`${where}: ${prop}`, value, limit, fix);
    };
    unused('step', props.step, 'steps belong to a strategy, and an experiment has none', 'Leave step out, or pass a strategy instead of the experiment.');
    unused('healthChecks', props.healthChecks, 'they roll a strategy\'s rollout back, and an experiment has none',
      'Declare the experiment\'s checks on the Experiment (healthChecks), or pass a strategy instead of the experiment.');
    if (this.driver.isDriven) {
      fail(`${where}: driver`, 'RolloutDriver.stepFunctions()', 'an experiment has no steps to drive: it runs until its end date, or until it is switched off',
        'Leave the driver out for an experiment, or pass a strategy to roll the staging configuration out.');
    }
    unused('sessionStickiness', props.sessionStickiness, 'an experiment carries its own stickiness',
      'Set stickiness on the Experiment and leave sessionStickiness out.');
    unused('enabled', props.enabled, 'an experiment is switched on and off by its own enabled',
      'Set enabled on the Experiment and leave it out here.');
    const at = props.at === undefined ? new Date()
      : validDate(`${where}: at`, props.at, 'Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.');

    const trafficConfig = experimentTraffic(where, experiment);
    const reason = experiment.inactiveReason(at);
    if (reason !== undefined) {
      Annotations.of(this).addWarningV2('cdk-deploy-strategies:cloudFrontExperimentInactive',
        `${reason}, so the continuous deployment policy is disabled and every request goes to the primary distribution (the control). `
        + (experiment._startsAfter(at)
          ? `The policy is rendered when the app is synthesized: deploy again on or after ${experiment.startDate!.toISOString()} to start the experiment.`
          : 'Remove this construct to delete the staging distribution, or promote the variant.'));
    }
    return { trafficConfig, enabled: reason === undefined, experiment, at };
  }

  /**
   * Measures each side of the experiment apart: the control on the primary distribution, the
   * variant on the staging one (CloudFront publishes each distribution's metrics). One alarm per
   * health check and side, one dashboard; records what watches each side for the plan command.
   */
  private measureExperiment(where: string, primary: cloudfront.Distribution, experiment: Experiment, at: Date):
  { dashboard: cloudwatch.Dashboard; variantAlarms: { [variant: string]: cloudwatch.IAlarm[] } } {
    if (this.additionalMetrics) cloudFrontAdditionalMetrics(this, 'PrimaryMetrics', primary.distributionId);
    const sides = [
      { name: experiment.control, isControl: true, distribution: primary, what: 'primary distribution' },
      ...experiment.variants.map(v => ({ name: v.name, isControl: false, distribution: this.stagingDistribution, what: 'staging distribution' })),
    ].map(side => ({
      ...side,
      metrics: cloudFrontMetrics(side.distribution.distributionId, {
        description: `${side.what} ${side.distribution.node.path}`, additionalMetrics: this.additionalMetrics,
      }),
    }));
    const scopes = new Map<string, Construct>();
    const sources: HealthCheckSource[] = sides.map(side => {
      const scope = new Construct(this, `Alarms-${side.name}`);
      scopes.set(side.name, scope);
      return { scope, metrics: () => side.metrics };
    });
    const measured = new HealthCheckAlarms({
      backend: CLOUDFRONT_CD,
      where: `${where}: experiment "${experiment.name}" healthChecks`,
      sources,
      scope: this,
      purpose: `measures one side of experiment "${experiment.name}", the variant and the control apart: switch the experiment off (enabled: false) when the variant fails`,
      perVariant: true,
    }, experiment.healthChecks);
    const variantAlarms: { [variant: string]: cloudwatch.IAlarm[] } = {};
    for (const side of sides) {
      variantAlarms[side.name] = measured.alarms.filter(alarm => alarm.node.scope === scopes.get(side.name));
    }
    const variants: DashboardVariant[] = sides.map(side => ({ name: side.name, isControl: side.isControl, metrics: side.metrics }));
    const dashboard = experimentDashboard(this, 'Dashboard', { experiment, backend: CLOUDFRONT_CD, variants });

    recordExperiment(this, experiment, CLOUDFRONT_CD, at, {
      watchedBy: Object.fromEntries(sides.map(side => [side.name, measured.names])),
      source: 'CloudWatch alarms on each distribution\'s metrics (us-east-1)',
    });
    registerGuardrailFacts(this, {
      platform: 'aws', backend: CLOUDFRONT_CD, experiment, evaluationOrder: declaredOrder(experiment), healthChecks: () => measured.names,
    });
    return { dashboard, variantAlarms };
  }

  private renderStrategy(where: string, props: CloudFrontContinuousDeploymentProps): Rendered {
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'it must be a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_30MINUTES.');
    }
    const strategy = props.strategy;
    if (props.at !== undefined) {
      fail(`${where}: at`, props.at, 'the moment to render applies to an experiment, and a strategy has no end date', 'Leave at out.');
    }
    if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
      fail(`${where}: enabled`, props.enabled, 'it must be true or false', 'Pass false to send every request to the primary distribution, true (the default) to follow the strategy.');
    }
    const checks = staticRolloutChecks(where, this.driver.isDriven, props.healthChecks, strategy, cloudFrontDefaultChecks());
    // Both distributions are CloudFront's to scale: nothing to provision, nothing to bring back.
    const plan = strategy.plan({
      capacity: strategy.kind === StrategyKind.BLUE_GREEN ? CapacityMode.FULL_COPY : CapacityMode.SERVERLESS,
      healthChecks: checks,
    });
    checkPlan(`${where}: strategy`, plan);
    const testRoute = strategy.testRoute && singleHeader(`${where}: strategy testRoute`, strategy.testRoute);
    let sticky: number | undefined;
    if (props.sessionStickiness !== undefined) {
      if (strategy.kind === StrategyKind.BLUE_GREEN) {
        fail(`${where}: sessionStickiness`, props.sessionStickiness,
          `a blue-green strategy sends no share of requests to the staging distribution by weight (${strategy.describe()}), so no session is kept on it`,
          'Leave sessionStickiness out; a client that sends the test route\'s header reaches the staging distribution every time.');
      }
      sticky = stickinessSeconds(`${where}: sessionStickiness`, props.sessionStickiness);
    }

    if (this.driver.isDriven) return this.drivenStrategy(where, props, plan, testRoute, sticky);
    const step = currentStep(this, where, props.step, plan);
    if (step.candidateWeight === 100) {
      const key = stepContextKey(this);
      const [prop, value] = props.step !== undefined ? [`${where}: step`, props.step] : [`${where}: context "${key}"`, this.node.tryGetContext(key)];
      fail(prop, value,
        `step ${step.index} sends every request to the staging configuration, which ${CLOUDFRONT_CD} does not do: that step is the promotion`,
        `Promote with ${PROMOTE_COMMAND}, then give the primary distribution the staging configuration in the app and remove this construct.`);
    }
    let enabled = props.enabled ?? true;
    let trafficConfig: TrafficConfig;
    if (step.candidateWeight === 0) {
      // Blue-green's test phase: the test route's requests only, or nobody at all.
      trafficConfig = testRoute ?? singleWeight(0);
      if (testRoute === undefined) {
        enabled = false;
        Annotations.of(this).addWarningV2('cdk-deploy-strategies:cloudFrontNoTestRoute',
          `Step ${step.index} of ${strategy.describe()} sends no request to the staging distribution, and viewers cannot reach a staging distribution directly, `
          + 'so nobody can test it: the policy is disabled. Give the strategy a test route such as Match.header("aws-cf-cd-env", "green").');
      }
    } else {
      trafficConfig = singleWeight(step.candidateWeight, sticky);
    }
    return { trafficConfig, enabled, plan, step };
  }

  /**
   * Driven: the template declares the start (the test route's header for a blue-green strategy,
   * else the policy switched off), and the driver sets each step's policy from there, then promotes.
   */
  private drivenStrategy(where: string, props: CloudFrontContinuousDeploymentProps, plan: TrafficPlan,
    testRoute: TrafficConfig | undefined, sticky: number | undefined): Rendered {
    pipelineOnly(this, where, props.step);
    if (props.enabled !== undefined) {
      fail(`${where}: enabled`, props.enabled, 'the Step Functions driver switches the policy on and off itself, from the declared start',
        'Leave enabled out; to roll back, start the state machine with {"action":"rollback"}, or remove the construct.');
    }
    const promotion = plan.steps.find(s => s.candidateWeight === 100)!;
    if (promotion.gate !== undefined) {
      fail(`${where}: strategy`, plan.strategy.describe(),
        `the driver promotes at step ${promotion.index} by copying the staging configuration onto the primary distribution, after which CloudFront keeps no `
        + `other configuration to switch back to, so step ${promotion.index} cannot be held by ${promotion.gate.describe()} and rolled back`,
        'Hold the last step before 100% instead, and end at 100% without a gate (for a blue-green strategy, bakeTime: Duration.seconds(0) and a promotion gate).');
    }
    const header = testRoute?.singleHeaderConfig as cloudfront.CfnContinuousDeploymentPolicy.SingleHeaderConfigProperty | undefined;
    const declared = header !== undefined ? headerTraffic(header.header, header.value) : weightTraffic(0, sticky, false);
    const traffic = (step: PlanStep) => (step.candidateWeight === 0 ? declared : weightTraffic(step.candidateWeight, sticky));
    return { trafficConfig: policyConfig(declared), enabled: declared.enabled, plan, traffic, declared };
  }
}

/** Checks the staging props: a plain struct, without domain names or a certificate, and without HTTP/3. */
function stagingPropsOf(where: string, value: unknown): cloudfront.DistributionProps {
  const prop = `${where}: stagingDistributionProps`;
  const props = struct<cloudfront.DistributionProps>(prop, value, 'Pass the props of the staging distribution, such as { defaultBehavior: { origin } }.');
  // aws-cdk-lib reads these without checking them, and a JavaScript caller's mistake would surface as a TypeError.
  behaviorOf(`${prop}.defaultBehavior`, props.defaultBehavior);
  if (props.additionalBehaviors !== undefined) {
    const additional = struct<Record<string, unknown>>(`${prop}.additionalBehaviors`, props.additionalBehaviors,
      'Pass behaviors by path pattern, such as { "/api/*": { origin } }, or leave additionalBehaviors out.');
    for (const [pattern, behavior] of Object.entries(additional)) behaviorOf(`${prop}.additionalBehaviors["${pattern}"]`, behavior);
  }
  if (props.domainNames !== undefined && props.domainNames.length > 0) {
    fail(`${prop}.domainNames`, props.domainNames, 'a staging distribution has no domain names of its own: viewers reach it only through the primary distribution',
      'Leave domainNames out; the primary keeps its domain names when you promote the staging configuration.');
  }
  if (props.certificate !== undefined) {
    fail(`${prop}.certificate`, props.certificate, 'a staging distribution has no domain names of its own, so no certificate to serve them',
      'Leave certificate out; the primary keeps its certificate when you promote the staging configuration.');
  }
  checkHttpVersion(`${prop}.httpVersion`, props.httpVersion);
  return props;
}

/** Checks a behavior of the staging props: an object with an origin (`cloudfront.IOrigin`). */
function behaviorOf(prop: string, value: unknown): void {
  const behavior = struct<cloudfront.BehaviorOptions>(prop, value,
    'Pass a behavior with the origin of the configuration under test, such as { origin: new origins.HttpOrigin("candidate.example.com") }.');
  const origin = behavior.origin as Partial<cloudfront.IOrigin> | undefined;
  if (typeof origin !== 'object' || origin === null || typeof origin.bind !== 'function') {
    fail(`${prop}.origin`, origin, 'it must be a CloudFront origin (cloudfront.IOrigin)',
      'Pass an origin such as new origins.HttpOrigin("candidate.example.com") or origins.S3BucketOrigin.withOriginAccessControl(bucket).');
  }
}

function checkHttpVersion(prop: string, version: unknown): void {
  if (version === cloudfront.HttpVersion.HTTP3 || version === cloudfront.HttpVersion.HTTP2_AND_3) {
    fail(prop, version, `${CLOUDFRONT_CD} does not work with a distribution that supports HTTP/3`,
      'Use HttpVersion.HTTP2 (the default) or HttpVersion.HTTP1_1 on both distributions.');
  }
}

/** A policy as aws-cdk-lib's L1 takes it. */
function policyConfig(traffic: PolicyTraffic): TrafficConfig {
  const config = traffic.trafficConfig;
  if (config.SingleHeaderConfig !== undefined) return { type: 'SingleHeader', singleHeaderConfig: { header: config.SingleHeaderConfig.Header, value: config.SingleHeaderConfig.Value } };
  const sticky = config.SingleWeightConfig.SessionStickinessConfig;
  return {
    type: 'SingleWeight',
    singleWeightConfig: {
      weight: config.SingleWeightConfig.Weight,
      sessionStickinessConfig: sticky === undefined ? undefined : { idleTtl: sticky.IdleTTL, maximumTtl: sticky.MaximumTTL },
    },
  };
}

function describeStrategy(value: unknown): unknown {
  return value instanceof Strategy ? value.describe() : value;
}
