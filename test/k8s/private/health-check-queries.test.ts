import { Duration } from 'aws-cdk-lib';
import { FailedRequests, HealthCheck } from '../../../src';
import { MetricsSource, PrometheusDialect } from '../../../src/k8s';
import {
  cloudWatchCheckQuery, cloudWatchRequestsQuery, envoyGatewaySelectors, istioSelectors, MeasuredTarget, numberLiteral, prometheusCheckQuery,
  promDuration,
  QueryContext, requestCountQuery, requestRateQuery,
} from '../../../src/k8s/private/health-check-queries';
import { expectValidationError } from '../../support/validation-error';

const ctx: QueryContext = { where: 'ArgoRollout test/web', checkProp: check => `ArgoRollout test/web: healthChecks (${check.name})` };
const sourceProp = 'ArgoRollout test/web: metricsSource';
const canary: MeasuredTarget = { description: 'the canary of web', role: 'canary', namespace: 'shop', app: 'web', version: '1.4.2', service: 'web-canary' };
const beta: MeasuredTarget = {
  description: 'variant "beta" (Service checkout-beta)', role: 'beta', namespace: 'shop', service: 'checkout-beta', routeRules: { route: 'checkout', rules: [0] },
};
const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() })._prometheus!;
const envoy = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.envoyGateway() })._prometheus!;
const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const latency = HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.millis(800), window: Duration.minutes(2), minimumRequests: 50 });

const ISTIO_CANARY = 'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="web",destination_canonical_revision="1.4.2"';

describe('Istio', () => {
  test('an error rate: 100 × 5xx ÷ requests over the window, 0% without failures, empty under the minimum request count', () => {
    expect(prometheusCheckQuery(istio, canary, errorRate, ctx, sourceProp)).toEqual({
      query: `100 * (sum(increase(istio_requests_total{${ISTIO_CANARY},response_code=~"5.."}[1m])) or vector(0)) / sum(increase(istio_requests_total{${ISTIO_CANARY}}[1m]))`
        + ` and on() (sum(increase(istio_requests_total{${ISTIO_CANARY}}[1m])) >= 10)`,
      failAbove: 1,
      failBelow: undefined,
    });
  });

  test('client and server errors count 4xx too', () => {
    const check = HealthCheck.errorRate({ maxErrorPercent: 5, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS });
    expect(prometheusCheckQuery(istio, canary, check, ctx, sourceProp).query).toContain('response_code=~"[45].."');
  });

  test('a latency: histogram_quantile over the window\'s bucket rates, in milliseconds', () => {
    expect(prometheusCheckQuery(istio, canary, latency, ctx, sourceProp)).toEqual({
      query: `histogram_quantile(0.999, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${ISTIO_CANARY}}[2m])))`
        + ` and on() (sum(increase(istio_requests_total{${ISTIO_CANARY}}[2m])) >= 50)`,
      failAbove: 800,
    });
  });

  test('a window of no minimum still needs a request: a window without any has no rate to judge', () => {
    const check = HealthCheck.errorRate({ maxErrorPercent: 1, minimumRequests: 0 });
    expect(prometheusCheckQuery(istio, canary, check, ctx, sourceProp).query).toMatch(/ >= 1\)$/);
  });

  test('a target without a version is selected by its Service', () => {
    expect(istioSelectors({ ...canary, version: undefined }, FailedRequests.SERVER_ERRORS)).toEqual({
      requests: 'istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="web-canary"}',
      failed: 'istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="web-canary",response_code=~"5.."}',
      latencyBuckets: 'istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="shop",destination_service_name="web-canary"}',
    });
  });

  test('refuses a target with neither a version nor a Service of its own', () => {
    expectValidationError(() => prometheusCheckQuery(istio, { ...canary, version: undefined, service: undefined }, errorRate, ctx, sourceProp),
      'ArgoRollout test/web: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Istio)": the Istio dialect cannot measure the canary of web alone: '
      + 'Istio tells the new version\'s requests apart by its pods\' app.kubernetes.io/version label (the canonical revision) or by a Service of its own, and it has neither. '
      + 'Set revision.version (a new value for every release), or route the rollout with ArgoTrafficRouting.gatewayApi().');
  });
});

