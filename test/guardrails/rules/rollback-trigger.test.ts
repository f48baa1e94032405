import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { aws, HealthCheck, Match, StepGate, Strategy, guardrails, k8s } from '../../../src';
import { guardrailFactsOf } from '../../../src/guardrails/private/facts';
import { testApp } from '../../support/cfn';
import { bake, dnsRollout, ecsService, findings, k8sChart, lambdaRollout, revision } from '../../support/guardrails';

const strict = guardrails.GuardrailPack.strict();

describe('CDS-R1 rollback trigger, AWS', () => {
  test('compliant: a Lambda canary with its default error-rate check', () => {
    expect(findings(lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES).app, 'CDS-R1')).toEqual([]);
  });

  test('compliant: a Lambda canary measured by the strategy\'s health checks, their alarms being rollback triggers', () => {
    const strategy = Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1) })]);
    const { app, rollout } = lambdaRollout(strategy);
    expect(findings(app, 'CDS-R1')).toEqual([]);
    expect(guardrailFactsOf(rollout).map(f => f.rollbackTriggers!().map(t => `${t.kind}: ${t.description}`))).toEqual([
      ['ALARM: health check latency-p99 (1 CloudWatch alarm)'],
    ]);
  });

  test('non-compliant: a Lambda canary without any alarm', () => {
    const { app } = lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES, { healthChecks: [] });
    expect(findings(app, 'CDS-R1')).toEqual(['Stack/Rollout: canary 10% (bake 5m) → 100% on CodeDeploy for Lambda: nothing rolls it back']);
  });

  test('an alarm added after construction counts', () => {
    const { app, stack, rollout } = lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES, { healthChecks: [] });
    rollout.addAlarm(new cloudwatch.Alarm(stack, 'Custom', { metric: rollout.alias.metricErrors(), threshold: 1, evaluationPeriods: 1 }));
    expect(findings(app, 'CDS-R1')).toEqual([]);
  });

  test('compliant: an ECS blue-green service (circuit breaker and its default health checks), in the strict pack too', () => {
    const { app, service } = ecsService(Strategy.BLUE_GREEN);
    expect(findings(app, 'CDS-R1')).toEqual([]);
    expect(findings(app, 'CDS-R1', strict)).toEqual([]);
    expect(guardrailFactsOf(service.nativeRollout!).map(f => f.rollbackTriggers!().map(t => `${t.kind}: ${t.description}`))).toEqual([[
      'HEALTH_CHECK: the ECS deployment circuit breaker',
      'ALARM: health checks error-rate, latency-p99 (4 CloudWatch alarms)',
    ]]);
  });

  test('an ECS service without health checks or alarms has only its circuit breaker, which neither pack accepts', () => {
    const { app } = ecsService(Strategy.BLUE_GREEN, { healthChecks: [] });
    const only = 'Stack/Web/Rollout: blue-green (bake 5m) on native ECS deployment: only the ECS deployment circuit breaker, a health signal';
    expect(findings(app, 'CDS-R1')).toEqual([only]);
    expect(findings(app, 'CDS-R1', strict)).toEqual([only]);
  });

  test('non-compliant: a Route 53 canary without a health check', () => {
    const { app } = dnsRollout(Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }] }));
    expect(findings(app, 'CDS-R1')).toEqual(['Stack/Www: canary 10% (bake 10m) → 100% on Route 53 weighted records: nothing rolls it back']);
  });

  test('a health signal alone (a Route 53 health check of the candidate) passes neither pack', () => {
    const { app } = dnsRollout(Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }] }), true);
    const only = 'Stack/Www: canary 10% (bake 10m) → 100% on Route 53 weighted records: only the Route 53 health check of the candidate, a health signal';
    expect(findings(app, 'CDS-R1')).toEqual([only]);
    expect(findings(app, 'CDS-R1', strict)).toEqual([only]);
  });

  test('nothing being released is not a finding: Route 53 and plain Kubernetes rollouts without a candidate (a rollback deploy)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    new aws.WeightedDnsRollout(stack, 'Www', {
      zone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
      recordName: 'www',
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }] }),
      stable: aws.DnsTarget.ipAddress('192.0.2.10'),
    });
    expect(findings(app, 'CDS-R1')).toEqual([]);
    const chart = k8sChart();
    new k8s.PlainCanary(chart, 'web', { strategy: Strategy.canary({ steps: [{ weight: 25, gate: bake(5) }] }), stable: revision('web', '1.0.0'), replicas: 4 });
    expect(findings(chart, 'CDS-R1')).toEqual([]);
  });

  test('all at once is left to CDS-R2', () => {
    expect(findings(lambdaRollout(Strategy.ALL_AT_ONCE, { healthChecks: [] }).app, 'CDS-R1')).toEqual([]);
  });
});

describe('CDS-R1 rollback trigger, Kubernetes', () => {
  test('compliant: an Argo canary with an analysis gate', () => {
    const chart = k8sChart();
    const template = new k8s.AnalysisTemplate(chart, 'ErrorRate', {
      name: 'error-rate',
      metrics: [k8s.AnalysisMetric.prometheus({ name: 'errors', address: 'http://prometheus.monitoring:9090', query: 'sum(rate(errors[1m]))', successCondition: 'result[0] < 1' })],
    });
    new k8s.ArgoRollout(chart, 'web', {
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) }] }),
      revision: revision('web', '1.0.0'),
      analysisTemplates: [template],
      replicas: 10,
    });
    expect(findings(chart, 'CDS-R1')).toEqual([]);
    expect(findings(chart, 'CDS-R1', strict)).toEqual([]);
  });

  test('non-compliant: an Argo blue-green rollout without analysis', () => {
    const chart = k8sChart();
    new k8s.ArgoRollout(chart, 'web', { strategy: Strategy.BLUE_GREEN, revision: revision('web', '1.0.0') });
    expect(findings(chart, 'CDS-R1')).toEqual(['shop/web: blue-green (bake 5m) on Argo Rollouts: nothing rolls it back']);
  });

  test('non-compliant: a plain canary and a Gateway rollout', () => {
    const chart = k8sChart();
    new k8s.PlainCanary(chart, 'web', { strategy: Strategy.canary({ steps: [{ weight: 25, gate: bake(5) }] }), stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'), replicas: 4 });
    new k8s.GatewayRollout(chart, 'api', {
      strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), gateway: { name: 'internal' }, stable: revision('api', '1.0.0'), candidate: revision('api', '2.0.0'),
    });
    expect(findings(chart, 'CDS-R1')).toEqual([
      'shop/web: canary 25% (bake 5m) → 100% on plain Kubernetes: nothing rolls it back',
      'shop/api: blue-green (test route header x-env=green, bake 5m) on Gateway API: nothing rolls it back',
    ]);
  });
});

test('strict refuses a health signal alone, as its explanation says', () => {
  expect(new guardrails.RollbackTriggerRule({ acceptHealthChecks: false }).explanation)
    .toBe('a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis');
});
