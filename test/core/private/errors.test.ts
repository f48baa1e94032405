import { isStrategyValidationError, StrategyValidationError } from '../../../src/core/private/errors';

describe('StrategyValidationError', () => {
  const error = new StrategyValidationError('Strategy.linear: stepPercent', '0', 'it must be above 0', 'Use 10.');

  test('builds the message from its four parts', () => {
    expect(error.message).toBe('Strategy.linear: stepPercent is 0: it must be above 0. Use 10.');
    expect([error.prop, error.received, error.limit, error.fix]).toEqual(['Strategy.linear: stepPercent', '0', 'it must be above 0', 'Use 10.']);
    expect(error.name).toBe('StrategyValidationError');
  });

  test('is an Error with a stack, recognised by instanceof in the same copy of the package', () => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(StrategyValidationError);
    expect(error.stack).toContain('StrategyValidationError');
  });
});

describe('isStrategyValidationError', () => {
  test('recognises the error by its shared symbol, as a second copy of the package would mark it', () => {
    const fromOtherCopy = Object.defineProperty(new Error('x'), Symbol.for('cdk-deploy-strategies.StrategyValidationError'), { value: true });
    expect(isStrategyValidationError(fromOtherCopy)).toBe(true);
  });

  test.each([
    ['a plain Error', new Error('x')],
    ['an object with the same fields', { prop: 'p', received: 'r', limit: 'l', fix: 'f', message: 'm' }],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'StrategyValidationError'],
  ])('rejects %s', (_, value) => {
    expect(isStrategyValidationError(value)).toBe(false);
  });
});
