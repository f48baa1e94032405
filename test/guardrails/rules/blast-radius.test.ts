import { Strategy, guardrails, k8s } from '../../../src';
import { bake, dnsRollout, ecsService, findings, k8sChart, lambdaRollout, revision } from '../../support/guardrails';
import { expectValidationError } from '../../support/validation-error';

const canary = (weight: number) => Strategy.canary({ steps: [{ weight, gate: bake(10) }] });

describe('CDS-R2 first-step blast radius, AWS', () => {
  test('compliant: a 25% first step in the recommended pack (at most 25%)', () => {
    expect(findings(ecsService(canary(25)).app, 'CDS-R2')).toEqual([]);
  });

  test('non-compliant: a 50% first step on Route 53', () => {
    expect(findings(dnsRollout(canary(50), true).app, 'CDS-R2')).toEqual(['Stack/Www: canary 50% (bake 10m) → 100% sends 50% of traffic in its first step']);
  });

  test('non-compliant: all at once is a blast radius of 100%', () => {
    expect(findings(lambdaRollout(Strategy.ALL_AT_ONCE).app, 'CDS-R2')).toEqual(['Stack/Rollout: all at once sends 100% of traffic in its first step']);
  });

  test('blue-green is exempt: its test route and its instant switch back bound the risk', () => {
    expect(findings(ecsService(Strategy.BLUE_GREEN).app, 'CDS-R2')).toEqual([]);
  });

  test('the strict pack allows 10%, and the threshold is an option', () => {
    const { app } = ecsService(canary(25));
    expect(findings(app, 'CDS-R2', guardrails.GuardrailPack.strict())).toEqual(['Stack/Web/Rollout: canary 25% (bake 10m) → 100% sends 25% of traffic in its first step']);
    expect(findings(app, 'CDS-R2', guardrails.GuardrailPack.strict({ maxFirstStepPercent: 30 }))).toEqual([]);
  });
});

describe('CDS-R2 first-step blast radius, Kubernetes', () => {
  test('the plan\'s rounding to whole replicas is what counts: 10% of 4 replicas is 1 replica, 25%', () => {
    const chart = k8sChart();
    new k8s.PlainCanary(chart, 'web', { strategy: canary(10), stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'), replicas: 4, weightTolerance: 20 });
    expect(findings(chart, 'CDS-R2')).toEqual([]);
    expect(findings(chart, 'CDS-R2', guardrails.GuardrailPack.strict())).toEqual(['shop/web: canary 10% (bake 10m) → 100% sends 25% of traffic in its first step']);
  });

  test('non-compliant: a Gateway rollout starting at 50%', () => {
    const chart = k8sChart();
    new k8s.GatewayRollout(chart, 'web', { strategy: canary(50), gateway: { name: 'public' }, stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0') });
    expect(findings(chart, 'CDS-R2')).toEqual(['shop/web: canary 50% (bake 10m) → 100% sends 50% of traffic in its first step']);
  });
});

test('the threshold is a percentage above 0 and at most 100', () => {
  expectValidationError(() => new guardrails.BlastRadiusRule({ maxFirstStepPercent: 0 }),
    'BlastRadiusRule: maxFirstStepPercent is 0: it is a percentage of traffic above 0 and at most 100. Use a share such as 10.');
});
