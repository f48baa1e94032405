/** Marks errors thrown by this library, across copies of the package in one node_modules tree. */
const VALIDATION_ERROR = Symbol.for('cdk-deploy-strategies.StrategyValidationError');

/**
 * The one error the library throws for input it cannot accept. jsii cannot export a subclass of
 * `Error`, so it stays private; users recognise it with `StrategyErrors.isValidationError()`.
 */
export class StrategyValidationError extends Error {
  public readonly prop: string;
  public readonly received: string;
  public readonly limit: string;
  public readonly fix: string;

  constructor(prop: string, received: string, limit: string, fix: string) {
    super(`${prop} is ${received}: ${limit}. ${fix}`);
    Object.setPrototypeOf(this, StrategyValidationError.prototype);
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
    this.name = 'StrategyValidationError';
    this.prop = prop;
    this.received = received;
    this.limit = limit;
    this.fix = fix;
  }
}

export function isStrategyValidationError(error: unknown): error is StrategyValidationError {
  return typeof error === 'object' && error !== null && (error as any)[VALIDATION_ERROR] === true;
}
