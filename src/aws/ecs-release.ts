import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EcsControllerKind } from './ecs-controller';
import { EcsRolloutService } from './ecs-rollout-service';
import { Release, ReleaseWave } from '../core/release';
import { Strategy } from '../core/strategy';
import {
  countStackResources,
  deploymentStack,
  RELEASE_METADATA_TYPE,
  STACK_RESOURCE_LIMIT,
  STACK_RESOURCE_LIMIT_CONTEXT,
  STACK_RESOURCE_WARNING_SHARE,
} from './private/ecs-release-support';
import { ecsImages } from './private/guardrail-facts';
import { StrategyValidationError } from '../core/private/errors';
import { findCycle } from '../core/private/graph';
import { fail, struct } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** Props for an `EcsRelease`. */
export interface EcsReleaseProps {
  /** The release: its services, their versions and strategies, and what depends on what. */
  readonly release: Release;

  /**
   * The rollout of each service of the release, keyed by the release's service names: one
   * `EcsRolloutService` per service and no other, each on the native ECS controller and built
   * with the strategy the release gives that service (`release.service(name).strategy`).
   */
  readonly services: { [name: string]: EcsRolloutService };
}

/**
 * Releases several ECS services as one unit: in the dependency waves of a `Release`, each
 * service by its own strategy, rolled back together when any of them fails.
 *
 * **Order.** Every service of a wave depends on every service of the wave before it (construct
 * dependencies between the `EcsRolloutService` constructs). Inside one stack CloudFormation
 * renders them as `DependsOn`, and since it waits for an ECS service's deployment to finish
 * (bake times included) before it updates what depends on that service, a service never starts
 * deploying before everything it depends on has finished. Services in different stacks make
 * the stacks depend on each other, which `cdk deploy --all` deploys in that order.
 *
 * **Rollback.** Every service deploys natively with the deployment circuit breaker and its
 * rollback alarms (its health checks' alarms and any added): a deployment that
 * fails or sets off an alarm is rolled back by ECS and fails the stack update. CloudFormation
 * then rolls back every resource of the stack, so the services already updated in earlier waves
 * go back to their previous task definitions too, in reverse order, by new ECS deployments: one
 * stack is one rollback unit (unless it is deployed with `cdk deploy --no-rollback`). A stack
 * whose waves live in nested stacks (`NestedStack`) is still one unit: rolling back the parent
 * rolls back its nested stacks. Separate top-level stacks are not: a failure rolls back its own
 * stack only, the stacks of earlier waves stay on their new versions, and the release is rolled
 * back wave by wave, by deploying the previous release again. The construct warns when the
 * release spans several top-level stacks, and fails when its waves would make two stacks wait
 * for each other (a stack holding waves 1 and 3, another wave 2).
 *
 * Services on the CodeDeploy controller are refused: CloudFormation does not deploy their task
 * definitions (CodeDeploy deployments start outside the stack update), so a release could neither
 * wait for them nor roll them back with the others.
 *
 * **Size.** CloudFormation accepts at most 500 resources in one stack. At synthesis the release
 * counts the resources of each stack holding its services, fails when one passes the limit and
 * warns above 80% of it. The fix is one stack per wave: a `NestedStack` (one rollback unit) or a
 * top-level `Stack` (rolled back wave by wave) for each wave, with that wave's services built in
 * it. The limit follows the context key `@aws-cdk/core:stackResourceLimit`, as aws-cdk-lib does.
 *
 * The release's plan (its waves, each service's version, strategy and duration, and the total
 * duration) is recorded as `cdk-deploy-strategies:release` metadata in the cloud assembly.
 *
 * @example
 * declare const cluster: ecs.Cluster;
 * declare const listener: elbv2.ApplicationListener;
 * declare const paymentsTask: ecs.FargateTaskDefinition;
 * declare const ordersTask: ecs.FargateTaskDefinition;
 * const release = new Release({
 *   name: 'shop',
 *   services: [
 *     { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
 *     { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN,
 *       dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] },
 *   ],
 * });
 * const payments = new aws.EcsRolloutService(this, 'Payments', {
 *   cluster, listener, taskDefinition: paymentsTask, priority: 10,
 *   conditions: [elbv2.ListenerCondition.pathPatterns(['/payments/*'])],
 *   strategy: release.service('payments').strategy,
 * });
 * const orders = new aws.EcsRolloutService(this, 'Orders', {
 *   cluster, listener, taskDefinition: ordersTask, priority: 20,
 *   conditions: [elbv2.ListenerCondition.pathPatterns(['/orders/*'])],
 *   strategy: release.service('orders').strategy,
 * });
 * new aws.EcsRelease(this, 'Shop', { release, services: { payments, orders } });
 */
