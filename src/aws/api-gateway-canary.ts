import { Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { HealthCheck } from '../core/health-check';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { apiGatewayCanaryMetrics } from './private/api-gateway-metrics';
import { HealthCheckAlarms, rolloutChecks } from './private/health-check-alarms';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from './private/plan-metadata';
import { renderedPlan } from '../core/private/rendered-plan';
import { currentStep, stepContextKey } from '../core/private/step';
import { fail, struct } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts, TriggerFacts } from '../guardrails/private/facts';

/** The backend's name in errors and recorded plans. */
const BACKEND = 'API Gateway stage canary';

/**
 * REST API stage variables (API Gateway quotas, "Quotas for configuring and running a REST API in
 * API Gateway": https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):
 * at most 100 per stage, names of at most 64 characters, values of at most 512. Names are letters,
 * digits and `_`; values match `[A-Za-z0-9-._~:/?#&=,]+` (API reference, `CreateDeployment`
 * `variables`: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html).
 * CloudFormation's registry schema of `AWS::ApiGateway::Stage` (`aws-apigateway-stage.json`, which
 * template validation applies) takes only names with a letter or a digit in them
 * (`CanarySetting.StageVariableOverrides`: pattern properties `[a-zA-Z0-9]+`, no other property),
 * so a name of underscores alone is refused:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-stage-canarysetting.html
 */
const MAX_STAGE_VARIABLES = 100;
const MAX_NAME = 64;
const MAX_VALUE = 512;
const NAME = /^[A-Za-z0-9_]*[A-Za-z0-9][A-Za-z0-9_]*$/;
const VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;

/** What the alarms are for, ending their descriptions: nothing acts on them by themselves. */
const PURPOSE = 'nothing acts on it by itself; check it before deploying the next step, and deploy without the candidate (removing the canary) when it is in ALARM';

/** The stages a canary has been declared on: a stage has one canary setting. */
const CLAIMED = new WeakMap<apigateway.CfnStage, string>();

/** What the canary of a stage serves: the stage's deployment with other stage variables. */
export interface ApiGatewayCandidate {
  /**
   * Stage variables the canary overrides or adds, such as `{ lambdaAlias: 'v2' }`: what the new
   * version is (a Lambda alias or version, an HTTP backend's host) is what the stage variables
   * select. At least one must differ from the stage's own.
   */
  readonly stageVariables: { [name: string]: string };

  /**
   * Whether the canary's requests use the stage's cache.
   *
   * @default false
   */
  readonly useStageCache?: boolean;
}

/** Props for an `ApiGatewayCanary`. */
export interface ApiGatewayCanaryProps {
  /**
   * The REST API stage to release on (`api.deploymentStage`, or a `Stage` you create), defined in
   * this app. The construct sets its canary settings; a stage has one canary, so one
   * `ApiGatewayCanary` per stage. Health checks read the canary's metrics under the API's name
   * (`restApiName`): for an API imported with `RestApi.fromRestApiAttributes()`, pass its
   * `restApiName` there.
   */
  readonly stage: apigateway.Stage;

  /**
   * How traffic moves to the candidate: a canary or linear strategy, one step per deploy, or a
   * blue-green strategy (nothing, then everything). A stage canary splits requests at random, so
   * a test route is refused.
   */
  readonly strategy: Strategy;

  /**
   * The version being released. Without it nothing is rolling out: the stage has no canary and
   * serves every request itself.
   *
   * @default - no rollout in progress
   */
  readonly candidate?: ApiGatewayCandidate;

  /**
   * The step of the plan to render, from 1, as numbered in the plan's table.
   *
   * @default - the context value `<construct path>:step` (`cdk deploy -c 'Stack/Api/Canary:step=2'`), else step 1
   */
  readonly step?: number;

  /**
   * The health checks that judge the canary, in place of the strategy's (`[]` for none): each
   * error-rate or latency check becomes a CloudWatch alarm on the canary's own metrics (the stage's
   * requests are not counted), a check of your own (`aws.CloudWatchHealthCheck`) is used as it is.
   * Nothing acts on these alarms by itself: the pipeline (or a person) checks them before deploying
   * the next step, and deploys without `candidate` when one is in ALARM. Add more later with
   * `addHealthCheck()`.
   *
   * @default - the strategy's health checks; none when it has none
   */
  readonly healthChecks?: HealthCheck[];
}

