import { Duration } from 'aws-cdk-lib/core';
import { formatSeconds } from '../../core/private/format';
import { struct, wholeSeconds } from '../../core/private/validation';
import { StepGateKind } from '../../core/step-gate';
import { StrategyKind } from '../../core/strategy-kind';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/** Options of the `MinimumBakeTimeRule`. */
export interface MinimumBakeTimeRuleProps {
  /**
   * The shortest bake (or analysis) a step may have.
   *
   * @default Duration.minutes(3): the generated alarms need two one-minute periods, and CloudWatch
   * publishes a minute late, so a shorter step ends before an alarm can fire
   */
  readonly minBakeTime?: Duration;
}

/**
 * CDS-R3: every timed gate of a rollout (a bake or an analysis) lasts at least a minimum, and a
 * blue-green rollout keeps the old environment for at least that long after the switch. Manual
 * approvals have no minimum: a person decides.
 *
 * @example
 * new guardrails.MinimumBakeTimeRule({ minBakeTime: Duration.minutes(10) });
 */
export class MinimumBakeTimeRule implements IGuardrailRule {
  public readonly id = 'CDS-R3';
  public readonly explanation: string;
  public readonly fix: string;
  private readonly minSeconds: number;

  constructor(props: MinimumBakeTimeRuleProps = {}) {
    struct('MinimumBakeTimeRule: props', props, 'Pass { minBakeTime }.');
    this.minSeconds = wholeSeconds('MinimumBakeTimeRule: minBakeTime', props.minBakeTime ?? Duration.minutes(3), {
      minSeconds: 0,
      fix: 'Use a Duration such as Duration.minutes(5).',
    });
    const min = formatSeconds(this.minSeconds);
    this.explanation = `every bake or analysis step lasts at least ${min}, and blue-green keeps the old environment at least ${min}`;
    this.fix = `Bake each step at least ${min} (StepGate.bake(), a linear interval, a blue-green bakeTime), so alarms and analyses have time to catch a fault`;
  }

  public check(subject: GuardrailSubject): string[] {
    const plan = subject.plan;
    if (plan === undefined) return [];
    const findings: string[] = [];
    const short = plan.steps.filter(s => s.gate !== undefined && s.gate.kind !== StepGateKind.MANUAL_APPROVAL
      && s.gate.minimumDuration.toSeconds() < this.minSeconds);
    // One finding per rollout: a linear strategy would otherwise repeat the same line for every step.
    if (short.length > 0) findings.push(short.map(s => `step ${s.index} (${s.candidateWeight}%) is held by ${s.gate!.describe()}`).join(', '));
    const last = plan.steps[plan.steps.length - 1];
    if (plan.strategy.kind === StrategyKind.BLUE_GREEN && last.gate === undefined && this.minSeconds > 0) {
      findings.push('the old environment is released right after the switch (bakeTime 0)');
    }
    return findings;
  }
}
