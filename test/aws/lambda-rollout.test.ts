import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { aws, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE } from '../../src/private/plan-metadata';
import { testApp, validatedTemplate } from '../support/cfn';
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

  test('an alarm on the alias errors rolls the deployment back', () => {
    const template = validatedTemplate(rollout(Strategy.CANARY_10PERCENT_5MINUTES).stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: CfnMatch.arrayWith([CfnMatch.objectLike({ Name: 'Resource' })]),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: CfnMatch.stringLikeRegexp('RolloutErrorsAlarm') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: CfnMatch.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) },
    });
  });

  test('the error alarm takes a threshold and a period, and can be left out', () => {
    const custom = rollout(Strategy.ALL_AT_ONCE, { errorAlarm: { threshold: 5, period: Duration.minutes(5) } });
    validatedTemplate(custom.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 5, Period: 300 });
    const none = rollout(Strategy.ALL_AT_ONCE, { generateErrorAlarm: false });
    Template.fromStack(none.stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(none.construct.errorAlarm).toBeUndefined();
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
      'LambdaRollout Stack/Rollout: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group. Combine alarms into a composite alarm (cloudwatch.CompositeAlarm).');
  });

  test('an error threshold below 1 is refused', () => {
    expectValidationError(() => rollout(Strategy.ALL_AT_ONCE, { errorAlarm: { threshold: 0 } }),
      'LambdaRollout Stack/Rollout: errorAlarm.threshold is 0: it is a count of errors, at least 1. Use 1 to roll back on the first error, or a higher count.');
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
    [{ errorAlarm: { period: 60 } }, 'LambdaRollout Stack/Rollout: errorAlarm.period is 60: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Lambda publishes its metrics every minute; use whole minutes, at least Duration.minutes(1).'],
    [{ errorAlarm: { period: Duration.seconds(30) } }, 'LambdaRollout Stack/Rollout: errorAlarm.period is 30 seconds: it must be at least 60 seconds. Lambda publishes its metrics every minute; use whole minutes, at least Duration.minutes(1).'],
    [{ errorAlarm: { period: Duration.seconds(90) } }, 'LambdaRollout Stack/Rollout: errorAlarm.period is 1 minute 30 seconds: Lambda publishes its metrics every minute, so the period is whole minutes. Use whole minutes, such as Duration.minutes(2).'],
  ])('refuses %p', (props, message) => {
    expectValidationError(() => rollout(Strategy.ALL_AT_ONCE, props as any), message);
  });

  test('addAlarm refuses something that is not an alarm', () => {
    const { construct } = rollout(Strategy.ALL_AT_ONCE);
    expectValidationError(() => construct.addAlarm('x' as any),
      'LambdaRollout Stack/Rollout: alarm is "x": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  });
});
