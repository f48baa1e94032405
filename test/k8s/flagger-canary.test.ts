import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { FailedRequests, HealthCheck, Match, StepGate, Strategy, guardrails } from '../../src';
import { Release } from '../../src/core/release';
import {
  ArgoRollout, ArgoTrafficRouting, AnalysisMetric, AnalysisTemplate, FlaggerCanary, FlaggerCanaryProps, FlaggerMetric, KubernetesRelease,
  MetricsSource, PrometheusDialect,
} from '../../src/k8s';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { healthChecksArb } from '../support/arbitraries';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses, expectCleanOutput } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'FlaggerCanary test/web';
const revision = { containers: [{ image: 'registry.example.com/web:1.4.2', portNumber: 8080 }], version: '1.4.2' };
const gateway = { name: 'public-gateway', namespace: 'gateways' };
const errorRate = { name: 'error-rate', metrics: [FlaggerMetric.requestSuccessRate({ minPercent: 99 })] };
const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const analysis = (name: string, minutes: number) => StepGate.analysis({ name, duration: Duration.minutes(minutes) });

function render(props: Partial<FlaggerCanaryProps> & Pick<FlaggerCanaryProps, 'strategy'>, namespace?: string) {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace });
  const construct = new FlaggerCanary(chart, 'web', { revision, gateway, ...props });
  const objects = validatedManifests(chart);
  return { construct, objects, canary: ofKind(objects, 'Canary')[0], deployment: ofKind(objects, 'Deployment')[0] };
}

describe('a canary', () => {
  // The last weight held one interval, then a person: Flagger's own timeline for a promotion gate.
  const strategy = Strategy.canary({
    steps: [
      { weight: 5, gate: analysis('error-rate', 5) },
      { weight: 25, gate: bake(5) },
      { weight: 50, gate: bake(5) },
      { weight: 50, gate: StepGate.manualApproval() },
    ],
  });

  test('becomes stepWeights held one interval each, the analysis\'s metrics and a promotion gate on the load tester', () => {
    const { canary } = render({ strategy, analyses: [errorRate] }, 'shop');
    expect(canary.metadata.name).toBe('web');
    expect(canary.spec).toEqual({
      provider: 'gatewayapi:v1',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      service: { port: 80, targetPort: 8080, gatewayRefs: [gateway] },
      analysis: {
        interval: '5m',
        threshold: 1,
        stepWeights: [5, 25, 50],
        metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }],
        webhooks: [{ name: 'manual-approval', type: 'confirm-promotion', url: 'http://flagger-loadtester.shop/gate/check' }],
      },
    });
  });

  test('targets a cdk8s-plus Deployment named after the application, selected by its name label alone, with secure defaults', () => {
    const { deployment } = render({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, replicas: 4 });
    expect(deployment.metadata).toMatchObject({ name: 'web', labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': '1.4.2' } });
    expect(deployment.spec.replicas).toBe(4);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(deployment.spec.template.spec.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
  });

  test('records the plan on the Canary, at 200% capacity: Flagger runs the canary at full size beside the primary', () => {
    const { construct, canary } = render({ strategy, analyses: [errorRate] });
    const recorded = JSON.parse(canary.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.controller).toBe('Flagger: stepWeights 5, 25, 50 every 5m, then a promotion gate');
    expect(recorded.plan.steps.map((s: any) => [s.offsetSeconds, s.candidateWeight])).toEqual([[0, 5], [300, 25], [600, 50], [900, 50], [900, 100]]);
    expect(construct.plan.peakCapacityPercent).toBe(200);
    expect(construct.plan.rollbackTime.toSeconds()).toBe(0);
    expect(construct.interval.toSeconds()).toBe(300);
    expect(construct.canaryName).toBe('web');
  });

  test('a linear strategy becomes stepWeight and maxWeight', () => {
    const { canary } = render({ strategy: Strategy.linear({ stepPercent: 30, interval: Duration.seconds(90) }) });
    expect(canary.spec.analysis).toEqual({ interval: '90s', threshold: 1, stepWeight: 30, maxWeight: 90 });
    expect(JSON.parse(canary.metadata.annotations[PLAN_ANNOTATION]).controller).toBe('Flagger: stepWeight 30 to maxWeight 90 every 90s');
  });

  test('a hold at 100% becomes a last step weight of 100, before the promotion', () => {
    const { canary } = render({ strategy: Strategy.canary({ steps: [{ weight: 20, gate: bake(2) }, { weight: 100, gate: bake(2) }] }) });
    expect(canary.spec.analysis.stepWeights).toEqual([20, 100]);
  });

  test('host names, a listener, a port, a threshold and a load tester of your own', () => {
    const { canary } = render({
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(0.5) }, { weight: 10, gate: StepGate.manualApproval() }] }),
      gateway: { name: 'public', sectionName: 'https' },
      hostnames: ['shop.example.com'],
      port: 8080,
      threshold: 3,
      loadTester: 'http://tester.ops:8080',
    });
    expect(canary.spec.service).toEqual({ port: 8080, targetPort: 8080, gatewayRefs: [{ name: 'public', sectionName: 'https' }], hosts: ['shop.example.com'] });
    expect(canary.spec.analysis).toMatchObject({ interval: '30s', threshold: 3, webhooks: [{ url: 'http://tester.ops:8080/gate/check' }] });
  });

  test('two analyses that share a check list it once', () => {
    const latency = { name: 'latency', metrics: [FlaggerMetric.requestSuccessRate({ minPercent: 99 }), FlaggerMetric.requestDuration({ maxP99: Duration.millis(300) })] };
    const { canary } = render({
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 1) }, { weight: 50, gate: analysis('latency', 1) }] }),
      analyses: [errorRate, latency],
    });
    expect(canary.spec.analysis.metrics.map((m: any) => m.name)).toEqual(['request-success-rate', 'request-duration']);
  });
});

