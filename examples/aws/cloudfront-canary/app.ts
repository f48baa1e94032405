// A new version of a static site rolled out by CloudFront continuous deployment, driven by a Step
// Functions state machine: a staging distribution serves the new version (under /v2 in the site
// bucket) and one `npx cdk deploy` that changes it runs the whole plan. The state machine, started by
// CloudFormation's event for the staging distribution, sends 5% of viewers to it for 10 minutes, then
// 10% for 10 minutes, then 15% until someone approves on the rollout's SNS topic, and then promotes:
// CloudFront copies the staging configuration onto the primary distribution. The staging
// distribution's 5xx error rate is read every minute; above 1% for two minutes, the policy is
// switched off again (everyone on the primary) and the execution fails naming the alarm.
//
// CloudFront attaches a continuous deployment policy to a distribution that already exists, so the
// first deploy creates the site alone (`npx cdk deploy -c primaryOnly=true`). After a promotion, give
// the primary the /v2 origin path in the app and remove the CloudFrontContinuousDeployment (see its
// documentation), so the template says what CloudFront serves.
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, StepGate, Strategy } from 'cdk-deploy-strategies';

export class CloudFrontCanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The site's files: private, SSL only, logged to a second bucket.
    const secure = { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL };
    const serverAccessLogs = new s3.Bucket(this, 'ServerAccessLogs', secure);
    const site = new s3.Bucket(this, 'Site', { ...secure, serverAccessLogsBucket: serverAccessLogs, serverAccessLogsPrefix: 'site/' });
    // CloudFront standard logs are delivered with an ACL, so this bucket's objects belong to their writer.
    const distributionLogs = new s3.Bucket(this, 'DistributionLogs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      serverAccessLogsBucket: serverAccessLogs,
      serverAccessLogsPrefix: 'distribution-logs/',
    });

    // What both distributions share; only the origin path (the version of the site) differs.
    const distributionProps = (originPath: string, logPrefix: string): cloudfront.DistributionProps => ({
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(site, { originPath }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      defaultRootObject: 'index.html',
      logBucket: distributionLogs,
      logFilePrefix: logPrefix,
    });

    const primary = new cloudfront.Distribution(this, 'Homepage', distributionProps('/v1', 'primary/'));
    acknowledgeDistribution(primary);

    if (this.node.tryGetContext('primaryOnly') !== 'true') {
      const next = new aws.CloudFrontContinuousDeployment(this, 'NextVersion', {
        primary,
        stagingDistributionProps: distributionProps('/v2', 'staging/'),
        // CloudFront sends at most 15% to the staging distribution; the 100% step is the promotion.
        strategy: Strategy.canary({
          steps: [
            { weight: 5, gate: StepGate.bake(Duration.minutes(10)) },
            { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
            { weight: 15, gate: StepGate.manualApproval({ timeout: Duration.hours(8) }) },
          ],
        }),
        sessionStickiness: Duration.minutes(30),
        driver: aws.RolloutDriver.stepFunctions(),
      });
      acknowledgeDistribution(next.stagingDistribution);
      acknowledgeDriver(next, next.stateMachineName!);
    }
  }
}

/** The findings a static site on the default CloudFront domain cannot fix, each with its reason. */
function acknowledgeDistribution(distribution: cloudfront.Distribution) {
  const validations = Validations.of(distribution);
  validations.acknowledge({
    id: 'AwsSolutions::AwsSolutions-CFR4',
    reason: 'The distribution serves the default *.cloudfront.net domain with the CloudFront default certificate, whose security policy CloudFront fixes at TLSv1. A TLS 1.2 minimum needs a custom domain with an ACM certificate (domainNames, certificate and minimumProtocolVersion on the primary); the staging distribution has no domain of its own and is reached only through the primary.',
  });
  validations.acknowledge({
    id: 'AwsSolutions::AwsSolutions-CFR1',
    reason: 'The site is public and serves every country; no geographic restriction applies to its content.',
  });
  validations.acknowledge({
    id: 'AwsSolutions::AwsSolutions-CFR2',
    reason: 'A static site without forms or APIs. A team that needs a web ACL attaches it to the primary before adding continuous deployment: CloudFront refuses to associate a web ACL for the first time while a continuous deployment policy is attached.',
  });
}

/** The wildcards the driver's role needs by design, each with its reason (cdk-nag AwsSolutions-IAM5). */
function acknowledgeDriver(rollout: Construct, stateMachineName: string) {
  const reasons: Record<string, string> = {
    '*': 'Step Functions delivers execution logs through CloudWatch Logs log deliveries and sends X-Ray traces; those actions (logs:CreateLogDelivery and the others aws-cdk-lib grants, xray:PutTraceSegments...) support no resource-level permissions. The driver reads its alarms with cloudwatch:DescribeAlarms, which returns composite alarms only when scoped to * (it names the alarms it reads).',
    [`arn:<AWS::Partition>:states:us-east-1:<AWS::AccountId>:execution:${stateMachineName}:*`]: 'A new execution stops the older executions of its own state machine, whose names are generated when they start: the newest deploy drives the rollout.',
  };
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(rollout).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}

// Server access logs are granted by bucket policy rather than by the deprecated bucket ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
// CloudFront is global; us-east-1 is where its resources, and its metrics, live. No account or lookup is needed.
new CloudFrontCanaryStack(app, 'CloudFrontCanary', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
