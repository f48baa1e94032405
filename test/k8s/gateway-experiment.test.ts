import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Experiment, ExperimentProps, guardrails, HealthCheck, Match } from '../../src';
import { MetricsSource, PrometheusDialect } from '../../src/k8s';
import { GatewayBackend, GatewayExperiment, GatewayExperimentProps } from '../../src/k8s/gateway-experiment';
import { experimentPropsArb, healthChecksArb } from '../support/arbitraries';
import { findings } from '../support/guardrails';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'GatewayExperiment test/checkout';
const at = new Date('2026-06-01T00:00:00Z');
const service = (name: string): GatewayBackend => ({ serviceName: `checkout-${name}`, port: 80 });

/** Headers by header, 30% of the cookie-holders, and weighted shares of everyone else. */
const mixed = new Experiment({
  name: 'new-checkout',
  variants: [
    { name: 'staff', match: Match.header('x-staff', 'yes') },
    { name: 'beta', match: Match.cookie('beta', 'true'), weight: 30 },
    { name: 'mobile', match: Match.queryParameter('ui', 'mobile') },
    { name: 'one-click', weight: 10 },
    { name: 'express', weight: 12.5 },
  ],
  endDate: new Date('2027-12-31T00:00:00Z'),
});

function backendsFor(experiment: Experiment): Record<string, GatewayBackend> {
  return Object.fromEntries([experiment.control, ...experiment.variants.map(v => v.name)].map(n => [n, service(n)]));
}

function render(experiment: Experiment, props: Partial<GatewayExperimentProps> = {}) {
  const chart = Testing.chart();
  const construct = new GatewayExperiment(chart, 'checkout', { experiment, gateway: { name: 'public' }, backends: backendsFor(experiment), at, ...props });
  const objects = validatedManifests(chart);
  expect(objects.map(o => o.kind)).toEqual(['HTTPRoute']);
  const [route] = ofKind(objects, 'HTTPRoute');
  return { construct, route, rules: route.spec.rules, recorded: JSON.parse(route.metadata.annotations[GatewayExperiment.ANNOTATION]) };
}

function attempt(props: Partial<GatewayExperimentProps>, experiment: Experiment = mixed) {
  return () => new GatewayExperiment(Testing.chart(), 'checkout', {
    experiment, gateway: { name: 'public' }, backends: backendsFor(experiment), at, ...props,
  } as GatewayExperimentProps);
}

function experimentOf(props: Partial<ExperimentProps>): Experiment {
  return new Experiment({ name: 'new-checkout', variants: [{ name: 'b', weight: 10 }], ...props });
}

const ref = (name: string, weight?: number) => weight === undefined ? { name: `checkout-${name}`, port: 80 } : { name: `checkout-${name}`, port: 80, weight };

