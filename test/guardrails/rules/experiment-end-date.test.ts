import { Annotations, Match as CfnMatch } from 'aws-cdk-lib/assertions';
import { Experiment, Match, guardrails } from '../../../src';
import { AT, albExperiment, findings, gatewayExperiment } from '../../support/guardrails';
import { expectValidationError } from '../../support/validation-error';

const variants = [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'b', weight: 10 }];

describe('CDS-R5 experiment end date, AWS', () => {
  test('compliant: an end date after the moment evaluated', () => {
    expect(findings(albExperiment(variants).app, 'CDS-R5')).toEqual([]);
  });

  test('non-compliant: no end date', () => {
    expect(findings(albExperiment(variants, null).app, 'CDS-R5')).toEqual(['Stack/Checkout: experiment "checkout" has no end date']);
  });

  test('non-compliant: an end date that has passed', () => {
    const { app } = albExperiment(variants, new Date('2026-12-31T00:00:00Z'));
    expect(findings(app, 'CDS-R5')).toEqual([
      'Stack/Checkout: experiment "checkout" ended on 2026-12-31T00:00:00.000Z (evaluated at 2027-01-01T00:00:00.000Z)',
    ]);
  });
});

describe('CDS-R5 reads both ends of the window', () => {
  test('compliant: a start date still to come, an end date after it; the ALB experiment warns that it renders the control', () => {
    const { app, stack } = albExperiment(variants, new Date('2027-06-30T00:00:00Z'), new Date('2027-02-01T00:00:00Z'));
    expect(findings(app, 'CDS-R5')).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Stack/Checkout', CfnMatch.stringLikeRegexp(
      'experiment "checkout" starts on 2027-02-01T00:00:00.000Z\\. The rules are rendered when the app is synthesized: deploy again on or after 2027-02-01T00:00:00.000Z to start the experiment\\.'));
  });

  test('non-compliant: a window that has ended names it; one with no end date says when it starts', () => {
    const ended = albExperiment(variants, new Date('2026-12-31T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(findings(ended.app, 'CDS-R5')).toEqual([
      'Stack/Checkout: experiment "checkout" ran from 2026-12-01T00:00:00.000Z and ended on 2026-12-31T00:00:00.000Z (evaluated at 2027-01-01T00:00:00.000Z)',
    ]);
    const open = albExperiment(variants, null, new Date('2027-02-01T00:00:00Z'));
    expect(findings(open.app, 'CDS-R5')).toEqual(['Stack/Checkout: experiment "checkout" has no end date (it starts on 2027-02-01T00:00:00.000Z)']);
  });

  test('non-compliant: a start that is not before the end, should a subject carry one', () => {
    const experiment = new Experiment({ name: 'checkout', variants, endDate: new Date('2027-06-30T00:00:00Z') });
    // The core refuses such a window; a JavaScript caller could still set it afterwards.
    (experiment as any).startDate = new Date('2027-07-01T00:00:00Z');
    const subject = { experiment } as unknown as guardrails.GuardrailSubject;
    expect(new guardrails.ExperimentEndDateRule({ at: AT }).check(subject)).toEqual([
      'experiment "checkout" starts on 2027-07-01T00:00:00.000Z, not before its end date 2027-06-30T00:00:00.000Z, so it never runs',
    ]);
  });
});

describe('CDS-R5 experiment end date, Kubernetes', () => {
  test('compliant, then non-compliant once the pack evaluates after the end date', () => {
    const { chart } = gatewayExperiment(variants);
    expect(findings(chart, 'CDS-R5')).toEqual([]);
    expect(findings(chart, 'CDS-R5', guardrails.GuardrailPack.recommended({ at: new Date('2027-07-01T00:00:00Z') }))).toEqual([
      'shop/checkout: experiment "checkout" ended on 2027-06-30T00:00:00.000Z (evaluated at 2027-07-01T00:00:00.000Z)',
    ]);
  });

  test('non-compliant: no end date', () => {
    expect(findings(gatewayExperiment(variants, null).chart, 'CDS-R5')).toEqual(['shop/checkout: experiment "checkout" has no end date']);
  });
});

test('without `at`, the rule evaluates at the moment it runs', () => {
  const { app } = albExperiment(variants, new Date('2000-01-01T00:00:00Z'));
  const pack = guardrails.GuardrailPack.recommended();
  expect(guardrails.Guardrails.report(app, pack).findings.filter(f => f.ruleId === 'CDS-R5')).toHaveLength(1);
  expect(AT.getTime()).toBeGreaterThan(0);
});

test('`at` must be a valid Date', () => {
  expectValidationError(() => new guardrails.ExperimentEndDateRule({ at: new Date('nope') }),
    'ExperimentEndDateRule: at is an invalid Date: it must be a valid Date. Pass the moment to evaluate at, such as new Date(), or leave it out.');
});
