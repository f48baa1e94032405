import { Duration } from 'aws-cdk-lib';
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { Release, ReleaseService, StepGate, Strategy } from '../../src';
import {
  ArgoRollout, ArgoRolloutProps, GatewayRollout, GatewayRolloutProps, KubernetesRelease, KubernetesReleaseProps,
  PlainBlueGreen, PlainBlueGreenProps, PlainCanary, PlainCanaryProps, ReleaseMigration,
} from '../../src/k8s';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'KubernetesRelease test/shop';
const WAVE = 'argocd.argoproj.io/sync-wave';
const PART_OF = 'app.kubernetes.io/part-of';
const VERSION = 'app.kubernetes.io/version';
const NAME = 'app.kubernetes.io/name';
const RELEASE = 'cdk-deploy-strategies.dev/release';

const revision = (app: string, version: string) => ({ containers: [{ image: `registry.example.com/${app}:${version}`, portNumber: 8080 }], version });

/** payments (wave 1) <- orders (wave 2) <- storefront (wave 3). */
function shopRelease(overrides: Partial<Record<'payments' | 'orders' | 'storefront', Partial<ReleaseService>>> = {}) {
  return new Release({
    name: 'shop',
    services: [
      { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES, ...overrides.payments },
      { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN, dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }], ...overrides.orders },
      { name: 'storefront', version: '1.5.0', strategy: Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, dependsOn: [{ service: 'orders', versionRange: '^3.0.0' }], ...overrides.storefront },
    ],
  });
}

interface ShopOptions {
  readonly release?: Release;
  readonly payments?: Partial<GatewayRolloutProps>;
  readonly orders?: Partial<ArgoRolloutProps>;
  readonly storefront?: Partial<PlainCanaryProps>;
  readonly migration?: ReleaseMigration;
  readonly services?: (rollouts: Record<string, Construct>, chart: Chart) => Record<string, unknown>;
}

/**
 * The shop: payments a GatewayRollout at its last step (finished), orders an ArgoRollout at its
 * release version, storefront a PlainCanary at step 1, in a chart in namespace `shop`.
 */
function shop(options: ShopOptions = {}) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  const release = options.release ?? shopRelease();
  const payments = new GatewayRollout(chart, 'payments', {
    strategy: release.service('payments').strategy,
    gateway: { name: 'public' },
    stable: revision('payments', '2.0.0'),
    candidate: revision('payments', '2.1.0'),
    step: 2,
    ...options.payments,
  });
  const orders = new ArgoRollout(chart, 'orders', {
    strategy: release.service('orders').strategy, revision: revision('orders', '3.0.0'), ...options.orders,
  });
  const storefront = new PlainCanary(chart, 'storefront', {
    strategy: release.service('storefront').strategy,
    stable: revision('storefront', '1.4.0'),
    candidate: revision('storefront', '1.5.0'),
    step: 1,
    ...options.storefront,
  });
  const rollouts: Record<string, Construct> = { payments, orders, storefront };
  const services = (options.services ?? (r => r))(rollouts, chart) as Record<string, Construct>;
  const construct = new KubernetesRelease(chart, 'shop', { release, services, migration: options.migration });
  return { chart, release, construct, payments, orders, storefront };
}

function render(options: ShopOptions = {}) {
  const built = shop(options);
  const objects = validatedManifests(built.chart);
  return { ...built, objects };
}

/** The synthesized objects of a construct (a service's rollout), found by their names. */
function objectsOf(objects: any[], construct: Construct): any[] {
  const names = new Set(construct.node.findAll().filter(ApiObject.isApiObject).map(o => o.name));
  return objects.filter(o => names.has(o.metadata.name));
}
const annotation = (object: any, key: string) => object.metadata.annotations?.[key];
const named = (objects: any[], name: string) => objects.find(o => o.metadata.name === name);

