import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { aws, CapacityMode, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { mostly, oddValueArb, presetArb, strategyArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { findings } from '../support/guardrails';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'ApiGatewayCanary Stack/Orders';
const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const threeSteps = Strategy.canary({ steps: [{ weight: 5, gate: bake(30) }, { weight: 50, gate: StepGate.manualApproval() }] });
const candidate = { stageVariables: { lambdaAlias: 'v2' } };

/** A REST API with one mock GET method, deployed to a `prod` stage whose stage variable `lambdaAlias` is `v1`. */
function setup(context: Record<string, unknown> = {}) {
  const stack = new Stack(testApp({ context }), 'Stack');
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod', variables: { lambdaAlias: 'v1' } } });
  api.root.addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
    integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{ "alias": "$stageVariables.lambdaAlias" }' } }],
  }), { methodResponses: [{ statusCode: '200' }] });
  return { stack, api };
}

function canary(strategy: Strategy, props: Partial<aws.ApiGatewayCanaryProps> = {}, context: Record<string, unknown> = {}) {
  const base = setup(context);
  const construct = new aws.ApiGatewayCanary(base.stack, 'Orders', { stage: base.api.deploymentStage, strategy, candidate, ...props });
  return { ...base, construct };
}

/** The stage's canary settings in a template, or undefined. */
function canarySetting(template: Template): any {
  return Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties.CanarySetting;
}

describe('the canary settings of each step', () => {
  test('the stage\'s own deployment, with the candidate\'s stage variables and the step\'s share of requests', () => {
    const { stack, construct } = canary(threeSteps);
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      Variables: { lambdaAlias: 'v1' },
      DeploymentId: { Ref: CfnMatch.stringLikeRegexp('^ApiDeployment') },
      CanarySetting: {
        DeploymentId: { Ref: CfnMatch.stringLikeRegexp('^ApiDeployment') },
        PercentTraffic: 5,
        StageVariableOverrides: { lambdaAlias: 'v2' },
        UseStageCache: false,
      },
    });
    expect(construct.step).toBe(construct.plan.steps[0]);
    expect(construct.plan.capacity).toBe(CapacityMode.SERVERLESS);
    expect(construct.stage).toBe(construct.stage.restApi.deploymentStage);
  });

  test.each([
    ['the three-step canary', threeSteps, [5, 50, 100]],
    ['LINEAR_10PERCENT_EVERY_10MINUTES', Strategy.LINEAR_10PERCENT_EVERY_10MINUTES, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    ['a blue-green switch', Strategy.BLUE_GREEN, [0, 100]],
    ['a canary of fractional weights', Strategy.canary({ steps: [{ weight: 0.5, gate: bake(60) }, { weight: 12.5, gate: bake(60) }] }), [0.5, 12.5, 100]],
  ])('%s, one step per deploy', (_, strategy, percents) => {
    percents.forEach((percent, i) => {
      const { stack } = canary(strategy, { step: i + 1 });
      expect(canarySetting(validatedTemplate(stack)).PercentTraffic).toBe(percent);
    });
  });

  test('the step comes from the context key <construct path>:step when the prop is not set', () => {
    const { stack, construct } = canary(threeSteps, {}, { 'Stack/Orders:step': '2' });
    expect(canarySetting(validatedTemplate(stack)).PercentTraffic).toBe(50);
    expect(construct.stepContextKey).toBe('Stack/Orders:step');
  });

  test('the stage cache may serve the canary', () => {
    const { stack } = canary(threeSteps, { candidate: { ...candidate, useStageCache: true } });
    expect(canarySetting(validatedTemplate(stack)).UseStageCache).toBe(true);
  });

  test('without a candidate the stage has no canary, and nothing is being released', () => {
    const { stack, construct } = canary(threeSteps, { candidate: undefined });
    expect(canarySetting(validatedTemplate(stack))).toBeUndefined();
    expect(construct.step).toBeUndefined();
    expect(findings(stack.node.root, 'CDS-R1')).toEqual([]);
  });

  test('records its plan and the step rendered', () => {
    const { construct } = canary(threeSteps, { step: 2 });
    const plan = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
    expect(plan.data.controller).toBe('API Gateway stage canary');
    expect(plan.data.table).toBe(construct.plan.toTable());
    expect(construct.node.metadata.find(m => m.type === STEP_METADATA_TYPE)!.data).toEqual({
      step: 2, contextKey: 'Stack/Orders:step', stableWeight: 50, candidateWeight: 50,
    });
  });

  test('the guardrails see a rollout nothing rolls back', () => {
    const { stack } = canary(threeSteps);
    expect(findings(stack.node.root, 'CDS-R1')).toEqual(['Stack/Orders: canary 5% (bake 30m) → 50% (manual approval) → 100% on API Gateway stage canary: nothing rolls it back']);
  });
});

