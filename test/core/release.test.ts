import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Release, ReleaseService, StepGate, Strategy, StrategyErrors } from '../../src';
import { expectValidationError, thrownBy } from '../support/validation-error';

function service(name: string, props: Partial<ReleaseService> = {}): ReleaseService {
  return { name, version: '1.0.0', strategy: Strategy.ALL_AT_ONCE, ...props };
}

function release(...services: ReleaseService[]): Release {
  return new Release({ name: 'shop', services });
}

function dependsOn(...names: string[]): Partial<ReleaseService> {
  return { dependsOn: names.map(name => ({ service: name })) };
}

describe('Release waves', () => {
  test('a diamond dependency graph rolls out in three waves, the middle one sorted by name', () => {
    const r = release(
      service('web', dependsOn('payments', 'orders')),
      service('payments', dependsOn('db')),
      service('orders', dependsOn('db')),
      service('db'),
    );

    expect(r.waves()).toEqual([
      { index: 1, services: ['db'] },
      { index: 2, services: ['orders', 'payments'] },
      { index: 3, services: ['web'] },
    ]);
  });

  test('independent services roll out together in one wave, sorted by name', () => {
    const r = release(service('search'), service('cart'), service('ledger'));

    expect(r.waves()).toEqual([{ index: 1, services: ['cart', 'ledger', 'search'] }]);
  });

  test('a chain rolls out one service per wave', () => {
    const r = release(service('c', dependsOn('b')), service('b', dependsOn('a')), service('a'));

    expect(r.waves().map(w => w.services)).toEqual([['a'], ['b'], ['c']]);
  });

  test('a service waits for its deepest dependency, not its shallowest', () => {
    const r = release(service('api', dependsOn('db', 'cache')), service('cache', dependsOn('db')), service('db'));

    expect(r.waves()).toEqual([
      { index: 1, services: ['db'] },
      { index: 2, services: ['cache'] },
      { index: 3, services: ['api'] },
    ]);
  });

  test('a service added with addService after construction takes part in the waves', () => {
    const r = release(service('orders', dependsOn('payments')));
    r.addService(service('payments'));

    expect(r.waves()).toEqual([
      { index: 1, services: ['payments'] },
      { index: 2, services: ['orders'] },
    ]);
  });

  test('a release started without services can be filled with addService', () => {
    const r = new Release({ name: 'shop' });
    r.addService(service('cart'));

    expect(r.name).toBe('shop');
    expect(r.waves()).toEqual([{ index: 1, services: ['cart'] }]);
  });
});

describe('Release services', () => {
  test('are listed in the order they were added, not sorted', () => {
    const r = release(service('web'), service('api'));
    r.addService(service('db'));

    expect(r.services.map(s => s.name)).toEqual(['web', 'api', 'db']);
  });

  test('keep their version, strategy and dependencies', () => {
    const strategy = Strategy.canary({ steps: [{ weight: 25, gate: StepGate.bake(Duration.minutes(3)) }] });
    const r = release(service('payments', { version: '2.1.0' }),
      service('orders', { version: '3.0.0', strategy, dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] }));

    const orders = r.services[1];
    expect(orders.version).toBe('3.0.0');
    expect(orders.strategy).toBe(strategy);
    expect(orders.dependsOn).toEqual([{ service: 'payments', versionRange: '>=2.0.0' }]);
  });

  test('a service without dependencies has an empty dependency list', () => {
    expect(release(service('cart')).services[0].dependsOn).toEqual([]);
  });

  test('the list returned is a copy: changing it does not change the release', () => {
    const r = release(service('cart'));
    r.services.push(service('extra'));

    expect(r.services.map(s => s.name)).toEqual(['cart']);
  });
});

describe('Release versions', () => {
  test('a prerelease version satisfies a range, like a release version', () => {
    const r = release(
      service('payments', { version: '2.1.0-rc.1' }),
      service('orders', { dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] }),
    );

    expect(r.services[0].version).toBe('2.1.0-rc.1');
    expect(r.waves().map(w => w.services)).toEqual([['payments'], ['orders']]);
  });

  test('a prerelease version satisfies a caret range', () => {
    const r = release(
      service('payments', { version: '2.2.0-beta.3' }),
      service('orders', { dependsOn: [{ service: 'payments', versionRange: '^2.1' }] }),
    );

    expect(r.waves()).toHaveLength(2);
  });

  test('a dependency without a version range accepts any version', () => {
    const r = release(service('payments', { version: '0.0.1' }), service('orders', dependsOn('payments')));

    expect(r.waves()).toHaveLength(2);
  });
});