describe('health checks', () => {
  const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
  const errorRateCheck = HealthCheck.errorRate({ maxErrorPercent: 1 });
  const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });
  const house = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(5) }], healthChecks: [errorRateCheck, p99] });
  // Istio tells the canary apart by its pods' canonical service (Flagger relabels the primary's "web-primary") and revision.
  const canaryLabels = 'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="web",destination_canonical_revision="1.4.2"';

  test('become one MetricTemplate per check, on the canary, which the analysis references with the check\'s bound, window and failingWindows', () => {
    const { canary, objects, construct } = render({ strategy: house, metricsSource: istio }, 'shop');
    expect(canary.spec.analysis).toEqual({
      interval: '5m',
      threshold: 2,
      stepWeights: [10, 50],
      metrics: [
        { name: 'error-rate', interval: '1m', thresholdRange: { max: 1 }, templateRef: { name: 'web-error-rate' } },
        { name: 'latency-p99', interval: '1m', thresholdRange: { max: 800 }, templateRef: { name: 'web-latency-p99' } },
      ],
    });
    const templates = ofKind(objects, 'MetricTemplate');
    expect(templates.map(t => t.metadata)).toEqual([
      { name: 'web-error-rate', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
      { name: 'web-latency-p99', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
    ]);
    const enough = ` and on() (sum(increase(istio_requests_total{${canaryLabels}}[1m])) >= 10)`;
    expect(templates.map(t => t.spec)).toEqual([
      {
        provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' },
        query: `100 * (sum(increase(istio_requests_total{${canaryLabels},response_code=~"5.."}[1m])) or vector(0)) / sum(increase(istio_requests_total{${canaryLabels}}[1m]))${enough}`,
      },
      {
        provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' },
        query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${canaryLabels}}[1m])))${enough}`,
      },
    ]);
    expect(construct.healthCheckTemplates.map(t => t.name)).toEqual(['web-error-rate', 'web-latency-p99']);
    // The plan lists the checks watching each step, as the plan command prints them.
    const recorded = JSON.parse(canary.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.plan.steps.map((s: any) => s.watchedBy)).toEqual([['error-rate', 'latency-p99'], ['error-rate', 'latency-p99'], undefined]);
  });

  test('without a version, Istio measures the canary by the Service <name>-canary; a custom dialect by its placeholders', () => {
    const unversioned = { containers: revision.containers };
    const { objects } = render({ strategy: house, revision: unversioned, healthChecks: [errorRateCheck], metricsSource: istio }, 'shop');
    expect(ofKind(objects, 'MetricTemplate')[0].spec.query).toContain('istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="web-canary"}');
    const custom = MetricsSource.prometheus({
      address: 'http://prometheus:9090',
      dialect: PrometheusDialect.custom({
        requests: 'http_requests_total{namespace="{{namespace}}",app="{{app}}",version="{{version}}"}',
        failedRequests: 'http_requests_total{namespace="{{namespace}}",app="{{app}}",version="{{version}}",code=~"{{statusCodes}}"}',
      }),
    });
    const second = render({ strategy: house, healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 2, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, minimumRequests: 0 })], metricsSource: custom }, 'shop');
    expect(ofKind(second.objects, 'MetricTemplate')[0].spec.query).toBe('100 * (sum(increase(http_requests_total{namespace="shop",app="web",version="1.4.2",code=~"[45].."}[1m])) or vector(0)) '
      + '/ sum(increase(http_requests_total{namespace="shop",app="web",version="1.4.2"}[1m])) and on() (sum(increase(http_requests_total{namespace="shop",app="web",version="1.4.2"}[1m])) >= 1)');
  });

  test('CloudWatch: the canary target group\'s metric math as GetMetricData queries in the AWS API\'s field names, in the source\'s Region', () => {
    const cloudWatch = MetricsSource.cloudWatch({
      loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' },
    });
    const { objects, canary } = render({ strategy: house, healthChecks: [p99], metricsSource: cloudWatch });
    const template = ofKind(objects, 'MetricTemplate')[0];
    expect(template.spec.provider).toEqual({ type: 'cloudwatch', region: 'eu-west-1' });
    const metric = (id: string, name: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: name,
          Dimensions: [{ Name: 'LoadBalancer', Value: 'app/shop/50dc6c495c0c9188' }, { Name: 'TargetGroup', Value: 'targetgroup/web-canary/73e2d6bc24d8a067' }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: false,
    });
    expect(JSON.parse(template.spec.query)).toEqual([
      metric('requests', 'RequestCount', 'Sum'),
      metric('latency', 'TargetResponseTime', 'p99'),
      { Id: 'value', Expression: 'IF(requests >= 10, latency)', ReturnData: true },
    ]);
    // TargetResponseTime is in seconds.
    expect(canary.spec.analysis.metrics).toEqual([{ name: 'latency-p99', interval: '1m', thresholdRange: { max: 0.8 }, templateRef: { name: 'web-latency-p99' } }]);
  });

  test('join the analyses\' built-in checks, replace the strategy\'s, and follow addHealthCheck', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 2) }], healthChecks: [p99] });
    const { construct, canary } = render({ strategy, analyses: [errorRate], healthChecks: [errorRateCheck], metricsSource: istio }, 'shop');
    expect(canary.spec.analysis.metrics.map((m: any) => m.name)).toEqual(['request-success-rate', 'error-rate']);
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const web = new FlaggerCanary(chart, 'web', { revision, gateway, strategy: Strategy.CANARY_10PERCENT_5MINUTES, metricsSource: istio });
    expect(web.plan.steps[0].watchedBy).toBeUndefined();
    web.addHealthCheck(HealthCheck.prometheus({ name: 'queue', query: 'max(queue_depth{namespace="{{ namespace }}"})', maxValue: 100, failingWindows: 3 }));
    const objects = validatedManifests(chart);
    expect(ofKind(objects, 'MetricTemplate').map(t => t.spec.query)).toEqual(['max(queue_depth{namespace="{{ namespace }}"})']);
    expect(ofKind(objects, 'Canary')[0].spec.analysis).toMatchObject({ threshold: 3, metrics: [{ name: 'queue', interval: '1m', thresholdRange: { max: 100 } }] });
    expect(web.plan.steps[0].watchedBy).toEqual(['queue']);
    expect(JSON.parse(ofKind(objects, 'Canary')[0].metadata.annotations[PLAN_ANNOTATION]).plan.steps[0].watchedBy).toEqual(['queue']);
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate']);
    expectValidationError(() => web.addHealthCheck(HealthCheck.prometheus({ name: 'queue', query: 'x', maxValue: 1 })),
      'FlaggerCanary test/web: addHealthCheck.name is "queue": the rollout has a health check named "queue" already, and a name picks one MetricTemplate. Give the check another name with the name option, such as "latency-p99-strict".');
    // A refused check leaves the rollout as it was.
    expectValidationError(() => web.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 1, failingWindows: 2 })),
      'FlaggerCanary test/web: addHealthCheck (error-rate).failingWindows is 2: Flagger counts the failed checks of the whole analysis against one threshold, and health check "queue" (FlaggerCanary test/web: addHealthCheck (queue)) rolls back after 3. '
      + 'Give every check the same failingWindows, such as 3, or use ArgoRollout, which counts each check\'s failures apart.');
    expect(web.plan.steps[0].watchedBy).toEqual(['queue']);
    expect(ofKind(validatedManifests(chart), 'MetricTemplate')).toHaveLength(1);
  });

  test('what Flagger cannot measure is refused', () => {
    const strategy = house;
    expectValidationError(() => render({ strategy }, 'shop'),
      `${where}: metricsSource is undefined: the rollout has health checks (error-rate, latency-p99), and Flagger measures them only through a metrics source, as MetricTemplates. `
      + 'Pass metricsSource: MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }) or MetricsSource.cloudWatch({ ..., region }), or healthChecks: [] to render none.');
    expectValidationError(() => render({ strategy, metricsSource: istio }),
      `${where}: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Istio)": Prometheus queries select the canary's metrics by namespace, and the chart has no namespace (the manifests go to whatever namespace kubectl uses). `
      + 'Create the rollout in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).');
    expectValidationError(() => render({
      strategy, metricsSource: MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } }),
    }), `${where}: metricsSource is "CloudWatch (load balancer app/shop/50dc6c495c0c9188)": Flagger's CloudWatch provider reads the Region from each MetricTemplate (provider.region, which it requires), and the metrics source names none. `
      + 'Pass region: "eu-west-1" (the Region of the load balancer) to MetricsSource.cloudWatch().');
    expectValidationError(() => render({
      strategy, metricsSource: MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.envoyGateway() }),
    }, 'shop'), `${where}: metricsSource is "Prometheus http://prometheus:9090 (Envoy Gateway)": the Envoy Gateway dialect cannot measure the canary of web (Deployment web) alone: `
      + 'Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and Flagger writes the HTTPRoute web itself, with the primary and canary Services in one rule, and moves the weights inside it. '
      + 'Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().');
    expectValidationError(() => render({ strategy, healthChecks: [errorRateCheck, HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800), failingWindows: 3 })], metricsSource: istio }, 'shop'),
      `${where}: healthChecks[1].failingWindows is 3: Flagger counts the failed checks of the whole analysis against one threshold, and health check "error-rate" (${where}: healthChecks[0]) rolls back after 2. `
      + 'Give every check the same failingWindows, such as 2, or use ArgoRollout, which counts each check\'s failures apart.');
    expectValidationError(() => render({ strategy, threshold: 1, metricsSource: istio }, 'shop'),
      `${where}: threshold is 1: the health checks (error-rate, latency-p99) roll back after 2 failing windows, and Flagger's threshold is that count: one limit of failed checks for the whole analysis. `
      + 'Leave threshold out (it follows the checks\' failingWindows), or give the checks failingWindows: 1.');
    expectValidationError(() => render({ strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(2) }] }), healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.minutes(3) })], metricsSource: istio }, 'shop'),
      `${where}: healthChecks[0].window is 3 minutes: Flagger runs the check once per analysis interval of 2m (every step of the strategy holds it), over the window before it, so a window of 3m overlaps the next check's and counts one bad stretch of requests more than once toward failingWindows. `
      + 'Use a window of at most 2m on check "error-rate".');
    expectValidationError(() => render({
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 5) }] }),
      analyses: [errorRate],
      healthChecks: [HealthCheck.prometheus({ name: 'request-success-rate', query: 'x', minValue: 99 })],
      metricsSource: istio,
    }, 'shop'), `${where}: healthChecks[0].name is "request-success-rate": the analysis runs Flagger's built-in check "request-success-rate" already, and a name picks one metric of the analysis. `
      + 'Give the health check another name with the name option, such as "request-success-rate-p".');
    expectValidationError(() => render({ strategy, healthChecks: [HealthCheck.prometheus({ name: 'queue', query: 'max(queue{app="{{args.app}}"})', maxValue: 1 })], metricsSource: istio }, 'shop'),
      `${where}: healthChecks[0] is "queue: query above 1 for 2 windows of 1m": Flagger renders a MetricTemplate's query as a Go template before running it, and {{args.app}} is none of its variables `
      + '({{ name }}, {{ namespace }}, {{ target }}, {{ service }}, {{ ingress }}, {{ route }}, {{ interval }}), so every check would fail. Use one of those variables, or write the value itself.');
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ promotion: bake(10), bakeTime: Duration.minutes(5), healthChecks: [errorRateCheck] }), metricsSource: istio }, 'shop'),
      `${where}: strategy.healthChecks[0] (error-rate) is "error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)": Flagger runs the analysis metrics at every iteration of a blue-green, while the new version has no production traffic (Flagger's blue-green routes no test requests), so a window without requests returns nothing and counts as a failed check. `
      + 'Use ArgoRollout, whose post-promotion analysis measures the bake after the switch, or a canary strategy, or healthChecks: [] and a load tester webhook that tests the new version.');
  });

  test('count as a rollback trigger and a measurement of the rollout in the guardrails', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    new FlaggerCanary(chart, 'web', { revision, gateway, strategy: house, metricsSource: istio });
    new FlaggerCanary(chart, 'api', { revision, gateway, strategy: Strategy.CANARY_10PERCENT_5MINUTES });
    const report = guardrails.Guardrails.report(app, guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule()));
    expect(report.findings.filter(f => f.ruleId === 'CDS-R1').map(f => f.path)).toEqual(['test/api']);
    expect(report.findings.filter(f => f.ruleId === 'CDS-R8').map(f => f.path)).toEqual(['test/api']);
  });
});

