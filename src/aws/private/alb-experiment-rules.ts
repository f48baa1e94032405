import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { albCondition } from './alb-conditions';
import { Match, MatchKind } from '../../core/match';
import { gcd } from '../../core/private/arithmetic';
import { fail } from '../../core/private/validation';

/**
 * ALB limits that the experiment rules meet (Elastic Load Balancing API reference: `RuleCondition`,
 * `HttpHeaderConditionConfig`, `TargetGroupTuple`, `TargetGroupStickinessConfig`; quotas for
 * Application Load Balancers).
 */
export const ALB_MAX_WEIGHT = 999;
export const ALB_MAX_TARGET_GROUPS_PER_ACTION = 5;
export const ALB_MAX_STICKINESS_SECONDS = 7 * 24 * 3600;
const MAX_VALUE = 128;

/**
 * The strings an ALB `http-header` condition on the `Cookie` header compares, to find the cookie
 * `name=value` as a whole pair wherever it sits in the header.
 *
 * Browsers send every cookie in one `Cookie` header, the pairs separated by a semicolon and a
 * space (RFC 6265, section 5.4): `a=1; beta=true; b=2`. The ALB compares the whole header value
 * with each string, `*` matching any run of characters, and the condition holds when one string
 * matches. So the pair alone, first, last or in the middle is four strings; a cookie value never
 * holds `;` or a space, so none of them can match inside another cookie's value.
 */
export function cookieHeaderPatterns(name: string, value: string): string[] {
  const pair = `${name}=${value}`;
  return [pair, `${pair};*`, `*; ${pair}`, `*; ${pair};*`];
}

/**
 * The ALB listener rule condition that selects the requests of an experiment variant's `Match`:
 * a header or a query parameter as `albCondition` renders them, a cookie as `Cookie` header
 * patterns. A regular expression fails, naming what works instead.
 *
 * @param prop what to name in errors, such as `AlbExperiment Stack/Checkout: experiment "x" variants[0].match`
 */
export function experimentCondition(prop: string, match: Match): elbv2.ListenerCondition {
  const shown = match.describe();
  switch (match.kind) {
    case MatchKind.COOKIE:
      return cookieCondition(prop, match);
    case MatchKind.HEADER_REGEX:
      return fail(prop, shown,
        'AlbExperiment matches a header by its exact value: it renders aws-cdk-lib\'s ListenerCondition, which has no regular-expression condition',
        `Use Match.header() with an exact value, such as Match.header("${match.name}", "on"), or render this experiment on Kubernetes with k8s.GatewayExperiment, whose Gateway API route matches headers by regular expression.`);
    case MatchKind.HEADER_EXACT:
      if (match.name.toLowerCase() === 'host') {
        fail(prop, shown, 'an ALB http-header condition cannot test the Host header (the ALB has a host-header condition for that, which a variant match does not render)',
          'Select the variant by another header, a cookie or a query parameter; to send a whole host name to one version, give it a listener rule of its own with ListenerCondition.hostHeaders().');
      }
      return albCondition(prop, match);
    default:
      return albCondition(prop, match);
  }
}

function cookieCondition(prop: string, match: Match): elbv2.ListenerCondition {
  const shown = match.describe();
  for (const [part, text] of [['name', match.name], ['value', match.value]]) {
    const wildcard = text.match(/[*?]/);
    if (wildcard) {
      fail(prop, shown,
        `the ALB matches a cookie through the Cookie header, whose conditions read * and ? as wildcards and cannot escape them, so the cookie ${part} "${text}" would select more cookies than the one declared`,
        `Use a cookie ${part} without "${wildcard[0]}".`);
    }
  }
  const patterns = cookieHeaderPatterns(match.name, match.value);
  const longest = Math.max(...patterns.map(p => p.length));
  const overhead = longest - match.name.length - match.value.length;
  if (longest > MAX_VALUE) {
    fail(prop, shown,
      `the ALB matches a cookie through the Cookie header with patterns such as "*; name=value;*", and an ALB condition compares strings of at most ${MAX_VALUE} characters, so name and value together can have at most ${MAX_VALUE - overhead} characters (these have ${match.name.length + match.value.length})`,
      'Use a shorter cookie name or value.');
  }
  return elbv2.ListenerCondition.httpHeader('Cookie', patterns);
}

