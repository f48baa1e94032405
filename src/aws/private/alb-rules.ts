import { isIPv4, isIPv6 } from 'net';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { arrayOf, fail } from '../../core/private/validation';

/** ALB listener rule priorities (Elastic Load Balancing API reference, `CreateRule`). */
const MIN_PRIORITY = 1;
const MAX_PRIORITY = 50_000;

/** RFC 1918 private IPv4 ranges: a test route's default sources. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** Reads a listener rule priority: a whole number from 1 to 50,000. */
export function rulePriority(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
    fail(prop, value, `an ALB listener rule priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
      'Pick a priority no other rule on the listener uses, such as 10.');
  }
  return value;
}

/** Reads the source ranges of a test route: at least one CIDR, IPv4 or IPv6. */
export function sourceRanges(prop: string, value: unknown): string[] {
  const list = arrayOf<string>(prop, value, 'Pass CIDRs such as ["203.0.113.0/24"].');
  if (list.length === 0) {
    fail(prop, list, 'a test route needs at least one source range', 'List the ranges your testers connect from, or leave testRouteSources out for private addresses only.');
  }
  list.forEach((cidr, i) => {
    if (!isCidr(cidr)) {
      fail(`${prop}[${i}]`, cidr, 'it must be a CIDR range: an IPv4 address with a prefix length from 0 to 32, or an IPv6 address with one from 0 to 128',
        'Write it as an address and a prefix length, such as "203.0.113.0/24".');
    }
  });
  return list;
}

/** Whether `value` is an IPv4 address with a prefix length of 0 to 32, or an IPv6 address (without a zone) with one of 0 to 128. */
function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.lastIndexOf('/');
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (slash < 0 || !/^(0|[1-9]\d{0,2})$/.test(prefix)) return false;
  const length = Number(prefix);
  if (isIPv4(address)) return length <= 32;
  return isIPv6(address) && !address.includes('%') && length <= 128;
}

/** Reads a `conditions` prop: listener conditions, at least one. */
export function ruleConditions(prop: string, value: unknown): elbv2.ListenerCondition[] {
  if (value === undefined) return [elbv2.ListenerCondition.pathPatterns(['/*'])];
  const conditions = arrayOf<elbv2.ListenerCondition>(prop, value, 'Pass conditions such as [ListenerCondition.pathPatterns(["/api/*"])].');
  if (conditions.length === 0) {
    fail(prop, conditions, 'a listener rule needs at least one condition',
      'Leave conditions out to match every path, or pass one such as ListenerCondition.pathPatterns(["/api/*"]).');
  }
  conditions.forEach((condition, i) => {
    if (typeof (condition as elbv2.ListenerCondition)?.renderRawCondition !== 'function') {
      fail(`${prop}[${i}]`, condition, 'it must be an elbv2.ListenerCondition', 'Use ListenerCondition.pathPatterns(), hostHeaders() or another ListenerCondition factory.');
    }
  });
  return conditions;
}
