import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { CapacityMode, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { guardrailFactsOf } from '../../src/guardrails/private/facts';
import { GuardrailSubject } from '../../src/guardrails/subject';
import {
  AnalysisMetric, AnalysisTemplate, ArgoRollout, ArgoRolloutProps, ArgoTrafficRouting, MetricsSource, PrometheusDialect, PrometheusMetricProps,
} from '../../src/k8s';
import { argoDuration as argoDurationOf } from '../../src/k8s/private/argo-types';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { healthCheckArb, healthChecksArb, matchArb } from '../support/arbitraries';
import { findings } from '../support/guardrails';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'ArgoRollout test/web';
const revision = { containers: [{ image: 'registry.example.com/web:1.4.2', portNumber: 8080 }], version: '1.4.2' };
const gateway = ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway', namespace: 'gateways' }, hostnames: ['shop.example.com'] });
const metricProps: PrometheusMetricProps = {
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
  successCondition: 'result[0] >= 0.99',
};
const analysis = (name: string, minutes: number) => StepGate.analysis({ name, duration: Duration.minutes(minutes) });

/** An AnalysisTemplate of one Prometheus metric. */
function template(scope: Construct, name: string, metric: Partial<PrometheusMetricProps> = {}) {
  return new AnalysisTemplate(scope, name, { name, metrics: [AnalysisMetric.prometheus({ ...metricProps, ...metric })] });
}

/** The chart of the tests: `test`, in namespace `shop` (a canary routed by the Gateway API plugin needs one). */
function shopChart() {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

/** Synthesizes an ArgoRollout `web`, validating every object against its upstream schema. */
function render(props: Partial<ArgoRolloutProps>, templates: (chart: Chart) => AnalysisTemplate[] = () => []) {
  const chart = shopChart();
  const construct = new ArgoRollout(chart, 'web', { strategy: Strategy.ALL_AT_ONCE, revision, analysisTemplates: templates(chart), ...props });
  const objects = validatedManifests(chart);
  const [rollout] = ofKind(objects, 'Rollout');
  const strategy = rollout.spec.strategy;
  return { construct, objects, rollout, strategy, steps: strategy.canary?.steps, route: ofKind(objects, 'HTTPRoute')[0] };
}

function attempt(props: Partial<ArgoRolloutProps>, templates: (chart: Chart) => AnalysisTemplate[] = () => []) {
  return () => {
    const chart = shopChart();
    return new ArgoRollout(chart, 'web', { strategy: Strategy.ALL_AT_ONCE, revision, analysisTemplates: templates(chart), ...props } as ArgoRolloutProps);
  };
}

describe('the pod template', () => {
  test('a cdk8s-plus Deployment scaled to zero, referenced by workloadRef, whose pods the Rollout selects', () => {
    const { construct, objects, rollout } = render({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, replicas: 10 });
    const [deployment] = ofKind(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(0);
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.spec.replicas).toBe(10);
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web', 'cdk-deploy-strategies.dev/role': 'rollout' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ ...rollout.spec.selector.matchLabels, 'app.kubernetes.io/version': '1.4.2' });
    expect(rollout.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(construct.template.name).toBe(deployment.metadata.name);
    expect(construct.rolloutName).toBe(rollout.metadata.name);
  });

  test('keeps cdk8s-plus secure defaults', () => {
    const { objects } = render({});
    const pod = ofKind(objects, 'Deployment')[0].spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
  });

  test('the application name defaults to the construct id, and may be given', () => {
    expect(render({}).construct.appName).toBe('web');
    const { construct, rollout } = render({ name: 'storefront' });
    expect(construct.appName).toBe('storefront');
    expect(rollout.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('storefront');
  });
});

describe('canary steps', () => {
  test('CANARY_10PERCENT_5MINUTES without traffic routing: whole replicas, no surge, a Service over every pod', () => {
    const { construct, objects, strategy, steps } = render({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, replicas: 10 });
    expect(steps).toEqual([{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 100 }]);
    expect(strategy.canary).toMatchObject({
      stableService: construct.stableService!.name,
      canaryService: construct.canaryService!.name,
      maxSurge: 0,
      maxUnavailable: 1,
    });
    expect(strategy.canary.trafficRouting).toBeUndefined();
    expect(construct.node.children.map(c => c.node.id)).toEqual(['Template', 'StableService', 'CanaryService', 'LiveService', 'Rollout']);
    expect(construct.service).toBe(construct.liveService);
    expect(ofKind(objects, 'HTTPRoute')).toEqual([]);
    const services = ofKind(objects, 'Service');
    expect(services).toHaveLength(3);
    for (const service of services) {
      expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'web', 'cdk-deploy-strategies.dev/role': 'rollout' });
      expect(service.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    }
    expect(construct.plan.capacity).toBe(CapacityMode.REPLICA_RATIO);
    expect(construct.plan.steps.map(s => s.candidateReplicas)).toEqual([1, 10]);
  });

  test('LINEAR_10PERCENT_EVERY_1MINUTE with Gateway API routing: exact weights set by the plugin on the HTTPRoute', () => {
    const { construct, strategy, steps, route } = render({ strategy: Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, trafficRouting: gateway, port: 8000 });
    const expected = [];
    for (let weight = 10; weight < 100; weight += 10) expected.push({ setWeight: weight }, { pause: { duration: '1m' } });
    expect(steps).toEqual([...expected, { setWeight: 100 }]);
    // The plugin finds the route by name and namespace, and does not fall back to the rollout's namespace.
    expect(strategy.canary.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: route.metadata.name, namespace: 'shop' } } });
    expect(route.metadata.namespace).toBe('shop');
    expect(strategy.canary.maxSurge).toBeUndefined();
    expect(construct.plan.capacity).toBe(CapacityMode.PROPORTIONAL);
    expect(construct.node.children.map(c => c.node.id)).toEqual(['Template', 'StableService', 'CanaryService', 'Route', 'Rollout']);
    expect(construct.service).toBe(construct.stableService);
    expect(construct.liveService).toBeUndefined();
  });

  test('a canary routed by the plugin needs a chart with a namespace for the plugin to find the route in', () => {
    for (const strategy of [Strategy.CANARY_10PERCENT_5MINUTES, Strategy.ALL_AT_ONCE]) {
      expectValidationError(() => new ArgoRollout(Testing.chart(), 'web', { strategy, revision, trafficRouting: gateway }),
        `${where}: trafficRouting is "ArgoTrafficRouting.gatewayApi(gateways/public-gateway)": the Argo Rollouts Gateway API plugin finds the HTTPRoute in the namespace its configuration names, and the chart has no namespace to name (the plugin does not fall back to the rollout's). Create the rollout in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).`);
    }
    // Without the plugin a namespace is not needed: blue-green's route is static, and replica counts need no route.
    const chart = Testing.chart();
    new ArgoRollout(chart, 'web', { strategy: Strategy.BLUE_GREEN, revision, trafficRouting: gateway });
    new ArgoRollout(chart, 'api', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, revision, replicas: 10 });
    expect(ofKind(validatedManifests(chart), 'Rollout').map(r => r.metadata.namespace)).toEqual([undefined, undefined]);
  });

  test('the HTTPRoute sends everything to the stable Service until the plugin moves the weights', () => {
    const { construct, route } = render({ strategy: Strategy.CANARY_10PERCENT_15MINUTES, trafficRouting: gateway });
    expect(route.metadata.name).toBe(construct.route!.name);
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public-gateway', namespace: 'gateways' }],
      hostnames: ['shop.example.com'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { name: construct.stableService!.name, port: 80, weight: 100 },
          { name: construct.canaryService!.name, port: 80, weight: 0 },
        ],
      }],
    });
    expect(construct.stableService!.name).not.toBe(construct.canaryService!.name);
  });

  test('gates: a bake is a timed pause, a manual approval a pause, an analysis an inline analysis', () => {
    const { steps } = render({
      strategy: Strategy.canary({
        steps: [
          { weight: 5, gate: StepGate.bake(Duration.minutes(90)) },
          { weight: 25, gate: StepGate.manualApproval() },
          { weight: 50, gate: analysis('error-rate', 10) },
          { weight: 100, gate: StepGate.bake(Duration.seconds(45)) },
        ],
      }),
      trafficRouting: gateway,
    }, chart => [template(chart, 'error-rate')]);
    expect(steps).toEqual([
      { setWeight: 5 }, { pause: { duration: '1h30m' } },
      { setWeight: 25 }, { pause: {} },
      { setWeight: 50 }, { analysis: { templates: [{ templateName: 'error-rate' }] } },
      { setWeight: 100 }, { pause: { duration: '45s' } },
    ]);
  });

  test('a test route: the canary runs at its first step\'s size, a managed header route reaches it, the test gate holds', () => {
    const { construct, steps, strategy, route } = render({
      strategy: Strategy.canary({
        testRoute: Match.header('x-qa', '1'),
        testGate: StepGate.manualApproval(),
        steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }, { weight: 50, gate: analysis('error-rate', 10) }],
      }),
      trafficRouting: gateway,
      replicas: 10,
    }, chart => [template(chart, 'error-rate')]);
    expect(steps).toEqual([
      { setCanaryScale: { weight: 10 } },
      { setHeaderRoute: { name: 'test-route', match: [{ headerName: 'x-qa', headerValue: { exact: '1' } }] } },
      { pause: {} },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setWeight: 10 }, { pause: { duration: '10m' } },
      { setWeight: 50 }, { analysis: { templates: [{ templateName: 'error-rate' }] } },
      { setWeight: 100 },
    ]);
    expect(strategy.canary.trafficRouting).toEqual({
      managedRoutes: [{ name: 'test-route' }],
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: route.metadata.name, namespace: 'shop' } },
    });
    expect(construct.plan.steps.map(s => [s.candidateWeight, s.gate?.describe()])).toEqual([
      [0, 'manual approval'], [10, 'bake 10m'], [50, 'analysis error-rate 10m'], [100, undefined],
    ]);
  });

  test('a test route on a linear strategy, without a test gate; regex and cookie routes match headers', () => {
    const linear = render({
      strategy: Strategy.linear({ stepPercent: 50, interval: Duration.minutes(1), testRoute: Match.headerRegex('user-agent', '.*QA.*') }),
      trafficRouting: gateway,
    });
    expect(linear.steps.slice(0, 4)).toEqual([
      { setCanaryScale: { weight: 50 } },
      { setHeaderRoute: { name: 'test-route', match: [{ headerName: 'user-agent', headerValue: { regex: '.*QA.*' } }] } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setWeight: 50 },
    ]);
    const cookie = render({
      strategy: Strategy.canary({ testRoute: Match.cookie('qa', 'yes'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(1)) }] }),
      trafficRouting: gateway,
    });
    expect(cookie.steps[1].setHeaderRoute.match).toEqual([{ headerName: 'Cookie', headerValue: { regex: '^(.*; *)?qa=yes( *;.*)?$' } }]);
  });

  test('ALL_AT_ONCE: one step to 100%, replaced in place', () => {
    const { construct, steps, strategy } = render({});
    expect(steps).toEqual([{ setWeight: 100 }]);
    expect(strategy.canary.maxSurge).toBeUndefined();
    expect(construct.plan.capacity).toBe(CapacityMode.IN_PLACE);
  });
});