describe('what a stage canary cannot express', () => {
  test.each([
    ['a blue-green test route', Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), '"blue-green (test route header x-env=green, bake 5m)"', 'header x-env=green'],
    ['a canary\'s test route', Strategy.canary({ testRoute: Match.cookie('qa', 'yes'), steps: [{ weight: 10, gate: bake(5) }] }),
      '"canary test route cookie qa=yes → 10% (bake 5m) → 100%"', 'cookie qa=yes'],
  ])('%s', (_, strategy, shown, route) => {
    expectValidationError(() => canary(strategy),
      `${where}: strategy is ${shown}: an API Gateway stage canary takes requests at random by percentage, and cannot send the requests of a test route (${route}) to the canary by header, cookie or query parameter. `
      + 'Remove the testRoute and test the candidate on a stage of its own (a second Stage with the candidate\'s stage variables) before the canary starts.');
  });

  test('a second canary on the same stage, or on a stage whose canary settings are already set', () => {
    const { stack, api } = canary(threeSteps);
    expectValidationError(() => new aws.ApiGatewayCanary(stack, 'Other', { stage: api.deploymentStage, strategy: Strategy.CANARY_10PERCENT_5MINUTES }),
      'ApiGatewayCanary Stack/Other: stage is "Stack/Api/DeploymentStage.prod": a stage has one canary, and Stack/Orders already sets it. Release one version at a time on a stage, or give the other release a stage of its own.');
    const other = setup();
    (other.api.deploymentStage.node.defaultChild as apigateway.CfnStage).canarySetting = { percentTraffic: 10 };
    expectValidationError(() => new aws.ApiGatewayCanary(other.stack, 'Orders', { stage: other.api.deploymentStage, strategy: threeSteps, candidate }),
      `${where}: stage is "Stack/Api/DeploymentStage.prod": a stage has one canary, and the stage itself (Stack/Api/DeploymentStage.prod/Resource) already sets it. Release one version at a time on a stage, or give the other release a stage of its own.`);
  });
});

