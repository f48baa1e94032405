import { Match, Strategy, guardrails } from '../../src';
import { ecsService, gatewayExperiment } from '../support/guardrails';

/** The subjects a pack sees, through a team rule that records them. */
function subjects(scope: { node: any }): guardrails.GuardrailSubject[] {
  const seen: guardrails.GuardrailSubject[] = [];
  const pack = guardrails.GuardrailPack.recommended().withRule({ id: 'SPY', explanation: 'x', fix: 'y', check: s => (seen.push(s), []) });
  guardrails.Guardrails.report(scope as any, pack);
  return seen;
}

test('an ECS service is one subject: its native rollout, with the plan, triggers and test route', () => {
  const { app, service } = ecsService(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }));
  const [subject] = subjects(app);
  expect(subject.construct).toBe(service.nativeRollout);
  expect(subject.platform).toBe(guardrails.GuardrailPlatform.AWS);
  expect(subject.plan).toBe(service.plan);
  expect(subject.rollbackTriggers).toEqual([
    { kind: guardrails.RollbackTriggerKind.HEALTH_CHECK, description: 'the ECS deployment circuit breaker' },
    { kind: guardrails.RollbackTriggerKind.ALARM, description: 'health checks error-rate, latency-p99 (4 CloudWatch alarms)' },
  ]);
  expect(subject.testRoute).toEqual({ description: 'header x-env=green', sources: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] });
});

test('a Gateway experiment: its evaluation order, values compared with case', () => {
  const { chart } = gatewayExperiment([{ name: 'b', weight: 10 }, { name: 'beta', match: Match.header('x-beta', 'true') }]);
  const [subject] = subjects(chart);
  expect(subject.platform).toBe(guardrails.GuardrailPlatform.KUBERNETES);
  expect(subject.evaluationOrder).toEqual(['beta']);
  expect(subject.caseInsensitiveValues).toBe(false);
  expect(subject.experiment?.name).toBe('checkout');
});
