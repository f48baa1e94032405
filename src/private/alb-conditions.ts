import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { fail } from './validation';
import { Match, MatchKind } from '../core/match';

/** ALB limits on listener rule conditions (Elastic Load Balancing API reference, `RuleCondition`). */
const MAX_HEADER_NAME = 40;
const MAX_VALUE = 128;
const MAX_VALUES_PER_RULE = 5;
// ALB reads these as wildcards in header and query-string comparisons.
const WILDCARDS = /[*?]/;

/**
 * The ALB listener rule condition that selects the requests of a `Match`, or a failure naming what
 * the ALB cannot express: it has no regular expressions and no cookie condition, and reads `*` and
 * `?` as wildcards, which would widen a test route beyond the value the user declared.
 *
 * @param prop what to name in errors, such as `EcsRolloutService Stack/Web: strategy.testRoute`
 */
export function albCondition(prop: string, match: Match): elbv2.ListenerCondition {
  const shown = match.describe();
  switch (match.kind) {
    case MatchKind.HEADER_REGEX:
      return fail(prop, shown, 'an ALB listener rule has no regular-expression condition; it compares header values whole',
        'Use Match.header() with an exact value, such as Match.header("x-env", "green").');
    case MatchKind.COOKIE:
      return fail(prop, shown, 'an ALB listener rule has no cookie condition, and a condition on the whole Cookie header would miss requests that carry other cookies',
        'Use Match.header(), such as Match.header("x-env", "green"), or Match.queryParameter().');
    case MatchKind.HEADER_EXACT:
      if (match.name.length > MAX_HEADER_NAME) {
        fail(prop, shown, `an ALB http-header condition takes a header name of at most ${MAX_HEADER_NAME} characters, and "${match.name}" has ${match.name.length}`,
          'Use a shorter header name.');
      }
      checkValue(prop, shown, match.value);
      return elbv2.ListenerCondition.httpHeader(match.name, [match.value]);
    case MatchKind.QUERY_PARAMETER:
      checkValue(prop, shown, match.name);
      checkValue(prop, shown, match.value);
      return elbv2.ListenerCondition.queryStrings([{ key: match.name, value: match.value }]);
  }
}

function checkValue(prop: string, shown: string, value: string): void {
  if (WILDCARDS.test(value)) {
    fail(prop, shown, `an ALB listener rule reads * and ? as wildcards, so "${value}" would route more requests than the one value declared`,
      'Use a value without * or ?.');
  }
  if (value.length > MAX_VALUE) {
    fail(prop, shown, `an ALB condition compares strings of at most ${MAX_VALUE} characters, and this one has ${value.length}`,
      'Use a shorter name or value.');
  }
}

/**
 * Checks the comparison strings of one listener rule against the ALB's limit of 5 per rule.
 *
 * @param prop what to name in errors; `conditions` is the value shown as received
 * @param rule which rule, for the message: `the production rule`
 * @param extra conditions the rule adds to `conditions`, such as a test route
 */
export function checkConditionValues(prop: string, conditions: elbv2.ListenerCondition[], rule: string, extra: elbv2.ListenerCondition[] = []): void {
  const count = [...conditions, ...extra].reduce((sum, c) => sum + conditionValues(c), 0);
  if (count > MAX_VALUES_PER_RULE) {
    fail(prop, conditions, `an ALB listener rule compares at most ${MAX_VALUES_PER_RULE} values, and ${rule} would compare ${count}`,
      'Use fewer values, such as one path pattern.');
  }
}

function conditionValues(condition: elbv2.ListenerCondition): number {
  const raw = condition.renderRawCondition() ?? {};
  const config = Object.keys(raw).find(k => k.endsWith('Config') && Array.isArray(raw[k]?.values));
  const values = config ? raw[config].values : raw.values;
  return Array.isArray(values) ? values.length : 1;
}
