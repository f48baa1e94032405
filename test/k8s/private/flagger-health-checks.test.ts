import { Duration } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { FailedRequests, HealthCheck } from '../../../src';
import { MetricsSource, PrometheusDialect } from '../../../src/k8s';
import { RenderedFlaggerChecks, renderFlaggerChecks, syncMetricTemplates } from '../../../src/k8s/private/flagger-health-checks';
import { MeasuredTarget, QueryContext } from '../../../src/k8s/private/health-check-queries';
import { ofKind, validatedManifests } from '../../support/k8s';
import { expectValidationError } from '../../support/validation-error';

const where = 'FlaggerCanary test/web';
const ctx: QueryContext = { where, checkProp: check => `${where}: healthChecks (${check.name})` };
const target: MeasuredTarget = { description: 'the canary of web', role: 'canary', namespace: 'shop', app: 'web', version: '1.4.2', service: 'web-canary' };
const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
const base = { where, subject: 'rollout', appName: 'web', namespace: 'shop', source: istio, ctx, target, intervalSeconds: 300, intervalSource: 'the steps', builtinNames: [] };

test('no checks render nothing, and ask for no threshold', () => {
  expect(renderFlaggerChecks({ ...base, checks: [], source: undefined })).toEqual({ templates: [], metrics: [] });
});

test('a check with both bounds becomes a threshold range with both, and a window in seconds is written in seconds', () => {
  const band = HealthCheck.prometheus({ name: 'saturation', query: 'avg(cpu{namespace="{{ namespace }}"})', maxValue: 0.9, minValue: 0.1, window: Duration.seconds(90), failingWindows: 1 });
  const rendered = renderFlaggerChecks({ ...base, checks: [band] });
  expect(rendered).toEqual({
    templates: [{
      id: 'MetricTemplate-saturation',
      name: 'web-saturation',
      spec: { provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' }, query: 'avg(cpu{namespace="{{ namespace }}"})' },
    }],
    metrics: [{ name: 'saturation', interval: '90s', thresholdRange: { min: 0.1, max: 0.9 }, templateRef: { name: 'web-saturation' } }],
    threshold: 1,
  });
});

test('a window of exactly the interval is accepted; Flagger then judges back-to-back windows', () => {
  const check = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.minutes(5) });
  expect(renderFlaggerChecks({ ...base, checks: [check] }).metrics[0].interval).toBe('5m');
});

test('a CloudWatch query is a JSON array of GetMetricData queries in the AWS API\'s field names, the error rate with 4xx too when asked', () => {
  const source = MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } });
  const check = HealthCheck.errorRate({ maxErrorPercent: 2, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, minimumRequests: 0 });
  const [template] = renderFlaggerChecks({ ...base, source, checks: [check] }).templates;
  const queries = JSON.parse(template.spec.query);
  expect(queries.map((q: any) => [q.Id, q.MetricStat?.Metric.MetricName ?? q.Expression, q.ReturnData]))
    .toEqual([
      ['requests', 'RequestCount', false],
      ['errors', 'HTTPCode_Target_5XX_Count', false],
      ['client_errors', 'HTTPCode_Target_4XX_Count', false],
      ['value', 'IF(requests >= 1, 100 * (errors + client_errors) / requests)', true],
    ]);
  expect(Object.keys(queries[0]).sort()).toEqual(['Id', 'MetricStat', 'ReturnData']);
});

test('a user\'s query may use Flagger\'s template variables, not others', () => {
  const ok = HealthCheck.prometheus({ name: 'q', query: 'sum(rate(x{ns="{{namespace}}",w=~"{{ target }}"}[{{ interval }}]))', maxValue: 1 });
  expect(renderFlaggerChecks({ ...base, checks: [ok] }).templates).toHaveLength(1);
  const bad = HealthCheck.prometheus({ name: 'q', query: 'sum(x{v="{{ variables.version }}"})', maxValue: 1 });
  expectValidationError(() => renderFlaggerChecks({ ...base, checks: [bad] }),
    `${where}: healthChecks (q) is "q: query above 1 for 2 windows of 1m": Flagger renders a MetricTemplate's query as a Go template before running it, and {{ variables.version }} is none of its variables `
    + '({{ name }}, {{ namespace }}, {{ target }}, {{ service }}, {{ ingress }}, {{ route }}, {{ interval }}), so every check would fail. Use one of those variables, or write the value itself.');
});

test('syncMetricTemplates creates each template once, whose spec follows the latest rendering', () => {
  const chart = Testing.chart();
  let rendered: RenderedFlaggerChecks = renderFlaggerChecks({ ...base, checks: [HealthCheck.errorRate({ maxErrorPercent: 1 })] });
  expect(syncMetricTemplates(chart, 'web', () => rendered).map(t => t.name)).toEqual(['web-error-rate']);
  rendered = renderFlaggerChecks({ ...base, checks: [HealthCheck.errorRate({ maxErrorPercent: 5 })] });
  syncMetricTemplates(chart, 'web', () => rendered);
  const templates = ofKind(validatedManifests(chart), 'MetricTemplate');
  expect(templates).toHaveLength(1);
  expect(templates[0].spec.query).toContain('response_code=~"5.."');
  expect(templates[0].metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
});
