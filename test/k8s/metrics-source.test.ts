import { Duration } from 'aws-cdk-lib';
import { FailedRequests } from '../../src';
import { CustomDialectProps, MetricsSource, MetricsSourceKind, PrometheusDialect } from '../../src/k8s';
import { MeasuredTarget } from '../../src/k8s/private/health-check-queries';
import { expectValidationError } from '../support/validation-error';

const address = 'http://prometheus.monitoring:9090';
const custom: CustomDialectProps = {
  requests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}"}',
  failedRequests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}",code=~"{{statusCodes}}"}',
  latencyBuckets: 'http_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{service}}"}',
};
const beta: MeasuredTarget = { description: 'variant "beta" (Service checkout-beta)', role: 'beta', namespace: 'shop', service: 'checkout-beta' };

describe('MetricsSource.prometheus', () => {
  test('a server and its dialect, described for plans and errors', () => {
    const source = MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() });
    expect(source.kind).toBe(MetricsSourceKind.PROMETHEUS);
    expect(source.describe()).toBe('Prometheus http://prometheus.monitoring:9090 (Istio)');
    expect(source._prometheus).toMatchObject({ address, scrapeIntervalSeconds: 30 });
    expect(MetricsSource.prometheus({ address, dialect: PrometheusDialect.envoyGateway(), scrapeInterval: Duration.seconds(15) })._prometheus)
      .toMatchObject({ scrapeIntervalSeconds: 15 });
  });

  test.each<[string, object, string]>([
    ['an address that is not a URL', { address: 'prometheus:9090' },
      'MetricsSource.prometheus: address is "prometheus:9090": it must be an absolute http or https URL. Use a URL such as "http://prometheus.monitoring:9090".'],
    ['no dialect', { dialect: undefined },
      'MetricsSource.prometheus: dialect is undefined: a dialect is made with PrometheusDialect.istio(), PrometheusDialect.envoyGateway() or PrometheusDialect.custom(). '
      + 'Pass the data plane whose metrics Prometheus scrapes, such as PrometheusDialect.istio().'],
    ['a dialect by name', { dialect: 'istio' },
      'MetricsSource.prometheus: dialect is "istio": a dialect is made with PrometheusDialect.istio(), PrometheusDialect.envoyGateway() or PrometheusDialect.custom(). '
      + 'Pass the data plane whose metrics Prometheus scrapes, such as PrometheusDialect.istio().'],
    ['a scrape interval under a second', { scrapeInterval: Duration.millis(500) },
      'MetricsSource.prometheus: scrapeInterval is 500 millis: durations are whole seconds. Round the duration to whole seconds.'],
  ])('refuses %s', (_, change, message) => {
    expectValidationError(() => MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio(), ...change } as any), message);
  });
});

