import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { CapacityMode, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { GatewayRollout, GatewayRolloutProps } from '../../src/k8s/gateway-rollout';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { KubernetesRevision } from '../../src/k8s/revision';
import { findings } from '../support/guardrails';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'GatewayRollout test/web';
const v1: KubernetesRevision = { containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 8080 }], version: '1.0.0' };
const v2: KubernetesRevision = { containers: [{ image: 'registry.example.com/web:2.0.0', portNumber: 9090 }], version: '2.0.0' };
const canary = Strategy.canary({
  steps: [
    { weight: 12.5, gate: StepGate.bake(Duration.minutes(10)) },
    { weight: 50, gate: StepGate.manualApproval() },
  ],
});
const blueGreen = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });

function chartWith(context: Record<string, string> = {}): Chart {
  const app = Testing.app();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  return new Chart(app, 'test');
}

function render(props: Partial<GatewayRolloutProps> = {}, context: Record<string, string> = {}) {
  const chart = chartWith(context);
  const rollout = new GatewayRollout(chart, 'web', { strategy: canary, gateway: { name: 'public' }, stable: v1, candidate: v2, ...props });
  const objects = validatedManifests(chart);
  const [route] = ofKind(objects, 'HTTPRoute');
  return { chart, rollout, objects, route, rules: route.spec.rules };
}

function attempt(props: Partial<GatewayRolloutProps>, id = 'web') {
  return () => new GatewayRollout(Testing.chart(), id, { strategy: canary, gateway: { name: 'public' }, stable: v1, candidate: v2, ...props } as GatewayRolloutProps);
}

/** The weights of the weighted rule, by role. */
function weights(rules: any[], rollout: GatewayRollout) {
  const split = rules[rules.length - 1].backendRefs;
  expect(split.map((b: any) => b.name)).toEqual([rollout.stableService.name, rollout.canaryService!.name]);
  return split.map((b: any) => b.weight);
}

