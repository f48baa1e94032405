import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import { Match, StepGate, Strategy } from '../../src';
import { PlainBlueGreen, PlainBlueGreenProps } from '../../src/k8s/plain-blue-green';
import { KubernetesRevision, Slot } from '../../src/k8s/revision';
import { PLAN_ANNOTATION } from '../../src/private/k8s-plan';
import { stepContextKey } from '../../src/private/step';
import { ofKind, validatedManifests } from '../support/k8s';
import { expectValidationError } from '../support/validation-error';

const v1: KubernetesRevision = { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 8080 }], version: '1.0.0' };
const v2: KubernetesRevision = { containers: [{ image: 'ghcr.io/example/web:1.1.0', portNumber: 8080 }], version: '1.1.0' };
const where = 'PlainBlueGreen test/web';
const NAME = 'app.kubernetes.io/name';
const ROLE = 'cdk-deploy-strategies.dev/role';
const VERSION = 'app.kubernetes.io/version';

function render(props: Partial<PlainBlueGreenProps> = {}, context: Record<string, unknown> = {}) {
  const chart = Testing.chart();
  for (const [key, value] of Object.entries(context)) chart.node.setContext(key, value);
  const construct = new PlainBlueGreen(chart, 'web', { strategy: Strategy.BLUE_GREEN, stable: v1, candidate: v2, ...props });
  const objects = validatedManifests(chart);
  const named = (name: string | undefined) => objects.find(o => o.metadata.name === name);
  return {
    chart,
    construct,
    objects,
    blue: named(construct.blueDeployment?.name),
    green: named(construct.greenDeployment?.name),
    live: named(construct.liveService.name),
    preview: named(construct.previewService.name),
  };
}

const imageOf = (deployment: any) => deployment.spec.template.spec.containers[0].image;
const roleSelected = (service: any) => service.spec.selector[ROLE];

