import { IConstruct } from 'constructs';
import { Experiment } from '../core/experiment';
import { Release } from '../core/release';
import { TrafficPlan } from '../core/strategy';
import { GuardrailFacts } from './private/facts';

/** Where a construct deploys. */
export enum GuardrailPlatform {
  /** An aws-cdk-lib construct (ECS, Lambda, ALB, Route 53, CloudFront). */
  AWS = 'AWS',
  /** A cdk8s construct (plain Kubernetes, Gateway API, Argo Rollouts). */
  KUBERNETES = 'KUBERNETES',
}

/** What kind of signal stops a rollout and sends traffic back. */
export enum RollbackTriggerKind {
  /** A CloudWatch alarm watched by the deployment (error rate, latency...). */
  ALARM = 'ALARM',
  /** An analysis run on the new version's metrics (an Argo Rollouts AnalysisTemplate). */
  ANALYSIS = 'ANALYSIS',
  /**
   * A health signal: the ECS deployment circuit breaker (tasks that fail to start), CodeDeploy's
   * rollback of a failed deployment, or a Route 53 health check of the candidate. It catches a
   * version that does not run, not one that serves errors.
   */
  HEALTH_CHECK = 'HEALTH_CHECK',
}

/** One thing that rolls a rollout back automatically. */
export interface RollbackTrigger {
  /** What kind of signal it is. */
  readonly kind: RollbackTriggerKind;
  /** A short description: `4 CloudWatch alarms`, `analysis error-rate`. */
  readonly description: string;
}

/** A test route: who may reach the new version before users do (blue-green's idle environment, a canary's test phase). */
export interface GuardrailTestRoute {
  /** The match or listener that selects test traffic: `header x-env=green`, `test listener on port 9000`. */
  readonly description: string;

  /**
   * The source ranges (CIDRs) allowed to use the route.
   *
   * @default - the backend applies no source restriction: anyone who reaches it and sends the match gets in
   */
  readonly sources?: string[];
}

/** One container image of a service in a release. */
export interface GuardrailImage {
  /** The release's service the image belongs to. */
  readonly service: string;
  /** The container (or construct path) running the image. */
  readonly container: string;
  /**
   * The image reference, such as `registry.example.com/orders:3.0.0`.
   *
   * @default - known only at deploy time (a token)
   */
  readonly image?: string;
}

/**
 * What the guardrails know of one of the library's constructs: its platform, plan, rollback
 * triggers, test route, experiment or release. Every rule reads these facts, never the
 * synthesized output, so one rule serves CDK and cdk8s apps.
 */
export class GuardrailSubject {
  /** @internal */
  public static _of(construct: IConstruct, facts: GuardrailFacts): GuardrailSubject {
    return new GuardrailSubject(construct, facts);
  }

  /** The construct described. */
  public readonly construct: IConstruct;
  /** Its path in the construct tree, as findings name it. */
  public readonly path: string;
  /** Where it deploys. */
  public readonly platform: GuardrailPlatform;
  /** The backend that carries out its plan or experiment: `native ECS deployment`, `Gateway API`... */
  public readonly backend: string;
  /** The rollout's traffic plan, for a rollout. */
  public readonly plan?: TrafficPlan;
  /** What rolls the rollout back automatically; empty when nothing does. */
  public readonly rollbackTriggers: RollbackTrigger[];
  /** The test route, when there is one and the guardrails can read it. */
  public readonly testRoute?: GuardrailTestRoute;
  /** The A/B experiment, for an experiment. */
  public readonly experiment?: Experiment;
  /** Names of the experiment's variants that have a match, in the order the backend evaluates them. */
  public readonly evaluationOrder: string[];
  /** Whether the backend compares match values without regard to case (the ALB does). */
  public readonly caseInsensitiveValues: boolean;
  /** The release, for a multi-service release. */
  public readonly release?: Release;
  /** The container images of the release's services. */
  public readonly images: GuardrailImage[];
  /**
   * The names of the health checks the backend measures the rollout by, or every variant and the
   * control of the experiment; empty when nothing measures them.
   */
  public readonly healthChecks: string[];

  private constructor(construct: IConstruct, facts: GuardrailFacts) {
    this.construct = construct;
    this.path = construct.node.path;
    this.platform = facts.platform === 'aws' ? GuardrailPlatform.AWS : GuardrailPlatform.KUBERNETES;
    this.backend = facts.backend;
    this.plan = facts.plan;
    this.rollbackTriggers = (facts.rollbackTriggers?.() ?? []).map(t => ({ kind: t.kind as RollbackTriggerKind, description: t.description }));
    this.testRoute = facts.testRoute?.();
    this.experiment = facts.experiment;
    this.evaluationOrder = facts.evaluationOrder ?? [];
    this.caseInsensitiveValues = facts.caseInsensitiveValues ?? false;
    this.release = facts.release;
    this.images = facts.images?.() ?? [];
    this.healthChecks = facts.healthChecks?.()
      ?? (facts.plan ?? facts.experiment)?.healthChecks.map(check => check.name) ?? [];
  }
}
