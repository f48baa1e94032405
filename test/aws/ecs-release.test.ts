import { CfnResource, CfnWaitConditionHandle, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { Match, Release, ReleaseService, Strategy } from '../../src';
import { EcsController } from '../../src/aws/ecs-controller';
import { EcsRelease } from '../../src/aws/ecs-release';
import { EcsRolloutService } from '../../src/aws/ecs-rollout-service';
import { RELEASE_METADATA_TYPE } from '../../src/aws/private/ecs-release-support';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { Odd, propsWithOdds, rolloutStrategyArb } from '../support/rollout-arbitraries';
import { expectValidationError, thrownBy } from '../support/validation-error';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/**
 * The release of the tests: inventory and payments first (wave 1), then orders, which needs
 * payments >= 2.0 (wave 2), then storefront, which needs orders and inventory (wave 3).
 */
const SERVICES: ReleaseService[] = [
  { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
  { name: 'inventory', version: '1.4.2', strategy: Strategy.ALL_AT_ONCE },
  {
    name: 'orders',
    version: '3.0.0',
    strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) }),
    dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }],
  },
  {
    name: 'storefront',
    version: '5.2.0',
    strategy: Strategy.LINEAR_10PERCENT_EVERY_3MINUTES,
    dependsOn: [{ service: 'orders', versionRange: '^3' }, { service: 'inventory' }],
  },
];
const WAVES = [['inventory', 'payments'], ['orders'], ['storefront']];
const PRIORITIES: Record<string, number> = { payments: 10, inventory: 20, orders: 30, storefront: 40 };

function release(services: ReleaseService[] = SERVICES) {
  return new Release({ name: 'shop', services });
}

/** A VPC without NAT gateways, a cluster and an ALB listener, in a base stack. */
function base(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  return { cluster, listener };
}

type Base = ReturnType<typeof base>;

/** The EcsRolloutService of one service of the release, in `scope`, with its own path and priority. */
function rollout(scope: Construct, shared: Base, name: string, rel: Release, options: { strategy?: Strategy; controller?: EcsController } = {}) {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, `${name}-task`);
  taskDefinition.addContainer('web', { image, portMappings: [{ containerPort: 80 }] });
  const priority = PRIORITIES[name] ?? 50;
  const listener = options.controller
    ? (shared.listener.loadBalancer as elbv2.ApplicationLoadBalancer).addListener(`${name}-listener`, { port: 8080, open: false })
    : shared.listener;
  return new EcsRolloutService(scope, name, {
    cluster: shared.cluster,
    taskDefinition,
    listener,
    strategy: options.strategy ?? rel.service(name).strategy,
    controller: options.controller,
    ...(options.controller ? {} : { priority, conditions: [elbv2.ListenerCondition.pathPatterns([`/${name}/*`])] }),
  });
}

/** Every service of the release in one stack. */
function oneStack(rel: Release = release()) {
  const app = testApp();
  const stack = new Stack(app, 'Stack');
  const shared = base(stack);
  const services: Record<string, EcsRolloutService> = {};
  for (const service of rel.services) services[service.name] = rollout(stack, shared, service.name, rel);
  return { app, stack, shared, services, rel };
}

/** The logical ids of the resources of a construct's subtree. */
function logicalIds(construct: Construct): string[] {
  return construct.node.findAll()
    .filter(CfnResource.isCfnResource)
    .map(r => Stack.of(r).resolve((r as CfnResource).logicalId) as string)
    .sort();
}

function dependsOn(resource: { DependsOn?: string | string[] }): string[] {
  const value = resource.DependsOn ?? [];
  return Array.isArray(value) ? value : [value];
}

const WHERE = 'EcsRelease Stack/Shop';

