import { isStrategyValidationError } from '../private/errors';

/** The parts of a validation error, for tools that report them their own way. */
export interface ValidationErrorDetails {
  /** The prop that was rejected, with its path (`Strategy.canary: steps[1].weight`). */
  readonly prop: string;
  /** The value received, as printed in the message. */
  readonly received: string;
  /** The rule or limit the value broke. */
  readonly limit: string;
  /** What to do instead. */
  readonly fix: string;
}

/**
 * Recognises the library's validation error.
 *
 * Every input the library refuses, at construction or at synth, raises one error type whose
 * message reads `<prop> is <value received>: <limit>. <fix>`, for example:
 *
 * `Strategy.canary: steps[1].weight is 150: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.`
 *
 * @example
 * try {
 *   Strategy.canary({ steps: [{ weight: 150, gate: StepGate.bake(Duration.minutes(5)) }] });
 * } catch (e) {
 *   if (StrategyErrors.isValidationError(e)) {
 *     console.error(StrategyErrors.detailsOf(e)?.fix);
 *   }
 * }
 */
export class StrategyErrors {
  /** Whether `error` is a validation error thrown by this library. */
  public static isValidationError(error: any): boolean {
    return isStrategyValidationError(error);
  }

  /** The parts of a validation error, or undefined for any other value. */
  public static detailsOf(error: any): ValidationErrorDetails | undefined {
    if (!isStrategyValidationError(error)) return undefined;
    return { prop: error.prop, received: error.received, limit: error.limit, fix: error.fix };
  }

  private constructor() {}
}
