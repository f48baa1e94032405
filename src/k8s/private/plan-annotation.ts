import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { RecordedMeasurement } from './experiment-metrics';
import { renderedPlan } from '../../core/private/rendered-plan';
import { fail } from '../../core/private/validation';
import type { TrafficPlan } from '../../core/strategy';

/**
 * The annotation under which every Kubernetes rollout records its plan on its primary object, the
 * cdk8s counterpart of the CDK cloud assembly metadata, so tools read plans from the manifests.
 */
export const PLAN_ANNOTATION = 'cdk-deploy-strategies.dev/plan';

/**
 * What the annotation holds, as JSON. Unlike the CDK metadata it leaves out the plan's table, which
 * readers render from the plan (`planTable`): annotations count against Kubernetes' size limit,
 * and every byte is written into the manifests and by kubectl again.
 */
export interface RecordedK8sPlan {
  /**
   * The construct path of the rollout (`Shop/web`), which readers title the plan by: the object's
   * own name is a hash cdk8s derives from that path.
   */
  readonly path: string;
  readonly controller: string;
  /** The step rendered, for providers that render one step at a time. */
  readonly step?: number;
  readonly plan: unknown;
}

/**
 * The largest plan annotation recorded, in bytes. A client-side `kubectl apply` copies every
 * annotation into `kubectl.kubernetes.io/last-applied-configuration`, so the plan counts twice
 * against Kubernetes' 256 KiB limit on an object's annotations, beside the rest of the object.
 */
export const MAX_PLAN_ANNOTATION_BYTES = 64 * 1024;

/**
 * Records a rollout's plan on `primary`, the object a reader looks for (Rollout, HTTPRoute, live
 * Service), failing when the annotation would be too large to apply.
 *
 * @param where the construct, as error messages name it: `<ClassName> <construct path>`
 * @param rollout the construct whose plan it is, recorded by its path
 */
export function recordK8sPlan(where: string, rollout: IConstruct, primary: ApiObject, plan: TrafficPlan, controller: string, step?: number): void {
  // The text of { path, controller, step, plan }, with the plan rendered once per strategy.
  const text = `${JSON.stringify({ path: rollout.node.path, controller, step } satisfies Partial<RecordedK8sPlan>).slice(0, -1)},"plan":${renderedPlan(plan).planText}}`;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PLAN_ANNOTATION_BYTES) {
    const steps = plan.steps.length;
    const fit = Math.floor(steps * MAX_PLAN_ANNOTATION_BYTES / bytes);
    fail(`${where}: strategy`, plan.strategy.describe(),
      `its plan of ${steps} steps makes ${tooLarge(PLAN_ANNOTATION, bytes)}`,
      `Use fewer, larger steps: about ${fit} steps fit, such as a linear strategy of at least ${Math.ceil(1000 / fit) / 10}% a step.`);
  }
  primary.metadata.addAnnotation(PLAN_ANNOTATION, text);
}

/** Why an annotation of `bytes` is refused, for messages: `a <annotation> annotation of 70 KiB, above the 64 KiB …`. */
function tooLarge(annotation: string, bytes: number): string {
  return `a ${annotation} annotation of ${Math.ceil(bytes / 1024)} KiB, above the ${MAX_PLAN_ANNOTATION_BYTES / 1024} KiB this library records: `
    + 'a client-side kubectl apply copies annotations into kubectl.kubernetes.io/last-applied-configuration, and Kubernetes allows 256 KiB of annotations per object';
}

/** The annotation under which an A/B experiment records its allocations (`RecordedK8sExperiment` as JSON). */
export const EXPERIMENT_ANNOTATION = 'cdk-deploy-strategies.dev/experiment';

/** What the experiment annotation holds, as JSON. */
export interface RecordedK8sExperiment {
  /** The experiment construct's path, which readers title it by. */
  readonly path: string;
  readonly active: boolean;
  readonly reason?: string;
  readonly table: string;
  /** With a metrics source: the health checks measuring each variant (and the control), by name. */
  readonly watchedBy?: Record<string, string[]>;
  /** With a metrics source: the queries of the variants measured. */
  readonly measurement?: RecordedMeasurement;
}

/**
 * Records an experiment's allocations on `primary` (the HTTPRoute, the Flagger Canary). When the
 * annotation would be too large to apply, `refuse` raises the construct's error, given the limit's text
 * (`a … annotation of 70 KiB, above …`) to finish its message with.
 */
export function recordK8sExperiment(primary: ApiObject, recorded: RecordedK8sExperiment, refuse: (limit: string) => never): void {
  const text = JSON.stringify(recorded);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PLAN_ANNOTATION_BYTES) refuse(tooLarge(EXPERIMENT_ANNOTATION, bytes));
  primary.metadata.addAnnotation(EXPERIMENT_ANNOTATION, text);
}

/**
 * Where a release records itself on each service's primary object (JSON). Kept here, beside the other
 * annotations the `plan` command reads, because this file loads without cdk8s: the command runs in
 * AWS-only installs too.
 */
export const RELEASE_ANNOTATION = 'cdk-deploy-strategies.dev/release';
