import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Match } from '../../../src';
import { checkRuleConditions, conditionWildcards } from '../../../src/aws/private/alb-conditions';
import { experimentCondition } from '../../../src/aws/private/alb-experiment-rules';
import { expectValidationError } from '../../support/validation-error';

const where = 'Test: match';

describe('wildcards per rule', () => {
  test('counts * and ? in every kind of condition, query keys included', () => {
    expect(conditionWildcards(elbv2.ListenerCondition.pathPatterns(['/*', '/a?c']))).toBe(2);
    expect(conditionWildcards(elbv2.ListenerCondition.hostHeaders(['*.example.com']))).toBe(1);
    expect(conditionWildcards(elbv2.ListenerCondition.queryStrings([{ key: 'a*', value: 'b?' }, { value: '*' }]))).toBe(3);
    expect(conditionWildcards(elbv2.ListenerCondition.sourceIps(['10.0.0.0/8']))).toBe(0);
    expect(conditionWildcards(experimentCondition(where, Match.cookie('beta', 'true')))).toBe(4);
  });

  test('a cookie and the default path make 5, the limit; one more fails', () => {
    const cookie = experimentCondition(where, Match.cookie('beta', 'true'));
    checkRuleConditions('Test: conditions', [elbv2.ListenerCondition.pathPatterns(['/*'])], 'the rule', [cookie], 'or match the variant by a header instead of a cookie');
    expectValidationError(() => checkRuleConditions('Test: conditions', [elbv2.ListenerCondition.pathPatterns(['/*/api/*'])], 'the rule of variant "b"', [cookie],
      'or match the variant by a header instead of a cookie'),
    'Test: conditions is an array of 1: an ALB listener rule uses at most 5 wildcards (* or ?), and the rule of variant "b" would use 6. '
      + 'Use conditions with fewer wildcards, such as a host header without one, or match the variant by a header instead of a cookie.');
  });
});


describe('checkRuleConditions', () => {
  test('without a hint, the fix names only the general way to use fewer wildcards', () => {
    expectValidationError(() => checkRuleConditions('Test: conditions', [elbv2.ListenerCondition.pathPatterns(['/*/a/*', '/*/b/*', '/c?*'])], 'the production rule'),
      'Test: conditions is an array of 1: an ALB listener rule uses at most 5 wildcards (* or ?), and the production rule would use 6. '
      + 'Use conditions with fewer wildcards, such as a host header without one.');
  });

  test('counts values and repeats as well', () => {
    expectValidationError(() => checkRuleConditions('Test: conditions', [elbv2.ListenerCondition.pathPatterns(['/a', '/b', '/c']), elbv2.ListenerCondition.hostHeaders(['a.example.com', 'b.example.com', 'c.example.com'])], 'the rule'),
      'Test: conditions is an array of 2: an ALB listener rule compares at most 5 values, and the rule would compare 6. Use fewer values, such as one path pattern.');
    const host = elbv2.ListenerCondition.hostHeaders(['a.example.com']);
    expect(() => checkRuleConditions('Test: conditions', [host, host], 'the rule')).toThrow(/at most one host-header condition/);
  });
});