describe('an active experiment', () => {
  test('one rule per matched variant, in order, then everyone else split between the weighted variants and the control', () => {
    const { rules, route, construct } = render(mixed, { gateway: { name: 'public', namespace: 'gateways' }, hostnames: ['shop.example.com'] });
    expect(rules).toEqual([
      { matches: [{ headers: [{ type: 'Exact', name: 'x-staff', value: 'yes' }] }], backendRefs: [ref('staff')] },
      {
        matches: [{ headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*; *)?beta=true( *;.*)?$' }] }],
        backendRefs: [ref('beta', 300), ref('control', 700)],
      },
      { matches: [{ queryParams: [{ type: 'Exact', name: 'ui', value: 'mobile' }] }], backendRefs: [ref('mobile')] },
      { backendRefs: [ref('one-click', 100), ref('express', 125), ref('control', 775)] },
    ]);
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    expect(construct.active).toBe(true);
    expect(construct.experiment).toBe(mixed);
    expect(construct.route.node.id).toBe('Route');
  });

  test('only matched variants: everyone else goes to the control, without a weight', () => {
    const experiment = experimentOf({ variants: [{ name: 'b', match: Match.header('x-variant', 'b') }] });
    expect(render(experiment).rules).toEqual([
      { matches: [{ headers: [{ type: 'Exact', name: 'x-variant', value: 'b' }] }], backendRefs: [ref('b')] },
      { backendRefs: [ref('control')] },
    ]);
  });

  test('a control of another name', () => {
    const experiment = experimentOf({ control: 'classic', variants: [{ name: 'b', weight: 25 }] });
    expect(render(experiment).rules).toEqual([{ backendRefs: [ref('b', 250), ref('classic', 750)] }]);
  });

  test('records its allocation table and that it is active', () => {
    const { recorded } = render(mixed);
    expect(recorded).toEqual({ path: 'test/checkout', active: true, table: mixed.toTable(at) });
  });

  test('stickiness when every variant is matched in full: a user keeps their variant by their header or cookie', () => {
    const experiment = experimentOf({ variants: [{ name: 'b', match: Match.cookie('ab', 'b') }], stickiness: Duration.days(1) });
    expect(render(experiment).rules).toHaveLength(2);
  });
});

describe('an inactive experiment', () => {
  test('switched off: one rule to the control, and why, in the annotation', () => {
    const experiment = new Experiment({ name: 'new-checkout', variants: mixed.variants, enabled: false });
    const { rules, recorded, construct } = render(experiment);
    expect(rules).toEqual([{ backendRefs: [ref('control')] }]);
    expect(construct.active).toBe(false);
    expect(recorded).toEqual({ path: 'test/checkout', active: false, reason: 'experiment "new-checkout" is switched off', table: experiment.toTable(at) });
  });

  test('past its end date at the moment rendered', () => {
    const { rules, recorded } = render(mixed, { at: new Date('2028-01-01T00:00:00Z') });
    expect(rules).toEqual([{ backendRefs: [ref('control')] }]);
    expect(recorded.active).toBe(false);
    expect(recorded.reason).toBe('experiment "new-checkout" ended on 2027-12-31T00:00:00.000Z');
    expect(recorded.table).toContain('(inactive: experiment "new-checkout" ended on 2027-12-31T00:00:00.000Z)');
  });

  test('at defaults to now', () => {
    const ended = experimentOf({ endDate: new Date(Date.now() - 60_000) });
    const running = experimentOf({ endDate: new Date(Date.now() + 3_600_000) });
    expect(render(ended, { at: undefined }).construct.active).toBe(false);
    expect(render(running, { at: undefined }).construct.active).toBe(true);
  });
});

describe('backends', () => {
  const expected = '(expected "control", "staff", "beta", "mobile", "one-click", "express")';

  test('a missing variant', () => {
    const { beta, ...backends } = backendsFor(mixed);
    expectValidationError(attempt({ backends }),
      `${where}: backends["beta"] is undefined: every variant of experiment "new-checkout" and its control need a backend ${expected}. Add the Service of variant "beta", such as "beta": { serviceName: "new-checkout-beta", port: 80 }.`);
  });

  test('a missing control', () => {
    const { control, ...backends } = backendsFor(mixed);
    expectValidationError(attempt({ backends }),
      `${where}: backends["control"] is undefined: every variant of experiment "new-checkout" and its control need a backend ${expected}. Add the Service of the control "control", such as "control": { serviceName: "new-checkout-control", port: 80 }.`);
  });

  test('an unknown name', () => {
    expectValidationError(attempt({ backends: { ...backendsFor(mixed), gamma: service('gamma') } }),
      `${where}: backends key is "gamma": experiment "new-checkout" has no variant or control of this name ${expected}. Rename the key to the variant it serves, or remove it.`);
  });

  test('not an object', () => {
    expectValidationError(attempt({ backends: undefined }),
      `${where}: backends is undefined: it must be an object. Pass one backend per variant and one for the control ("control", "staff", "beta", "mobile", "one-click", "express"), such as { "control": { serviceName: "new-checkout-control", port: 80 } }.`);
  });

  test('a backend that is not an object, a bad Service name, a bad port', () => {
    const backends = backendsFor(mixed);
    expectValidationError(attempt({ backends: { ...backends, beta: 'checkout-beta' as any } }),
      `${where}: backends["beta"] is "checkout-beta": it must be an object. Pass the variant's Service, such as { serviceName: "new-checkout-beta", port: 80 }.`);
    expectValidationError(attempt({ backends: { ...backends, beta: { serviceName: '1beta', port: 80 } } }),
      `${where}: backends["beta"].serviceName is "1beta": a Service name is a DNS-1035 label: 1-63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit. Use the name of the Service, such as "new-checkout-beta".`);
    expectValidationError(attempt({ backends: { ...backends, beta: { serviceName: 'checkout-beta', port: 0 } } }),
      `${where}: backends["beta"].port is 0: a port is a whole number from 1 to 65535. Use a port such as 80.`);
  });

  test('only the declared fields reach the route', () => {
    const backends = { ...backendsFor(mixed), staff: { serviceName: 'checkout-staff', port: 8080, weight: 5 } as GatewayBackend };
    expect(render(mixed, { backends }).rules[0].backendRefs).toEqual([{ name: 'checkout-staff', port: 8080 }]);
  });
});

describe('what an HTTPRoute cannot express', () => {
  test('stickiness with weight-only variants', () => {
    const experiment = experimentOf({ stickiness: Duration.days(1) });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" stickiness is 1 day: the Gateway API provider has no sticky sessions (the standard HTTPRoute v1 has no session persistence), so the weighted split of "b" would draw every request anew. Select those variants by a cookie match alone (Match.cookie, which a user keeps), or remove stickiness.`);
  });

  test('stickiness with a matched variant split by weight, even while the experiment is off', () => {
    const experiment = experimentOf({
      variants: [{ name: 'b', match: Match.cookie('beta', 'true'), weight: 50 }, { name: 'c', match: Match.header('x-c', '1') }],
      stickiness: Duration.hours(2),
      enabled: false,
    });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" stickiness is 2 hours: the Gateway API provider has no sticky sessions (the standard HTTPRoute v1 has no session persistence), so the weighted split of "b" would draw every request anew. Select those variants by a cookie match alone (Match.cookie, which a user keeps), or remove stickiness.`);
  });

  test('15 matched variants fit in 16 rules; 16 do not', () => {
    const matched = (n: number) => experimentOf({ variants: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, match: Match.header('x-variant', `v${i}`) })) });
    expect(render(matched(15)).rules).toHaveLength(16);
    expectValidationError(attempt({}, matched(16)),
      `${where}: experiment "new-checkout" variants with a match is 16: an HTTPRoute holds at most 16 rules, one per variant with a match and one for everyone else. Use at most 15 variants with a match, for example by merging variants that share a Service.`);
  });

  test('15 weight-only variants fit in one rule with the control; 16 do not', () => {
    const weighted = (n: number) => experimentOf({ variants: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, weight: 5 })) });
    const rules = render(weighted(15)).rules;
    expect(rules[0].backendRefs).toHaveLength(16);
    expect(rules[0].backendRefs[15]).toEqual(ref('control', 250));
    expectValidationError(attempt({}, weighted(16)),
      `${where}: experiment "new-checkout" variants without a match is 16: an HTTPRoute rule sends to at most 16 backends, and everyone else is split between these variants and the control. Use at most 15 variants without a match.`);
  });

  test('a query-matched variant declared before a header-matched one', () => {
    const experiment = experimentOf({
      variants: [{ name: 'mobile', match: Match.queryParameter('ui', 'mobile') }, { name: 'beta', match: Match.cookie('beta', 'true') }],
    });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" variants order is "mobile, then beta": the Gateway API gives "beta" (cookie beta=true) precedence over "mobile" (query ui=mobile) for requests matching both, whatever the order. Declare the variants matched by a header or cookie before those matched by a query parameter.`);
  });

  test('a match beyond the Gateway API limits', () => {
    const experiment = experimentOf({ variants: [{ name: 'b', match: Match.queryParameter('ui mode', 'b') }] });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" variants[0].match is "query ui mode=b": the Gateway API matches query parameter names that are tokens (letters, digits and !#$%&'*+-.^_\`|~) of at most 256 characters. Use a parameter name such as "variant", or match a header instead.`);
  });
});

