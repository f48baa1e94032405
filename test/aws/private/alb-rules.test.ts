import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PRIVATE_RANGES, ruleConditions, rulePriority, sourceRanges } from '../../../src/aws/private/alb-rules';
import { expectValidationError } from '../../support/validation-error';

test('priorities are whole numbers from 1 to 50,000', () => {
  expect(rulePriority('p', 1)).toBe(1);
  expect(rulePriority('p', 50_000)).toBe(50_000);
  for (const bad of [0, 50_001, 1.5, '10']) {
    expectValidationError(() => rulePriority('p', bad),
      `p is ${typeof bad === 'string' ? `"${bad}"` : bad}: an ALB listener rule priority is a whole number from 1 to 50000. Pick a priority no other rule on the listener uses, such as 10.`);
  }
});

test('source ranges are CIDRs, IPv4 or IPv6, at least one', () => {
  expect(sourceRanges('s', PRIVATE_RANGES)).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
  expect(sourceRanges('s', ['2001:db8::/32'])).toEqual(['2001:db8::/32']);
  expectValidationError(() => sourceRanges('s', []),
    's is an empty array: a test route needs at least one source range. List the ranges your testers connect from, or leave testRouteSources out for private addresses only.');
  expectValidationError(() => sourceRanges('s', ['10.0.0.0/33']),
    's[0] is "10.0.0.0/33": it must be a CIDR range: an IPv4 address with a prefix length from 0 to 32, or an IPv6 address with one from 0 to 128. '
    + 'Write it as an address and a prefix length, such as "203.0.113.0/24".');
});

test('conditions: every path by default, at least one, each a ListenerCondition', () => {
  expect(ruleConditions('c', undefined)[0].renderRawCondition()).toEqual({ field: 'path-pattern', pathPatternConfig: { values: ['/*'] } });
  expectValidationError(() => ruleConditions('c', []),
    'c is an empty array: a listener rule needs at least one condition. Leave conditions out to match every path, or pass one such as ListenerCondition.pathPatterns(["/api/*"]).');
  expectValidationError(() => ruleConditions('c', ['/api']),
    'c[0] is "/api": it must be an elbv2.ListenerCondition. Use ListenerCondition.pathPatterns(), hostHeaders() or another ListenerCondition factory.');
  expect(ruleConditions('c', [elbv2.ListenerCondition.hostHeaders(['a.example.com'])])).toHaveLength(1);
});
