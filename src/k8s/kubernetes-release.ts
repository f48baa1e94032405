import { Duration } from 'aws-cdk-lib/core';
import { ApiObject, Duration as K8sDuration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Release, ReleaseService, ReleaseWave } from '../core/release';
import { k8sImages } from './private/guardrail-images';
import { RELEASE_ANNOTATION } from './private/plan-annotation';
import {
  HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, PART_OF_LABEL, RELEASE_ROLLOUT_KINDS, ReleaseRollout,
  releaseRollout, SYNC_WAVE_ANNOTATION,
} from './private/release-rollouts';
import { envVariables, VERSION_LABEL } from './private/workload';
import { semver } from '../core/private/semver';
import { arrayOf, fail, struct, wholeSeconds } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';

/** Sync waves between two release waves, so objects of your own can go between them. */
const SYNC_WAVE_SPACING = 10;
/** The sync wave of the migration Job: Argo CD's default wave, before the first service's. */
const MIGRATION_SYNC_WAVE = 0;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A rollout construct can be released by one release only: a second would overwrite its waves. */
const claimedBy = new WeakMap<Construct, string>();

/** A database (or other) migration run once before each sync of the release. */
export interface ReleaseMigration {
  /** The image of the migration container, pinned to a version (`registry.example.com/orders-migrate:3.0.0`). */
  readonly image: string;

  /**
   * The container's entrypoint.
   *
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The arguments to the entrypoint.
   *
   * @default - the image's arguments
   */
  readonly args?: string[];

  /**
   * Environment variables of the container, such as the database address from a Secret
   * (`kplus.EnvValue.fromSecretValue(...)`).
   *
   * @default - none
   */
  readonly envVariables?: { [name: string]: kplus.EnvValue };

  /**
   * How many times Kubernetes retries the migration's pod before the Job, and so the sync, fails.
   *
   * @default 6 (Kubernetes' default)
   */
  readonly backoffLimit?: number;

  /**
   * How long the migration may run, retries included, before Kubernetes stops it and the sync fails.
   *
   * @default - no limit
   */
  readonly activeDeadline?: Duration;
}

/** Props for a `KubernetesRelease`. */
export interface KubernetesReleaseProps {
  /** The release: its services, their versions, strategies and dependencies. */
  readonly release: Release;

  /**
   * The rollout construct of each service of the release, by the service's name: a
   * `PlainBlueGreen`, `PlainCanary`, `GatewayRollout`, `ArgoRollout` or `FlaggerCanary` built with the release's
   * strategy for that service (`release.service(name).strategy`). Every service of the release
   * needs one, and no other name is accepted.
   */
  readonly services: { [name: string]: Construct };

  /**
   * A migration to run as an Argo CD `PreSync` hook, before any object of the release is applied.
   *
   * @default - no migration
   */
  readonly migration?: ReleaseMigration;
}

