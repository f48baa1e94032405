import { CfnResource, Stack } from 'aws-cdk-lib';

/** The metadata type under which a release records its waves and its plan. */
export const RELEASE_METADATA_TYPE = 'cdk-deploy-strategies:release';

/**
 * CloudFormation's quota on the resources declared in one stack template ("Understand
 * CloudFormation quotas", CloudFormation User Guide); aws-cdk-lib enforces the same number.
 */
export const STACK_RESOURCE_LIMIT = 500;

/** The context key aws-cdk-lib reads to change its resource limit; the release honours it too. */
export const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/** Above this share of the limit a stack holding release services gets a warning. */
export const STACK_RESOURCE_WARNING_SHARE = 0.8;

/**
 * The resources a stack's template declares: its own CloudFormation resources, not those of its
 * nested stacks (each of which counts once, as its `AWS::CloudFormation::Stack` resource).
 */
export function countStackResources(stack: Stack): number {
  return stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
}

/**
 * The stack deployed on its own: the stack itself, or for a nested stack the top-level stack it is
 * deployed with (a nested stack is updated, and rolled back, as part of its parent's update).
 */
export function deploymentStack(stack: Stack): Stack {
  let current = stack;
  while (current.nestedStackParent !== undefined) current = current.nestedStackParent;
  return current;
}

