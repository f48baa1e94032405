import { Duration } from 'aws-cdk-lib';
import { Duration as K8sDuration, Testing } from 'cdk8s';
import { AnalysisMetric, AnalysisTemplate, PrometheusMetricProps, WebMetricProps } from '../../src/k8s';
import { ofKind, validatedManifests } from '../support/k8s';
import { metric as buildMetric, tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const prometheus: PrometheusMetricProps = {
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
  successCondition: 'result[0] >= 0.99',
};
const web: WebMetricProps = { name: 'smoke-test', url: 'https://web-preview.shop.svc/healthz', successCondition: 'result == true' };

/** The metric as rendered in an AnalysisTemplate, validated against the upstream schema. */
function rendered(metric: AnalysisMetric) {
  const chart = Testing.chart();
  new AnalysisTemplate(chart, 'Template', { name: 'analysis', metrics: [metric] });
  return ofKind(validatedManifests(chart), 'AnalysisTemplate')[0].spec.metrics[0];
}

describe('AnalysisMetric.prometheus', () => {
  test('defaults: every minute, measured at the end of each interval, the first failure fails', () => {
    const metric = AnalysisMetric.prometheus(prometheus);
    expect(metric.interval.toSeconds()).toBe(60);
    expect(metric.failureLimit).toBe(0);
    expect(metric.count).toBeUndefined();
    expect(rendered(metric)).toEqual({
      name: 'success-rate',
      interval: '1m',
      initialDelay: '1m',
      failureLimit: 0,
      successCondition: 'result[0] >= 0.99',
      provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: prometheus.query } },
    });
  });

  test('interval, count and failure limit as given, intervals as Go durations', () => {
    const metric = AnalysisMetric.prometheus({ ...prometheus, interval: Duration.seconds(90), count: 4, failureLimit: 1 });
    expect(rendered(metric)).toMatchObject({ interval: '1m30s', initialDelay: '1m30s', count: 4, failureLimit: 1 });
    expect(metric.describe()).toBe('prometheus success-rate every 1m 30s, 4 times');
    expect(rendered(AnalysisMetric.prometheus({ ...prometheus, interval: Duration.hours(1) }))).toMatchObject({ interval: '1h' });
  });

  test.each([
    ['name', { name: 'Success_Rate' }, 'AnalysisMetric.prometheus: name is "Success_Rate": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "error-rate".'],
    ['address', { address: 'prometheus:9090' }, 'AnalysisMetric.prometheus: address is "prometheus:9090": it must be an absolute http or https URL. Use a URL such as "http://prometheus.monitoring:9090".'],
    ['address scheme', { address: 'ftp://prometheus' }, 'AnalysisMetric.prometheus: address is "ftp://prometheus": it must be an absolute http or https URL. Use a URL such as "http://prometheus.monitoring:9090".'],
    ['query', { query: '  ' }, 'AnalysisMetric.prometheus: query is "  ": it must be a non-empty string. Pass a PromQL query such as "sum(rate(http_requests_total[1m]))".'],
    ['condition without result', { successCondition: 'true' }, 'AnalysisMetric.prometheus: successCondition is "true": Argo names the measurement `result`, and a condition that does not read it is always true or always false. Test the measurement, such as "result[0] >= 0.99" or "result == true".'],
    ['fractional interval', { interval: Duration.millis(1500) }, 'AnalysisMetric.prometheus: interval is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.'],
    ["cdk8s's Duration as interval", { interval: K8sDuration.seconds(30) as unknown as Duration }, "AnalysisMetric.prometheus: interval is cdk8s's Duration (30 seconds): cdk-deploy-strategies takes aws-cdk-lib's Duration, in cdk8s apps too. Import Duration from aws-cdk-lib (import { Duration } from 'aws-cdk-lib'), not from cdk8s, for every duration you give the library."],
    ['zero interval', { interval: Duration.seconds(0) }, 'AnalysisMetric.prometheus: interval is 0 seconds: it must be at least 1 second. Measure at least every second, such as Duration.minutes(1).'],
    ['zero count', { count: 0 }, 'AnalysisMetric.prometheus: count is 0: it must be a whole number from 1 to 2147483647. Use a number of measurements such as 5.'],
    ['fractional count', { count: 2.5 }, 'AnalysisMetric.prometheus: count is 2.5: it must be a whole number from 1 to 2147483647. Use a number of measurements such as 5.'],
    ['negative failure limit', { failureLimit: -1 }, 'AnalysisMetric.prometheus: failureLimit is -1: it must be a whole number from 0 to 2147483647. Use the number of failed measurements to tolerate, such as 0 or 1.'],
    ['failure limit that can never fail', { count: 3, failureLimit: 3 }, 'AnalysisMetric.prometheus: failureLimit is 3: metric "success-rate" takes 3 measurements, so tolerating 3 failures means it can never fail. Use a failure limit below 3, or take more measurements.'],
  ])('refuses a bad %s', (_, change, message) => {
    expectValidationError(() => AnalysisMetric.prometheus({ ...prometheus, ...change } as PrometheusMetricProps), message);
  });

  test('refuses props that are not an object', () => {
    expectValidationError(() => AnalysisMetric.prometheus(undefined as any),
      'AnalysisMetric.prometheus: props is undefined: it must be an object. Pass { name, address, query, successCondition }.');
  });
});