describe('MetricsSource.cloudWatch', () => {
  const loadBalancer = 'app/shop/50dc6c495c0c9188';
  const canary = 'targetgroup/shop-canary/73e2d6bc24d8a067';

  test('a load balancer and its target groups by what they serve', () => {
    const source = MetricsSource.cloudWatch({ loadBalancer, targetGroups: { canary } });
    expect(source.kind).toBe(MetricsSourceKind.CLOUDWATCH);
    expect(source.describe()).toBe('CloudWatch (load balancer app/shop/50dc6c495c0c9188)');
    expect(source._cloudWatch).toEqual({ loadBalancer, targetGroups: { canary } });
    // Flagger's CloudWatch provider needs the Region; Argo's reads its controller's.
    expect(MetricsSource.cloudWatch({ loadBalancer, targetGroups: { canary }, region: 'us-gov-west-1' })._cloudWatch!.region).toBe('us-gov-west-1');
  });

  test.each<[string, object, string]>([
    ['a load balancer ARN', { loadBalancer: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/${loadBalancer}` },
      'MetricsSource.cloudWatch: loadBalancer is "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188": '
      + 'it is an Application Load Balancer\'s CloudWatch dimension, app/<name>/<16 hex digits>. Pass the end of the load balancer\'s ARN, such as "app/shop/50dc6c495c0c9188".'],
    ['a Network Load Balancer', { loadBalancer: 'net/shop/50dc6c495c0c9188' },
      'MetricsSource.cloudWatch: loadBalancer is "net/shop/50dc6c495c0c9188": it is an Application Load Balancer\'s CloudWatch dimension, app/<name>/<16 hex digits>. '
      + 'Pass the end of the load balancer\'s ARN, such as "app/shop/50dc6c495c0c9188".'],
    ['a target group by name', { targetGroups: { canary: 'shop-canary' } },
      'MetricsSource.cloudWatch: targetGroups["canary"] is "shop-canary": it is a target group\'s CloudWatch dimension, targetgroup/<name>/<16 hex digits>. '
      + 'Pass the end of the target group\'s ARN, such as "targetgroup/shop-canary/73e2d6bc24d8a067".'],
    ['a Region that is not one', { region: 'Ireland' },
      'MetricsSource.cloudWatch: region is "Ireland": it is an AWS Region code: lowercase words and a number joined by "-". Pass the Region of the load balancer, such as "eu-west-1".'],
    ['target groups as a list', { targetGroups: [canary] },
      'MetricsSource.cloudWatch: targetGroups is an array of 1: it must be an object. Pass the target groups by what they serve, such as { canary: "targetgroup/shop-canary/73e2d6bc24d8a067" }.'],
  ])('refuses %s', (_, change, message) => {
    expectValidationError(() => MetricsSource.cloudWatch({ loadBalancer, targetGroups: { canary }, ...change } as any), message);
  });
});

describe('PrometheusDialect', () => {
  test('Istio, Envoy Gateway and custom dialects are named', () => {
    expect([PrometheusDialect.istio(), PrometheusDialect.envoyGateway(), PrometheusDialect.custom(custom)].map(d => d.name))
      .toEqual(['Istio', 'Envoy Gateway', 'custom']);
  });

  test('a custom dialect fills its placeholders with the target\'s values, and the failing status codes', () => {
    const selectors = PrometheusDialect.custom(custom)._spec.selectors(beta, FailedRequests.CLIENT_AND_SERVER_ERRORS);
    expect(selectors).toEqual({
      requests: 'http_requests_total{namespace="shop",service="checkout-beta"}',
      failed: 'http_requests_total{namespace="shop",service="checkout-beta",code=~"[45].."}',
      latencyBuckets: 'http_request_duration_seconds_bucket{namespace="shop",service="checkout-beta"}',
    });
    expect(PrometheusDialect.custom(custom)._spec.millisPerLatencyUnit).toBe(1000);
    expect(PrometheusDialect.custom({ ...custom, latencyUnit: Duration.millis(1) })._spec.millisPerLatencyUnit).toBe(1);
  });

  test('a custom dialect says which placeholders a target has no value for', () => {
    const byVersion = PrometheusDialect.custom({ requests: 'http_requests_total{app="{{app}}",version="{{version}}"}', failedRequests: 'errors_total{app="{{app}}"}' });
    expect(byVersion._spec.selectors(beta, FailedRequests.SERVER_ERRORS)).toEqual({
      unmeasurable: 'the templates use {{app}}, {{version}}, which variant "beta" (Service checkout-beta) has no value for: '
        + 'its pods have no app.kubernetes.io/version label to tell the new version apart (set revision.version); its pods have no app.kubernetes.io/version label (set revision.version)',
      fix: 'Write the templates with the placeholders it has ({{namespace}}, {{service}}, {{statusCodes}}).',
    });
  });

  test.each<[string, Partial<CustomDialectProps>, string]>([
    ['no requests selector', { requests: '' },
      'PrometheusDialect.custom: requests is "": it is a PromQL selector without a range. Pass a selector such as \'http_requests_total{service="{{service}}"}\'.'],
    ['a selector with a range', { failedRequests: 'http_requests_total{code=~"5.."}[5m]' },
      'PrometheusDialect.custom: failedRequests is "http_requests_total{code=~\\"5..\\"}[5m]": the library adds the range (the check\'s window) itself, so the selector has none. '
      + 'Remove the range, as in \'http_requests_total{code=~"5.."}\'.'],
    ['an unknown placeholder', { latencyBuckets: 'latency_bucket{pod="{{pod}}"}' },
      'PrometheusDialect.custom: latencyBuckets is "latency_bucket{pod=\\"{{pod}}\\"}": {{pod}} is not a placeholder the library fills '
      + '({{namespace}}, {{app}}, {{version}}, {{service}}, {{statusCodes}}). Use one of those placeholders, or write the value itself.'],
    ['a latency unit of zero', { latencyUnit: Duration.seconds(0) },
      'PrometheusDialect.custom: latencyUnit is 0 seconds: a unit is above zero. Pass Duration.seconds(1) for seconds or Duration.millis(1) for milliseconds.'],
  ])('refuses %s', (_, change, message) => {
    expectValidationError(() => PrometheusDialect.custom({ ...custom, ...change }), message);
  });
});