describe('Release toTable', () => {
  const db = Strategy.CANARY_10PERCENT_5MINUTES;
  const orders = Strategy.CANARY_10PERCENT_15MINUTES;
  const payments = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE;
  const web = Strategy.BLUE_GREEN;
  const r = release(
    service('web', { version: '4.0.0', strategy: web, ...dependsOn('orders', 'payments') }),
    service('orders', { version: '2.0.0', strategy: orders, ...dependsOn('db') }),
    service('payments', { version: '3.1.0', strategy: payments, ...dependsOn('db') }),
    service('db', { version: '1.0.0', strategy: db }),
  );
  const seconds = (s: Strategy) => s.plan().totalDuration.toSeconds();

  test('the total duration is the sum over waves of the longest service in each wave', () => {
    const expected = seconds(db) + Math.max(seconds(orders), seconds(payments)) + seconds(web);

    // 5m + max(15m, 9m) + 5m; neither the sum of all services (34m) nor the longest one (15m).
    expect(expected).toBe(25 * 60);
    expect(seconds(db) + seconds(orders) + seconds(payments) + seconds(web)).not.toBe(expected);
    expect(r.toTable()).toContain('\ntotal duration: 25m (waves run one after another; services within a wave in parallel)');
  });

  test('lists each service with its wave, version, strategy and duration', () => {
    const lines = r.toTable().split('\n');
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

    expect(lines[0]).toBe('release shop');
    expect(lines[1]).toMatch(/^wave\s+service\s+version\s+strategy\s+duration$/);
    expect(lines[2]).toMatch(new RegExp(`^1\\s+db\\s+1\\.0\\.0\\s+${escape(db.describe())}\\s+5m$`));
    expect(lines[3]).toMatch(new RegExp(`^2\\s+orders\\s+2\\.0\\.0\\s+${escape(orders.describe())}\\s+15m$`));
    expect(lines[4]).toMatch(new RegExp(`^2\\s+payments\\s+3\\.1\\.0\\s+${escape(payments.describe())}\\s+9m$`));
    expect(lines[5]).toMatch(/^3\s+web\s+4\.0\.0\s+blue-green \(bake 5m\)\s+5m$/);
    expect(lines).toHaveLength(7);
  });

  test('a release of instant rollouts has a total duration of 0s', () => {
    expect(release(service('a'), service('b', dependsOn('a'))).toTable()).toContain('\ntotal duration: 0s (');
  });

  test('fails like waves() when the release cannot be ordered', () => {
    expectValidationError(() => release(service('a', dependsOn('a'))).toTable(),
      'Release "shop": dependsOn is "a -> a": the dependencies form a cycle, so no service in it can go first. Remove one of the dependencies in the cycle.');
  });
});