describe('blue-green', () => {
  test('BLUE_GREEN: active and preview Services, the bake time as the scale-down delay', () => {
    const { construct, strategy, objects } = render({ strategy: Strategy.BLUE_GREEN });
    expect(strategy).toEqual({
      blueGreen: {
        activeService: construct.activeService!.name,
        previewService: construct.previewService!.name,
        scaleDownDelaySeconds: 300,
      },
    });
    expect(construct.node.children.map(c => c.node.id)).toEqual(['Template', 'ActiveService', 'PreviewService', 'Rollout']);
    expect(construct.service).toBe(construct.activeService);
    expect(ofKind(objects, 'HTTPRoute')).toEqual([]);
    expect(construct.plan.capacity).toBe(CapacityMode.FULL_COPY);
  });

  test('a manual promotion disables auto-promotion', () => {
    const { strategy } = render({ strategy: Strategy.blueGreen({ promotion: StepGate.manualApproval(), bakeTime: Duration.minutes(10) }) });
    expect(strategy.blueGreen).toMatchObject({ autoPromotionEnabled: false, scaleDownDelaySeconds: 600 });
    expect(strategy.blueGreen.autoPromotionSeconds).toBeUndefined();
  });

  test('a bake promotion waits before promoting by itself', () => {
    const { strategy } = render({ strategy: Strategy.blueGreen({ promotion: StepGate.bake(Duration.minutes(2)) }) });
    expect(strategy.blueGreen.autoPromotionSeconds).toBe(120);
    expect(strategy.blueGreen.autoPromotionEnabled).toBeUndefined();
  });

  test('an analysis promotion runs before the switch, a post-promotion analysis after it', () => {
    const { strategy, objects } = render({
      strategy: Strategy.blueGreen({ promotion: analysis('smoke-test', 3), bakeTime: Duration.minutes(15) }),
      postPromotionAnalysis: 'error-rate',
    }, chart => [template(chart, 'smoke-test'), template(chart, 'error-rate', { count: 10 })]);
    expect(strategy.blueGreen).toMatchObject({
      prePromotionAnalysis: { templates: [{ templateName: 'smoke-test' }] },
      postPromotionAnalysis: { templates: [{ templateName: 'error-rate' }] },
      scaleDownDelaySeconds: 900,
    });
    expect(ofKind(objects, 'AnalysisTemplate').map(t => [t.metadata.name, t.spec.metrics[0].count])).toEqual([['smoke-test', 3], ['error-rate', 10]]);
  });

  test.each([
    ['a header', Match.header('x-env', 'green'), { headers: [{ type: 'Exact', name: 'x-env', value: 'green' }] }],
    ['a cookie', Match.cookie('beta', 'true'), { headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*; *)?beta=true( *;.*)?$' }] }],
    ['a query parameter', Match.queryParameter('env', 'green'), { queryParams: [{ type: 'Exact', name: 'env', value: 'green' }] }],
  ])('with Gateway API routing, a test route by %s reaches the preview Service', (_, testRoute, condition) => {
    const { construct, route } = render({ strategy: Strategy.blueGreen({ testRoute }), trafficRouting: gateway });
    const everyPath = { path: { type: 'PathPrefix', value: '/' } };
    expect(route.spec.rules).toEqual([
      { matches: [{ ...everyPath, ...condition }], backendRefs: [{ name: construct.previewService!.name, port: 80 }] },
      { matches: [everyPath], backendRefs: [{ name: construct.activeService!.name, port: 80 }] },
    ]);
  });
});

test('records the plan on the Rollout', () => {
  const { construct, rollout } = render({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, trafficRouting: gateway });
  const recorded = JSON.parse(rollout.metadata.annotations[PLAN_ANNOTATION]);
  expect(recorded.controller).toBe('Argo Rollouts');
  expect(recorded.step).toBeUndefined();
  expect(recorded.plan).toEqual(construct.plan.toJson());
  expect(recorded.plan).toEqual(JSON.parse(JSON.stringify(construct.plan.toJson())));
  expect(recorded).not.toHaveProperty('table');
});

describe('what Argo Rollouts cannot express', () => {
  test('a fractional weight', () => {
    const twelveAndAHalf = Strategy.canary({ steps: [{ weight: 12.5, gate: StepGate.bake(Duration.minutes(5)) }] });
    expectValidationError(attempt({ strategy: twelveAndAHalf, trafficRouting: gateway }),
      `${where}: strategy.steps[0].weight is 12.5: Argo Rollouts' setWeight is a whole percentage from 0 to 100. Use 12 or 13 in the strategy.`);
    expectValidationError(attempt({ strategy: Strategy.linear({ stepPercent: 2.5, interval: Duration.minutes(1) }), trafficRouting: gateway }),
      `${where}: strategy.steps[0].weight is 2.5: Argo Rollouts' setWeight is a whole percentage from 0 to 100. Use 2 or 3 in the strategy.`);
  });

  test('a manual approval with a timeout', () => {
    const timeout = StepGate.manualApproval({ timeout: Duration.hours(4) });
    expectValidationError(attempt({ strategy: Strategy.canary({ steps: [{ weight: 10, gate: timeout }] }), trafficRouting: gateway }),
      `${where}: strategy.steps[0].gate is "manual approval (timeout 4h)": Argo Rollouts' pause has no timeout: a paused rollout waits for \`kubectl argo rollouts promote\` or \`abort\` however long it takes. Use StepGate.manualApproval() without a timeout, or a StepGate.bake() or StepGate.analysis() gate that ends by itself.`);
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ promotion: timeout }) }),
      `${where}: strategy.promotion is "manual approval (timeout 4h)": Argo Rollouts' pause has no timeout: a paused rollout waits for \`kubectl argo rollouts promote\` or \`abort\` however long it takes. Use StepGate.manualApproval() without a timeout, or a StepGate.bake() or StepGate.analysis() gate that ends by itself.`);
  });

  test('a test route without traffic routing', () => {
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }) }),
      `${where}: trafficRouting is "ArgoTrafficRouting.replicaCount()": Argo Rollouts without traffic routing cannot route by request: the strategy's test route (header x-env=green) needs a router that sends matching requests to the preview Service. Use trafficRouting: ArgoTrafficRouting.gatewayApi({ gateway: { name: "my-gateway" } }), or remove the test route and test through the preview Service.`);
  });

  test('a canary test route without traffic routing, or on a query parameter', () => {
    const canary = (testRoute: Match) => Strategy.canary({ testRoute, steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] });
    expectValidationError(attempt({ strategy: canary(Match.header('x-qa', '1')), replicas: 10 }),
      `${where}: trafficRouting is "ArgoTrafficRouting.replicaCount()": Argo Rollouts without traffic routing cannot route by request: the strategy's test route (header x-qa=1) needs a router that sends matching requests to the canary Service. Use trafficRouting: ArgoTrafficRouting.gatewayApi({ gateway: { name: "my-gateway" } }) (header routes are managed routes of the Gateway API plugin), or remove the test route.`);
    expectValidationError(attempt({ strategy: canary(Match.queryParameter('qa', '1')), trafficRouting: gateway }),
      `${where}: strategy.testRoute is "query qa=1": Argo Rollouts' setHeaderRoute sends requests to the canary by their headers only, and this test route matches a query parameter. Use a header test route, such as Match.header("x-env", "qa"), or Match.cookie() (matched on the Cookie header).`);
    const timedApproval = Strategy.canary({
      testRoute: Match.header('x-qa', '1'), testGate: StepGate.manualApproval({ timeout: Duration.hours(1) }), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }],
    });
    expectValidationError(attempt({ strategy: timedApproval, trafficRouting: gateway }),
      `${where}: strategy.testGate is "manual approval (timeout 1h)": Argo Rollouts' pause has no timeout: a paused rollout waits for \`kubectl argo rollouts promote\` or \`abort\` however long it takes. Use StepGate.manualApproval() without a timeout, or a StepGate.bake() or StepGate.analysis() gate that ends by itself.`);
  });

  test('weights further from whole replicas than the tolerance', () => {
    expectValidationError(attempt({ strategy: Strategy.CANARY_10PERCENT_5MINUTES }),
      `${where}: replicas is 2: Argo Rollouts without traffic routing splits traffic by replica count, and step 1's 10% becomes 50% (1 of 2 replicas), 40 points off, beyond the tolerance of 5. Use at least 7 replicas, raise the tolerance, or use ArgoTrafficRouting.gatewayApi().`);
    expect(() => attempt({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, replicas: 4, weightTolerance: 15 })()).not.toThrow();
  });

  test('a canary of one replica without traffic routing', () => {
    expectValidationError(attempt({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, replicas: 1 }),
      `${where}: replicas is 1: without traffic routing a canary is its share of the pods, so it needs at least 2 to run both versions. Run at least 2 replicas, or use ArgoTrafficRouting.gatewayApi().`);
  });

  test('a bake time of zero, which Argo reads as never scaling the old side down', () => {
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ bakeTime: Duration.seconds(0) }) }),
      `${where}: strategy.bakeTime is 0 seconds: Argo Rollouts keeps the old ReplicaSet running when scaleDownDelaySeconds is 0 instead of scaling it down at once (argoproj/argo-rollouts issue #1992). Use a bake time of at least Duration.seconds(1).`);
  });
});

