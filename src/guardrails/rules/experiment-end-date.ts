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
 * Both ends of the window are read: an experiment with a start date must end after it (the core
 * refuses one that does not), and a finding names the window. An experiment whose start date is
 * still to come is not a finding: deploying ahead of a launch is what a start date is for. It
 * sends everyone to the control until then, and the constructs that render it warn at synth.
 *
 * @example
 * new guardrails.ExperimentEndDateRule({ at: new Date('2027-01-01T00:00:00Z') });
 */
export class ExperimentEndDateRule implements IGuardrailRule {
  public readonly id = 'CDS-R5';
  public readonly explanation = 'every A/B experiment has an end date that has not passed, after its start date';
  public readonly fix = 'Set the experiment\'s endDate to when its results are due (after its startDate), and remove the experiment (its rules and variants) once it has ended';
  private readonly at?: Date;

  constructor(props: ExperimentEndDateRuleProps = {}) {
    struct('ExperimentEndDateRule: props', props, 'Pass { at }.');
    this.at = props.at === undefined ? undefined
      : validDate('ExperimentEndDateRule: at', props.at, 'Pass the moment to evaluate at, such as new Date(), or leave it out.');
  }

  public check(subject: GuardrailSubject): string[] {
    const experiment = subject.experiment;
    if (experiment === undefined) return [];
    const name = `experiment "${experiment.name}"`;
    const start = experiment.startDate?.toISOString();
    if (experiment.endDate === undefined) return [`${name} has no end date${start ? ` (it starts on ${start})` : ''}`];
    const end = experiment.endDate.toISOString();
    if (experiment.startDate && experiment.startDate.getTime() >= experiment.endDate.getTime()) {
      return [`${name} starts on ${start}, not before its end date ${end}, so it never runs`];
    }
    const at = this.at ?? new Date();
    if (experiment.endDate.getTime() <= at.getTime()) {
      return [`${name} ${start ? `ran from ${start} and ` : ''}ended on ${end} (evaluated at ${at.toISOString()})`];
    }
    return [];
  }
}