describe('sync waves', () => {
  test('every object of a service is in sync wave 10 x its release wave, as a string', () => {
    const result = render();
    const { objects, construct } = result;
    expect(construct.waves).toEqual([
      { index: 1, services: ['payments'] },
      { index: 2, services: ['orders'] },
      { index: 3, services: ['storefront'] },
    ]);
    for (const wave of construct.waves) {
      for (const service of wave.services) {
        const own = objectsOf(objects, result[service as 'payments' | 'orders' | 'storefront']);
        expect(own.length).toBeGreaterThan(2);
        for (const object of own) expect(annotation(object, WAVE)).toBe(String(wave.index * 10));
      }
    }
    // Every object of the chart belongs to a service of the release.
    expect(objects.filter(o => annotation(o, WAVE) === undefined)).toEqual([]);
    expect(['payments', 'orders', 'storefront'].map(s => construct.syncWave(s))).toEqual([10, 20, 30]);
  });

  test('applying objects in sync-wave order rolls out every dependency before its dependants', () => {
    const result = render();
    const { objects, release } = result;
    const waveOf = (service: string) => {
      const waves = new Set(objectsOf(objects, result[service as 'payments' | 'orders' | 'storefront']).map(o => Number(annotation(o, WAVE))));
      expect(waves.size).toBe(1);
      return [...waves][0];
    };
    for (const service of release.services) {
      for (const dependency of service.dependsOn ?? []) {
        expect(waveOf(dependency.service)).toBeLessThan(waveOf(service.name));
      }
    }
  });

  test('services without dependencies between them share a wave', () => {
    const release = new Release({
      name: 'shop',
      services: [
        { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
        { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN },
        { name: 'storefront', version: '1.5.0', strategy: Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, dependsOn: [{ service: 'orders' }, { service: 'payments' }] },
      ],
    });
    const { objects, construct, payments, orders, storefront } = render({ release });
    expect(construct.waves.map(w => w.services)).toEqual([['orders', 'payments'], ['storefront']]);
    expect(new Set([...objectsOf(objects, payments), ...objectsOf(objects, orders)].map(o => annotation(o, WAVE)))).toEqual(new Set(['10']));
    expect(new Set(objectsOf(objects, storefront).map(o => annotation(o, WAVE)))).toEqual(new Set(['20']));
  });

  test('objects outside the services\' constructs are left in the default wave, unlabelled', () => {
    const { objects } = render({ services: (rollouts, chart) => { new kplus.ConfigMap(chart, 'Settings', { data: { mode: 'live' } }); return rollouts; } });
    const [configMap] = ofKind(objects, 'ConfigMap');
    expect(annotation(configMap, WAVE)).toBeUndefined();
    expect(configMap.metadata.labels?.[PART_OF]).toBeUndefined();
  });

  test('syncWave of a service the release does not have fails with the release\'s services', () => {
    const { construct } = shop();
    expectValidationError(() => construct.syncWave('billing'),
      'Release "shop": service is "billing": no service of the release has this name. Use one of: payments, orders, storefront.');
  });
});

describe('labels', () => {
  test('every object of a service carries part-of (the release) and version (the service\'s)', () => {
    const result = render();
    for (const [service, version] of [['payments', '2.1.0'], ['orders', '3.0.0'], ['storefront', '1.5.0']]) {
      const own = objectsOf(result.objects, result[service as 'payments' | 'orders' | 'storefront']);
      expect(own.map(o => o.kind)).toContain('Service');
      for (const object of own.filter(o => o.kind !== 'Deployment')) {
        expect([object.kind, object.metadata.labels[PART_OF], object.metadata.labels[VERSION]]).toEqual([object.kind, 'shop', version]);
      }
    }
  });

  test('a revision\'s Deployment keeps its own revision\'s version; pod templates and selectors are unchanged', () => {
    const { objects, storefront, payments, orders } = render();
    const stable = named(objects, storefront.stableDeployment.name);
    const canary = named(objects, storefront.canaryDeployment!.name);
    expect([stable.metadata.labels[VERSION], stable.metadata.labels[PART_OF]]).toEqual(['1.4.0', 'shop']);
    expect(canary.metadata.labels[VERSION]).toBe('1.5.0');
    expect(named(objects, payments.stableDeployment.name).metadata.labels[VERSION]).toBe('2.0.0');
    expect(named(objects, orders.template.name).metadata.labels[VERSION]).toBe('3.0.0');
    for (const deployment of ofKind(objects, 'Deployment')) {
      expect(deployment.spec.template.metadata.labels[PART_OF]).toBeUndefined();
      expect(Object.keys(deployment.spec.selector.matchLabels).sort()).toEqual([NAME, 'cdk-deploy-strategies.dev/role']);
    }
    expect(ofKind(objects, 'Rollout')[0].spec.selector.matchLabels[PART_OF]).toBeUndefined();
  });

  test('the same objects as without the release, but for labels and annotations', () => {
    const withRelease = render().objects;
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const release = shopRelease();
    new GatewayRollout(chart, 'payments', { strategy: release.service('payments').strategy, gateway: { name: 'public' }, stable: revision('payments', '2.0.0'), candidate: revision('payments', '2.1.0'), step: 2 });
    new ArgoRollout(chart, 'orders', { strategy: release.service('orders').strategy, revision: revision('orders', '3.0.0') });
    new PlainCanary(chart, 'storefront', { strategy: release.service('storefront').strategy, stable: revision('storefront', '1.4.0'), candidate: revision('storefront', '1.5.0'), step: 1 });
    const without = validatedManifests(chart);
    const strip = (o: any) => ({ ...o, metadata: { ...o.metadata, labels: undefined, annotations: undefined } });
    expect(withRelease.map(strip)).toEqual(without.map(strip));
  });
});

describe('the release record', () => {
  test('each service\'s primary object records its wave and state; the first service\'s the table and waves', () => {
    const { objects, construct, release, payments, orders, storefront } = render();
    const route = named(objects, payments.route.name);
    const rollout = named(objects, orders.rollout.name);
    const service = named(objects, storefront.service.name);
    for (const primary of [route, rollout, service]) expect(annotation(primary, PLAN_ANNOTATION)).toBeDefined();
    expect(JSON.parse(annotation(route, RELEASE))).toEqual({
      release: 'shop',
      service: 'payments',
      version: '2.1.0',
      wave: 1,
      syncWave: 10,
      state: 'releasing',
      step: 2,
      // The release's construct path, which the plan command titles it by.
      path: 'test/shop',
      table: release.toTable(),
      waves: construct.waves,
    });
    expect(JSON.parse(annotation(rollout, RELEASE))).toEqual({ release: 'shop', service: 'orders', version: '3.0.0', wave: 2, syncWave: 20, state: 'released' });
    expect(JSON.parse(annotation(service, RELEASE))).toEqual({ release: 'shop', service: 'storefront', version: '1.5.0', wave: 3, syncWave: 30, state: 'releasing', step: 1 });
    expect(objects.filter(o => annotation(o, RELEASE) !== undefined)).toHaveLength(3);
    expect(release.toTable()).toContain('total duration');
  });
});

describe('dependency order across commits', () => {
  test('a dependant waits on its earlier version while a step-per-commit dependency has not finished', () => {
    const { objects, orders, storefront } = render({
      payments: { step: 1 },
      orders: { revision: revision('orders', '2.9.0') },
      storefront: { candidate: undefined, step: undefined },
    });
    const rollout = named(objects, orders.rollout.name);
    expect(JSON.parse(annotation(rollout, RELEASE))).toMatchObject({ version: '3.0.0', state: 'waiting' });
    // Labelled with the version it runs, not the one it will run.
    expect(rollout.metadata.labels[VERSION]).toBe('2.9.0');
    const service = named(objects, storefront.service.name);
    expect([service.metadata.labels[VERSION], JSON.parse(annotation(service, RELEASE)).state]).toEqual(['1.4.0', 'waiting']);
  });

  test('a dependant cannot start while a step-per-commit dependency renders an earlier step than its last', () => {
    expectValidationError(() => shop({ payments: { step: 1 } }),
      `${where}: services.orders.revision.version is "3.0.0": "orders" depends on "payments", which has not finished: GatewayRollout test/payments renders step 1 of 2 (10% of traffic on 2.1.0). `
      + 'A service starts only once everything it depends on has finished: keep revision.version at the version it ran before until "payments" renders its last step (2).');
  });

  test('a dependant with a candidate cannot start while its dependency waits', () => {
    expectValidationError(() => shop({ orders: { revision: revision('orders', '2.9.0') } }),
      `${where}: services.storefront.candidate.version is "1.5.0": "storefront" depends on "orders", which has not finished: it still runs 2.9.0, not the release's 3.0.0. `
      + 'A service starts only once everything it depends on has finished: leave out its candidate, so that its stable revision serves alone, until "orders" runs 3.0.0 and has finished.');
  });

  test('a promoted dependency (no candidate, stable at the release\'s version) has finished', () => {
    const { objects, payments } = render({ payments: { stable: revision('payments', '2.1.0'), candidate: undefined, step: undefined } });
    expect(JSON.parse(annotation(named(objects, payments.route.name), RELEASE))).toMatchObject({ state: 'released' });
  });

  test('a dependant on an ArgoRollout may start in the same commit: Argo CD waits for the Rollout to finish', () => {
    const { objects, storefront } = render();
    expect(JSON.parse(annotation(named(objects, storefront.service.name), RELEASE)).state).toBe('releasing');
  });

  test('PlainBlueGreen: finished at its last step (the switch); before it, its dependants wait', () => {
    const release = new Release({
      name: 'shop',
      services: [
        { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN },
        { name: 'storefront', version: '1.5.0', strategy: Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, dependsOn: [{ service: 'orders' }] },
      ],
    });
    const build = (orders: Partial<PlainBlueGreenProps>) => {
      const chart = Testing.chart();
      const blueGreen = new PlainBlueGreen(chart, 'orders', {
        strategy: release.service('orders').strategy, stable: revision('orders', '2.9.0'), candidate: revision('orders', '3.0.0'), ...orders,
      });
      const canary = new PlainCanary(chart, 'storefront', {
        strategy: release.service('storefront').strategy, stable: revision('storefront', '1.4.0'), candidate: revision('storefront', '1.5.0'), step: 1,
      });
      new KubernetesRelease(chart, 'shop', { release, services: { orders: blueGreen, storefront: canary } });
      return { chart, blueGreen };
    };
    const { chart, blueGreen } = build({ step: 2 });
    const objects = validatedManifests(chart);
    const live = named(objects, blueGreen.liveService.name);
    expect([annotation(live, WAVE), live.metadata.labels[VERSION], JSON.parse(annotation(live, RELEASE)).state]).toEqual(['10', '3.0.0', 'releasing']);
    expect(objects.filter(o => annotation(o, WAVE) === '20')).toEqual(objectsOf(objects, chart.node.findChild('storefront')));
    expectValidationError(() => build({ step: 1 }),
      'KubernetesRelease test/shop: services.storefront.candidate.version is "1.5.0": "storefront" depends on "orders", which has not finished: PlainBlueGreen test/orders renders step 1 of 2 (0% of traffic on 3.0.0). '
      + 'A service starts only once everything it depends on has finished: leave out its candidate, so that its stable revision serves alone, until "orders" renders its last step (2).');
  });
});

describe('migration', () => {
  const migration: ReleaseMigration = {
    image: 'registry.example.com/orders-migrate:3.0.0',
    command: ['migrate'],
    args: ['--to', 'latest'],
    envVariables: { DATABASE_HOST: kplus.EnvValue.fromValue('orders-db') },
    backoffLimit: 2,
    activeDeadline: Duration.minutes(10),
  };

  test('a PreSync hook Job, deleted before its next run, in wave 0 before the first service', () => {
    const { objects, construct } = render({ migration });
    const [job] = ofKind(objects, 'Job');
    expect(job.metadata.name).toBe(construct.migrationJob!.name);
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      [WAVE]: '0',
    });
    expect(Number(job.metadata.annotations[WAVE])).toBeLessThan(construct.syncWave(construct.waves[0].services[0]));
    expect(job.metadata.labels[PART_OF]).toBe('shop');
    expect(job.spec.template.metadata.labels[PART_OF]).toBe('shop');
    expect([job.spec.backoffLimit, job.spec.activeDeadlineSeconds, job.spec.template.spec.restartPolicy]).toEqual([2, 600, 'Never']);
    const [container] = job.spec.template.spec.containers;
    expect(container).toMatchObject({
      name: 'migrate', image: migration.image, command: ['migrate'], args: ['--to', 'latest'], env: [{ name: 'DATABASE_HOST', value: 'orders-db' }],
    });
    // cdk8s-plus's secure defaults hold.
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
    });
    expect(job.metadata.namespace).toBe('shop');
  });

  test('the defaults: Kubernetes\' retries, no deadline, the image\'s entrypoint', () => {
    const { objects } = render({ migration: { image: 'registry.example.com/orders-migrate:3.0.0' } });
    const [job] = ofKind(objects, 'Job');
    expect([job.spec.backoffLimit, job.spec.activeDeadlineSeconds]).toEqual([undefined, undefined]);
    expect(job.spec.template.spec.containers[0].command).toBeUndefined();
  });

  test('no migration, no Job', () => {
    const { objects, construct } = render();
    expect(ofKind(objects, 'Job')).toEqual([]);
    expect(construct.migrationJob).toBeUndefined();
  });

  test.each([
    ['image', { image: '' }, `${where}: migration.image is "": a migration needs an image. Pass an image reference such as "registry.example.com/orders-migrate:3.0.0".`],
    ['command', { image: 'm:1', command: 'migrate' }, `${where}: migration.command is "migrate": it must be an array. Pass a list of strings such as ["migrate", "--to", "latest"].`],
    ['args', { image: 'm:1', args: ['--to', 3] }, `${where}: migration.args[1] is 3: it must be a string. Pass a list of strings such as ["migrate", "--to", "latest"].`],
    ['backoffLimit', { image: 'm:1', backoffLimit: -1 }, `${where}: migration.backoffLimit is -1: it is a number of retries, a whole number from 0 to 100. Use a number such as 2, or 0 to never retry.`],
    ['activeDeadline', { image: 'm:1', activeDeadline: Duration.seconds(0) }, `${where}: migration.activeDeadline is 0 seconds: it must be at least 1 second. Give the migration at least a second, such as Duration.minutes(10).`],
    ['envVariables', { image: 'm:1', envVariables: { HOST: 'orders-db' } }, `${where}: migration.envVariables.HOST is "orders-db": it must be an EnvValue. Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).`],
    ['envVariables object', { image: 'm:1', envVariables: ['HOST=orders-db'] }, `${where}: migration.envVariables is an array of 1: it must be an object. Pass { LOG_LEVEL: kplus.EnvValue.fromValue("info") }.`],
    // Found by the random props: the schema takes any name, and Kubernetes refuses these at apply time.
    ['environment variable name', { image: 'm:1', envVariables: { 'DB=HOST': kplus.EnvValue.fromValue('orders-db') } },
      `${where}: migration.envVariables key is "DB=HOST": an environment variable name is 1 or more printable ASCII characters other than "=" on Kubernetes 1.32 and later; `
      + 'older clusters take letters, digits, "_", "-" and "." only, not starting with a digit. Use a name such as "LOG_LEVEL".'],
  ])('an invalid migration %s fails', (_prop, value, message) => {
    expectValidationError(() => shop({ migration: value as unknown as ReleaseMigration }), message);
  });
});

