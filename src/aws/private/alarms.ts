import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { arrayOf, fail } from '../../core/private/validation';

/** Checks that a value is a CloudWatch alarm, so a wrong one fails now and not as a TypeError at synth. */
export function requireAlarm(prop: string, value: unknown): cloudwatch.IAlarm {
  // Checked by shape without reading alarmName or alarmArn: on an Alarm they are getters that build
  // a new token on every read, which was most of the library's own synthesis time (bench/README.md).
  const alarm = value as cloudwatch.IAlarm;
  if (typeof alarm !== 'object' || alarm === null || typeof alarm.renderAlarmRule !== 'function'
    || !('alarmName' in alarm) || !('alarmArn' in alarm)) {
    fail(prop, value, 'it must be a CloudWatch alarm', 'Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  }
  return value as cloudwatch.IAlarm;
}

/** Reads an `alarms` prop: an array of CloudWatch alarms. */
export function requireAlarms(prop: string, value: unknown): cloudwatch.IAlarm[] {
  return arrayOf<unknown>(prop, value ?? [], 'Pass an array of alarms.').map((alarm, i) => requireAlarm(`${prop}[${i}]`, alarm));
}
