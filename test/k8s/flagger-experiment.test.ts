import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Experiment, Match } from '../../src';
import { FlaggerExperiment, FlaggerExperimentProps, FlaggerMetric } from '../../src/k8s';
import { experimentArb, matchArb } from '../support/arbitraries';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses, expectCleanOutput } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'FlaggerExperiment test/checkout';
const revision = { containers: [{ image: 'registry.example.com/checkout:2.0.0', portNumber: 8080 }], version: '2.0.0' };
const gateway = { name: 'public-gateway', namespace: 'gateways' };
const at = new Date('2027-01-01T00:00:00Z');
const endDate = new Date('2027-06-01T00:00:00Z');

function render(experiment: Experiment, props: Partial<FlaggerExperimentProps> = {}) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  const construct = new FlaggerExperiment(chart, 'checkout', { experiment, revision, gateway, at, ...props });
  const objects = validatedManifests(chart);
  return { construct, canary: ofKind(objects, 'Canary')[0], deployment: ofKind(objects, 'Deployment')[0] };
}

describe('a variant selected by a match', () => {
  test.each([
    [Match.header('x-beta', 'true'), { headers: { 'x-beta': { exact: 'true' } } }],
    [Match.headerRegex('user-agent', '.*Mobile.*'), { headers: { 'user-agent': { regex: '.*Mobile.*' } } }],
    [Match.cookie('beta', 'true'), { headers: { Cookie: { regex: '^(.*; *)?beta=true( *;.*)?$' } } }],
    [Match.queryParameter('variant', 'b'), { queryParams: { variant: { exact: 'b' } } }],
  ])('%s becomes Flagger\'s A/B match with one iteration, held by the promotion and rollback gates', (match, expected) => {
    const { canary } = render(new Experiment({ name: 'beta', variants: [{ name: 'beta', match }], endDate }),
      { metrics: [FlaggerMetric.requestSuccessRate()] });
    expect(canary.spec.analysis).toEqual({
      interval: '1m',
      threshold: 1,
      match: [expected],
      iterations: 1,
      metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }],
      webhooks: [
        { name: 'promote-variant', type: 'confirm-promotion', url: 'http://flagger-loadtester.shop/gate/check' },
        { name: 'end-experiment', type: 'rollback', url: 'http://flagger-loadtester.shop/rollback/check' },
      ],
    });
    expect(canary.spec.provider).toBe('gatewayapi:v1');
  });
});

describe('a variant selected by weight', () => {
  test('becomes a canary held at its weight, sticky with session affinity', () => {
    const { canary } = render(new Experiment({ name: 'one-click', variants: [{ name: 'one-click', weight: 10 }], stickiness: Duration.days(1), endDate }),
      { interval: Duration.seconds(30) });
    expect(canary.spec.analysis).toMatchObject({ interval: '30s', stepWeights: [10], sessionAffinity: { cookieName: 'flagger-one-click', maxAge: 86400 } });
    expect(canary.spec.analysis.match).toBeUndefined();
  });
});

test('an experiment switched off or past its end date rolls back at Flagger\'s next check, and records why', () => {
  const { canary, construct } = render(new Experiment({ name: 'beta', variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }], endDate }),
    { at: new Date('2027-07-01T00:00:00Z') });
  expect(construct.active).toBe(false);
  expect(canary.spec.analysis.webhooks[1]).toEqual({ name: 'end-experiment', type: 'rollback', url: 'http://flagger-loadtester.shop/gate/approve' });
  const recorded = JSON.parse(canary.metadata.annotations[FlaggerExperiment.ANNOTATION]);
  expect(recorded).toMatchObject({ active: false, reason: 'experiment "beta" ended on 2027-06-01T00:00:00.000Z' });
  expect(construct.canaryName).toBe('checkout');
});