describe('analysis templates', () => {
  test('a gate naming a template not passed lists the names passed', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 10, gate: analysis('error-rate', 5) }] });
    expectValidationError(attempt({ strategy, trafficRouting: gateway }, chart => [template(chart, 'latency'), template(chart, 'saturation')]),
      `${where}: strategy.steps[0].gate is "error-rate": it names AnalysisTemplate "error-rate", and analysisTemplates has "latency", "saturation". Pass the AnalysisTemplate named "error-rate" in ${where}'s analysisTemplates.`);
    expectValidationError(attempt({ strategy, trafficRouting: gateway }),
      `${where}: strategy.steps[0].gate is "error-rate": it names AnalysisTemplate "error-rate", and no analysisTemplates were passed. Pass the AnalysisTemplate named "error-rate" in ${where}'s analysisTemplates.`);
  });

  test('a post-promotion analysis: blue-green only, named, counted and within the bake time', () => {
    expectValidationError(attempt({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, trafficRouting: gateway, postPromotionAnalysis: 'error-rate' }),
      `${where}: postPromotionAnalysis is "error-rate": Argo Rollouts runs a post-promotion analysis only in a blue-green rollout, and the strategy is canary 10% (bake 5m) → 100%. Add an analysis gate to a canary step instead, such as { weight: 50, gate: StepGate.analysis({ name, duration }) }.`);
    expectValidationError(attempt({ strategy: Strategy.BLUE_GREEN, postPromotionAnalysis: 'error-rate' }, chart => [template(chart, 'error-rate')]),
      `${where}: postPromotionAnalysis is "error-rate": metric "success-rate" of AnalysisTemplate "error-rate" has no count, and no analysis gate names the template to give it a duration. Set count on metric "success-rate", such as count: 5.`);
    expectValidationError(attempt({ strategy: Strategy.BLUE_GREEN, postPromotionAnalysis: 'error-rate' }, chart => [template(chart, 'error-rate', { count: 10 })]),
      `${where}: postPromotionAnalysis is "error-rate": AnalysisTemplate "error-rate" runs 10m, and Argo cancels a post-promotion analysis when it scales the old environment down, after the bake time of 5m. Give the strategy a bakeTime of at least 10m, or take fewer measurements.`);
  });

  test('a pre-promotion analysis before a manual promotion: blue-green only, counted, unless the promotion is an analysis', () => {
    const { strategy } = render({
      strategy: Strategy.blueGreen({ promotion: StepGate.manualApproval() }),
      prePromotionAnalysis: 'smoke-test',
    }, chart => [template(chart, 'smoke-test', { count: 3 })]);
    expect(strategy.blueGreen).toMatchObject({ autoPromotionEnabled: false, prePromotionAnalysis: { templates: [{ templateName: 'smoke-test' }] } });
    expectValidationError(attempt({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, trafficRouting: gateway, prePromotionAnalysis: 'smoke-test' }),
      `${where}: prePromotionAnalysis is "smoke-test": Argo Rollouts runs a pre-promotion analysis only in a blue-green rollout, and the strategy is canary 10% (bake 5m) → 100%. Add an analysis gate to a canary step instead, such as { weight: 50, gate: StepGate.analysis({ name, duration }) }.`);
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ promotion: analysis('error-rate', 5) }), prePromotionAnalysis: 'smoke-test' },
      chart => [template(chart, 'error-rate'), template(chart, 'smoke-test', { count: 3 })]),
    `${where}: prePromotionAnalysis is "smoke-test": the strategy's promotion gate (analysis error-rate 5m) is already Argo's pre-promotion analysis. Leave prePromotionAnalysis out, or make the promotion gate StepGate.manualApproval() or StepGate.bake().`);
    expectValidationError(attempt({ strategy: Strategy.BLUE_GREEN, prePromotionAnalysis: 'smoke-test' }, chart => [template(chart, 'smoke-test')]),
      `${where}: prePromotionAnalysis is "smoke-test": metric "success-rate" of AnalysisTemplate "smoke-test" has no count, and no analysis gate names the template to give it a duration. Set count on metric "success-rate", such as count: 5.`);
  });

  test('a pre-promotion analysis before a bake promotion must end within the bake, which promotes even while it runs', () => {
    const { strategy } = render({
      strategy: Strategy.blueGreen({ promotion: StepGate.bake(Duration.minutes(3)) }),
      prePromotionAnalysis: 'smoke-test',
    }, chart => [template(chart, 'smoke-test', { count: 3 })]);
    expect(strategy.blueGreen).toMatchObject({ autoPromotionSeconds: 180, prePromotionAnalysis: { templates: [{ templateName: 'smoke-test' }] } });
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ promotion: StepGate.bake(Duration.minutes(2)) }), prePromotionAnalysis: 'smoke-test' },
      chart => [template(chart, 'smoke-test', { count: 3 })]),
    `${where}: prePromotionAnalysis is "smoke-test": AnalysisTemplate "smoke-test" runs 3m, and Argo switches traffic when the promotion gate's bake of 2m ends, marking a pre-promotion analysis still running successful. Give the promotion gate a bake of at least 3m, take fewer measurements, or make the promotion gate StepGate.manualApproval().`);
  });

  test('templates must be AnalysisTemplates, of distinct names, in the rollout\'s namespace', () => {
    expectValidationError(attempt({ analysisTemplates: ['error-rate'] as any }),
      `${where}: analysisTemplates[0] is "error-rate": it must be an AnalysisTemplate. Create one with new AnalysisTemplate(chart, id, { name, metrics }).`);
    expectValidationError(attempt({}, chart => [template(chart, 'error-rate'), new AnalysisTemplate(chart, 'Again', { name: 'error-rate', metrics: [AnalysisMetric.prometheus(metricProps)] })]),
      `${where}: analysisTemplates[1] is "error-rate": two templates have this name, and Argo finds a template by name. Pass each template once, with distinct names.`);
    expectValidationError(attempt({}, () => [template(new Chart(Testing.app(), 'monitoring', { namespace: 'monitoring' }), 'error-rate')]),
      `${where}: analysisTemplates[0] is "error-rate": the template is in namespace monitoring, and Argo looks for it in the rollout's namespace, shop. Create the template in a chart with the rollout's namespace.`);
    const monitoring = template(new Chart(Testing.app(), 'monitoring', { namespace: 'monitoring' }), 'error-rate');
    expectValidationError(() => new ArgoRollout(Testing.chart(), 'web', { strategy: Strategy.ALL_AT_ONCE, revision, analysisTemplates: [monitoring] }),
      `${where}: analysisTemplates[0] is "error-rate": the template is in namespace monitoring, and Argo looks for it in the rollout's namespace, (the default). Create the template in a chart with the rollout's namespace.`);
  });
});

