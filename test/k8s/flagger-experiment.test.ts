import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Experiment, HealthCheck, Match, guardrails } from '../../src';
import { FlaggerExperiment, FlaggerExperimentProps, FlaggerMetric, MetricsSource, PrometheusDialect } from '../../src/k8s';
import { experimentArb, healthChecksArb, matchArb } from '../support/arbitraries';
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
  return { construct, objects, canary: ofKind(objects, 'Canary')[0], deployment: ofKind(objects, 'Deployment')[0] };
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

describe('health checks', () => {
  const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
  const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1, failingWindows: 3 });
  const experiment = new Experiment({ name: 'one-click', variants: [{ name: 'one-click', match: Match.cookie('beta', 'true') }], endDate, healthChecks: [errorRate] });
  const variantLabels = 'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="checkout",destination_canonical_revision="2.0.0"';
  const controlLabels = 'reporter="destination",destination_service_namespace="shop",destination_service_name="checkout-primary"';
  const errorRateOf = (labels: string) => `100 * (sum(increase(istio_requests_total{${labels},response_code=~"5.."}[1m])) or vector(0)) / sum(increase(istio_requests_total{${labels}}[1m]))`
    + ` and on() (sum(increase(istio_requests_total{${labels}}[1m])) >= 10)`;

  test('measure the variant (Flagger\'s canary) in MetricTemplates the analysis runs, and record the variant\'s and the control\'s queries', () => {
    const { canary, objects, construct } = render(experiment, { metricsSource: istio, metrics: [FlaggerMetric.requestSuccessRate()] });
    expect(canary.spec.analysis).toMatchObject({
      interval: '1m',
      threshold: 3,
      metrics: [
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        { name: 'error-rate', interval: '1m', thresholdRange: { max: 1 }, templateRef: { name: 'checkout-error-rate' } },
      ],
    });
    expect(ofKind(objects, 'MetricTemplate').map(t => [t.metadata.name, t.spec])).toEqual([
      ['checkout-error-rate', { provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' }, query: errorRateOf(variantLabels) }],
    ]);
    expect(construct.healthCheckTemplates.map(t => t.name)).toEqual(['checkout-error-rate']);
    const recorded = JSON.parse(canary.metadata.annotations[FlaggerExperiment.ANNOTATION]);
    expect(recorded.watchedBy).toEqual({ 'control': ['error-rate'], 'one-click': ['error-rate'] });
    expect(recorded.measurement).toEqual({
      source: 'Prometheus http://prometheus.monitoring:9090 (Istio)',
      variants: {
        'one-click': { 'requests': `sum(increase(istio_requests_total{${variantLabels}}[1m]))`, 'error-rate': errorRateOf(variantLabels) },
        'control': { 'requests': `sum(increase(istio_requests_total{${controlLabels}}[1m]))`, 'error-rate': errorRateOf(controlLabels) },
      },
    });
  });

  test('replace the experiment\'s with healthChecks, follow addHealthCheck, and count in the guardrails', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    const construct = new FlaggerExperiment(chart, 'checkout', { experiment, revision, gateway, at, healthChecks: [], metricsSource: istio });
    expect(ofKind(validatedManifests(chart), 'MetricTemplate')).toEqual([]);
    construct.addHealthCheck(HealthCheck.latency({ percentile: 95, maxLatency: Duration.millis(250) }));
    const objects = validatedManifests(chart);
    expect(ofKind(objects, 'MetricTemplate').map(t => t.metadata.name)).toEqual(['checkout-latency-p95']);
    const canary = ofKind(objects, 'Canary')[0];
    expect(canary.spec.analysis).toMatchObject({ threshold: 2, metrics: [{ name: 'latency-p95', thresholdRange: { max: 250 }, templateRef: { name: 'checkout-latency-p95' } }] });
    expect(JSON.parse(canary.metadata.annotations[FlaggerExperiment.ANNOTATION]).watchedBy).toEqual({ 'control': ['latency-p95'], 'one-click': ['latency-p95'] });
    expectValidationError(() => construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.minutes(2) })),
      `${where}: addHealthCheck (error-rate).window is 2 minutes: Flagger runs the check once per analysis interval of 1m (${where}: interval), over the window before it, so a window of 2m overlaps the next check's and counts one bad stretch of requests more than once toward failingWindows. `
      + 'Use a window of at most 1m on check "error-rate".');
    expect(JSON.parse(ofKind(validatedManifests(chart), 'Canary')[0].metadata.annotations[FlaggerExperiment.ANNOTATION]).watchedBy)
      .toEqual({ 'control': ['latency-p95'], 'one-click': ['latency-p95'] });
    new FlaggerExperiment(chart, 'search', { experiment, revision, gateway, at, healthChecks: [] });
    const report = guardrails.Guardrails.report(app, guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule()));
    expect(report.findings.filter(f => f.ruleId === 'CDS-R8').map(f => f.path)).toEqual(['test/search']);
  });

  test('what Flagger cannot measure is refused', () => {
    expectValidationError(() => render(experiment),
      `${where}: metricsSource is undefined: the experiment has health checks (error-rate), and Flagger measures them only through a metrics source, as MetricTemplates. `
      + 'Pass metricsSource: MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }) or MetricsSource.cloudWatch({ ..., region }), or healthChecks: [] to render none.');
    expectValidationError(() => render(experiment, { metricsSource: istio, threshold: 1 }),
      `${where}: threshold is 1: the health checks (error-rate) roll back after 3 failing windows, and Flagger's threshold is that count: one limit of failed checks for the whole analysis. `
      + 'Leave threshold out (it follows the checks\' failingWindows), or give the checks failingWindows: 1.');
    expectValidationError(() => render(experiment, {
      metricsSource: MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { control: 'targetgroup/checkout/73e2d6bc24d8a067' } }),
    }), `${where}: metricsSource.targetGroups is "control": ${where} measures variant "one-click" (Flagger's canary, Deployment checkout) on the target group of "one-click" (the one the AWS Load Balancer Controller made for Service checkout-canary), and the metrics source names none for it. `
      + 'Add targetGroups: { "one-click": "targetgroup/<name>/<id>" } to MetricsSource.cloudWatch().');
    expectValidationError(() => render(experiment, { healthChecks: [HealthCheck.prometheus({ name: 'queue', query: 'max(queue)', maxValue: 1 })], metricsSource: istio }),
      `${where}: healthChecks[0] is "queue: query above 1 for 2 windows of 1m": a check of your own measures what its query (or alarm) measures, the same for every variant, so it cannot compare them. `
      + 'Measure the variants with HealthCheck.errorRate() and HealthCheck.latency(), which the experiment renders per variant.');
  });
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
    healthChecks: maybe(fc.oneof(healthChecksArb,
      fc.integer({ min: 1, max: 3 }).map(n => [HealthCheck.errorRate({ maxErrorPercent: 2, failingWindows: n })]))),
    metricsSource: maybe(fc.constantFrom(
      MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.istio() }),
      MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { beta: 'targetgroup/beta/73e2d6bc24d8a067' } }),
    )),
    at: fc.constantFrom(at, new Date('2029-01-01T00:00:00Z')),
  }, { requiredKeys: ['experiment', 'revision', 'gateway'] }));

  test('either synthesize a valid Canary for the one variant, or refuse with the library error', () => {
    expectBuildsOrRefuses(fc.tuple(propsArb, fc.constantFrom('shop', undefined)), ([props, namespace]) => {
      const chart = new Chart(Testing.app(), 'test', { namespace });
      const construct = new FlaggerExperiment(chart, 'checkout', props as FlaggerExperimentProps);
      const objects = validatedManifests(chart);
      expectCleanOutput('manifests', objects);
      const canary = ofKind(objects, 'Canary')[0];
      const variant = construct.experiment.variants[0];
      expect(canary.spec.analysis.iterations === 1).toBe(variant.match !== undefined);
      // One MetricTemplate per health check, referenced by the analysis, whose threshold is their failingWindows.
      const checks = (props as FlaggerExperimentProps).healthChecks ?? construct.experiment.healthChecks;
      expect(ofKind(objects, 'MetricTemplate').map(t => t.metadata.name)).toEqual(checks.map(c => `${construct.appName}-${c.name}`));
      expect((canary.spec.analysis.metrics ?? []).filter((m: any) => m.templateRef).map((m: any) => m.name)).toEqual(checks.map(c => c.name));
      if (checks.length > 0) expect(canary.spec.analysis.threshold).toBe(checks[0].failingWindows);
    }, { quickRuns: 40 });
  });
});
