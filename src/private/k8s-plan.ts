import type { ApiObject } from 'cdk8s';
import type { TrafficPlan } from '../core/traffic-plan';

/**
 * The annotation under which every Kubernetes rollout records its plan on its primary object, the
 * cdk8s counterpart of the CDK cloud assembly metadata, so tools read plans from the manifests.
 */
export const PLAN_ANNOTATION = 'cdk-deploy-strategies.dev/plan';

/** What the annotation holds, as JSON. */
export interface RecordedK8sPlan {
  readonly controller: string;
  /** The step rendered, for providers that render one step at a time. */
  readonly step?: number;
  readonly table: string;
  readonly plan: unknown;
}

/** Records a rollout's plan on `primary`, the object a reader looks for (Rollout, HTTPRoute, live Service). */
export function recordK8sPlan(primary: ApiObject, plan: TrafficPlan, controller: string, step?: number): void {
  const recorded: RecordedK8sPlan = { controller, step, table: plan.toTable(), plan: plan.toJson() };
  primary.metadata.addAnnotation(PLAN_ANNOTATION, JSON.stringify(recorded));
}

/** The annotation under which an A/B experiment records its allocations (`{ active, reason?, table }` as JSON). */
export const EXPERIMENT_ANNOTATION = 'cdk-deploy-strategies.dev/experiment';
