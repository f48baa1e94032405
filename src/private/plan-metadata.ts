import type { IConstruct } from 'constructs';
import type { TrafficPlan } from '../core/traffic-plan';

/** The metadata type under which every rollout records its plan in the cloud assembly. */
export const PLAN_METADATA_TYPE = 'cdk-deploy-strategies:plan';

/**
 * Records a rollout's plan on its construct, so tools read it from the synthesized output
 * (`manifest.json` metadata in a CDK cloud assembly) instead of asking users to declare it twice.
 */
export function recordPlan(construct: IConstruct, plan: TrafficPlan, controller: string): void {
  construct.node.addMetadata(PLAN_METADATA_TYPE, { controller, table: plan.toTable(), plan: plan.toJson() });
}