describe('what Flagger cannot express is refused', () => {
  test('more than one variant', () => {
    expectValidationError(() => render(new Experiment({ name: 'two', variants: [{ name: 'a', weight: 10 }, { name: 'b', weight: 10 }] })),
      `${where}: experiment "two" variants is "a, b": Flagger runs one new version beside the primary (fluxcd/flagger issue #456), so its A/B test has one variant, and the experiment has 2. Run one experiment per variant, each with its own FlaggerExperiment, or use GatewayExperiment, which routes to a Service per variant.`);
  });

  test('a share of the matching requests', () => {
    expectValidationError(() => render(new Experiment({ name: 'half', variants: [{ name: 'mobile', match: Match.header('x-mobile', '1'), weight: 50 }] })),
      `${where}: experiment "half" variants[0].weight is 50: Flagger's A/B test sends every request its match selects to the variant; it cannot split them by weight. Leave the weight out (all matching requests), or use GatewayExperiment, which splits matching requests by weight.`);
  });

  test('a fractional weight', () => {
    expectValidationError(() => render(new Experiment({ name: 'tiny', variants: [{ name: 'b', weight: 2.5 }] })),
      `${where}: experiment "tiny" variants[0].weight is 2.5: Flagger's weights are whole percentages. Use 2 or 3.`);
  });

  test('a regular expression longer than the HTTPRoute Flagger writes it into takes', () => {
    expectValidationError(() => render(new Experiment({ name: 'long', variants: [{ name: 'b', match: Match.headerRegex('user-agent', 'a'.repeat(4097)) }] })),
      `${where}: experiment "long" variants[0].match is "header user-agent~/${'a'.repeat(4097)}/": the Gateway API matches header values of at most 4096 characters. Use a shorter value.`);
  });

  test('props that are not what they should be', () => {
    const experiment = new Experiment({ name: 'beta', variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }] });
    expectValidationError(() => render('beta' as any), `${where}: experiment is "beta": it must be an Experiment. Pass new Experiment({ name, variants }).`);
    expectValidationError(() => render(experiment, {
      metrics: [FlaggerMetric.requestSuccessRate(),
        FlaggerMetric.requestSuccessRate({ minPercent: 95 })],
    }),
    `${where}: metrics[1] is "request-success-rate ≥ 95% over 1m": ${where}: metrics[0] is a request-success-rate check too, and Flagger runs each check once. Keep one check of each kind.`);
    expectValidationError(() => render(experiment, { interval: Duration.millis(500) }),
      `${where}: interval is 500 millis: durations are whole seconds. Round the duration to whole seconds.`);
  });
});

describe('random props', () => {
  // Mostly one variant, by a match or a whole-percent weight, as Flagger runs them; now and then any experiment.
  const oneVariantArb = fc.record({
    match: fc.option(matchArb, { nil: undefined }),
    weight: fc.integer({ min: 1, max: 60 }),
    sticky: fc.boolean(),
    ends: fc.boolean(),
  }).map(v => new Experiment({
    name: 'checkout',
    variants: [v.match ? { name: 'beta', match: v.match } : { name: 'beta', weight: v.weight }],
    stickiness: v.sticky ? Duration.hours(v.weight) : undefined,
    endDate: v.ends ? endDate : undefined,
  }));
  const propsArb = tidyOrNot(({ either, maybe, gateway: gatewayArb, hostnames, name, port, replicas, revision: revisionArb }) => fc.record({
    experiment: either(fc.oneof({ weight: 4, arbitrary: oneVariantArb }, { weight: 1, arbitrary: experimentArb }), fc.constant('beta')),
    revision: revisionArb,
    gateway: gatewayArb,
    hostnames: maybe(hostnames),
    name: maybe(name),
    replicas: maybe(replicas),
    port: maybe(port),
    interval: maybe(either(fc.integer({ min: 1, max: 600 }).map(s => Duration.seconds(s)), fc.constant(Duration.millis(10)))),
    threshold: maybe(either(fc.integer({ min: 1, max: 10 }), fc.constant(0))),
    metrics: maybe(fc.constant([FlaggerMetric.requestSuccessRate(), FlaggerMetric.requestDuration({ maxP99: Duration.millis(250) })])),
    at: fc.constantFrom(at, new Date('2029-01-01T00:00:00Z')),
  }, { requiredKeys: ['experiment', 'revision', 'gateway'] }));

  test('either synthesize a valid Canary for the one variant, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, props => {
      const chart = new Chart(Testing.app(), 'test');
      const construct = new FlaggerExperiment(chart, 'checkout', props as FlaggerExperimentProps);
      const objects = validatedManifests(chart);
      expectCleanOutput('manifests', objects);
      const canary = ofKind(objects, 'Canary')[0];
      const variant = construct.experiment.variants[0];
      expect(canary.spec.analysis.iterations === 1).toBe(variant.match !== undefined);
    }, { quickRuns: 40 });
  });
});
