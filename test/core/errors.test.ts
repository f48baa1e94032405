import { Match, StrategyErrors } from '../../src';
import { StrategyValidationError } from '../../src/core/private/errors';

/** A real error raised by the library's public API. */
function libraryError(): unknown {
  try {
    Match.header('x canary', 'always');
  } catch (e) {
    return e;
  }
  throw new Error('expected Match.header to throw');
}

describe('StrategyErrors.isValidationError', () => {
  test('is true for an error thrown by the library', () => {
    expect(StrategyErrors.isValidationError(libraryError())).toBe(true);
  });

  test('is true for a StrategyValidationError constructed directly', () => {
    expect(StrategyErrors.isValidationError(new StrategyValidationError('p', '1', 'limit', 'Fix.'))).toBe(true);
  });

  test('is true for an error marked by another copy of the library', () => {
    // A second copy of the package defines its own class but marks errors with the same global symbol.
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('cdk-deploy-strategies.StrategyValidationError'), { value: true });
    expect(StrategyErrors.isValidationError(foreign)).toBe(true);
  });

  test('is false for a plain Error', () => {
    expect(StrategyErrors.isValidationError(new Error('p is 1: limit. Fix.'))).toBe(false);
  });

  test('is false for a TypeError', () => {
    expect(StrategyErrors.isValidationError(new TypeError('Cannot read properties of undefined'))).toBe(false);
  });

  test('is false for an Error named StrategyValidationError', () => {
    const impostor = new Error('p is 1: limit. Fix.');
    impostor.name = 'StrategyValidationError';
    expect(StrategyErrors.isValidationError(impostor)).toBe(false);
  });

  test('is false for undefined and null', () => {
    expect(StrategyErrors.isValidationError(undefined)).toBe(false);
    expect(StrategyErrors.isValidationError(null)).toBe(false);
  });

  test('is false for a string holding a validation message', () => {
    expect(StrategyErrors.isValidationError((libraryError() as Error).message)).toBe(false);
  });

  test('is false for an object that merely has the same fields', () => {
    const lookalike = { ...(libraryError() as StrategyValidationError) };
    const copy = {
      name: 'StrategyValidationError',
      message: (libraryError() as Error).message,
      prop: 'Match.header: name',
      received: '"x canary"',
      limit: 'a header name is a non-empty token',
      fix: 'Use a header name such as "x-canary".',
    };
    expect(StrategyErrors.isValidationError(lookalike)).toBe(false);
    expect(StrategyErrors.isValidationError(copy)).toBe(false);
  });

  test('is false for a marker property with a value other than true', () => {
    const marked = new Error('x');
    Object.defineProperty(marked, Symbol.for('cdk-deploy-strategies.StrategyValidationError'), { value: 'yes' });
    expect(StrategyErrors.isValidationError(marked)).toBe(false);
  });
});

describe('StrategyErrors.detailsOf', () => {
  test('returns exactly the four parts of a library error', () => {
    expect(StrategyErrors.detailsOf(libraryError())).toStrictEqual({
      prop: 'Match.header: name',
      received: '"x canary"',
      limit: 'a header name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~), without spaces or ":"',
      fix: 'Use a header name such as "x-canary".',
    });
  });

  test('returns parts that reassemble into the message', () => {
    const error = libraryError() as Error;
    const details = StrategyErrors.detailsOf(error)!;
    expect(`${details.prop} is ${details.received}: ${details.limit}. ${details.fix}`).toBe(error.message);
  });

  test('returns the parts given to a directly constructed error', () => {
    expect(StrategyErrors.detailsOf(new StrategyValidationError('Strategy.canary: steps[1].weight', '150', 'a weight is at most 100', 'Use 100.')))
      .toStrictEqual({ prop: 'Strategy.canary: steps[1].weight', received: '150', limit: 'a weight is at most 100', fix: 'Use 100.' });
  });

  test('is undefined for a plain Error, a TypeError, undefined, a string and a lookalike object', () => {
    expect(StrategyErrors.detailsOf(new Error('p is 1: limit. Fix.'))).toBeUndefined();
    expect(StrategyErrors.detailsOf(new TypeError('x'))).toBeUndefined();
    expect(StrategyErrors.detailsOf(undefined)).toBeUndefined();
    expect(StrategyErrors.detailsOf('p is 1: limit. Fix.')).toBeUndefined();
    expect(StrategyErrors.detailsOf({ prop: 'p', received: '1', limit: 'limit', fix: 'Fix.' })).toBeUndefined();
  });
});

describe('StrategyValidationError', () => {
  test('is an Error named StrategyValidationError with the composed message', () => {
    const error = new StrategyValidationError('p', '1', 'limit', 'Fix.');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(StrategyValidationError);
    expect(error.name).toBe('StrategyValidationError');
    expect(error.message).toBe('p is 1: limit. Fix.');
  });
});
