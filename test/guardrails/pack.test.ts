import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { StepGate, Strategy, guardrails, k8s } from '../../src';
import { mostly, strategyArb } from '../support/arbitraries';
import { findings, k8sChart, lambdaRollout, revision } from '../support/guardrails';
import { expectBuildsOrRefuses, expectCleanOutput } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

class NoManualApprovals implements guardrails.IGuardrailRule {
  public readonly id = 'TEAM-1';
  public readonly explanation = 'rollouts run unattended';
  public readonly fix = 'Replace manual approvals with StepGate.bake() or StepGate.analysis()';
  public check(subject: guardrails.GuardrailSubject): string[] {
    const approvals = subject.plan?.manualApprovals ?? 0;
    return approvals > 0 ? [`${approvals} manual approval`] : [];
  }
}

test('both packs hold the eight rules, in order', () => {
  const ids = ['CDS-R1', 'CDS-R2', 'CDS-R3', 'CDS-R4', 'CDS-R5', 'CDS-R6', 'CDS-R7', 'CDS-R8'];
  expect(guardrails.GuardrailPack.recommended().rules.map(r => r.id)).toEqual(ids);
  expect(guardrails.GuardrailPack.strict().rules.map(r => r.id)).toEqual(ids);
});

test('recommended and strict thresholds', () => {
  const explain = (pack: guardrails.GuardrailPack) => pack.rules.slice(0, 3).map(r => r.explanation);
  expect(explain(guardrails.GuardrailPack.recommended())).toEqual([
    'a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis',
    'the first step of a rollout sends at most 25% of traffic to the new version',
    'every bake or analysis step lasts at least 3m, and blue-green keeps the old environment at least 3m',
  ]);
  expect(explain(guardrails.GuardrailPack.strict())).toEqual([
    'a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis',
    'the first step of a rollout sends at most 10% of traffic to the new version',
    'every bake or analysis step lasts at least 10m, and blue-green keeps the old environment at least 10m',
  ]);
  const custom = guardrails.GuardrailPack.recommended({ maxFirstStepPercent: 5, minBakeTime: Duration.minutes(15) });
  expect(custom.rules.slice(1, 3).map(r => r.explanation)).toEqual([
    'the first step of a rollout sends at most 5% of traffic to the new version',
    'every bake or analysis step lasts at least 15m, and blue-green keeps the old environment at least 15m',
  ]);
});

test('a team rule joins a new pack and runs like the others', () => {
  const base = guardrails.GuardrailPack.recommended();
  const pack = base.withRule(new NoManualApprovals());
  expect(base.rules).toHaveLength(8);
  expect(pack.rules.map(r => r.id)).toContain('TEAM-1');
  const chart = k8sChart();
  new k8s.PlainCanary(chart, 'web', { strategy: Strategy.canary({ steps: [{ weight: 25, gate: StepGate.manualApproval() }] }), stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'), replicas: 4 });
  expect(findings(chart, 'TEAM-1', pack)).toEqual(['shop/web: 1 manual approval']);
  expect(findings(chart, 'TEAM-1')).toEqual([]);
});

test('withRule refuses a duplicate id or a rule without a fix', () => {
  const pack = guardrails.GuardrailPack.recommended();
  expectValidationError(() => pack.withRule({ id: 'CDS-R1', explanation: 'x', fix: 'y', check: () => [] }),
    'GuardrailPack recommended: withRule: id is "CDS-R1": the pack already has a rule with this id. Give the rule an id of its own, such as "TEAM-1".');
  expectValidationError(() => pack.withRule({ id: 'TEAM-2', explanation: 'x', fix: '', check: () => [] }),
    'GuardrailPack recommended: withRule: fix is "": a rule needs a non-empty fix. Write the rule\'s fix in one line.');
});

test('a rule that returns something else than an array fails with the library error', () => {
  const pack = guardrails.GuardrailPack.recommended().withRule({ id: 'TEAM-3', explanation: 'x', fix: 'y', check: () => true as any });
  expectValidationError(() => guardrails.Guardrails.report(lambdaRollout(Strategy.ALL_AT_ONCE).app, pack),
    'guardrail rule TEAM-3: check is true: a rule returns an array of findings (empty when the construct complies). Return [] or an array of strings.');
});

test('options are checked', () => {
  expectValidationError(() => guardrails.GuardrailPack.strict({ maxFirstStepPercent: 150 }),
    'BlastRadiusRule: maxFirstStepPercent is 150: it is a percentage of traffic above 0 and at most 100. Use a share such as 10.');
});

describe('random props', () => {
  // Two thresholds of each kind, so the property can compare a looser pack with a tighter one.
  const validPercentArb = fc.integer({ min: 1, max: 1000 }).map(t => t / 10);
  const validBakeArb = fc.integer({ min: 0, max: 120 }).map(m => Duration.minutes(m));
  const percentArb = mostly(validPercentArb);
  const bakeArb = mostly(validBakeArb);
  const caseArb = fc.record({
    strategy: strategyArb,
    backend: fc.constantFrom('plain', 'gateway'),
    percents: fc.tuple(percentArb, validPercentArb),
    bakes: fc.tuple(bakeArb, validBakeArb),
  });

  const ruleFindings = (chart: k8sChartType, pack: guardrails.GuardrailPack, ruleId: string) =>
    guardrails.Guardrails.report(chart, pack).findings.filter(f => f.ruleId === ruleId).map(f => f.path);

  test('a tighter threshold never drops a finding; strict finds at least what recommended finds; reports print cleanly', () => {
    expectBuildsOrRefuses(caseArb, ({ strategy, backend, percents, bakes }) => {
      const chart = k8sChart();
      const common = { strategy, stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0') };
      if (backend === 'plain') new k8s.PlainCanary(chart, 'web', { ...common, replicas: 10, weightTolerance: 50 });
      else new k8s.GatewayRollout(chart, 'web', { ...common, gateway: { name: 'public' } });

      // Odd thresholds are refused here; from then on both pairs are valid and can be ordered.
      [0, 1].forEach(i => guardrails.GuardrailPack.recommended({ maxFirstStepPercent: percents[i], minBakeTime: bakes[i] }));
      // null, like undefined, means the recommended default (as jsii passes an unset prop from other languages).
      const [tightPercent, loosePercent] = percents.map(p => p ?? 25).sort((a, b) => a - b);
      const [shortBake, longBake] = bakes.map(b => b ?? Duration.minutes(3)).sort((a, b) => a.toSeconds() - b.toSeconds());
      const loose = guardrails.GuardrailPack.recommended({ maxFirstStepPercent: loosePercent, minBakeTime: shortBake });
      const tight = guardrails.GuardrailPack.recommended({ maxFirstStepPercent: tightPercent, minBakeTime: longBake });
      for (const rule of ['CDS-R2', 'CDS-R3']) {
        expect(ruleFindings(chart, tight, rule)).toEqual(expect.arrayContaining(ruleFindings(chart, loose, rule)));
      }

      const recommended = guardrails.Guardrails.report(chart, guardrails.GuardrailPack.recommended());
      const strict = guardrails.Guardrails.report(chart, guardrails.GuardrailPack.strict());
      const ids = (r: guardrails.GuardrailReport) => r.findings.map(f => `${f.ruleId} ${f.path}`);
      expect(ids(strict)).toEqual(expect.arrayContaining(ids(recommended)));
      expectCleanOutput('guardrail report', strict.toTable());
    });
  });
});

type k8sChartType = ReturnType<typeof k8sChart>;
