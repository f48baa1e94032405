import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as fc from 'fast-check';
import { aws, CapacityMode, guardrails, HealthCheck, HealthCheckKind, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { healthChecksArb, mostly, oddValueArb, presetArb, strategyArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { AT, findings } from '../support/guardrails';
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

const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });
const checkedCanary = threeSteps.withHealthChecks([errorRate, p99]);
/** The recommended pack with CDS-R8, which names a rollout no health check measures. */
const withCoverage = () => guardrails.GuardrailPack.recommended({ at: AT }).withRule(new guardrails.HealthCheckCoverageRule());

/** The alarms of a template, by logical id. */
function alarmsOf(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => [id, a.Properties]));
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

describe('health checks on the canary\'s own metrics', () => {
  test('the strategy\'s checks become alarms on the canary\'s metrics, which the plan lists as watching each step', () => {
    const { stack, construct } = canary(checkedCanary);
    const alarms = alarmsOf(validatedTemplate(stack));
    expect(Object.keys(alarms)).toHaveLength(2);
    const [rate, latency] = construct.healthCheckAlarms.map(alarm => alarms[stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm)]);
    expect(construct.healthCheckAlarms.map(alarm => alarm.node.path)).toEqual(['Stack/Orders/HealthChecks/error-rate', 'Stack/Orders/HealthChecks/latency-p99']);

    const canaryDimensions = [{ Name: 'ApiName', Value: 'Api' }, { Name: 'Stage', Value: 'prod/Canary' }];
    expect(rate).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
      AlarmDescription: 'Health check error-rate: 5xx above 1% for 2 windows of 1m (10+ requests), measured on the canary of stage Stack/Api/DeploymentStage.prod: '
        + 'nothing acts on it by itself; check it before deploying the next step, and deploy without the candidate (removing the canary) when it is in ALARM.',
    });
    const rateQueries = rate.Metrics as any[];
    expect(rateQueries.find(q => q.Expression).Expression).toBe('IF(requests >= 10, 100 * errors)');
    expect(rateQueries.find(q => q.Id === 'errors').MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: canaryDimensions }, Stat: 'Average', Period: 60,
    });
    expect(rateQueries.find(q => q.Id === 'requests').MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: canaryDimensions }, Stat: 'SampleCount', Period: 60,
    });
    expect(latency).toMatchObject({ Threshold: 800, EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'missing' });
    const latencyQueries = latency.Metrics as any[];
    expect(latencyQueries.find(q => q.Expression).Expression).toBe('IF(requests >= 10, latency)');
    expect(latencyQueries.find(q => q.Id === 'latency').MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: canaryDimensions }, Stat: 'p99', Period: 60,
    });

    expect(construct.plan.healthChecks).toEqual([errorRate, p99]);
    expect(construct.plan.steps.map(s => s.watchedBy)).toEqual([['error-rate', 'latency-p99'], ['error-rate', 'latency-p99'], undefined]);
    expect(construct.step!.watchedBy).toEqual(['error-rate', 'latency-p99']);
  });

  test('the recorded plan shows who watches each step', () => {
    const { construct } = canary(checkedCanary, { step: 2 });
    const recorded = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!.data;
    expect(recorded.table).toBe(construct.plan.toTable());
    expect(recorded.table).toContain('watched by');
    expect(recorded.plan.steps.map((s: any) => s.watchedBy)).toEqual([['error-rate', 'latency-p99'], ['error-rate', 'latency-p99'], undefined]);
    expect(recorded.plan.healthChecks.map((c: any) => c.name)).toEqual(['error-rate', 'latency-p99']);
  });

  test('the rollout\'s healthChecks replace the strategy\'s; [] measures nothing', () => {
    const strict = HealthCheck.errorRate({ name: 'strict', maxErrorPercent: 0.5, failingWindows: 1 });
    const replaced = canary(checkedCanary, { healthChecks: [strict] });
    expect(Object.values(alarmsOf(validatedTemplate(replaced.stack))).map(a => [a.Threshold, a.EvaluationPeriods])).toEqual([[0.5, 1]]);
    expect(replaced.construct.plan.healthChecks).toEqual([strict]);
    expect(replaced.construct.healthCheckAlarms.map(a => a.node.path)).toEqual(['Stack/Orders/HealthChecks/strict']);

    const none = canary(checkedCanary, { healthChecks: [] });
    expect(alarmsOf(validatedTemplate(none.stack))).toEqual({});
    expect(none.construct.plan.steps.every(s => s.watchedBy === undefined)).toBe(true);
  });

  test('without declared checks there are no alarms (no defaults: nothing would read them)', () => {
    const { stack, construct } = canary(threeSteps);
    expect(alarmsOf(validatedTemplate(stack))).toEqual({});
    expect(construct.healthCheckAlarms).toEqual([]);
  });

  test('addHealthCheck() adds an alarm, and the plan and its record follow', () => {
    const { stack, construct } = canary(threeSteps.withHealthChecks([errorRate]));
    const strict = HealthCheck.latency({ name: 'latency-p50', percentile: 50, maxLatency: Duration.millis(200), window: Duration.minutes(5) });
    construct.addHealthCheck(strict);
    const alarms = alarmsOf(validatedTemplate(stack));
    expect(Object.keys(alarms)).toHaveLength(2);
    const added = alarms[stack.getLogicalId(construct.healthCheckAlarms[1].node.defaultChild as cloudwatch.CfnAlarm)];
    expect(added).toMatchObject({ Threshold: 200 });
    expect((added.Metrics as any[]).find(q => q.Id === 'latency').MetricStat).toMatchObject({ Metric: { MetricName: 'Latency' }, Stat: 'p50', Period: 300 });
    expect(construct.plan.healthChecks).toEqual([errorRate, strict]);
    expect(construct.step!.watchedBy).toEqual(['error-rate', 'latency-p50']);
    expect(construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!.data.table).toBe(construct.plan.toTable());
    expect(construct.plan.toTable()).toContain('latency-p50: p50 above 200ms for 2 windows of 5m (10+ requests)');
  });

  test('checks of your own: an alarm is used as it is, a metric gets an alarm beside the others', () => {
    const { stack, construct } = canary(threeSteps);
    const own = new cloudwatch.Alarm(stack, 'SlowOrders', {
      metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'OrderSeconds', period: Duration.minutes(1) }), threshold: 3, evaluationPeriods: 1,
    });
    construct.addHealthCheck(aws.CloudWatchHealthCheck.alarm(own));
    construct.addHealthCheck(aws.CloudWatchHealthCheck.metric({
      name: 'backlog', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.minutes(1) }), threshold: 100,
    }));
    expect(construct.healthCheckAlarms[0]).toBe(own);
    expect(construct.healthCheckAlarms[1].node.path).toBe('Stack/Orders/HealthChecks/backlog');
    expect(Object.values(alarmsOf(validatedTemplate(stack))).map(a => a.MetricName).sort()).toEqual(['Backlog', 'OrderSeconds']);
    expect(construct.plan.healthChecks.map(c => c.kind)).toEqual([HealthCheckKind.CLOUDWATCH, HealthCheckKind.CLOUDWATCH]);
  });

  test('the alarms stay between releases, when the stage has no canary', () => {
    const { stack, construct } = canary(checkedCanary, { candidate: undefined });
    const template = validatedTemplate(stack);
    expect(canarySetting(template)).toBeUndefined();
    expect(Object.keys(alarmsOf(template))).toHaveLength(2);
    expect(construct.step).toBeUndefined();
    expect(findings(stack.node.root, 'CDS-R8', withCoverage())).toEqual([]);
  });

  test('CDS-R8 sees the checks measured; CDS-R1 still reports the rollout, since nothing acts on the alarms', () => {
    const measured = canary(checkedCanary);
    expect(findings(measured.stack.node.root, 'CDS-R8', withCoverage())).toEqual([]);
    expect(findings(measured.stack.node.root, 'CDS-R1')).toEqual([
      'Stack/Orders: canary 5% (bake 30m) → 50% (manual approval) → 100% on API Gateway stage canary: nothing rolls it back',
    ]);
    const unmeasured = canary(threeSteps);
    expect(findings(unmeasured.stack.node.root, 'CDS-R8', withCoverage())).toEqual([
      'Stack/Orders: canary 5% (bake 30m) → 50% (manual approval) → 100% on API Gateway stage canary: nothing measures the new version (no health check is declared)',
    ]);
    // A check added after construction counts.
    unmeasured.construct.addHealthCheck(errorRate);
    expect(findings(unmeasured.stack.node.root, 'CDS-R8', withCoverage())).toEqual([]);
  });

  test.each([
    ['a PromQL query', [HealthCheck.prometheus({ name: 'queue-depth', query: 'sum(jobs_waiting)', maxValue: 100 })],
      `${where}: health check "queue-depth" is "query above 100": API Gateway stage canary measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. `
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().'],
    ['a window of part of a minute', [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(90) })],
      `${where}: health check "error-rate" window is 1 minute 30 seconds: API Gateway publishes metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(2).`],
    ['a high-resolution window', [HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1), window: Duration.seconds(30) })],
      `${where}: health check "latency-p99" window is 30 seconds: API Gateway publishes metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(1).`],
    ['more failing windows than CloudWatch evaluates', [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.minutes(30), failingWindows: 60 })],
      `${where}: health check "error-rate" failingWindows is 60: CloudWatch evaluates an alarm over at most 1 day when its period is under an hour, and 60 windows of 30m last 1d 6h. Use at most 48 failing windows of 30m, or fewer, longer windows.`],
    ['healthChecks that are not a list', 'error-rate',
      `${where}: healthChecks is "error-rate": it must be an array of health checks. Pass checks such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], or [] for none.`],
    ['a health check that is not one', [{ maxErrorPercent: 1 }],
      `${where}: healthChecks[0] is an object: a health check is made with HealthCheck.errorRate(), HealthCheck.latency(), HealthCheck.prometheus() or aws.CloudWatchHealthCheck. For example HealthCheck.errorRate({ maxErrorPercent: 1 }).`],
  ])('refuses %s, before touching the stage', (_, healthChecks, message) => {
    const base = setup();
    expectValidationError(() => new aws.ApiGatewayCanary(base.stack, 'Orders', { stage: base.api.deploymentStage, strategy: threeSteps, candidate, healthChecks: healthChecks as HealthCheck[] }), message);
    expect((base.api.deploymentStage.node.defaultChild as apigateway.CfnStage).canarySetting).toBeUndefined();
  });

  test('the strategy\'s checks are measured, so a strategy with a PromQL query is refused unless the rollout replaces them', () => {
    const query = HealthCheck.prometheus({ name: 'queue-depth', query: 'sum(jobs_waiting)', maxValue: 100 });
    expectValidationError(() => canary(threeSteps.withHealthChecks([errorRate, query])),
      `${where}: health check "queue-depth" is "query above 100": API Gateway stage canary measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. `
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
    expect(canary(threeSteps.withHealthChecks([errorRate, query]), { healthChecks: [errorRate] }).construct.plan.healthChecks).toEqual([errorRate]);
  });

  test.each([
    ['a name already taken', errorRate,
      `${where}: addHealthCheck name is "error-rate": a health check of this name already watches it, and a name picks one alarm. Give the check another name with its name option, such as "latency-p99-strict".`],
    ['something that is not a check', 'error-rate',
      `${where}: addHealthCheck is "error-rate": a health check is made with HealthCheck.errorRate(), HealthCheck.latency() or aws.CloudWatchHealthCheck. Pass a check such as HealthCheck.errorRate({ maxErrorPercent: 1 }).`],
  ])('addHealthCheck() refuses %s, and the plan stays as it was', (_, check, message) => {
    const { construct } = canary(threeSteps.withHealthChecks([errorRate]));
    const before = construct.plan;
    expectValidationError(() => construct.addHealthCheck(check as HealthCheck), message);
    expect(construct.plan).toBe(before);
    expect(construct.healthCheckAlarms).toHaveLength(1);
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
      `${where}: candidate.stageVariables["lambda-alias"] is "lambda-alias": a stage variable name is 1 to 64 letters, digits or "_", at least one of them a letter or a digit. Use a name such as "lambdaAlias".`],
    ['a stage variable name of underscores alone, which CloudFormation refuses', { candidate: { stageVariables: { __: 'v2' } } },
      `${where}: candidate.stageVariables["__"] is "__": a stage variable name is 1 to 64 letters, digits or "_", at least one of them a letter or a digit. Use a name such as "lambdaAlias".`],
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
    // The strategy's checks, and mostly none or the rollout's own in their place (sometimes not a list of checks).
    strategyChecks: healthChecksArb,
    healthChecks: fc.option(mostly(healthChecksArb), { nil: undefined, freq: 2 }),
  });

  test('either synthesize a valid stage canary of the chosen step, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const strategy = p.strategy instanceof Strategy ? p.strategy.withHealthChecks(p.strategyChecks) : p.strategy;
      const { stack, construct } = canary(strategy as Strategy, {
        candidate: p.candidate as aws.ApiGatewayCandidate, step: p.step as number, healthChecks: p.healthChecks as HealthCheck[] | undefined,
      });
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      const setting = canarySetting(template);
      expect(setting?.PercentTraffic).toBe(construct.step?.candidateWeight);
      if (setting) expect(Object.keys(setting.StageVariableOverrides).length).toBeGreaterThan(0);

      // One alarm per check, on the canary's own metrics, with the check's threshold and windows.
      const checks = p.healthChecks ?? p.strategyChecks;
      expect(construct.plan.healthChecks.map(c => c.name)).toEqual(checks.map(c => c.name));
      const alarms = alarmsOf(template);
      expect(Object.keys(alarms)).toHaveLength(checks.length);
      checks.forEach((check, i) => {
        const alarm = alarms[stack.getLogicalId(construct.healthCheckAlarms[i].node.defaultChild as cloudwatch.CfnAlarm)];
        const threshold = check.kind === HealthCheckKind.LATENCY ? check.maxLatency!.toMilliseconds() : check.maxErrorPercent;
        expect(alarm).toMatchObject({ Threshold: threshold, EvaluationPeriods: check.failingWindows, DatapointsToAlarm: check.failingWindows });
        const stats = alarm.Metrics ? (alarm.Metrics as any[]).filter(q => q.MetricStat).map(q => q.MetricStat.Metric) : [alarm];
        stats.forEach(m => expect(m.Dimensions).toEqual([{ Name: 'ApiName', Value: 'Api' }, { Name: 'Stage', Value: 'prod/Canary' }]));
      });
      const watched = construct.plan.steps.filter(s => s.watchedBy !== undefined);
      watched.forEach(s => expect(s.watchedBy).toEqual(checks.map(c => c.name)));
      if (checks.length === 0) expect(watched).toEqual([]);
    }, { quickRuns: 25 });
  });
});
