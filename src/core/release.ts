import { formatSeconds, textTable } from './private/format';
import { findCycle } from './private/graph';
import { semver } from './private/semver';
import { arrayOf, dnsLabel, fail, struct } from './private/validation';
import { Strategy } from './strategy';

/** A dependency of one service of a release on another. */
export interface ServiceDependency {
  /** The name of the service depended on; it must be part of the same release. */
  readonly service: string;

  /**
   * The versions of that service this one works with, as a semver range (`>=2.0.0 <3`, `^2.1`).
   * Pre-release versions satisfy a range like release versions do.
   *
   * @default - any version
   */
  readonly versionRange?: string;
}

/** One service of a release. */
export interface ReleaseService {
  /** The service's name, a DNS label. */
  readonly name: string;
  /** The exact version being released, as semver (`2.3.0`); floating tags such as `latest` are refused. */
  readonly version: string;
  /** How this service is rolled out. */
  readonly strategy: Strategy;
  /**
   * The services that must finish rolling out before this one starts.
   *
   * @default - none: the service rolls out in the first wave
   */
  readonly dependsOn?: ServiceDependency[];
}

/** Props for a `Release`. */
export interface ReleaseProps {
  /** The release's name, a DNS label. */
  readonly name: string;
  /**
   * The services released together. More can be added with `addService()`.
   *
   * @default - none yet
   */
  readonly services?: ReleaseService[];
}

/** Services that roll out together: none of them depends on another in the same or a later wave. */
export interface ReleaseWave {
  /** 1-based position of the wave. */
  readonly index: number;
  /** The names of the services in this wave, sorted. */
  readonly services: string[];
}

/**
 * Several services released as one unit, in dependency order.
 *
 * Each service declares its exact version, its rollout strategy and what it depends on. `waves()`
 * orders the rollout so that a service never starts before everything it depends on has
 * finished, and fails on a cycle, a missing service or a version constraint that does not hold.
 *
 * @example
 * import { Release, Strategy } from 'cdk-deploy-strategies';
 *
 * const release = new Release({
 *   name: 'shop',
 *   services: [
 *     { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
 *     { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN,
 *       dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] },
 *   ],
 * });
 * release.waves(); // [{ index: 1, services: ['payments'] }, { index: 2, services: ['orders'] }]
 */
export class Release {
  /** The release's name. */
  public readonly name: string;
  private readonly byName = new Map<string, ReleaseService>();

  constructor(props: ReleaseProps) {
    struct('Release: props', props, 'Pass an object such as { name: "shop", services: [...] }.');
    this.name = dnsLabel('Release: name', props.name, 'shop');
    const services = props.services === undefined ? []
      : arrayOf<ReleaseService>(`Release "${this.name}": services`, props.services, 'Pass an array of services.');
    services.forEach(s => this.addService(s));
  }

  /** The service named `name`; throws when the release has none. */
  public service(name: string): ReleaseService {
    const found = this.byName.get(name);
    if (found === undefined) {
      fail(`Release "${this.name}": service`, name, 'no service of the release has this name',
        `Use one of: ${[...this.byName.keys()].join(', ') || '(none yet)'}.`);
    }
    return found;
  }

  /** The services, in the order they were added. */
  public get services(): ReleaseService[] {
    return [...this.byName.values()];
  }