/**
 * Releases several services as one unit on Kubernetes, in the dependency waves of a core
 * `Release`, for Argo CD.
 *
 * Each service keeps its own rollout construct (`PlainBlueGreen`, `PlainCanary`, `GatewayRollout`,
 * `ArgoRollout` or `FlaggerCanary`), built with the release's strategy for it; the release checks that, then:
 *
 * - Puts every object of a service in the Argo CD sync wave `10 × its release wave`
 *   (`argocd.argoproj.io/sync-wave`: "10", "20", ...). Argo CD applies a wave only once every object
 *   of the waves before is healthy. The gaps leave room for objects of your own between waves, and
 *   objects without the annotation (ConfigMaps, AnalysisTemplates) are in wave 0, before the first
 *   service. `syncWave(name)` gives a service's wave.
 * - Labels every object of a service `app.kubernetes.io/part-of: <release name>` and
 *   `app.kubernetes.io/version: <version>` (the release's version of the service, or the earlier
 *   version it runs while it waits). A revision's Deployment keeps the version of its own revision,
 *   and pod templates are left as they are, so adopting a release restarts no pod and starts no
 *   Argo rollout; pods carry the version of their revision.
 * - Runs the optional `migration` as a cdk8s-plus Job (secure defaults kept) annotated as an Argo
 *   CD `PreSync` hook with delete policy `BeforeHookCreation`, in sync wave 0: Argo CD runs it
 *   before it applies any object of the sync, and fails the sync if it fails. It runs before every
 *   sync, so it must be idempotent (migration tools such as Flyway skip applied migrations) and
 *   compatible with the versions still running (expand, then contract in a later release).
 * - Records itself on each service's primary object (the one carrying its plan) as the annotation
 *   `cdk-deploy-strategies.dev/release`: `{ release, service, version, wave, syncWave, state, step? }`,
 *   where `state` is `waiting` (an earlier version runs), `releasing` (a candidate, at `step`) or
 *   `released` (the release's version runs, or is handed to Argo Rollouts or Flagger); and the release's
 *   table and waves on the first service's.
 *
 * A service never starts before everything it depends on has finished:
 * - An `ArgoRollout`'s or `FlaggerCanary`'s controller runs its whole plan once applied, and Argo CD
 *   treats the Rollout (or the Canary, by Argo CD's built-in health check for `flagger.app` Canaries)
 *   as healthy only once it has finished, so services of later waves wait for it within the sync.
 * - The plain and Gateway API rollouts render one step per commit, so a sync cannot wait for their
 *   last step. The release checks every commit instead: a service may run the release's version
 *   (or have a candidate) only once each such dependency renders its last step or has been
 *   promoted. Until then it keeps its earlier version: no candidate, and a stable revision (or an
 *   Argo rollout's revision) with a version before the release's. Each revision compared needs its
 *   `version`.
 *
 * Rolling the release back is one unit in Git, not in the cluster: Argo CD does not undo earlier
 * waves when a later one fails (an Argo `Rollout` aborts and returns to its stable version on its
 * own; the one-step-per-commit rollouts hold where they are). Revert the release's commits, or run
 * `argocd app rollback` to the revision before the release, and every service returns together.
 *
 * The migration Job keeps cdk8s-plus's secure defaults (non-root user, read-only root filesystem);
 * an image that needs to write inside its container needs a writable volume (mount one with
 * `migrationJob.addVolume()` / `containers[0].mount()`) or a securityContext relaxed on the Job.
 *
 * Without Argo CD (plain `kubectl apply`), the annotations are ignored and the objects of all waves
 * are applied together.
 *
 * @example
 * const release = new Release({
 *   name: 'shop',
 *   services: [
 *     { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
 *     { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN,
 *       dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }] },
 *   ],
 * });
 * const payments = new k8s.ArgoRollout(chart, 'payments', {
 *   strategy: release.service('payments').strategy,
 *   revision: { containers: [{ image: 'registry.example.com/payments:2.1.0', portNumber: 8080 }], version: '2.1.0' },
 *   replicas: 10,
 * });
 * const orders = new k8s.ArgoRollout(chart, 'orders', {
 *   strategy: release.service('orders').strategy,
 *   revision: { containers: [{ image: 'registry.example.com/orders:3.0.0', portNumber: 8080 }], version: '3.0.0' },
 * });
 * new k8s.KubernetesRelease(chart, 'shop', {
 *   release,
 *   services: { payments, orders },
 *   migration: { image: 'registry.example.com/orders-migrate:3.0.0' },
 * });
 */
export class KubernetesRelease extends Construct {
  /** The release rendered. */
  public readonly release: Release;
  /** The release's waves, in order: the services of wave N are in sync wave 10 × N. */
  public readonly waves: ReleaseWave[];
  /**
   * The migration Job, a `PreSync` hook.
   *
   * @default - undefined without a migration
   */
  public readonly migrationJob?: kplus.Job;
  private readonly syncWaves = new Map<string, number>();

