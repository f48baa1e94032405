import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { aws, Match, StepGate, Strategy } from '../../../src';
import { describePolicy, headerTraffic, PolicyTraffic, weightTraffic } from '../../../src/aws/private/driver-cloudfront';
import { testApp, validatedTemplate } from '../../support/cfn';
import { FakeAws } from '../../support/fake-aws';
import { Call, definitionOf, execute, expectValidAsl, resolveCfn } from '../../support/sfn';

// Executions run under fake timers, but a busy machine takes seconds over hundreds of simulated waits.
jest.setTimeout(60_000);

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const ALARM = 'Stack-StagingErrors';

/** A driven continuous deployment of a new origin, watched by one alarm on the staging distribution. */
function synth(strategy: Strategy, props: Partial<aws.CloudFrontContinuousDeploymentProps> = {}) {
  // CloudFront publishes the staging distribution's metrics, which its health checks read, in us-east-1.
  const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
  const primary = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('blue.example.com') } });
  const test = new aws.CloudFrontContinuousDeployment(stack, 'Next', {
    primary,
    stagingDistributionProps: { defaultBehavior: { origin: new origins.HttpOrigin('green.example.com') } },
    strategy,
    driver: aws.RolloutDriver.stepFunctions(),
    ...props,
  });
  test.addAlarm(new cloudwatch.Alarm(stack, 'StagingErrors', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/CloudFront', metricName: '5xxErrorRate', dimensionsMap: { DistributionId: test.stagingDistribution.distributionId } }),
    threshold: 1,
    evaluationPeriods: 2,
  }));
  const template = validatedTemplate(stack).toJSON();
  return { template, definition: definitionOf(template), test };
}

/** CloudFront as CloudFormation left it: the policy as the template declares it; the resources' ids. */
function world(template: any): FakeAws {
  const fake = new FakeAws();
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'AWS::CloudWatch::Alarm') fake.resources.set(id, ALARM);
    if (r.Type === 'AWS::CloudFront::Distribution') fake.resources.set(id, `E${id.toUpperCase()}`);
    if (r.Type === 'AWS::CloudFront::ContinuousDeploymentPolicy') {
      fake.resources.set(id, 'POLICY1');
      const config = resolveCfn(template, r.Properties.ContinuousDeploymentPolicyConfig);
      fake.policy = { config: { ...config, StagingDistributionDnsNames: { Quantity: 1, Items: ['d111.cloudfront.net'] } }, etag: 1 };
    }
  }
  // The primary is Deployed again on the second read after a change, as it usually is within a minute.
  fake.deployingReads = 1;
  return fake;
}

/** A policy's traffic as its config's fields. */
function policyConfig(traffic: PolicyTraffic): object {
  return { Enabled: traffic.enabled, TrafficConfig: traffic.trafficConfig };
}

/** What each policy change set, with its second: [at, enabled, traffic]. */
function policyChanges(calls: Call[]): Array<[number, boolean, string]> {
  return calls.filter(c => c.action === 'cloudfront:updateContinuousDeploymentPolicy').map(c => {
    const config = c.params.ContinuousDeploymentPolicyConfig;
    return [c.at, config.Enabled, describePolicy({ enabled: config.Enabled, trafficConfig: config.TrafficConfig })];
  });
}

