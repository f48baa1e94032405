// A canary on a REST API stage: the `prod` stage's canary settings send a share of its requests,
// chosen at random, to the new version, one deploy per step. The version a request gets is the
// stage variable `version` (here it only shows in the answer of a mock integration; in a real API it
// would name the Lambda alias or the HTTP backend that serves the request):
//
//   npx cdk deploy -c 'ApiGatewayCanary/Orders:step=1'   5% of requests see 2.1.0, then bake 30 minutes
//   npx cdk deploy -c 'ApiGatewayCanary/Orders:step=2'   25%, until someone approves
//   npx cdk deploy -c 'ApiGatewayCanary/Orders:step=3'   100%
//
// Two health checks judge the canary on its own metrics, which API Gateway publishes apart from the
// stage's: more than 1% of 5xx responses, or a p99 latency above 800 ms, for 2 one-minute windows of
// at least 10 requests. They are CloudWatch alarms, and nothing acts on them by itself: before each
// next step the pipeline checks that none is in ALARM (the stack output CanaryAlarms names them),
//
//   aws cloudwatch describe-alarms --state-value ALARM --alarm-names $(echo "$CANARY_ALARMS" | tr , ' ')
//
// and when one is (or a person sees one fire), it rolls back: deploy with `-c rollback=true`, which
// removes the canary and leaves every request on the stage's own version. The alarms stay, with no
// data until the next release. To promote once step 3 is deployed and its alarms are quiet, set
// STABLE to the candidate's version and deploy with `-c rollback=true` (nothing is being released
// any more): one stage update moves the variable and removes the canary settings.
import { App, CfnOutput, Duration, Fn, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, StepGate, Strategy } from 'cdk-deploy-strategies';

const STABLE = '2.0.0';
const CANDIDATE = '2.1.0';

export class ApiGatewayCanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Access logs of every request, the canary's included, and execution logs of errors.
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const api = new apigateway.RestApi(this, 'Api', {
      description: 'Orders API released by a stage canary',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'prod',
        variables: { version: STABLE },
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });
    // GET /version answers with the version its stage variables select; callers sign requests (IAM).
    api.root.addResource('version').addMethod('GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{ "version": "$stageVariables.version" }' } }],
    }), {
      authorizationType: apigateway.AuthorizationType.IAM,
      methodResponses: [{ statusCode: '200' }],
      requestValidator: new apigateway.RequestValidator(this, 'Validator', { restApi: api, validateRequestParameters: true, validateRequestBody: true }),
    });

    // `-c rollback=true` arrives as a string; cdk.json could hold a boolean.
    const rollback = String(this.node.tryGetContext('rollback')) === 'true';
    const orders = new aws.ApiGatewayCanary(this, 'Orders', {
      stage: api.deploymentStage,
      strategy: Strategy.canary({
        steps: [
          { weight: 5, gate: StepGate.bake(Duration.minutes(30)) },
          { weight: 25, gate: StepGate.manualApproval() },
        ],
        healthChecks: [
          HealthCheck.errorRate({ maxErrorPercent: 1 }),
          HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
        ],
      }),
      candidate: rollback ? undefined : { stageVariables: { version: CANDIDATE } },
      // The step: the `step` prop, else the context value `ApiGatewayCanary/Orders:step`, else 1.
    });
    // What the pipeline reads before the next step.
    new CfnOutput(this, 'CanaryAlarms', {
      description: 'The canary\'s health check alarms: deploy the next step only while none is in ALARM; roll back with -c rollback=true when one is.',
      value: Fn.join(',', orders.healthCheckAlarms.map(alarm => alarm.alarmName)),
    });
    guardrails.Guardrails.suppress(orders, 'CDS-R1',
      'API Gateway cannot roll back by itself, and nothing acts on the health check alarms: the pipeline checks the CanaryAlarms before each step and deploys -c rollback=true when one is in ALARM.');

    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'API Gateway writes its execution logs to CloudWatch with the account\'s CloudWatch role; AmazonAPIGatewayPushToCloudWatchLogs is the AWS-managed policy the API Gateway documentation prescribes for that role.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-APIG3',
        reason: 'An example: a production API would sit behind an AWS WAF web ACL of the team\'s own rules, which have nothing to do with how the stage is released.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason: 'Callers are AWS principals that sign their requests: the method uses IAM authorization, not a Cognito user pool.',
      },
    );
  }
}

const app = new App();
new ApiGatewayCanaryStack(app, 'ApiGatewayCanary', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