  constructor(scope: Construct, id: string, props: KubernetesReleaseProps) {
    super(scope, id);
    const where = `KubernetesRelease ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { release, services: { <service name>: <rollout construct> } }.');
    if (!(props.release instanceof Release)) {
      fail(`${where}: release`, props.release, 'it must be a Release', 'Pass new Release({ name, services: [...] }).');
    }
    const release = props.release;
    this.release = release;
    // Fails with the core's messages: a cycle, a missing dependency, a version constraint that does not hold.
    this.waves = release.waves();
    this.waves.forEach(wave => wave.services.forEach(name => this.syncWaves.set(name, wave.index * SYNC_WAVE_SPACING)));

    const rollouts = this.rollouts(where, release, props.services);
    const states = new Map<string, ServiceState>();
    for (const service of release.services) {
      states.set(service.name, serviceState(where, release, service, rollouts.get(service.name)!));
    }
    for (const service of release.services) {
      this.checkOrder(where, service, rollouts, states);
    }

    // Before any object of a service is changed, so that a failure leaves them as they were.
    if (props.migration !== undefined) {
      this.migrationJob = migrationJob(this, `${where}: migration`, release.name, props.migration);
    }

    const first = this.waves[0].services[0];
    for (const service of release.services) {
      const rollout = rollouts.get(service.name)!;
      const state = states.get(service.name)!;
      const wave = this.waveOf(service.name);
      const syncWave = this.syncWave(service.name);
      const revisionDeployments = new Set(rollout.revisionDeployments);
      for (const object of rollout.construct.node.findAll().filter(ApiObject.isApiObject)) {
        object.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(syncWave));
        object.metadata.addLabel(PART_OF_LABEL, release.name);
        // A revision's Deployment runs that revision's version, already on its labels.
        if (!revisionDeployments.has(object)) object.metadata.addLabel(VERSION_LABEL, state.runs);
      }
      const record: RecordedRelease = {
        release: release.name,
        service: service.name,
        version: service.version,
        wave,
        syncWave,
        state: state.kind,
        step: state.step,
        // The release's own path, table and waves, once: readers title the release by the path.
        ...(service.name === first ? { path: this.node.path, table: release.toTable(), waves: this.waves } : {}),
      };
      rollout.primary.metadata.addAnnotation(RELEASE_ANNOTATION, JSON.stringify(record));
    }

    rollouts.forEach(rollout => claimedBy.set(rollout.construct, where));
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: 'Kubernetes',
      release,
      images: () => k8sImages(new Map([...rollouts].map(([n, r]) => [n, r.construct])), [['migration', this.migrationJob]]),
    });
    // Services added to the release afterwards would have no rollout and no wave.
    const names = release.services.map(s => s.name).join(', ');
    this.node.addValidation({
      validate: () => {
        const now = release.services.map(s => s.name).join(', ');
        return now === names ? [] : [`${where}: release "${release.name}" has the services ${now}, but had ${names} when the KubernetesRelease was created. `
          + 'Add every service to the release before creating the KubernetesRelease, and pass its rollout in services.'];
      },
    });
  }

  /** The Argo CD sync wave of a service's objects: 10 × the index of its release wave. */
  public syncWave(service: string): number {
    const wave = this.syncWaves.get(service);
    if (wave === undefined) this.release.service(service); // throws, listing the release's services
    return wave!;
  }

  private waveOf(service: string): number {
    return this.waves.find(w => w.services.includes(service))!.index;
  }

  /** Reads the rollout of every service, by name: one per service of the release, and no other. */
  private rollouts(where: string, release: Release, services: unknown): Map<string, ReleaseRollout> {
    const expected = release.services.map(s => s.name);
    const given = struct<Record<string, unknown>>(`${where}: services`, services,
      `Pass one rollout construct per service of release "${release.name}": { ${expected.join(', ')} }.`);
    for (const [name, value] of Object.entries(given)) {
      if (!expected.includes(name)) {
        fail(`${where}: services.${name}`, value, `release "${release.name}" has no service "${name}"`,
          `Pass one rollout per service of the release: ${expected.join(', ')}; add "${name}" to the release to release it too.`);
      }
    }
    for (const name of expected) {
      if (given[name] === undefined) {
        fail(`${where}: services.${name}`, undefined, `every service of release "${release.name}" needs its rollout construct`,
          `Pass one rollout per service of the release: ${expected.join(', ')}.`);
      }
    }
    const rollouts = new Map<string, ReleaseRollout>();
    for (const service of release.services) {
      const prop = `${where}: services.${service.name}`;
      const value = given[service.name];
      const rollout = releaseRollout(value);
      if (rollout === undefined) {
        fail(prop, value, 'a release rolls services out with the library\'s Kubernetes rollout constructs', `Pass a ${RELEASE_ROLLOUT_KINDS}.`);
      }
      const twin = [...rollouts.entries()].find(([, other]) => other.construct === rollout.construct);
      if (twin !== undefined) {
        fail(prop, value, `it is the rollout of "${twin[0]}" too (${rollout.kind} ${rollout.construct.node.path})`,
          'Give each service its own rollout construct.');
      }
      const owner = claimedBy.get(rollout.construct);
      if (owner !== undefined) {
        fail(prop, value, `${rollout.kind} ${rollout.construct.node.path} is released by ${owner} already, and one set of sync waves applies to it`,
          'Release each rollout with one KubernetesRelease.');
      }
      const strategy = rollout.plan.strategy;
      if (strategy !== service.strategy && strategy.describe() !== service.strategy.describe()) {
        fail(`${prop}.strategy`, strategy.describe(),
          `release "${release.name}" rolls "${service.name}" out with ${JSON.stringify(service.strategy.describe())}, and the release is the single source of truth`,
          `Build ${rollout.kind} ${rollout.construct.node.path} with strategy: release.service("${service.name}").strategy.`);
      }
      rollouts.set(service.name, rollout);
    }
    return rollouts;
  }

  /** A service that runs the release's version (or has a candidate) needs every dependency finished. */
  private checkOrder(where: string, service: ReleaseService, rollouts: Map<string, ReleaseRollout>, states: Map<string, ServiceState>) {
    const state = states.get(service.name)!;
    if (state.kind === 'waiting') return;
    const rollout = rollouts.get(service.name)!;
    for (const dependency of service.dependsOn ?? []) {
      const other = states.get(dependency.service)!;
      if (other.finished) continue;
      const otherRollout = rollouts.get(dependency.service)!;
      const progress = other.kind === 'waiting'
        ? `it still runs ${other.runs}, not the release's ${other.version}`
        : `${otherRollout.kind} ${otherRollout.construct.node.path} renders step ${other.step} of ${otherRollout.plan.steps.length}`
          + ` (${describePercent(otherRollout.candidate!.step.candidateWeight)}% of traffic on ${other.version})`;
      const hold = rollout.candidate !== undefined ? 'leave out its candidate, so that its stable revision serves alone,'
        : `keep ${state.prop} at the version it ran before`;
      const until = other.kind === 'waiting' ? `"${dependency.service}" runs ${other.version} and has finished`
        : `"${dependency.service}" renders its last step (${otherRollout.plan.steps.length})`;
      fail(`${where}: services.${service.name}.${state.prop}`, state.runs,
        `"${service.name}" depends on "${dependency.service}", which has not finished: ${progress}`,
        `A service starts only once everything it depends on has finished: ${hold} until ${until}.`);
    }
  }
}