describe('rendering', () => {
  test('runs a Deployment per slot with a revision; step 1 keeps Live on the stable slot and previews the candidate', () => {
    const { construct, objects, blue, green, live, preview } = render();
    expect(ofKind(objects, 'Deployment')).toHaveLength(2);
    expect(ofKind(objects, 'Service')).toHaveLength(2);
    expect([imageOf(blue), imageOf(green)]).toEqual(['ghcr.io/example/web:1.0.0', 'ghcr.io/example/web:1.1.0']);
    expect(blue.spec.selector.matchLabels).toEqual({ [NAME]: 'web', [ROLE]: 'blue' });
    expect(green.spec.selector.matchLabels).toEqual({ [NAME]: 'web', [ROLE]: 'green' });
    expect(live.spec.selector).toEqual({ [NAME]: 'web', [ROLE]: 'blue' });
    expect(preview.spec.selector).toEqual({ [NAME]: 'web', [ROLE]: 'green' });
    expect(construct.step?.index).toBe(1);
    expect([construct.stableSlot, construct.candidateSlot, construct.liveSlot]).toEqual([Slot.BLUE, Slot.GREEN, Slot.BLUE]);
  });

  test.each([
    // stable slot, step, slot Live selects, slot Preview selects
    [Slot.BLUE, 1, 'blue', 'green'],
    [Slot.BLUE, 2, 'green', 'blue'],
    [Slot.GREEN, 1, 'green', 'blue'],
    [Slot.GREEN, 2, 'blue', 'green'],
  ])('stable in %s, step %i: Live selects %s and Preview %s', (stableSlot, step, liveRole, previewRole) => {
    const { construct, live, preview, blue, green } = render({ stableSlot, step });
    expect([roleSelected(live), roleSelected(preview)]).toEqual([liveRole, previewRole]);
    expect(construct.liveSlot).toBe(liveRole);
    // The candidate always runs in the slot the stable revision leaves free.
    const stableDeployment = stableSlot === Slot.BLUE ? blue : green;
    const candidateDeployment = stableSlot === Slot.BLUE ? green : blue;
    expect([imageOf(stableDeployment), imageOf(candidateDeployment)]).toEqual(['ghcr.io/example/web:1.0.0', 'ghcr.io/example/web:1.1.0']);
  });

  test('the context chooses the step, under the key "<construct path>:step", as a number or as text', () => {
    for (const value of [2, '2']) {
      const { construct, live, preview } = render({}, { 'test/web:step': value });
      expect(stepContextKey(construct)).toBe('test/web:step');
      expect([roleSelected(live), roleSelected(preview)]).toEqual(['green', 'blue']);
      expect(construct.step?.index).toBe(2);
    }
  });

  test('the step prop wins over the context', () => {
    const { live } = render({ step: 1 }, { 'test/web:step': 2 });
    expect(roleSelected(live)).toBe('blue');
  });

  test('all at once is refused: Live would point at pods that are still starting', () => {
    expectValidationError(() => render({ strategy: Strategy.ALL_AT_ONCE }),
      'PlainBlueGreen test/web: strategy is "all at once": plain Kubernetes would point the Live Service at the candidate in the same commit that starts its pods, and does not wait for them to be ready. Use Strategy.BLUE_GREEN, whose first step starts the candidate without traffic; or update the revision of a single Deployment for a rolling update.');
  });

  test('a promotion gate and a bake time do not change what is rendered; the pipeline holds them', () => {
    const strategy = Strategy.blueGreen({ promotion: StepGate.manualApproval(), bakeTime: Duration.minutes(30) });
    expect(roleSelected(render({ strategy, step: 1 }).live)).toBe('blue');
    expect(roleSelected(render({ strategy, step: 2 }).live)).toBe('green');
  });

  test('without a candidate only the stable slot runs; Preview stays, selecting no pods', () => {
    const { construct, objects, blue, live, preview } = render({ candidate: undefined }, { 'test/web:step': 2 });
    expect(ofKind(objects, 'Deployment')).toEqual([blue]);
    expect(construct.greenDeployment).toBeUndefined();
    expect(construct.step).toBeUndefined();
    // A context step left by the pipeline does not apply when nothing is being released.
    expect([roleSelected(live), roleSelected(preview)]).toEqual(['blue', 'green']);
  });

  test('promoting recreates nothing: after the switch, the candidate becomes the stable revision in its slot', () => {
    const switched = render({ step: 2 });
    const promoted = render({ stableSlot: Slot.GREEN, stable: v2, candidate: undefined });
    expect(promoted.green).toEqual(switched.green);
    expect(promoted.blue).toBeUndefined();
    // Only the recorded plan differs: the step is no longer rendered.
    for (const service of ['live', 'preview'] as const) {
      expect(promoted[service].metadata.name).toBe(switched[service].metadata.name);
      expect(promoted[service].spec).toEqual(switched[service].spec);
    }
  });

  test('the name prop sets the name label; replicas and port apply to each slot and both Services', () => {
    const { blue, green, live, preview } = render({ name: 'storefront', replicas: 4, port: 8000 });
    for (const deployment of [blue, green]) {
      expect(deployment.spec.replicas).toBe(4);
      expect(deployment.spec.template.metadata.labels[NAME]).toBe('storefront');
    }
    for (const service of [live, preview]) {
      expect(service.spec.selector[NAME]).toBe('storefront');
      expect(service.spec.ports).toEqual([{ port: 8000, targetPort: 8080 }]);
    }
  });

  test('defaults: 2 replicas per slot, Services on port 80 forwarding to the first container\'s port', () => {
    const { blue, green, live } = render();
    expect([blue.spec.replicas, green.spec.replicas]).toEqual([2, 2]);
    expect(live.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(live.spec.type).toBe('ClusterIP');
  });

  test('each Service forwards to the port of the revision it selects', () => {
    const moved: KubernetesRevision = { containers: [{ image: 'ghcr.io/example/web:2.0.0', ports: [{ number: 9090 }] }] };
    const before = render({ candidate: moved, step: 1 });
    expect([before.live.spec.ports[0].targetPort, before.preview.spec.ports[0].targetPort]).toEqual([8080, 9090]);
    const after = render({ candidate: moved, step: 2 });
    expect([after.live.spec.ports[0].targetPort, after.preview.spec.ports[0].targetPort]).toEqual([9090, 8080]);
  });

  test('the version label is set when given, and absent otherwise', () => {
    const { blue, green } = render({ candidate: { containers: v2.containers } });
    expect(blue.spec.template.metadata.labels[VERSION]).toBe('1.0.0');
    expect(blue.metadata.labels[VERSION]).toBe('1.0.0');
    expect(green.spec.template.metadata.labels).not.toHaveProperty(VERSION);
  });

  test('every pod carries the shared labels; each Service selects the pods of exactly one slot', () => {
    const { objects } = render();
    const deployments = ofKind(objects, 'Deployment');
    const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    for (const deployment of deployments) {
      const labels = deployment.spec.template.metadata.labels;
      expect(labels[NAME]).toBe('web');
      expect(['blue', 'green']).toContain(labels[ROLE]);
      expect(selects(deployment.spec.selector.matchLabels, labels)).toBe(true);
    }
    for (const service of ofKind(objects, 'Service')) {
      expect(deployments.filter(d => selects(service.spec.selector, d.spec.template.metadata.labels))).toHaveLength(1);
    }
  });

  test('keeps the cdk8s-plus secure defaults on the pods', () => {
    const { blue } = render();
    expect(blue.spec.template.spec.containers[0].securityContext)
      .toEqual(expect.objectContaining({ runAsNonRoot: true, readOnlyRootFilesystem: true }));
  });

  test('records the plan and the rendered step on the Live Service only', () => {
    const { construct, live, preview } = render({ step: 2 });
    const recorded = JSON.parse(live.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded.controller).toBe('plain Kubernetes');
    expect(recorded.step).toBe(2);
    expect(recorded.table).toBe(construct.plan.toTable());
    expect(recorded.plan.capacity).toBe('FULL_COPY');
    expect(preview.metadata.annotations).toBeUndefined();
  });

  test('records the plan without a step when there is no candidate', () => {
    const recorded = JSON.parse(render({ candidate: undefined }).live.metadata.annotations[PLAN_ANNOTATION]);
    expect(recorded).not.toHaveProperty('step');
  });

  test('two releases of different applications live side by side in one chart', () => {
    const chart = Testing.chart();
    new PlainBlueGreen(chart, 'web', { strategy: Strategy.BLUE_GREEN, stable: v1 });
    new PlainBlueGreen(chart, 'api', { strategy: Strategy.BLUE_GREEN, stable: v1 });
    expect(ofKind(validatedManifests(chart), 'Service').map(s => s.spec.selector[NAME])).toEqual(['web', 'web', 'api', 'api']);
  });

  test('two releases of one application name in one chart would select each other\'s pods: refused, naming both', () => {
    const chart = Testing.chart();
    new PlainBlueGreen(chart, 'web', { strategy: Strategy.BLUE_GREEN, stable: v1 });
    // Even an empty slot counts: the first release's Preview Service selects green pods.
    expectValidationError(() => new PlainBlueGreen(chart, 'shop', { name: 'web', strategy: Strategy.BLUE_GREEN, stable: v1, stableSlot: Slot.GREEN }),
      'PlainBlueGreen test/shop: name is "web": PlainBlueGreen test/web in the same chart has this application name, and their selectors overlap '
      + `(${NAME}=web, ${ROLE}=blue), so each would select the other's pods. Give one of them a distinct name (the name prop, which defaults to the construct id).`);
  });
});

describe('errors', () => {
  const STEP_RANGE = 'the plan has steps 1 to 2 (blue-green (bake 5m)). Render a step from 1 to 2, numbered as in the plan\'s table '
    + '(step 2 sends everything to the candidate).';

  test('refuses a step out of range, from the prop or the context', () => {
    expectValidationError(() => render({ step: 3 }), `${where}: step is 3: ${STEP_RANGE}`);
    expectValidationError(() => render({ step: 0 }), `${where}: step is 0: ${STEP_RANGE}`);
    expectValidationError(() => render({}, { 'test/web:step': '5' }), `${where}: context "test/web:step" is "5": ${STEP_RANGE}`);
  });

  test('refuses a step without a candidate', () => {
    expectValidationError(() => render({ candidate: undefined, step: 2 }),
      `${where}: step is 2: there is no candidate, so no step of the plan applies. Add the candidate revision to release, or leave step out.`);
  });

  test.each([
    ['a canary', Strategy.CANARY_10PERCENT_5MINUTES, '"canary 10% (bake 5m) → 100%"'],
    ['a linear strategy', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, '"linear 10% every 1m"'],
  ])('refuses %s, pointing to PlainCanary and GatewayRollout', (_, strategy, shown) => {
    expectValidationError(() => render({ strategy }),
      `${where}: strategy is ${shown}: PlainBlueGreen switches all traffic from one slot to the other, so it cannot split traffic by weight. `
      + 'Use PlainCanary for a canary by replica count, or GatewayRollout for exact weights.');
  });

  test.each([
    ['a header', Match.header('x-env', 'green'), 'header x-env=green'],
    ['a cookie', Match.cookie('beta', 'true'), 'cookie beta=true'],
    ['a query parameter', Match.queryParameter('preview', '1'), 'query preview=1'],
  ])('refuses a test route by %s: plain Services cannot match requests', (_, testRoute, described) => {
    expectValidationError(() => render({ strategy: Strategy.blueGreen({ testRoute }) }),
      `${where}: strategy is "blue-green (test route ${described}, bake 5m)": plain Kubernetes Services select pods by label only, `
      + `so they cannot route by header, cookie or query parameter (test route ${described}). `
      + 'Remove the test route and test the candidate through the Preview Service, or use GatewayRollout or ArgoRollout for a test route.');
  });

  test.each([
    ['props that are not an object', () => new PlainBlueGreen(Testing.chart(), 'web', Strategy.BLUE_GREEN as any),
      `${where}: props is a Strategy: it must be a plain object of props, not an instance of a class. Pass { strategy, stable: { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] } }.`],
    ['a strategy that is not a Strategy', () => render({ strategy: 'blue-green' as any }),
      `${where}: strategy is "blue-green": a release needs a Strategy. Pass a Strategy, for example Strategy.BLUE_GREEN.`],
    ['a name that is not a DNS label', () => render({ name: 'Web Shop' }),
      `${where}: name is "Web Shop": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "web-shop".`],
    ['a stable revision without containers', () => render({ stable: { containers: [] } }),
      `${where}: stable.containers is an empty array: a pod needs at least one container. Pass one, such as [{ image: "registry/app:1.2.3", portNumber: 8080 }].`],
    ['a candidate without a port', () => render({ candidate: { containers: [{ image: 'ghcr.io/example/web:1.1.0' }] } }),
      `${where}: candidate.containers[0].portNumber is undefined: traffic is routed to the first container's port, and it declares none. Set portNumber on the first container, such as portNumber: 8080.`],
    ['a slot that is not one', () => render({ stableSlot: 'red' as any }),
      `${where}: stableSlot is "red": a slot is Slot.BLUE or Slot.GREEN. Pass Slot.BLUE or Slot.GREEN.`],
    ['no replicas', () => render({ replicas: 0 }),
      `${where}: replicas is 0: a replica count is a whole number from 1 to 10000. Use a whole number such as 4.`],
    ['a port out of range', () => render({ port: 65536 }),
      `${where}: port is 65536: a port is a whole number from 1 to 65535. Use a port such as 80.`],
    ['a container port out of range', () => render({ candidate: { containers: [{ image: 'ghcr.io/example/web:1.1.0', portNumber: 70000 }] } }),
      `${where}: candidate.containers[0].portNumber is 70000: a port is a whole number from 1 to 65535. Use a port such as 8080.`],
  ])('refuses %s', (_, fn, message) => {
    expectValidationError(fn, message);
  });

  test('a construct id that is not a DNS label needs a name', () => {
    expectValidationError(() => new PlainBlueGreen(new Chart(Testing.app(), 'chart'), 'WebShop', { strategy: Strategy.BLUE_GREEN, stable: v1 }),
      'PlainBlueGreen chart/WebShop: name (the construct id, by default) is "WebShop": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "webshop".');
    const chart = Testing.chart();
    expect(new PlainBlueGreen(chart, 'WebShop', { strategy: Strategy.BLUE_GREEN, stable: v1, name: 'webshop' }).appName).toBe('webshop');
  });
});
