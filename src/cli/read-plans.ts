import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as YAML from 'yaml';
import { CliError } from './errors';
import { checkPlanJson, PlanJson } from './plan-json';
import { RELEASE_METADATA_TYPE } from '../aws/private/ecs-release-support';
import { EXPERIMENT_METADATA_TYPE, PLAN_METADATA_TYPE, RecordedDriver, RecordedExperiment, STEP_METADATA_TYPE } from '../aws/private/plan-metadata';
import { planTable } from '../core/private/plan-table';
import { EXPERIMENT_ANNOTATION, PLAN_ANNOTATION, RELEASE_ANNOTATION } from '../k8s/private/plan-annotation';

/** Where a rollout was found. */
export type RolloutSource = 'cdk' | 'cdk8s' | 'strategy';

/** A rollout found in synthesized output, with the plan its construct recorded. */
export interface FoundRollout {
  readonly source: RolloutSource;
  /** The file or folder it was read from, as given (a cloud assembly folder or a YAML file). */
  readonly origin: string;
  /**
   * The construct path of the rollout (`Shop/Web/Rollout`), or, for manifests written before the
   * plan annotation recorded it, `Kind/name` of the object carrying the plan.
   */
  readonly name: string;
  /** cdk8s: `Kind/name` of the object carrying the plan. */
  readonly object?: string;
  /** The backend that runs the rollout (`native ECS deployment`, `Argo Rollouts` ...). */
  readonly controller: string;
  /** The step rendered, for backends that render one step per deploy. */
  readonly step?: number;
  /** The context key choosing that step (`cdk deploy -c <key>=N`), where the construct records it. */
  readonly stepContextKey?: string;
  /** The engine that drives a static rollout (a Step Functions state machine), and what a rollout costs it. */
  readonly driver?: RecordedDriver;
  readonly plan: PlanJson;
}

/** An A/B experiment found in synthesized output. */
export interface FoundExperiment {
  readonly source: RolloutSource;
  readonly origin: string;
  /** The construct path, as for rollouts. */
  readonly name: string;
  /** cdk8s: `Kind/name` of the object carrying the allocations. */
  readonly object?: string;
  readonly backend: string;
  readonly active: boolean;
  readonly reason?: string;
  readonly table: string;
  /**
   * What measures each variant and the control: the names of the health checks, by variant (an
   * empty list when nothing does); absent when the experiment records none.
   */
  readonly watchedBy?: Record<string, string[]>;
  /** Where the variants are measured (`Prometheus http://... (Istio)`), when recorded. */
  readonly measuredThrough?: string;
}

/** A multi-service release found in synthesized output: its waves and each service's plan, as a table. */
export interface FoundRelease {
  readonly source: RolloutSource;
  readonly origin: string;
  /** The construct path of the release, as for rollouts. */
  readonly name: string;
  /** cdk8s: `Kind/name` of the object carrying the release's table. */
  readonly object?: string;
  readonly release: string;
  readonly table: string;
}

/** Everything found in the paths read. */
export interface Found {
  readonly rollouts: FoundRollout[];
  readonly experiments: FoundExperiment[];
  /** Releases (`aws.EcsRelease`, `k8s.KubernetesRelease`); absent when none was found. */
  readonly releases?: FoundRelease[];
}

/** The constructs that record what this command reads, for the message when it finds nothing. */
export const RECORDING_CONSTRUCTS = 'rollouts are recorded by aws.EcsRolloutService, aws.EcsNativeRollout, aws.EcsCodeDeployRollout, '
  + 'aws.LambdaRollout, aws.WeightedDnsRollout, aws.AlbWeightedRollout, aws.CloudFrontContinuousDeployment and aws.ApiGatewayCanary (CDK), and by k8s.ArgoRollout, '
  + 'k8s.FlaggerCanary, k8s.GatewayRollout, k8s.PlainCanary and k8s.PlainBlueGreen (cdk8s); A/B experiments by aws.AlbExperiment, '
  + 'aws.CloudFrontContinuousDeployment, k8s.GatewayExperiment and k8s.FlaggerExperiment; releases by aws.EcsRelease and k8s.KubernetesRelease';