describe('invalid input', () => {
  test('the release must be a Release', () => {
    const chart = Testing.chart();
    expectValidationError(() => new KubernetesRelease(chart, 'shop', { release: { name: 'shop' } } as unknown as KubernetesReleaseProps),
      'KubernetesRelease test/shop: release is an object: it must be a Release. Pass new Release({ name, services: [...] }).');
  });

  test('an invalid release fails with the core\'s message', () => {
    const release = shopRelease({ payments: { dependsOn: [{ service: 'storefront' }] } });
    expectValidationError(() => new KubernetesRelease(Testing.chart(), 'shop', { release, services: {} }),
      'Release "shop": dependsOn is "orders -> payments -> storefront -> orders": the dependencies form a cycle, so no service in it can go first. Remove one of the dependencies in the cycle.');
  });

  test('a name that is not a service of the release fails, listing the release\'s services', () => {
    expectValidationError(() => shop({ services: (r, chart) => ({ ...r, billing: new kplus.ConfigMap(chart, 'Billing') }) }),
      `${where}: services.billing is a ConfigMap: release "shop" has no service "billing". Pass one rollout per service of the release: payments, orders, storefront; add "billing" to the release to release it too.`);
  });

  test('a service of the release without its rollout fails, listing the release\'s services', () => {
    expectValidationError(() => shop({ services: ({ payments, orders }) => ({ payments, orders }) }),
      `${where}: services.storefront is undefined: every service of release "shop" needs its rollout construct. Pass one rollout per service of the release: payments, orders, storefront.`);
  });

  test('services must be an object', () => {
    expectValidationError(() => shop({ services: r => [r.payments] as any }),
      `${where}: services is an array of 1: it must be an object. Pass one rollout construct per service of release "shop": { payments, orders, storefront }.`);
  });

  test('a construct that is not a rollout fails', () => {
    expectValidationError(() => shop({ services: (r, chart) => ({ ...r, orders: new kplus.Deployment(chart, 'plain', { containers: [{ image: 'nginx:1.27' }] }) }) }),
      `${where}: services.orders is a Deployment: a release rolls services out with the library's Kubernetes rollout constructs. Pass a PlainBlueGreen, PlainCanary, GatewayRollout, ArgoRollout or FlaggerCanary.`);
    expectValidationError(() => shop({ services: r => ({ ...r, orders: { plan: (r.orders as ArgoRollout).plan } }) }),
      `${where}: services.orders is an object: a release rolls services out with the library's Kubernetes rollout constructs. Pass a PlainBlueGreen, PlainCanary, GatewayRollout, ArgoRollout or FlaggerCanary.`);
  });

  test('one rollout for two services fails', () => {
    expectValidationError(() => shop({ services: r => ({ ...r, storefront: r.payments }) }),
      `${where}: services.storefront is a GatewayRollout: it is the rollout of "payments" too (GatewayRollout test/payments). Give each service its own rollout construct.`);
  });

  test('a rollout released by two releases fails', () => {
    const { chart, release, payments, orders, storefront } = shop();
    expectValidationError(() => new KubernetesRelease(chart, 'again', { release, services: { payments, orders, storefront } }),
      'KubernetesRelease test/again: services.payments is a GatewayRollout: GatewayRollout test/payments is released by KubernetesRelease test/shop already, and one set of sync waves applies to it. Release each rollout with one KubernetesRelease.');
  });

  test('a rollout with another strategy than the release\'s fails: the release is the single source of truth', () => {
    expectValidationError(() => shop({ orders: { strategy: Strategy.ALL_AT_ONCE } }),
      `${where}: services.orders.strategy is "all at once": release "shop" rolls "orders" out with "blue-green (bake 5m)", and the release is the single source of truth. Build ArgoRollout test/orders with strategy: release.service("orders").strategy.`);
  });

  test('an equal strategy built separately is accepted', () => {
    const sameCanary = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] });
    const release = shopRelease({ payments: { strategy: sameCanary } });
    expect(release.service('payments').strategy).not.toBe(Strategy.CANARY_10PERCENT_5MINUTES);
    expect(() => render({ release, payments: { strategy: Strategy.CANARY_10PERCENT_5MINUTES } })).not.toThrow();
  });

  test('a candidate of another version than the release\'s fails, naming both', () => {
    expectValidationError(() => shop({ storefront: { candidate: revision('storefront', '1.6.0') } }),
      `${where}: services.storefront.candidate.version is "1.6.0": release "shop" releases "storefront" 1.5.0, and the candidate is the revision being released. Set candidate.version (and the image) to "1.5.0", or release "storefront" at the revision's version.`);
  });

  test('a revision newer than the release\'s version, or not semver, fails, naming both', () => {
    expectValidationError(() => shop({ orders: { revision: revision('orders', '3.1.0') } }),
      `${where}: services.orders.revision.version is "3.1.0": release "shop" releases "orders" 3.0.0, and a service runs that version or, until its turn, an earlier one. Set revision.version (and the image) to "3.0.0", or release "orders" at the revision's version.`);
    expectValidationError(() => shop({ storefront: { stable: revision('storefront', 'v1'), candidate: undefined, step: undefined } }),
      `${where}: services.storefront.stable.version is "v1": release "shop" releases "storefront" 1.5.0, and a service runs that version or, until its turn, an earlier one. Set stable.version (and the image) to "1.5.0", or release "storefront" at the revision's version.`);
  });

  test('a revision compared without a version fails', () => {
    expectValidationError(() => shop({ storefront: { candidate: { containers: revision('storefront', '1.5.0').containers } } }),
      `${where}: services.storefront.candidate.version is undefined: release "shop" compares the version of each service with the revision its rollout releases. Set candidate.version to "1.5.0", the release's version of "storefront".`);
    expectValidationError(() => shop({ orders: { revision: { containers: revision('orders', '3.0.0').containers } } }),
      `${where}: services.orders.revision.version is undefined: release "shop" compares the version of each service with the revision its rollout runs. Set revision.version to "3.0.0", the release's version of "orders", or to the earlier version it runs until its turn.`);
  });

  test('a release version that cannot be a label value fails', () => {
    expectValidationError(() => shop({ release: shopRelease({ payments: { version: '2.1.0+build.7' } }) }),
      `${where}: release service "payments".version is "2.1.0+build.7": it becomes the app.kubernetes.io/version label, whose value has at most 63 letters, digits, "-", "_" or ".". Drop the build metadata ("2.1.0"), which semver ignores when comparing versions.`);
  });

  test('a service added to the release afterwards fails at synth', () => {
    const { chart, release } = shop();
    release.addService({ name: 'billing', version: '1.0.0', strategy: Strategy.BLUE_GREEN });
    expect(() => Testing.synth(chart)).toThrow(
      `${where}: release "shop" has the services payments, orders, storefront, billing, but had payments, orders, storefront when the KubernetesRelease was created. `
      + 'Add every service to the release before creating the KubernetesRelease, and pass its rollout in services.');
  });
});

