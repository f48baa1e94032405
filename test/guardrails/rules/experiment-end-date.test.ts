import { Match, guardrails } from '../../../src';
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