describe('wave order', () => {
  test('in one stack: each ECS service depends on exactly the ECS services of the wave before; nothing else crosses services', () => {
    const { stack, services, rel } = oneStack();
    const construct = new EcsRelease(stack, 'Shop', { release: rel, services });
    expect(construct.waves.map(w => w.services)).toEqual(WAVES);

    const resources = validatedTemplate(stack).toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
    const ids = Object.fromEntries(Object.entries(services).map(([name, service]) => [name, logicalIds(service)]));
    const owner = new Map(Object.entries(ids).flatMap(([name, list]) => list.map(id => [id, name] as [string, string])));
    const serviceId = (name: string) => stack.resolve((services[name].service.node.defaultChild as ecs.CfnService).logicalId) as string;
    WAVES.forEach((wave, i) => {
      const previous = i === 0 ? [] : WAVES[i - 1].map(serviceId).sort();
      for (const name of wave) {
        expect(ids[name].length).toBeGreaterThan(5);
        for (const id of ids[name]) {
          // Only the edges between release services: a service's own resources depend on each other as usual.
          const onServices = dependsOn(resources[id]).filter(d => owner.has(d) && owner.get(d) !== name).sort();
          expect({ id, dependsOn: onServices }).toEqual({ id, dependsOn: id === serviceId(name) ? previous : [] });
        }
      }
    });
  });

  test('a service added to the release after the EcsRelease fails at synth', () => {
    const { stack, services, rel } = oneStack();
    new EcsRelease(stack, 'Shop', { release: rel, services });
    rel.addService({ name: 'search', version: '1.0.0', strategy: Strategy.ALL_AT_ONCE });
    const names = rel.services.map(s => s.name);
    expect(() => validatedTemplate(stack)).toThrow(`${WHERE}: release "${rel.name}" has the services ${names.join(', ')}, but had `
      + `${names.slice(0, -1).join(', ')} when the EcsRelease was created. Add every service to the release before creating the EcsRelease, and pass its rollout in services.`);
  });

  test('a later service that calls an earlier one (allowFrom) makes no circular dependency', () => {
    const { stack, services, rel } = oneStack();
    services.payments.service.connections.allowFrom(services.orders.service, ec2.Port.tcp(80), 'orders calls payments');
    new EcsRelease(stack, 'Shop', { release: rel, services });
    // Strict CloudFormation validation reports a cycle (F3004) as an error.
    expect(() => validatedTemplate(stack)).not.toThrow();
  });

  test('the ECS service of a later wave waits for the ECS services of the wave before', () => {
    const { stack, services, rel } = oneStack();
    new EcsRelease(stack, 'Shop', { release: rel, services });
    const template = validatedTemplate(stack);
    const serviceId = (name: string) => stack.resolve((services[name].service.node.defaultChild as ecs.CfnService).logicalId);
    template.hasResource('AWS::ECS::Service', {
      Properties: CfnMatch.objectLike({ DeploymentConfiguration: CfnMatch.objectLike({ Strategy: 'BLUE_GREEN' }) }),
      DependsOn: CfnMatch.arrayWith([serviceId('inventory'), serviceId('payments')]),
    });
    template.hasResource('AWS::ECS::Service', {
      Properties: CfnMatch.objectLike({ DeploymentConfiguration: CfnMatch.objectLike({ Strategy: 'LINEAR' }) }),
      DependsOn: CfnMatch.arrayWith([serviceId('orders')]),
    });
    // Every service keeps its rollback triggers: the circuit breaker and its alarms.
    template.allResourcesProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: CfnMatch.objectLike({ Enable: true, Rollback: true }),
      }),
    });
    for (const resource of Object.values(template.findResources('AWS::ECS::Service'))) {
      expect(resource.Properties.DeploymentConfiguration.Alarms.AlarmNames.length).toBeGreaterThanOrEqual(4);
    }
  });

  test('a release of one wave adds no dependency', () => {
    const rel = release([
      { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
      { name: 'inventory', version: '1.4.2', strategy: Strategy.ALL_AT_ONCE },
    ]);
    const { stack, services } = oneStack(rel);
    const construct = new EcsRelease(stack, 'Shop', { release: rel, services });
    expect(construct.waves).toEqual([{ index: 1, services: ['inventory', 'payments'] }]);
    const resources = validatedTemplate(stack).toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
    const payments = new Set(logicalIds(services.payments));
    for (const id of logicalIds(services.inventory)) {
      expect(dependsOn(resources[id]).filter(d => payments.has(d))).toEqual([]);
    }
  });

  test('one stack per wave: the stacks depend on each other in wave order, without DependsOn across them', () => {
    const app = testApp();
    const baseStack = new Stack(app, 'Base');
    const shared = base(baseStack);
    const rel = release();
    const stacks = WAVES.map((_, i) => new Stack(app, `Wave${i + 1}`));
    const services: Record<string, EcsRolloutService> = {};
    WAVES.forEach((wave, i) => wave.forEach(name => { services[name] = rollout(stacks[i], shared, name, rel); }));
    const construct = new EcsRelease(stacks[0], 'Shop', { release: rel, services });

    const assembly = app.synth();
    const dependencies = (id: string) => assembly.getStackArtifact(id).dependencies.map(d => d.id).filter(d => /^Wave\d$/.test(d)).sort();
    expect(dependencies('Wave1')).toEqual([]);
    expect(dependencies('Wave2')).toEqual(['Wave1']);
    expect(dependencies('Wave3')).toEqual(['Wave2']);
    for (const stack of stacks) {
      const resources = validatedTemplate(stack).toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
      const own = new Set(Object.keys(resources));
      for (const resource of Object.values(resources)) {
        expect(dependsOn(resource).filter(d => !own.has(d))).toEqual([]);
      }
    }
    Annotations.fromStack(stacks[0]).hasWarning('/Wave1/Shop', CfnMatch.stringLikeRegexp(
      'Release "shop" spans 3 stacks: "Wave1" \\(inventory \\(wave 1\\), payments \\(wave 1\\)\\), "Wave2" \\(orders \\(wave 2\\)\\), '
      + '"Wave3" \\(storefront \\(wave 3\\)\\)\\. A failed deployment rolls back its own stack only'));
    expect(construct.waves).toHaveLength(3);
  });

  test('one nested stack per wave: one top-level stack whose nested stacks depend on each other in wave order', () => {
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    const shared = base(stack);
    const rel = release();
    const nested = WAVES.map((_, i) => new NestedStack(stack, `Wave${i + 1}`));
    const services: Record<string, EcsRolloutService> = {};
    WAVES.forEach((wave, i) => wave.forEach(name => { services[name] = rollout(nested[i], shared, name, rel); }));
    new EcsRelease(stack, 'Shop', { release: rel, services });

    const template = validatedTemplate(stack);
    const nestedId = (i: number) => stack.resolve((nested[i].nestedStackResource as CfnResource).logicalId);
    template.hasResource('AWS::CloudFormation::Stack', { DependsOn: CfnMatch.arrayWith([nestedId(0)]) });
    const resources = template.toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
    expect(dependsOn(resources[nestedId(1)]).filter(d => d.startsWith('Wave'))).toEqual([nestedId(0)]);
    expect(dependsOn(resources[nestedId(2)]).filter(d => d.startsWith('Wave'))).toEqual([nestedId(1)]);
    expect(dependsOn(resources[nestedId(0)]).filter(d => d.startsWith('Wave'))).toEqual([]);
    nested.forEach(n => validatedTemplate(n));
    Annotations.fromStack(stack).hasNoWarning('/Stack/Shop', CfnMatch.anyValue());
  });

  test('stacks that would wait for each other fail, naming the services that cause it', () => {
    const app = testApp();
    const baseStack = new Stack(app, 'Base');
    const shared = base(baseStack);
    const rel = release();
    const outer = new Stack(app, 'Outer');
    const middle = new Stack(app, 'Middle');
    const services: Record<string, EcsRolloutService> = {
      inventory: rollout(outer, shared, 'inventory', rel),
      payments: rollout(outer, shared, 'payments', rel),
      orders: rollout(middle, shared, 'orders', rel),
      storefront: rollout(outer, shared, 'storefront', rel),
    };
    expectValidationError(() => new EcsRelease(outer, 'Shop', { release: rel, services }),
      'EcsRelease Outer/Shop: services is "\\"Middle\\" -> \\"Outer\\" -> \\"Middle\\"": the waves make these stacks wait for each other, '
      + 'and a stack deploys as a whole: "Middle" deploys after "Outer" (orders, wave 2, after inventory, wave 1); '
      + '"Outer" deploys after "Middle" (storefront, wave 3, after orders, wave 2). '
      + 'Keep the release in one stack (a NestedStack per wave is fine), or put each wave\'s services in a stack of their own.');
  });
});

