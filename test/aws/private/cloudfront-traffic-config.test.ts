import { Duration } from 'aws-cdk-lib';
import { Experiment, Match, StepGate, Strategy } from '../../../src';
import {
  checkPlan, experimentTraffic, policyWeight, singleHeader, singleWeight, stickinessSeconds,
} from '../../../src/aws/private/cloudfront-traffic-config';
import { expectValidationError } from '../../support/validation-error';

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));

describe('singleWeight', () => {
  test('renders whole percents as CloudFront fractions', () => {
    expect(singleWeight(10)).toEqual({ type: 'SingleWeight', singleWeightConfig: { weight: 0.1, sessionStickinessConfig: undefined } });
    expect(singleWeight(0).singleWeightConfig).toEqual({ weight: 0, sessionStickinessConfig: undefined });
    expect(singleWeight(15).singleWeightConfig).toMatchObject({ weight: 0.15 });
  });

  test('renders stickiness as equal idle and maximum TTLs', () => {
    expect(singleWeight(5, 900).singleWeightConfig).toEqual({ weight: 0.05, sessionStickinessConfig: { idleTtl: 900, maximumTtl: 900 } });
  });
});

describe('policyWeight', () => {
  const alternative = 'Use less.';
  test.each([1, 7, 15])('accepts %p', weight => {
    expect(policyWeight('w', weight, weight, alternative)).toBe(weight);
  });

  test('refuses more than 15%, before asking for a whole percent', () => {
    expectValidationError(() => policyWeight('w', 15.5, 15.5, alternative),
      'w is 15.5: CloudFront continuous deployment sends at most 15% of requests to the staging distribution by weight. Use less.');
  });

  test('refuses a fraction of a percent', () => {
    expectValidationError(() => policyWeight('w', 0.1, 0.1, alternative),
      'w is 0.1: CloudFront continuous deployment sends whole percents of requests (the policy\'s weight is a multiple of 0.01), and 0.1% is not. Round the weight to a whole percent.');
  });
});

describe('singleHeader', () => {
  test('renders an exact aws-cf-cd- header', () => {
    expect(singleHeader('m', Match.header('aws-cf-cd-variant', 'b')))
      .toEqual({ type: 'SingleHeader', singleHeaderConfig: { header: 'aws-cf-cd-variant', value: 'b' } });
  });

  test('names the caller\'s other way, if any', () => {
    const refused = 'm is "query v=1": CloudFront continuous deployment selects the staging distribution by one request header or by weight; it has no query parameter match. Match a header whose name starts with aws-cf-cd-, such as Match.header("aws-cf-cd-variant", "b"), set by your clients';
    expectValidationError(() => singleHeader('m', Match.queryParameter('v', '1')), `${refused}.`);
    expectValidationError(() => singleHeader('m', Match.queryParameter('v', '1'), 'use a weight'), `${refused}, or use a weight.`);
  });

  test.each([
    ['an upper-case prefix', 'AWS-CF-CD-Variant', 'header AWS-CF-CD-Variant=b', 'aws-cf-cd-variant'],
    ['the bare prefix', 'aws-cf-cd-', 'header aws-cf-cd-=b', 'aws-cf-cd-variant'],
    ['another name', 'x-variant', 'header x-variant=b', 'aws-cf-cd-x-variant'],
  ])('refuses %s, suggesting a name', (_, name, shown, suggested) => {
    expectValidationError(() => singleHeader('m', Match.header(name, 'b')),
      `m is "${shown}": CloudFront continuous deployment routes by a header only when its name starts with "aws-cf-cd-" (in lowercase) followed by a name of your own. Rename the header, for example to "${suggested}", and have your clients send it.`);
  });

  test('refuses a name over 256 characters and a value over 1783', () => {
    const name = `aws-cf-cd-${'n'.repeat(247)}`;
    expect(() => singleHeader('m', Match.header(name.slice(0, 256), 'b'))).not.toThrow();
    expectValidationError(() => singleHeader('m', Match.header(name, 'b')),
      `m is "header ${name}=b": CloudFront accepts header names of at most 256 characters, and this one has 257. Use a shorter header name.`);
    const value = 'v'.repeat(1784);
    expect(() => singleHeader('m', Match.header('aws-cf-cd-variant', value.slice(1)))).not.toThrow();
    expectValidationError(() => singleHeader('m', Match.header('aws-cf-cd-variant', value)),
      `m is "header aws-cf-cd-variant=${value}": CloudFront accepts header values of at most 1783 characters, and this one has 1784. Use a shorter header value.`);
  });
});