describe('Envoy Gateway', () => {
  test('the Envoy cluster of each rule that sends to the target alone', () => {
    expect(envoyGatewaySelectors(beta, FailedRequests.SERVER_ERRORS)).toEqual({
      requests: 'envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/checkout/rule/0"}',
      failed: 'envoy_cluster_upstream_rq_xx{envoy_cluster_name="httproute/shop/checkout/rule/0",envoy_response_code_class=~"5"}',
      latencyBuckets: 'envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="httproute/shop/checkout/rule/0"}',
    });
    const two = envoyGatewaySelectors({ ...beta, routeRules: { route: 'checkout', rules: [0, 2] } }, FailedRequests.CLIENT_AND_SERVER_ERRORS);
    expect(two).toMatchObject({
      requests: 'envoy_cluster_upstream_rq_total{envoy_cluster_name=~"httproute/shop/checkout/rule/0|httproute/shop/checkout/rule/2"}',
      failed: 'envoy_cluster_upstream_rq_xx{envoy_cluster_name=~"httproute/shop/checkout/rule/0|httproute/shop/checkout/rule/2",envoy_response_code_class=~"4|5"}',
    });
  });

  test('refuses a target that shares its rule', () => {
    expectValidationError(() => prometheusCheckQuery(envoy, { ...canary, noRouteRule: 'the Argo Rollouts Gateway API plugin moves the canary\'s weight inside the one rule it shares with the stable Service' },
      errorRate, ctx, sourceProp),
    'ArgoRollout test/web: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Envoy Gateway)": the Envoy Gateway dialect cannot measure the canary of web alone: '
      + 'Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and the Argo Rollouts Gateway API plugin moves the canary\'s weight '
      + 'inside the one rule it shares with the stable Service. Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().');
  });
});

describe('every dialect', () => {
  test('a check of your own is your query, failing above or below its bounds', () => {
    const check = HealthCheck.prometheus({ name: 'queue', query: 'sum(queue_depth{app="web"})', maxValue: 100, minValue: 1 });
    expect(prometheusCheckQuery(envoy, canary, check, ctx, sourceProp)).toEqual({ query: 'sum(queue_depth{app="web"})', failAbove: 100, failBelow: 1 });
  });

  test('the requests of a window, and per second', () => {
    expect(requestCountQuery(envoy, beta, 120, 'p')).toBe('sum(increase(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/checkout/rule/0"}[2m]))');
    expect(requestRateQuery(envoy, beta, '$__rate_interval', 'p')).toBe('sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/checkout/rule/0"}[$__rate_interval]))');
  });

  test('refuses a window holding fewer than two scrapes', () => {
    const check = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(45) });
    expectValidationError(() => prometheusCheckQuery(istio, canary, check, ctx, sourceProp),
      'ArgoRollout test/web: healthChecks (error-rate).window is 45 seconds: Prometheus computes a rate from the samples inside the window, and a window of 45s holds fewer than two samples '
      + 'at the scrape interval of 30s ArgoRollout test/web: metricsSource names. Use a window of at least 1m on check "error-rate", or give the metrics source the scrape interval your Prometheus uses.');
  });

  test('refuses a latency check on a custom dialect without a histogram', () => {
    const spec = MetricsSource.prometheus({
      address: 'http://prometheus:9090',
      dialect: PrometheusDialect.custom({ requests: 'http_requests_total{service="{{service}}"}', failedRequests: 'http_requests_total{service="{{service}}",code=~"{{statusCodes}}"}' }),
    })._prometheus!;
    expectValidationError(() => prometheusCheckQuery(spec, beta, latency, ctx, sourceProp),
      'ArgoRollout test/web: healthChecks (latency-p99-9) is "latency-p99-9: p99.9 above 800ms for 2 windows of 2m (50+ requests)": the custom dialect cannot measure latency: '
      + 'it names no latency histogram. Give the custom dialect latencyBuckets, or leave the latency check out.');
  });

  test('a custom dialect\'s latency in seconds is compared in seconds', () => {
    const spec = MetricsSource.prometheus({
      address: 'http://prometheus:9090',
      dialect: PrometheusDialect.custom({
        requests: 'http_requests_total{service="{{service}}"}',
        failedRequests: 'http_requests_total{service="{{service}}",code=~"{{statusCodes}}"}',
        latencyBuckets: 'http_request_duration_seconds_bucket{service="{{service}}"}',
      }),
    })._prometheus!;
    expect(prometheusCheckQuery(spec, beta, latency, ctx, sourceProp).failAbove).toBe(0.8);
  });
});

