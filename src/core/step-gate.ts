import { Duration } from 'aws-cdk-lib/core';
import { formatSeconds } from './private/format';
import { dnsLabel, fail, struct, wholeSeconds } from './private/validation';

/** What holds a rollout step until the next one may start. */
export enum StepGateKind {
  /** Wait a fixed time; alarms or analysis attached to the rollout may stop it meanwhile. */
  BAKE = 'BAKE',
  /** Wait for a person to approve. */
  MANUAL_APPROVAL = 'MANUAL_APPROVAL',
  /** Run a named analysis for a fixed time; it passes or rolls back. */
  ANALYSIS = 'ANALYSIS',
}

/** Options for a manual approval gate. */
export interface ManualApprovalProps {
  /**
   * How long to wait for a decision before the rollout is stopped and rolled back.
   *
   * @default - waits until someone approves or rejects
   */
  readonly timeout?: Duration;
}

/** Options for an analysis gate. */
export interface AnalysisGateProps {
  /**
   * The analysis to run, as a DNS label. Backends turn it into their own object: an Argo Rollouts
   * `AnalysisTemplate` of this name, or the alarms of the AWS deployment.
   */
  readonly name: string;

  /** How long the analysis runs before the step passes. */
  readonly duration: Duration;
}

/**
 * How a rollout step ends: after a bake time, a manual approval, or an analysis.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { StepGate } from 'cdk-deploy-strategies';
 *
 * StepGate.bake(Duration.minutes(10));
 * StepGate.manualApproval({ timeout: Duration.hours(4) });
 * StepGate.analysis({ name: 'checkout-error-rate', duration: Duration.minutes(15) });
 */
export class StepGate {
  /**
   * Hold the step for a fixed time, then continue automatically.
   *
   * @param duration how long the step bakes; at least one second
   */
  public static bake(duration: Duration): StepGate {
    const seconds = wholeSeconds('StepGate.bake: duration', duration, {
      minSeconds: 1,
      fix: 'A bake time gives alarms time to catch a fault; use at least Duration.seconds(1).',
    });
    return new StepGate(StepGateKind.BAKE, seconds, undefined);
  }

  /** Hold the step until a person approves it. */
  public static manualApproval(props: ManualApprovalProps = {}): StepGate {
    struct('StepGate.manualApproval: props', props, 'Pass an object such as { timeout: Duration.hours(1) }.');
    const timeout = props.timeout === undefined ? undefined : wholeSeconds('StepGate.manualApproval: timeout', props.timeout, {
      minSeconds: 1,
      fix: 'Use at least Duration.seconds(1), or leave the timeout out to wait indefinitely.',
    });
    return new StepGate(StepGateKind.MANUAL_APPROVAL, timeout, undefined);
  }

  /** Hold the step while a named analysis runs; the step passes when the analysis does. */
  public static analysis(props: AnalysisGateProps): StepGate {
    struct('StepGate.analysis: props', props, 'Pass an object such as { name: "error-rate", duration: Duration.minutes(10) }.');
    const name = dnsLabel('StepGate.analysis: name', props.name, 'error-rate');
    const seconds = wholeSeconds('StepGate.analysis: duration', props.duration, {
      minSeconds: 1,
      fix: 'An analysis needs time to collect measurements; use at least Duration.seconds(1).',
    });
    return new StepGate(StepGateKind.ANALYSIS, seconds, name);
  }

  /** @internal */
  public static _isStepGate(value: unknown): value is StepGate {
    return value instanceof StepGate;
  }

  /** @internal */
  public static _require(prop: string, value: unknown): StepGate {
    if (!StepGate._isStepGate(value)) {
      fail(prop, value, 'a gate is made with StepGate.bake(), StepGate.manualApproval() or StepGate.analysis()',
        'For example gate: StepGate.bake(Duration.minutes(5)).');
    }
    return value;
  }

  /** What kind of gate this is. */
  public readonly kind: StepGateKind;

  /** The analysis name, for an analysis gate. */
  public readonly analysisName?: string;

  /** Seconds: the bake or analysis time, or the approval timeout (undefined: no timeout). */
  private readonly seconds?: number;

  private constructor(kind: StepGateKind, seconds: number | undefined, analysisName: string | undefined) {
    this.kind = kind;
    this.seconds = seconds;
    this.analysisName = analysisName;
  }

  /** How long a bake or an analysis holds the step; undefined for a manual approval. */
  public get duration(): Duration | undefined {
    return this.kind === StepGateKind.MANUAL_APPROVAL ? undefined : Duration.seconds(this.seconds!);
  }

  /** How long a manual approval waits before rolling back; undefined for other gates, or without a timeout. */
  public get timeout(): Duration | undefined {
    return this.kind === StepGateKind.MANUAL_APPROVAL && this.seconds !== undefined ? Duration.seconds(this.seconds) : undefined;
  }

  /**
   * The shortest time the step is held: the bake or analysis time; zero for a manual approval,
   * which may come at once.
   */
  public get minimumDuration(): Duration {
    return Duration.seconds(this.kind === StepGateKind.MANUAL_APPROVAL ? 0 : this.seconds ?? 0);
  }

  /**
   * The longest time the step is held, or undefined when a manual approval has no timeout.
   * A manual approval that times out rolls the rollout back.
   */
  public get maximumDuration(): Duration | undefined {
    return this.seconds === undefined ? undefined : Duration.seconds(this.seconds);
  }

  /** A short description for plans and reports: `bake 5m`, `manual approval (timeout 4h)`, `analysis error-rate 15m`. */
  public describe(): string {
    switch (this.kind) {
      case StepGateKind.BAKE:
        return `bake ${formatSeconds(this.seconds!)}`;
      case StepGateKind.MANUAL_APPROVAL:
        return this.seconds === undefined ? 'manual approval' : `manual approval (timeout ${formatSeconds(this.seconds)})`;
      case StepGateKind.ANALYSIS:
        return `analysis ${this.analysisName} ${formatSeconds(this.seconds!)}`;
    }
  }
}
