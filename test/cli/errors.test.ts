import { CliError } from '../../src/cli/errors';

test('a CliError is an Error carrying its message, recognisable with instanceof', () => {
  const error = new CliError('no rollouts found in cdk.out');
  expect(error).toBeInstanceOf(Error);
  expect(error).toBeInstanceOf(CliError);
  expect(error.message).toBe('no rollouts found in cdk.out');
  expect(error.name).toBe('CliError');
});
