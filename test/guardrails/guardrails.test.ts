import { Chart, Testing } from 'cdk8s';
import { Strategy, guardrails, k8s } from '../../src';
import { bake, dnsRollout, findings, lambdaRollout, revision } from '../support/guardrails';
import { expectValidationError } from '../support/validation-error';

const pack = guardrails.GuardrailPack.recommended();
const route53Canary = () => dnsRollout(Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }] }));
const R1_ROUTE53 = '[CDS-R1] Stack/Www: a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis '
  + '(canary 10% (bake 10m) → 100% on Route 53 weighted records: nothing rolls it back). '
  + 'Declare health checks (healthChecks on the strategy or the rollout, or addHealthCheck()) or add rollback alarms (addAlarm()) on AWS, '
  + 'or analysis gates (StepGate.analysis with an ArgoRollout or a FlaggerCanary) on Kubernetes, or use a backend that has them; '
  + 'drive Route 53, CloudFront and ALB weighted rollouts with RolloutDriver.stepFunctions(), which acts on their alarms; '
  + 'GatewayRollout, PlainCanary and PlainBlueGreen need a suppression saying what watches each step.';

function plainCanaryApp() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const web = new k8s.PlainCanary(chart, 'web', { strategy: Strategy.canary({ steps: [{ weight: 25, gate: bake(5) }] }), stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0'), replicas: 4 });
  return { app, chart, web };
}

describe('apply: synthesis fails on a violation', () => {
  test('cdk synth: the CDK app fails with the rule\'s message', () => {
    const { app } = route53Canary();
    guardrails.Guardrails.apply(app, pack);
    expect(() => app.synth()).toThrow(R1_ROUTE53);
  });

  test('cdk8s synth: the cdk8s app fails with the rule\'s message', () => {
    const { app } = plainCanaryApp();
    guardrails.Guardrails.apply(app, pack);
    expect(() => app.synth()).toThrow('[CDS-R1] shop/web: a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis');
  });

  test('a compliant app synthesizes, and applying to a stack or chart works too', () => {
    // A Lambda canary rolled back by the alarm on its alias' errors.
    const { app, stack } = lambdaRollout(Strategy.CANARY_10PERCENT_5MINUTES);
    guardrails.Guardrails.apply(stack, pack);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('suppressions', () => {
  test('a suppressed finding stays in the report with its reason and no longer fails synthesis (CDK)', () => {
    const { app, rollout } = route53Canary();
    guardrails.Guardrails.suppress(rollout, 'CDS-R1', '  a person checks the dashboards before each step  ');
    guardrails.Guardrails.apply(app, pack);
    expect(() => app.synth()).not.toThrow();
    const [finding] = guardrails.Guardrails.report(app, pack).findings;
    expect(finding).toEqual({
      ruleId: 'CDS-R1',
      path: 'Stack/Www',
      explanation: 'a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis',
      detail: 'canary 10% (bake 10m) → 100% on Route 53 weighted records: nothing rolls it back',
      fix: expect.stringMatching(/^Declare health checks/),
      suppressed: true,
      reason: 'a person checks the dashboards before each step',
    });
  });

  test('a suppression on a scope covers the constructs below it (cdk8s), and only its rule', () => {
    const { app, chart } = plainCanaryApp();
    guardrails.Guardrails.suppress(chart, 'CDS-R1', 'the pipeline reverts a failed step');
    guardrails.Guardrails.apply(app, guardrails.GuardrailPack.strict());
    expect(findings(chart, 'CDS-R1')).toEqual(['shop/web: canary 25% (bake 5m) → 100% on plain Kubernetes: nothing rolls it back [suppressed: the pipeline reverts a failed step]']);
    expect(() => app.synth()).toThrow(/\[CDS-R2\] shop\/web:/);
  });

  test('a suppression needs a reason', () => {
    const { rollout } = route53Canary();
    expectValidationError(() => guardrails.Guardrails.suppress(rollout, 'CDS-R1', '  '),
      'Guardrails.suppress: reason for CDS-R1 on Stack/Www is "  ": a suppression needs a written reason, which the report shows. '
      + 'Say why the rule does not apply here, such as "the pipeline runs smoke tests and a person advances each step".');
    expectValidationError(() => guardrails.Guardrails.suppress(rollout, '', 'why'),
      'Guardrails.suppress: ruleId is "": it must name a rule. Pass the id of the rule, such as "CDS-R1".');
  });
});

describe('report', () => {
  test('toTable lists rule, construct, status, finding and fix, with a summary', () => {
    const { app, rollout } = route53Canary();
    expect(guardrails.Guardrails.report(app, pack).toTable().split('\n')[0]).toBe('guardrails recommended: 1 violation, 0 suppressed');
    guardrails.Guardrails.suppress(rollout, 'CDS-R1', 'reviewed');
    const table = guardrails.Guardrails.report(app, pack).toTable();
    expect(table).toMatch(/^guardrails recommended: 0 violations, 1 suppressed\nrule +construct +status +finding +fix\n/);
    expect(table).toContain('CDS-R1  Stack/Www  suppressed: reviewed');
  });

  test('errors are the lines that fail synthesis', () => {
    expect(guardrails.Guardrails.report(route53Canary().app, pack).errors).toEqual([R1_ROUTE53]);
  });

  test('a clean app reports nothing', () => {
    expect(guardrails.Guardrails.report(Testing.app(), pack).toTable()).toBe('guardrails recommended: 0 violations, 0 suppressed');
  });

  test('bad arguments fail with the library error', () => {
    expectValidationError(() => guardrails.Guardrails.report(Testing.app(), {} as any),
      'Guardrails.report: pack is an object: it must be a GuardrailPack. Use GuardrailPack.recommended() or GuardrailPack.strict().');
    expectValidationError(() => guardrails.Guardrails.apply('app' as any, pack),
      'Guardrails.apply: scope is "app": it must be a construct. Pass the app, a stack or a chart, or the construct itself.');
  });
});