/** A share of a rule's requests, in tenths of a percent. */
export interface WeightShare {
  /** The variant (or control) name, for messages. */
  readonly name: string;
  /** Its share, in tenths of a percent (125 for 12.5%). */
  readonly tenths: number;
}

/**
 * The ALB forward weights (whole numbers from 0 to 999) that split exactly as `shares` do, as
 * small as possible: 10% / 90% is 1 / 9 and 12.5% / 87.5% is 1 / 7. Fails when no weights up to
 * 999 are exact, naming the nearest split the ALB can express.
 *
 * @param prop what to name in errors
 * @param rule which rule, for the message: `the rule for everyone else`
 */
export function albWeights(prop: string, rule: string, shares: WeightShare[]): number[] {
  const divisor = shares.reduce((g, s) => gcd(g, s.tenths), 0);
  const weights = shares.map(s => (divisor === 0 ? 0 : s.tenths / divisor));
  const largest = Math.max(...weights);
  if (largest <= ALB_MAX_WEIGHT) return weights;

  const nearest = shares.map(s => (s.tenths === 0 ? 0 : Math.max(1, Math.round(s.tenths * ALB_MAX_WEIGHT / (largest * divisor)))));
  const total = nearest.reduce((a, b) => a + b, 0);
  const split = (values: number[], sum: number) => shares.map((s, i) => `"${s.name}" ${formatShare(values[i] * 100 / sum)}`).join(', ');
  const wanted = shares.reduce((a, s) => a + s.tenths, 0);
  return fail(prop, split(shares.map(s => s.tenths), wanted),
    `${rule} splits requests by ALB forward weights, whole numbers from 0 to ${ALB_MAX_WEIGHT}, and no such weights give this split exactly`,
    `Use a split the ALB can express; the nearest is ${split(nearest, total)} (weights ${nearest.join(' / ')}).`);
}

function formatShare(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}

/** A target group of a forward action and the share of the rule's requests it receives. */
export interface ForwardTarget extends WeightShare {
  readonly targetGroup: elbv2.IApplicationTargetGroup;
}

/**
 * The forward action of one experiment rule: a plain forward to a single target group, or a
 * weighted forward with exact weights and, when the experiment is sticky, target group stickiness.
 *
 * @param prop what to name in errors
 * @param rule which rule, for messages: `the rule for everyone else (priority 101)`
 */
export function forwardAction(prop: string, rule: string, targets: ForwardTarget[], stickiness?: Duration): elbv2.ListenerAction {
  checkTargetGroupCount(prop, rule, targets.map(t => t.name));
  if (targets.length === 1) return elbv2.ListenerAction.forward([targets[0].targetGroup]);
  const weights = albWeights(prop, rule, targets);
  return elbv2.ListenerAction.weightedForward(
    targets.map((t, i) => ({ targetGroup: t.targetGroup, weight: weights[i] })),
    stickiness ? { stickinessDuration: stickiness } : undefined,
  );
}

/**
 * Checks the target groups of one forward action against the ALB's limit of 5.
 *
 * @param names the variants (and the control) the action sends to, for the message
 */
export function checkTargetGroupCount(prop: string, rule: string, names: string[]): void {
  if (names.length > ALB_MAX_TARGET_GROUPS_PER_ACTION) {
    fail(prop, names.join(', '),
      `an ALB forward action sends to at most ${ALB_MAX_TARGET_GROUPS_PER_ACTION} target groups, and ${rule} would send to ${names.length}`,
      `Use at most ${ALB_MAX_TARGET_GROUPS_PER_ACTION - 1} variants without a match (the control takes one target group), or give some of them a match.`);
  }
}

/** Checks an experiment's stickiness against the ALB's target group stickiness range, 1 second to 7 days. */
export function albStickiness(prop: string, stickiness: Duration | undefined): Duration | undefined {
  if (stickiness === undefined) return undefined;
  const seconds = stickiness.toSeconds();
  if (seconds < 1 || seconds > ALB_MAX_STICKINESS_SECONDS) {
    fail(prop, stickiness, 'ALB target group stickiness lasts from 1 second to 7 days',
      'Use a stickiness of at most Duration.days(7); for longer, select the variant by a cookie match, which a user keeps as long as the cookie lives.');
  }
  return stickiness;
}