/**
 * Reads every path: a CDK cloud assembly folder (with manifest.json, as `cdk synth` writes it), a
 * cdk8s output folder (its .yaml files) or one .yaml file. A path that holds no rollout and no
 * experiment is an error, so a wrong folder among several is not silently skipped.
 */
export function readPlans(paths: string[]): Found {
  const all = paths.map(p => {
    const found = readPath(p);
    if (found.rollouts.length === 0 && found.experiments.length === 0) {
      throw new CliError(`no rollouts found in ${p}: ${RECORDING_CONSTRUCTS}. Synthesize an app that uses one `
        + '(`cdk synth`, `cdk8s synth`) and pass its output folder.');
    }
    return found;
  });
  return merge(all);
}

/** Reads one path, which may hold nothing. */
export function readPath(given: string): Found {
  const full = path.resolve(given);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new CliError(`${given}: no such file or directory; pass a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file`);
  }
  if (stat.isDirectory()) {
    if (fs.existsSync(path.join(full, 'manifest.json'))) return readAssembly(given);
    const files = yamlFiles(full);
    if (files.length === 0) {
      throw new CliError(`${given} is neither a CDK cloud assembly (it has no manifest.json) nor a cdk8s output folder (it has no .yaml files)`);
    }
    return merge(files.map(file => readManifestFile(path.join(given, file))));
  }
  if (/\.ya?ml$/i.test(full)) return readManifestFile(given);
  if (path.basename(full) === 'manifest.json') return readAssembly(path.dirname(given));
  throw new CliError(`${given} is not a CDK cloud assembly folder, a cdk8s output folder or a .yaml file`);
}

/** Reads a CDK cloud assembly, nested stages included. */
export function readAssembly(dir: string): Found {
  checkAssemblyFiles(dir, dir);
  let assembly: CloudAssembly;
  try {
    // Only our metadata is read, whose shape does not depend on the schema version, so an assembly
    // from another aws-cdk-lib release is read rather than refused.
    assembly = new CloudAssembly(dir, { skipVersionCheck: true });
  } catch (e) {
    throw new CliError(`cannot read the cloud assembly in ${dir}: ${(e as Error).message}`);
  }
  const where = (p: string) => `${dir}: the ${PLAN_METADATA_TYPE} metadata of ${p}`;
  const steps = new Map(recordedSteps(assembly).map(s => [s.path, s]));
  return {
    rollouts: recordedPlans(assembly, where).map(r => ({
      source: 'cdk',
      origin: dir,
      name: r.path.replace(/^\//, ''),
      controller: r.controller,
      step: optionalStep(steps.get(r.path)?.step, `${dir}: the ${STEP_METADATA_TYPE} metadata of ${r.path}`, r.plan.steps.length),
      stepContextKey: steps.get(r.path)?.contextKey,
      ...(r.driver ? { driver: r.driver } : {}),
      plan: r.plan,
    })),
    experiments: recordedExperiments(assembly).map(e => ({
      source: 'cdk',
      origin: dir,
      name: e.path.replace(/^\//, ''),
      backend: e.backend,
      active: e.active,
      reason: e.reason,
      table: e.table,
      ...watchers(e),
    })),
    ...releasesOrNothing(assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(RELEASE_METADATA_TYPE)
      .map(entry => ({
        source: 'cdk' as const,
        origin: dir,
        name: entry.path.replace(/^\//, ''),
        release: recordText((entry.data as any)?.name, `${dir}: the ${RELEASE_METADATA_TYPE} metadata of ${entry.path}`, 'name'),
        table: recordText((entry.data as any)?.table, `${dir}: the ${RELEASE_METADATA_TYPE} metadata of ${entry.path}`, 'table'),
      })))),
  };
}

/** The `releases` field, present only when there are releases, so outputs without them stay as they were. */
function releasesOrNothing(releases: FoundRelease[]): { releases?: FoundRelease[] } {
  return releases.length === 0 ? {} : { releases };
}

/** Reads the objects of one cdk8s manifest file. */
export function readManifestFile(file: string): Found {
  const objects = loadYaml(file);
  return {
    rollouts: recordedK8sPlans(objects, file).map(r => ({
      source: 'cdk8s', origin: file, name: r.path ?? r.object, object: r.object, controller: r.controller, step: r.step, plan: r.plan,
    })),
    experiments: recordedK8sExperiments(objects, file).map(e => ({
      source: 'cdk8s', origin: file, name: e.path ?? e.object, object: e.object, backend: e.backend, active: e.active, reason: e.reason, table: e.table, ...watchers(e),
    })),
    // A Kubernetes release records itself on every service; its path and table are on the first one's only.
    ...releasesOrNothing(annotated(objects, RELEASE_ANNOTATION, file).filter(({ value }) => value.table !== undefined)
      .map(({ object, value, where }) => ({
        source: 'cdk8s' as const,
        origin: file,
        name: optionalText(value.path, where, 'path') ?? object,
        object,
        release: recordText(value.release, where, 'release'),
        table: recordText(value.table, where, 'table'),
      }))),
  };
}

/** The traffic plans recorded in an assembly, as `{ path, controller, table, plan }`. */
export function recordedPlans(assembly: CloudAssembly, where: (constructPath: string) => string = p => p):
Array<{ path: string; controller: string; table: string; plan: PlanJson; driver?: RecordedDriver }> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(PLAN_METADATA_TYPE).map(entry => {
    const data = (entry.data ?? {}) as any;
    const at = where(entry.path);
    return {
      path: entry.path,
      controller: recordText(data.controller, at, 'controller'),
      table: recordText(data.table, at, 'table'),
      plan: checkPlanJson(data.plan, at),
      ...(data.driver === undefined ? {} : { driver: recordedDriver(data.driver, at) }),
    };
  }));
}