describe('AnalysisMetric.web', () => {
  test('url, JSON path and headers (as Argo\'s key/value pairs)', () => {
    const metric = AnalysisMetric.web({
      ...web, jsonPath: '{$.ok}', headers: [{ name: 'Accept', value: 'application/json' }], interval: Duration.seconds(30), count: 4,
    });
    expect(rendered(metric)).toEqual({
      name: 'smoke-test',
      interval: '30s',
      initialDelay: '30s',
      count: 4,
      failureLimit: 0,
      successCondition: 'result == true',
      provider: { web: { url: 'https://web-preview.shop.svc/healthz', jsonPath: '{$.ok}', headers: [{ key: 'Accept', value: 'application/json' }] } },
    });
    expect(metric.describe()).toBe('web smoke-test every 30s, 4 times');
  });

  test('without JSON path or headers, the whole answer is the result', () => {
    expect(rendered(AnalysisMetric.web(web)).provider).toEqual({ web: { url: 'https://web-preview.shop.svc/healthz' } });
  });

  test.each([
    ['url', { url: '/healthz' }, 'AnalysisMetric.web: url is "/healthz": it must be an absolute http or https URL. Use a URL such as "http://web-preview.shop.svc/healthz".'],
    ['JSON path', { jsonPath: '$.ok' }, 'AnalysisMetric.web: jsonPath is "$.ok": Argo reads the field with a Kubernetes JSONPath template, written in braces. Use a template such as "{$.data.ok}", or leave jsonPath out to test the whole answer.'],
    ['header name', { headers: [{ name: 'X Env', value: 'a' }] }, 'AnalysisMetric.web: headers[0].name is "X Env": a header name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~). Use a header name such as "Accept".'],
    ['header value', { headers: [{ name: 'X-Env', value: 'a\nb' }] }, 'AnalysisMetric.web: headers[0].value is "a\\nb": a header value is non-empty visible text, without line breaks or surrounding spaces. Pass the value as the endpoint expects it, such as "application/json".'],
    ['headers', { headers: { name: 'a' } }, 'AnalysisMetric.web: headers is an object: it must be an array. Pass headers such as [{ name: "Accept", value: "application/json" }].'],
  ])('refuses a bad %s', (_, change, message) => {
    expectValidationError(() => AnalysisMetric.web({ ...web, ...change } as WebMetricProps), message);
  });
});

describe('random props', () => {
  const propsArb = tidyOrNot(a => a.metric());

  test('either render a valid metric with the interval, count and failure limit given, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, m => {
      const built = buildMetric(m);
      const out = rendered(built);
      expect(out.name).toBe(m.props.name);
      expect(out.count).toBe(m.props.count);
      expect(out.failureLimit).toBe(m.props.failureLimit ?? 0);
      // A Go duration, measured at the end of each interval.
      expect(out.interval).toMatch(/^(\d+h)?(\d+m)?(\d+s)?$/);
      expect(out.initialDelay).toBe(out.interval);
      expect(built.interval.toSeconds()).toBe(m.props.interval?.toSeconds() ?? 60);
    }, { quickRuns: 30 });
  });
});
