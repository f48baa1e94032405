/**
 * An error the command reports as it is, without a stack: a usage mistake or an input it cannot
 * read. Anything else reaching the top is a bug and keeps its stack.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, CliError.prototype);
    this.name = 'CliError';
  }
}
