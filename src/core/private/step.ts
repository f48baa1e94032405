import type { Construct, IConstruct } from 'constructs';
import { fail } from './validation';
import type { PlanStep } from '../plan-options';
import type { TrafficPlan } from '../strategy';

const STEP_SUFFIX = ':step';

/**
 * The context key that chooses the step a one-step-per-deploy rollout renders (Route 53, CloudFront,
 * plain Kubernetes, Gateway API): `<construct path>:step`. CDK apps take it from
 * `cdk deploy -c <key>=N`; cdk8s has no `-c` flag, so cdk8s apps set it with `app.node.setContext()`
 * before they create the chart.
 */
export function stepContextKey(construct: Construct): string {
  return `${construct.node.path}${STEP_SUFFIX}`;
}

/**
 * The step to render, numbered from 1 as in the plan's table: the prop when given, else the
 * context value, else step 1. Static backends cannot progress by themselves, so a pipeline
 * advances one deploy (or GitOps commit) per step. Registers the construct as one that reads its
 * step key (`registerStepRollout`).
 */
export function currentStep(construct: Construct, where: string, prop: unknown, plan: TrafficPlan): PlanStep {
  registerStepRollout(construct);
  const key = stepContextKey(construct);
  const fromContext = construct.node.tryGetContext(key);
  const [name, value] = prop !== undefined ? [`${where}: step`, prop] : [`${where}: context "${key}"`, fromContext];
  if (value === undefined) return plan.steps[0];
  const index = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const last = plan.steps.length;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > last) {
    fail(name, value, `the plan has steps 1 to ${last} (${plan.strategy.describe()})`,
      `Render a step from 1 to ${last}, numbered as in the plan's table (step ${last} sends everything to the candidate).`);
  }
  return plan.steps[index - 1];
}

/** The rollouts of each app that read a step key, by the app's root, with the kind of each. */
const STEP_ROLLOUTS = new WeakMap<IConstruct, Map<IConstruct, string>>();

/**
 * Records that `construct` reads the context key `<its path>:step`, whether or not it renders a
 * step now (a rollout without a candidate ignores the key a pipeline left). The first rollout of an
 * app adds a validation to the app's root that fails synthesis on a step key naming no such
 * rollout: a mistyped path would otherwise render step 1 without a word, and the pipeline would
 * believe it advanced.
 */
export function registerStepRollout(construct: IConstruct): void {
  const root = construct.node.root;
  let rollouts = STEP_ROLLOUTS.get(root);
  if (rollouts === undefined) {
    const registered = new Map<IConstruct, string>();
    rollouts = registered;
    STEP_ROLLOUTS.set(root, registered);
    // aws-cdk-lib (`cdk synth`, `app.synth()`) and cdk8s (`app.synth()`, `Testing.synth()`) both
    // run the validations of the root.
    root.node.addValidation({ validate: () => checkStepKeys(root, registered) });
  }
  // The class, for the message: `WeightedDnsRollout`.
  rollouts.set(construct, construct.constructor.name);
}

/**
 * Fails on the first step key (in sorted order) that no rollout reads: one set on the app (`-c`,
 * `app.node.setContext()`) or on a scope above a rollout, whose path is not the path of a rollout
 * that sees it.
 */
function checkStepKeys(root: IConstruct, rollouts: Map<IConstruct, string>): string[] {
  // Which rollouts see each key: keys set on the root are seen by all of them, keys set on a
  // stack or chart only by the rollouts below it.
  const seenBy = new Map<string, Set<string>>();
  const byPath = new Map<string, string>();
  const note = (context: Record<string, unknown>, path?: string) => {
    for (const key of Object.keys(context)) {
      if (!key.endsWith(STEP_SUFFIX)) continue;
      const paths = seenBy.get(key) ?? new Set<string>();
      if (path !== undefined) paths.add(path);
      seenBy.set(key, paths);
    }
  };
  note(root.node.getAllContext());
  for (const [rollout, kind] of rollouts) {
    byPath.set(rollout.node.path, kind);
    note(rollout.node.getAllContext(), rollout.node.path);
  }
  for (const key of [...seenBy.keys()].sort()) {
    const path = key.slice(0, -STEP_SUFFIX.length);
    if (seenBy.get(key)!.has(path)) continue;
    const value = root.node.tryGetContext(key) ?? findContext(rollouts, key);
    const paths = [...byPath.keys()].sort();
    const nearest = nearestPath(path, paths);
    const listed = paths.length <= 10 ? paths.map(p => `${p} (${byPath.get(p)})`).join(', ')
      : `${paths.slice(0, 10).map(p => `${p} (${byPath.get(p)})`).join(', ')} and ${paths.length - 10} more`;
    const limit = byPath.has(path)
      ? `it is set on a scope that the rollout ${path} is not below, so the rollout never reads it and renders its step prop, else step 1`
      : `no rollout of this app has the path "${path}", so the key chooses nothing and each rollout renders its step prop, else step 1; the rollouts that render one step per deploy are ${listed}`;
    fail(`context "${key}"`, value, limit,
      `Set the key of the rollout you mean, by its construct path: "${nearest}${STEP_SUFFIX}" is the nearest; or remove the key.`);
  }
  return [];
}

/** A context value set below the root, as a rollout sees it. */
function findContext(rollouts: Map<IConstruct, string>, key: string): unknown {
  for (const rollout of rollouts.keys()) {
    const value = rollout.node.tryGetContext(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The path closest to `path` by edit distance (the first in sorted order on a tie). */
function nearestPath(path: string, paths: string[]): string {
  let best = paths[0];
  let bestDistance = Infinity;
  for (const candidate of paths) {
    const distance = editDistance(path, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
