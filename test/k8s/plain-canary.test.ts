import { Duration } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { stepContextKey } from '../../src/core/private/step';
import { PlainBlueGreen } from '../../src/k8s/plain-blue-green';
import { PlainCanary, PlainCanaryProps } from '../../src/k8s/plain-canary';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { KubernetesRevision } from '../../src/k8s/revision';
import { canaryArb, linearArb } from '../support/arbitraries';
import { findings } from '../support/guardrails';
import { ofKind, validatedManifests } from '../support/k8s';
import { servingOn, servingPort, tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const v1: KubernetesRevision = { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 8080 }], version: '1.0.0' };
const v2: KubernetesRevision = { containers: [{ image: 'ghcr.io/example/web:1.1.0', portNumber: 8080 }], version: '1.1.0' };
const where = 'PlainCanary test/web';
const NAME = 'app.kubernetes.io/name';
const ROLE = 'cdk-deploy-strategies.dev/role';
const VERSION = 'app.kubernetes.io/version';
const bake = StepGate.bake(Duration.minutes(5));
const tenFiftyCanary = Strategy.canary({ steps: [{ weight: 10, gate: bake }, { weight: 50, gate: StepGate.manualApproval() }] });

function render(props: Partial<PlainCanaryProps> = {}, context: Record<string, unknown> = {}) {
  const chart = Testing.chart();
  for (const [key, value] of Object.entries(context)) chart.node.setContext(key, value);
  const construct = new PlainCanary(chart, 'web', { strategy: tenFiftyCanary, stable: v1, candidate: v2, ...props });
  const objects = validatedManifests(chart);
  const named = (name: string | undefined) => objects.find(o => o.metadata.name === name);
  return {
    construct,
    objects,
    stable: named(construct.stableDeployment.name),
    canary: named(construct.canaryDeployment?.name),
    service: named(construct.service.name),
  };
}

const imageOf = (deployment: any) => deployment.spec.template.spec.containers[0].image;
const split = (r: ReturnType<typeof render>) => [r.stable.spec.replicas, r.canary?.spec.replicas];

