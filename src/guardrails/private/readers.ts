import type { TestRouteFacts, TriggerFacts } from './facts';
import type { Experiment } from '../../core/experiment';
import { StepGateKind } from '../../core/step-gate';
import type { Strategy } from '../../core/strategy';

/** Readers of the facts the guardrails need from the core model, shared by the AWS and Kubernetes constructs. */

/** The analyses of an Argo rollout: analysis gates of the strategy, and blue-green pre- and post-promotion analyses. */
export function analysisTriggers(strategy: Strategy, ...extra: (string | undefined)[]): TriggerFacts[] {
  const names = strategy.steps.filter(s => s.gate?.kind === StepGateKind.ANALYSIS).map(s => s.gate!.analysisName!);
  return [...names, ...extra.filter((n): n is string => n !== undefined)].map(name => ({ kind: 'ANALYSIS', description: `analysis ${name}` }));
}

/** The names of an experiment's variants with a match, in declared order: the order both the ALB and an HTTPRoute evaluate them. */
export function declaredOrder(experiment: Experiment): string[] {
  return experiment.variants.filter(v => v.match !== undefined).map(v => v.name);
}

/** A test route with no source restriction (Gateway API, CloudFront). */
export function unrestrictedRoute(strategy: Strategy): (() => TestRouteFacts | undefined) | undefined {
  const route = strategy.testRoute;
  return route && (() => ({ description: route.describe() }));
}
