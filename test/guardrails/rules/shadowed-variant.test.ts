import { Match } from '../../../src';
import { albExperiment, findings, gatewayExperiment } from '../../support/guardrails';
import { expectValidationError } from '../../support/validation-error';

describe('CDS-R6 shadowed variants, AWS', () => {
  test('compliant: two different header values', () => {
    const { app } = albExperiment([{ name: 'a', match: Match.header('x-group', 'a') }, { name: 'b', match: Match.header('x-group', 'b') }]);
    expect(findings(app, 'CDS-R6')).toEqual([]);
  });

  test('non-compliant matches that differ by case alone never reach the guardrails: the AlbExperiment refuses them', () => {
    expect(() => albExperiment([{ name: 'a', match: Match.header('x-group', 'beta') }, { name: 'b', match: Match.header('X-Group', 'BETA') }]))
      .toThrow(/the ALB compares header names and values, cookies and query parameters without regard to case/);
  });
});

describe('CDS-R6 shadowed variants, Kubernetes', () => {
  test('compliant: an exact value the earlier regular expression does not match', () => {
    const { chart } = gatewayExperiment([
      { name: 'mobile', match: Match.headerRegex('user-agent', '.*Mobile.*') },
      { name: 'desktop', match: Match.header('user-agent', 'Desktop') },
    ]);
    expect(findings(chart, 'CDS-R6')).toEqual([]);
  });

  test('non-compliant: a later exact value that an earlier regular expression matches receives nothing', () => {
    const { chart } = gatewayExperiment([
      { name: 'mobile', match: Match.headerRegex('user-agent', '.*Mobile.*') },
      { name: 'iphone', match: Match.header('User-Agent', 'iPhone Mobile') },
    ]);
    expect(findings(chart, 'CDS-R6')).toEqual([
      'shop/checkout: variant "iphone" (header User-Agent=iPhone Mobile) receives no request: its value matches the regular expression of variant "mobile" (header user-agent~/.*Mobile.*/), evaluated first on Gateway API',
    ]);
  });

  test('non-compliant: a later regular expression that matches an earlier exact value loses those requests', () => {
    const { chart } = gatewayExperiment([
      { name: 'beta', match: Match.header('x-group', 'beta') },
      { name: 'all', match: Match.headerRegex('x-group', '.+') },
    ]);
    expect(findings(chart, 'CDS-R6')).toEqual([
      'shop/checkout: variant "all" (header x-group~/.+/) loses the requests its regular expression shares with variant "beta" (header x-group=beta), evaluated first on Gateway API',
    ]);
  });

  test('identical matches are refused by the Experiment itself', () => {
    expectValidationError(() => gatewayExperiment([{ name: 'a', match: Match.cookie('beta', 'true') }, { name: 'b', match: Match.cookie('beta', 'true') }]),
      'Experiment "checkout": variants[1].match is "cookie beta=true": variant "a" already has this match, so the same requests would be split twice. Give each variant its own match, or merge the two variants.');
  });
});
