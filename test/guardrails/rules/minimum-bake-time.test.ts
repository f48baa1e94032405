import { Duration } from 'aws-cdk-lib';
import { StepGate, Strategy, guardrails, k8s } from '../../../src';
import { bake, ecsService, findings, k8sChart, lambdaRollout, revision } from '../../support/guardrails';
import { expectValidationError } from '../../support/validation-error';

describe('CDS-R3 minimum bake time, AWS', () => {
  test('compliant: CANARY_10PERCENT_5MINUTES in the recommended pack (3 minutes)', () => {
    expect(findings(lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES).app, 'CDS-R3')).toEqual([]);
  });

  test('non-compliant: a linear strategy of one minute a step, reported once for the rollout', () => {
    expect(findings(lambdaRollout(Strategy.LINEAR_10PERCENT_EVERY_1MINUTE).app, 'CDS-R3')).toEqual([
      'Stack/Rollout: ' + [1, 2, 3, 4, 5, 6, 7, 8, 9].map(i => `step ${i} (${i * 10}%) is held by bake 1m`).join(', '),
    ]);
  });

  test('non-compliant: a blue-green service that releases the old environment at once', () => {
    expect(findings(ecsService(Strategy.blueGreen({ bakeTime: Duration.seconds(0) })).app, 'CDS-R3'))
      .toEqual(['Stack/Web/Rollout: the old environment is released right after the switch (bakeTime 0)']);
  });

  test('the strict pack wants 10 minutes, and the minimum is an option', () => {
    const { app } = lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES);
    expect(findings(app, 'CDS-R3', guardrails.GuardrailPack.strict())).toEqual(['Stack/Rollout: step 1 (10%) is held by bake 5m']);
    expect(findings(app, 'CDS-R3', guardrails.GuardrailPack.strict({ minBakeTime: Duration.minutes(5) }))).toEqual([]);
  });
});

describe('CDS-R3 minimum bake time, Kubernetes', () => {
  test('compliant: manual approvals have no minimum', () => {
    const chart = k8sChart();
    new k8s.PlainCanary(chart, 'web', {
      strategy: Strategy.canary({ steps: [{ weight: 25, gate: StepGate.manualApproval() }] }), stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'), replicas: 4,
    });
    expect(findings(chart, 'CDS-R3')).toEqual([]);
  });

  test('non-compliant: a two-minute bake on a Gateway rollout', () => {
    const chart = k8sChart();
    new k8s.GatewayRollout(chart, 'web', {
      strategy: Strategy.canary({ steps: [{ weight: 10, gate: bake(2) }, { weight: 50, gate: bake(10) }] }), gateway: { name: 'public' }, stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'),
    });
    expect(findings(chart, 'CDS-R3')).toEqual(['shop/web: step 1 (10%) is held by bake 2m']);
  });
});

test('the minimum is a Duration', () => {
  expectValidationError(() => new guardrails.MinimumBakeTimeRule({ minBakeTime: 5 as any }),
    'MinimumBakeTimeRule: minBakeTime is 5: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use a Duration such as Duration.minutes(5).');
});
