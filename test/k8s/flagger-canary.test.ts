import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Match, StepGate, Strategy, guardrails } from '../../src';
import { Release } from '../../src/core/release';
import { ArgoRollout, ArgoTrafficRouting, AnalysisMetric, AnalysisTemplate, FlaggerCanary, FlaggerCanaryProps, FlaggerMetric, KubernetesRelease } from '../../src/k8s';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
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
    }, { quickRuns: 30 });
  });
});
