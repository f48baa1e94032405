import { struct, validDate } from '../../core/private/validation';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/** Options of the `ExperimentEndDateRule`. */
export interface ExperimentEndDateRuleProps {
  /**
   * The moment to evaluate end dates at. Pass a fixed date in tests and in pipelines that synthesize
   * for a later deploy.
   *
   * @default - the moment the rule runs
   */
  readonly at?: Date;
}

/**
 * CDS-R5: every A/B experiment has an end date, and it has not passed. An experiment without one
 * runs until someone remembers it; one past it sends everyone to the control and only keeps its
 * routes and variants running for nothing.
 *
 * @example
 * new guardrails.ExperimentEndDateRule({ at: new Date('2027-01-01T00:00:00Z') });
 */
export class ExperimentEndDateRule implements IGuardrailRule {
  public readonly id = 'CDS-R5';
  public readonly explanation = 'every A/B experiment has an end date that has not passed';
  public readonly fix = 'Set the experiment\'s endDate to when its results are due, and remove the experiment (its rules and variants) once it has ended';
  private readonly at?: Date;

  constructor(props: ExperimentEndDateRuleProps = {}) {
    struct('ExperimentEndDateRule: props', props, 'Pass { at }.');
    this.at = props.at === undefined ? undefined
      : validDate('ExperimentEndDateRule: at', props.at, 'Pass the moment to evaluate at, such as new Date(), or leave it out.');
  }

  public check(subject: GuardrailSubject): string[] {
    const experiment = subject.experiment;
    if (experiment === undefined) return [];
    if (experiment.endDate === undefined) return [`experiment "${experiment.name}" has no end date`];
    const at = this.at ?? new Date();
    if (experiment.endDate.getTime() <= at.getTime()) {
      return [`experiment "${experiment.name}" ended on ${experiment.endDate.toISOString()} (evaluated at ${at.toISOString()})`];
    }
    return [];
  }
}
