import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { aws, Experiment, ExperimentProps, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { EXPERIMENT_METADATA_TYPE, PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { guardrailFactsOf } from '../../src/guardrails/private/facts';
import { dnsLabelArb, experimentArb, gateArb, matchArb, oddValueArb, presetArb, strategyArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const WHERE = 'CloudFrontContinuousDeployment Stack/Deployment';
const AT = new Date('2027-01-01T00:00:00Z');
const POLICY = 'AWS::CloudFront::ContinuousDeploymentPolicy';
const DISTRIBUTION = 'AWS::CloudFront::Distribution';

function setup(context: Record<string, string> = {}, primaryProps: Partial<cloudfront.DistributionProps> = {}) {
  const stack = new Stack(testApp({ context }), 'Stack');
  const primary = new cloudfront.Distribution(stack, 'Site', {
    defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') },
    ...primaryProps,
  });
  return { stack, primary };
}

const stagingProps = (): cloudfront.DistributionProps => ({
  defaultBehavior: { origin: new origins.HttpOrigin('candidate.example.com') },
});

const experiment = (props: Partial<ExperimentProps> = {}) => new Experiment({
  name: 'new-homepage',
  variants: [{ name: 'b', match: Match.header('aws-cf-cd-variant', 'b') }],
  ...props,
});

function deployment(props: Partial<aws.CloudFrontContinuousDeploymentProps>, context: Record<string, string> = {}) {
  const { stack, primary } = setup(context);
  const construct = new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
    primary,
    stagingDistributionProps: stagingProps(),
    at: props.strategy ? undefined : AT,
    ...props,
  });
  return { stack, primary, construct };
}

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const policyConfig = (config: object) => ({ ContinuousDeploymentPolicyConfig: CfnMatch.objectLike(config) });

describe('the staging distribution and the policy', () => {
  test('the staging distribution is a CloudFront staging distribution, named by the policy, which the primary carries', () => {
    const template = validatedTemplate(deployment({ experiment: experiment() }).stack);
    template.resourceCountIs(DISTRIBUTION, 2);
    template.hasResourceProperties(DISTRIBUTION, {
      DistributionConfig: CfnMatch.objectLike({
        Staging: true,
        Origins: [CfnMatch.objectLike({ DomainName: 'candidate.example.com' })],
        ContinuousDeploymentPolicyId: CfnMatch.absent(),
      }),
    });
    template.hasResourceProperties(DISTRIBUTION, {
      DistributionConfig: CfnMatch.objectLike({
        Staging: CfnMatch.absent(),
        Origins: [CfnMatch.objectLike({ DomainName: 'control.example.com' })],
        ContinuousDeploymentPolicyId: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^DeploymentPolicy'), 'Id'] },
      }),
    });
    template.hasResourceProperties(POLICY, policyConfig({
      StagingDistributionDnsNames: [{ 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^DeploymentStaging'), 'DomainName'] }],
    }));
  });

  test('a staging S3 origin with origin access control is granted by the bucket policy, beside the primary', () => {
    const stack = new Stack(testApp(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    const primary = new cloudfront.Distribution(stack, 'Site', {
      defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket, { originPath: '/control' }) },
    });
    new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary,
      stagingDistributionProps: { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket, { originPath: '/b' }) } },
      experiment: experiment(),
      at: AT,
    });
    const template = validatedTemplate(stack);
    const grantTo = (distribution: string) => CfnMatch.objectLike({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': CfnMatch.objectLike({ 'Fn::Join': CfnMatch.arrayWith([CfnMatch.arrayWith([{ Ref: CfnMatch.stringLikeRegexp(distribution) }])]) }) } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: CfnMatch.arrayWith([grantTo('^Site'), grantTo('^DeploymentStaging')]) },
    });
  });

  test('exposes what it rendered', () => {
    const { construct } = deployment({ strategy: Strategy.CANARY_10PERCENT_30MINUTES });
    expect(construct.policyEnabled).toBe(true);
    expect(construct.step?.index).toBe(1);
    expect(construct.plan?.strategy).toBe(Strategy.CANARY_10PERCENT_30MINUTES);
    expect(construct.experiment).toBeUndefined();
    expect(construct.stagingDistribution).toBeInstanceOf(cloudfront.Distribution);
    expect(construct.policy).toBeInstanceOf(cloudfront.CfnContinuousDeploymentPolicy);
  });
});

