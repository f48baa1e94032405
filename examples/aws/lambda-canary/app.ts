// A Lambda function released by a canary: 10% of invocations for 5 minutes, then all of them,
// rolled back by CodeDeploy if a health check of the alias fails: more than 1% of invocations ending
// in a function error, or a p99 duration above 800 ms, for 2 one-minute windows of at least 10
// invocations. The same declaration as the ECS examples': one strategy, any backend.
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, Strategy } from 'cdk-deploy-strategies';

export class LambdaCanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const handler = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "hello" });'),
      description: 'Greets callers; released through the live alias',
    });

    const rollout = new aws.LambdaRollout(this, 'Rollout', {
      targetFunction: handler,
      strategy: Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([
        HealthCheck.errorRate({ maxErrorPercent: 1 }),
        HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
      ]),
    });
    // Callers invoke the alias, which CodeDeploy moves between versions.
    rollout.alias.grantInvoke(new iam.ServicePrincipal('apigateway.amazonaws.com'));

    Validations.of(handler).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, CreateLogStream and PutLogEvents (on any log group): the function writes its logs and nothing else.',
    });
    Validations.of(rollout.deploymentGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: 'AWSCodeDeployRoleForLambdaLimited is the AWS-maintained least-privilege policy for CodeDeploy Lambda deployments.',
    });
  }
}

const app = new App();
new LambdaCanaryStack(app, 'LambdaCanary');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
