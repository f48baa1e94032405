import { isStrategyValidationError } from './private/errors';

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
 * `Strategy.canary: steps[0].weight is 150: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.`
 *
 * @example
 * import { StrategyErrors } from 'cdk-deploy-strategies';
 *
 * declare const caught: unknown; // what a catch block received around the library's calls
 * const details = StrategyErrors.detailsOf(caught);
 * if (details !== undefined) {
 *   console.error(`${details.prop} is ${details.received}. ${details.fix}`);
 * }
 */
export class StrategyErrors {
  /** Whether `value` is a validation error thrown by this library. */
  public static isValidationError(value: any): boolean {
    return isStrategyValidationError(value);
  }

  /** The parts of a validation error, or undefined for any other value. */
  public static detailsOf(value: any): ValidationErrorDetails | undefined {
    if (!isStrategyValidationError(value)) return undefined;
    return { prop: value.prop, received: value.received, limit: value.limit, fix: value.fix };
  }

  private constructor() {}
}
