import { Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Match, MatchKind } from '../../core/match';
import { describeValue, fail } from '../../core/private/validation';

/** ALB limits on listener rule conditions (Elastic Load Balancing API reference, `RuleCondition`). */
const MAX_HEADER_NAME = 40;
const MAX_VALUE = 128;
const MAX_VALUES_PER_RULE = 5;
const MAX_WILDCARDS_PER_RULE = 5;
// ALB reads these as wildcards in header and query-string comparisons.
const WILDCARDS = /[*?]/;
const EVERY_WILDCARD = /[*?]/g;

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
 * Checks the conditions of one listener rule against what the ALB refuses: more than 5 values,
 * repeats (`checkConditionRepeats`) and more than 5 wildcards.
 *
 * @param prop what to name in errors; `conditions` is the value shown as received
 * @param rule which rule, for the message: `the production rule`
 * @param extra conditions the rule adds to `conditions`, such as a test route or a variant's match
 * @param wildcardHint another way to use fewer wildcards, for the message's fix
 */
export function checkRuleConditions(
  prop: string, conditions: elbv2.ListenerCondition[], rule: string, extra: elbv2.ListenerCondition[] = [], wildcardHint?: string,
): void {
  checkConditionValues(prop, conditions, rule, extra);
  checkConditionRepeats(prop, conditions, rule, extra);
  checkConditionWildcards(prop, conditions, rule, extra, wildcardHint);
}

/**
 * Checks the comparison strings of one listener rule against the ALB's limit of 5 per rule.
 *
 * @param prop what to name in errors; `conditions` is the value shown as received
 * @param rule which rule, for the message: `the production rule`
 * @param extra conditions the rule adds to `conditions`, such as a test route
 */
function checkConditionValues(prop: string, conditions: elbv2.ListenerCondition[], rule: string, extra: elbv2.ListenerCondition[] = []): void {
  const count = [...conditions, ...extra].reduce((sum, c) => sum + conditionValues(c), 0);
  if (count > MAX_VALUES_PER_RULE) {
    fail(prop, conditions, `an ALB listener rule compares at most ${MAX_VALUES_PER_RULE} values, and ${rule} would compare ${count}`,
      'Use fewer values, such as one path pattern.');
  }
}

/**
 * Checks what the ALB refuses in the conditions of one listener rule besides their number: a
 * host-header, http-request-method, path-pattern or source-ip condition more than once, the same
 * condition twice, and a condition that lists a value twice (CloudFormation refuses the
 * template). Values not known until deploy time are left to the ALB.
 *
 * @param prop what to name in errors; `conditions` is the value shown as received
 * @param rule which rule, for the message: `the rule for everyone else`
 * @param extra conditions the rule adds to `conditions`, such as a variant's match
 */
export function checkConditionRepeats(
  prop: string, conditions: elbv2.ListenerCondition[], rule: string, extra: elbv2.ListenerCondition[] = [],
): void {
  const rendered = [...conditions, ...extra].map(c => c.renderRawCondition() ?? {});
  for (const field of ONCE_PER_RULE) {
    const count = rendered.filter(raw => raw.field === field).length;
    if (count > 1) {
      fail(prop, conditions, `an ALB listener rule takes at most one ${field} condition, and ${rule} would have ${count}`,
        `Put the values in one condition, such as ListenerCondition.${ONCE_PER_RULE_EXAMPLES[field]}; it holds when any of them matches.`);
    }
  }
  const conditionsSeen = new Set<string>();
  for (const raw of rendered) {
    // Two http-header or query-string conditions are allowed, but not two identical ones.
    const condition = JSON.stringify(raw);
    if (!Token.isUnresolved(condition) && conditionsSeen.has(condition)) {
      fail(prop, conditions, `the ALB refuses a rule that has the same condition twice, and ${rule} would have two identical ${raw.field} conditions`,
        'List each condition once.');
    }
    conditionsSeen.add(condition);
    const seen = new Set<string>();
    for (const value of valuesOf(raw) ?? []) {
      const key = JSON.stringify(value);
      if (!Token.isUnresolved(key) && seen.has(key)) {
        fail(prop, conditions, `the ALB refuses a condition that lists a value twice, and ${rule} would list ${shownValue(value)} twice in its ${raw.field} condition`,
          'List each value once.');
      }
      seen.add(key);
    }
  }
}

/** Conditions a listener rule may carry at most once (Elastic Load Balancing: listener rule conditions), and how to merge two. */
const ONCE_PER_RULE_EXAMPLES: Record<string, string> = {
  'host-header': 'hostHeaders(["a.example.com", "b.example.com"])',
  'http-request-method': 'httpRequestMethods(["GET", "HEAD"])',
  'path-pattern': 'pathPatterns(["/a/*", "/b/*"])',
  'source-ip': 'sourceIps(["10.0.0.0/8", "192.168.0.0/16"])',
};
const ONCE_PER_RULE = Object.keys(ONCE_PER_RULE_EXAMPLES);

/** A condition value for a message: a string quoted, a query string's key and value as `"key=value"`. */
function shownValue(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'value' in value) {
    const { key, value: v } = value as { key?: unknown; value?: unknown };
    return JSON.stringify(`${key === undefined ? '' : `${String(key)}=`}${String(v)}`);
  }
  return describeValue(value);
}

/** The values a rendered condition lists, in its `...Config` or at its top level, if it lists any. */
function valuesOf(raw: any): unknown[] | undefined {
  const config = Object.keys(raw).find(k => k.endsWith('Config') && Array.isArray(raw[k]?.values));
  const values = config ? raw[config].values : raw.values;
  return Array.isArray(values) ? values : undefined;
}

/**
 * The `*` and `?` wildcards a condition uses, which the ALB counts against its limit per rule.
 * Values not known until deploy time count as none.
 */
export function conditionWildcards(condition: elbv2.ListenerCondition): number {
  const strings = (valuesOf(condition.renderRawCondition() ?? {}) ?? [])
    .flatMap(v => typeof v === 'object' && v !== null ? [(v as any).key, (v as any).value] : [v]);
  return strings.reduce<number>((sum, s) => sum + (typeof s === 'string' && !Token.isUnresolved(s) ? (s.match(EVERY_WILDCARD) ?? []).length : 0), 0);
}

/** Checks the wildcards of one listener rule against the ALB's limit of 5 per rule. */
function checkConditionWildcards(
  prop: string, conditions: elbv2.ListenerCondition[], rule: string, extra: elbv2.ListenerCondition[], hint: string | undefined,
): void {
  const count = [...conditions, ...extra].reduce((sum, c) => sum + conditionWildcards(c), 0);
  if (count > MAX_WILDCARDS_PER_RULE) {
    fail(prop, conditions, `an ALB listener rule uses at most ${MAX_WILDCARDS_PER_RULE} wildcards (* or ?), and ${rule} would use ${count}`,
      `Use conditions with fewer wildcards, such as a host header without one${hint ? `, ${hint}` : ''}.`);
  }
}

/** How many values a condition compares; one for a condition without a list. */
function conditionValues(condition: elbv2.ListenerCondition): number {
  return valuesOf(condition.renderRawCondition() ?? {})?.length ?? 1;
}