describe('a blue-green', () => {
  test('becomes iterations of the bake time, then one switched interval', () => {
    const { canary, construct } = render({
      strategy: Strategy.blueGreen({ promotion: analysis('error-rate', 15), bakeTime: Duration.minutes(5) }), analyses: [errorRate],
    });
    expect(canary.spec.analysis).toEqual({
      interval: '5m', threshold: 1, iterations: 3, metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }],
    });
    expect(construct.plan.steps.map(s => [s.offset.toSeconds(), s.candidateWeight])).toEqual([[0, 0], [900, 100]]);
    expect(JSON.parse(canary.metadata.annotations[PLAN_ANNOTATION]).controller).toBe('Flagger: 3 iterations of 5m, then 100% for 5m');
  });

  test('a bake promotion becomes iterations too', () => {
    const { canary } = render({ strategy: Strategy.blueGreen({ promotion: bake(4), bakeTime: Duration.minutes(2) }) });
    expect(canary.spec.analysis).toEqual({ interval: '2m', threshold: 1, iterations: 2 });
  });
});

describe('guardrails and releases', () => {
  test('an analysis is a rollback trigger; without one the recommended pack flags the canary', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new FlaggerCanary(chart, 'web', { revision, gateway, strategy: Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 5) }] }), analyses: [errorRate] });
    new FlaggerCanary(chart, 'api', { revision, gateway, strategy: Strategy.CANARY_10PERCENT_5MINUTES });
    const report = guardrails.Guardrails.report(app, guardrails.GuardrailPack.recommended());
    expect(report.findings.filter(f => f.ruleId === 'CDS-R1').map(f => f.path)).toEqual(['test/api']);
  });

  test('a KubernetesRelease puts a FlaggerCanary in its wave and records itself on the Canary', () => {
    const chart = Testing.chart();
    const strategy = Strategy.CANARY_10PERCENT_5MINUTES;
    const release = new Release({ name: 'shop', services: [{ name: 'web', version: '1.4.2', strategy }] });
    const web = new FlaggerCanary(chart, 'web', { revision, gateway, strategy });
    new KubernetesRelease(chart, 'shop', { release, services: { web } });
    const canary = ofKind(validatedManifests(chart), 'Canary')[0];
    expect(canary.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
    expect(JSON.parse(canary.metadata.annotations['cdk-deploy-strategies.dev/release'])).toMatchObject({ service: 'web', state: 'released' });
  });
});