describe('an experiment', () => {
  test('a variant selected by an aws-cf-cd- header gets every request carrying it (SingleHeader)', () => {
    const { stack, construct } = deployment({ experiment: experiment() });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: true,
      TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: 'aws-cf-cd-variant', Value: 'b' } },
    }));
    expect(construct.experiment?.name).toBe('new-homepage');
    expect(construct.plan).toBeUndefined();
  });

  test.each([
    [Duration.minutes(10), '10 minutes'],
    [Duration.seconds(30), '30 seconds'],
  ])('a header variant takes no stickiness (%s): CloudFront has sessions only for weights', (stickiness, shown) => {
    expectValidationError(() => deployment({ experiment: experiment({ stickiness }) }),
      `${WHERE}: experiment "new-homepage" stickiness is ${shown}: CloudFront continuous deployment routes a header-matched variant by a single header, `
      + 'sending every request that carries it to the staging distribution, so session stickiness does not apply (CloudFront keeps sessions only for weight-based routing). '
      + 'Remove stickiness: a client that sends the header reaches the variant every time. Or drop the match and give the variant a weight of at most 15%, which stickiness keeps per viewer.');
  });

  test('a header variant without stickiness renders no session config', () => {
    const { stack } = deployment({ experiment: experiment() });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: CfnMatch.anyValue(), SingleWeightConfig: CfnMatch.absent() },
    }));
  });

  test('a variant weighted 1% to 15% gets that share of requests (SingleWeight 0.01 to 0.15), each a valid multiple of 0.01', () => {
    const stack = new Stack(testApp(), 'Stack');
    for (let weight = 1; weight <= 15; weight++) {
      new aws.CloudFrontContinuousDeployment(stack, `Deployment${weight}`, {
        primary: new cloudfront.Distribution(stack, `Site${weight}`, { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } }),
        stagingDistributionProps: stagingProps(),
        experiment: experiment({ variants: [{ name: 'b', weight }] }),
        at: AT,
      });
    }
    const template = validatedTemplate(stack);
    const weights = Object.values(template.findResources(POLICY))
      .map(r => r.Properties.ContinuousDeploymentPolicyConfig.TrafficConfig.SingleWeightConfig.Weight);
    expect(weights).toEqual([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15]);
    template.hasResourceProperties(POLICY, policyConfig({ Enabled: true, TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.1 } } }));
  });

  test('the experiment\'s stickiness keeps a session on one distribution (idle and maximum TTL alike)', () => {
    const { stack } = deployment({ experiment: experiment({ variants: [{ name: 'b', weight: 10 }], stickiness: Duration.minutes(30) }) });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.1, SessionStickinessConfig: { IdleTTL: 1800, MaximumTTL: 1800 } } },
    }));
  });

  test.each([
    ['switched off', { enabled: false }, 'experiment "new-homepage" is switched off'],
    ['past its end date', { endDate: new Date('2026-12-31T00:00:00Z') }, 'experiment "new-homepage" ended on 2026-12-31T00:00:00.000Z'],
  ])('an experiment %s renders the policy disabled, with a warning', (_, props, reason) => {
    const { stack, construct } = deployment({ experiment: experiment(props) });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: false,
      TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: 'aws-cf-cd-variant', Value: 'b' } },
    }));
    expect(construct.policyEnabled).toBe(false);
    Annotations.fromStack(stack).hasWarning('/Stack/Deployment', CfnMatch.stringLikeRegexp(
      `^${reason}, so the continuous deployment policy is disabled and every request goes to the primary distribution \\(the control\\)`));
  });

  test('an experiment before its end date runs, without a warning', () => {
    const { stack } = deployment({ experiment: experiment({ endDate: new Date('2027-06-01T00:00:00Z') }) });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({ Enabled: true }));
    Annotations.fromStack(stack).hasNoWarning('/Stack/Deployment', CfnMatch.anyValue());
  });

  test('records the experiment in the cloud assembly', () => {
    const { stack, construct } = deployment({ experiment: experiment({ enabled: false }) });
    const artifact = (stack.node.root as App).synth().getStackByName('Stack');
    const recorded = artifact.findMetadataByType(EXPERIMENT_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Deployment']);
    expect(recorded[0].data).toEqual({
      backend: 'CloudFront continuous deployment',
      active: false,
      reason: 'experiment "new-homepage" is switched off',
      table: construct.experiment!.toTable(AT),
    });
    expect(artifact.findMetadataByType(PLAN_METADATA_TYPE)).toEqual([]);
  });
});

describe('an experiment, measured per side', () => {
  // CloudFront publishes every distribution's metrics in us-east-1: the alarms must be there too.
  const measuredDeployment = (props: Partial<aws.CloudFrontContinuousDeploymentProps> = {}, region = 'us-east-1') => {
    const stack = new Stack(testApp(), 'Stack', { env: { region } });
    const primary = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } });
    const construct = new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary,
      stagingDistributionProps: stagingProps(),
      at: AT,
      experiment: experiment({ healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 2 })] }),
      ...props,
    });
    return { stack, primary, construct };
  };
  const logicalIdOf = (stack: Stack, distribution: cloudfront.Distribution) =>
    stack.resolve((distribution.node.defaultChild as cloudfront.CfnDistribution).logicalId);
  const bodyOf = (template: Template) => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map(p => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, ''))).join(''));
  };

  test('each health check is an alarm on the control (the primary) and one on the variant (the staging distribution)', () => {
    const { stack, primary, construct } = measuredDeployment();
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(Object.keys(construct.variantAlarms!)).toEqual(['control', 'b']);
    expect(construct.variantAlarms!.control.map(a => a.node.path)).toEqual(['Stack/Deployment/Alarms-control/error-rate']);
    expect(construct.variantAlarms!.b.map(a => a.node.path)).toEqual(['Stack/Deployment/Alarms-b/error-rate']);
    for (const distribution of [primary, construct.stagingDistribution]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 2,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'missing',
        AlarmDescription: CfnMatch.stringLikeRegexp('measures one side of experiment "new-homepage"'),
        Metrics: CfnMatch.arrayWith([
          CfnMatch.objectLike({ Expression: 'IF(requests >= 10, rate)' }),
          CfnMatch.objectLike({
            Id: 'rate',
            MetricStat: CfnMatch.objectLike({
              Stat: 'Average',
              Metric: {
                Namespace: 'AWS/CloudFront',
                MetricName: '5xxErrorRate',
                Dimensions: [{ Name: 'DistributionId', Value: { Ref: logicalIdOf(stack, distribution) } }, { Name: 'Region', Value: 'Global' }],
              },
            }),
          }),
        ]),
      });
    }
  });

  test('one dashboard, a line for the control and one for the variant; the plan command reads what watches each', () => {
    const { stack, construct } = measuredDeployment();
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(construct.dashboard!.node.path).toBe('Stack/Deployment/Dashboard');
    const widgets = bodyOf(template).widgets as any[];
    expect(widgets[0].properties.markdown).toContain('# Experiment "new-homepage" on CloudFront continuous deployment');
    const optionsOf = (m: any[]) => m[m.length - 1] as any;
    const requests = widgets[1].properties;
    expect(requests.metrics.filter((m: any[]) => optionsOf(m).label).map((m: any[]) => optionsOf(m).label)).toEqual(['control (control)', 'b']);
    const recorded = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(EXPERIMENT_METADATA_TYPE)[0].data as any;
    expect(recorded.watchedBy).toEqual({ control: ['error-rate'], b: ['error-rate'] });
    expect(recorded.measurement).toEqual({ source: 'CloudWatch alarms on each distribution\'s metrics (us-east-1)' });
  });

  test('CDS-R8 sees both sides measured; without checks it names the experiment, and the dashboard alone is rendered', () => {
    const pack = guardrails.GuardrailPack.recommended({ at: AT }).withRule(new guardrails.HealthCheckCoverageRule());
    const coverage = (construct: Construct) => guardrails.Guardrails.report(construct, pack).findings.filter(f => f.ruleId === 'CDS-R8').map(f => f.detail);
    expect(coverage(measuredDeployment().construct)).toEqual([]);
    const { stack, construct } = deployment({ experiment: experiment() });
    expect(coverage(construct)).toEqual([
      'experiment "new-homepage" on CloudFront continuous deployment: nothing measures variants b, control (no health check is declared)',
    ]);
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(construct.variantAlarms).toEqual({ control: [], b: [] });
  });

  test('latency needs CloudFront\'s additional metrics: refused without them, an OriginLatency alarm per side with them', () => {
    const latency = experiment({ healthChecks: [HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) })] });
    expect(() => measuredDeployment({ experiment: latency })).toThrow(
      'Turn on the distribution\'s additional metrics (additionalMetrics: true), or measure it by its error rate only.');
    const { stack, primary, construct } = measuredDeployment({ experiment: latency, additionalMetrics: true });
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudFront::MonitoringSubscription', 2);
    for (const distribution of [primary, construct.stagingDistribution]) {
      template.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
        DistributionId: { Ref: logicalIdOf(stack, distribution) },
        MonitoringSubscription: { RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 800,
        Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
          Id: 'latency',
          MetricStat: CfnMatch.objectLike({
            Stat: 'p99',
            Metric: CfnMatch.objectLike({ MetricName: 'OriginLatency', Dimensions: CfnMatch.arrayWith([{ Name: 'DistributionId', Value: { Ref: logicalIdOf(stack, distribution) } }]) }),
          }),
        })]),
      });
    }
  });

  test('refuses checks from a stack outside us-east-1, checks of the user\'s own, and an additionalMetrics that is not a boolean', () => {
    expect(() => measuredDeployment({}, 'eu-west-1')).toThrow(`${WHERE}: experiment "new-homepage" healthChecks: health check "error-rate": region of stack Stack is "eu-west-1"`);
    expectValidationError(() => deployment({ experiment: experiment(), additionalMetrics: 'yes' as any }),
      `${WHERE}: additionalMetrics is "yes": it is true or false. Pass true to turn on CloudFront's additional metrics, or leave it out.`);
  });
});