describe('a canary 5% (bake 10m) → 10% (bake 10m) → 100%', () => {
  let synthesized: ReturnType<typeof synth>;
  beforeAll(() => {
    const strategy = Strategy.canary({ steps: [{ weight: 5, gate: bake(10) }, { weight: 10, gate: bake(10) }] });
    synthesized = synth(strategy, { sessionStickiness: Duration.minutes(10) });
  }, 120_000);

  test('the template declares the policy switched off: the start, and where a rollback returns', () => {
    expectValidAsl(synthesized.definition);
    const policy = Object.values<any>(synthesized.template.Resources).find(r => r.Type === 'AWS::CloudFront::ContinuousDeploymentPolicy');
    expect(policy.Properties.ContinuousDeploymentPolicyConfig).toMatchObject({
      Enabled: false,
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0, SessionStickinessConfig: { IdleTTL: 600, MaximumTTL: 600 } } },
    });
  });

  test('sets each step\'s weight with the ETag it read, waits for the primary to deploy, then promotes the staging configuration', async () => {
    const fake = world(synthesized.template);
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBeUndefined();
    expect(policyChanges(calls)).toEqual([[0, true, 'sending 5% of requests'], [630, true, 'sending 10% of requests']]);
    const first = calls.find(c => c.action === 'cloudfront:updateContinuousDeploymentPolicy')!;
    expect(first.params).toEqual({
      Id: 'POLICY1',
      IfMatch: 'E1',
      ContinuousDeploymentPolicyConfig: {
        StagingDistributionDnsNames: { Quantity: 1, Items: ['d111.cloudfront.net'] },
        Enabled: true,
        TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.05, SessionStickinessConfig: { IdleTTL: 600, MaximumTTL: 600 } } },
      },
    });
    // Promoted with both distributions' ETags once step 2 has baked, then waited for.
    const promote = calls.find(c => c.action === 'cloudfront:updateDistributionWithStagingConfig')!;
    expect(promote.at).toBe(1260);
    expect(promote.params.IfMatch).toBe(`${promote.params.Id}-etag, ${promote.params.StagingDistributionId}-etag`);
    expect(fake.promoted).toBe(true);
    expect(calls.filter(c => c.action === 'cloudfront:getDistribution').map(c => c.at)).toEqual([0, 30, 630, 660, 1260, 1290]);
    expect(fake.published.at(-1)!.message).toContain('CloudFront copied the staging configuration onto the primary distribution and disabled the policy.');
  });

  test('an alarm switches the policy off again and fails naming the alarm', async () => {
    const fake = world(synthesized.template);
    fake.alarmsAt = at => (at >= 700 ? [ALARM] : []);
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(policyChanges(calls)).toEqual([[0, true, 'sending 5% of requests'], [630, true, 'sending 10% of requests'], [720, false, 'disabled']]);
    expect(fake.promoted).toBe(false);
    expect(error).toBe('AlarmFired');
    expect(cause).toBe(`Alarm ${ALARM} fired during step 2 of 3 (10% on the candidate); all traffic is back on the stable side.`);
  });

  test('a policy changed by someone else stops the rollout without a write', async () => {
    const fake = world(synthesized.template);
    const handler = fake.handler;
    let reads = 0;
    const { calls, error, cause } = await execute(synthesized.definition, {}, (action, params, at, state) => {
      // Before step 2, a stack update rewrites the policy from the template: switched off.
      if (action === 'cloudfront:getContinuousDeploymentPolicyConfig' && ++reads === 2) {
        fake.policy = { config: { ...fake.policy!.config, Enabled: false }, etag: fake.policy!.etag + 1 };
      }
      return handler(action, params, at, state);
    });
    expect(policyChanges(calls)).toHaveLength(1);
    expect(error).toBe('TrafficMovedOutside');
    expect(cause).toMatch(/^the policy is enabled false with \{.*\}, not the policy sending 5% of requests, set at step 1: something else moved it .*leaves it as it is\.$/);
  });

  test('a new candidate deployed mid-rollout puts the policy back on the declared start, with its ETag, and rolls the new release out from step 1', async () => {
    const fake = world(synthesized.template);
    // An earlier execution left the policy at 10%; the deploy of a new staging configuration leaves it there.
    fake.policy = { config: { ...fake.policy!.config, ...policyConfig(weightTraffic(10, 600)) }, etag: 7 };
    const staging = Object.entries<any>(synthesized.template.Resources).find(([id, r]) => r.Type === 'AWS::CloudFront::Distribution' && id.startsWith('NextStaging'))![0];
    const event = { 'source': 'aws.cloudformation', 'detail-type': 'CloudFormation Resource Status Change', 'detail': { 'logical-resource-id': staging } };
    const { calls, error } = await execute(synthesized.definition, event, fake.handler);
    expect(error).toBeUndefined();
    expect(policyChanges(calls)).toEqual([[0, false, 'disabled'], [30, true, 'sending 5% of requests'], [660, true, 'sending 10% of requests']]);
    expect(calls.find(c => c.action === 'cloudfront:updateContinuousDeploymentPolicy')!.params.IfMatch).toBe('E7');
    expect(fake.published.map(m => m.subject)).toContain('Rollout Stack/Next: back to the start');
    expect(fake.promoted).toBe(true);
  });

  test('started by hand, a policy left elsewhere still stops the rollout without a write', async () => {
    const fake = world(synthesized.template);
    fake.policy = { config: { ...fake.policy!.config, ...policyConfig(weightTraffic(10, 600)) }, etag: 7 };
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBe('TrafficMovedOutside');
    expect(policyChanges(calls)).toEqual([]);
  });

  test('a policy changed between the read and the write is refused by its ETag, and nothing is written', async () => {
    const fake = world(synthesized.template);
    const handler = fake.handler;
    const { calls, error } = await execute(synthesized.definition, {}, (action, params, at, state) => {
      if (action === 'cloudfront:updateContinuousDeploymentPolicy') fake.policy!.etag += 1;
      return handler(action, params, at, state);
    });
    expect(error).toBe('ChangeRefused');
    expect(policyChanges(calls)).toHaveLength(1);
    expect(fake.policy!.config.Enabled).toBe(false);
  });
});