/** What an experiment records about its watchers, read leniently: `watchedBy` by variant, and where they are measured. */
interface RecordedWatchers {
  readonly watchedBy?: Record<string, string[]>;
  readonly measuredThrough?: string;
}

/** The A/B experiments recorded in an assembly, as `{ path, ...RecordedExperiment }`. */
export function recordedExperiments(assembly: CloudAssembly): Array<{ path: string } & RecordedExperiment & RecordedWatchers> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(EXPERIMENT_METADATA_TYPE)
    .map(entry => {
      const data = (entry.data ?? {}) as any;
      const where = `the ${EXPERIMENT_METADATA_TYPE} metadata of ${entry.path}`;
      return {
        path: entry.path,
        backend: recordText(data.backend, where, 'backend'),
        active: recordFlag(data.active, where, 'active'),
        reason: optionalText(data.reason, where, 'reason'),
        table: recordText(data.table, where, 'table'),
        ...recordedWatchers(data, where),
      };
    }));
}

/**
 * The watchers an experiment records (`watchedBy`: check names by variant; `measurement.source`),
 * checked so that a malformed record is named rather than printed as `[object Object]`.
 */
function recordedWatchers(data: any, where: string): RecordedWatchers {
  if (data.watchedBy === undefined) return {};
  const watchedBy = data.watchedBy;
  const valid = typeof watchedBy === 'object' && watchedBy !== null && !Array.isArray(watchedBy)
    && Object.values(watchedBy).every(v => Array.isArray(v) && v.every(n => typeof n === 'string'));
  if (!valid) throw new CliError(`${where} has a "watchedBy" that is not a list of health check names per variant`);
  const source = data.measurement?.source;
  return { watchedBy, measuredThrough: typeof source === 'string' ? source : undefined };
}

/** The watchers fields of a found experiment, present only when recorded, so outputs without them stay as they were. */
function watchers(e: RecordedWatchers): RecordedWatchers {
  if (e.watchedBy === undefined) return {};
  return { watchedBy: e.watchedBy, ...(e.measuredThrough === undefined ? {} : { measuredThrough: e.measuredThrough }) };
}

