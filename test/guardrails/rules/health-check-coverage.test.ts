import { Duration } from 'aws-cdk-lib';
import { Experiment, guardrails, HealthCheck, Strategy } from '../../../src';
import { registerGuardrailFacts } from '../../../src/guardrails/private/facts';
import { findings, lambdaRollout, k8sChart } from '../../support/guardrails';

const pack = guardrails.GuardrailPack.recommended();
const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const canary = Strategy.canary({ steps: [{ weight: 10, gate: Strategy.CANARY_10PERCENT_5MINUTES.steps[0].gate! }] });

describe('CDS-R8 health check coverage', () => {
  test('compliant: the strategy\'s checks, measured by the backend', () => {
    expect(findings(lambdaRollout(canary.withHealthChecks([errorRate])).app, 'CDS-R8', pack)).toEqual([]);
  });

  test('compliant: nothing declared, and the backend measures its defaults (a Lambda function\'s error rate)', () => {
    expect(findings(lambdaRollout(canary).app, 'CDS-R8', pack)).toEqual([]);
  });

  test('non-compliant: no health check at all (the rollout drops the defaults)', () => {
    expect(findings(lambdaRollout(canary, { healthChecks: [] }).app, 'CDS-R8', pack)).toEqual([
      'Stack/Rollout: canary 10% (bake 5m) → 100% on CodeDeploy for Lambda: nothing measures the new version (no health check is declared)',
    ]);
  });

  test('non-compliant: checks declared on a backend that does not measure them', () => {
    const chart = k8sChart();
    const plan = canary.withHealthChecks([errorRate, HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1) })]).plan();
    registerGuardrailFacts(chart, { platform: 'k8s', backend: 'a static route', plan, healthChecks: () => [] });
    expect(findings(chart, 'CDS-R8', pack)).toEqual([
      'shop: canary 10% (bake 5m) → 100% on a static route: nothing measures the new version (its 2 health checks are declared, but a static route does not measure them)',
    ]);
  });

  test('experiments: every variant and the control, or a finding naming them', () => {
    const chart = k8sChart();
    const measured = new Experiment({ name: 'measured', variants: [{ name: 'b', weight: 10 }], healthChecks: [errorRate] });
    const unmeasured = new Experiment({ name: 'unmeasured', variants: [{ name: 'b', weight: 10 }, { name: 'c', weight: 5 }] });
    registerGuardrailFacts(chart.node.root, { platform: 'k8s', backend: 'Gateway API', experiment: measured });
    registerGuardrailFacts(chart, { platform: 'k8s', backend: 'Gateway API', experiment: unmeasured });
    expect(findings(chart.node.root, 'CDS-R8', pack)).toEqual([
      'shop: experiment "unmeasured" on Gateway API: nothing measures variants b, c, control (no health check is declared)',
    ]);
  });

  test('compliant: a rollout watched by alarms or an analysis of the user\'s own, though no health check is declared', () => {
    const chart = k8sChart();
    registerGuardrailFacts(chart, {
      platform: 'k8s',
      backend: 'Argo Rollouts',
      plan: canary.plan(),
      healthChecks: () => [],
      rollbackTriggers: () => [{ kind: 'ANALYSIS', description: 'analysis error-rate' }],
    });
    expect(findings(chart, 'CDS-R8', pack)).toEqual([]);
  });

  test('non-compliant: a health signal alone (a circuit breaker) measures no request', () => {
    const chart = k8sChart();
    registerGuardrailFacts(chart, {
      platform: 'k8s',
      backend: 'a static route',
      plan: canary.plan(),
      healthChecks: () => [],
      rollbackTriggers: () => [{ kind: 'HEALTH_CHECK', description: 'the circuit breaker' }],
    });
    expect(findings(chart, 'CDS-R8', pack)).toEqual([
      'shop: canary 10% (bake 5m) → 100% on a static route: nothing measures the new version (no health check is declared)',
    ]);
  });

  test('is part of both packs', () => {
    expect(guardrails.GuardrailPack.recommended().rules.map(r => r.id)).toContain('CDS-R8');
    expect(guardrails.GuardrailPack.strict().rules.map(r => r.id)).toContain('CDS-R8');
    expect(() => guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule())).toThrow('the pack already has a rule with this id');
  });
});