describe('props', () => {
  test.each([
    ['a strategy that is not a Strategy', { strategy: 'canary' }, `${where}: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`],
    ['a name that is not a DNS label', { name: 'Web' }, `${where}: name is "Web": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "web".`],
    ['a port out of range', { port: 70000 }, `${where}: port is 70000: a port is a whole number from 1 to 65535. Use a port such as 80.`],
    ['a fractional replica count', { replicas: 2.5 }, `${where}: replicas is 2.5: a replica count is a whole number from 1 to 10000. Use a whole number such as 4.`],
    ['a container port out of range', { revision: { containers: [{ image: 'registry.example.com/web:1.4.2', portNumber: 70000 }] } },
      `${where}: revision.containers[0].portNumber is 70000: a port is a whole number from 1 to 65535. Use a port such as 8080.`],
    ['a revision without a container port', { revision: { containers: [{ image: 'registry.example.com/web:1.4.2' }] } },
      `${where}: revision.containers[0].portNumber is undefined: traffic is routed to the first container's port, and it declares none. Set portNumber on the first container, such as portNumber: 8080.`],
    ['a weight tolerance where nothing is rounded', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, trafficRouting: gateway, weightTolerance: 10 },
      `${where}: weightTolerance is 10: it applies to canary weights rounded to whole replicas, and this rollout (canary 10% (bake 5m) → 100%, ArgoTrafficRouting.gatewayApi(gateways/public-gateway)) rounds none. Leave weightTolerance out.`],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(attempt(props as Partial<ArgoRolloutProps>), message);
  });

  test('another rollout of the chart with the application name would share its pods', () => {
    const chart = shopChart();
    new ArgoRollout(chart, 'web', { strategy: Strategy.ALL_AT_ONCE, revision });
    expectValidationError(() => new ArgoRollout(chart, 'again', { name: 'web', strategy: Strategy.BLUE_GREEN, revision }),
      'ArgoRollout test/again: name is "web": ArgoRollout test/web in the same chart has this application name, and their selectors overlap (app.kubernetes.io/name=web, cdk-deploy-strategies.dev/role=rollout), so each would select the other\'s pods. Give one of them a distinct name (the name prop, which defaults to the construct id).');
  });

  test('a construct id that is not a DNS label needs a name', () => {
    expectValidationError(() => new ArgoRollout(Testing.chart(), 'Web', { strategy: Strategy.ALL_AT_ONCE, revision }),
      'ArgoRollout test/Web: name (the construct id, by default) is "Web": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "web".');
  });
});