describe('the release plan', () => {
  test('is recorded in the cloud assembly: the name, the waves and the table with the total duration', () => {
    const { app, stack, services, rel } = oneStack();
    const construct = new EcsRelease(stack, 'Shop', { release: rel, services });
    validatedTemplate(stack);
    const recorded = app.synth().getStackByName('Stack').findMetadataByType(RELEASE_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Shop']);
    expect(recorded[0].data).toEqual({ name: 'shop', table: rel.toTable(), waves: construct.waves });
    expect(rel.toTable()).toMatch(/total duration: /);
    expect(construct.release).toBe(rel);
    expect(construct.serviceRollout('orders')).toBe(services.orders);
  });

  test('an unknown service name fails', () => {
    const { stack, services, rel } = oneStack();
    const construct = new EcsRelease(stack, 'Shop', { release: rel, services });
    expectValidationError(() => construct.serviceRollout('billing'),
      'EcsRelease Stack/Shop: service is "billing": release "shop" has no service of this name. Use one of: inventory, orders, payments, storefront.');
  });
});

describe('validation', () => {
  test('an invalid release fails with the core\'s message', () => {
    const { stack, services } = oneStack();
    const cyclic = release([
      { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES, dependsOn: [{ service: 'orders' }] },
      { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN, dependsOn: [{ service: 'payments' }] },
    ]);
    const message = (thrownBy(() => cyclic.waves()) as Error).message;
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: cyclic, services }), message);
    expect(message).toMatch(/orders -> payments -> orders/);
  });

  test('a release that is not a Release fails', () => {
    const { stack, services } = oneStack();
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: { name: 'shop' } as any, services }),
      `${WHERE}: release is an object: it must be a Release. Pass a Release, such as new Release({ name: "shop", services: [...] }).`);
  });

  test('a service of the release without its rollout fails, listing the release\'s services', () => {
    const { stack, services, rel } = oneStack();
    const { orders: _, ...others } = services;
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: others }),
      `${WHERE}: services["orders"] is undefined: release "shop" has a service "orders", and every service of a release needs its rollout. `
      + 'Add orders: <its EcsRolloutService> to services. The release\'s services: inventory, orders, payments, storefront.');
  });

  test('a rollout for a service the release does not have fails', () => {
    const { stack, services, rel, shared } = oneStack();
    const billing = rollout(stack, shared, 'billing', rel, { strategy: Strategy.BLUE_GREEN });
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: { ...services, billing } }),
      `${WHERE}: services["billing"] is an EcsRolloutService: release "shop" has no service "billing". `
      + 'Remove it, or add "billing" to the release. The release\'s services: inventory, orders, payments, storefront.');
  });

  test('a rollout that is not an EcsRolloutService fails', () => {
    const { stack, services, rel } = oneStack();
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: { ...services, orders: services.orders.nativeRollout as any } }),
      `${WHERE}: services["orders"] is an EcsNativeRollout: it must be an EcsRolloutService, which holds the ECS service and everything its rollout needs, `
      + 'so the release can order it as a whole. Build the service with EcsRolloutService; an EcsNativeRollout applied to a service of your own leaves the service outside it.');
  });

  test('one rollout for two services fails', () => {
    const { stack, services, rel } = oneStack(release([
      { name: 'payments', version: '2.1.0', strategy: Strategy.BLUE_GREEN },
      { name: 'inventory', version: '1.4.2', strategy: Strategy.BLUE_GREEN },
    ]));
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: { payments: services.payments, inventory: services.payments } }),
      `${WHERE}: services["inventory"] is "Stack/payments": it is also the rollout of "payments", and each service of a release is an ECS service of its own. `
      + 'Pass the EcsRolloutService of "inventory".');
  });

  test('a rollout from another app fails', () => {
    const { stack, services, rel } = oneStack();
    const other = oneStack();
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: { ...services, orders: other.services.orders } }),
      `${WHERE}: services["orders"] is "Stack/orders": it belongs to another CDK app than the release. Create the release in the app of its services.`);
  });

  test('a service on the CodeDeploy controller fails: CloudFormation does not deploy it, so the release cannot roll it back', () => {
    const rel = release();
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    const shared = base(stack);
    const services: Record<string, EcsRolloutService> = {};
    for (const service of rel.services) {
      services[service.name] = rollout(stack, shared, service.name, rel,
        service.name === 'orders' ? { controller: EcsController.codeDeploy(), strategy: Strategy.BLUE_GREEN } : {});
    }
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services }),
      `${WHERE}: services["orders"].controller is "EcsController.codeDeploy()": "orders" is deployed by CodeDeploy, and CloudFormation does not deploy `
      + 'the task definitions of a service on the CodeDeploy controller (CodeDeploy deployments start outside the stack update), so the release could '
      + 'neither wait for its deployment nor roll it back with the other services. Build "orders" with EcsController.NATIVE (the default), whose '
      + 'deployments run blue-green with a test route, canary and linear strategies; or release "orders" on its own, outside the release.');
  });

  test('a rollout without its native rollout (and so without rollback triggers) fails', () => {
    const { stack, services, rel } = oneStack();
    Object.defineProperty(services.orders, 'nativeRollout', { value: undefined });
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services }),
      `${WHERE}: services["orders"] is "Stack/orders": it has no native rollout, whose circuit breaker and alarms make a failed deployment `
      + 'fail the stack update and so roll the release back. Build it with EcsController.NATIVE.');
  });

  test('a rollout built with another strategy than the release\'s fails: the release is the single source of truth', () => {
    const rel = release();
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    const shared = base(stack);
    const services: Record<string, EcsRolloutService> = {};
    for (const service of rel.services) {
      services[service.name] = rollout(stack, shared, service.name, rel, service.name === 'payments' ? { strategy: Strategy.CANARY_10PERCENT_15MINUTES } : {});
    }
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services }),
      `${WHERE}: services["payments"].strategy is "canary 10% (bake 15m) → 100%": release "shop" rolls "payments" out by canary 10% (bake 5m) → 100%, `
      + 'and the release is the single source of truth for its services\' strategies. '
      + 'Build the EcsRolloutService with the release\'s strategy: strategy: release.service("payments").strategy.');
  });

  test('a rollout built with an equal strategy object is accepted', () => {
    const rel = release();
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    const shared = base(stack);
    const services: Record<string, EcsRolloutService> = {};
    for (const service of rel.services) {
      services[service.name] = rollout(stack, shared, service.name, rel,
        service.name === 'orders' ? { strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) }) } : {});
    }
    expect(services.orders.plan.strategy).not.toBe(rel.service('orders').strategy);
    expect(new EcsRelease(stack, 'Shop', { release: rel, services }).waves).toHaveLength(3);
  });

  test('services that are not an object fail', () => {
    const { stack, rel } = oneStack();
    expectValidationError(() => new EcsRelease(stack, 'Shop', { release: rel, services: new Map() as any }),
      `${WHERE}: services is a Map: it must be a plain object of props, not an instance of a class. `
      + 'Pass the rollout of each service by its name in the release, such as { payments: paymentsService, orders: ordersService }.');
  });
});