/** The steps rendered by one-step-per-deploy rollouts (Route 53), as `{ path, step?, contextKey? }`. */
export function recordedSteps(assembly: CloudAssembly): Array<{ path: string; step?: number; contextKey?: string }> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(STEP_METADATA_TYPE)
    .map(entry => {
      const where = `the ${STEP_METADATA_TYPE} metadata of ${entry.path}`;
      const data = (entry.data ?? {}) as any;
      return { path: entry.path, step: optionalStep(data.step, where), contextKey: optionalText(data.contextKey, where, 'contextKey') };
    }));
}

/**
 * The traffic plans recorded on manifest objects, as `{ object, path?, controller, step?, table, plan }`
 * (`path`, the rollout's construct path, is absent from manifests written before it was recorded).
 */
export function recordedK8sPlans(objects: any[], file = 'manifest'):
Array<{ object: string; path?: string; controller: string; step?: number; table: string; plan: PlanJson }> {
  return annotated(objects, PLAN_ANNOTATION, file).map(({ object, value, where }) => {
    const plan = checkPlanJson(value.plan, where);
    // The annotation leaves the table out to stay small; it is rendered from the plan, as the construct would.
    return {
      object,
      ...pathOrNothing(optionalText(value.path, where, 'path')),
      controller: recordText(value.controller, where, 'controller'),
      step: optionalStep(value.step, where, plan.steps.length),
      table: planTable(plan),
      plan,
    };
  });
}

/** The A/B experiments recorded on manifest objects, as `{ object, path?, backend, active, reason?, table, watchedBy?, measuredThrough? }`. */
export function recordedK8sExperiments(objects: any[], file = 'manifest'):
Array<{ object: string; path?: string; backend: string; active: boolean; reason?: string; table: string } & RecordedWatchers> {
  return annotated(objects, EXPERIMENT_ANNOTATION, file).map(({ object, value, where }) => ({
    object,
    ...pathOrNothing(optionalText(value.path, where, 'path')),
    // A FlaggerExperiment records on its Canary, a GatewayExperiment on its HTTPRoute.
    backend: object.startsWith('Canary/') ? 'Flagger' : 'Gateway API',
    active: recordFlag(value.active, where, 'active'),
    reason: optionalText(value.reason, where, 'reason'),
    table: recordText(value.table, where, 'table'),
    ...recordedWatchers(value, where),
  }));
}

/** `{ path }`, or nothing for manifests written before the path was recorded. */
function pathOrNothing(value: string | undefined): { path?: string } {
  return value === undefined ? {} : { path: value };
}

/** The objects carrying `annotation`, with its JSON value parsed. */
function annotated(objects: any[], annotation: string, file: string): Array<{ object: string; value: any; where: string }> {
  return objects.filter(o => o?.metadata?.annotations?.[annotation] !== undefined).map(o => {
    const object = `${o.kind}/${o.metadata.name}`;
    const where = `${file}: the ${annotation} annotation of ${object}`;
    try {
      return { object, value: JSON.parse(o.metadata.annotations[annotation]) ?? {}, where };
    } catch (e) {
      throw new CliError(`${where} is not valid JSON (${(e as Error).message})`);
    }
  });
}

/**
 * Checks the files a cloud assembly is read from, so a broken one is named with what is wrong:
 * `CloudAssembly` reports a bad JSON file without saying which.
 */
function checkAssemblyFiles(dir: string, root: string): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile, root);
  const bad = (problem: string): never => {
    throw new CliError(`cannot read the cloud assembly in ${root}: ${manifestFile} ${problem}`);
  };
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) bad('is not a JSON object');
  if (typeof manifest.version !== 'string') bad('has no "version"; it is not a cloud assembly manifest written by `cdk synth`');
  const artifacts = manifest.artifacts ?? {};
  if (typeof artifacts !== 'object' || Array.isArray(artifacts)) bad('has "artifacts" that is not an object');
  for (const [id, artifact] of Object.entries<any>(artifacts)) {
    if (typeof artifact?.additionalMetadataFile === 'string') readJson(path.join(dir, artifact.additionalMetadataFile), root, `the metadata of ${id}`);
    if (artifact?.type === 'cdk:cloud-assembly' && typeof artifact.properties?.directoryName === 'string') {
      checkAssemblyFiles(path.join(dir, artifact.properties.directoryName), root);
    }
  }
}

