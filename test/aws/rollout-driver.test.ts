import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { aws } from '../../src';
import { expectValidationError } from '../support/validation-error';

describe('RolloutDriver.stepFunctions', () => {
  test('defaults: a topic created, the alarms read every minute', () => {
    const driver = aws.RolloutDriver.stepFunctions();
    expect(driver.kind).toBe(aws.RolloutDriverKind.STEP_FUNCTIONS);
    expect(driver.isDriven).toBe(true);
    expect(driver.createTopic).toBe(true);
    expect(driver.topic).toBeUndefined();
    expect(driver.alarmPollInterval.toSeconds()).toBe(60);
  });

  test('takes a topic, a poll interval and a log group', () => {
    const topic = new sns.Topic(new Stack(), 'Topic');
    const driver = aws.RolloutDriver.stepFunctions({ topic, alarmPollInterval: Duration.seconds(30) });
    expect(driver.topic).toBe(topic);
    expect(driver.alarmPollInterval.toSeconds()).toBe(30);
  });

  test.each([
    [{ topic: 'arn:aws:sns:us-east-1:1:t' }, 'RolloutDriver.stepFunctions: topic is "arn:aws:sns:us-east-1:1:t": it must be an SNS topic (sns.ITopic). Pass an sns.Topic, or one imported with Topic.fromTopicArn().'],
    [{ createTopic: 'no' }, 'RolloutDriver.stepFunctions: createTopic is "no": it must be true or false. Pass false to go without a topic, or leave it out.'],
    [{ alarmPollInterval: Duration.seconds(5) }, 'RolloutDriver.stepFunctions: alarmPollInterval is 5 seconds: it must be at least 10 seconds. Use an interval from Duration.seconds(10) to Duration.hours(1), such as Duration.minutes(1).'],
    [{ alarmPollInterval: Duration.hours(2) }, 'RolloutDriver.stepFunctions: alarmPollInterval is 2 hours: an alarm read less than hourly would leave a bad release serving for an hour before the rollback. Use an interval of at most Duration.hours(1), such as Duration.minutes(1).'],
    [{ alarmPollInterval: 60 }, 'RolloutDriver.stepFunctions: alarmPollInterval is 60: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use an interval from Duration.seconds(10) to Duration.hours(1), such as Duration.minutes(1).'],
    [{ logGroup: 'audit' }, 'RolloutDriver.stepFunctions: logGroup is "audit": it must be a CloudWatch Logs log group (logs.ILogGroup). Pass a logs.LogGroup, or leave logGroup out for a new one.'],
  ])('refuses %j', (props, message) => {
    expectValidationError(() => aws.RolloutDriver.stepFunctions(props as any), message);
  });

  test('refuses createTopic: false beside a topic', () => {
    const topic = new sns.Topic(new Stack(), 'Topic');
    expectValidationError(() => aws.RolloutDriver.stepFunctions({ topic, createTopic: false }),
      'RolloutDriver.stepFunctions: createTopic is false: a topic is given, so there is nothing to create or not. Leave createTopic out when you pass a topic.');
  });
});

test('RolloutDriver.pipeline: one deploy per step, nothing created', () => {
  const driver = aws.RolloutDriver.pipeline();
  expect(driver.kind).toBe(aws.RolloutDriverKind.PIPELINE);
  expect(driver.isDriven).toBe(false);
  expect(driver.createTopic).toBe(false);
});

test('a driver prop that is not a RolloutDriver is refused', () => {
  expectValidationError(() => aws.RolloutDriver._require('X: driver', 'stepFunctions'),
    'X: driver is "stepFunctions": it must be a RolloutDriver. Pass RolloutDriver.stepFunctions() or RolloutDriver.pipeline().');
});