  /**
   * Adds a service. Its own fields are checked now; its dependencies when `waves()` runs, so
   * services may be added in any order.
   */
  public addService(service: ReleaseService): void {
    const where = `Release "${this.name}": service`;
    struct(where, service, 'Pass an object such as { name: "orders", version: "1.2.0", strategy: Strategy.BLUE_GREEN }.');
    const name = dnsLabel(`${where}.name`, service.name, 'orders');
    const prop = `Release "${this.name}": service "${name}"`;
    if (this.byName.has(name)) {
      fail(`${prop}.name`, name, 'another service of the release has this name', 'Give each service a distinct name.');
    }
    // semver.valid() also accepts "v1.2.3" and " 1.2.3" and drops build metadata; a release pins the exact text.
    const parsed = typeof service.version === 'string' ? semver().parse(service.version) : null;
    const exact = parsed === null ? null : parsed.version + (parsed.build.length > 0 ? `+${parsed.build.join('.')}` : '');
    if (exact === null || exact !== service.version) {
      const clean = exact;
      fail(`${prop}.version`, service.version, 'a release pins exact semver versions (MAJOR.MINOR.PATCH), not tags or ranges',
        clean ? `Write it as "${clean}".` : 'Use the version the service runs, for example "2.3.0".');
    }
    if (!(service.strategy instanceof Strategy)) {
      fail(`${prop}.strategy`, service.strategy, 'every service needs a rollout strategy',
        'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const dependsOn = service.dependsOn === undefined ? []
      : arrayOf<ServiceDependency>(`${prop}.dependsOn`, service.dependsOn, 'Pass dependencies such as [{ service: "payments" }].');
    const checked = dependsOn.map((raw, i) => {
      const dependency = struct<ServiceDependency>(`${prop}.dependsOn[${i}]`, raw, 'Pass a dependency such as { service: "payments", versionRange: ">=2.0.0" }.');
      dnsLabel(`${prop}.dependsOn[${i}].service`, dependency.service, 'payments');
      if (dependency.versionRange !== undefined
        && (typeof dependency.versionRange !== 'string' || dependency.versionRange.trim() === ''
          || semver().validRange(dependency.versionRange) === null)) {
        fail(`${prop}.dependsOn[${i}].versionRange`, dependency.versionRange, 'it is not a semver range',
          'Use a range such as ">=2.0.0", "^2.1" or "2.x", or leave it out to accept any version.');
      }
      return Object.freeze({ ...dependency });
    });
    this.byName.set(name, Object.freeze({ ...service, dependsOn: Object.freeze(checked) as ServiceDependency[] }));
  }

  /**
   * The rollout waves. Throws when a dependency is missing, a version constraint does not hold,
   * or the dependencies form a cycle.
   */
  public waves(): ReleaseWave[] {
    if (this.byName.size === 0) {
      fail(`Release "${this.name}": services`, [], 'a release needs at least one service', 'Add services with the services prop or addService().');
    }
    for (const service of this.byName.values()) {
      (service.dependsOn ?? []).forEach((dependency, i) => this.checkDependency(service, dependency, i));
    }
    const waves: ReleaseWave[] = [];
    const done = new Set<string>();
    while (done.size < this.byName.size) {
      const ready = [...this.byName.values()]
        .filter(s => !done.has(s.name) && (s.dependsOn ?? []).every(d => done.has(d.service)))
        .map(s => s.name)
        .sort();
      if (ready.length === 0) {
        // Only services not yet placed can be in a cycle; one exists, since none of them could go next.
        const pending = new Map([...this.byName.values()].filter(s => !done.has(s.name))
          .map(s => [s.name, new Set((s.dependsOn ?? []).map(d => d.service))] as [string, Set<string>]));
        const cycle = findCycle(pending)!;
        fail(`Release "${this.name}": dependsOn`, cycle.join(' -> '), 'the dependencies form a cycle, so no service in it can go first',
          'Remove one of the dependencies in the cycle.');
      }
      ready.forEach(name => done.add(name));
      waves.push({ index: waves.length + 1, services: ready });
    }
    return waves;
  }

  /** The waves as a readable text table, with each service's version, strategy and duration. */
  public toTable(): string {
    const rows: string[][] = [];
    let total = 0;
    let approvals = 0;
    for (const wave of this.waves()) {
      // A wave lasts as long as its slowest service; a service's approvals all hold the release.
      let longest = 0;
      for (const name of wave.services) {
        const service = this.byName.get(name)!;
        const plan = service.strategy.plan();
        longest = Math.max(longest, plan.totalDuration.toSeconds());
        approvals += plan.manualApprovals;
        rows.push([String(wave.index), name, service.version, service.strategy.describe(), plan._totalDurationText()]);
      }
      total += longest;
    }
    const approvalText = approvals === 0 ? '' : ` + ${approvals} manual approval${approvals === 1 ? '' : 's'}`;
    return [
      `release ${this.name}`,
      textTable(['wave', 'service', 'version', 'strategy', 'duration'], rows),
      `total duration: ${formatSeconds(total)}${approvalText} (waves run one after another; services within a wave in parallel)`,
    ].join('\n');
  }

  private checkDependency(service: ReleaseService, dependency: ServiceDependency, index: number) {
    const prop = `Release "${this.name}": service "${service.name}".dependsOn[${index}]`;
    const target = this.byName.get(dependency.service);
    if (target === undefined) {
      fail(`${prop}.service`, dependency.service, 'no service of the release has this name',
        `Add "${dependency.service}" to the release, or remove the dependency. Services: ${[...this.byName.keys()].join(', ')}.`);
    }
    if (dependency.versionRange !== undefined && !semver().satisfies(target.version, dependency.versionRange, { includePrerelease: true })) {
      fail(`${prop}.versionRange`, dependency.versionRange,
        `"${service.name}" ${service.version} needs "${dependency.service}" ${dependency.versionRange}, but the release has "${dependency.service}" ${target.version}`,
        `Release a version of "${dependency.service}" that satisfies ${dependency.versionRange}, or widen the range.`);
    }
  }
}
