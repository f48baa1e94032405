import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { requireAlarm, requireAlarms } from '../../../src/aws/private/alarms';
import { expectValidationError } from '../../support/validation-error';

const stack = new Stack();
const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'A', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a');

test('requireAlarm returns an alarm, defined or imported', () => {
  expect(requireAlarm('Thing: alarm', alarm)).toBe(alarm);
});

test('requireAlarm refuses anything else', () => {
  expectValidationError(() => requireAlarm('Thing: alarm', { alarmName: 'a' }),
    'Thing: alarm is an object: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
});

test('requireAlarms reads an optional array, naming the index of a bad element', () => {
  expect(requireAlarms('Thing: alarms', undefined)).toEqual([]);
  expect(requireAlarms('Thing: alarms', [alarm])).toEqual([alarm]);
  expectValidationError(() => requireAlarms('Thing: alarms', [alarm, 7]),
    'Thing: alarms[1] is 7: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
});

test('requireAlarm accepts an alarm defined in the stack without reading its name or ARN', () => {
  const defined = new cloudwatch.Alarm(stack, 'Defined', {
    metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
  });
  // Both are getters that build a new token on every read; the check reads neither.
  const reads = jest.spyOn(Object.getPrototypeOf(Object.getPrototypeOf(defined)), 'alarmArn', 'get');
  expect(requireAlarm('Thing: alarm', defined)).toBe(defined);
  expect(reads).not.toHaveBeenCalled();
  reads.mockRestore();
});

test('requireAlarm refuses an object that has the names of an alarm but is not one', () => {
  expectValidationError(() => requireAlarm('Thing: alarm', { alarmName: 'a', alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a' }),
    'Thing: alarm is an object: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
});