describe('Release dependency errors in waves()', () => {
  test('a two-service cycle names the cycle', () => {
    expectValidationError(() => release(service('a', dependsOn('b')), service('b', dependsOn('a'))).waves(),
      'Release "shop": dependsOn is "a -> b -> a": the dependencies form a cycle, so no service in it can go first. Remove one of the dependencies in the cycle.');
  });

  test('a service depending on itself is a cycle', () => {
    expectValidationError(() => release(service('cart'), service('a', dependsOn('a'))).waves(),
      'Release "shop": dependsOn is "a -> a": the dependencies form a cycle, so no service in it can go first. Remove one of the dependencies in the cycle.');
  });

  test('a three-service cycle is named without the services around it', () => {
    const r = release(
      service('web'),
      service('orders', dependsOn('web', 'payments')),
      service('payments', dependsOn('stock')),
      service('stock', dependsOn('orders')),
      service('audit', dependsOn('orders')),
    );

    expectValidationError(() => r.waves(),
      'Release "shop": dependsOn is "orders -> payments -> stock -> orders": the dependencies form a cycle, so no service in it can go first. Remove one of the dependencies in the cycle.');
  });

  test('a dependency on a service that is not in the release', () => {
    expectValidationError(() => release(service('orders', dependsOn('payments')), service('web')).waves(),
      'Release "shop": service "orders".dependsOn[0].service is "payments": no service of the release has this name. Add "payments" to the release, or remove the dependency. Services: orders, web.');
  });

  test('a version range the dependency does not satisfy, naming both versions', () => {
    const r = release(
      service('payments', { version: '1.4.0' }),
      service('orders', { version: '3.0.0', dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] }),
    );

    expectValidationError(() => r.waves(),
      'Release "shop": service "orders".dependsOn[0].versionRange is ">=2.0.0": "orders" 3.0.0 needs "payments" >=2.0.0, but the release has "payments" 1.4.0. Release a version of "payments" that satisfies >=2.0.0, or widen the range.');
  });

  test('a prerelease below the range does not satisfy it', () => {
    const r = release(
      service('payments', { version: '2.0.0-rc.1' }),
      service('orders', { dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] }),
    );

    expectValidationError(() => r.waves(),
      'Release "shop": service "orders".dependsOn[0].versionRange is ">=2.0.0": "orders" 1.0.0 needs "payments" >=2.0.0, but the release has "payments" 2.0.0-rc.1. Release a version of "payments" that satisfies >=2.0.0, or widen the range.');
  });

  test('an empty release has no waves', () => {
    expectValidationError(() => new Release({ name: 'shop' }).waves(),
      'Release "shop": services is an empty array: a release needs at least one service. Add services with the services prop or addService().');
  });

  test('dependencies are checked only when waves() runs, so they may be added in any order', () => {
    const r = release(service('orders', dependsOn('payments')));

    expect(r.services.map(s => s.name)).toEqual(['orders']);
    expectValidationError(() => r.waves(), 'Release "shop": service "orders".dependsOn[0].service is "payments": no service of the release has this name. Add "payments" to the release, or remove the dependency. Services: orders.');
  });
});