describe('input errors', () => {
  test('props, experiment, gateway, host names and at', () => {
    expectValidationError(() => new GatewayExperiment(Testing.chart(), 'checkout', undefined as any),
      `${where}: props is undefined: it must be an object. Pass { experiment, gateway, backends }.`);
    expectValidationError(attempt({ experiment: { name: 'x', variants: [] } as any }),
      `${where}: experiment is an object: it must be an Experiment. Pass new Experiment({ name, variants }).`);
    expectValidationError(attempt({ gateway: { name: '' } }),
      `${where}: gateway.name is "": a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".`);
    expectValidationError(attempt({ hostnames: [] }),
      `${where}: hostnames is an empty array: an HTTPRoute lists 1 to 16 host names. Leave hostnames out to serve every host name the Gateway listener accepts, or split the hosts across routes.`);
    expectValidationError(attempt({ at: new Date('not a date') }),
      `${where}: at is an invalid Date: it must be a valid Date. Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.`);
  });
});

describe('measuring the variants', () => {
  const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
  const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(500) });
  const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
  const envoy = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.envoyGateway() });
  const matched = new Experiment({
    name: 'new-checkout',
    variants: [{ name: 'staff', match: Match.header('x-staff', 'yes') }, { name: 'beta', match: Match.cookie('beta', 'true') }],
    endDate: new Date('2027-12-31T00:00:00Z'),
    healthChecks: [errorRate, p99],
  });

  /** Renders in namespace `shop`, validating every object. */
  function measure(experiment: Experiment, props: Partial<GatewayExperimentProps> = {}) {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const construct = new GatewayExperiment(chart, 'checkout', { experiment, gateway: { name: 'public' }, backends: backendsFor(experiment), at, ...props });
    const objects = validatedManifests(chart);
    const [route] = ofKind(objects, 'HTTPRoute');
    return { construct, chart, objects, route, recorded: JSON.parse(route.metadata.annotations[GatewayExperiment.ANNOTATION]) };
  }

  const ISTIO = (svc: string) => `reporter="destination",destination_service_namespace="shop",destination_service_name="${svc}"`;

  test('Istio: every variant and the control by its Service, recorded with what watches each', () => {
    const { recorded } = measure(matched, { metricsSource: istio });
    expect(recorded.watchedBy).toEqual({ control: ['error-rate', 'latency-p99'], staff: ['error-rate', 'latency-p99'], beta: ['error-rate', 'latency-p99'] });
    expect(recorded.measurement.source).toBe('Prometheus http://prometheus.monitoring:9090 (Istio)');
    expect(Object.keys(recorded.measurement.variants)).toEqual(['control', 'staff', 'beta']);
    expect(recorded.measurement.variants.beta).toEqual({
      'requests': `sum(increase(istio_requests_total{${ISTIO('checkout-beta')}}[1m]))`,
      'error-rate': `100 * (sum(increase(istio_requests_total{${ISTIO('checkout-beta')},response_code=~"5.."}[1m])) or vector(0)) / sum(increase(istio_requests_total{${ISTIO('checkout-beta')}}[1m]))`
        + ` and on() (sum(increase(istio_requests_total{${ISTIO('checkout-beta')}}[1m])) >= 10)`,
      'latency-p99': `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${ISTIO('checkout-beta')}}[1m])))`
        + ` and on() (sum(increase(istio_requests_total{${ISTIO('checkout-beta')}}[1m])) >= 10)`,
    });
  });

  test('Envoy Gateway: each variant by the rule that sends to it alone', () => {
    const { recorded, route } = measure(matched, { metricsSource: envoy });
    const name = route.metadata.name;
    expect(recorded.measurement.variants.staff.requests).toBe(`sum(increase(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/${name}/rule/0"}[1m]))`);
    expect(recorded.measurement.variants.beta.requests).toContain('/rule/1"');
    expect(recorded.measurement.variants.control.requests).toContain('/rule/2"');
  });

  test('Envoy Gateway refuses a weighted split it cannot tell apart, unless the route sends the variant nothing', () => {
    const weighted = new Experiment({ name: 'new-checkout', variants: [{ name: 'one-click', weight: 10 }], healthChecks: [errorRate], endDate: new Date('2027-12-31T00:00:00Z') });
    expectValidationError(() => measure(weighted, { metricsSource: envoy }),
      'GatewayExperiment test/checkout: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Envoy Gateway)": the Envoy Gateway dialect cannot measure the control (Service checkout-control) alone: '
      + 'Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and every rule sending to it splits its requests with another backend by weight. '
      + 'Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().');
    // Switched off, everything goes to the control alone: the variant is left out of the queries, and watched by nothing.
    const { recorded } = measure(new Experiment({ name: 'new-checkout', variants: [{ name: 'one-click', weight: 10 }], healthChecks: [errorRate], enabled: false }), { metricsSource: envoy });
    expect(Object.keys(recorded.measurement.variants)).toEqual(['control']);
    expect(recorded.watchedBy).toEqual({ 'control': ['error-rate'], 'one-click': [] });
  });

  test('CloudWatch: each variant\'s target group', () => {
    const source = MetricsSource.cloudWatch({
      loadBalancer: 'app/shop/50dc6c495c0c9188',
      targetGroups: { control: 'targetgroup/control/73e2d6bc24d8a060', staff: 'targetgroup/staff/73e2d6bc24d8a061', beta: 'targetgroup/beta/73e2d6bc24d8a062' },
    });
    const { recorded } = measure(matched, { metricsSource: source });
    expect(recorded.measurement.variants.staff.requests.metricDataQueries).toEqual([{
      id: 'value',
      metricStat: {
        metric: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'RequestCount',
          dimensions: [{ name: 'LoadBalancer', value: 'app/shop/50dc6c495c0c9188' }, { name: 'TargetGroup', value: 'targetgroup/staff/73e2d6bc24d8a061' }],
        },
        period: 60,
        stat: 'Sum',
      },
      returnData: true,
    }]);
    expect(recorded.measurement.variants.beta['error-rate'].metricDataQueries.map((q: any) => q.id)).toEqual(['requests', 'errors', 'value']);
  });

  test('a Grafana dashboard: a panel of requests and one per check, a line per variant, the bounds as thresholds', () => {
    const { objects, construct } = measure(matched, { metricsSource: istio, grafanaDashboard: true });
    const [configMap] = ofKind(objects, 'ConfigMap');
    expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
    expect(construct.dashboard!.name).toBe(configMap.metadata.name);
    const dashboard = JSON.parse(configMap.data['new-checkout.json']);
    expect(dashboard.title).toBe('A/B experiment new-checkout');
    expect(dashboard.uid).toMatch(/^cds-new-checkout-[0-9a-f]{8}$/);
    expect(dashboard.panels.map((p: any) => [p.title, p.fieldConfig.defaults.unit, p.fieldConfig.defaults.thresholds?.steps[1].value])).toEqual([
      ['Requests per second', 'reqps', undefined],
      ['error-rate: failed requests (%)', 'percent', 1],
      ['latency-p99: p99 latency', 'ms', 500],
    ]);
    expect(dashboard.panels[0].targets).toEqual([
      { refId: 'A', expr: `sum(rate(istio_requests_total{${ISTIO('checkout-control')}}[$__rate_interval]))`, legendFormat: 'control' },
      { refId: 'B', expr: `sum(rate(istio_requests_total{${ISTIO('checkout-staff')}}[$__rate_interval]))`, legendFormat: 'staff' },
      { refId: 'C', expr: `sum(rate(istio_requests_total{${ISTIO('checkout-beta')}}[$__rate_interval]))`, legendFormat: 'beta' },
    ]);
    expect(dashboard.panels.every((p: any) => p.datasource.uid === '${datasource}')).toBe(true);
  });

  test('without a metrics source nothing measures the variants, and the guardrails say so', () => {
    const { recorded, chart } = measure(matched);
    expect(recorded.watchedBy).toBeUndefined();
    expect(recorded.measurement).toBeUndefined();
    const pack = guardrails.GuardrailPack.recommended({ at });
    expect(findings(chart, 'CDS-R8', pack)).toEqual([
      'test/checkout: experiment "new-checkout" on Gateway API: nothing measures variants staff, beta, control (its 2 health checks are declared, but Gateway API does not measure them)',
    ]);
    expect(findings(measure(matched, { metricsSource: istio }).chart, 'CDS-R8', pack)).toEqual([]);
  });

  test.each<[string, () => unknown, string]>([
    ['a dashboard without a metrics source', () => measure(matched, { grafanaDashboard: true }),
      'GatewayExperiment test/checkout: grafanaDashboard is true: a dashboard draws the variants\' queries, and the experiment has no metricsSource. '
      + 'Pass metricsSource: MetricsSource.prometheus({ address, dialect }), or leave grafanaDashboard out.'],
    ['a dashboard of CloudWatch metrics', () => measure(matched, {
      grafanaDashboard: true,
      metricsSource: MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: {} }),
    }),
    'GatewayExperiment test/checkout: grafanaDashboard is true: the dashboard\'s panels are PromQL, and the metrics source is CloudWatch (load balancer app/shop/50dc6c495c0c9188). '
      + 'Use a Prometheus metrics source, or leave grafanaDashboard out (CloudWatch dashboards are the AWS constructs\' part).'],
    ['a check of your own', () => measure(new Experiment({ name: 'q', variants: [{ name: 'b', weight: 10 }], healthChecks: [HealthCheck.prometheus({ name: 'queue', query: 'sum(q)', maxValue: 1 })] }),
      { metricsSource: istio }),
    'GatewayExperiment test/checkout: experiment "q" healthChecks[0] is "queue: query above 1 for 2 windows of 1m": a check of your own measures what its query (or alarm) measures, the same for every variant, '
      + 'so it cannot compare them. Measure the variants with HealthCheck.errorRate() and HealthCheck.latency(), which the experiment renders per variant.'],
    ['Prometheus in a chart without a namespace', () => new GatewayExperiment(Testing.chart(), 'checkout', {
      experiment: matched, gateway: { name: 'public' }, backends: backendsFor(matched), at, metricsSource: istio,
    }),
    'GatewayExperiment test/checkout: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Istio)": Prometheus queries select the variants\' metrics by namespace, '
      + 'and the chart has no namespace (the manifests go to whatever namespace kubectl uses). Create the experiment in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).'],
    ['a dashboard flag that is not a boolean', () => measure(matched, { metricsSource: istio, grafanaDashboard: 'yes' as any }),
      'GatewayExperiment test/checkout: grafanaDashboard is "yes": it is true or false. Pass true to render a Grafana dashboard ConfigMap, or leave it out.'],
  ])('refuses %s', (_, fn, message) => {
    expectValidationError(fn, message);
  });
});