/** Where a service of the release stands in the manifests rendered now. */
interface ServiceState {
  /** `waiting`: runs an earlier version; `releasing`: a step of its plan; `released`: the release's version. */
  readonly kind: 'waiting' | 'releasing' | 'released';
  /** The release's version of the service. */
  readonly version: string;
  /** The version its objects are labelled with: the release's, or the earlier one it runs while waiting. */
  readonly runs: string;
  /** The prop of the rollout the version was read from. */
  readonly prop: string;
  /** The step rendered, for a rollout rendering one step per commit. */
  readonly step?: number;
  /** Whether services depending on it may start. */
  readonly finished: boolean;
}

/** What a service records on its primary object, as JSON. */
interface RecordedRelease {
  readonly release: string;
  readonly service: string;
  readonly version: string;
  readonly wave: number;
  readonly syncWave: number;
  readonly state: ServiceState['kind'];
  readonly step?: number;
  /** The KubernetesRelease's construct path, with the table, on the first service only. */
  readonly path?: string;
  readonly table?: string;
  readonly waves?: ReleaseWave[];
}

function serviceState(where: string, release: Release, service: ReleaseService, rollout: ReleaseRollout): ServiceState {
  const prop = `${where}: services.${service.name}`;
  const version = service.version;
  if (version.length > 63 || !LABEL_VALUE.test(version)) {
    const fix = version.includes('+') ? `Drop the build metadata ("${version.split('+')[0]}"), which semver ignores when comparing versions.`
      : 'Use a shorter version.';
    fail(`${where}: release service "${service.name}".version`, version,
      'it becomes the app.kubernetes.io/version label, whose value has at most 63 letters, digits, "-", "_" or "."', fix);
  }
  const revisionFix = (p: string) => `Set ${p} (and the image) to "${version}", or release "${service.name}" at the revision's version.`;
  const candidate = rollout.candidate;
  if (candidate !== undefined) {
    if (candidate.version === undefined) {
      fail(`${prop}.${candidate.prop}`, undefined, `release "${release.name}" compares the version of each service with the revision its rollout releases`,
        `Set ${candidate.prop} to "${version}", the release's version of "${service.name}".`);
    }
    if (candidate.version !== version) {
      fail(`${prop}.${candidate.prop}`, candidate.version,
        `release "${release.name}" releases "${service.name}" ${version}, and the candidate is the revision being released`, revisionFix(candidate.prop));
    }
    const last = candidate.step.index === rollout.plan.steps.length;
    return { kind: 'releasing', version, runs: version, prop: candidate.prop, step: candidate.step.index, finished: last };
  }
  const current = rollout.current;
  if (current.version === undefined) {
    fail(`${prop}.${current.prop}`, undefined, `release "${release.name}" compares the version of each service with the revision its rollout runs`,
      `Set ${current.prop} to "${version}", the release's version of "${service.name}", or to the earlier version it runs until its turn.`);
  }
  if (current.version === version) {
    // An Argo rollout at the release's version is finished for its dependants within the sync: Argo CD
    // applies the next wave only once the Rollout is healthy, which it is only at the end of its plan.
    return { kind: 'released', version, runs: version, prop: current.prop, finished: true };
  }
  const earlier = semver().parse(current.version);
  if (earlier === null || !semver().lt(earlier, version)) {
    fail(`${prop}.${current.prop}`, current.version,
      `release "${release.name}" releases "${service.name}" ${version}, and a service runs that version or, until its turn, an earlier one`,
      revisionFix(current.prop));
  }
  return { kind: 'waiting', version, runs: current.version, prop: current.prop, finished: false };
}