describe('what CloudFront cannot do for an experiment', () => {
  const prefix = `${WHERE}: experiment "new-homepage"`;
  test.each([
    ['two variants', [{ name: 'b', weight: 5 }, { name: 'c', weight: 5 }],
      `${prefix} variants is an array of 2: CloudFront continuous deployment sends requests to one staging distribution, so it tests exactly one variant against the control. Test one variant at a time; for several variants at once use a backend that routes to several targets, such as weighted target groups on an Application Load Balancer.`],
    ['a cookie match', [{ name: 'b', match: Match.cookie('beta', 'true') }],
      `${prefix} variants[0].match is "cookie beta=true": CloudFront continuous deployment selects the staging distribution by one request header or by weight; it has no cookie match. Match a header whose name starts with aws-cf-cd-, such as Match.header("aws-cf-cd-variant", "b"), set by your clients, or use a weight of at most 15% without a match.`],
    ['a query parameter match', [{ name: 'b', match: Match.queryParameter('variant', 'b') }],
      `${prefix} variants[0].match is "query variant=b": CloudFront continuous deployment selects the staging distribution by one request header or by weight; it has no query parameter match. Match a header whose name starts with aws-cf-cd-, such as Match.header("aws-cf-cd-variant", "b"), set by your clients, or use a weight of at most 15% without a match.`],
    ['a header regular expression', [{ name: 'b', match: Match.headerRegex('aws-cf-cd-variant', 'b.*') }],
      `${prefix} variants[0].match is "header aws-cf-cd-variant~/b.*/": CloudFront continuous deployment compares a header with one exact value; it has no regular expression match. Match a header whose name starts with aws-cf-cd-, such as Match.header("aws-cf-cd-variant", "b"), set by your clients, or use a weight of at most 15% without a match.`],
    ['a header without the aws-cf-cd- prefix', [{ name: 'b', match: Match.header('X-Variant', 'b') }],
      `${prefix} variants[0].match is "header X-Variant=b": CloudFront continuous deployment routes by a header only when its name starts with "aws-cf-cd-" (in lowercase) followed by a name of your own. Rename the header, for example to "aws-cf-cd-x-variant", and have your clients send it.`],
    ['a share of the header\'s requests', [{ name: 'b', match: Match.header('aws-cf-cd-variant', 'b'), weight: 50 }],
      `${prefix} variants[0].weight is 50: CloudFront continuous deployment sends every request carrying the header to the staging distribution; it cannot send only a share of them. Remove the weight to send all matching requests to the variant, or drop the match and use a weight of at most 15.`],
    ['a weight above 15%', [{ name: 'b', weight: 15.1 }],
      `${prefix} variants[0].weight is 15.1: CloudFront continuous deployment sends at most 15% of requests to the staging distribution by weight. Lower the weight to 15 or less, or select the variant by a header whose name starts with aws-cf-cd-; for a larger share use weighted routing such as ALB weighted target groups or Route 53 weighted records.`],
    ['a fractional weight', [{ name: 'b', weight: 12.5 }],
      `${prefix} variants[0].weight is 12.5: CloudFront continuous deployment sends whole percents of requests (the policy's weight is a multiple of 0.01), and 12.5% is not. Round the weight to a whole percent.`],
  ])('refuses %s', (_, variants, message) => {
    expectValidationError(() => deployment({ experiment: experiment({ variants }) }), message);
  });

  test.each([
    [Duration.seconds(299), '4 minutes 59 seconds'],
    [Duration.seconds(3601), '1 hour 1 second'],
  ])('refuses a stickiness of %s', (stickiness, shown) => {
    expectValidationError(() => deployment({ experiment: experiment({ variants: [{ name: 'b', weight: 10 }], stickiness }) }),
      `${prefix} stickiness is ${shown}: CloudFront keeps a viewer's session on one distribution for 300 to 3600 seconds (5 to 60 minutes). Use a stickiness from Duration.minutes(5) to Duration.hours(1), or leave it out.`);
  });

  test('refuses an inexpressible experiment even when it is switched off', () => {
    expect(() => deployment({ experiment: experiment({ enabled: false, variants: [{ name: 'b', weight: 20 }] }) }))
      .toThrow(`${prefix} variants[0].weight is 20`);
  });

  test.each([
    ['step', { step: 1 }, `${WHERE}: step is 1: steps belong to a strategy, and an experiment has none. Leave step out, or pass a strategy instead of the experiment.`],
    ['sessionStickiness', { sessionStickiness: Duration.minutes(10) },
      `${WHERE}: sessionStickiness is 10 minutes: an experiment carries its own stickiness. Set stickiness on the Experiment and leave sessionStickiness out.`],
    ['enabled', { enabled: false }, `${WHERE}: enabled is false: an experiment is switched on and off by its own enabled. Set enabled on the Experiment and leave it out here.`],
    ['an invalid at', { at: new Date(NaN) },
      `${WHERE}: at is an invalid Date: it must be a valid Date. Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.`],
  ])('refuses %s with an experiment', (_, props, message) => {
    expectValidationError(() => deployment({ experiment: experiment(), ...props }), message);
  });
});