export class EcsRelease extends Construct {
  /** The release rendered. */
  public readonly release: Release;
  /** The rollout waves: each service starts after every service of the wave before has finished. */
  public readonly waves: ReleaseWave[];

  private readonly rollouts = new Map<string, EcsRolloutService>();

  constructor(scope: Construct, id: string, props: EcsReleaseProps) {
    super(scope, id);
    const where = `EcsRelease ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { release, services }.');
    if (!(props.release instanceof Release)) {
      fail(`${where}: release`, props.release, 'it must be a Release', 'Pass a Release, such as new Release({ name: "shop", services: [...] }).');
    }
    const release = props.release;
    this.release = release;
    // Invalid releases (cycles, missing services, unmet version constraints) fail here, with the core's messages.
    this.waves = release.waves();

    const services = struct<Record<string, unknown>>(`${where}: services`, props.services,
      'Pass the rollout of each service by its name in the release, such as { payments: paymentsService, orders: ordersService }.');
    const names = release.services.map(s => s.name);
    const expected = `The release's services: ${[...names].sort().join(', ')}.`;
    for (const name of Object.keys(services)) {
      if (!names.includes(name)) {
        fail(`${where}: services["${name}"]`, services[name], `release "${release.name}" has no service "${name}"`,
          `Remove it, or add "${name}" to the release. ${expected}`);
      }
    }
    for (const name of names) {
      this.rollouts.set(name, this.checkRollout(`${where}: services["${name}"]`, name, services[name], expected));
    }

    this.checkStackOrder(where);
    // Only the ECS services wait for each other: that is what orders the deployments. A dependency
    // between whole rollouts would also make every security group of a later service wait for the
    // earlier one, a cycle as soon as the earlier service admits the later one (allowFrom).
    const cfnService = (name: string) => this.rollouts.get(name)!.service.node.defaultChild as CfnResource;
    for (let i = 1; i < this.waves.length; i++) {
      for (const later of this.waves[i].services) {
        for (const earlier of this.waves[i - 1].services) {
          cfnService(later).node.addDependency(cfnService(earlier));
        }
      }
    }
    this.warnOfSeveralStacks();
    this.node.addValidation({ validate: () => this.checkStackSizes(where) });
    // Services added to the release afterwards would have no rollout and no place in the waves.
    const atCreation = names.join(', ');
    this.node.addValidation({
      validate: () => {
        const now = release.services.map(s => s.name).join(', ');
        return now === atCreation ? [] : [`${where}: release "${release.name}" has the services ${now}, but had ${atCreation} when the EcsRelease was created. `
          + 'Add every service to the release before creating the EcsRelease, and pass its rollout in services.'];
      },
    });

    this.node.addMetadata(RELEASE_METADATA_TYPE, { name: release.name, table: release.toTable(), waves: this.waves });
    registerGuardrailFacts(this, { platform: 'aws', backend: 'ECS', release, images: () => ecsImages(new Map([...this.rollouts].map(([n, r]) => [n, r.service]))) });
  }

