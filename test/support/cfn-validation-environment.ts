import { TestEnvironment } from 'jest-environment-node';
import { createTemplateValidator, VALIDATOR_GLOBAL } from './cfn';

// Jest loads this module once per worker, outside the per-file module registry,
// so the validation engine (~1.9 s to start) is shared by all test files.
const validate = createTemplateValidator();

/** Node environment exposing the worker's shared CloudFormation validator. */
export default class CfnValidationEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    // Only strings cross the vm boundary, so tests get objects from their own realm.
    this.global[VALIDATOR_GLOBAL] = (stacksJson: string): string =>
      JSON.stringify(validate(JSON.parse(stacksJson)));
  }
}
