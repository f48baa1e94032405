import * as cdk from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { testApp, validatedTemplate, validationReport, VALIDATOR_GLOBAL } from './cfn';

function badQueue(stack: cdk.Stack, properties: Record<string, unknown>): void {
  new cdk.CfnResource(stack, 'Bad', { type: 'AWS::SQS::Queue', properties });
}

describe('testApp', () => {
  test('turns on strict validation and keeps caller context', () => {
    const app = testApp({ context: { custom: 'value' } });
    expect(app.node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
    expect(app.node.tryGetContext('custom')).toBe('value');
  });
});

describe('validatedTemplate', () => {
  test('returns the template of a valid stack', () => {
    const stack = new cdk.Stack(testApp(), 'Stack');
    new sqs.Queue(stack, 'Queue', { visibilityTimeout: cdk.Duration.seconds(30) });

    validatedTemplate(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 30 });
  });

  test('throws on a schema error, naming rule, resource, path and template', () => {
    const stack = new cdk.Stack(testApp(), 'Stack');
    badQueue(stack, { VisibilityTimeout: 'abc' });

    expect(() => validatedTemplate(stack)).toThrow(
      /failed with 1 error\(s\):\n\[F3012\] VisibilityTimeout: 'abc' is not of type 'integer'\n {4}at Bad \(Stack\/Bad\) in Stack\.template\.json \[Properties\.VisibilityTimeout\]/,
    );
  });

  test('reports every invalid property, so the engine really ran', () => {
    const stack = new cdk.Stack(testApp(), 'Stack');
    badQueue(stack, { VisibilityTimeout: 'abc', DelaySeconds: 1000 });

    expect(() => validatedTemplate(stack)).toThrow(/failed with 2 error\(s\)/);
    expect(() => validatedTemplate(stack)).toThrow(/\[F3012\] VisibilityTimeout: 'abc' is not of type 'integer'/);
    expect(() => validatedTemplate(stack)).toThrow(/\[F3034\] DelaySeconds: 1000 is greater than the maximum of 900/);
  });

  test('validates every stack in the assembly, not just the one asked for', () => {
    const app = testApp();
    const good = new cdk.Stack(app, 'Good');
    new sqs.Queue(good, 'Queue');
    badQueue(new cdk.Stack(app, 'Other'), { VisibilityTimeout: 'abc' });

    expect(() => validatedTemplate(good)).toThrow(/at Bad \(Other\/Bad\) in Other\.template\.json/);
  });

  test('validates stacks inside nested stages', () => {
    const stage = new cdk.Stage(testApp(), 'Stage');
    badQueue(new cdk.Stack(stage, 'Stack'), { VisibilityTimeout: 'abc' });
    const top = new cdk.Stack(stage.node.root, 'Top');
    new sqs.Queue(top, 'Queue');

    expect(() => validatedTemplate(top)).toThrow(/at Bad \(Stage\/Stack\/Bad\) in assembly-Stage\/StageStack[0-9A-F]*\.template\.json/);
  });

  test('validates the template of a nested stack', () => {
    const nested = new cdk.NestedStack(new cdk.Stack(testApp(), 'Parent'), 'Nested');
    badQueue(nested, { VisibilityTimeout: 'abc' });

    expect(() => validatedTemplate(nested)).toThrow(/at Bad \(Parent\/Nested\/Bad\) in ParentNested[0-9A-F]*\.nested\.template\.json/);
  });

  test('warnings do not fail', () => {
    const stack = new cdk.Stack(testApp(), 'Stack');
    new sqs.Queue(stack, 'Queue');
    new cdk.CfnParameter(stack, 'Unused');

    const report = validationReport(stack);
    expect(report.violations).toEqual([
      expect.objectContaining({ ruleName: 'W2001', severity: 'warning' }),
    ]);
    expect(() => validatedTemplate(stack)).not.toThrow();
  });

  test('stays correct while resource types alternate', () => {
    // Every new type lands, without properties, in the validator's seed template;
    // its findings (e.g. the Subscription's missing required properties) must not leak.
    const ruleIds = (type: string, properties: Record<string, unknown>) => {
      const stack = new cdk.Stack(testApp(), 'Stack');
      new cdk.CfnResource(stack, 'R', { type, properties });
      return validationReport(stack).violations.map(v => v.ruleName);
    };
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:topic';
    const subscription = { Protocol: 'sqs', TopicArn: topicArn, Endpoint: 'arn:aws:sqs:us-east-1:123456789012:queue' };
    for (let i = 0; i < 2; i++) {
      expect(ruleIds('AWS::SNS::Subscription', subscription)).toEqual([]);
      expect(ruleIds('AWS::SQS::Queue', {})).toEqual([]);
      expect(ruleIds('AWS::SNS::Subscription', { Protocol: 'sqs' })).toEqual(['F3003']);
      expect(ruleIds('AWS::SQS::Queue', { VisibilityTimeout: 'abc' })).toEqual(['F3012']);
    }
  });
});

const withSharedValidator = typeof (globalThis as Record<string, unknown>)[VALIDATOR_GLOBAL] === 'function' ? test : test.skip;

withSharedValidator('goes through the worker-wide validator of cfn-validation-environment', () => {
  const g = globalThis as Record<string, unknown>;
  const shared = g[VALIDATOR_GLOBAL] as (json: string) => string;
  const spy = jest.fn(shared);
  g[VALIDATOR_GLOBAL] = spy;
  try {
    const stack = new cdk.Stack(testApp(), 'Stack');
    badQueue(stack, { VisibilityTimeout: 'abc' });
    expect(() => validatedTemplate(stack)).toThrow(/F3012/);
    expect(spy).toHaveBeenCalledTimes(1);
  } finally {
    g[VALIDATOR_GLOBAL] = shared;
  }
});
