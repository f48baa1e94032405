import { GuardrailSubject } from './subject';

/**
 * A release policy checked at synth on every construct of the library: an id, a one-line
 * explanation, a fix, and a check.
 *
 * Team rules implement this interface and join a pack with `pack.withRule(rule)`.
 *
 * @example
 * class NoManualApprovals implements guardrails.IGuardrailRule {
 *   public readonly id = 'TEAM-1';
 *   public readonly explanation = 'rollouts run unattended';
 *   public readonly fix = 'Replace manual approvals with StepGate.bake() or StepGate.analysis()';
 *   public check(subject: guardrails.GuardrailSubject): string[] {
 *     const violations: string[] = [];
 *     if (subject.plan !== undefined && subject.plan.manualApprovals > 0) {
 *       violations.push(`${subject.plan.manualApprovals} manual approvals`);
 *     }
 *     return violations;
 *   }
 * }
 */
export interface IGuardrailRule {
  /** A unique id, used in findings and suppressions: `CDS-R1`, `TEAM-1`. */
  readonly id: string;
  /** What the rule requires, in one line, without a final period. */
  readonly explanation: string;
  /** What to do when the rule is broken, as a sentence. */
  readonly fix: string;

  /**
   * Checks one construct. Returns one short description per violation (`first step 50%`), or an
   * empty array when the construct complies or the rule does not apply to it.
   */
  check(subject: GuardrailSubject): string[];
}