  /** The rollout of the release's service `name`. */
  public serviceRollout(name: string): EcsRolloutService {
    const rollout = this.rollouts.get(name);
    if (rollout === undefined) {
      fail(`EcsRelease ${this.node.path}: service`, name, `release "${this.release.name}" has no service of this name`,
        `Use one of: ${[...this.rollouts.keys()].sort().join(', ')}.`);
    }
    return rollout;
  }

  private checkRollout(prop: string, name: string, value: unknown, expected: string): EcsRolloutService {
    const releaseName = this.release.name;
    if (value === undefined) {
      fail(prop, value, `release "${releaseName}" has a service "${name}", and every service of a release needs its rollout`,
        `Add ${name}: <its EcsRolloutService> to services. ${expected}`);
    }
    if (!(value instanceof EcsRolloutService)) {
      fail(prop, value, 'it must be an EcsRolloutService, which holds the ECS service and everything its rollout needs, so the release can order it as a whole',
        'Build the service with EcsRolloutService; an EcsNativeRollout applied to a service of your own leaves the service outside it.');
    }
    const rollout = value;
    if (rollout.node.root !== this.node.root) {
      fail(prop, rollout.node.path, 'it belongs to another CDK app than the release', 'Create the release in the app of its services.');
    }
    for (const [other, earlier] of this.rollouts) {
      if (earlier === rollout) {
        fail(prop, rollout.node.path, `it is also the rollout of "${other}", and each service of a release is an ECS service of its own`,
          `Pass the EcsRolloutService of "${name}".`);
      }
    }
    if (rollout.controller.kind === EcsControllerKind.CODE_DEPLOY) {
      fail(`${prop}.controller`, 'EcsController.codeDeploy()',
        `"${name}" is deployed by CodeDeploy, and CloudFormation does not deploy the task definitions of a service on the CodeDeploy controller (CodeDeploy deployments start outside the stack update), so the release could neither wait for its deployment nor roll it back with the other services`,
        `Build "${name}" with EcsController.NATIVE (the default), whose deployments run blue-green with a test route, canary and linear strategies; or release "${name}" on its own, outside the release.`);
    }
    if (rollout.nativeRollout === undefined) {
      fail(prop, rollout.node.path,
        'it has no native rollout, whose circuit breaker and alarms make a failed deployment fail the stack update and so roll the release back',
        'Build it with EcsController.NATIVE.');
    }
    const wanted = this.release.service(name).strategy;
    if (!sameStrategy(rollout.plan.strategy, wanted)) {
      fail(`${prop}.strategy`, rollout.plan.strategy.describe(),
        `release "${releaseName}" rolls "${name}" out by ${wanted.describe()}, and the release is the single source of truth for its services' strategies`,
        `Build the EcsRolloutService with the release's strategy: strategy: release.service("${name}").strategy.`);
    }
    return rollout;
  }

  /**
   * A top-level stack deploys as a whole, so a release spread over stacks must not make two of
   * them wait for each other (a stack holding waves 1 and 3 and another holding wave 2). aws-cdk-lib
   * would only report a cyclic stack dependency; this says which services cause it.
   */
  private checkStackOrder(where: string): void {
    const edges = new Map<string, Set<string>>();
    const reasons = new Map<string, string>();
    for (let i = 1; i < this.waves.length; i++) {
      for (const later of this.waves[i].services) {
        for (const earlier of this.waves[i - 1].services) {
          const from = deploymentStack(Stack.of(this.rollouts.get(later)!)).node.path;
          const to = deploymentStack(Stack.of(this.rollouts.get(earlier)!)).node.path;
          if (from === to) continue;
          if (!edges.has(from)) edges.set(from, new Set());
          edges.get(from)!.add(to);
          const key = `${from}\n${to}`;
          if (!reasons.has(key)) reasons.set(key, `"${from}" deploys after "${to}" (${later}, wave ${i + 1}, after ${earlier}, wave ${i})`);
        }
      }
    }
    const cycle = findCycle(edges);
    if (cycle !== undefined) {
      const why = cycle.slice(1).map((to, i) => reasons.get(`${cycle[i]}\n${to}`)).join('; ');
      fail(`${where}: services`, cycle.map(s => `"${s}"`).join(' -> '),
        `the waves make these stacks wait for each other, and a stack deploys as a whole: ${why}`,
        'Keep the release in one stack (a NestedStack per wave is fine), or put each wave\'s services in a stack of their own.');
    }
  }

