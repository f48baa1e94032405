import { formatPercent } from '../../core/private/format';
import { struct } from '../../core/private/validation';
import { StrategyKind } from '../../core/strategy-kind';
import { maxPercent } from '../private/values';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/** Options of the `BlastRadiusRule`. */
export interface BlastRadiusRuleProps {
  /**
   * The largest share of traffic, in percent, the first step may send to the new version.
   *
   * @default 25
   */
  readonly maxFirstStepPercent?: number;
}

/**
 * CDS-R2: the first step of a rollout sends at most a given share of traffic to the new version,
 * as the plan computes it (after rounding to whole replicas, where the backend rounds).
 *
 * Blue-green is exempt: its exposure before the switch is the test route (CDS-R4), and its
 * rollback is one switch back to an environment that still runs. An all-at-once rollout has a
 * blast radius of 100%.
 *
 * @example
 * new guardrails.BlastRadiusRule({ maxFirstStepPercent: 10 });
 */
export class BlastRadiusRule implements IGuardrailRule {
  public readonly id = 'CDS-R2';
  public readonly explanation: string;
  public readonly fix: string;
  private readonly maxPercent: number;

  constructor(props: BlastRadiusRuleProps = {}) {
    struct('BlastRadiusRule: props', props, 'Pass { maxFirstStepPercent }.');
    this.maxPercent = maxPercent('BlastRadiusRule: maxFirstStepPercent', props.maxFirstStepPercent ?? 25);
    this.explanation = `the first step of a rollout sends at most ${formatPercent(this.maxPercent)} of traffic to the new version`;
    this.fix = `Start with a canary step of at most ${formatPercent(this.maxPercent)}, such as Strategy.CANARY_10PERCENT_5MINUTES`;
  }

  public check(subject: GuardrailSubject): string[] {
    const plan = subject.plan;
    if (plan === undefined || plan.strategy.kind === StrategyKind.BLUE_GREEN) return [];
    if (plan.blastRadiusPercent <= this.maxPercent) return [];
    return [`${plan.strategy.describe()} sends ${formatPercent(plan.blastRadiusPercent)} of traffic in its first step`];
  }
}