describe('a strategy, one step per deploy', () => {
  const canary = Strategy.canary({ steps: [{ weight: 5, gate: bake(30) }, { weight: 15, gate: StepGate.manualApproval() }] });

  test('step 1 by default: the first weight (SingleWeight)', () => {
    const { stack, construct } = deployment({ strategy: canary });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: true,
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.05 } },
    }));
    expect(construct.step?.candidateWeight).toBe(5);
  });

  test('the step comes from the step prop, else from the context <path>:step', () => {
    const byProp = deployment({ strategy: canary, step: 2 });
    validatedTemplate(byProp.stack).hasResourceProperties(POLICY, policyConfig({
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.15 } },
    }));
    const byContext = deployment({ strategy: canary }, { 'Stack/Deployment:step': '2' });
    validatedTemplate(byContext.stack).hasResourceProperties(POLICY, policyConfig({
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.15 } },
    }));
    expect(byContext.construct.step?.index).toBe(2);
  });

  test('sessionStickiness keeps a viewer on one distribution', () => {
    const { stack } = deployment({ strategy: canary, sessionStickiness: Duration.hours(1) });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.05, SessionStickinessConfig: { IdleTTL: 3600, MaximumTTL: 3600 } } },
    }));
  });

  test('enabled: false rolls back: the policy is disabled', () => {
    const { stack, construct } = deployment({ strategy: canary, enabled: false });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: false,
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.05 } },
    }));
    expect(construct.policyEnabled).toBe(false);
  });

  test('blue-green: the test phase sends the header test route to the staging distribution (SingleHeader)', () => {
    const { stack } = deployment({ strategy: Strategy.blueGreen({ testRoute: Match.header('aws-cf-cd-env', 'green') }) });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: true,
      TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: 'aws-cf-cd-env', Value: 'green' } },
    }));
    Annotations.fromStack(stack).hasNoWarning('/Stack/Deployment', CfnMatch.anyValue());
  });

  test('a canary with a test route: step 1 sends the header to the staging distribution, step 2 a weight', () => {
    const testersFirst = Strategy.canary({ testRoute: Match.header('aws-cf-cd-qa', '1'), steps: [{ weight: 5, gate: StepGate.bake(Duration.minutes(30)) }] });
    const first = deployment({ strategy: testersFirst });
    validatedTemplate(first.stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: true,
      TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: 'aws-cf-cd-qa', Value: '1' } },
    }));
    const second = deployment({ strategy: testersFirst, step: 2 });
    validatedTemplate(second.stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: true,
      TrafficConfig: CfnMatch.objectLike({ Type: 'SingleWeight', SingleWeightConfig: CfnMatch.objectLike({ Weight: 0.05 }) }),
    }));
  });

  test('blue-green without a test route: the test phase sends nobody, so the policy is disabled, with a warning', () => {
    const { stack, construct } = deployment({ strategy: Strategy.BLUE_GREEN });
    validatedTemplate(stack).hasResourceProperties(POLICY, policyConfig({
      Enabled: false,
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0 } },
    }));
    expect(construct.policyEnabled).toBe(false);
    Annotations.fromStack(stack).hasWarning('/Stack/Deployment',
      'Step 1 of blue-green (bake 5m) sends no request to the staging distribution, and viewers cannot reach a staging distribution directly, so nobody can test it: the policy is disabled. Give the strategy a test route such as Match.header("aws-cf-cd-env", "green"). [ack: cdk-deploy-strategies:cloudFrontNoTestRoute]');
  });

  test('records its plan in the cloud assembly', () => {
    const { stack, construct } = deployment({ strategy: canary });
    const artifact = (stack.node.root as App).synth().getStackByName('Stack');
    const recorded = artifact.findMetadataByType(PLAN_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Deployment']);
    expect(recorded[0].data).toEqual({ controller: 'CloudFront continuous deployment', table: construct.plan!.toTable(), plan: construct.plan!.toJson() });
    expect(construct.plan!.capacity).toBe('SERVERLESS');
  });
});