describe('Release validation', () => {
  test.each<[string, () => unknown, string]>([
    ['props that are not an object', () => new Release(undefined as any),
      'Release: props is undefined: it must be an object. Pass an object such as { name: "shop", services: [...] }.'],
    ['props that are a string', () => new Release('shop' as any),
      'Release: props is "shop": it must be an object. Pass an object such as { name: "shop", services: [...] }.'],
    ['a name that is not a DNS label', () => new Release({ name: 'Shop' }),
      'Release: name is "Shop": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "shop".'],
    ['a missing name', () => new Release({} as any),
      'Release: name is undefined: a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "shop".'],
    ['services that are not an array', () => new Release({ name: 'shop', services: 'x' as any }),
      'Release "shop": services is "x": it must be an array. Pass an array of services.'],
    ['null services', () => new Release({ name: 'shop', services: null as any }),
      'Release "shop": services is null: it must be an array. Pass an array of services.'],
    ['a service that is not an object', () => release('orders' as any),
      'Release "shop": service is "orders": it must be an object. Pass an object such as { name: "orders", version: "1.2.0", strategy: Strategy.BLUE_GREEN }.'],
    ['a null service', () => release(null as any),
      'Release "shop": service is null: it must be an object. Pass an object such as { name: "orders", version: "1.2.0", strategy: Strategy.BLUE_GREEN }.'],
    ['a service name that is not a DNS label', () => release(service('Orders')),
      'Release "shop": service.name is "Orders": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "orders".'],
    ['a service name that is not a string', () => release(service(7 as any)),
      'Release "shop": service.name is 7: a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "orders".'],
    ['two services with the same name', () => release(service('orders'), service('orders', { version: '1.1.0' })),
      'Release "shop": service "orders".name is "orders": another service of the release has this name. Give each service a distinct name.'],
    ['the floating version "latest"', () => release(service('orders', { version: 'latest' })),
      'Release "shop": service "orders".version is "latest": a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".'],
    ['a version that is a range', () => release(service('orders', { version: '^1.0.0' })),
      'Release "shop": service "orders".version is "^1.0.0": a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".'],
    ['a version without a patch number', () => release(service('orders', { version: '1.2' })),
      'Release "shop": service "orders".version is "1.2": a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".'],
    ['a version that is a number', () => release(service('orders', { version: 2 as any })),
      'Release "shop": service "orders".version is 2: a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".'],
    ['a missing version', () => release({ name: 'orders', strategy: Strategy.BLUE_GREEN } as any),
      'Release "shop": service "orders".version is undefined: a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".'],
    ['a missing strategy', () => release({ name: 'orders', version: '1.0.0' } as any),
      'Release "shop": service "orders".strategy is undefined: every service needs a rollout strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.'],
    ['a strategy that is a string', () => release(service('orders', { strategy: 'canary' as any })),
      'Release "shop": service "orders".strategy is "canary": every service needs a rollout strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.'],
    ['dependencies that are not an array', () => release(service('orders', { dependsOn: 'payments' as any })),
      'Release "shop": service "orders".dependsOn is "payments": it must be an array. Pass dependencies such as [{ service: "payments" }].'],
    ['null dependencies', () => release(service('orders', { dependsOn: null as any })),
      'Release "shop": service "orders".dependsOn is null: it must be an array. Pass dependencies such as [{ service: "payments" }].'],
    ['a dependency that is a string', () => release(service('orders', { dependsOn: [{ service: 'cart' }, 'payments' as any] })),
      'Release "shop": service "orders".dependsOn[1] is "payments": it must be an object. Pass a dependency such as { service: "payments", versionRange: ">=2.0.0" }.'],
    ['a null dependency', () => release(service('orders', { dependsOn: [null as any] })),
      'Release "shop": service "orders".dependsOn[0] is null: it must be an object. Pass a dependency such as { service: "payments", versionRange: ">=2.0.0" }.'],
    ['a dependency service name that is not a DNS label', () => release(service('orders', dependsOn('Payments'))),
      'Release "shop": service "orders".dependsOn[0].service is "Payments": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "payments".'],
    ['a dependency without a service name', () => release(service('orders', { dependsOn: [{} as any] })),
      'Release "shop": service "orders".dependsOn[0].service is undefined: a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "payments".'],
    ['a version range that is not a semver range', () => release(service('orders', { dependsOn: [{ service: 'payments', versionRange: 'not a range' }] })),
      'Release "shop": service "orders".dependsOn[0].versionRange is "not a range": it is not a semver range. Use a range such as ">=2.0.0", "^2.1" or "2.x", or leave it out to accept any version.'],
    ['a version range that is a number', () => release(service('orders', { dependsOn: [{ service: 'payments', versionRange: 2 as any }] })),
      'Release "shop": service "orders".dependsOn[0].versionRange is 2: it is not a semver range. Use a range such as ">=2.0.0", "^2.1" or "2.x", or leave it out to accept any version.'],
  ])('rejects %s', (_description, fn, message) => {
    expectValidationError(fn, message);
  });

  test('addService validates like the constructor, and a rejected service is not added', () => {
    const r = release(service('orders'));

    expectValidationError(() => r.addService(service('orders', { version: '2.0.0' })),
      'Release "shop": service "orders".name is "orders": another service of the release has this name. Give each service a distinct name.');
    expectValidationError(() => r.addService(service('payments', { version: 'latest' })),
      'Release "shop": service "payments".version is "latest": a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. Use the version the service runs, for example "2.3.0".');
    expectValidationError(() => r.addService('payments' as any),
      'Release "shop": service is "payments": it must be an object. Pass an object such as { name: "orders", version: "1.2.0", strategy: Strategy.BLUE_GREEN }.');
    expect(r.services.map(s => s.name)).toEqual(['orders']);
    expect(r.services[0].version).toBe('1.0.0');
  });

  test('the error is recognised as a validation error, with its parts', () => {
    const error = thrownBy(() => release(service('orders', { version: 'latest' })));

    expect(StrategyErrors.isValidationError(error)).toBe(true);
    expect(StrategyErrors.detailsOf(error)).toEqual({
      prop: 'Release "shop": service "orders".version',
      received: '"latest"',
      limit: 'a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges',
      fix: 'Use the version the service runs, for example "2.3.0".',
    });
  });

  test('a cycle error carries the cycle as the received value', () => {
    const error = thrownBy(() => release(service('a', dependsOn('b')), service('b', dependsOn('a'))).waves());

    expect(StrategyErrors.detailsOf(error)).toEqual({
      prop: 'Release "shop": dependsOn',
      received: '"a -> b -> a"',
      limit: 'the dependencies form a cycle, so no service in it can go first',
      fix: 'Remove one of the dependencies in the cycle.',
    });
  });
});

