import { StrategyErrors } from '../../src';

/** Calls `fn` and returns what it threw; fails the test if it returned normally. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw, but it returned normally');
}

/**
 * Asserts that `fn` throws the library's validation error with exactly `message`
 * (`toThrow(string)` only checks for a substring, so the message is compared whole)
 * and that it is the library's error, never a TypeError from deeper down.
 */
export function expectValidationError(fn: () => unknown, message: string): void {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe(message);
  expect(StrategyErrors.isValidationError(error)).toBe(true);
}