describe('CloudFormation\'s resource limit per stack', () => {
  /** Cheap resources: a wait condition handle has no properties. */
  function fill(stack: Stack, count: number) {
    for (let i = 0; i < count; i++) new CfnWaitConditionHandle(stack, `Filler${i}`);
  }

  function countResources(stack: Stack): number {
    return stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
  }

  test('a stack holding the release past 500 resources fails at synth, saying to split the release one stack per wave', () => {
    const { app, stack, services, rel } = oneStack();
    new EcsRelease(stack, 'Shop', { release: rel, services });
    fill(stack, 501 - countResources(stack));
    const error = thrownBy(() => app.synth()) as Error;
    expect(error.message).toContain(`[Stack/Shop] ${WHERE}: stack "Stack" is 501 resources: CloudFormation accepts at most 500 resources in one stack, `
      + 'and this one holds the release\'s services inventory (wave 1), payments (wave 1), orders (wave 2), storefront (wave 3). '
      + 'Split the release one stack per wave: create a NestedStack of this stack (the release stays one rollback unit) or a Stack (rolled back wave by wave) '
      + 'for each wave, and build that wave\'s EcsRolloutServices in it; the release orders the stacks by wave.');
  });

  test('a stack holding a single wave past the limit is told to spread that wave', () => {
    const app = testApp();
    const baseStack = new Stack(app, 'Base');
    const shared = base(baseStack);
    const rel = release();
    const stacks = WAVES.map((_, i) => new Stack(app, `Wave${i + 1}`));
    const services: Record<string, EcsRolloutService> = {};
    WAVES.forEach((wave, i) => wave.forEach(name => { services[name] = rollout(stacks[i], shared, name, rel); }));
    new EcsRelease(baseStack, 'Shop', { release: rel, services });
    fill(stacks[0], 501 - countResources(stacks[0]));
    const error = thrownBy(() => app.synth()) as Error;
    expect(error.message).toContain('[Base/Shop] EcsRelease Base/Shop: stack "Wave1" is 501 resources: CloudFormation accepts at most 500 resources in one stack, '
      + 'and this one holds the release\'s services inventory (wave 1), payments (wave 1). The services of wave 1 alone are in this stack, and services of '
      + 'one wave do not depend on each other: spread them over several stacks (NestedStacks keep one rollback unit), or move other resources out of this stack.');
    expect(error.message).not.toContain('"Wave2"');
  });

  test('a stack holding the release above 80% of the limit warns', () => {
    const { stack, services, rel } = oneStack();
    new EcsRelease(stack, 'Shop', { release: rel, services });
    fill(stack, 420 - countResources(stack));
    validatedTemplate(stack);
    Annotations.fromStack(stack).hasWarning('/Stack/Shop', CfnMatch.stringLikeRegexp(
      '^Stack "Stack" holds 420 of the 500 resources CloudFormation accepts in one stack, with the release\'s services inventory \\(wave 1\\), '
      + 'payments \\(wave 1\\), orders \\(wave 2\\), storefront \\(wave 3\\)\\. Past the limit, split the release one stack per wave'));
  });

  test('a release well under the limit neither fails nor warns', () => {
    const { stack, services, rel } = oneStack();
    new EcsRelease(stack, 'Shop', { release: rel, services });
    validatedTemplate(stack);
    Annotations.fromStack(stack).hasNoWarning('/Stack/Shop', CfnMatch.anyValue());
  });

  test('the limit follows aws-cdk-lib\'s context key @aws-cdk/core:stackResourceLimit', () => {
    const rel = release();
    const app = testApp({ context: { '@aws-cdk/core:stackResourceLimit': 400 } });
    const stack = new Stack(app, 'Stack');
    const shared = base(stack);
    const services: Record<string, EcsRolloutService> = {};
    for (const service of rel.services) services[service.name] = rollout(stack, shared, service.name, rel);
    new EcsRelease(stack, 'Shop', { release: rel, services });
    fill(stack, 401 - countResources(stack));
    expect((thrownBy(() => app.synth()) as Error).message)
      .toContain(`[Stack/Shop] ${WHERE}: stack "Stack" is 401 resources: CloudFormation accepts at most 400 resources in one stack`);
  });

});


