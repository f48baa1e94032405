import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { aws, StepGate, Strategy } from '../../../src';
import { PLAN_METADATA_TYPE } from '../../../src/aws/private/plan-metadata';
import { testApp, validatedTemplate } from '../../support/cfn';
import { resolveCfn, STACK_ID } from '../../support/sfn';
import { expectValidationError } from '../../support/validation-error';

const where = 'WeightedDnsRollout Stack/Web';

function rollout(strategy: Strategy = Strategy.CANARY_10PERCENT_5MINUTES, driver = aws.RolloutDriver.stepFunctions(), alarms = 1, app = testApp()) {
  const stack = new Stack(app, 'Stack');
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const web = new aws.WeightedDnsRollout(stack, 'Web', {
    zone,
    recordName: 'www',
    strategy,
    driver,
    stable: aws.DnsTarget.ipAddress('192.0.2.10'),
    candidate: aws.DnsTarget.ipAddress('192.0.2.20'),
    alarms: Array.from({ length: alarms }, (_, i) => new cloudwatch.Alarm(stack, `Alarm${i}`, {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: `Errors${i}` }), threshold: 1, evaluationPeriods: 1,
    })),
  });
  return { stack, web };
}

/** Whether an EventBridge pattern of literal values matches an event. */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([key, expected]) => (Array.isArray(expected)
    ? expected.includes(event?.[key])
    : matches(expected, event?.[key])));
}

