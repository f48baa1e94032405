import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { aws, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { AT, findings } from '../support/guardrails';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import {
  extraAlarmCount, extraAlarms, extraAlarmsArb, healthCheckAlarmCount, healthChecksProp, healthChecksPropArb, optionalRealArb, propsWithOdds, real,
  REAL, realArb, rolloutStrategyArb, withHealthChecksArb,
} from '../support/rollout-arbitraries';
import { expectValidationError } from '../support/validation-error';

function setup() {
  const stack = new Stack(testApp(), 'Stack');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  return { stack, fn };
}

function rollout(strategy: Strategy, props: Partial<aws.LambdaRolloutProps> = {}) {
  const { stack, fn } = setup();
  const construct = new aws.LambdaRollout(stack, 'Rollout', { targetFunction: fn, strategy, ...props });
  return { stack, fn, construct };
}

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));

describe('deployment configuration derived from the strategy', () => {
  test.each([
    ['ALL_AT_ONCE', Strategy.ALL_AT_ONCE, 'CodeDeployDefault.LambdaAllAtOnce'],
    ['CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES, 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
    ['CANARY_10PERCENT_30MINUTES', Strategy.CANARY_10PERCENT_30MINUTES, 'CodeDeployDefault.LambdaCanary10Percent30Minutes'],
    ['LINEAR_10PERCENT_EVERY_1MINUTE', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'],
    ['a canary shaped like a preset', Strategy.canary({ steps: [{ weight: 10, gate: bake(15) }] }), 'CodeDeployDefault.LambdaCanary10Percent15Minutes'],
  ])('%s uses the predefined configuration', (_, strategy, name) => {
    const template = validatedTemplate(rollout(strategy).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: name });
    template.resourceCountIs('AWS::CodeDeploy::DeploymentConfig', 0);
  });

  test('any other canary gets a custom TimeBasedCanary configuration', () => {
    const template = validatedTemplate(rollout(Strategy.canary({ steps: [{ weight: 20, gate: bake(7) }] })).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'Lambda',
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryInterval: 7, CanaryPercentage: 20 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: { Ref: CfnMatch.stringLikeRegexp('RolloutDeploymentConfig') },
    });
  });

  test('any other linear strategy gets a custom TimeBasedLinear configuration', () => {
    const template = validatedTemplate(rollout(Strategy.linear({ stepPercent: 25, interval: Duration.minutes(4) })).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearInterval: 4, LinearPercentage: 25 } },
    });
  });
});