function readJson(file: string, root: string, what?: string): any {
  const name = what ? `${file} (${what})` : file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    const problem = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`;
    throw new CliError(`cannot read the cloud assembly in ${root}: ${name} ${problem}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`cannot read the cloud assembly in ${root}: ${name} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The objects of a manifest file, parsed with the `yaml` library as cdk8s writes it (YAML 1.1).
 * A document with a syntax error fails the whole file, named with its line and column: cdk8s's
 * loader keeps whatever part of a damaged document it could read, which would be printed as if it
 * were valid. Empty documents are skipped, as cdk8s skips them; anything else that is not a
 * mapping (a Kubernetes object) is reported.
 */
function loadYaml(file: string): any[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new CliError(`${file} cannot be read (${(e as Error).message})`);
  }
  const objects: any[] = [];
  for (const document of YAML.parseAllDocuments(text, { version: '1.1' })) {
    const error = document.errors[0];
    if (error !== undefined) {
      const at = error.linePos?.[0];
      // The message's first line, without the position it ends with (named before it here).
      const what = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new CliError(`${file}${at ? `:${at.line}:${at.col}` : ''}: the YAML cannot be parsed: ${what}`);
    }
    const object = document.toJSON();
    if (object === null || object === undefined) continue;
    if (typeof object !== 'object' || Array.isArray(object) || typeof object.kind !== 'string') {
      throw new CliError(`${file} holds a document that is not a Kubernetes object (a mapping with a kind): ${JSON.stringify(object).slice(0, 60)}`);
    }
    objects.push(object);
  }
  return objects;
}

/** The .yaml files under `dir` (sorted, relative to it), skipping node_modules and hidden folders. */
function yamlFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap(entry => {
      const relative = path.join(prefix, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : yamlFiles(dir, relative);
      return entry.isFile() && /\.ya?ml$/i.test(entry.name) ? [relative] : [];
    });
}

function merge(found: Found[]): Found {
  return {
    rollouts: found.flatMap(f => f.rollouts),
    experiments: found.flatMap(f => f.experiments),
    ...releasesOrNothing(found.flatMap(f => f.releases ?? [])),
  };
}

/** A driver's record: its state machine and costs, each checked, so a damaged record is named rather than printed as "undefined". */
function recordedDriver(value: any, where: string): RecordedDriver {
  const at = `${where}: driver`;
  const count = (field: string): number => {
    const n = value?.[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new CliError(`${at} has no ${field} (found ${JSON.stringify(n)}); synthesize the app again`);
    return n;
  };
  return {
    engine: recordText(value?.engine, at, 'engine'),
    stateMachineName: recordText(value?.stateMachineName, at, 'stateMachineName'),
    stateTransitions: count('stateTransitions'),
    maxStateTransitions: count('maxStateTransitions'),
    maxHistoryEvents: count('maxHistoryEvents'),
  };
}

/** A text field of a record, which must be a string: never print "undefined" for a damaged record. */
function recordText(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw new CliError(`${where} has no ${field} (found ${value === undefined ? 'nothing' : typeof value}); synthesize the app again`);
  return value;
}

/** A yes-or-no field of a record, which must be a boolean: a damaged `active` is not read as "ended". */
function recordFlag(value: unknown, where: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new CliError(`${where} has no ${field} (found ${value === undefined ? 'nothing' : typeof value}, expected true or false); synthesize the app again`);
  return value;
}

/** An optional text field of a record: absent, or a string. */
function optionalText(value: unknown, where: string, field: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new CliError(`${where} has a ${field} that is not text (found ${typeof value}); synthesize the app again`);
  return value;
}

/** The step a record says was rendered: absent, or a whole number from 1 to the plan's last step. */
function optionalStep(value: unknown, where: string, last?: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || (last !== undefined && value > last)) {
    throw new CliError(`${where} has step ${JSON.stringify(value) ?? String(value)}, which is not a step of its plan (1 to ${last ?? 'the last'}); synthesize the app again`);
  }
  return value;
}