describe('rendering', () => {
  test('renders Stable and Canary Deployments and one Service; step 1 by default', () => {
    const result = render();
    const { construct, objects, stable, canary } = result;
    expect(ofKind(objects, 'Deployment')).toHaveLength(2);
    expect(ofKind(objects, 'Service')).toHaveLength(1);
    expect([imageOf(stable), imageOf(canary)]).toEqual(['ghcr.io/example/web:1.0.0', 'ghcr.io/example/web:1.1.0']);
    expect(stable.spec.selector.matchLabels).toEqual({ [NAME]: 'web', [ROLE]: 'stable' });
    expect(canary.spec.selector.matchLabels).toEqual({ [NAME]: 'web', [ROLE]: 'canary' });
    expect(split(result)).toEqual([9, 1]);
    expect(construct.step?.index).toBe(1);
  });

  test.each([
    [1, 9, 1],
    [2, 5, 5],
    [3, 0, 10],
  ])('step %i splits the 10 replicas %i stable, %i canary', (step, stableReplicas, canaryReplicas) => {
    expect(split(render({ step }))).toEqual([stableReplicas, canaryReplicas]);
  });

  test('a linear rollout moves one replica in ten per step', () => {
    const strategy = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE;
    for (let step = 1; step <= 10; step++) {
      expect(split(render({ strategy, step }))).toEqual([10 - step, step]);
    }
  });

  test('the replica count is split in proportion, rounded to whole replicas', () => {
    expect(split(render({ replicas: 20, step: 1 }))).toEqual([18, 2]);
    expect(split(render({ replicas: 4, step: 2, strategy: Strategy.canary({ steps: [{ weight: 25, gate: bake }, { weight: 75, gate: bake }] }) })))
      .toEqual([1, 3]);
  });

  test('all at once is refused: every stable pod would go before the candidate\'s are ready', () => {
    expectValidationError(() => render({ strategy: Strategy.ALL_AT_ONCE }),
      'PlainCanary test/web: strategy is "all at once": plain Kubernetes would scale every stable pod away in the same commit that starts the candidate\'s, and does not wait for them to be ready. Update the stable revision instead (a Deployment rolling update keeps pods serving), or use a canary such as Strategy.CANARY_10PERCENT_5MINUTES.');
  });

  test('the context chooses the step, under the key "<construct path>:step", as a number or as text', () => {
    for (const value of [2, '2']) {
      const result = render({}, { 'test/web:step': value });
      expect(stepContextKey(result.construct)).toBe('test/web:step');
      expect(split(result)).toEqual([5, 5]);
    }
  });

  test('the step prop wins over the context', () => {
    expect(split(render({ step: 3 }, { 'test/web:step': 1 }))).toEqual([0, 10]);
  });

  test('without a candidate every replica is stable and there is no Canary Deployment', () => {
    const { construct, objects, stable } = render({ candidate: undefined }, { 'test/web:step': 2 });
    expect(ofKind(objects, 'Deployment')).toEqual([stable]);
    expect(stable.spec.replicas).toBe(10);
    expect(construct.canaryDeployment).toBeUndefined();
    expect(construct.step).toBeUndefined();
  });

  test('the Service selects only the name label, so it spans the pods of both revisions', () => {
    const { objects, service } = render({ name: 'storefront' });
    expect(service.spec.selector).toEqual({ [NAME]: 'storefront' });
    const deployments = ofKind(objects, 'Deployment');
    for (const deployment of deployments) {
      const labels = deployment.spec.template.metadata.labels;
      expect(labels[NAME]).toBe('storefront');
      for (const selector of [service.spec.selector, deployment.spec.selector.matchLabels]) {
        for (const [key, value] of Object.entries(selector)) expect(labels[key]).toBe(value);
      }
    }
    // Each Deployment's own selector picks its pods only.
    expect(new Set(deployments.map(d => d.spec.selector.matchLabels[ROLE]))).toEqual(new Set(['stable', 'canary']));
  });

  test('defaults: 10 replicas, the Service on port 80 forwarding to the first container\'s port; port can be set', () => {
    expect(render().service.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(render({ port: 8000 }).service.spec.ports).toEqual([{ port: 8000, targetPort: 8080 }]);
  });

  test('the version label is set when given, and absent otherwise', () => {
    const { stable, canary } = render({ candidate: { containers: v2.containers } });
    expect(stable.spec.template.metadata.labels[VERSION]).toBe('1.0.0');
    expect(canary.spec.template.metadata.labels).not.toHaveProperty(VERSION);
  });

  test('keeps the cdk8s-plus secure defaults on the pods', () => {
    const { canary } = render();
    expect(canary.spec.template.spec.containers[0].securityContext)
      .toEqual(expect.objectContaining({ runAsNonRoot: true, readOnlyRootFilesystem: true }));
  });

  test('records the replica-ratio plan and the rendered step on the Service', () => {
    const { construct, service } = render({ step: 2 });
    const recorded = JSON.parse(service.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.controller).toBe('plain Kubernetes');
    expect(recorded.step).toBe(2);
    expect(recorded.plan).toEqual(JSON.parse(JSON.stringify(construct.plan.toJson())));
    expect(recorded).not.toHaveProperty('table');
    expect(recorded.plan.capacity).toBe('REPLICA_RATIO');
    expect(recorded.plan.steps.map((s: any) => s.candidateReplicas)).toEqual([1, 5, 10]);
    expect(JSON.parse(render({ candidate: undefined }).service.metadata.annotations[PLAN_ANNOTATION])).not.toHaveProperty('step');
  });

  test('promotion: rolling stable at the last step changes no pod, then dropping the candidate scales Stable back up', () => {
    const last = render({ step: 3 });
    const rolled = render({ step: 3, stable: v2 });
    expect(split(rolled)).toEqual([0, 10]);
    expect(rolled.canary).toEqual(last.canary);
    expect(imageOf(rolled.stable)).toBe('ghcr.io/example/web:1.1.0');
    const promoted = render({ stable: v2, candidate: undefined });
    expect(promoted.stable.metadata.name).toBe(rolled.stable.metadata.name);
    expect(promoted.stable.spec.template).toEqual(rolled.stable.spec.template);
    expect(promoted.stable.spec.replicas).toBe(10);
    expect(promoted.service.metadata.name).toBe(last.service.metadata.name);
    expect(promoted.canary).toBeUndefined();
  });
});

describe('errors', () => {
  test('another construct of the chart with the application name: the Service, selecting by name alone, would take its pods', () => {
    const FIX = 'Give one of them a distinct name (the name prop, which defaults to the construct id).';
    const first = Testing.chart();
    new PlainBlueGreen(first, 'web', { strategy: Strategy.BLUE_GREEN, stable: v1 });
    expectValidationError(() => new PlainCanary(first, 'canary', { name: 'web', strategy: tenFiftyCanary, stable: v1 }),
      `PlainCanary test/canary: name is "web": PlainBlueGreen test/web in the same chart has this application name, and their selectors overlap (${NAME}=web), so each would select the other's pods. ${FIX}`);
    const second = Testing.chart();
    new PlainCanary(second, 'web', { strategy: tenFiftyCanary, stable: v1 });
    expectValidationError(() => new PlainCanary(second, 'again', { name: 'web', strategy: tenFiftyCanary, stable: v1 }),
      `PlainCanary test/again: name is "web": PlainCanary test/web in the same chart has this application name, and their selectors overlap (${NAME}=web), so each would select the other's pods. ${FIX}`);
    new PlainCanary(second, 'api', { strategy: tenFiftyCanary, stable: v1 });
  });

  test('refuses a step out of range, from the prop or the context', () => {
    const range = 'the plan has steps 1 to 3 (canary 10% (bake 5m) → 50% (manual approval) → 100%). Render a step from 1 to 3, numbered as in the plan\'s table '
      + '(step 3 sends everything to the candidate).';
    expectValidationError(() => render({ step: 4 }), `${where}: step is 4: ${range}`);
    expectValidationError(() => render({}, { 'test/web:step': 'next' }), `${where}: context "test/web:step" is "next": ${range}`);
  });

  test('refuses a step without a candidate', () => {
    expectValidationError(() => render({ candidate: undefined, step: 1 }),
      `${where}: step is 1: there is no candidate, so no step of the plan applies. Add the candidate revision to release, or leave step out.`);
  });

  test('refuses a weight that whole replicas cannot approximate within the tolerance, naming a replica count that can', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 2, gate: bake }] });
    expectValidationError(() => render({ strategy }),
      `${where}: replicas is 10: plain Kubernetes splits traffic by replica count, and step 1's 2% becomes 10% (1 of 10 replicas), 8 points off, beyond the tolerance of 5. `
      + 'Use at least 15 replicas, raise the tolerance, or use GatewayRollout for exact weights.');
    // Even without a candidate: the next release would fail.
    expectValidationError(() => render({ strategy, candidate: undefined, replicas: 12 }),
      `${where}: replicas is 12: plain Kubernetes splits traffic by replica count, and step 1's 2% becomes 8.3% (1 of 12 replicas), 6.3 points off, beyond the tolerance of 5. `
      + 'Use at least 15 replicas, raise the tolerance, or use GatewayRollout for exact weights.');
    expect(split(render({ strategy, replicas: 15 }))).toEqual([14, 1]);
    expect(split(render({ strategy, weightTolerance: 8 }))).toEqual([9, 1]);
  });

  test('a tolerance of 0 asks for exact splits', () => {
    expectValidationError(() => render({ strategy: Strategy.canary({ steps: [{ weight: 15, gate: bake }] }), weightTolerance: 0 }),
      `${where}: replicas is 10: plain Kubernetes splits traffic by replica count, and step 1's 15% becomes 20% (2 of 10 replicas), 5 points off, beyond the tolerance of 0. `
      + 'Use at least 20 replicas, raise the tolerance, or use GatewayRollout for exact weights.');
  });

  // Found by the random props: the tolerance was checked against the split rounded to 0.1%, so 4 of 17
  // replicas (23.53%) passed for 20.8% with a tolerance of 2.7, as if it were 23.5%.
  test('the tolerance holds for the replica split itself, not the split rounded to 0.1%', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 20.8, gate: bake }] });
    expectValidationError(() => render({ strategy, replicas: 17, weightTolerance: 2.7 }),
      `${where}: replicas is 17: plain Kubernetes splits traffic by replica count, and step 1's 20.8% becomes 23.53% (4 of 17 replicas), 2.73 points off, beyond the tolerance of 2.7. `
      + 'Use at least 18 replicas, raise the tolerance, or use GatewayRollout for exact weights.');
    expect(split(render({ strategy, replicas: 17, weightTolerance: 2.8 }))).toEqual([13, 4]);
  });

  test.each([
    ['a blue-green strategy', Strategy.BLUE_GREEN, '"blue-green (bake 5m)"',
      'PlainCanary splits traffic by replica count, and blue-green runs two full environments with one switch. '
      + 'Use PlainBlueGreen for a blue-green release, or a canary strategy such as Strategy.CANARY_10PERCENT_5MINUTES.'],
    ['a test route', Strategy.blueGreen({ testRoute: Match.header('x-env', 'canary') }), '"blue-green (test route header x-env=canary, bake 5m)"',
      'plain Kubernetes Services select pods by label only, so they cannot route by header, cookie or query parameter (test route header x-env=canary). '
      + 'Remove the test route and test the candidate through the Preview Service of a PlainBlueGreen, or use GatewayRollout or ArgoRollout for a test route.'],
    ['a canary\'s test route', Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }),
      '"canary test route header x-qa=1 → 10% (bake 5m) → 100%"',
      'plain Kubernetes Services select pods by label only, so they cannot route by header, cookie or query parameter (test route header x-qa=1). '
      + 'Remove the test route and test the candidate through the Preview Service of a PlainBlueGreen, or use GatewayRollout or ArgoRollout for a test route.'],
  ])('refuses %s', (_, strategy, shown, rest) => {
    expectValidationError(() => render({ strategy }), `${where}: strategy is ${shown}: ${rest}`);
  });

  test.each([
    ['props that are not an object', () => new PlainCanary(Testing.chart(), 'web', undefined as any),
      `${where}: props is undefined: it must be an object. Pass { strategy, stable: { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] } }.`],
    ['a strategy that is not a Strategy', () => render({ strategy: { kind: 'CANARY' } as any }),
      `${where}: strategy is an object: a release needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`],
    ['a construct id that is not a DNS label', () => new PlainCanary(Testing.chart(), 'Web_Shop', { strategy: tenFiftyCanary, stable: v1 }),
      'PlainCanary test/Web_Shop: name (the construct id, by default) is "Web_Shop": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "web-shop".'],
    ['a stable revision that is not an object', () => render({ stable: 'ghcr.io/example/web:1.0.0' as any }),
      `${where}: stable is "ghcr.io/example/web:1.0.0": it must be an object. Pass { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] }.`],
    ['a candidate with a bad version', () => render({ candidate: { ...v2, version: '1.1.0+build' } }),
      `${where}: candidate.version is "1.1.0+build": it becomes a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit. Use a version such as "1.4.2".`],
    ['a candidate on another port', () => render({ candidate: { containers: [{ image: 'ghcr.io/example/web:2.0.0', portNumber: 9090 }] } }),
      `${where}: candidate.containers[0].portNumber is 9090: one Service spans both revisions, so the candidate must serve on the stable revision's port (8080). `
      + 'Serve the candidate on port 8080, or release the port change with PlainBlueGreen, whose Services follow their slot.'],
    ['a stable container port out of range', () => render({ stable: { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 0 }] } }),
      `${where}: stable.containers[0].portNumber is 0: a port is a whole number from 1 to 65535. Use a port such as 8080.`],
    ['a single replica', () => render({ replicas: 1 }),
      `${where}: replicas is 1: a replica count is a whole number from 2 to 10000. Use a whole number such as 4.`],
    ['a tolerance out of range', () => render({ weightTolerance: 60 }),
      `${where}: weightTolerance is 60: a tolerance is a number of percentage points from 0 to 50. Use a tolerance such as 5.`],
    ['a port that is not a number', () => render({ port: '80' as any }),
      `${where}: port is "80": a port is a whole number from 1 to 65535. Use a port such as 80.`],
  ])('refuses %s', (_, fn, message) => {
    expectValidationError(fn, message);
  });
});