function describePercent(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function migrationJob(scope: Construct, prop: string, releaseName: string, value: unknown): kplus.Job {
  const migration = struct<ReleaseMigration>(prop, value, 'Pass { image: "registry.example.com/orders-migrate:3.0.0" }.');
  if (typeof migration.image !== 'string' || migration.image.trim() === '') {
    fail(`${prop}.image`, migration.image, 'a migration needs an image', 'Pass an image reference such as "registry.example.com/orders-migrate:3.0.0".');
  }
  const strings = (key: 'command' | 'args') => {
    const list = migration[key];
    if (list === undefined) return undefined;
    return arrayOf<unknown>(`${prop}.${key}`, list, 'Pass a list of strings such as ["migrate", "--to", "latest"].').map((item, i) => {
      if (typeof item !== 'string') fail(`${prop}.${key}[${i}]`, item, 'it must be a string', 'Pass a list of strings such as ["migrate", "--to", "latest"].');
      return item;
    });
  };
  const command = strings('command');
  const args = strings('args');
  const env = migration.envVariables === undefined ? undefined : envVariables(`${prop}.envVariables`, migration.envVariables);
  const backoffLimit = migration.backoffLimit;
  if (backoffLimit !== undefined && (typeof backoffLimit !== 'number' || !Number.isInteger(backoffLimit) || backoffLimit < 0 || backoffLimit > 100)) {
    fail(`${prop}.backoffLimit`, backoffLimit, 'it is a number of retries, a whole number from 0 to 100', 'Use a number such as 2, or 0 to never retry.');
  }
  const deadline = migration.activeDeadline === undefined ? undefined
    : wholeSeconds(`${prop}.activeDeadline`, migration.activeDeadline, { minSeconds: 1, fix: 'Give the migration at least a second, such as Duration.minutes(10).' });

  return new kplus.Job(scope, 'Migration', {
    metadata: {
      labels: { [PART_OF_LABEL]: releaseName },
      annotations: {
        [HOOK_ANNOTATION]: 'PreSync',
        // The Job keeps its generated name from sync to sync and a Job's pod template cannot change,
        // so the previous run is deleted just before the next one is created.
        [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
        [SYNC_WAVE_ANNOTATION]: String(MIGRATION_SYNC_WAVE),
      },
    },
    podMetadata: { labels: { [PART_OF_LABEL]: releaseName } },
    containers: [{ name: 'migrate', image: migration.image, command, args, envVariables: env }],
    backoffLimit,
    activeDeadline: deadline === undefined ? undefined : K8sDuration.seconds(deadline),
  });
}