describe('alias, hooks and rollback', () => {
  test('the alias points at the current version and hands updates to CodeDeploy', () => {
    const { stack, fn } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const template = validatedTemplate(stack);
    template.hasResource('AWS::Lambda::Alias', {
      Properties: { Name: 'live', FunctionVersion: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('FnCurrentVersion'), 'Version'] } },
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: { ApplicationName: CfnMatch.anyValue(), DeploymentGroupName: CfnMatch.anyValue() } },
    });
    expect(fn.currentVersion).toBeDefined();
  });

  test('pre- and post-traffic hooks are wired to the alias update', () => {
    const { stack, fn } = setup();
    const hook = (id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    new aws.LambdaRollout(stack, 'Rollout', {
      targetFunction: fn, strategy: Strategy.ALL_AT_ONCE, preTrafficHook: hook('Pre'), postTrafficHook: hook('Post'), aliasName: 'prod',
    });
    validatedTemplate(stack).hasResource('AWS::Lambda::Alias', {
      Properties: { Name: 'prod' },
      UpdatePolicy: {
        CodeDeployLambdaAliasUpdate: { BeforeAllowTrafficHook: { Ref: CfnMatch.stringLikeRegexp('Pre') }, AfterAllowTrafficHook: { Ref: CfnMatch.stringLikeRegexp('Post') } },
      },
    });
  });

  test('by default an error rate of the alias (function errors over invocations) rolls the deployment back', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0].Properties;
    expect(alarm).toMatchObject({
      Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'missing',
    });
    const queries = alarm.Metrics as any[];
    expect(queries.find(q => q.Expression).Expression).toBe('IF(requests >= 10, 100 * errors / requests)');
    expect(queries.find(q => q.Id === 'errors').MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors' }, Stat: 'Sum', Period: 60 });
    expect(queries.find(q => q.Id === 'requests').MetricStat).toMatchObject({ Metric: { MetricName: 'Invocations' }, Stat: 'Sum', Period: 60 });
    expect(queries.find(q => q.Id === 'errors').MetricStat.Metric.Dimensions.map((d: any) => d.Name)).toEqual(['FunctionName', 'Resource']);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: CfnMatch.stringLikeRegexp('RolloutHealthCheckserrorrate') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: CfnMatch.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) },
    });
    expect(construct.plan.healthChecks.map(c => c.describe())).toEqual(['error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)']);
    expect(construct.healthCheckAlarms).toHaveLength(1);
  });

  test('the strategy\'s checks (a Duration percentile in milliseconds), the rollout\'s own, addHealthCheck(), or none', () => {
    const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(1200) });
    const house = rollout(Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([p99]));
    const template = validatedTemplate(house.stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1200, Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({ Id: 'latency', MetricStat: CfnMatch.objectLike({ Stat: 'p99' }) })]),
    });
    expect(house.construct.plan.healthChecks).toEqual([p99]);
    const none = rollout(Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([p99]), { healthChecks: [] });
    Template.fromStack(none.stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(none.construct.plan.healthChecks).toEqual([]);
    const added = rollout(Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([p99]), { healthChecks: [] });
    added.construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 0.5 }));
    expect(added.construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate']);
    expect(added.construct.plan.steps[0].watchedBy).toEqual(['error-rate']);
    Template.fromStack(added.stack).resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('health checks CodeDeploy for Lambda cannot measure are refused, naming the rollout', () => {
    const fast = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(20) });
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, { healthChecks: [fast] }),
      'LambdaRollout Stack/Rollout: health check "error-rate" window is 20 seconds: Lambda publishes metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(1).');
    const { construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    expectValidationError(() => construct.addHealthCheck(HealthCheck.prometheus({ name: 'q', query: 'up', minValue: 1 })),
      'LambdaRollout Stack/Rollout: health check "q" is "query below 1": CodeDeploy for Lambda measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. '
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
  });

  test('the guardrails see the health checks: a rollback trigger (CDS-R1) measuring the rollout (CDS-R8)', () => {
    const pack = guardrails.GuardrailPack.recommended({ at: AT }).withRule(new guardrails.HealthCheckCoverageRule());
    const { stack } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    expect(findings(stack, 'CDS-R1', pack)).toEqual([]);
    expect(findings(stack, 'CDS-R8', pack)).toEqual([]);
    const subject = guardrails.Guardrails.report(stack, pack);
    expect(subject.findings).toEqual([]);
  });

  test('alarms added later also stop the deployment', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const extra = new cloudwatch.Alarm(stack, 'Latency', {
      metric: construct.alias.metricDuration(), threshold: 1000, evaluationPeriods: 1,
    });
    construct.addAlarm(extra);
    validatedTemplate(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Alarms: CfnMatch.arrayWith([{ Name: { Ref: CfnMatch.stringLikeRegexp('Latency') } }]) },
    });
  });

  test('records its traffic plan in the cloud assembly', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const entry = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
    expect(entry.data.controller).toBe('CodeDeploy for Lambda');
    expect(entry.data.table).toBe(construct.plan.toTable());
    const artifact = (stack.node.root as App).synth().getStackByName('Stack');
    const recorded = artifact.findMetadataByType(PLAN_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Rollout']);
    expect((recorded[0].data as any).plan).toEqual(construct.plan.toJson());
  });
});