describe('CloudWatch', () => {
  const cloudWatch = MetricsSource.cloudWatch({
    loadBalancer: 'app/shop/50dc6c495c0c9188',
    targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' },
  })._cloudWatch!;
  const dimensions = [{ name: 'LoadBalancer', value: 'app/shop/50dc6c495c0c9188' }, { name: 'TargetGroup', value: 'targetgroup/web-canary/73e2d6bc24d8a067' }];
  const metric = (id: string, metricName: string, stat: string, period = 60) => ({
    id, metricStat: { metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions }, period, stat }, returnData: false,
  });

  test('an error rate as metric math over the target group\'s counts, without a data point under the minimum', () => {
    expect(cloudWatchCheckQuery(cloudWatch, canary, errorRate, ctx, sourceProp)).toEqual({
      queries: [
        metric('requests', 'RequestCount', 'Sum'),
        metric('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
        { id: 'value', expression: 'IF(requests >= 10, 100 * errors / requests)', returnData: true },
      ],
      failAbove: 1,
    });
    const both = HealthCheck.errorRate({ maxErrorPercent: 2, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, window: Duration.minutes(5) });
    expect(cloudWatchCheckQuery(cloudWatch, canary, both, ctx, sourceProp).queries).toEqual([
      metric('requests', 'RequestCount', 'Sum', 300),
      metric('errors', 'HTTPCode_Target_5XX_Count', 'Sum', 300),
      metric('client_errors', 'HTTPCode_Target_4XX_Count', 'Sum', 300),
      { id: 'value', expression: 'IF(requests >= 10, 100 * (errors + client_errors) / requests)', returnData: true },
    ]);
  });

  test('a latency as a percentile of TargetResponseTime, in seconds', () => {
    const check = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });
    expect(cloudWatchCheckQuery(cloudWatch, canary, check, ctx, sourceProp)).toEqual({
      queries: [
        metric('requests', 'RequestCount', 'Sum'),
        metric('latency', 'TargetResponseTime', 'p99'),
        { id: 'value', expression: 'IF(requests >= 10, latency)', returnData: true },
      ],
      failAbove: 0.8,
    });
  });

  test('the requests of a window', () => {
    expect(cloudWatchRequestsQuery(cloudWatch, canary, 60, ctx, sourceProp)).toEqual([{ ...metric('value', 'RequestCount', 'Sum'), returnData: true }]);
  });

  test.each<[string, () => unknown, string]>([
    ['a window that is not whole minutes', () => cloudWatchCheckQuery(cloudWatch, canary, HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(90) }), ctx, sourceProp),
      'ArgoRollout test/web: healthChecks (error-rate).window is 1 minute 30 seconds: Application Load Balancers publish their CloudWatch metrics once a minute, so a window is whole minutes. '
      + 'Use a window of 2m on check "error-rate".'],
    ['a PromQL check', () => cloudWatchCheckQuery(cloudWatch, canary, HealthCheck.prometheus({ name: 'queue', query: 'sum(q)', maxValue: 1 }), ctx, sourceProp),
      'ArgoRollout test/web: healthChecks (queue) is "queue: query above 1 for 2 windows of 1m": it is a PromQL query, and ArgoRollout test/web: metricsSource reads CloudWatch. '
      + 'Use MetricsSource.prometheus({ address, dialect }) for this rollout, or declare the check with HealthCheck.errorRate() or HealthCheck.latency().'],
    ['a target without a target group', () => cloudWatchCheckQuery(cloudWatch, { ...canary, role: 'preview' }, errorRate, ctx, sourceProp),
      'ArgoRollout test/web: metricsSource.targetGroups is "canary": ArgoRollout test/web measures the canary of web on the target group of "preview" '
      + '(the one the AWS Load Balancer Controller made for Service web-canary), and the metrics source names none for it. '
      + 'Add targetGroups: { "preview": "targetgroup/<name>/<id>" } to MetricsSource.cloudWatch().'],
    ['a target no Service reaches alone', () => cloudWatchCheckQuery(cloudWatch, { ...canary, service: undefined, noService: 'without traffic routing the canary\'s pods serve behind LiveService with the stable pods' },
      errorRate, ctx, sourceProp),
    'ArgoRollout test/web: metricsSource is "MetricsSource.cloudWatch()": a target group measures the pods of one Service, and no Service reaches the canary of web alone: '
      + 'without traffic routing the canary\'s pods serve behind LiveService with the stable pods. Route the rollout with ArgoTrafficRouting.gatewayApi() '
      + '(the canary then has a Service and a target group of its own), or use MetricsSource.prometheus() with the Istio dialect.'],
  ])('refuses %s', (_, fn, message) => {
    expectValidationError(fn, message);
  });
});

test('numbers print without exponents, durations as PromQL reads them', () => {
  expect(numberLiteral(0.0000001)).toBe('0.0000001');
  expect(numberLiteral(99.9)).toBe('99.9');
  expect(promDuration(90)).toBe('1m30s');
  expect(promDuration(3600)).toBe('1h');
});