  private warnOfSeveralStacks(): void {
    const stacks = this.servicesByStack(deploymentStack);
    if (stacks.size < 2) return;
    const list = [...stacks].map(([stack, names]) => `"${stack.node.path}" (${this.describeServices(names)})`).join(', ');
    Annotations.of(this).addWarningV2('cdk-deploy-strategies:ecsReleaseSeveralStacks',
      `Release "${this.release.name}" spans ${stacks.size} stacks: ${list}. A failed deployment rolls back its own stack only; `
      + 'the stacks of earlier waves stay on their new versions, so the release rolls back wave by wave (deploy the previous release again). '
      + 'To roll it back as one unit, keep its services in one stack, with a NestedStack per wave if it is too large.');
  }

  private checkStackSizes(where: string): string[] {
    const limit = this.resourceLimit();
    if (limit <= 0) return [];
    const errors: string[] = [];
    for (const [stack, names] of this.servicesByStack(s => s)) {
      const count = countStackResources(stack);
      const services = this.describeServices(names);
      if (count > limit) {
        const waves = new Set(names.map(n => this.waveOf(n)));
        const fix = waves.size > 1
          ? 'Split the release one stack per wave: create a NestedStack of this stack (the release stays one rollback unit) or a Stack '
            + '(rolled back wave by wave) for each wave, and build that wave\'s EcsRolloutServices in it; the release orders the stacks by wave.'
          : `The services of wave ${[...waves][0]} alone are in this stack, and services of one wave do not depend on each other: `
            + 'spread them over several stacks (NestedStacks keep one rollback unit), or move other resources out of this stack.';
        errors.push(new StrategyValidationError(`${where}: stack "${stack.node.path}"`, `${count} resources`,
          `CloudFormation accepts at most ${limit} resources in one stack, and this one holds the release's services ${services}`, fix).message);
      } else if (count > limit * STACK_RESOURCE_WARNING_SHARE) {
        Annotations.of(this).addWarningV2('cdk-deploy-strategies:ecsReleaseStackResources',
          `Stack "${stack.node.path}" holds ${count} of the ${limit} resources CloudFormation accepts in one stack, with the release's services ${services}. `
          + 'Past the limit, split the release one stack per wave (a NestedStack or a Stack for each wave, with that wave\'s services in it).');
      }
    }
    return errors;
  }

  private resourceLimit(): number {
    const context = this.node.tryGetContext(STACK_RESOURCE_LIMIT_CONTEXT);
    const parsed = context === undefined ? NaN : Number.parseInt(String(context), 10);
    return Number.isNaN(parsed) ? STACK_RESOURCE_LIMIT : parsed;
  }

  /** The release's services by stack, in wave order. */
  private servicesByStack(stackOf: (stack: Stack) => Stack): Map<Stack, string[]> {
    const stacks = new Map<Stack, string[]>();
    for (const wave of this.waves) {
      for (const name of wave.services) {
        const stack = stackOf(Stack.of(this.rollouts.get(name)!));
        if (!stacks.has(stack)) stacks.set(stack, []);
        stacks.get(stack)!.push(name);
      }
    }
    return stacks;
  }

  private waveOf(name: string): number {
    return this.waves.find(w => w.services.includes(name))!.index;
  }

  private describeServices(names: string[]): string {
    return names.map(n => `${n} (wave ${this.waveOf(n)})`).join(', ');
  }
}

/** The same strategy object, or one that describes the same rollout. */
function sameStrategy(actual: Strategy, wanted: Strategy): boolean {
  return actual === wanted || actual.describe() === wanted.describe();
}
