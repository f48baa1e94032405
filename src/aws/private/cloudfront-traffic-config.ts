import type { CfnContinuousDeploymentPolicy } from 'aws-cdk-lib/aws-cloudfront';
import type { Experiment } from '../../core/experiment';
import type { Match } from '../../core/match';
import { MatchKind } from '../../core/match';
import { formatPercent } from '../../core/private/format';
import { fail, wholeSeconds } from '../../core/private/validation';
import type { TrafficPlan } from '../../core/strategy';

/** The backend, as named in errors, warnings and the cloud assembly metadata. */
export const CLOUDFRONT_CD = 'CloudFront continuous deployment';

/** CloudFront routes by a header only when its name starts with this prefix. */
export const HEADER_PREFIX = 'aws-cf-cd-';

/** The largest share of requests a weight-based policy sends to the staging distribution, in percent. */
export const MAX_WEIGHT_PERCENT = 15;

/** Session stickiness (IdleTTL and MaximumTTL) is 300 to 3600 seconds. */
export const MIN_STICKINESS_SECONDS = 300;
export const MAX_STICKINESS_SECONDS = 3600;

// SingleHeaderConfig: Header 1-256 characters, Value 1-1783 characters.
const MAX_HEADER_NAME = 256;
const MAX_HEADER_VALUE = 1783;

/** The command that copies the staging configuration onto the primary distribution. */
export const PROMOTE_COMMAND = 'aws cloudfront update-distribution-with-staging-config --id <primary id> '
  + '--staging-distribution-id <staging id> --if-match "<primary ETag>, <staging ETag>"';

type TrafficConfig = CfnContinuousDeploymentPolicy.TrafficConfigProperty;

/**
 * A `SingleWeight` traffic config: `percent` (a whole number from 0 to 15) of requests, kept on one
 * distribution for `stickySeconds` if given.
 */
export function singleWeight(percent: number, stickySeconds?: number): TrafficConfig {
  return {
    type: 'SingleWeight',
    singleWeightConfig: {
      // CloudFront takes a fraction in hundredths: 0.1 is 10%.
      weight: percent / 100,
      sessionStickinessConfig: stickySeconds === undefined ? undefined : { idleTtl: stickySeconds, maximumTtl: stickySeconds },
    },
  };
}

/**
 * Reads a weight CloudFront can send by: a whole percent (the policy's weight is a multiple of
 * 0.01) of at most 15. `alternative` says what to do instead of a larger share.
 */
export function policyWeight(prop: string, received: unknown, weight: number, alternative: string): number {
  if (Math.round(weight * 10) > MAX_WEIGHT_PERCENT * 10) {
    fail(prop, received, `${CLOUDFRONT_CD} sends at most ${MAX_WEIGHT_PERCENT}% of requests to the staging distribution by weight`, alternative);
  }
  if (!Number.isInteger(weight)) {
    fail(prop, received, `${CLOUDFRONT_CD} sends whole percents of requests (the policy's weight is a multiple of 0.01), and ${formatPercent(weight)} is not`,
      'Round the weight to a whole percent.');
  }
  return weight;
}

/**
 * A `SingleHeader` traffic config for `match`: an exact header match whose name starts with
 * `aws-cf-cd-`. Anything else fails, naming what CloudFront can match instead (and `orElse`, the
 * caller's other way, if given).
 */
export function singleHeader(prop: string, match: Match, orElse?: string): TrafficConfig {
  const alternative = `Match a header whose name starts with ${HEADER_PREFIX}, such as Match.header("${HEADER_PREFIX}variant", "b"), set by your clients`
    + (orElse === undefined ? '.' : `, or ${orElse}.`);
  switch (match.kind) {
    case MatchKind.COOKIE:
      fail(prop, match.describe(), `${CLOUDFRONT_CD} selects the staging distribution by one request header or by weight; it has no cookie match`, alternative);
    case MatchKind.QUERY_PARAMETER:
      fail(prop, match.describe(), `${CLOUDFRONT_CD} selects the staging distribution by one request header or by weight; it has no query parameter match`, alternative);
    case MatchKind.HEADER_REGEX:
      fail(prop, match.describe(), `${CLOUDFRONT_CD} compares a header with one exact value; it has no regular expression match`, alternative);
    case MatchKind.HEADER_EXACT:
      break;
  }
  if (!match.name.startsWith(HEADER_PREFIX) || match.name.length === HEADER_PREFIX.length) {
    const suggested = match.name.toLowerCase().startsWith(HEADER_PREFIX) ? match.name.toLowerCase() : `${HEADER_PREFIX}${match.name.toLowerCase()}`;
    fail(prop, match.describe(), `${CLOUDFRONT_CD} routes by a header only when its name starts with "${HEADER_PREFIX}" (in lowercase) followed by a name of your own`,
      `Rename the header, for example to "${suggested === HEADER_PREFIX ? `${HEADER_PREFIX}variant` : suggested}", and have your clients send it.`);
  }
  if (match.name.length > MAX_HEADER_NAME) {
    fail(prop, match.describe(), `CloudFront accepts header names of at most ${MAX_HEADER_NAME} characters, and this one has ${match.name.length}`,
      'Use a shorter header name.');
  }
  if (match.value.length > MAX_HEADER_VALUE) {
    fail(prop, match.describe(), `CloudFront accepts header values of at most ${MAX_HEADER_VALUE} characters, and this one has ${match.value.length}`,
      'Use a shorter header value.');
  }
  return { type: 'SingleHeader', singleHeaderConfig: { header: match.name, value: match.value } };
}