describe('one house strategy, on Argo Rollouts and on Flagger', () => {
  const house = [
    Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 5) }, { weight: 50, gate: analysis('error-rate', 5) }] }),
    Strategy.CANARY_10PERCENT_15MINUTES,
    Strategy.LINEAR_10PERCENT_EVERY_3MINUTES,
    Strategy.canary({ steps: [{ weight: 5, gate: bake(10) }, { weight: 50, gate: bake(10) }, { weight: 50, gate: StepGate.manualApproval() }] }),
    Strategy.blueGreen({ promotion: bake(20), bakeTime: Duration.minutes(10) }),
  ];

  test.each(house.map(s => [s.describe(), s]))('%s: the recorded plans agree on every step, duration and approval; only capacity differs', (_, strategy) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const template = new AnalysisTemplate(chart, 'ErrorRate', {
      name: 'error-rate',
      metrics: [AnalysisMetric.prometheus({ name: 'success-rate', address: 'http://prometheus:9090', query: 'up', successCondition: 'result[0] >= 0.99' })],
    });
    const routing = ArgoTrafficRouting.gatewayApi({ gateway });
    const argo = new ArgoRollout(chart, 'argo', { strategy, revision, trafficRouting: routing, analysisTemplates: [template] });
    const analyses = strategy.steps.some(s => s.gate?.analysisName) ? [errorRate] : undefined;
    const flagger = new FlaggerCanary(chart, 'flagger', { strategy, revision, gateway, analyses });
    const objects = validatedManifests(chart);
    const [argoPlan, flaggerPlan] = [ofKind(objects, 'Rollout')[0], ofKind(objects, 'Canary')[0]]
      .map(o => JSON.parse(o.metadata.annotations[PLAN_ANNOTATION]));
    expect(argoPlan.controller).toBe('Argo Rollouts');
    expect(flaggerPlan.controller).toMatch(/^Flagger: /);
    // Capacity is where they differ: Argo scales the canary to its share, Flagger runs it at full size.
    const timeline = (p: any) => ({
      ...p,
      capacity: undefined,
      replicas: undefined,
      peakCapacityPercent: undefined,
      steps: p.steps.map((s: any) => ({ ...s, capacityPercent: undefined })),
    });
    expect(timeline(flaggerPlan.plan)).toEqual(timeline(argoPlan.plan));
    expect(flaggerPlan.plan.steps.length).toBe(strategy.steps.length);
    expect(flagger.plan.strategy).toBe(argo.plan.strategy);
  });
});