describe('what CodeDeploy for Lambda cannot express', () => {
  const prop = 'LambdaRollout Stack/Rollout: strategy';
  test.each([
    ['blue-green', Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }),
      `${prop} is "blue-green (test route header x-env=green, bake 5m)": CodeDeploy for Lambda cannot express blue-green: an alias has no second environment to reach through a test route. Use Strategy.ALL_AT_ONCE, a one-step canary such as Strategy.CANARY_10PERCENT_5MINUTES, or a linear strategy; test the new version in a pre-traffic hook.`],
    ['several canary steps', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(5) }] }),
      `${prop} is "canary 10% (bake 5m) → 50% (bake 5m) → 100%": CodeDeploy for Lambda shifts a canary in one step, then to 100%; this canary has 2 steps before 100%. Use one step, such as Strategy.CANARY_10PERCENT_5MINUTES, or Strategy.linear() for equal steps.`],
    ['a fractional percent', Strategy.canary({ steps: [{ weight: 2.5, gate: bake(5) }] }),
      `${prop} is "canary 2.5% (bake 5m) → 100%": CodeDeploy for Lambda shifts whole percents of traffic, and 2.5% is not. Round the weight to a whole percent.`],
    ['a bake that is not whole minutes', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.seconds(90)) }] }),
      `${prop} is "canary 10% (bake 1m 30s) → 100%": CodeDeploy for Lambda counts the time between shifts in whole minutes, and bake 1m 30s is not. Round the bake time to whole minutes.`],
    ['a manual approval', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval() }] }),
      `${prop} is "canary 10% (manual approval) → 100%": CodeDeploy for Lambda waits between shifts only for a time; it has no manual approval step. Use StepGate.bake() and add alarms to stop a bad deployment; for approvals or analysis use a Kubernetes Argo Rollouts provider.`],
    ['an analysis', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.analysis({ name: 'errors', duration: Duration.minutes(5) }) }] }),
      `${prop} is "canary 10% (analysis errors 5m) → 100%": CodeDeploy for Lambda waits between shifts only for a time; it has no analysis step. Use StepGate.bake() and add alarms to stop a bad deployment; for approvals or analysis use a Kubernetes Argo Rollouts provider.`],
    ['a canary\'s test route', Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: bake(5) }] }),
      `${prop} is "canary test route header x-qa=1 → 10% (bake 5m) → 100%": CodeDeploy for Lambda shifts traffic by weight only and cannot send the requests of a test route (header x-qa=1) to the new version first. Remove the testRoute; test the new version before it gets traffic in a preTrafficHook, or invoke it directly by its version ARN.`],
    ['a linear strategy\'s test route', Strategy.linear({ stepPercent: 10, interval: Duration.minutes(1), testRoute: Match.cookie('qa', 'yes') }),
      `${prop} is "linear 10% every 1m, after test route cookie qa=yes": CodeDeploy for Lambda shifts traffic by weight only and cannot send the requests of a test route (cookie qa=yes) to the new version first. Remove the testRoute; test the new version before it gets traffic in a preTrafficHook, or invoke it directly by its version ARN.`],
    ['a hold at 100%', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 100, gate: bake(30) }] }),
      `${prop} is "canary 10% (bake 5m) → 100% (bake 30m)": CodeDeploy for Lambda completes a deployment as soon as all traffic has shifted, so it cannot hold the 100% step (bake 30m). Remove the gate from the 100% step; alarms keep watching until the deployment ends.`],
  ])('refuses %s at construction', (_, strategy, message) => {
    expectValidationError(() => rollout(strategy), message);
  });

  test('more than 50 alarms fail at synth', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    for (let i = 0; i < 50; i++) {
      construct.addAlarm(cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`));
    }
    expect(() => Template.fromStack(stack)).toThrow(
      'LambdaRollout Stack/Rollout: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group, health checks\' alarms included (each health check renders one alarm). '
      + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.');
  });

  test('a function that is not a lambda.Function is refused', () => {
    const { stack, fn } = setup();
    const imported = lambda.Function.fromFunctionName(stack, 'Imported', 'other');
    expectValidationError(() => new aws.LambdaRollout(stack, 'Rollout', { targetFunction: imported as any, strategy: Strategy.ALL_AT_ONCE }),
      'LambdaRollout Stack/Rollout: targetFunction is an Import: it must be a lambda.Function, whose current version the alias points at. Pass the lambda.Function defined in this app; an imported function has no versions to publish.');
    expect(fn).toBeDefined();
  });

  test('a strategy that is not a Strategy is refused', () => {
    expectValidationError(() => rollout('canary' as any),
      'LambdaRollout Stack/Rollout: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
  });
});

describe('bad alarm input', () => {
  test.each([
    [{ alarms: 5 }, 'LambdaRollout Stack/Rollout: alarms is 5: it must be an array. Pass an array of alarms.'],
    [{ alarms: [undefined] }, 'LambdaRollout Stack/Rollout: alarms[0] is undefined: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().'],
    [{ healthChecks: 5 }, 'LambdaRollout Stack/Rollout: healthChecks is 5: it must be an array of health checks. Pass checks such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], or [] for none.'],
    [{ healthChecks: [undefined] }, 'LambdaRollout Stack/Rollout: healthChecks[0] is undefined: a health check is made with HealthCheck.errorRate(), HealthCheck.latency(), HealthCheck.prometheus() or aws.CloudWatchHealthCheck. '
      + 'For example HealthCheck.errorRate({ maxErrorPercent: 1 }).'],
    [{ healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(90) })] },
      'LambdaRollout Stack/Rollout: health check "error-rate" window is 1 minute 30 seconds: Lambda publishes metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(2).'],
  ])('refuses %p', (props, message) => {
    expectValidationError(() => rollout(Strategy.ALL_AT_ONCE, props as any), message);
  });

  test('addAlarm refuses something that is not an alarm', () => {
    const { construct } = rollout(Strategy.ALL_AT_ONCE);
    expectValidationError(() => construct.addAlarm('x' as any),
      'LambdaRollout Stack/Rollout: alarm is "x": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  });
});

describe('props aws-cdk-lib or CodeDeploy would refuse later', () => {
  const where = 'LambdaRollout Stack/Rollout';
  test.each([
    [{ aliasName: '42' }, `${where}: aliasName is "42": a Lambda alias name is 1-128 letters, digits, "-" or "_", and not a number (numbers name versions). Use a name such as "live".`],
    [{ aliasName: 'live now' }, `${where}: aliasName is "live now": a Lambda alias name is 1-128 letters, digits, "-" or "_", and not a number (numbers name versions). Use a name such as "live".`],
    [{ preTrafficHook: 'smoke-test' }, `${where}: preTrafficHook is "smoke-test": it must be a Lambda function, which CodeDeploy invokes and which reports the result to CodeDeploy. Pass a lambda.Function, or one imported with Function.fromFunctionArn().`],
    [{ postTrafficHook: {} }, `${where}: postTrafficHook is an object: it must be a Lambda function, which CodeDeploy invokes and which reports the result to CodeDeploy. Pass a lambda.Function, or one imported with Function.fromFunctionArn().`],
    [{ application: 5 }, `${where}: application is 5: it must be a CodeDeploy application. Pass a codedeploy.LambdaApplication, or one imported with LambdaApplication.fromLambdaApplicationName(), or leave it out for a new application.`],
    [{ healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.days(8), failingWindows: 1 })] },
      `${where}: health check "error-rate" window is 8 days: CloudWatch evaluates an alarm over at most 7 days. Use a window of at most Duration.days(7); a shorter one rolls back sooner.`],
    [{ healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.days(4) })] },
      `${where}: health check "error-rate" failingWindows is 2: CloudWatch evaluates an alarm over at most 7 days, and 2 windows of 4d last 8d. Use at most 1 failing window of 4d, or fewer, longer windows.`],
  ])('refuses %p at construction', (props, message) => {
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, props as any), message);
  });

  test('refuses an application for another compute platform', () => {
    const { stack, fn } = setup();
    const application = new codedeploy.EcsApplication(stack, 'App');
    expectValidationError(() => new aws.LambdaRollout(stack, 'Rollout', { targetFunction: fn, strategy: Strategy.ALL_AT_ONCE, application: application as any }),
      `${where}: application is "Stack/App": it is an application for the ECS compute platform, and this deployment group deploys to Lambda. Pass a codedeploy.LambdaApplication, or one imported with LambdaApplication.fromLambdaApplicationName(), or leave it out for a new application.`);
  });

  test('refuses more than 50 alarms at construction when the props alone pass the limit', () => {
    const { stack, fn } = setup();
    const alarms = Array.from({ length: 50 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`));
    expectValidationError(() => new aws.LambdaRollout(stack, 'Rollout', { targetFunction: fn, strategy: Strategy.ALL_AT_ONCE, alarms }),
      `${where}: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group, health checks' alarms included (each health check renders one alarm). `
      + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.');
  });
});