/** Reads a session stickiness: whole seconds from 300 to 3600, CloudFront's range for IdleTTL and MaximumTTL. */
export function stickinessSeconds(prop: string, value: unknown): number {
  const fix = 'Use a stickiness from Duration.minutes(5) to Duration.hours(1), or leave it out.';
  const seconds = wholeSeconds(prop, value, { minSeconds: 0, fix });
  if (seconds < MIN_STICKINESS_SECONDS || seconds > MAX_STICKINESS_SECONDS) {
    fail(prop, value, `CloudFront keeps a viewer's session on one distribution for ${MIN_STICKINESS_SECONDS} to ${MAX_STICKINESS_SECONDS} seconds (5 to 60 minutes)`, fix);
  }
  return seconds;
}

/**
 * The traffic config of an A/B experiment: exactly one variant, selected by an `aws-cf-cd-` header
 * (all matching requests, without stickiness) or by a weight of at most 15% (with the experiment's
 * stickiness, if any).
 * The config is derived from the declaration alone, so an experiment switched off still renders
 * (disabled) what it would do, and an inexpressible one fails whether it runs or not.
 */
export function experimentTraffic(where: string, experiment: Experiment): TrafficConfig {
  const prefix = `${where}: experiment "${experiment.name}"`;
  if (experiment.variants.length !== 1) {
    fail(`${prefix} variants`, experiment.variants,
      `${CLOUDFRONT_CD} sends requests to one staging distribution, so it tests exactly one variant against the control`,
      'Test one variant at a time; for several variants at once use a backend that routes to several targets, such as weighted target groups on an Application Load Balancer.');
  }
  const variant = experiment.variants[0];
  if (variant.match !== undefined) {
    const config = singleHeader(`${prefix} variants[0].match`, variant.match, 'use a weight of at most 15% without a match');
    if (variant.weight! < 100) {
      fail(`${prefix} variants[0].weight`, variant.weight,
        `${CLOUDFRONT_CD} sends every request carrying the header to the staging distribution; it cannot send only a share of them`,
        'Remove the weight to send all matching requests to the variant, or drop the match and use a weight of at most 15.');
    }
    if (experiment.stickiness !== undefined) {
      fail(`${prefix} stickiness`, experiment.stickiness,
        `${CLOUDFRONT_CD} routes a header-matched variant by a single header, sending every request that carries it to the staging distribution, `
        + 'so session stickiness does not apply (CloudFront keeps sessions only for weight-based routing)',
        'Remove stickiness: a client that sends the header reaches the variant every time. Or drop the match and give the variant a weight of at most 15%, which stickiness keeps per viewer.');
    }
    return config;
  }
  const percent = policyWeight(`${prefix} variants[0].weight`, variant.weight, variant.weight!,
    `Lower the weight to 15 or less, or select the variant by a header whose name starts with ${HEADER_PREFIX}; for a larger share use weighted routing such as ALB weighted target groups or Route 53 weighted records.`);
  const sticky = experiment.stickiness === undefined ? undefined : stickinessSeconds(`${prefix} stickiness`, experiment.stickiness);
  return singleWeight(percent, sticky);
}

/**
 * Fails for a plan CloudFront cannot carry: it needs at least one step before 100%, and every
 * step before 100% at a whole percent of 15 or less (the 100% step is the promotion, which no
 * policy performs).
 */
export function checkPlan(prop: string, plan: TrafficPlan): void {
  const before = plan.steps.filter(s => s.candidateWeight < 100);
  if (before.length === 0) {
    fail(prop, plan.strategy.describe(),
      `${CLOUDFRONT_CD} needs a step that sends part of the traffic (at most 15%) to the staging distribution before the promotion, and this strategy has none`,
      'Use a canary whose first step is at most 15%, such as Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(30)) }] }), or change the primary distribution directly.');
  }
  const tooHigh = before.find(s => Math.round(s.candidateWeight * 10) > MAX_WEIGHT_PERCENT * 10);
  if (tooHigh) {
    fail(prop, plan.strategy.describe(),
      `${CLOUDFRONT_CD} sends at most ${MAX_WEIGHT_PERCENT}% of requests to the staging distribution, and step ${tooHigh.index} sends ${formatPercent(tooHigh.candidateWeight)}`,
      `Keep every step before 100% at ${MAX_WEIGHT_PERCENT}% or less; the 100% step is the promotion (${PROMOTE_COMMAND}).`);
  }
  const fractional = before.find(s => !Number.isInteger(s.candidateWeight));
  if (fractional) {
    fail(prop, plan.strategy.describe(),
      `${CLOUDFRONT_CD} sends whole percents of requests (the policy's weight is a multiple of 0.01), and step ${fractional.index} sends ${formatPercent(fractional.candidateWeight)}`,
      'Round the step\'s weight to a whole percent.');
  }
}