describe('what CloudFront cannot do for a strategy', () => {
  const promote = 'aws cloudfront update-distribution-with-staging-config --id <primary id> --staging-distribution-id <staging id> --if-match "<primary ETag>, <staging ETag>"';

  test.each([
    ['a step above 15%', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(5) }] }),
      `${WHERE}: strategy is "canary 10% (bake 5m) → 50% (bake 5m) → 100%": CloudFront continuous deployment sends at most 15% of requests to the staging distribution, and step 2 sends 50%. Keep every step before 100% at 15% or less; the 100% step is the promotion (${promote}).`],
    ['a fractional step', Strategy.canary({ steps: [{ weight: 2.5, gate: bake(5) }] }),
      `${WHERE}: strategy is "canary 2.5% (bake 5m) → 100%": CloudFront continuous deployment sends whole percents of requests (the policy's weight is a multiple of 0.01), and step 1 sends 2.5%. Round the step's weight to a whole percent.`],
    ['a linear strategy', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE,
      `${WHERE}: strategy is "linear 10% every 1m": CloudFront continuous deployment sends at most 15% of requests to the staging distribution, and step 2 sends 20%. Keep every step before 100% at 15% or less; the 100% step is the promotion (${promote}).`],
    ['all at once', Strategy.ALL_AT_ONCE,
      `${WHERE}: strategy is "all at once": CloudFront continuous deployment needs a step that sends part of the traffic (at most 15%) to the staging distribution before the promotion, and this strategy has none. Use a canary whose first step is at most 15%, such as Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(30)) }] }), or change the primary distribution directly.`],
    ['a blue-green cookie test route', Strategy.blueGreen({ testRoute: Match.cookie('env', 'green') }),
      `${WHERE}: strategy testRoute is "cookie env=green": CloudFront continuous deployment selects the staging distribution by one request header or by weight; it has no cookie match. Match a header whose name starts with aws-cf-cd-, such as Match.header("aws-cf-cd-variant", "b"), set by your clients.`],
  ])('refuses %s', (_, strategy, message) => {
    expectValidationError(() => deployment({ strategy }), message);
  });

  test('the 100% step is the promotion: rendering it fails with the command', () => {
    expectValidationError(() => deployment({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, step: 2 }),
      `${WHERE}: step is 2: step 2 sends every request to the staging configuration, which CloudFront continuous deployment does not do: that step is the promotion. Promote with ${promote}, then give the primary distribution the staging configuration in the app and remove this construct.`);
    expectValidationError(() => deployment({ strategy: Strategy.CANARY_10PERCENT_5MINUTES }, { 'Stack/Deployment:step': '2' }),
      `${WHERE}: context "Stack/Deployment:step" is "2": step 2 sends every request to the staging configuration, which CloudFront continuous deployment does not do: that step is the promotion. Promote with ${promote}, then give the primary distribution the staging configuration in the app and remove this construct.`);
  });

  test('a step outside the plan fails', () => {
    expectValidationError(() => deployment({ strategy: Strategy.CANARY_10PERCENT_5MINUTES }, { 'Stack/Deployment:step': 'three' }),
      `${WHERE}: context "Stack/Deployment:step" is "three": the plan has steps 1 to 2 (canary 10% (bake 5m) → 100%). Render a step from 1 to 2, numbered as in the plan's table (step 2 sends everything to the candidate).`);
  });

  test.each([
    ['stickiness below 5 minutes', { sessionStickiness: Duration.minutes(4) },
      `${WHERE}: sessionStickiness is 4 minutes: CloudFront keeps a viewer's session on one distribution for 300 to 3600 seconds (5 to 60 minutes). Use a stickiness from Duration.minutes(5) to Duration.hours(1), or leave it out.`],
    ['stickiness that is not a Duration', { sessionStickiness: 600 as any },
      `${WHERE}: sessionStickiness is 600: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use a stickiness from Duration.minutes(5) to Duration.hours(1), or leave it out.`],
    ['at', { at: AT }, `${WHERE}: at is 2027-01-01T00:00:00.000Z: the moment to render applies to an experiment, and a strategy has no end date. Leave at out.`],
    ['enabled that is not a boolean', { enabled: 'no' as any },
      `${WHERE}: enabled is "no": it must be true or false. Pass false to send every request to the primary distribution, true (the default) to follow the strategy.`],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(() => deployment({ strategy: Strategy.CANARY_10PERCENT_5MINUTES, ...props }), message);
  });

  test('refuses session stickiness on blue-green, which sends no share by weight', () => {
    expectValidationError(() => deployment({ strategy: Strategy.blueGreen({ testRoute: Match.header('aws-cf-cd-env', 'green') }), sessionStickiness: Duration.minutes(10) }),
      `${WHERE}: sessionStickiness is 10 minutes: a blue-green strategy sends no share of requests to the staging distribution by weight (blue-green (test route header aws-cf-cd-env=green, bake 5m)), so no session is kept on it. Leave sessionStickiness out; a client that sends the test route's header reaches the staging distribution every time.`);
  });
});

describe('a strategy driven by Step Functions', () => {
  const driven = (props: Partial<aws.CloudFrontContinuousDeploymentProps> = {}) => {
    // The staging distribution's metrics, which its default health check reads, are in us-east-1.
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    const primary = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } });
    const construct = new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary,
      stagingDistributionProps: stagingProps(),
      strategy: Strategy.CANARY_10PERCENT_30MINUTES,
      driver: aws.RolloutDriver.stepFunctions(),
      ...props,
    });
    return { stack, construct };
  };

  test('declares the policy switched off, watches the staging distribution\'s 5xx rate, and records the driver', () => {
    const { stack, construct } = driven();
    const template = validatedTemplate(stack);
    template.hasResourceProperties(POLICY, policyConfig({ Enabled: false, TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0 } } }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
        MetricStat: CfnMatch.objectLike({ Metric: CfnMatch.objectLike({ MetricName: '5xxErrorRate', Namespace: 'AWS/CloudFront' }) }),
      })]),
    });
    expect(construct.stateMachine).toBeDefined();
    expect(construct.step).toBeUndefined();
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).controller).toMatch(/^CloudFront continuous deployment, driven by the Step Functions state machine Stack-Deployment-[0-9A-F]{8}$/);
    const findings = guardrails.Guardrails.report(construct, guardrails.GuardrailPack.recommended()).findings.filter(f => f.ruleId === 'CDS-R1');
    expect(findings).toEqual([]);
  });

  test('a health check added later is measured on the staging distribution under HealthChecks, listed in the plan and counted by CDS-R1', () => {
    const { stack, construct } = driven();
    construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 5, name: 'errors-strict' }));
    expect(construct.healthCheckAlarms.map(a => a.node.path)).toEqual(['Stack/Deployment/HealthChecks/error-rate', 'Stack/Deployment/HealthChecks/errors-strict']);
    expect(construct.plan!.healthChecks.map(c => c.name)).toEqual(['error-rate', 'errors-strict']);
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).plan.healthChecks.map((c: any) => c.name)).toEqual(['error-rate', 'errors-strict']);
    expect(guardrailFactsOf(construct).map(f => f.rollbackTriggers!().map(t => `${t.kind}: ${t.description}`))).toEqual([['ALARM: health checks error-rate, errors-strict (2 CloudWatch alarms)']]);
  });

  test('refuses a hold at 100%: after the promotion CloudFront keeps no configuration to switch back to', () => {
    expectValidationError(() => driven({ strategy: Strategy.blueGreen({ testRoute: Match.header('aws-cf-cd-env', 'green') }) }),
      `${WHERE}: strategy is "blue-green (test route header aws-cf-cd-env=green, bake 5m)": the driver promotes at step 2 by copying the staging configuration onto the primary distribution, `
      + 'after which CloudFront keeps no other configuration to switch back to, so step 2 cannot be held by bake 5m and rolled back. '
      + 'Hold the last step before 100% instead, and end at 100% without a gate (for a blue-green strategy, bakeTime: Duration.seconds(0) and a promotion gate).');
  });

  test('refuses enabled, an experiment, and health checks without the driver', () => {
    expectValidationError(() => driven({ enabled: false }),
      `${WHERE}: enabled is false: the Step Functions driver switches the policy on and off itself, from the declared start. `
      + 'Leave enabled out; to roll back, start the state machine with {"action":"rollback"}, or remove the construct.');
    expectValidationError(() => deployment({ experiment: experiment(), driver: aws.RolloutDriver.stepFunctions() }),
      `${WHERE}: driver is "RolloutDriver.stepFunctions()": an experiment has no steps to drive: it runs until its end date, or until it is switched off. `
      + 'Leave the driver out for an experiment, or pass a strategy to roll the staging configuration out.');
    expectValidationError(() => deployment({ strategy: Strategy.CANARY_10PERCENT_30MINUTES, healthChecks: [] }),
      `${WHERE}: healthChecks is an empty array: nothing measures them: the pipeline advances one deploy per step, and nothing rolls the rollout back. `
      + 'Drive the rollout with driver: RolloutDriver.stepFunctions(), which reads their alarms and rolls back, or leave healthChecks out.');
  });

  test('the staging distribution\'s metrics are in us-east-1: elsewhere its health checks are refused', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'eu-west-1' } });
    const primary = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } });
    expect(() => new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary, stagingDistributionProps: stagingProps(), strategy: Strategy.CANARY_10PERCENT_30MINUTES, driver: aws.RolloutDriver.stepFunctions(),
    })).toThrow(`${WHERE}: health check "error-rate": region of stack Stack is "eu-west-1"`);
  });
});