/**
 * Releases a new version behind a REST API stage by a `Strategy`, with the stage's canary
 * settings (`AWS::ApiGateway::Stage` `CanarySetting`): the canary serves the stage's deployment
 * with the candidate's stage variables, and receives the current step's share of requests
 * (`PercentTraffic`), chosen at random per request.
 *
 * A stage holds one percentage, not a timeline, so a pipeline advances the rollout one deploy per
 * step, as with the other static rollouts: the step comes from the `step` prop, else from the
 * context key `<construct path>:step` (`cdk deploy -c 'Stack/Api/Canary:step=2'`), else it is
 * step 1. The pipeline holds each step's gate, then deploys the next step.
 *
 * What the canary releases is what its stage variables select: a Lambda alias or version
 * (`arn:...:function:orders:${stageVariables.alias}`), an HTTP backend's host. CDK deploys the
 * API's methods to a deployment the stage and its canary share, so a change to the methods
 * reaches both at once; release such a change on a stage of its own.
 *
 * **Promotion.** Once the last step sends every request to the canary, deploy the stage with the
 * candidate's stage variables as its own and without `candidate`: one stage update moves the
 * variables and removes the canary settings. API Gateway's own promotion (the console's "Promote
 * canary", or `aws apigateway update-stage` copying the canary's settings onto the stage) changes
 * the stage behind CloudFormation's back, and the next deploy would undo it. To roll back, deploy
 * without `candidate`, or an earlier step.
 *
 * **Health checks.** The strategy's health checks (or the `healthChecks` prop, or
 * `addHealthCheck()`) become CloudWatch alarms on the canary's own metrics, which API Gateway
 * publishes apart from the stage's (`Stage` dimension `<stage>/Canary`): an error rate from the
 * `5XXError` (and `4XXError`) averages in percent, with no verdict on a window of fewer than the
 * check's `minimumRequests` (`Count`); a latency from `Latency` percentiles in milliseconds. They
 * exist between releases too (with no data, so in INSUFFICIENT_DATA), so an alarm that fired is
 * still there after the canary is removed. The plan lists them as watching each step.
 *
 * **Nothing rolls the canary back by itself.** A stage holds a percentage, not a timeline, and no
 * engine reads the alarms: before deploying the next step, the pipeline (or a person) checks that
 * none of `healthCheckAlarms` is in ALARM and the step's gate has passed; when one is, it deploys
 * without `candidate`, which removes the canary and leaves every request on the stage's version.
 * So the guardrails' CDS-R1 still reports the rollout (alarms nothing acts on are not a rollback
 * trigger) until a suppression says what watches each step; CDS-R8 sees the checks measured.
 *
 * A test route (header, cookie or query matching) is refused: a stage canary takes requests at
 * random. Test the candidate on a stage of its own first.
 *
 * @example
 * declare const api: apigateway.RestApi;
 * // `cdk deploy -c 'Stack/Orders:step=2'` renders step 2; without it, step 1.
 * const canary = new aws.ApiGatewayCanary(this, 'Orders', {
 *   stage: api.deploymentStage,
 *   strategy: Strategy.canary({
 *     steps: [
 *       { weight: 5, gate: StepGate.bake(Duration.minutes(30)) },
 *       { weight: 50, gate: StepGate.manualApproval() },
 *     ],
 *     healthChecks: [
 *       HealthCheck.errorRate({ maxErrorPercent: 1 }),
 *       HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
 *     ],
 *   }),
 *   candidate: { stageVariables: { lambdaAlias: 'v2' } },
 * });
 * // What the pipeline checks before the next step: one output per alarm.
 * for (const alarm of canary.healthCheckAlarms) {
 *   new CfnOutput(this, `${alarm.node.id}-alarm`, { value: alarm.alarmName });
 * }
 * console.log(canary.plan.toTable());
 */
export class ApiGatewayCanary extends Construct {
  /** The context key that chooses the step: `<construct path>:step`. */
  public readonly stepContextKey: string;
  /** The stage released on. */
  public readonly stage: apigateway.Stage;

  private readonly strategy: Strategy;
  private readonly capacity: CapacityMode;
  private readonly where: string;
  private readonly healthChecksRendered: HealthCheckAlarms;
  private currentPlan: TrafficPlan;
  /** The step rendered, from 1, or undefined without a candidate. */
  private readonly stepIndex?: number;