describe('the resources of a driven rollout', () => {
  let template: any;
  let synthesized: ReturnType<typeof rollout>;
  beforeAll(() => {
    synthesized = rollout();
    template = validatedTemplate(synthesized.stack).toJSON();
  }, 120_000);
  const resources = (type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

  test('a Standard state machine with a name of its own, logging every state without its data, traced by X-Ray', () => {
    const [[, machine]] = resources('AWS::StepFunctions::StateMachine');
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
    expect(machine.Properties.StateMachineName).toMatch(/^Stack-Web-[0-9A-F]{8}$/);
    const [[, group]] = resources('AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBe(365);
  });

  test('the role is assumed by Step Functions, and its start policy reads only its stack and its own executions', () => {
    const [[, role]] = resources('AWS::IAM::Role').filter(([id]) => id.startsWith('WebDriverRole'));
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' } },
    ]);
    const [[, start]] = resources('AWS::IAM::Policy').filter(([id]) => id.startsWith('WebDriverStartPolicy'));
    const name = resources('AWS::StepFunctions::StateMachine')[0][1].Properties.StateMachineName;
    expect(resolveCfn(template, start.Properties.PolicyDocument.Statement)).toEqual([
      { Action: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'], Effect: 'Allow', Resource: STACK_ID },
      { Action: 'states:ListExecutions', Effect: 'Allow', Resource: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}` },
      { Action: 'states:StopExecution', Effect: 'Allow', Resource: `arn:aws:states:us-east-1:123456789012:execution:${name}:*` },
    ]);
  });

  test('it reads only the rollout\'s alarms, and publishes only to its topic', () => {
    const statements = resources('AWS::IAM::Policy').flatMap(([, p]) => resolveCfn(template, p.Properties.PolicyDocument.Statement));
    // Scoped to `*`: CloudWatch returns composite alarms to no narrower DescribeAlarms permission; the driver names the alarms it reads.
    expect(statements).toContainEqual({ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' });
    expect(statements).toContainEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: expect.stringMatching(/^arn:aws:sns:us-east-1:123456789012:WebDriverTopic/) });
  });

  test('the topic is encrypted with the AWS managed key and reachable over TLS only', () => {
    const [[, topic]] = resources('AWS::SNS::Topic');
    expect(resolveCfn(template, topic.Properties.KmsMasterKeyId)).toBe('arn:aws:kms:us-east-1:123456789012:alias/aws/sns');
    const [[, policy]] = resources('AWS::SNS::TopicPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('an EventBridge rule starts it when a deploy creates or updates the candidate record, and listens before the record changes', () => {
    const [[ruleId, rule]] = resources('AWS::Events::Rule');
    const [candidateId, candidate] = resources('AWS::Route53::RecordSet').find(([, r]) => r.Properties.SetIdentifier === 'Web-candidate')!;
    expect(candidate.DependsOn).toEqual(expect.arrayContaining([ruleId]));
    const pattern = resolveCfn(template, rule.Properties.EventPattern);
    // A sample event of the documented shape (CloudFormation User Guide, "Resource Status Change event detail"):
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-resource-status-change.html
    const sample = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'cloudformation-resource-status-change.json'), 'utf-8'));
    const event = (detail: object = {}, top: object = {}) => ({ ...sample, ...top, detail: { ...sample.detail, 'logical-resource-id': candidateId, ...detail } });
    expect(matches(pattern, event())).toBe(true);
    expect(matches(pattern, event({ 'status-details': { status: 'CREATE_COMPLETE' } }))).toBe(true);
    // Another resource of the stack (the stable record), another stack, or a change under way or failed: nothing starts.
    const stableId = resources('AWS::Route53::RecordSet').find(([, r]) => r.Properties.SetIdentifier === 'Web-stable')![0];
    expect(matches(pattern, event({ 'logical-resource-id': stableId }))).toBe(false);
    expect(matches(pattern, event({ 'stack-id': STACK_ID.replace('0a1b2c3d', 'ffffffff') }))).toBe(false);
    for (const status of ['UPDATE_IN_PROGRESS', 'UPDATE_FAILED', 'DELETE_COMPLETE']) {
      expect(matches(pattern, event({ 'status-details': { status } }))).toBe(false);
    }
    expect(matches(pattern, event({}, { source: 'aws.config' }))).toBe(false);
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ Ref: resources('AWS::StepFunctions::StateMachine')[0][0] });
  });

  test('the plan records the state machine and what a rollout costs it', () => {
    const assembly = synthesized.stack.node.root as App;
    const entry = assembly.synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    const data = entry.data as any;
    const name = resources('AWS::StepFunctions::StateMachine')[0][1].Properties.StateMachineName;
    expect(data.controller).toBe(`Route 53 weighted records, driven by the Step Functions state machine ${name}`);
    expect(data.driver).toEqual({
      engine: 'AWS Step Functions',
      stateMachineName: name,
      stateTransitions: expect.any(Number),
      maxStateTransitions: expect.any(Number),
      maxHistoryEvents: expect.any(Number),
    });
    expect(data.driver.stateTransitions).toBeLessThan(data.driver.maxStateTransitions);
    expect(data.driver.maxHistoryEvents).toBeLessThan(25_000);
  });
});

test('a topic of yours is used, and none is created; a log group of yours too', () => {
  const app = testApp();
  const stack = new Stack(app, 'Topics');
  const topic = new sns.Topic(stack, 'Releases', { enforceSSL: true });
  const logGroup = new logs.LogGroup(stack, 'Audit');
  const { stack: rolloutStack } = rollout(Strategy.CANARY_10PERCENT_5MINUTES, aws.RolloutDriver.stepFunctions({ topic, logGroup }), 1, app);
  void rolloutStack;
  const template = validatedTemplate(stack).toJSON();
  expect(Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::SNS::Topic')).toHaveLength(1);
});

describe('what Step Functions cannot run is refused', () => {
  test('a manual approval without a topic', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval() }] });
    expectValidationError(() => rollout(strategy, aws.RolloutDriver.stepFunctions({ createTopic: false })),
      `${where}: driver is "RolloutDriver.stepFunctions({ createTopic: false })": step 1 waits for a manual approval, which the driver asks for on an SNS topic, and the driver has none. `
      + 'Give the driver a topic (topic: yourTopic) or let it create one (leave createTopic out), or hold the step with a bake instead.');
  });

  test('a plan longer than the year a Standard workflow runs', () => {
    expectValidationError(() => rollout(Strategy.canary({
      steps: [
        { weight: 10, gate: StepGate.bake(Duration.days(200)) },
        { weight: 20, gate: StepGate.manualApproval({ timeout: Duration.days(200) }) },
      ],
    })),
    `${where}: strategy is "canary 10% (bake 200d) → 20% (manual approval (timeout 200d)) → 100%": the driver's execution would run for up to 400d 2h 20m `
      + '(400d of bakes, analyses and approval timeouts, 2h 20m waiting for the deploy and for each change to apply), and a Step Functions Standard workflow runs at most 365 days. '
      + 'Shorten the bakes or the approval timeouts so that the plan fits in a year, or split the release into two rollouts.');
  });

  test('a plan whose history would pass 25,000 events, naming the poll interval that fits', () => {
    expectValidationError(() => rollout(Strategy.canary({
      steps: [{ weight: 10, gate: StepGate.bake(Duration.days(10)) }, { weight: 20, gate: StepGate.bake(Duration.days(10)) }],
    })),
    `${where}: driver is "RolloutDriver.stepFunctions({ alarmPollInterval: Duration.seconds(60) })": the driver's execution would record up to 376,763 history events `
      + '(3 steps, the alarms read every 1m through 20d of bakes, every wait at its bound, and a rollback), and a Step Functions Standard workflow keeps at most 25,000. '
      + 'Read the alarms less often, with alarmPollInterval: Duration.seconds(994) or more, or use fewer steps.');
    // The interval named fits.
    expect(() => rollout(Strategy.canary({
      steps: [{ weight: 10, gate: StepGate.bake(Duration.days(10)) }, { weight: 20, gate: StepGate.bake(Duration.days(10)) }],
    }), aws.RolloutDriver.stepFunctions({ alarmPollInterval: Duration.seconds(994) }))).not.toThrow();
  });

  test('too many steps for the history, whatever the poll interval', () => {
    expectValidationError(() => rollout(Strategy.linear({ stepPercent: 0.5, interval: Duration.minutes(1) }), aws.RolloutDriver.stepFunctions(), 0),
      `${where}: driver is "RolloutDriver.stepFunctions({ alarmPollInterval: Duration.seconds(60) })": the driver's execution would record up to 50,012 history events `
      + '(200 steps, no alarms, every wait at its bound, and a rollback), and a Step Functions Standard workflow keeps at most 25,000. '
      + 'Use fewer steps, for example a larger linear step or fewer canary steps.');
  });

  test('more than 100 alarms, at construction or once added', () => {
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, aws.RolloutDriver.stepFunctions(), 101),
      `${where}: alarms is "101 alarms": the driver reads the rollout's alarms with one CloudWatch DescribeAlarms call, which takes at most 100 alarm names. `
      + 'Combine alarms into composite alarms (cloudwatch.CompositeAlarm) and give the rollout those.');
    const { stack, web } = rollout(Strategy.CANARY_10PERCENT_5MINUTES, aws.RolloutDriver.stepFunctions(), 100);
    web.addAlarm(new cloudwatch.Alarm(stack, 'OneTooMany', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'X' }), threshold: 1, evaluationPeriods: 1 }));
    expect(() => (stack.node.root as App).synth()).toThrow(`${where}: alarms is "101 alarms"`);
  });
});