describe('bad input', () => {
  test('neither an experiment nor a strategy', () => {
    expectValidationError(() => deployment({}),
      `${WHERE}: experiment or strategy is undefined: the policy needs an experiment or a strategy to send requests to the staging distribution by. Pass an experiment (an A/B test with one variant) or a strategy (a canary whose steps before 100% are 15% or less).`);
  });

  test('both an experiment and a strategy', () => {
    expectValidationError(() => deployment({ experiment: experiment(), strategy: Strategy.CANARY_10PERCENT_5MINUTES }),
      `${WHERE}: strategy is "canary 10% (bake 5m) → 100%": an experiment is given too, and one policy follows one of them. Pass either an experiment or a strategy.`);
  });

  test.each([
    ['experiment', { experiment: 'ab' as any }, `${WHERE}: experiment is "ab": it must be an Experiment. Pass new Experiment({ name, variants }).`],
    ['strategy', { strategy: {} as any }, `${WHERE}: strategy is an object: it must be a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_30MINUTES.`],
  ])('a %s of the wrong type', (_, props, message) => {
    expectValidationError(() => deployment(props), message);
  });

  test('an imported primary distribution', () => {
    const { stack } = setup();
    const imported = cloudfront.Distribution.fromDistributionAttributes(stack, 'Imported', { distributionId: 'E123', domainName: 'd1.cloudfront.net' });
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary: imported as any, stagingDistributionProps: stagingProps(), experiment: experiment(),
    }), `${WHERE}: primary is an object: it must be a cloudfront.Distribution defined in this app, to which the construct attaches the policy. Pass the cloudfront.Distribution that serves production; an imported distribution cannot be changed from this app.`);
  });

  test('a primary in another stack', () => {
    const { stack, primary } = setup();
    const other = new Stack(stack.node.root as App, 'Other');
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(other, 'Deployment', {
      primary, stagingDistributionProps: stagingProps(), experiment: experiment(),
    }), 'CloudFrontContinuousDeployment Other/Deployment: primary is "Stack/Site": it is in stack Stack, and the policy attached to it would be in stack Other. Create the CloudFrontContinuousDeployment in the primary distribution\'s stack.');
  });

  test('a second policy on the same primary', () => {
    const { stack, primary } = deployment({ experiment: experiment() });
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(stack, 'Second', {
      primary, stagingDistributionProps: stagingProps(), strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    }), 'CloudFrontContinuousDeployment Stack/Second: primary is "Stack/Site": it already has a continuous deployment policy, from Stack/Deployment, and CloudFront attaches one policy to a distribution. Test one change at a time: use one CloudFrontContinuousDeployment per primary distribution.');
  });

  test.each([
    ['HTTP2_AND_3', cloudfront.HttpVersion.HTTP2_AND_3, '"http2and3"'],
    ['HTTP3', cloudfront.HttpVersion.HTTP3, '"http3"'],
  ])('a primary with %s', (_, httpVersion, shown) => {
    const { stack, primary } = setup({}, { httpVersion });
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary, stagingDistributionProps: stagingProps(), experiment: experiment(),
    }), `${WHERE}: primary httpVersion is ${shown}: CloudFront continuous deployment does not work with a distribution that supports HTTP/3. Use HttpVersion.HTTP2 (the default) or HttpVersion.HTTP1_1 on both distributions.`);
  });

  test.each([
    ['domain names', { domainNames: ['www.example.com'] },
      `${WHERE}: stagingDistributionProps.domainNames is an array of 1: a staging distribution has no domain names of its own: viewers reach it only through the primary distribution. Leave domainNames out; the primary keeps its domain names when you promote the staging configuration.`],
    ['HTTP/3', { httpVersion: cloudfront.HttpVersion.HTTP2_AND_3 },
      `${WHERE}: stagingDistributionProps.httpVersion is "http2and3": CloudFront continuous deployment does not work with a distribution that supports HTTP/3. Use HttpVersion.HTTP2 (the default) or HttpVersion.HTTP1_1 on both distributions.`],
  ])('staging props with %s', (_, extra, message) => {
    expectValidationError(() => deployment({ experiment: experiment(), stagingDistributionProps: { ...stagingProps(), ...extra } }), message);
  });

  test('staging props with a certificate', () => {
    const { stack, primary } = setup();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary, stagingDistributionProps: { ...stagingProps(), certificate }, experiment: experiment(),
    }), `${WHERE}: stagingDistributionProps.certificate is an Import: a staging distribution has no domain names of its own, so no certificate to serve them. Leave certificate out; the primary keeps its certificate when you promote the staging configuration.`);
  });

  test.each([
    ['without a default behavior', {},
      `${WHERE}: stagingDistributionProps.defaultBehavior is undefined: it must be an object. Pass a behavior with the origin of the configuration under test, such as { origin: new origins.HttpOrigin("candidate.example.com") }.`],
    ['with an origin that is a domain name', { defaultBehavior: { origin: 'candidate.example.com' } },
      `${WHERE}: stagingDistributionProps.defaultBehavior.origin is "candidate.example.com": it must be a CloudFront origin (cloudfront.IOrigin). Pass an origin such as new origins.HttpOrigin("candidate.example.com") or origins.S3BucketOrigin.withOriginAccessControl(bucket).`],
    ['with an additional behavior without an origin', { ...stagingProps(), additionalBehaviors: { '/api/*': {} } },
      `${WHERE}: stagingDistributionProps.additionalBehaviors["/api/*"].origin is undefined: it must be a CloudFront origin (cloudfront.IOrigin). Pass an origin such as new origins.HttpOrigin("candidate.example.com") or origins.S3BucketOrigin.withOriginAccessControl(bucket).`],
  ])('staging props %s, which aws-cdk-lib would fail on with a TypeError', (_, staging, message) => {
    expectValidationError(() => deployment({ experiment: experiment(), stagingDistributionProps: staging as any }), message);
  });

  test('staging props that are not an object', () => {
    expectValidationError(() => deployment({ experiment: experiment(), stagingDistributionProps: 'staging' as any }),
      `${WHERE}: stagingDistributionProps is "staging": it must be an object. Pass the props of the staging distribution, such as { defaultBehavior: { origin } }.`);
  });

  test('props that are not an object', () => {
    const { stack } = setup();
    expectValidationError(() => new aws.CloudFrontContinuousDeployment(stack, 'Deployment', undefined as any),
      `${WHERE}: props is undefined: it must be an object. Pass { primary, stagingDistributionProps, experiment } or { primary, stagingDistributionProps, strategy }.`);
  });
});

