// A minimal CDK app, as the README's "getting started" gives it: a Lambda function released by a
// canary, 10% of traffic for 5 minutes and then everyone, rolled back by CodeDeploy on errors.
// test/package/packed.test.ts builds it in a fresh AWS-only install of the packed tarball
// (no cdk8s) and synthesizes it; `tsc -p test/tsconfig.json` type-checks it against src/.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { aws, StepGate, Strategy } from 'cdk-deploy-strategies';

const app = new App();
const stack = new Stack(app, 'Checkout');

const handler = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
});

// Every `cdk deploy` that changes the function publishes a version and shifts traffic to it by the strategy.
new aws.LambdaRollout(stack, 'Rollout', {
  targetFunction: handler,
  strategy: Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }),
});

app.synth();
