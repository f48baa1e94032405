// A header-based A/B test of a new homepage with CloudFront continuous deployment: requests that
// carry the header `aws-cf-cd-variant: b` are served by a staging distribution with the new
// homepage (variant b, under /b in the site bucket); everyone else by the primary distribution,
// unchanged (the control, under /control). Each side is measured by its 5xx rate, with a dashboard. Both read the private bucket through origin access
// control, and both log their requests. After the experiment's end date, or with `enabled: false`,
// the next deploy disables the policy and everyone sees the control.
//
// CloudFront attaches a continuous deployment policy to a distribution that already exists, so
// the first deploy creates the site alone (`npx cdk deploy -c primaryOnly=true`); later deploys
// add the test. To ship variant b, promote it with `aws cloudfront
// update-distribution-with-staging-config`, then give the primary the /b origin path and remove
// the test (see CloudFrontContinuousDeployment).
//
// The allocations rendered are those of the moment of synthesis; set AT (an ISO date) to render
// those of another moment: `AT=2028-01-01T00:00:00Z npx cdk synth` shows the experiment ended.
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, Experiment, HealthCheck, Match } from 'cdk-deploy-strategies';

export class CloudFrontHeaderAbTestStack extends Stack {
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

    const primary = new cloudfront.Distribution(this, 'Homepage', distributionProps('/control', 'primary/'));
    acknowledgeDistribution(primary);

    if (this.node.tryGetContext('primaryOnly') !== 'true') {
      const test = new aws.CloudFrontContinuousDeployment(this, 'NewHomepage', {
        primary,
        stagingDistributionProps: distributionProps('/b', 'staging/'),
        experiment: new Experiment({
          name: 'new-homepage',
          // CloudFront routes by a header only when its name starts with aws-cf-cd-.
          variants: [{ name: 'b', match: Match.header('aws-cf-cd-variant', 'b') }],
          endDate: new Date('2027-06-30T00:00:00Z'),
          // An alarm for the control (the primary) and one for the variant (the staging distribution), beside the
          // experiment's dashboard: switch the experiment off if the new homepage fails more often.
          healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1 })],
        }),
        at: process.env.AT ? new Date(process.env.AT) : undefined,
      });
      acknowledgeDistribution(test.stagingDistribution);
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

// Server access logs are granted by bucket policy rather than by the deprecated bucket ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
// CloudFront is global; us-east-1 is where its resources live. No account or lookup is needed.
new CloudFrontHeaderAbTestStack(app, 'CloudFrontHeaderAbTest', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended({ at: process.env.AT ? new Date(process.env.AT) : undefined }));
app.synth();