describe('what Flagger cannot express is refused', () => {
  test('steps held for different times', () => {
    expectValidationError(() => render({ strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(10) }] }) }),
      `${where}: strategy.steps[1].gate is "bake 10m": Flagger holds every step for one analysis interval, and step 1 holds 5m (bake 5m) while step 2 holds 10m. Give every step the same bake or analysis time, such as 5m (a longer hold becomes several steps), or use ArgoRollout, whose steps each pause for their own time.`);
  });

  test('fractional weights', () => {
    expectValidationError(() => render({ strategy: Strategy.canary({ steps: [{ weight: 12.5, gate: bake(5) }] }) }),
      `${where}: strategy.steps[0].weight is 12.5: Flagger's step weights are whole percentages from 1 to 100. Use 12 or 13 in the strategy.`);
  });

  test('two steps at one weight, which would stall Flagger (but for a last weight held one interval, then by a person)', () => {
    expectValidationError(() => render({
      strategy: Strategy.canary({
        steps: [{ weight: 10, gate: bake(5) }, { weight: 10, gate: bake(5) }],
      }),
    }),
    `${where}: strategy.steps[1].weight is 10: step 1 holds 10% too, and Flagger moves to the next weight at every interval: a step that adds no traffic stalls it (its next step weight is 0). Merge steps 1 and 2 into one, or use ArgoRollout, whose steps may repeat a weight.`);
  });

  test('a manual approval before the last step, or with a timeout', () => {
    expectValidationError(() => render({
      strategy: Strategy.canary({
        steps: [{ weight: 10, gate: StepGate.manualApproval() }, {
          weight: 50,
          gate: bake(5),
        }],
      }),
    }),
    `${where}: strategy.steps[0].gate is "manual approval": Flagger holds a rollout for a person only before the promotion (its confirm-promotion webhook); its confirm-traffic-increase webhook asks before every weight increase, the first one included, and the load tester's gate stays open once opened, so it cannot hold one step alone. Put the manual approval on the last step before 100%, or use ArgoRollout, which pauses any step for a person.`);
    expectValidationError(() => render({
      strategy: Strategy.canary({
        steps: [{
          weight: 10,
          gate: StepGate.manualApproval({ timeout: Duration.hours(1) }),
        }],
      }),
    }),
    `${where}: strategy.steps[0].gate is "manual approval (timeout 1h)": Flagger's promotion gate has no timeout: it asks the load tester at every interval for as long as it takes. Use StepGate.manualApproval() without a timeout; to give up on a release, roll it back with the load tester's rollback gate or a new revision.`);
  });

  test('all at once', () => {
    expectValidationError(() => render({ strategy: Strategy.ALL_AT_ONCE }),
      `${where}: strategy is "all at once": Flagger releases every revision through an analysis; it has no all-at-once release that something watches. Use a canary such as Strategy.CANARY_10PERCENT_5MINUTES, or a plain cdk8s-plus Deployment for an all-at-once release.`);
  });

  test('a blue-green test route: Flagger routes headers only in its A/B flow, which does not switch', () => {
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), promotion: bake(5) }) }),
      `${where}: strategy.testRoute is "header x-env=green": Flagger routes requests by header only in its A/B flow (analysis.match), which ends by updating the primary Deployment in place, a rolling update rather than one switch, and keeps no old version to switch back to; its blue-green flow, which switches, routes no test requests. Remove the test route and test the new version through the <name>-canary Service Flagger creates (load tester webhooks can drive it), or use ArgoRollout with ArgoTrafficRouting.gatewayApi(), which sends the test route to the preview Service.`);
  });

  test('a blue-green without a promotion gate, with a bake time of zero, or a promotion that is not whole intervals', () => {
    expectValidationError(() => render({ strategy: Strategy.BLUE_GREEN }),
      `${where}: strategy.promotion is undefined: Flagger runs a blue-green for at least one iteration of its analysis interval (here the bake time, 5m) before the switch, and the strategy switches at once. Give the strategy a promotion gate of a whole number of intervals, such as promotion: StepGate.bake(Duration.seconds(300)), or use ArgoRollout.`);
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ promotion: bake(5), bakeTime: Duration.seconds(0) }) }),
      `${where}: strategy.bakeTime is 0 seconds: Flagger keeps the old version for one analysis interval after the switch, so the bake time is the interval, which is at least a second. Use a bake time of at least Duration.seconds(1), such as Duration.minutes(5).`);
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ promotion: bake(7), bakeTime: Duration.minutes(5) }) }),
      `${where}: strategy.promotion is "bake 7m": Flagger holds a blue-green for a whole number of iterations of its analysis interval, the bake time of 5m, and 7m is not one. Use a promotion gate of 5m or 10m, or a bake time that divides 7m.`);
  });

  test('a manual approval counted from the start of its step, which Flagger holds one interval first', () => {
    const lone = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: StepGate.manualApproval() }] });
    expectValidationError(() => render({ strategy: lone }),
      `${where}: strategy.steps[1].gate is "manual approval": Flagger asks its promotion gate only at the end of an analysis interval at the last weight, `
      + 'so 50% is held one interval before the approval counts, and the strategy counts the approval from the start of the step. '
      + 'Hold the weight one interval first, as Flagger does: { weight: 50, gate: StepGate.bake(<the steps\' time>) }, then { weight: 50, gate: StepGate.manualApproval() }; '
      + 'or use ArgoRollout, whose pause waits for the approval alone.');
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ promotion: StepGate.manualApproval(), bakeTime: Duration.minutes(2) }) }),
      `${where}: strategy.promotion is "manual approval": Flagger asks its promotion gate only after at least one iteration of its analysis interval (here the bake time, 2m), `
      + 'and the strategy counts the approval from the start, which a blue-green\'s single promotion gate cannot say otherwise. '
      + 'Promote after a bake or an analysis of a whole number of intervals, such as promotion: StepGate.bake(Duration.seconds(120)), or use ArgoRollout, whose blue-green waits for the approval alone.');
  });

  test('an analysis no gate names, one a gate names that was not passed, and two analyses that check one metric differently', () => {
    expectValidationError(() => render({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, analyses: [errorRate] }),
      `${where}: analyses[0] is "error-rate": no analysis gate of the strategy (canary 10% (bake 5m) → 100%) names it, so Flagger would never run it. Remove it, or name it in a gate: StepGate.analysis({ name: "error-rate", duration }).`);
    expectValidationError(() => render({ strategy: Strategy.canary({ steps: [{ weight: 10, gate: analysis('latency', 5) }] }) }),
      `${where}: strategy's analysis gate is "latency": it names the analysis "latency", and no analyses were passed. Pass { name: "latency", metrics: [FlaggerMetric.requestSuccessRate()] } in ${where}'s analyses.`);
    const strict = { name: 'strict', metrics: [FlaggerMetric.requestSuccessRate({ minPercent: 99.9 })] };
    expectValidationError(() => render({
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 5) }, { weight: 50, gate: analysis('strict', 5) }] }), analyses: [errorRate, strict],
    }), `${where}: strategy's analysis gate is "strict": analysis "strict" checks request-success-rate ≥ 99.9% over 1m, and another analysis the rollout runs checks request-success-rate ≥ 99% over 1m: Flagger runs one analysis, every check at every interval, so each check is listed once. Give the two analyses the same check, or keep the check in one of them.`);
  });

  test('a name Flagger cannot suffix, a threshold, a load tester and analyses that are not what they should be', () => {
    const strategy = Strategy.CANARY_10PERCENT_5MINUTES;
    expectValidationError(() => render({ strategy, name: 'a'.repeat(56) }),
      `${where}: name is "${'a'.repeat(56)}": Flagger names its Services after it ("<name>-primary", "<name>-canary"), and a Service name is a DNS-1035 label: so 1-55 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit. Use a name such as "web".`);
    expectValidationError(() => render({ strategy, threshold: 0 }),
      `${where}: threshold is 0: it is the number of failed checks that rolls the rollout back, a whole number from 1 to 1000. Use 1 to roll back on the first failed check, or a few more to ride out a blip.`);
    expectValidationError(() => render({ strategy, loadTester: 'ftp://tester' }),
      `${where}: loadTester is "ftp://tester": it is the base URL of Flagger's load tester, an http or https URL without a query. Use a URL such as "http://flagger-loadtester.shop/".`);
    expectValidationError(() => render({ strategy, analyses: [errorRate, errorRate] }),
      `${where}: analyses[1].name is "error-rate": two analyses have this name, and a gate names one analysis. Pass each analysis once, with distinct names.`);
    expectValidationError(() => render({ strategy, analyses: [{ name: 'error-rate', metrics: [] }] }),
      `${where}: analyses[0].metrics is an empty array: an analysis needs at least one metric. Add a metric such as FlaggerMetric.requestSuccessRate().`);
    expectValidationError(() => render({ strategy: 'canary' as any }),
      `${where}: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`);
  });
});