describe('random props', () => {
  const canaryPresetArb = fc.constantFrom(Strategy.CANARY_10PERCENT_5MINUTES, Strategy.CANARY_10PERCENT_30MINUTES,
    Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, Strategy.LINEAR_10PERCENT_EVERY_10MINUTES, tenFiftyCanary);
  const propsArb = tidyOrNot(({ untidy, either, maybe, name, port, revision, step, strategy }) => fc.record({
    contextStep: maybe(either(fc.integer({ min: 1, max: 12 }).map(String), fc.constantFrom('0', 'last', 99))),
    stable: revision,
    candidate: fc.option(revision, { nil: undefined, freq: 5 }),
    // One Service spans both revisions, so the candidate mostly serves on the stable revision's port.
    samePort: fc.nat(5).map(n => n > 0),
    props: fc.record({
      // Mostly canary and linear strategies (what PlainCanary expresses), sometimes any other.
      strategy: fc.oneof({ weight: 6, arbitrary: fc.oneof(canaryPresetArb, canaryArb, linearArb) }, { weight: 1, arbitrary: strategy }),
      name: maybe(name),
      replicas: maybe(either(fc.oneof(fc.constantFrom(10, 20, 40), fc.integer({ min: 2, max: 40 })), fc.constantFrom(1, 0, 2.5, NaN))),
      weightTolerance: maybe(either(fc.oneof(fc.constantFrom(5, 10, 25, 50), fc.integer({ min: 0, max: 500 }).map(t => t / 10)), fc.constantFrom(-1, 51, NaN, '5'))),
      port: maybe(port),
      step: maybe(either(fc.integer({ min: 1, max: 12 }), step)),
    }, { requiredKeys: ['strategy'] }),
  }).map(({ stable, candidate, samePort, props, contextStep }) => {
    const stablePort = servingPort(stable);
    const matched = samePort && candidate?.containers?.[0] && typeof stablePort === 'number' ? servingOn(candidate, stablePort) : candidate;
    // A step without a candidate is refused: tidy props give one only with a candidate.
    return { contextStep, stable, candidate: matched, props: untidy || candidate ? props : { ...props, step: undefined } };
  }));

  test('either synthesize valid Deployments splitting the replicas by the step\'s weight, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ contextStep, stable, candidate, props }) => {
      const context = contextStep === undefined ? {} : { 'test/web:step': contextStep };
      const { construct, stable: stableDeployment, canary, service } = render({ stable, candidate, ...props } as PlainCanaryProps, context);
      const replicas = props.replicas ?? 10;
      expect(stableDeployment.spec.replicas + (canary?.spec.replicas ?? 0)).toBe(replicas);
      expect(canary?.spec.replicas).toBe(construct.step?.candidateReplicas);
      if (construct.step) {
        const share = 100 * construct.step.candidateReplicas! / replicas;
        const asked = construct.plan.strategy.steps[construct.step.index - 1].weight;
        expect(Math.abs(share - asked)).toBeLessThanOrEqual((props.weightTolerance ?? 5) + 1e-9);
      }
      expect(JSON.parse(service.metadata.annotations[PLAN_ANNOTATION]).step).toBe(construct.step?.index);
    });
  });
});

test('measures nothing, so the guardrails say the strategy\'s health checks are declared but not rendered (CDS-R8)', () => {
  const { construct } = render({ strategy: tenFiftyCanary.withHealthChecks([HealthCheck.errorRate({ maxErrorPercent: 1 })]) });
  const pack = guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule());
  expect(findings(construct.node.scope!, 'CDS-R8', pack)).toEqual(['test/web: canary 10% (bake 5m) → 50% (manual approval) → 100% on plain Kubernetes: nothing measures the new version (its health check is declared, but plain Kubernetes does not measure them)']);
});