describe('stickinessSeconds', () => {
  test.each([
    [Duration.minutes(5), 300],
    [Duration.hours(1), 3600],
    [Duration.seconds(1234), 1234],
  ])('accepts %s', (value, seconds) => {
    expect(stickinessSeconds('s', value)).toBe(seconds);
  });

  test.each([
    [Duration.seconds(299), '4 minutes 59 seconds'],
    [Duration.seconds(3601), '1 hour 1 second'],
    [Duration.seconds(0), '0 seconds'],
  ])('refuses %s', (value, shown) => {
    expectValidationError(() => stickinessSeconds('s', value),
      `s is ${shown}: CloudFront keeps a viewer's session on one distribution for 300 to 3600 seconds (5 to 60 minutes). Use a stickiness from Duration.minutes(5) to Duration.hours(1), or leave it out.`);
  });

  test('refuses fractions of a second', () => {
    expectValidationError(() => stickinessSeconds('s', Duration.millis(300500)),
      's is 5 minutes 500 millis: durations are whole seconds. Round the duration to whole seconds.');
  });
});

describe('experimentTraffic', () => {
  test('a header variant renders SingleHeader, a weighted one SingleWeight', () => {
    const header = new Experiment({ name: 'e', variants: [{ name: 'b', match: Match.header('aws-cf-cd-v', '1') }] });
    expect(experimentTraffic('X', header).type).toBe('SingleHeader');
    const weighted = new Experiment({ name: 'e', variants: [{ name: 'b', weight: 3 }], stickiness: Duration.minutes(10) });
    expect(experimentTraffic('X', weighted)).toEqual({
      type: 'SingleWeight', singleWeightConfig: { weight: 0.03, sessionStickinessConfig: { idleTtl: 600, maximumTtl: 600 } },
    });
  });

  test('a header variant refuses the experiment\'s stickiness', () => {
    const header = new Experiment({ name: 'e', variants: [{ name: 'b', match: Match.header('aws-cf-cd-v', '1') }], stickiness: Duration.minutes(10) });
    expectValidationError(() => experimentTraffic('X', header),
      'X: experiment "e" stickiness is 10 minutes: CloudFront continuous deployment routes a header-matched variant by a single header, '
      + 'sending every request that carries it to the staging distribution, so session stickiness does not apply (CloudFront keeps sessions only for weight-based routing). '
      + 'Remove stickiness: a client that sends the header reaches the variant every time. Or drop the match and give the variant a weight of at most 15%, which stickiness keeps per viewer.');
  });
});

describe('checkPlan', () => {
  test('accepts a canary whose steps before 100% are whole percents up to 15, and blue-green', () => {
    expect(() => checkPlan('p', Strategy.canary({ steps: [{ weight: 1, gate: bake(1) }, { weight: 15, gate: bake(1) }] }).plan())).not.toThrow();
    expect(() => checkPlan('p', Strategy.BLUE_GREEN.plan())).not.toThrow();
  });

  test('refuses the first offending step', () => {
    expectValidationError(() => checkPlan('p', Strategy.canary({ steps: [{ weight: 10, gate: bake(1) }, { weight: 16, gate: bake(1) }] }).plan()),
      'p is "canary 10% (bake 1m) → 16% (bake 1m) → 100%": CloudFront continuous deployment sends at most 15% of requests to the staging distribution, and step 2 sends 16%. Keep every step before 100% at 15% or less; the 100% step is the promotion (aws cloudfront update-distribution-with-staging-config --id <primary id> --staging-distribution-id <staging id> --if-match "<primary ETag>, <staging ETag>").');
  });
});