test('blue-green with a header test route: the route is declared, an approval promotes', async () => {
  const { template, definition } = synth(Strategy.blueGreen({
    testRoute: Match.header('aws-cf-cd-env', 'green'), promotion: StepGate.manualApproval(), bakeTime: Duration.seconds(0),
  }));
  expectValidAsl(definition);
  const policy = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CloudFront::ContinuousDeploymentPolicy');
  expect(policy.Properties.ContinuousDeploymentPolicyConfig).toMatchObject({
    Enabled: true, TrafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: 'aws-cf-cd-env', Value: 'green' } },
  });
  const fake = world(template);
  const { calls, error } = await execute(definition, {}, fake.handler);
  expect(error).toBeUndefined();
  expect(policyChanges(calls)).toEqual([[0, true, 'sending requests with aws-cf-cd-env: green']]);
  expect(calls.filter(c => c.action === 'sns:publish.waitForTaskToken')).toHaveLength(1);
  expect(fake.promoted).toBe(true);
}, 60_000);

test('IAM: the role changes only its own policy and distributions', () => {
  const { template } = synth(Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }] }));
  const statements = Object.values<any>(template.Resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyName === 'RolloutDriver')
    .flatMap(r => resolveCfn(template, r.Properties.PolicyDocument.Statement));
  expect(statements).toContainEqual({
    Action: ['cloudfront:GetContinuousDeploymentPolicyConfig', 'cloudfront:UpdateContinuousDeploymentPolicy'],
    Effect: 'Allow',
    Resource: expect.stringMatching(/^arn:aws:cloudfront::123456789012:continuous-deployment-policy\/NextPolicy/),
  });
  const distributions = statements.find((s: any) => s.Action.includes('cloudfront:UpdateDistributionWithStagingConfig'));
  expect(distributions.Resource).toEqual([
    expect.stringMatching(/^arn:aws:cloudfront::123456789012:distribution\/Site/),
    expect.stringMatching(/^arn:aws:cloudfront::123456789012:distribution\/NextStaging/),
  ]);
}, 60_000);

describe('policies in words', () => {
  test.each([
    [weightTraffic(5, undefined), 'sending 5% of requests'],
    [weightTraffic(0, 300, false), 'disabled'],
    [headerTraffic('aws-cf-cd-env', 'green'), 'sending requests with aws-cf-cd-env: green'],
  ])('%j', (traffic, words) => {
    expect(describePolicy(traffic)).toBe(words);
  });
});