describe('random props', () => {
  const propsArb = propsWithOdds(odd => fc.record({
    targetFunction: realArb(odd),
    strategy: withHealthChecksArb(rolloutStrategyArb(odd, 0)),
    aliasName: fc.option(odd<unknown>(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/), fc.oneof(fc.string(), fc.integer().map(String), oddValueArb)), { nil: undefined }),
    preTrafficHook: optionalRealArb(odd),
    postTrafficHook: optionalRealArb(odd),
    alarms: extraAlarmsArb(odd),
    healthChecks: healthChecksPropArb(odd),
    application: fc.option(odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('ecs'), oddValueArb)), { nil: undefined }),
  }));
  const hook = (stack: Stack, id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });

  test('either synthesize a valid, clean CodeDeploy rollout or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { stack, fn } = setup();
      const construct = new aws.LambdaRollout(stack, 'Rollout', {
        targetFunction: real(p.targetFunction, () => fn),
        strategy: p.strategy,
        aliasName: p.aliasName as string,
        preTrafficHook: real(p.preTrafficHook, () => hook(stack, 'Pre')),
        postTrafficHook: real(p.postTrafficHook, () => hook(stack, 'Post')),
        alarms: extraAlarms(stack, p.alarms) as cloudwatch.IAlarm[],
        healthChecks: healthChecksProp(stack, p.healthChecks) as HealthCheck[],
        application: p.application === 'ecs' ? new codedeploy.EcsApplication(stack, 'EcsApp') : real(p.application, () => new codedeploy.LambdaApplication(stack, 'App')),
      });
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      // Every alarm, of a health check or passed, stops the deployment.
      const generated = healthCheckAlarmCount(construct.plan.healthChecks, 1);
      const own = construct.plan.healthChecks.filter(c => c.kind === 'CLOUDWATCH').length;
      template.resourceCountIs('AWS::CloudWatch::Alarm', generated - own);
      const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
      expect(group.Properties.AlarmConfiguration?.Alarms ?? []).toHaveLength(generated + extraAlarmCount(p.alarms));
      // A custom configuration shifts the plan's first step.
      const configs = Object.values(template.findResources('AWS::CodeDeploy::DeploymentConfig'));
      if (configs.length > 0) {
        const routing = configs[0].Properties.TrafficRoutingConfig;
        const percent = routing.TimeBasedCanary?.CanaryPercentage ?? routing.TimeBasedLinear?.LinearPercentage;
        expect(percent).toBe(construct.plan.steps[0].candidateWeight);
      }
    });
  });
});