describe('random props', () => {
  /** Each prop goes wrong only seldom, so that with several of them a good share of cases (a third or more) still builds. */
  const seldom = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValueArb): fc.Arbitrary<T> =>
    fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> });
  const headerNameArb = fc.oneof(
    { weight: 8, arbitrary: dnsLabelArb.map(l => `aws-cf-cd-${l}`) },
    { weight: 1, arbitrary: fc.constantFrom('aws-cf-cd-', 'AWS-CF-CD-Variant', 'x-variant', `aws-cf-cd-${'v'.repeat(250)}`) },
  );
  const headerValueArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/) },
    { weight: 1, arbitrary: fc.constant('v'.repeat(1790)) },
  );
  const cfMatchArb: fc.Arbitrary<Match> = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(headerNameArb, headerValueArb).map(([n, v]) => Match.header(n, v)) },
    { weight: 1, arbitrary: fc.oneof(matchArb, headerNameArb.map(n => Match.headerRegex(n, 'b.*'))) },
  );
  const stickinessArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 300, max: 3600 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 7200 }) },
  ).map(s => Duration.seconds(s));
  const percentArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 15 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map(t => t / 10) },
  );

  /** One variant by an aws-cf-cd- header or by a whole percent up to 15, as CloudFront can; and any experiment. */
  const cfExperimentArb: fc.Arbitrary<Experiment> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        byHeader: fc.boolean(),
        match: cfMatchArb,
        weight: percentArb,
        headerWeight: seldom(fc.constant(undefined), fc.integer({ min: 1, max: 100 })),
        stickiness: fc.option(stickinessArb, { nil: undefined }),
        endDate: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }), { nil: undefined }),
        enabled: fc.option(fc.boolean(), { nil: undefined }),
      }).map(p => {
        try {
          return new Experiment({
            name: 'new-homepage',
            variants: [p.byHeader ? { name: 'b', match: p.match, weight: p.headerWeight } : { name: 'b', weight: p.weight }],
            // A header match takes no stickiness: seldom given.
            stickiness: p.byHeader && p.headerWeight === undefined ? undefined : p.stickiness,
            endDate: p.endDate,
            enabled: p.enabled,
          });
        } catch {
          return undefined;
        }
      }).filter((e): e is Experiment => e !== undefined),
    },
    { weight: 1, arbitrary: experimentArb },
  );

  const wholeCanaryArb = fc.array(fc.tuple(percentArb, gateArb), { minLength: 1, maxLength: 3 }).map(steps => Strategy.canary({
    steps: steps.map(([w]) => w).sort((a, b) => a - b).map((w, i) => ({ weight: w, gate: steps[i][1] })),
  }));
  const cfStrategyArb: fc.Arbitrary<Strategy> = fc.oneof(
    { weight: 6, arbitrary: wholeCanaryArb },
    { weight: 3, arbitrary: fc.option(cfMatchArb, { nil: undefined, freq: 4 }).map(testRoute => Strategy.blueGreen({ testRoute })) },
    { weight: 1, arbitrary: presetArb },
    { weight: 1, arbitrary: strategyArb },
  );

  const stagingPropsArb = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        comment: fc.option(fc.stringMatching(/^[a-zA-Z0-9 ]{0,40}$/), { nil: undefined }),
        defaultRootObject: fc.option(fc.constant('index.html'), { nil: undefined }),
        httpVersion: fc.option(fc.constantFrom(cloudfront.HttpVersion.HTTP1_1, cloudfront.HttpVersion.HTTP2), { nil: undefined }),
        priceClass: fc.option(fc.constantFrom(cloudfront.PriceClass.PRICE_CLASS_100, cloudfront.PriceClass.PRICE_CLASS_ALL), { nil: undefined }),
      }, { requiredKeys: [] }).map(extra => ({ ...stagingProps(), ...extra }) as unknown),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant({ ...stagingProps(), domainNames: ['www.example.com'] }),
        fc.constant({ ...stagingProps(), httpVersion: cloudfront.HttpVersion.HTTP2_AND_3 }),
        fc.constant({ ...stagingProps(), domainNames: [] }),
        fc.constantFrom({}, { defaultBehavior: {} }, { defaultBehavior: { origin: 'candidate.example.com' } }, { ...stagingProps(), additionalBehaviors: { '/api/*': {} } }),
        oddValueArb,
      ),
    },
  );
  const stepArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.record({ from: fc.constantFrom('prop' as const, 'context' as const), value: fc.integer({ min: 1, max: 2 }) as fc.Arbitrary<unknown> }) },
    { weight: 1, arbitrary: fc.record({ from: fc.constantFrom('prop' as const, 'context' as const), value: fc.oneof(fc.integer({ min: 0, max: 5 }), oddValueArb) }) },
  );
  const atArb = fc.oneof(
    { weight: 12, arbitrary: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-06-01T00:00:00Z'), noInvalidDate: true }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(new Date(NaN)), oddValueArb) },
  );
  /** The props of one driver are mostly given with it, and seldom with the other, which refuses them. */
  const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  const experimentDriverArb = fc.record({
    experiment: seldom(cfExperimentArb),
    strategy: rarely(cfStrategyArb),
    at: fc.option(atArb, { nil: undefined, freq: 4 }),
    step: rarely(stepArb.filter(s => s !== undefined)),
    sessionStickiness: rarely(stickinessArb),
    enabled: rarely(fc.boolean()),
  });
  const strategyDriverArb = fc.record({
    experiment: rarely(cfExperimentArb),
    strategy: seldom(cfStrategyArb),
    at: rarely(atArb),
    step: stepArb,
    sessionStickiness: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: stickinessArb }, { weight: 1, arbitrary: oddValueArb }),
    enabled: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: oddValueArb }),
  });
  const propsArb = fc.record({
    driver: fc.oneof(
      { weight: 25, arbitrary: fc.oneof(experimentDriverArb, strategyDriverArb) },
      // Neither an experiment nor a strategy.
      { weight: 1, arbitrary: strategyDriverArb.map(d => ({ ...d, experiment: undefined, strategy: undefined })) },
    ),
    primary: fc.oneof({ weight: 15, arbitrary: fc.constant('owned' as const) }, { weight: 1, arbitrary: fc.constantFrom('http3' as const, 'imported' as const, 'other stack' as const, 'odd' as const) }),
    stagingDistributionProps: stagingPropsArb,
  });
  type Props = typeof propsArb extends fc.Arbitrary<infer P> ? P : never;

  function build(p: Props) {
    const d = p.driver;
    const context = d.step?.from === 'context' ? { 'Stack/Deployment:step': d.step.value } : {};
    const stack = new Stack(testApp({ context }), 'Stack');
    const primaryProps = { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } };
    const primary = p.primary === 'owned' ? new cloudfront.Distribution(stack, 'Site', primaryProps)
      : p.primary === 'http3' ? new cloudfront.Distribution(stack, 'Site', { ...primaryProps, httpVersion: cloudfront.HttpVersion.HTTP3 })
        : p.primary === 'imported' ? cloudfront.Distribution.fromDistributionAttributes(stack, 'Site', { distributionId: 'E123', domainName: 'd1.cloudfront.net' })
          : p.primary === 'other stack' ? new cloudfront.Distribution(new Stack(stack.node.root as App, 'Other'), 'Site', primaryProps)
            : 'E123';
    const construct = new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary: primary as cloudfront.Distribution,
      stagingDistributionProps: p.stagingDistributionProps as cloudfront.DistributionProps,
      experiment: d.experiment as Experiment | undefined,
      strategy: d.strategy as Strategy | undefined,
      step: d.step?.from === 'prop' ? d.step.value as number : undefined,
      sessionStickiness: d.sessionStickiness as Duration | undefined,
      enabled: d.enabled as boolean | undefined,
      at: d.at as Date | undefined,
    });

    const template = validatedTemplate(stack);
    expectCleanAssembly(stack.node.root as App);
    template.resourceCountIs(DISTRIBUTION, 2);
    template.resourceCountIs(POLICY, 1);
    const config = Object.values(template.findResources(POLICY))[0].Properties.ContinuousDeploymentPolicyConfig;
    expect(config.Enabled).toBe(construct.policyEnabled);
    const traffic = config.TrafficConfig;
    const variant = construct.experiment?.variants[0];
    if (traffic.Type === 'SingleHeader') {
      // A header CloudFront routes by: the variant's or the test route's.
      expect(traffic.SingleHeaderConfig.Header).toMatch(/^aws-cf-cd-./);
      expect(traffic.SingleHeaderConfig.Header).toBe((variant?.match ?? construct.plan?.strategy.testRoute)!.name);
    } else {
      // A whole percent up to 15: the variant's weight, or the rendered step's.
      const weight = traffic.SingleWeightConfig.Weight;
      expect(weight).toBe((variant ? variant.weight! : construct.step!.candidateWeight) / 100);
      expect(weight).toBeLessThanOrEqual(0.15);
      const sticky = traffic.SingleWeightConfig.SessionStickinessConfig;
      if (sticky) {
        expect(sticky.IdleTTL).toBe(sticky.MaximumTTL);
        expect(sticky.IdleTTL).toBeGreaterThanOrEqual(300);
        expect(sticky.IdleTTL).toBeLessThanOrEqual(3600);
      }
    }
    if (construct.experiment) {
      expect(construct.policyEnabled).toBe(construct.experiment.isActive((d.at as Date | undefined) ?? new Date()));
    } else {
      expect(construct.step!.index).toBe(d.step === undefined ? 1 : Number(d.step.value));
      expect(construct.policyEnabled).toBe((d.enabled ?? true) === true && (construct.step!.candidateWeight > 0 || traffic.Type === 'SingleHeader'));
    }
  }

  test('either synthesize a valid, clean policy and staging distribution or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, build);
  });
});