describe('props', () => {
  test.each([
    ['a strategy that is not a Strategy', { strategy: 'canary' as any },
      `${where}: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`],
    ['a stage that is not a Stage', { stage: 'prod' as any },
      `${where}: stage is "prod": it must be a REST API stage defined in this app (apigateway.Stage), whose canary settings the construct sets. Pass api.deploymentStage, or a new apigateway.Stage(...).`],
    ['a candidate without stage variables', { candidate: { stageVariables: {} } },
      `${where}: candidate.stageVariables is "": the canary serves the stage's own deployment, so without stage variables of its own it would release nothing. Override the stage variable that selects the new version, such as { lambdaAlias: "v2" }.`],
    ['stage variables that change nothing', { candidate: { stageVariables: { lambdaAlias: 'v1' } } },
      `${where}: candidate.stageVariables is "lambdaAlias=v1": every variable has the value the stage already has, so the canary would serve what the stage serves. Give the variable that selects the new version its new value, such as { lambdaAlias: "v2" }.`],
    ['a stage variable name API Gateway refuses', { candidate: { stageVariables: { 'lambda-alias': 'v2' } } },
      `${where}: candidate.stageVariables["lambda-alias"] is "lambda-alias": a stage variable name is 1 to 64 letters, digits or "_". Use a name such as "lambdaAlias".`],
    ['a stage variable value API Gateway refuses', { candidate: { stageVariables: { lambdaAlias: 'v 2' } } },
      `${where}: candidate.stageVariables["lambdaAlias"] is "v 2": a stage variable value is 1 to 512 letters, digits or -._~:/?#&=,. Use a value such as "v2", or a host name such as "orders-v2.internal.example.com".`],
    ['a stage variable value that is not a string', { candidate: { stageVariables: { lambdaAlias: 2 as any } } },
      `${where}: candidate.stageVariables["lambdaAlias"] is 2: a stage variable value is a string. Pass a string such as "v2".`],
    ['more than 100 stage variables', { candidate: { stageVariables: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, 'x'])) } },
      `${where}: candidate.stageVariables is "101 variables": API Gateway takes at most 100 stage variables per stage. Override only the variables that select the new version.`],
    ['a stage cache flag that is not a boolean', { candidate: { ...candidate, useStageCache: 'yes' as any } },
      `${where}: candidate.useStageCache is "yes": it must be true or false. Pass true to serve the canary's requests from the stage cache, or leave it out.`],
    ['a candidate that is not an object', { candidate: 'v2' as any },
      `${where}: candidate is "v2": it must be an object. Pass { stageVariables: { lambdaAlias: "v2" } }.`],
    ['a step past the plan', { step: 4 },
      `${where}: step is 4: the plan has steps 1 to 3 (canary 5% (bake 30m) → 50% (manual approval) → 100%). Render a step from 1 to 3, numbered as in the plan's table (step 3 sends everything to the candidate).`],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(() => canary(threeSteps, props as Partial<aws.ApiGatewayCanaryProps>), message);
  });

  test('refuses props that are not an object', () => {
    const { stack } = setup();
    expectValidationError(() => new aws.ApiGatewayCanary(stack, 'Orders', undefined as any),
      `${where}: props is undefined: it must be an object. Pass { stage, strategy, candidate }.`);
  });
});

describe('random props', () => {
  const candidateArb = fc.record({
    // Mostly names and values API Gateway takes, sometimes one it refuses (a dash, a space, an empty string, not a string).
    stageVariables: fc.dictionary(
      mostly(fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9_ -]{0,8}$/)),
      mostly(fc.stringMatching(/^[a-z0-9.:/-]{1,12}$/), fc.oneof(fc.stringMatching(/^[a-z0-9 ]{0,3}$/), oddValueArb)),
      { minKeys: 1, maxKeys: 3 }),
    useStageCache: fc.option(mostly(fc.boolean()), { nil: undefined }),
  }, { requiredKeys: ['stageVariables'] });
  const propsArb = fc.record({
    strategy: fc.oneof({ weight: 3, arbitrary: presetArb }, { weight: 3, arbitrary: strategyArb }, { weight: 1, arbitrary: oddValueArb }),
    candidate: fc.oneof(
      { weight: 4, arbitrary: candidateArb },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: oddValueArb },
    ),
    step: fc.option(fc.oneof(fc.integer({ min: 1, max: 4 }), oddValueArb), { nil: undefined, freq: 3 }),
  });

  test('either synthesize a valid stage canary of the chosen step, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { stack, construct } = canary(p.strategy as Strategy, { candidate: p.candidate as aws.ApiGatewayCandidate, step: p.step as number });
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      const setting = canarySetting(template);
      expect(setting?.PercentTraffic).toBe(construct.step?.candidateWeight);
      if (setting) expect(Object.keys(setting.StageVariableOverrides).length).toBeGreaterThan(0);
    }, { quickRuns: 25 });
  });
});