describe('random props', () => {
  const NAMES = ['payments', 'inventory', 'orders', 'storefront'];
  const versionArb = fc.tuple(fc.nat(3), fc.nat(9), fc.nat(9)).map(v => v.join('.'));
  /** Ranges every generated version meets, and ones it may not. */
  const rangeArb = (odd: Odd) => fc.option(odd<unknown>(fc.constantFrom('>=0.0.0', '*', '<4', '0.x || 1.x || 2.x || 3.x'), fc.constantFrom('>=9.0.0', '^1', 'not a range')), { nil: undefined });
  const serviceArb = (odd: Odd, name: string, earlier: string[], later: string[]) => fc.record({
    name: fc.constant(name),
    version: odd<unknown>(versionArb, fc.constantFrom('latest', 'v1.0.0', '1.0', '')),
    strategy: rolloutStrategyArb(odd, 1),
    // Dependencies on earlier services keep the release acyclic; one on a later or unknown service may not.
    dependsOn: odd<unknown>(
      fc.subarray(earlier).chain(deps => fc.tuple(...deps.map(service => fc.record({ service: fc.constant(service), versionRange: rangeArb(odd) })))),
      fc.constantFrom(...later, 'ghost').map(service => [{ service }]),
    ),
  });
  const propsArb = propsWithOdds(odd => fc.integer({ min: 1, max: 3 }).chain(count => {
    const names = NAMES.slice(0, count);
    return fc.record({
      services: fc.tuple(...names.map((name, i) => serviceArb(odd, name, names.slice(0, i), names.slice(i + 1)))),
      // How each service's rollout is passed: its own, or by mistake none, another's, one on CodeDeploy, one by another strategy.
      rollouts: fc.tuple(...names.map(() => odd<unknown>(fc.constant('own'), fc.oneof(fc.constantFrom('missing', 'shared', 'code-deploy', 'other-strategy', 'other-app'), oddValueArb)))),
      extra: odd(fc.constant(false), fc.constant(true)),
      // Where the services live: one stack, a nested stack or a stack per wave, or stacks that would wait for each other.
      layout: odd<unknown>(fc.constantFrom('one', 'one', 'nested', 'stacks'), fc.constant('alternating')),
    });
  }), 8);

  /** The rollout of a service, by mistake in another app than the release. */
  function otherApp(name: string, rel: Release) {
    const stack = new Stack(testApp(), 'Other');
    return rollout(stack, base(stack), name, rel);
  }

  function build(p: any) {
    const rel = new Release({ name: 'shop', services: p.services });
    const names: string[] = p.services.map((s: ReleaseService) => s.name);
    let waves: string[][];
    try {
      waves = rel.waves().map(w => w.services);
    } catch {
      waves = [names]; // the release refuses itself; the layout does not matter
    }
    const app = testApp();
    const layout = p.layout;
    // The cluster and the listener: in the services' stack, or in a stack of their own when the services are in several.
    const stack = new Stack(app, layout === 'stacks' || layout === 'alternating' ? 'Base' : 'Stack');
    const shared = base(stack);
    const scopes = waves.map((_, i) => layout === 'nested' ? new NestedStack(stack, `Wave${i + 1}`)
      : layout === 'stacks' ? new Stack(app, `Wave${i + 1}`)
        : layout === 'alternating' ? (app.node.tryFindChild(`Stacks${i % 2}`) as Stack ?? new Stack(app, `Stacks${i % 2}`))
          : stack);
    const scopeOf = (name: string) => scopes[Math.max(0, waves.findIndex(w => w.includes(name)))];
    const services: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const spec = p.rollouts[i];
      if (spec === 'missing') return;
      services[name] = spec === 'own' ? rollout(scopeOf(name), shared, name, rel)
        : spec === 'shared' ? (services[names[i - 1]] ?? rollout(scopeOf(name), shared, name, rel))
          : spec === 'code-deploy' ? rollout(scopeOf(name), shared, name, rel, { controller: EcsController.codeDeploy() })
            : spec === 'other-strategy' ? rollout(scopeOf(name), shared, name, rel, {
              strategy: rel.service(name).strategy.describe() === Strategy.ALL_AT_ONCE.describe() ? Strategy.BLUE_GREEN : Strategy.ALL_AT_ONCE,
            })
              : spec === 'other-app' ? otherApp(name, rel)
                : spec;
    });
    if (p.extra) services.search = services[names[0]];
    const releaseScope = scopes[0];
    const construct = new EcsRelease(releaseScope, 'Shop', { release: rel, services: services as Record<string, EcsRolloutService> });
    return { app, stack, scopes, construct, rel, services: services as Record<string, EcsRolloutService> };
  }

  test('either synthesize valid, clean services in waves or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { app, stack, scopes, construct, rel, services } = build(p);
      validatedTemplate(stack);
      for (const scope of new Set(scopes)) if (scope !== stack) validatedTemplate(scope);
      expectCleanAssembly(app);
      expect(construct.waves).toEqual(rel.waves());
      // In one stack, every ECS service of a wave waits for those of the wave before.
      if (p.layout === 'one') {
        const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
        const serviceId = (name: string) => stack.resolve((services[name].service.node.defaultChild as ecs.CfnService).logicalId) as string;
        construct.waves.slice(1).forEach((wave, i) => {
          for (const name of wave.services) {
            expect(dependsOn(resources[serviceId(name)])).toEqual(expect.arrayContaining(construct.waves[i].services.map(serviceId)));
          }
        });
      }
    // About a third of the cases build (odd props, and releases that refuse themselves): 30 runs
    // keep a run that builds none (and so checks nothing) unlikely, about 1 in 50,000.
    }, { quickRuns: 30 });
  });
});