describe('Release input from JavaScript callers', () => {
  const strategy = Strategy.ALL_AT_ONCE;

  test('a hole in dependsOn is rejected, not skipped', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, { service: 'a' }] as any;
    expectValidationError(() => new Release({ name: 'shop', services: [{ name: 'b', version: '1.0.0', strategy, dependsOn: sparse }] }),
      'Release "shop": service "b".dependsOn[0] is undefined: it must be an object. Pass a dependency such as { service: "payments", versionRange: ">=2.0.0" }.');
  });

  test.each([
    ['v1.2.3', 'Write it as "1.2.3".'],
    [' 1.2.3', 'Write it as "1.2.3".'],
    ['latest', 'Use the version the service runs, for example "2.3.0".'],
  ])('a version written %p is refused with the exact form to use', (version, fix) => {
    expectValidationError(() => new Release({ name: 'shop', services: [{ name: 'a', version, strategy }] }),
      `Release "shop": service "a".version is ${JSON.stringify(version)}: a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges. ${fix}`);
  });

  test('an empty version range is refused rather than read as "any version"', () => {
    expect(() => new Release({
      name: 'shop',
      services: [{ name: 'b', version: '1.0.0', strategy, dependsOn: [{ service: 'a', versionRange: ' ' }] }],
    })).toThrow('Release "shop": service "b".dependsOn[0].versionRange is " ": it is not a semver range. Use a range such as ">=2.0.0", "^2.1" or "2.x", or leave it out to accept any version.');
  });

  test('dependencies cannot be changed after they were checked', () => {
    const shop = new Release({
      name: 'shop',
      services: [{ name: 'a', version: '1.0.0', strategy }, { name: 'b', version: '1.0.0', strategy, dependsOn: [{ service: 'a' }] }],
    });
    expect(() => (shop.services[1].dependsOn as any).push({ service: 'missing' })).toThrow(TypeError);
    expect(shop.waves().map(w => w.services)).toEqual([['a'], ['b']]);
  });
});

describe('random input', () => {
  test('either orders the services so dependencies come first, or fails with the library\'s error', () => {
    const anything = fc.oneof(fc.anything(), fc.string(), fc.double());
    const names = fc.constantFrom('a', 'b', 'c', 'd');
    const serviceArb = fc.oneof(anything, fc.record({
      name: fc.oneof(names, anything),
      version: fc.oneof(fc.constantFrom('1.0.0', '2.1.0', '3.0.0-rc.1', 'latest', 'v1.0.0'), anything),
      strategy: fc.oneof(fc.constant(Strategy.ALL_AT_ONCE), anything),
      dependsOn: fc.oneof(fc.array(fc.oneof(anything, fc.record({
        service: fc.oneof(names, anything),
        versionRange: fc.oneof(fc.constantFrom('>=1.0.0', '^2', '<1', 'x'), anything),
      }, { requiredKeys: [] })), { maxLength: 3 }), anything),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(fc.array(serviceArb, { maxLength: 5 }), services => {
      let waves;
      try {
        waves = new Release({ name: 'shop', services: services as any }).waves();
      } catch (e) {
        expect(StrategyErrors.isValidationError(e)).toBe(true);
        expect((e as Error).message).not.toMatch(/\[object Object\]/);
        return;
      }
      const waveOf = new Map<string, number>();
      waves.forEach(w => w.services.forEach(s => waveOf.set(s, w.index)));
      for (const declared of services as any[]) {
        for (const dependency of declared.dependsOn ?? []) {
          expect(waveOf.get(dependency.service)!).toBeLessThan(waveOf.get(declared.name)!);
        }
      }
    }), { numRuns: 500 });
  });
});

describe('Release toTable with manual approvals', () => {
  test('each service and the total say how many approvals hold the release', () => {
    const approved = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval({ timeout: Duration.hours(4) }) }] });
    const shop = new Release({
      name: 'shop',
      services: [
        { name: 'a', version: '1.0.0', strategy: approved },
        { name: 'b', version: '1.0.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES, dependsOn: [{ service: 'a' }] },
      ],
    });
    const table = shop.toTable();
    expect(table).toMatch(/^1\s+a\s+1\.0\.0\s+canary 10% \(manual approval \(timeout 4h\)\) → 100%\s+0s \+ 1 manual approval$/m);
    expect(table).toContain('total duration: 5m + 1 manual approval (waves');
  });

  test('service(name) finds a service, and names the others when it cannot', () => {
    const shop = new Release({ name: 'shop', services: [{ name: 'a', version: '1.0.0+sha.5114f85', strategy: Strategy.ALL_AT_ONCE }] });
    expect(shop.service('a').version).toBe('1.0.0+sha.5114f85');
    expectValidationError(() => shop.service('b'), 'Release "shop": service is "b": no service of the release has this name. Use one of: a.');
  });
});
