import { Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { recordPlan, STEP_METADATA_TYPE } from './private/plan-metadata';
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
 */
const MAX_STAGE_VARIABLES = 100;
const MAX_NAME = 64;
const MAX_VALUE = 512;
const NAME = /^[A-Za-z0-9_]+$/;
const VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;

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
   * `ApiGatewayCanary` per stage.
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
 * API Gateway does not roll back by itself, and the construct generates no alarms yet: the
 * guardrails' CDS-R1 reports the rollout until a suppression says what watches each step.
 * A test route (header, cookie or query matching) is refused: a stage canary takes requests at
 * random. Test the candidate on a stage of its own first.
 *
 * @example
 * declare const api: apigateway.RestApi;
 * // `cdk deploy -c 'Stack/Orders:step=2'` renders step 2; without it, step 1.
 * const canary = new ApiGatewayCanary(this, 'Orders', {
 *   stage: api.deploymentStage,
 *   strategy: Strategy.canary({ steps: [
 *     { weight: 5, gate: StepGate.bake(Duration.minutes(30)) },
 *     { weight: 50, gate: StepGate.manualApproval() },
 *   ] }),
 *   candidate: { stageVariables: { lambdaAlias: 'v2' } },
 * });
 * console.log(canary.plan.toTable());
 */
export class ApiGatewayCanary extends Construct {
  /** The traffic plan the stage follows, one step per deploy. */
  public readonly plan: TrafficPlan;
  /**
   * The step of the plan the stage renders.
   *
   * @default - undefined without a candidate: the stage serves every request itself
   */
  public readonly step?: PlanStep;
  /** The context key that chooses the step: `<construct path>:step`. */
  public readonly stepContextKey: string;
  /** The stage released on. */
  public readonly stage: apigateway.Stage;

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

    // API Gateway runs both versions: nothing to provision, nothing to bring back.
    this.plan = strategy.plan({ capacity: strategy.kind === StrategyKind.BLUE_GREEN ? CapacityMode.FULL_COPY : CapacityMode.SERVERLESS });
    // Checked even without a candidate, so a wrong step fails now rather than when the next release starts.
    const step = currentStep(this, where, props.step, this.plan);
    this.stepContextKey = stepContextKey(this);
    this.stage = stage;
    CLAIMED.set(cfnStage, this.node.path);

    if (candidate) {
      this.step = step;
      cfnStage.canarySetting = {
        // The stage's own deployment: the canary differs by its stage variables only.
        deploymentId: cfnStage.deploymentId,
        percentTraffic: step.candidateWeight,
        stageVariableOverrides: candidate.stageVariables,
        useStageCache: candidate.useStageCache ?? false,
      };
    }

    recordPlan(this, this.plan, BACKEND);
    // Without a candidate (between releases, or a rollback) nothing is being released.
    registerGuardrailFacts(this, { platform: 'aws', backend: BACKEND, plan: candidate && this.plan, rollbackTriggers: () => this.healthTriggers() });
    this.node.addMetadata(STEP_METADATA_TYPE, {
      step: this.step?.index,
      contextKey: this.stepContextKey,
      stableWeight: this.step?.stableWeight ?? 100,
      candidateWeight: this.step?.candidateWeight ?? 0,
    });
  }

  /**
   * What rolls the canary back, for the guardrails: nothing yet. Per-stage health checks attach
   * here: API Gateway reports the canary's requests apart from the stage's (its own CloudWatch
   * metrics and execution log group), so alarms on them would be returned here and, with a
   * driver, read between steps.
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
      fail(at, name, `a stage variable name is 1 to ${MAX_NAME} letters, digits or "_"`, 'Use a name such as "lambdaAlias".');
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