describe('health checks', () => {
  const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
  const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
  const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800), failingWindows: 3 });
  const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
  const canaryOf = (checks = [errorRate, p99]) => Strategy.canary({
    steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(10) }], healthChecks: checks,
  });
  const ISTIO = 'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="web",destination_canonical_revision="1.4.2"';
  const recorded = (rollout: any) => JSON.parse(rollout.metadata.annotations[PLAN_ANNOTATION]).plan;

  test('a canary\'s checks run as background analysis from its first step, one metric per check, aborting after failingWindows', () => {
    const { rollout, strategy, objects, construct } = render({ strategy: canaryOf(), replicas: 10, trafficRouting: gateway, metricsSource: istio });
    expect(strategy.canary.analysis).toEqual({ templates: [{ templateName: 'web-health-checks' }] });
    const [checksTemplate] = ofKind(objects, 'AnalysisTemplate');
    expect(checksTemplate.metadata).toEqual({ name: 'web-health-checks', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } });
    expect(checksTemplate.spec.metrics).toEqual([
      {
        name: 'error-rate',
        interval: '1m',
        initialDelay: '1m',
        failureLimit: 1,
        successCondition: 'len(result) > 0 && result[0] <= 1',
        failureCondition: 'len(result) > 0 && result[0] > 1',
        provider: {
          prometheus: {
            address: 'http://prometheus.monitoring:9090',
            query: `100 * (sum(increase(istio_requests_total{${ISTIO},response_code=~"5.."}[1m])) or vector(0)) / sum(increase(istio_requests_total{${ISTIO}}[1m]))`
              + ` and on() (sum(increase(istio_requests_total{${ISTIO}}[1m])) >= 10)`,
          },
        },
      },
      {
        name: 'latency-p99',
        interval: '1m',
        initialDelay: '1m',
        failureLimit: 2,
        successCondition: 'len(result) > 0 && result[0] <= 800',
        failureCondition: 'len(result) > 0 && result[0] > 800',
        provider: {
          prometheus: {
            address: 'http://prometheus.monitoring:9090',
            query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${ISTIO}}[1m])))`
              + ` and on() (sum(increase(istio_requests_total{${ISTIO}}[1m])) >= 10)`,
          },
        },
      },
    ]);
    expect(construct.healthCheckTemplates.map(t => t.name)).toEqual(['web-health-checks']);
    expect(recorded(rollout).steps.map((s: any) => s.watchedBy)).toEqual([['error-rate', 'latency-p99'], ['error-rate', 'latency-p99'], undefined]);
  });

  test('with a test route and a test gate, the analysis starts with the header route', () => {
    const strategy = Strategy.canary({
      testRoute: Match.header('x-qa', '1'), testGate: StepGate.manualApproval(), steps: [{ weight: 10, gate: bake(5) }], healthChecks: [errorRate],
    });
    const { steps, strategy: rendered } = render({ strategy, replicas: 10, trafficRouting: gateway, metricsSource: istio });
    expect(rendered.canary.analysis.startingStep).toBe(1);
    expect(steps[1].setHeaderRoute).toBeDefined();
    // Without a test gate the test phase is not held, so nothing judges it: the analysis starts at the first weight.
    const ungated = Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: bake(5) }], healthChecks: [errorRate] });
    const second = render({ strategy: ungated, replicas: 10, trafficRouting: gateway, metricsSource: istio });
    expect(second.strategy.canary.analysis.startingStep).toBe(3);
    expect(second.steps[3]).toEqual({ setWeight: 10 });
  });

  test('the rollout\'s healthChecks replace the strategy\'s; [] renders none', () => {
    const { objects, rollout } = render({ strategy: canaryOf(), replicas: 10, healthChecks: [p99], metricsSource: istio });
    expect(ofKind(objects, 'AnalysisTemplate')[0].spec.metrics.map((m: any) => m.name)).toEqual(['latency-p99']);
    expect(recorded(rollout).healthChecks.map((c: any) => c.name)).toEqual(['latency-p99']);
    const none = render({ strategy: canaryOf(), replicas: 10, healthChecks: [] });
    expect(ofKind(none.objects, 'AnalysisTemplate')).toEqual([]);
    expect(none.strategy.canary.analysis).toBeUndefined();
  });

  test('addHealthCheck() adds a metric and a line to the plan, after construction', () => {
    const chart = shopChart();
    const rollout = new ArgoRollout(chart, 'web', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, revision, replicas: 10, metricsSource: istio });
    expect(rollout.healthCheckTemplates).toEqual([]);
    rollout.addHealthCheck(errorRate);
    rollout.addHealthCheck(HealthCheck.prometheus({ name: 'queue', query: 'sum(queue_depth{app="web"})', maxValue: 100 }));
    expect(rollout.plan.steps[0].watchedBy).toEqual(['error-rate', 'queue']);
    const objects = validatedManifests(chart);
    const [checksTemplate] = ofKind(objects, 'AnalysisTemplate');
    expect(checksTemplate.spec.metrics.map((m: any) => [m.name, m.failureCondition])).toEqual([
      ['error-rate', 'len(result) > 0 && result[0] > 1'],
      ['queue', 'len(result) > 0 && result[0] > 100'],
    ]);
    expect(ofKind(objects, 'Rollout')[0].spec.strategy.canary.analysis).toEqual({ templates: [{ templateName: 'web-health-checks' }] });
    expect(recorded(ofKind(objects, 'Rollout')[0]).healthChecks).toHaveLength(2);
  });

  test('a check addHealthCheck() refuses leaves the rollout as it was', () => {
    const chart = shopChart();
    const rollout = new ArgoRollout(chart, 'web', { strategy: canaryOf([errorRate]), revision, replicas: 10, metricsSource: istio });
    expectValidationError(() => rollout.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(30), name: 'error-rate-fast' })),
      'ArgoRollout test/web: addHealthCheck (error-rate-fast).window is 30 seconds: Prometheus computes a rate from the samples inside the window, and a window of 30s holds fewer than '
      + 'two samples at the scrape interval of 30s ArgoRollout test/web: metricsSource names. Use a window of at least 1m on check "error-rate-fast", or give the metrics source the scrape interval your Prometheus uses.');
    expectValidationError(() => rollout.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 2 })),
      'ArgoRollout test/web: addHealthCheck.name is "error-rate": the rollout has a health check named "error-rate" already, and a name picks one analysis metric. '
      + 'Give the check another name with the name option, such as "latency-p99-strict".');
    expect(rollout.plan.healthChecks.map(c => c.name)).toEqual(['error-rate']);
    expect(ofKind(validatedManifests(chart), 'AnalysisTemplate')[0].spec.metrics).toHaveLength(1);
  });

  test('blue-green: on the preview before a manual promotion (failingWindows windows), then after the switch for the bake time', () => {
    const strategy = Strategy.blueGreen({
      testRoute: Match.header('x-env', 'preview'), promotion: StepGate.manualApproval(), bakeTime: Duration.minutes(10), healthChecks: [errorRate, p99],
    });
    const { strategy: rendered, objects } = render({ strategy, trafficRouting: gateway, metricsSource: istio });
    expect(rendered.blueGreen.prePromotionAnalysis).toEqual({ templates: [{ templateName: 'web-pre-promotion-checks' }] });
    expect(rendered.blueGreen.postPromotionAnalysis).toEqual({ templates: [{ templateName: 'web-post-promotion-checks' }] });
    const [pre, post] = ofKind(objects, 'AnalysisTemplate');
    expect(pre.spec.metrics.map((m: any) => [m.name, m.count, m.failureLimit])).toEqual([['error-rate', 2, 1], ['latency-p99', 3, 2]]);
    expect(post.spec.metrics.map((m: any) => [m.name, m.count, m.failureLimit])).toEqual([['error-rate', 10, 1], ['latency-p99', 10, 2]]);
  });

  test('blue-green: before a bake promotion, the windows that fit in it, beside your own template', () => {
    const strategy = Strategy.blueGreen({
      testRoute: Match.header('x-env', 'preview'), promotion: bake(5), bakeTime: Duration.minutes(10), healthChecks: [errorRate],
    });
    const { strategy: rendered, objects } = render({ strategy, trafficRouting: gateway, metricsSource: istio, prePromotionAnalysis: 'smoke' },
      chart => [template(chart, 'smoke', { count: 2 })]);
    expect(rendered.blueGreen.prePromotionAnalysis).toEqual({ templates: [{ templateName: 'smoke' }, { templateName: 'web-pre-promotion-checks' }] });
    expect(ofKind(objects, 'AnalysisTemplate').find((t: any) => t.metadata.name === 'web-pre-promotion-checks').spec.metrics[0].count).toBe(5);
    // Without a test route nothing reaches the preview: only the bake after the switch is judged.
    const untested = render({ strategy: Strategy.blueGreen({ promotion: bake(5), healthChecks: [errorRate] }), metricsSource: istio });
    expect(untested.strategy.blueGreen.prePromotionAnalysis).toBeUndefined();
    expect(untested.strategy.blueGreen.postPromotionAnalysis).toEqual({ templates: [{ templateName: 'web-post-promotion-checks' }] });
  });

  test('blue-green with Envoy Gateway: the test route\'s rule before the switch, the other rule after it', () => {
    const strategy = Strategy.blueGreen({ testRoute: Match.header('x-env', 'preview'), promotion: StepGate.manualApproval(), healthChecks: [errorRate] });
    const envoy = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.envoyGateway() });
    const { objects, route } = render({ strategy, trafficRouting: gateway, metricsSource: envoy });
    const [pre, post] = ofKind(objects, 'AnalysisTemplate');
    expect(pre.spec.metrics[0].provider.prometheus.query).toContain(`envoy_cluster_name="httproute/shop/${route.metadata.name}/rule/0"`);
    expect(post.spec.metrics[0].provider.prometheus.query).toContain(`envoy_cluster_name="httproute/shop/${route.metadata.name}/rule/1"`);
  });

  test('CloudWatch: the canary\'s target group, the newest data point of the window', () => {
    const source = MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } });
    const { objects } = render({ strategy: canaryOf([errorRate]), replicas: 10, trafficRouting: gateway, metricsSource: source });
    const [metric] = ofKind(objects, 'AnalysisTemplate')[0].spec.metrics;
    expect(metric.successCondition).toBe('len(result) > 0 && len(result[0].Values) > 0 && result[0].Values[0] <= 1');
    expect(metric.failureCondition).toBe('len(result) > 0 && len(result[0].Values) > 0 && result[0].Values[0] > 1');
    expect(metric.provider.cloudWatch.interval).toBe('2m');
    expect(metric.provider.cloudWatch.metricDataQueries.map((q: any) => q.id)).toEqual(['requests', 'errors', 'value']);
  });

  test('an all-at-once rollout has no step to judge: no analysis, and the guardrails say nothing measures it', () => {
    const chart = shopChart();
    new ArgoRollout(chart, 'web', { strategy: Strategy.allAtOnce({ healthChecks: [errorRate] }), revision, metricsSource: istio });
    expect(ofKind(validatedManifests(chart), 'AnalysisTemplate')).toEqual([]);
    const pack = guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule());
    expect(findings(chart, 'CDS-R8', pack)).toEqual([
      'test/web: all at once on Argo Rollouts: nothing measures the new version (its health check is declared, but Argo Rollouts does not measure them)',
    ]);
  });

  test('the guardrails count the checks as an analysis (CDS-R1) and as measuring the rollout (CDS-R8)', () => {
    const chart = shopChart();
    const rollout = new ArgoRollout(chart, 'web', { strategy: canaryOf(), revision, replicas: 10, metricsSource: istio });
    const pack = guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule());
    expect([...findings(chart, 'CDS-R1', pack), ...findings(chart, 'CDS-R8', pack)]).toEqual([]);
    const subject = GuardrailSubject._of(rollout, guardrailFactsOf(rollout)[0]);
    expect(subject.rollbackTriggers).toEqual([{ kind: 'ANALYSIS', description: 'health checks error-rate, latency-p99 (AnalysisTemplate web-health-checks)' }]);
    expect(subject.healthChecks).toEqual(['error-rate', 'latency-p99']);
  });

  test.each<[string, Partial<ArgoRolloutProps>, string]>([
    ['checks without a metrics source', { strategy: canaryOf(), replicas: 10 },
      'ArgoRollout test/web: metricsSource is undefined: the rollout has health checks (error-rate, latency-p99), and Argo Rollouts measures them only through a metrics source. '
      + 'Pass metricsSource: MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }) or MetricsSource.cloudWatch({ ... }), or healthChecks: [] to render none.'],
    ['a Prometheus check read from CloudWatch', {
      strategy: canaryOf([HealthCheck.prometheus({ name: 'queue', query: 'sum(q)', maxValue: 1 })]),
      replicas: 10,
      trafficRouting: gateway,
      metricsSource: MetricsSource.cloudWatch({ loadBalancer: 'app/shop/50dc6c495c0c9188', targetGroups: { canary: 'targetgroup/web-canary/73e2d6bc24d8a067' } }),
    },
    'ArgoRollout test/web: strategy.healthChecks[0] (queue) is "queue: query above 1 for 2 windows of 1m": it is a PromQL query, and ArgoRollout test/web: metricsSource reads CloudWatch. '
      + 'Use MetricsSource.prometheus({ address, dialect }) for this rollout, or declare the check with HealthCheck.errorRate() or HealthCheck.latency().'],
    ['an Envoy Gateway canary, which shares its rule', {
      strategy: canaryOf([errorRate]),
      replicas: 10,
      trafficRouting: gateway,
      metricsSource: MetricsSource.prometheus({ address: 'http://prometheus:9090', dialect: PrometheusDialect.envoyGateway() }),
    },
    'ArgoRollout test/web: metricsSource is "Prometheus http://prometheus:9090 (Envoy Gateway)": the Envoy Gateway dialect cannot measure the canary of web alone: '
      + 'Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and the Argo Rollouts Gateway API plugin moves the canary\'s weight '
      + 'inside the one rule it shares with the stable Service. Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().'],
    ['a post-promotion bake too short for the check to fail', { strategy: Strategy.blueGreen({ bakeTime: Duration.minutes(2), healthChecks: [p99] }), metricsSource: istio },
      'ArgoRollout test/web: strategy.bakeTime is 2 minutes: Argo ends a post-promotion analysis when it scales the old environment down, after the bake time of 2m, which holds 2 windows of 1m, '
      + 'and health check "latency-p99" (ArgoRollout test/web: strategy.healthChecks[0] (latency-p99)) fails only after 3. Make it at least 3m, or give the check a shorter window or fewer failingWindows.'],
    ['a pre-promotion bake too short for the check to fail', {
      strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'preview'), promotion: StepGate.bake(Duration.seconds(90)), healthChecks: [errorRate] }),
      trafficRouting: gateway,
      metricsSource: istio,
    },
    'ArgoRollout test/web: strategy.promotion is "bake 1m 30s": the promotion gate holds the test phase for 1m 30s, which holds 1 window of 1m, and health check "error-rate" '
      + '(ArgoRollout test/web: strategy.healthChecks[0] (error-rate)) fails only after 2. Make it at least 2m, or give the check a shorter window or fewer failingWindows.'],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(attempt(props), message);
  });

  test('refuses a template named like the checks\' own, and Prometheus checks in a chart without a namespace', () => {
    expectValidationError(attempt({ strategy: canaryOf([errorRate]), replicas: 10, metricsSource: istio }, chart => [template(chart, 'web-health-checks')]),
      'ArgoRollout test/web: analysisTemplates is "web-health-checks": the rollout names its health checks\' AnalysisTemplate "web-health-checks", and one of analysisTemplates has that name. '
      + 'Rename your AnalysisTemplate, or give the rollout another name.');
    expectValidationError(() => new ArgoRollout(new Chart(Testing.app(), 'test'), 'web', { strategy: canaryOf([errorRate]), revision, replicas: 10, metricsSource: istio }),
      'ArgoRollout test/web: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Istio)": Prometheus queries select the new version\'s metrics by namespace, and the chart has no namespace '
      + '(the manifests go to whatever namespace kubectl uses). Create the rollout in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).');
  });
});

describe('random props', () => {
  // Gates as Argo expresses them (a manual approval with a timeout now and then, which it cannot), and
  // analysis gates naming the templates below, or one not passed.
  const argoGateArb = fc.oneof(
    fc.integer({ min: 1, max: 3600 }).map(s => StepGate.bake(Duration.seconds(s))),
    fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 60, max: 3600 }) })
      .map(t => StepGate.manualApproval({ timeout: t === undefined ? undefined : Duration.seconds(t) })),
    fc.tuple(fc.constantFrom('error-rate', 'error-rate', 'smoke', 'latency'), fc.integer({ min: 1, max: 10 }))
      .map(([name, minutes]) => StepGate.analysis({ name, duration: Duration.minutes(minutes) })),
  );
  const argoStrategyArb = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 5 })
        .chain(weights => fc.tuple(
          fc.constant(weights.sort((a, b) => a - b)),
          fc.array(argoGateArb, { minLength: weights.length, maxLength: weights.length })))
        .chain(([weights, gates]) => fc.tuple(fc.constant(weights), fc.constant(gates), fc.option(fc.record({
          testRoute: fc.oneof(fc.constant(Match.header('x-qa', '1')), matchArb),
          testGate: fc.option(argoGateArb, { nil: undefined }),
        }), { nil: undefined, freq: 3 })))
        .map(([weights, gates, test]) => Strategy.canary({ steps: weights.map((weight, i) => ({ weight, gate: gates[i] })), ...test })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 5, max: 50 }), fc.integer({ min: 1, max: 600 }))
        .map(([stepPercent, s]) => Strategy.linear({ stepPercent, interval: Duration.seconds(s) })),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        bake: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 3600 }) }, { weight: 1, arbitrary: fc.constant(0) }),
        promotion: fc.option(argoGateArb, { nil: undefined }),
        testRoute: fc.option(matchArb, { nil: undefined, freq: 3 }),
      }).map(p => Strategy.blueGreen({ bakeTime: Duration.seconds(p.bake), promotion: p.promotion, testRoute: p.testRoute })),
    },
    { weight: 1, arbitrary: fc.constant(Strategy.ALL_AT_ONCE) },
  );
  // Templates of metrics measuring every 30 s or minute, without a count (taken from the gate) or, for
  // `post-check`, with one, as pre- and post-promotion analyses need.
  const templateArb = (name: string, counted: boolean) => fc.record({
    name: fc.constant(name),
    metrics: fc.uniqueArray(fc.record({
      name: fc.constantFrom('success-rate', 'latency-p99'),
      interval: fc.constantFrom(30, 60),
      count: counted ? fc.integer({ min: 1, max: 5 })
        : fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) }),
      failureLimit: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(1) }),
    }).map(m => (m.count === 1 ? { ...m, failureLimit: undefined } : m)), { minLength: 1, maxLength: 2, selector: m => m.name }),
  });

  // Where the checks are measured: each dialect, a custom one by Service, CloudWatch with some of the target groups.
  const metricsSourceArb = fc.oneof(
    fc.constantFrom(PrometheusDialect.istio(), PrometheusDialect.envoyGateway(), PrometheusDialect.custom({
      requests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}"}',
      failedRequests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}",code=~"{{statusCodes}}"}',
      latencyBuckets: 'http_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{service}}"}',
    })).chain(dialect => fc.constantFrom(15, 30, 60).map(scrape => MetricsSource.prometheus({
      address: 'http://prometheus.monitoring:9090', dialect, scrapeInterval: Duration.seconds(scrape),
    }))),
    fc.subarray(['canary', 'preview', 'active']).map(roles => MetricsSource.cloudWatch({
      loadBalancer: 'app/shop/50dc6c495c0c9188',
      targetGroups: Object.fromEntries(roles.map((role, i) => [role, `targetgroup/web-${role}/73e2d6bc24d8a06${i}`])),
    })),
  );

  const propsArb = tidyOrNot(({
    untidy, either, maybe, gateway: gatewayArb, hostnames, name, port, replicas, revision: revisionArb, strategy,
  }) => fc.record({
    namespace: either(fc.constant('shop'), fc.constant(undefined)),
    templates: fc.tuple(
      fc.option(templateArb('error-rate', false), { nil: undefined, freq: 8 }),
      fc.option(templateArb('smoke', false), { nil: undefined, freq: 8 }),
      fc.option(templateArb('post-check', true), { nil: undefined, freq: 8 }),
    ).map(ts => ts.filter(t => t !== undefined)),
    // A template in another chart, of another namespace, now and then.
    templateElsewhere: either(fc.constant(false), fc.constant(true)),
    props: fc.record({
      strategy: fc.oneof({ weight: 4, arbitrary: argoStrategyArb }, { weight: 1, arbitrary: strategy }),
      revision: revisionArb,
      name: maybe(name),
      // Mostly enough replicas for canary weights in whole replicas; the default of 2 now and then.
      replicas: fc.option(either(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(20, 50, 100) }, { weight: 1, arbitrary: replicas }),
        fc.constantFrom(0, 1.5)), { nil: undefined, freq: 6 }),
      port: maybe(port),
      trafficRouting: maybe(either(fc.oneof(
        fc.constant(ArgoTrafficRouting.replicaCount()),
        fc.record({ gateway: gatewayArb, hostnames: maybe(hostnames) }, { requiredKeys: ['gateway'] }).map(p => {
          try {
            return ArgoTrafficRouting.gatewayApi(p);
          } catch {
            return ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway' } });
          }
        })), fc.constantFrom('gatewayApi', { gateway: { name: 'public' } }))),
      weightTolerance: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: either(fc.integer({ min: 0, max: 50 }), fc.constantFrom(-1, 60, NaN)) }),
      prePromotionAnalysis: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: either(fc.constantFrom('post-check', 'smoke'), fc.constantFrom('Post', 'missing')) }),
      postPromotionAnalysis: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: either(fc.constantFrom('post-check', 'error-rate'), fc.constantFrom('Post', 'missing')) }),
      healthChecks: fc.option(healthChecksArb, { nil: undefined, freq: 2 }),
      metricsSource: fc.option(metricsSourceArb, { nil: undefined, freq: 4 }),
    }, { requiredKeys: ['strategy', 'revision'] }),
  }).map(p => {
    if (untidy) return p;
    // Tidy: pre- and post-promotion analyses only in blue-green rollouts, which run them.
    const blueGreen = p.props.strategy.kind === 'BLUE_GREEN';
    const props = blueGreen ? p.props : { ...p.props, prePromotionAnalysis: undefined, postPromotionAnalysis: undefined };
    return { ...p, templateElsewhere: false, props };
  }));

  test('either synthesize a valid Rollout whose steps are the strategy\'s, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ namespace, templates, templateElsewhere, props }) => {
      const app = Testing.app();
      const chart = new Chart(app, 'test', { namespace });
      const elsewhere = new Chart(app, 'other', { namespace: 'other' });
      const analysisTemplates = templates.map((t, i) => new AnalysisTemplate(templateElsewhere && i === 0 ? elsewhere : chart, t.name, {
        name: t.name,
        metrics: t.metrics.map(m => AnalysisMetric.prometheus({ ...metricProps, ...m, interval: Duration.seconds(m.interval) })),
      }));
      const construct = new ArgoRollout(chart, 'web', { ...props, analysisTemplates } as ArgoRolloutProps);
      const objects = validatedManifests(chart);
      const [rollout] = ofKind(objects, 'Rollout');
      const strategy: Strategy = props.strategy;
      expect(ofKind(objects, 'HTTPRoute')).toHaveLength(construct.route ? 1 : 0);
      expect(construct.route !== undefined).toBe((props.trafficRouting as ArgoTrafficRouting | undefined)?.usesGatewayApi ?? false);
      if (strategy.kind === 'BLUE_GREEN') {
        expect(rollout.spec.strategy.blueGreen.scaleDownDelaySeconds).toBe(strategy.bakeTime!.toSeconds());
        expect(rollout.spec.strategy.blueGreen.autoPromotionEnabled).toBe(strategy.promotion?.kind === 'MANUAL_APPROVAL' ? false : undefined);
      } else {
        // One setWeight per step of the strategy, in order, each followed by its gate; a test phase is
        // a header route to a canary scaled apart from its weight, held by its gate, then scaled by weight again.
        const steps: any[] = rollout.spec.strategy.canary.steps;
        const shifts = strategy.steps.filter(s => s.weight > 0);
        expect(steps.filter(s => s.setWeight !== undefined).map(s => s.setWeight)).toEqual(shifts.map(s => s.weight));
        const test = strategy.testRoute ? 3 : 0;
        expect(steps).toHaveLength(test + shifts.length + strategy.steps.filter(s => s.gate).length);
        expect(steps.filter(s => s.setHeaderRoute).length).toBe(strategy.testRoute ? 1 : 0);
        expect(rollout.spec.strategy.canary.trafficRouting?.managedRoutes).toEqual(strategy.testRoute ? [{ name: 'test-route' }] : undefined);
      }
      expect(JSON.parse(rollout.metadata.annotations[PLAN_ANNOTATION]).plan.steps).toHaveLength(strategy.steps.length);
      // Health checks: one template per judged phase, one metric per check, failing after its failing windows.
      const checks: HealthCheck[] = props.healthChecks ?? strategy.healthChecks;
      const ours = ofKind(objects, 'AnalysisTemplate').filter((t: any) => /-(health-checks|pre-promotion-checks|post-promotion-checks)$/.test(t.metadata.name));
      expect(ours.length > 0).toBe(checks.length > 0 && construct.plan.steps.some(step => step.watchedBy !== undefined));
      for (const t of ours) {
        expect(t.spec.metrics.map((m: any) => [m.name, m.failureLimit])).toEqual(checks.map(c => [c.name, c.failingWindows - 1]));
        // Blue-green analyses end (so Argo goes on); a canary's runs until the rollout ends.
        for (const m of t.spec.metrics) expect(m.count === undefined).toBe(strategy.kind !== 'BLUE_GREEN');
      }
      expect(construct.plan.healthChecks.map(c => c.name)).toEqual(checks.map(c => c.name));
    }, { quickRuns: 40 });
  });

  test('health checks: mostly measurable rollouts render a template per judged phase, or refuse with the library error', () => {
    let measured = 0;
    const arb = fc.record({
      strategy: argoStrategyArb,
      healthChecks: fc.uniqueArray(healthCheckArb, { minLength: 1, maxLength: 3, selector: c => c.name }),
      metricsSource: fc.oneof({ weight: 4, arbitrary: fc.constant(MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() })) },
        { weight: 2, arbitrary: metricsSourceArb }),
      gatewayRouting: fc.boolean(),
      version: fc.option(fc.constantFrom('1.4.2', '2.0.0-rc.1'), { nil: undefined, freq: 5 }),
    });
    expectBuildsOrRefuses(arb, p => {
      const chart = shopChart();
      const construct = new ArgoRollout(chart, 'web', {
        strategy: p.strategy.withHealthChecks(p.healthChecks),
        revision: { ...revision, version: p.version },
        replicas: 20,
        trafficRouting: p.gatewayRouting ? gateway : undefined,
        metricsSource: p.metricsSource,
      });
      const objects = validatedManifests(chart);
      const [rollout] = ofKind(objects, 'Rollout');
      const ours = ofKind(objects, 'AnalysisTemplate');
      const watched = construct.plan.steps.map(step => step.watchedBy !== undefined);
      expect(ours.length > 0).toBe(watched.includes(true));
      if (ours.length > 0) measured++;
      for (const t of ours) {
        expect(t.spec.metrics.map((m: any) => [m.name, m.failureLimit, m.interval]))
          .toEqual(p.healthChecks.map(c => [c.name, c.failingWindows - 1, argoDurationOf(c.window.toSeconds())]));
        // Every measurement either passes, fails or (no value) is neither.
        for (const m of t.spec.metrics) expect(m.successCondition.split(' && ')[0]).toBe(m.failureCondition.split(' && ')[0]);
      }
      if (p.strategy.kind === 'BLUE_GREEN') {
        const bg = rollout.spec.strategy.blueGreen;
        expect(bg.prePromotionAnalysis !== undefined).toBe(watched[0]);
        expect(bg.postPromotionAnalysis !== undefined).toBe(watched[1]);
        for (const t of ours) {
          const limit = t.metadata.name.endsWith('post-promotion-checks') ? p.strategy.bakeTime!.toSeconds() : undefined;
          for (const m of t.spec.metrics) {
            const check = p.healthChecks.find(c => c.name === m.name)!;
            expect(m.count).toBeGreaterThanOrEqual(check.failingWindows);
            if (limit !== undefined) expect(m.count * check.window.toSeconds()).toBeLessThanOrEqual(limit);
          }
        }
      } else if (ours.length > 0) {
        // The background analysis starts where the first judged step's traffic does.
        const start = rollout.spec.strategy.canary.analysis.startingStep ?? 0;
        const step = rollout.spec.strategy.canary.steps[start];
        expect(step.setWeight !== undefined || step.setHeaderRoute !== undefined).toBe(true);
      }
    }, { quickRuns: 30 });
    expect(measured).toBeGreaterThan(0);
  });
});