  constructor(scope: Construct, id: string, props: ApiGatewayCanaryProps) {
    super(scope, id);
    const where = `ApiGatewayCanary ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { stage, strategy, candidate }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    if (!(props.stage instanceof apigateway.Stage) || !(props.stage.node.defaultChild instanceof apigateway.CfnStage)) {
      fail(`${where}: stage`, props.stage, 'it must be a REST API stage defined in this app (apigateway.Stage), whose canary settings the construct sets',
        'Pass api.deploymentStage, or a new apigateway.Stage(...).');
    }
    const stage = props.stage;
    const cfnStage = stage.node.defaultChild as apigateway.CfnStage;
    const claimed = CLAIMED.get(cfnStage) ?? (cfnStage.canarySetting !== undefined ? `the stage itself (${cfnStage.node.path})` : undefined);
    if (claimed !== undefined) {
      fail(`${where}: stage`, stage.node.path, `a stage has one canary, and ${claimed} already sets it`,
        'Release one version at a time on a stage, or give the other release a stage of its own.');
    }
    if (strategy.testRoute) {
      fail(`${where}: strategy`, strategy.describe(),
        `an ${BACKEND} takes requests at random by percentage, and cannot send the requests of a test route (${strategy.testRoute.describe()}) to the canary by header, cookie or query parameter`,
        'Remove the testRoute and test the candidate on a stage of its own (a second Stage with the candidate\'s stage variables) before the canary starts.');
    }
    const candidate = props.candidate === undefined ? undefined : candidateOf(`${where}: candidate`, props.candidate, cfnStage);
    const checks = rolloutChecks(`${where}: healthChecks`, props.healthChecks, strategy.healthChecks, []);

    // API Gateway runs both versions: nothing to provision, nothing to bring back.
    this.capacity = strategy.kind === StrategyKind.BLUE_GREEN ? CapacityMode.FULL_COPY : CapacityMode.SERVERLESS;
    this.strategy = strategy;
    this.where = where;
    this.currentPlan = strategy.plan({ capacity: this.capacity, healthChecks: checks });
    // Checked even without a candidate, so a wrong step fails now rather than when the next release starts.
    const step = currentStep(this, where, props.step, this.currentPlan);
    this.stepContextKey = stepContextKey(this);
    this.stage = stage;

    // Every check is checked before any alarm is made, and before the stage is touched. The alarms
    // stay between releases, so one that fired outlives the canary it judged.
    const alarmScope = new Construct(this, 'HealthChecks');
    this.healthChecksRendered = new HealthCheckAlarms({
      backend: BACKEND,
      where,
      scope: alarmScope,
      purpose: PURPOSE,
      sources: [{ scope: alarmScope, metrics: () => apiGatewayCanaryMetrics(stage) }],
    }, checks);
    CLAIMED.set(cfnStage, this.node.path);

    if (candidate) {
      this.stepIndex = step.index;
      cfnStage.canarySetting = {
        // The stage's own deployment: the canary differs by its stage variables only.
        deploymentId: cfnStage.deploymentId,
        percentTraffic: step.candidateWeight,
        stageVariableOverrides: candidate.stageVariables,
        useStageCache: candidate.useStageCache ?? false,
      };
    }

    // The plan changes when a check is added, so its table and JSON are read when the app is synthesized.
    const self = this;
    this.node.addMetadata(PLAN_METADATA_TYPE, {
      controller: BACKEND,
      get table() {
        return renderedPlan(self.plan).value.table;
      },
      get plan() {
        return renderedPlan(self.plan).value.plan;
      },
    });
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: BACKEND,
      // Without a candidate (between releases, or a rollback) nothing is being released.
      get plan() {
        return candidate && self.plan;
      },
      rollbackTriggers: () => this.healthTriggers(),
      healthChecks: () => this.healthChecksRendered.names,
    });
    this.node.addMetadata(STEP_METADATA_TYPE, {
      step: this.step?.index,
      contextKey: this.stepContextKey,
      stableWeight: this.step?.stableWeight ?? 100,
      candidateWeight: this.step?.candidateWeight ?? 0,
    });
  }

  /**
   * The traffic plan the stage follows, one step per deploy, with the health checks that watch
   * each step.
   */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /**
   * The step of the plan the stage renders.
   *
   * @default - undefined without a candidate: the stage serves every request itself
   */
  public get step(): PlanStep | undefined {
    return this.stepIndex === undefined ? undefined : this.currentPlan.steps[this.stepIndex - 1];
  }

  /**
   * The alarms of the health checks, in order (a check of your own is your alarm itself). Nothing
   * acts on them by itself: check them before deploying the next step.
   */
  public get healthCheckAlarms(): cloudwatch.IAlarm[] {
    return this.healthChecksRendered.alarms;
  }

  /**
   * Measures the canary by one more health check: an error rate or a latency becomes an alarm on
   * the canary's metrics, a check of your own (`aws.CloudWatchHealthCheck`) is used as it is. The
   * plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    this.healthChecksRendered.add(check, `${this.where}: addHealthCheck`);
    this.currentPlan = this.strategy.plan({ capacity: this.capacity, healthChecks: this.healthChecksRendered.checks });
  }

  /**
   * What rolls the canary back, for the guardrails: nothing. The health checks' alarms are what
   * the pipeline or a person reads before the next step, not a trigger anything acts on, so they
   * are not counted here (CDS-R1 still reports the rollout); CDS-R8 reads them as `healthChecks`.
   * A driver that reads the alarms between steps would return them here.
   */
  private healthTriggers(): TriggerFacts[] {
    return [];
  }
}

/** Reads the candidate: stage variables within API Gateway's limits, at least one differing from the stage's. */
function candidateOf(prop: string, value: unknown, cfnStage: apigateway.CfnStage): ApiGatewayCandidate {
  const candidate = struct<ApiGatewayCandidate>(prop, value, 'Pass { stageVariables: { lambdaAlias: "v2" } }.');
  const variables = struct<Record<string, unknown>>(`${prop}.stageVariables`, candidate.stageVariables,
    'Pass the stage variables the canary overrides, such as { lambdaAlias: "v2" }.');
  const entries = Object.entries(variables);
  const shown = entries.map(([name, v]) => `${name}=${String(v)}`).join(', ');
  if (entries.length === 0) {
    fail(`${prop}.stageVariables`, shown, 'the canary serves the stage\'s own deployment, so without stage variables of its own it would release nothing',
      'Override the stage variable that selects the new version, such as { lambdaAlias: "v2" }.');
  }
  if (entries.length > MAX_STAGE_VARIABLES) {
    fail(`${prop}.stageVariables`, `${entries.length} variables`, `API Gateway takes at most ${MAX_STAGE_VARIABLES} stage variables per stage`,
      'Override only the variables that select the new version.');
  }
  for (const [name, v] of entries) {
    const at = `${prop}.stageVariables["${name}"]`;
    if (name.length > MAX_NAME || !NAME.test(name)) {
      fail(at, name, `a stage variable name is 1 to ${MAX_NAME} letters, digits or "_", at least one of them a letter or a digit`, 'Use a name such as "lambdaAlias".');
    }
    if (typeof v !== 'string') {
      fail(at, v, 'a stage variable value is a string', 'Pass a string such as "v2".');
    }
    if (!Token.isUnresolved(v) && (v.length > MAX_VALUE || !VALUE.test(v))) {
      fail(at, v, `a stage variable value is 1 to ${MAX_VALUE} letters, digits or -._~:/?#&=,`, 'Use a value such as "v2", or a host name such as "orders-v2.internal.example.com".');
    }
  }
  if (candidate.useStageCache !== undefined && typeof candidate.useStageCache !== 'boolean') {
    fail(`${prop}.useStageCache`, candidate.useStageCache, 'it must be true or false', 'Pass true to serve the canary\'s requests from the stage cache, or leave it out.');
  }
  // The stage's own variables, where the template holds them: a canary that changes none of them releases nothing.
  const own = Stack.of(cfnStage).resolve(cfnStage.variables);
  if (own !== null && typeof own === 'object' && entries.every(([name, v]) => own[name] === v)) {
    fail(`${prop}.stageVariables`, shown, 'every variable has the value the stage already has, so the canary would serve what the stage serves',
      'Give the variable that selects the new version its new value, such as { lambdaAlias: "v2" }.');
  }
  return { stageVariables: variables as Record<string, string>, useStageCache: candidate.useStageCache };
}
