import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { stepContextKey } from '../../src/core/private/step';
import { PlainBlueGreen, PlainBlueGreenProps } from '../../src/k8s/plain-blue-green';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { KubernetesRevision, Slot } from '../../src/k8s/revision';
import { gateArb } from '../support/arbitraries';
import { findings } from '../support/guardrails';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
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
    expect(recorded.plan).toEqual(JSON.parse(JSON.stringify(construct.plan.toJson())));
    expect(recorded).not.toHaveProperty('table');
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

// Found by the random props: cdk8s-plus errors let through, a deprecated prop misread, and pods Kubernetes
// would refuse at apply time although they pass the schema. The revision checks serve every rollout construct.
describe('container props of a revision', () => {
  const image = 'ghcr.io/example/web:1.0.0';
  const stableWith = (...containers: any[]) => () => render({ stable: { containers }, candidate: undefined });
  const ENV_NAME_LIMIT = 'an environment variable name is 1 or more printable ASCII characters other than "=" on Kubernetes 1.32 and later; '
    + 'older clusters take letters, digits, "_", "-" and "." only, not starting with a digit. Use a name such as "LOG_LEVEL".';

  test.each([
    ['a port declared by portNumber and again in ports', stableWith({ image, portNumber: 443, ports: [{ number: 443 }] }),
      `${where}: stable.containers[0].ports[0].number is 443: the container's portNumber declares the port number 443 (TCP) already, and a container declares each port once. `
      + 'Remove it: portNumber is already one of the container\'s ports.'],
    ['two ports of one name', stableWith({ image, portNumber: 80, ports: [{ number: 81, name: 'http' }, { number: 82, name: 'http' }] }),
      `${where}: stable.containers[0].ports[1].name is "http": the container's ports[0] declares the port name "http" already, and a container declares each port once. Remove one of the two.`],
    ['both port and portNumber', stableWith({ image, portNumber: 80, port: 80 }),
      `${where}: stable.containers[0].port is 80: it is the deprecated name of portNumber, and the container sets portNumber too. Leave port out and set portNumber alone.`],
    ['a port protocol Kubernetes does not know', stableWith({ image, portNumber: 80, ports: [{ number: 53, protocol: 'dns' }] }),
      `${where}: stable.containers[0].ports[0].protocol is "dns": a port's protocol is TCP, UDP or SCTP. Use kplus.Protocol.TCP, kplus.Protocol.UDP or kplus.Protocol.SCTP.`],
    ['a host port out of range', stableWith({ image, portNumber: 80, ports: [{ number: 9090, hostPort: 70000 }] }),
      `${where}: stable.containers[0].ports[0].hostPort is 70000: a port is a whole number from 1 to 65535. Use a port such as 8080.`],
    ['a port name that is not an IANA service name', stableWith({ image, portNumber: 80, ports: [{ number: 9090, name: 'Metrics' }] }),
      `${where}: stable.containers[0].ports[0].name is "Metrics": a port name is an IANA service name: 1-15 lowercase letters, digits or "-", with at least one letter, no "--", `
      + 'starting and ending with a letter or digit. Use a name such as "http" or "metrics".'],
    ['a port of a sidecar out of range', stableWith({ image, portNumber: 80 }, { image, name: 'sidecar', portNumber: 0 }),
      `${where}: stable.containers[1].portNumber is 0: a port is a whole number from 1 to 65535. Use a port such as 8080.`],
    ['two containers without a name, both named main by cdk8s-plus', stableWith({ image, portNumber: 80 }, { image: 'ghcr.io/example/proxy:1.0.0' }),
      `${where}: stable.containers[1].name is undefined: containers[0] of the pod is named "main" too (cdk8s-plus names a container without a name "main"), `
      + 'and Kubernetes needs distinct container names. Give each container its own name, such as name: "sidecar".'],
    ['a container name that is not a DNS label', stableWith({ image, portNumber: 80, name: 'Web_App' }),
      `${where}: stable.containers[0].name is "Web_App": a container name is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "web" or "sidecar".`],
    // Whatever else cdk8s-plus refuses of a container, named by the library.
    ['a security context cdk8s-plus refuses', stableWith({
      image, portNumber: 80, securityContext: { seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT, localhostProfile: 'profiles/web.json' } },
    }), `${where}: stable.containers[0] (image "${image}") is an object: cdk8s-plus refuses the container with 'localhostProfile must only be set if type is "Localhost"'. `
      + 'Set securityContext.seccompProfile.type to kplus.SeccompProfileType.LOCALHOST, or leave localhostProfile out.'],
    ['a sidecar with a security context cdk8s-plus refuses, named by its name', stableWith({ image, portNumber: 80 }, {
      image, name: 'proxy', securityContext: { seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT, localhostProfile: 'profiles/web.json' } },
    }), `${where}: stable.containers[1] (named "proxy") is an object: cdk8s-plus refuses the container with 'localhostProfile must only be set if type is "Localhost"'. `
      + 'Set securityContext.seccompProfile.type to kplus.SeccompProfileType.LOCALHOST, or leave localhostProfile out.'],
    ['an empty environment variable name', stableWith({ image, portNumber: 80, envVariables: { '': kplus.EnvValue.fromValue('1') } }),
      `${where}: stable.containers[0].envVariables key is "": ${ENV_NAME_LIMIT}`],
    ['an environment variable name with "="', stableWith({ image, portNumber: 80, envVariables: { 'A=B': kplus.EnvValue.fromValue('1') } }),
      `${where}: stable.containers[0].envVariables key is "A=B": ${ENV_NAME_LIMIT}`],
    // Found by the random props: cdk8s-plus rendered these as variables without a value.
    ['an environment variable value that is a string', stableWith({ image, portNumber: 80, envVariables: { A: kplus.EnvValue.fromValue('1'), B: 'x' } }),
      `${where}: stable.containers[0].envVariables.B is "x": it must be an EnvValue. Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).`],
    ['an environment variable value that is a number', stableWith({ image, portNumber: 80 }, { image, name: 'proxy', envVariables: { PORT: 42 } }),
      `${where}: stable.containers[1].envVariables.PORT is 42: it must be an EnvValue. Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).`],
  ])('refuses %s', (_, fn, message) => {
    expectValidationError(fn, message);
  });

  test('a first container serving on the deprecated port prop, which cdk8s-plus still reads', () => {
    const { live } = render({ stable: { containers: [{ image, port: 8080 }] }, candidate: undefined });
    expect(live.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  test('distinct container names, ports on several protocols and relaxed environment variable names are kept', () => {
    const { blue } = render({
      stable: {
        containers: [
          { image, portNumber: 8080, ports: [{ number: 8080, protocol: kplus.Protocol.UDP, name: 'dns' }], envVariables: { '1ST.var-x': kplus.EnvValue.fromValue('1') } },
          { image: 'ghcr.io/example/proxy:1.0.0', name: 'proxy', portNumber: 8080 },
        ],
      },
      candidate: undefined,
    });
    expect(blue.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['main', 'proxy']);
    expect(blue.spec.template.spec.containers[0].env).toEqual([{ name: '1ST.var-x', value: '1' }]);
  });

  // Kubernetes reads a hostPort of 0 as no host port.
  test('a host port of 0 is kept, as Kubernetes reads it: no host port', () => {
    const { blue } = render({ stable: { containers: [{ image, portNumber: 80, ports: [{ number: 9090, hostPort: 0 }] }] }, candidate: undefined });
    expect(blue.spec.template.spec.containers[0].ports).toContainEqual(expect.objectContaining({ containerPort: 9090, hostPort: 0 }));
  });
});

describe('random props', () => {
  const propsArb = tidyOrNot(({ either, maybe, name, port, replicas, revision, step, strategy }) => fc.record({
    id: either(fc.constant('web'), fc.constantFrom('Web', 'web_1')),
    contextStep: maybe(either(fc.constantFrom(1, 2, '1', ' 2 '), fc.constantFrom(3, '0', 'two'))),
    props: fc.record({
      // Mostly blue-green strategies without a test route (what PlainBlueGreen expresses), sometimes any other.
      strategy: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({ bake: maybe(fc.integer({ min: 0, max: 86400 })), promotion: maybe(gateArb) })
            .map(p => Strategy.blueGreen({ bakeTime: p.bake === undefined ? undefined : Duration.seconds(p.bake), promotion: p.promotion })),
        },
        { weight: 1, arbitrary: strategy },
      ),
      name: maybe(name),
      stable: revision,
      candidate: fc.option(revision, { nil: undefined, freq: 4 }),
      stableSlot: maybe(either(fc.constantFrom(Slot.BLUE, Slot.GREEN), fc.constantFrom('BLUE', 'red'))),
      replicas: maybe(replicas),
      port: maybe(port),
      step: maybe(either(fc.constantFrom(1, 2), step)),
    }, { requiredKeys: ['strategy', 'stable'] }),
  }));

  test('either synthesize valid Deployments and Services, Live on the slot of the step, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ id, contextStep, props }) => {
      const chart = Testing.chart();
      if (contextStep !== undefined) chart.node.setContext(`test/${id}:step`, contextStep);
      const construct = new PlainBlueGreen(chart, id, props as PlainBlueGreenProps);
      const objects = validatedManifests(chart);
      expect(ofKind(objects, 'Deployment')).toHaveLength(props.candidate === undefined ? 1 : 2);
      const live = objects.find(o => o.metadata.name === construct.liveService.name);
      const switched = construct.step?.index === 2;
      expect(roleSelected(live)).toBe(switched ? construct.candidateSlot : construct.stableSlot);
      expect(JSON.parse(live.metadata.annotations[PLAN_ANNOTATION]).step).toBe(construct.step?.index);
    });
  });
});

test('measures nothing, so the guardrails say the strategy\'s health checks are declared but not rendered (CDS-R8)', () => {
  const { construct } = render({ strategy: Strategy.BLUE_GREEN.withHealthChecks([HealthCheck.errorRate({ maxErrorPercent: 1 })]) });
  const pack = guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule());
  expect(findings(construct.node.scope!, 'CDS-R8', pack)).toEqual(['test/web: blue-green (bake 5m) on plain Kubernetes: nothing measures the new version (its health check is declared, but plain Kubernetes does not measure them)']);
});