describe('random props', () => {
  // Strategies Flagger can mostly express (steps of one time, whole weights), and some it cannot.
  const flaggerGateArb = (seconds: number) => fc.oneof(
    { weight: 4, arbitrary: fc.constant(StepGate.bake(Duration.seconds(seconds))) },
    { weight: 2, arbitrary: fc.constant(StepGate.analysis({ name: 'error-rate', duration: Duration.seconds(seconds) })) },
    { weight: 1, arbitrary: fc.constant(StepGate.manualApproval()) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3600 }).map(s => StepGate.bake(Duration.seconds(s))) },
  );
  const flaggerStrategyArb = fc.integer({ min: 1, max: 1200 }).chain(seconds => fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        fc.array(flaggerGateArb(seconds), { minLength: 5, maxLength: 5 }), fc.boolean())
        .filter(([weights]) => !(weights.length === 1 && weights[0] === 100))
        .map(([weights, gates, approve]) => {
          const steps = weights.sort((a, b) => a - b).map((weight, i) => ({ weight, gate: gates[i] }));
          // Now and then the last weight held one interval, then by a person, as Flagger's promotion gate holds it.
          const last = steps[steps.length - 1].weight;
          return Strategy.canary({ steps: approve && last < 100 ? [...steps, { weight: last, gate: StepGate.manualApproval() }] : steps });
        }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 60 }).map(stepPercent => Strategy.linear({
        stepPercent,
        interval: Duration.seconds(seconds),
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean())
        .map(([k, manual]) => Strategy.blueGreen({
          bakeTime: Duration.seconds(seconds),
          promotion: manual ? StepGate.manualApproval() : StepGate.bake(Duration.seconds(k * seconds)),
        })),
    },
  ));
  // Checks Flagger can share one threshold for: the same failingWindows.
  const flaggerChecksArb = fc.record({ failing: fc.integer({ min: 1, max: 4 }), window: fc.constantFrom(60, 120), latency: fc.boolean() })
    .map(({ failing, window, latency }) => [
      HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(window), failingWindows: failing }),
      ...latency
        ? [HealthCheck.latency({ percentile: 95, maxLatency: Duration.millis(300), window: Duration.seconds(window), failingWindows: failing })]
        : [],
    ]);
  const propsArb = tidyOrNot(({ either, maybe, gateway: gatewayArb, hostnames, name, port, replicas, revision: revisionArb, strategy }) => fc.record({
    namespace: either(fc.constant('shop'), fc.constant(undefined)),
    props: fc.record({
      strategy: fc.oneof({ weight: 5, arbitrary: flaggerStrategyArb }, { weight: 1, arbitrary: strategy }),
      revision: revisionArb,
      gateway: gatewayArb,
      hostnames: maybe(hostnames),
      name: maybe(name),
      replicas: maybe(replicas),
      port: maybe(port),
      threshold: maybe(either(fc.integer({ min: 1, max: 10 }), fc.constantFrom(0, 1.5, -1))),
      analyses: fc.option(fc.constant([errorRate]), { nil: undefined, freq: 3 }),
      loadTester: maybe(either(fc.constant('http://tester.ops:8080/'), fc.constantFrom('tester', 'http://x/?a=1'))),
      healthChecks: maybe(fc.oneof(healthChecksArb, flaggerChecksArb)),
      metricsSource: maybe(fc.constantFrom(
        MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.istio() }),
        MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.envoyGateway() }),
        MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } }),
        MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: {} }),
      )),
    }, { requiredKeys: ['strategy', 'revision', 'gateway'] }),
  }));

  test('either synthesize a valid Canary whose steps follow the strategy, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ namespace, props }) => {
      const chart = new Chart(Testing.app(), 'test', { namespace });
      const construct = new FlaggerCanary(chart, 'web', props as FlaggerCanaryProps);
      const objects = validatedManifests(chart);
      expectCleanOutput('manifests', objects);
      const canary = ofKind(objects, 'Canary')[0];
      const analysisSpec = canary.spec.analysis;
      const strategy = construct.plan.strategy;
      if (strategy.kind === 'BLUE_GREEN') {
        const promotionSeconds = strategy.promotion!.minimumDuration.toSeconds() || construct.interval.toSeconds();
        expect(analysisSpec.iterations * construct.interval.toSeconds()).toBe(promotionSeconds);
      } else if (strategy.kind === 'CANARY') {
        expect(analysisSpec.stepWeights).toEqual([...new Set(strategy.steps.filter(s => s.gate).map(s => s.weight))]);
      }
      expect(JSON.parse(canary.metadata.annotations[PLAN_ANNOTATION]).plan.totalDurationSeconds).toBe(construct.plan.totalDuration.toSeconds());
      // One MetricTemplate per health check, each referenced by the analysis with the check's window.
      const checks = construct.plan.healthChecks;
      expect(ofKind(objects, 'MetricTemplate').map(t => t.metadata.name)).toEqual(checks.map(c => `${construct.appName}-${c.name}`));
      const referenced = (analysisSpec.metrics ?? []).filter((m: any) => m.templateRef);
      expect(referenced.map((m: any) => [m.name, m.interval])).toEqual(checks.map(c => [c.name, `${c.window.toSeconds() / 60}m`]));
      if (checks.length > 0) expect(analysisSpec.threshold).toBe(checks[0].failingWindows);
    }, { quickRuns: 30 });
  });

  test('health checks through any metrics source either become MetricTemplates that measure the canary, or are refused with the library error', () => {
    const sources = [
      MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.istio() }),
      MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.istio(), scrapeInterval: Duration.minutes(1) }),
      MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.envoyGateway() }),
      MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } }),
      MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', region: 'eu-west-1', targetGroups: {} }),
    ];
    const arb = fc.record({
      minutes: fc.integer({ min: 1, max: 6 }),
      checks: fc.oneof(healthChecksArb, flaggerChecksArb),
      source: fc.option(fc.constantFrom(...sources), { nil: undefined, freq: 8 }),
      threshold: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 3 }),
      version: fc.boolean(),
    });
    expectBuildsOrRefuses(arb, ({ minutes, checks, source, threshold, version }) => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const construct = new FlaggerCanary(chart, 'web', {
        strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(minutes) }, { weight: 50, gate: bake(minutes) }], healthChecks: checks }),
        revision: version ? revision : { containers: revision.containers },
        gateway,
        metricsSource: source,
        threshold,
      });
      const objects = validatedManifests(chart);
      expectCleanOutput('manifests', objects);
      const templates = ofKind(objects, 'MetricTemplate');
      const analysisSpec = ofKind(objects, 'Canary')[0].spec.analysis;
      expect(templates.map(t => t.metadata.name)).toEqual(checks.map(c => `web-${c.name}`));
      expect((analysisSpec.metrics ?? []).map((m: any) => [m.name, m.templateRef.name, m.interval]))
        .toEqual(checks.map(c => [c.name, `web-${c.name}`, `${c.window.toSeconds() / 60}m`]));
      expect(analysisSpec.threshold).toBe(checks[0]?.failingWindows ?? threshold ?? 1);
      for (const template of templates) {
        // Prometheus queries select the canary alone (Istio: its canonical service, or the Service web-canary); CloudWatch its target group.
        if (template.spec.provider.type === 'prometheus') expect(template.spec.query).toMatch(/destination_canonical_service="web"|destination_service_name="web-canary"/);
        else expect(template.spec.query).toContain('targetgroup/web-canary/73e2d6bc24d8a067');
      }
      const names = checks.length === 0 ? undefined : checks.map(c => c.name);
      expect(construct.plan.steps.map(s => s.watchedBy)).toEqual([names, names, undefined]);
    }, { quickRuns: 30 });
  });
});
