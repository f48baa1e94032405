import { App, CfnWaitConditionHandle, NestedStack, Stack } from 'aws-cdk-lib';
import { countStackResources, deploymentStack } from '../../../src/aws/private/ecs-release-support';

describe('countStackResources', () => {
  test('counts the stack\'s own resources, and a nested stack once, as its stack resource', () => {
    const stack = new Stack(new App(), 'Stack');
    new CfnWaitConditionHandle(stack, 'A');
    const nested = new NestedStack(stack, 'Nested');
    new CfnWaitConditionHandle(nested, 'B');
    new CfnWaitConditionHandle(nested, 'C');
    expect(countStackResources(stack)).toBe(2);
    expect(countStackResources(nested)).toBe(2);
  });
});

describe('deploymentStack', () => {
  test('is the stack itself, or the top-level stack a nested stack deploys with', () => {
    const stack = new Stack(new App(), 'Stack');
    const inner = new NestedStack(new NestedStack(stack, 'Outer'), 'Inner');
    expect(deploymentStack(stack)).toBe(stack);
    expect(deploymentStack(inner)).toBe(stack);
  });
});