describe('random props', () => {
  // Experiments the core accepts, switched off or with another control now and then, and up to 17
  // variants (one past what a route holds) now and then.
  const rarely = <T>(arb: fc.Arbitrary<T>, oneIn: number) =>
    fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  const experimentArb = fc.record({
    props: experimentPropsArb,
    control: rarely(fc.constantFrom('classic', 'baseline'), 6),
    enabled: rarely(fc.boolean(), 3),
    // Stickiness only with variants selected by a match alone, so most experiments with it are refused.
    sticky: rarely(fc.constant(true), 5),
    many: rarely(fc.tuple(fc.integer({ min: 14, max: 17 }), fc.boolean()), 10),
    healthChecks: healthChecksArb,
  }).map(({ props, control, enabled, sticky, many, healthChecks }) => {
    const variants = many === undefined ? props.variants
      : Array.from({ length: many[0] }, (_, i) => many[1] ? { name: `v${i}`, match: Match.header(`x-v${i}`, 'on') } : { name: `v${i}`, weight: 1 });
    try {
      return new Experiment({ ...props, variants, control, enabled, stickiness: sticky ? props.stickiness : undefined, healthChecks });
    } catch {
      return undefined;
    }
  }).filter((e): e is Experiment => e !== undefined);

  const propsArb = tidyOrNot(({ either, maybe, gateway, hostnames, port }) => fc.record({
    experiment: either(experimentArb, fc.constantFrom(undefined, { name: 'checkout', variants: [] })),
    gateway,
    hostnames: maybe(hostnames),
    at: maybe(either(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-06-01T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom(new Date(NaN), '2027-01-01', 0))),
    metricsSource: maybe(fc.oneof(
      fc.constantFrom(PrometheusDialect.istio(), PrometheusDialect.envoyGateway())
        .map(dialect => MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect })),
      fc.constant(MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: { control: 'targetgroup/control/73e2d6bc24d8a060' } })),
    )),
    grafanaDashboard: maybe(either(fc.boolean(), fc.constant('yes'))),
    namespace: either(fc.constant('shop'), fc.constant(undefined)),
    // The backends: one per variant and the control, sometimes one missing or one too many.
    backends: fc.record({
      serviceName: either(fc.constant(''), fc.constantFrom('Checkout', '1checkout', 'checkout_b', 'c'.repeat(64))),
      port,
      missing: either(fc.constant(false), fc.constant(true)),
      extra: either(fc.constant(false), fc.constant(true)),
    }),
  }).map(({ backends, ...p }) => {
    if (!(p.experiment instanceof Experiment)) return { ...p, backends: {} };
    const names = [p.experiment.control, ...p.experiment.variants.map(v => v.name)];
    const given: Record<string, unknown> = Object.fromEntries(names.map((n, i) =>
      [n, { serviceName: i === 1 && backends.serviceName !== '' ? backends.serviceName : `checkout-${n}`, port: i === 0 ? backends.port : 80 }]));
    if (backends.missing) delete given[names[names.length - 1]];
    if (backends.extra) given.unknown = { serviceName: 'checkout-unknown', port: 80 };
    return { ...p, backends: given };
  }));

  test('either synthesize a valid route whose every rule splits 100%, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ namespace, ...props }) => {
      const chart = new Chart(Testing.app(), 'test', { namespace });
      const construct = new GatewayExperiment(chart, 'checkout', props as GatewayExperimentProps);
      const objects = validatedManifests(chart);
      const [route] = ofKind(objects, 'HTTPRoute');
      // Measured: every variant and the control listed with what watches it, and a dashboard when asked.
      const recorded = JSON.parse(route.metadata.annotations[GatewayExperiment.ANNOTATION]);
      const names = [construct.experiment.control, ...construct.experiment.variants.map(v => v.name)].sort();
      expect(recorded.watchedBy === undefined).toBe(props.metricsSource === undefined);
      if (recorded.watchedBy) {
        expect(Object.keys(recorded.watchedBy).sort()).toEqual(names);
        for (const variant of Object.keys(recorded.measurement.variants)) {
          expect(recorded.watchedBy[variant]).toEqual(construct.experiment.healthChecks.map(c => c.name));
        }
      }
      expect(ofKind(objects, 'ConfigMap')).toHaveLength(props.grafanaDashboard === true ? 1 : 0);
      const rules: any[] = route.spec.rules;
      expect(rules.length).toBeLessThanOrEqual(16);
      // Everyone else: the last rule has no match.
      expect(rules[rules.length - 1].matches).toBeUndefined();
      for (const rule of rules) {
        if (rule.backendRefs.length > 1) expect(rule.backendRefs.reduce((sum: number, b: any) => sum + b.weight, 0)).toBe(1000);
      }
      if (!construct.active) expect(rules).toEqual([{ backendRefs: [{ name: `checkout-${construct.experiment.control}`, port: expect.any(Number) }] }]);
      expect(JSON.parse(route.metadata.annotations[GatewayExperiment.ANNOTATION]).active).toBe(construct.active);
    }, { quickRuns: 30 });
  });
});
