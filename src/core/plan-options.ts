import type { Duration } from 'aws-cdk-lib/core';
import type { HealthCheck } from './health-check';
import type { StepGate } from './step-gate';

/** How the new version's capacity is provided while traffic moves. Backends pick the one they use. */
export enum CapacityMode {
  /** The old version is replaced where it runs (a rolling update): no extra capacity, no instant rollback. */
  IN_PLACE = 'IN_PLACE',
  /** The new version runs at full size beside the old one (blue-green; ECS and CodeDeploy deployments). */
  FULL_COPY = 'FULL_COPY',
  /** The new version is scaled to its traffic share beside a full old version (Argo Rollouts with traffic routing). */
  PROPORTIONAL = 'PROPORTIONAL',
  /** A fixed number of replicas is split between the versions; weights are rounded to whole replicas. */
  REPLICA_RATIO = 'REPLICA_RATIO',
  /** Each version scales with its own traffic and nothing is provisioned ahead (Lambda): 100% throughout, instant rollback. */
  SERVERLESS = 'SERVERLESS',
}

/** Options for deriving a traffic plan. */
export interface PlanOptions {
  /**
   * How the backend provides capacity for the new version.
   *
   * @default - `FULL_COPY` for blue-green, `IN_PLACE` for all-at-once, `REPLICA_RATIO` for a canary or
   * linear rollout when `replicas` is set, `PROPORTIONAL` otherwise
   */
  readonly capacity?: CapacityMode;

  /**
   * The steady-state replica count. With `REPLICA_RATIO`, weights become whole replicas.
   *
   * @default - no replica count: weights are exact traffic shares
   */
  readonly replicas?: number;

  /**
   * How long it takes to bring capacity back for a rollback when the old version no longer runs at
   * full size (`IN_PLACE`, `REPLICA_RATIO`): starting tasks or pods and passing health checks.
   *
   * @default Duration.minutes(5)
   */
  readonly provisioningTime?: Duration;

  /**
   * The health checks that roll this rollout back, replacing the strategy's: rollouts pass their
   * own when a team overrides or extends the house strategy's checks.
   *
   * @default - the strategy's health checks
   */
  readonly healthChecks?: HealthCheck[];
}

/** One step of a traffic plan. */
export interface PlanStep {
  /** 1-based position in the plan. */
  readonly index: number;
  /** When the step starts, from the start of the rollout (manual approvals counted as instant). */
  readonly offset: Duration;
  /** Percentage of traffic on the version being replaced. */
  readonly stableWeight: number;
  /** Percentage of traffic on the new version. */
  readonly candidateWeight: number;
  /** Capacity running during the step, as a percentage of steady state. */
  readonly capacityPercent: number;
  /**
   * What holds the step before the next one.
   *
   * @default - none: the next step (or the end of the rollout) follows at once
   */
  readonly gate?: StepGate;
  /**
   * Replicas of the new version, with `REPLICA_RATIO`.
   *
   * @default - not a replica-ratio plan
   */
  readonly candidateReplicas?: number;

  /**
   * The names of the health checks judging the new version during the step: every check of the
   * plan, in each step that holds (has a gate) while the new version receives traffic, production
   * or through a test route. A step without a gate ends at once, so nothing can judge it.
   *
   * @default - none: the plan has no health checks, or the step cannot be judged
   */
  readonly watchedBy?: string[];
}
