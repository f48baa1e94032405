import { IConstruct } from 'constructs';
import type { Experiment } from '../../core/experiment';
import type { Release } from '../../core/release';
import type { TrafficPlan } from '../../core/strategy';

/** What stops a rollout and sends traffic back, as the guardrails see it. */
export interface TriggerFacts {
  /** `ALARM`, `ANALYSIS` or `HEALTH_CHECK` (the values of the public `RollbackTriggerKind`). */
  readonly kind: 'ALARM' | 'ANALYSIS' | 'HEALTH_CHECK';
  readonly description: string;
}

/** A test route: what selects it, and the source ranges allowed to use it. */
export interface TestRouteFacts {
  readonly description: string;
  /** Undefined: the backend applies no source restriction at all (a Gateway API HTTPRoute, CloudFront). */
  readonly sources?: string[];
}

/** One container image of a release's service. */
export interface ImageFacts {
  readonly service: string;
  readonly container: string;
  /** The image reference, or undefined when it is only known at deploy time (a token). */
  readonly image?: string;
}

/**
 * What one of the library's constructs tells the guardrails about itself. Functions are read when
 * the rules run (at synth), so alarms, variants or containers added after construction count.
 */
export interface GuardrailFacts {
  readonly platform: 'aws' | 'k8s';
  /** The backend, as plans name it: `native ECS deployment`, `Gateway API`... */
  readonly backend: string;
  readonly plan?: TrafficPlan;
  readonly rollbackTriggers?: () => TriggerFacts[];
  /** The test route, or undefined when there is none or its sources cannot be read. */
  readonly testRoute?: () => TestRouteFacts | undefined;
  readonly experiment?: Experiment;
  /** Names of the variants with a match, in the order the backend evaluates them. */
  readonly evaluationOrder?: string[];
  /** Whether the backend compares match values without regard to case (the ALB). */
  readonly caseInsensitiveValues?: boolean;
  readonly release?: Release;
  readonly images?: () => ImageFacts[];
  /**
   * The names of the health checks the backend measures the rollout (or every variant of the
   * experiment) by. Read at synth, so checks added after construction count.
   *
   * @default - the plan's or the experiment's health checks: a backend that cannot measure them
   * (nothing acts on them) registers `() => []`
   */
  readonly healthChecks?: () => string[];
}

const FACTS = new WeakMap<IConstruct, GuardrailFacts[]>();

/** Called by each of the library's constructs, once, from its constructor. */
export function registerGuardrailFacts(construct: IConstruct, facts: GuardrailFacts): void {
  const list = FACTS.get(construct) ?? [];
  list.push(facts);
  FACTS.set(construct, list);
}

/** The facts a construct registered, or none. */
export function guardrailFactsOf(construct: IConstruct): GuardrailFacts[] {
  return FACTS.get(construct) ?? [];
}