describe('random props', () => {
  type Kind = 'PlainBlueGreen' | 'PlainCanary' | 'GatewayRollout' | 'ArgoRollout';
  type State = 'waiting' | 'releasing' | 'released';
  const NAMES = ['payments', 'orders', 'storefront'];
  // Strategies every rollout construct of their kind expresses (with 10 replicas), and the kinds that do.
  const STRATEGIES: Array<[Strategy, Kind[]]> = [
    [Strategy.BLUE_GREEN, ['PlainBlueGreen', 'GatewayRollout', 'ArgoRollout']],
    [Strategy.blueGreen({ bakeTime: Duration.minutes(30), promotion: StepGate.manualApproval() }), ['PlainBlueGreen', 'GatewayRollout', 'ArgoRollout']],
    [Strategy.CANARY_10PERCENT_5MINUTES, ['PlainCanary', 'GatewayRollout', 'ArgoRollout']],
    [Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, ['PlainCanary', 'GatewayRollout', 'ArgoRollout']],
  ];
  const envArb = (either: <T>(v: fc.Arbitrary<T>, o: fc.Arbitrary<unknown>) => fc.Arbitrary<T>) => fc.dictionary(
    either(fc.constantFrom('DATABASE_HOST', 'LOG_LEVEL'), fc.constantFrom('', 'A=B')),
    either(fc.constantFrom('orders-db', 'info').map(v => kplus.EnvValue.fromValue(v)), fc.constantFrom('orders-db', 42)),
    { minKeys: 1, maxKeys: 2 });

  const propsArb = tidyOrNot(({ untidy, either, maybe }) => fc.record({
    services: fc.integer({ min: 1, max: 3 }).chain(n => fc.tuple(...NAMES.slice(0, n).map((name, i) => fc.record({
      name: fc.constant(name),
      version: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(9), fc.integer({ min: 1, max: 9 })),
      // Untidy: build metadata, which no label value holds.
      build: either(fc.constant(''), fc.constant('+build.7')),
      strategy: fc.nat(STRATEGIES.length - 1),
      kind: fc.nat(2),
      state: fc.constantFrom<State>('waiting', 'releasing', 'released'),
      step: fc.integer({ min: 1, max: 10 }),
      dependsOn: fc.subarray(NAMES.slice(0, untidy ? n : i).filter(d => d !== name)),
      range: fc.constantFrom(undefined, '>=', '^', '>'),
      // Untidy: a revision without a version, or the rollout built with another strategy.
      versionless: either(fc.constant(false), fc.constant(true)),
      otherStrategy: either(fc.constant(false), fc.constant(true)),
    })))),
    migration: maybe(either(fc.record({
      image: either(fc.constantFrom('registry.example.com/orders-migrate:3.0.0'), fc.constantFrom('', 42)),
      command: maybe(either(fc.constantFrom(['migrate'], ['flyway', 'migrate']), fc.constantFrom('migrate', [3]))),
      args: maybe(fc.constantFrom(['--to', 'latest'], [])),
      envVariables: maybe(envArb(either)),
      backoffLimit: maybe(either(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101, 1.5))),
      activeDeadline: maybe(either(fc.integer({ min: 1, max: 3600 }).map(s => Duration.seconds(s)), fc.constantFrom(Duration.seconds(0), 600))),
    }, { requiredKeys: ['image'] }), fc.constantFrom('registry.example.com/orders-migrate:3.0.0', null))),
    // Untidy: a service's rollout missing, or one that is not the release's.
    servicesMap: either(fc.constant<string>('all'), fc.constantFrom('missing', 'extra', 'twice', 'not an object', 'not a rollout')),
    // Untidy: release props in place of a Release.
    releaseProps: either(fc.constant(false), fc.constant(true)),
  }).map(p => ({ ...p, untidy })));

  test('either synthesize valid objects in the sync waves of the release, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ services, migration, servicesMap, releaseProps, untidy }) => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const versions = new Map(services.map(s => [s.name, `${s.version.join('.')}${s.build}`]));
      const range = (service: string, kind: string | undefined) => {
        const v = versions.get(service)!;
        return kind === undefined ? undefined : kind === '^' ? `^${v.split('.')[0]}.0.0` : `${kind}${v}`;
      };
      const release = new Release({
        name: 'shop',
        services: services.map(s => ({
          name: s.name,
          version: versions.get(s.name)!,
          strategy: STRATEGIES[s.strategy][0],
          dependsOn: s.dependsOn.map(d => ({ service: d, versionRange: range(d, s.range) })),
        })),
      });
      // Tidy: a service starts only once what it depends on has finished (released, or at its last step).
      const finished = new Map<string, boolean>();
      const rollouts: Record<string, Construct> = {};
      const states = new Map<string, State>();
      for (const s of services) {
        const [strategy, kinds] = STRATEGIES[s.strategy];
        const kind = kinds[s.kind];
        const steps = strategy.steps.length;
        let state: State = kind === 'ArgoRollout' && s.state === 'releasing' ? 'released' : s.state;
        if (!untidy && s.dependsOn.some(d => !finished.get(d))) state = 'waiting';
        const step = untidy ? s.step : Math.min(s.step, steps);
        finished.set(s.name, state === 'released' || (state === 'releasing' && step === steps));
        states.set(s.name, state);
        const version = versions.get(s.name)!;
        const [major, minor, patch] = s.version;
        const rev = (v: string) => ({ containers: [{ image: `registry.example.com/${s.name}:${v}`, portNumber: 8080 }], ...(s.versionless ? {} : { version: v }) });
        const stable = rev(state === 'released' ? version : `${major}.${minor}.${patch - 1}`);
        const candidate = state === 'releasing' ? rev(version) : undefined;
        const common = { strategy: s.otherStrategy ? Strategy.CANARY_10PERCENT_30MINUTES : strategy };
        rollouts[s.name] = kind === 'PlainBlueGreen' ? new PlainBlueGreen(chart, s.name, { ...common, stable, candidate, step: candidate && step })
          : kind === 'PlainCanary' ? new PlainCanary(chart, s.name, { ...common, stable, candidate, step: candidate && step })
            : kind === 'GatewayRollout' ? new GatewayRollout(chart, s.name, { ...common, gateway: { name: 'public' }, stable, candidate, step: candidate && step })
              : new ArgoRollout(chart, s.name, { ...common, revision: stable, replicas: 10 });
      }
      const given: Record<string, unknown> = { ...rollouts };
      if (servicesMap === 'missing') delete given[services[0].name];
      if (servicesMap === 'extra') given.billing = rollouts[services[0].name];
      if (servicesMap === 'twice' && services.length > 1) given[services[1].name] = rollouts[services[0].name];
      if (servicesMap === 'not a rollout') given[services[0].name] = new kplus.Deployment(chart, 'plain', { containers: [{ image: 'nginx:1.27' }] });
      const construct = new KubernetesRelease(chart, 'shop', {
        release: releaseProps ? { name: 'shop', services: [] } as unknown as Release : release,
        services: (servicesMap === 'not an object' ? [rollouts[services[0].name]] : given) as Record<string, Construct>,
        migration: migration as ReleaseMigration,
      });
      const objects = validatedManifests(chart);

      for (const wave of construct.waves) {
        for (const service of wave.services) {
          const own = objectsOf(objects, rollouts[service]);
          for (const object of own) expect(annotation(object, WAVE)).toBe(String(wave.index * 10));
          const recorded = own.map(o => annotation(o, RELEASE)).filter(a => a !== undefined).map(a => JSON.parse(a));
          expect(recorded).toHaveLength(1);
          expect(recorded[0]).toMatchObject({ release: 'shop', service, wave: wave.index, syncWave: wave.index * 10, state: states.get(service) });
        }
      }
      expect(ofKind(objects, 'Job')).toHaveLength(migration === undefined ? 0 : 1);
    }, { quickRuns: 30 });
  });
});