describe('objects', () => {
  test('a Deployment and a Service per revision, and a route attached to the Gateway', () => {
    const { rollout, objects, route } = render({ gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' }, hostnames: ['shop.example.com'] });
    expect(rollout.node.children.map(c => c.node.id)).toEqual(['Stable', 'StableService', 'Canary', 'CanaryService', 'Route']);
    expect(objects.map(o => o.kind)).toEqual(['Deployment', 'Service', 'Deployment', 'Service', 'HTTPRoute']);

    const [stable, canaryDeployment] = ofKind(objects, 'Deployment');
    const selects = (role: string) => ({ 'app.kubernetes.io/name': 'web', 'cdk-deploy-strategies.dev/role': role });
    expect(stable.spec.replicas).toBe(2);
    expect(stable.spec.selector.matchLabels).toEqual(selects('stable'));
    expect(stable.spec.template.metadata.labels).toMatchObject({ ...selects('stable'), 'app.kubernetes.io/version': '1.0.0' });
    expect(stable.spec.template.spec.containers[0].image).toBe('registry.example.com/web:1.0.0');
    expect(canaryDeployment.spec.replicas).toBe(2);
    expect(canaryDeployment.spec.selector.matchLabels).toEqual(selects('canary'));
    expect(canaryDeployment.spec.template.spec.containers[0].image).toBe('registry.example.com/web:2.0.0');
    // cdk8s-plus secure defaults stay on.
    expect(canaryDeployment.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });

    const [stableService, canaryService] = ofKind(objects, 'Service');
    expect(stableService.metadata.name).toBe(rollout.stableService.name);
    expect(stableService.spec.selector).toEqual(selects('stable'));
    expect(stableService.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(canaryService.metadata.name).toBe(rollout.canaryService!.name);
    expect(canaryService.spec.selector).toEqual(selects('canary'));
    expect(canaryService.spec.ports).toEqual([{ port: 80, targetPort: 9090 }]);

    expect(route.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    expect(route.spec.rules).toEqual([{
      backendRefs: [
        { name: rollout.stableService.name, port: 80, weight: 875 },
        { name: rollout.canaryService!.name, port: 80, weight: 125 },
      ],
    }]);
  });

  test('name, replicas and port as given', () => {
    const { rollout, objects, route } = render({ name: 'checkout', replicas: 5, port: 8000 });
    expect(rollout.appName).toBe('checkout');
    for (const d of ofKind(objects, 'Deployment')) {
      expect(d.spec.replicas).toBe(5);
      expect(d.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('checkout');
    }
    expect(ofKind(objects, 'Service').map(s => s.spec.ports[0])).toEqual([{ port: 8000, targetPort: 8080 }, { port: 8000, targetPort: 9090 }]);
    expect(route.spec.rules[0].backendRefs.map((b: any) => b.port)).toEqual([8000, 8000]);
    expect(route.spec.hostnames).toBeUndefined();
  });

  test('exposes what it rendered', () => {
    const { rollout } = render({ step: 2 });
    expect(rollout.plan.capacity).toBe(CapacityMode.FULL_COPY);
    expect(rollout.step!.index).toBe(2);
    expect(rollout.stableDeployment.node.id).toBe('Stable');
    expect(rollout.canaryDeployment!.node.id).toBe('Canary');
    expect(rollout.route.node.id).toBe('Route');
  });
});

describe('weights at each step, in tenths of a percent', () => {
  test.each([
    [1, [875, 125]],
    [2, [500, 500]],
    [3, [0, 1000]],
  ])('canary 12.5% → 50% → 100%, step %i', (step, expected) => {
    const { rules, rollout } = render({ step });
    expect(rules).toHaveLength(1);
    expect(weights(rules, rollout)).toEqual(expected);
  });

  test('linear 12.5% every minute: every step, the zero-weight stable backend kept at 100%', () => {
    const linear = Strategy.linear({ stepPercent: 12.5, interval: Duration.minutes(1) });
    const seen = [1, 2, 3, 4, 5, 6, 7, 8].map(step => {
      const { rules, rollout } = render({ strategy: linear, step });
      return weights(rules, rollout);
    });
    expect(seen).toEqual([
      [875, 125], [750, 250], [625, 375], [500, 500], [375, 625], [250, 750], [125, 875], [0, 1000],
    ]);
  });

  test('linear 10%: the weights always add up to 1000', () => {
    const linear = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE;
    for (let step = 1; step <= linear.steps.length; step++) {
      const { rules, rollout } = render({ strategy: linear, step });
      const [stable, candidate] = weights(rules, rollout);
      expect(candidate).toBe(Math.min(100, step * 10) * 10);
      expect(stable + candidate).toBe(1000);
    }
  });


  test('blue-green: the test route first, sending everything to the canary, then the switch', () => {
    const first = render({ strategy: blueGreen });
    const stable = first.rollout.stableService.name;
    const canaryName = first.rollout.canaryService!.name;
    expect(first.rules).toEqual([
      { matches: [{ headers: [{ type: 'Exact', name: 'x-env', value: 'green' }] }], backendRefs: [{ name: canaryName, port: 80 }] },
      { backendRefs: [{ name: stable, port: 80, weight: 1000 }, { name: canaryName, port: 80, weight: 0 }] },
    ]);
    const second = render({ strategy: blueGreen, step: 2 });
    expect(second.rules[0].matches).toEqual(first.rules[0].matches);
    expect(weights(second.rules, second.rollout)).toEqual([0, 1000]);
  });

  test('a canary with a test route: step 1 is the test phase, the route to the canary stays through the weighted steps', () => {
    const testersFirst = Strategy.canary({
      testRoute: Match.header('x-qa', '1'),
      testGate: StepGate.manualApproval(),
      steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }],
    });
    const first = render({ strategy: testersFirst });
    const canaryName = first.rollout.canaryService!.name;
    const testRule = { matches: [{ headers: [{ type: 'Exact', name: 'x-qa', value: '1' }] }], backendRefs: [{ name: canaryName, port: 80 }] };
    expect(first.rules).toEqual([
      testRule,
      { backendRefs: [{ name: first.rollout.stableService.name, port: 80, weight: 1000 }, { name: canaryName, port: 80, weight: 0 }] },
    ]);
    expect(first.rollout.step!.gate?.describe()).toBe('manual approval');
    const second = render({ strategy: testersFirst, step: 2 });
    expect(second.rules[0]).toEqual(testRule);
    expect(weights(second.rules, second.rollout)).toEqual([900, 100]);
  });

  test.each([
    ['a cookie', Match.cookie('beta', 'true'), { headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*; *)?beta=true( *;.*)?$' }] }],
    ['a header regex', Match.headerRegex('user-agent', '.*Mobile.*'), { headers: [{ type: 'RegularExpression', name: 'user-agent', value: '.*Mobile.*' }] }],
    ['a query parameter', Match.queryParameter('env', 'green'), { queryParams: [{ type: 'Exact', name: 'env', value: 'green' }] }],
  ])('a test route by %s', (_, testRoute, expected) => {
    const { rules } = render({ strategy: Strategy.blueGreen({ testRoute }) });
    expect(rules).toHaveLength(2);
    expect(rules[0].matches).toEqual([expected]);
  });
});

describe('the step to render', () => {
  test('step 1 by default', () => {
    const { rollout, rules } = render();
    expect(rollout.step!.index).toBe(1);
    expect(weights(rules, rollout)).toEqual([875, 125]);
  });

  test('from the context key <construct path>:step, as a string or a number', () => {
    const fromString = render({}, { 'test/web:step': '2' });
    expect(weights(fromString.rules, fromString.rollout)).toEqual([500, 500]);
    const app = Testing.app();
    app.node.setContext('test/web:step', 3);
    const chart = new Chart(app, 'test');
    const rollout = new GatewayRollout(chart, 'web', { strategy: canary, gateway: { name: 'public' }, stable: v1, candidate: v2 });
    expect(weights(ofKind(validatedManifests(chart), 'HTTPRoute')[0].spec.rules, rollout)).toEqual([0, 1000]);
  });

  test('the prop wins over the context', () => {
    const { rollout, rules } = render({ step: 1 }, { 'test/web:step': '3' });
    expect(rollout.step!.index).toBe(1);
    expect(weights(rules, rollout)).toEqual([875, 125]);
  });

  test('a context key naming no rollout fails at synth, naming the nearest rollout path', () => {
    expectValidationError(() => render({}, { 'shop/web:step': '2' }),
      'context "shop/web:step" is "2": no rollout of this app has the path "shop/web", so the key chooses nothing and each rollout renders its step prop, else step 1; '
      + 'the rollouts that render one step per deploy are test/web (GatewayRollout). Set the key of the rollout you mean, by its construct path: "test/web:step" is the nearest; or remove the key.');
  });

  test('a step outside the plan fails, from the prop or the context', () => {
    const fix = 'Render a step from 1 to 3, numbered as in the plan\'s table (step 3 sends everything to the candidate).';
    expectValidationError(attempt({ step: 4 }),
      `${where}: step is 4: the plan has steps 1 to 3 (canary 12.5% (bake 10m) → 50% (manual approval) → 100%). ${fix}`);
    expectValidationError(() => render({}, { 'test/web:step': 'two' }),
      `${where}: context "test/web:step" is "two": the plan has steps 1 to 3 (canary 12.5% (bake 10m) → 50% (manual approval) → 100%). ${fix}`);
  });
});

describe('without a candidate', () => {
  test('only the stable revision, all traffic on it, and no test route', () => {
    const { rollout, objects, rules } = render({ strategy: blueGreen, candidate: undefined });
    expect(rollout.node.children.map(c => c.node.id)).toEqual(['Stable', 'StableService', 'Route']);
    expect(objects.map(o => o.kind)).toEqual(['Deployment', 'Service', 'HTTPRoute']);
    expect(rules).toEqual([{ backendRefs: [{ name: rollout.stableService.name, port: 80 }] }]);
    expect(rollout.canaryDeployment).toBeUndefined();
    expect(rollout.canaryService).toBeUndefined();
    expect(rollout.step).toBeUndefined();
  });

  test('a step prop is refused: no step of the plan applies', () => {
    for (const step of [0, 2]) {
      expectValidationError(attempt({ candidate: undefined, step }),
        `${where}: step is ${step}: there is no candidate, so no step of the plan applies. Add the candidate revision to release, or leave step out.`);
    }
  });

  test('a context step is still checked, so a wrong one fails before the next rollout', () => {
    expectValidationError(() => render({ candidate: undefined }, { 'test/web:step': '0' }),
      `${where}: context "test/web:step" is "0": the plan has steps 1 to 3 (canary 12.5% (bake 10m) → 50% (manual approval) → 100%). Render a step from 1 to 3, numbered as in the plan's table (step 3 sends everything to the candidate).`);
  });

  test('promotion: the last step on the new stable revision, then the candidate and its step removed', () => {
    const last = render({ stable: v2, candidate: v2, step: 3 });
    expect(weights(last.rules, last.rollout)).toEqual([0, 1000]);
    expect(ofKind(last.objects, 'Deployment').map(d => d.spec.template.spec.containers[0].image))
      .toEqual(['registry.example.com/web:2.0.0', 'registry.example.com/web:2.0.0']);
    const done = render({ stable: v2, candidate: undefined });
    expect(done.rules).toEqual([{ backendRefs: [{ name: done.rollout.stableService.name, port: 80 }] }]);
    // The stable objects keep their names, so promotion replaces nothing.
    expect(done.rollout.stableService.name).toBe(last.rollout.stableService.name);
  });
});

describe('the plan', () => {
  test('is recorded on the route, with the controller and the step rendered', () => {
    const { rollout, route } = render({ step: 2, replicas: 4 });
    const recorded = JSON.parse(route.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.controller).toBe('Gateway API');
    expect(recorded.step).toBe(2);
    expect(recorded.plan).toEqual(JSON.parse(JSON.stringify(rollout.plan.toJson())));
    expect(recorded).not.toHaveProperty('table');
    expect(recorded.plan).toEqual(rollout.plan.toJson());
    expect(recorded.plan.capacity).toBe('FULL_COPY');
    expect(rollout.plan.replicas).toBe(4);
  });

  test('full copy for every kind of strategy: both revisions run at full size', () => {
    for (const strategy of [canary, blueGreen, Strategy.LINEAR_10PERCENT_EVERY_1MINUTE]) {
      expect(render({ strategy }).rollout.plan.capacity).toBe(CapacityMode.FULL_COPY);
    }
  });

  test('a plan too large to record fails: 1000 steps of 0.1%', () => {
    expectValidationError(attempt({ strategy: Strategy.linear({ stepPercent: 0.1, interval: Duration.minutes(1) }) }),
      `${where}: strategy is "linear 0.1% every 1m": its plan of 1000 steps makes a cdk-deploy-strategies.dev/plan annotation of 157 KiB, above the 64 KiB this library records: a client-side kubectl apply copies annotations into kubectl.kubernetes.io/last-applied-configuration, and Kubernetes allows 256 KiB of annotations per object. Use fewer, larger steps: about 408 steps fit, such as a linear strategy of at least 0.3% a step.`);
    expect(() => render({ strategy: Strategy.linear({ stepPercent: 0.5, interval: Duration.minutes(1) }) })).not.toThrow();
  });

  test('without a candidate, recorded without a step', () => {
    const { route } = render({ candidate: undefined });
    const recorded = JSON.parse(route.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.controller).toBe('Gateway API');
    expect(recorded.step).toBeUndefined();
  });
});

describe('input errors', () => {
  test('props', () => {
    expectValidationError(() => new GatewayRollout(Testing.chart(), 'web', undefined as any),
      `${where}: props is undefined: it must be an object. Pass { strategy, gateway, stable }.`);
  });

  test('strategy', () => {
    expectValidationError(attempt({ strategy: { kind: 'CANARY' } as any }),
      `${where}: strategy is an object: a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`);
  });

  test('all at once, which would send every request to pods still starting, with or without a candidate', () => {
    const message = `${where}: strategy is "all at once": the route would send every request to the candidate in the same commit that starts its pods, and the Gateway does not wait for them to be ready. Use a canary with a small first weight, such as Strategy.CANARY_10PERCENT_5MINUTES, or Strategy.BLUE_GREEN, whose first step sends the candidate nothing.`;
    expectValidationError(attempt({ strategy: Strategy.ALL_AT_ONCE }), message);
    expectValidationError(attempt({ strategy: Strategy.ALL_AT_ONCE, candidate: undefined }), message);
  });

  test('an application name another construct of the chart already selects by', () => {
    const chart = Testing.chart();
    new GatewayRollout(chart, 'web', { strategy: canary, gateway: { name: 'public' }, stable: v1 });
    // The canary role is claimed even without a candidate, so the clash shows before a release starts.
    expectValidationError(() => new GatewayRollout(chart, 'other', { name: 'web', strategy: canary, gateway: { name: 'public' }, stable: v1 }),
      'GatewayRollout test/other: name is "web": GatewayRollout test/web in the same chart has this application name, and their selectors overlap (app.kubernetes.io/name=web, cdk-deploy-strategies.dev/role=canary), so each would select the other\'s pods. Give one of them a distinct name (the name prop, which defaults to the construct id).');
    new GatewayRollout(chart, 'api', { strategy: canary, gateway: { name: 'public' }, stable: v1, candidate: v2 });
    new GatewayRollout(new Chart(Testing.app(), 'other'), 'web', { strategy: canary, gateway: { name: 'public' }, stable: v1 });
  });

  test('gateway', () => {
    expectValidationError(attempt({ gateway: undefined }),
      `${where}: gateway is undefined: it must be an object. Pass the Gateway, such as { name: "public", namespace: "gateways" }.`);
    expectValidationError(attempt({ gateway: { name: 'Public' } }),
      `${where}: gateway.name is "Public": a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".`);
  });

  test('name, given or defaulted to the construct id', () => {
    expectValidationError(attempt({ name: 'Web_App' }),
      `${where}: name is "Web_App": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "checkout".`);
    expectValidationError(attempt({}, 'Web'),
      'GatewayRollout test/Web: name (the construct id, by default) is "Web": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "checkout".');
    expect(() => attempt({ name: 'web' }, 'Web')()).not.toThrow();
  });

  test('revisions', () => {
    expectValidationError(attempt({ stable: { containers: [] } }),
      `${where}: stable.containers is an empty array: a pod needs at least one container. Pass one, such as [{ image: "registry/app:1.2.3", portNumber: 8080 }].`);
    expectValidationError(attempt({ candidate: { containers: [{ image: 'registry.example.com/web:2.0.0' }] } }),
      `${where}: candidate.containers[0].portNumber is undefined: traffic is routed to the first container's port, and it declares none. Set portNumber on the first container, such as portNumber: 8080.`);
    expectValidationError(attempt({ stable: { containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 70000 }] } }),
      `${where}: stable.containers[0].portNumber is 70000: a port is a whole number from 1 to 65535. Use a port such as 8080.`);
  });

  test('replicas, port and host names', () => {
    expectValidationError(attempt({ replicas: 0 }),
      `${where}: replicas is 0: a replica count is a whole number from 1 to 10000. Use a whole number such as 4.`);
    expectValidationError(attempt({ port: 70000 }),
      `${where}: port is 70000: a port is a whole number from 1 to 65535. Use a port such as 80.`);
    expectValidationError(attempt({ hostnames: ['Shop.example.com'] }),
      `${where}: hostnames[0] is "Shop.example.com": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".`);
  });

  test('a test route the Gateway API cannot match', () => {
    expectValidationError(attempt({ strategy: Strategy.blueGreen({ testRoute: Match.queryParameter('env[]', 'green') }) }),
      `${where}: strategy.testRoute is "query env[]=green": the Gateway API matches query parameter names that are tokens (letters, digits and !#$%&'*+-.^_\`|~) of at most 256 characters. Use a parameter name such as "variant", or match a header instead.`);
  });
});

describe('random props', () => {
  const propsArb = tidyOrNot(({ untidy, either, maybe, gateway, hostnames, name, port, replicas, revision, step, strategy }) => fc.record({
    id: either(fc.constant('web'), fc.constantFrom('Web', 'web_1')),
    contextStep: maybe(either(fc.integer({ min: 1, max: 4 }).map(String), fc.constantFrom('0', 'last', 99))),
    props: fc.record({
      strategy,
      gateway,
      name: maybe(name),
      stable: revision,
      candidate: fc.option(revision, { nil: undefined, freq: 5 }),
      replicas: maybe(replicas),
      port: maybe(port),
      hostnames: maybe(hostnames),
      step: maybe(step),
    }, { requiredKeys: ['strategy', 'gateway', 'stable'] }),
  }).map(p => (untidy || p.props.candidate ? p : { ...p, props: { ...p.props, step: undefined } })));

  test('either synthesize a valid route whose weights are the step\'s, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ id, contextStep, props }) => {
      const chart = chartWith(contextStep === undefined ? {} : { [`test/${id}:step`]: contextStep });
      const rollout = new GatewayRollout(chart, id, props as GatewayRolloutProps);
      const objects = validatedManifests(chart);
      const [route] = ofKind(objects, 'HTTPRoute');
      const rules = route.spec.rules;
      expect(ofKind(objects, 'Deployment')).toHaveLength(props.candidate ? 2 : 1);
      if (rollout.step) {
        expect(weights(rules, rollout)).toEqual([rollout.step.stableWeight * 10, rollout.step.candidateWeight * 10]);
        expect(rules).toHaveLength(props.strategy.testRoute ? 2 : 1);
      } else {
        expect(rules).toEqual([{ backendRefs: [{ name: rollout.stableService.name, port: props.port ?? 80 }] }]);
      }
    }, { quickRuns: 30 });
  });
});

test('measures nothing, so the guardrails say the strategy\'s health checks are declared but not rendered (CDS-R8)', () => {
  const { rollout: construct } = render({ strategy: canary.withHealthChecks([HealthCheck.errorRate({ maxErrorPercent: 1 })]) });
  const pack = guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule());
  expect(findings(construct.node.scope!, 'CDS-R8', pack)).toEqual(['test/web: canary 12.5% (bake 10m) → 50% (manual approval) → 100% on Gateway API: nothing measures the new version (its health check is declared, but Gateway API does not measure them)']);
});
