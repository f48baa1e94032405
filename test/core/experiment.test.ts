import { Duration, Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Experiment, ExperimentProps, Match, StrategyErrors, VariantAllocation } from '../../src';
import { expectValidationError, thrownBy } from '../support/validation-error';

// A fixed moment, so that no test depends on the real clock.
const NOW = new Date('2026-06-01T12:00:00Z');
const END = new Date('2026-07-01T00:00:00Z');

const DNS_LABEL_LIMIT = 'a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit';

function experiment(props: Partial<ExperimentProps> = {}): Experiment {
  return new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }], ...props });
}

/** Sums the weights of the allocations drawing from the same requests (same match, or everyone else), in tenths. */
function tenthsByGroup(allocations: VariantAllocation[]): Map<string, number> {
  const groups = new Map<string, number>();
  for (const a of allocations) {
    const key = a.match ? a.match.describe() : 'everyone else';
    groups.set(key, (groups.get(key) ?? 0) + Math.round(a.weight * 10));
  }
  return groups;
}

describe('Experiment allocations', () => {
  const mixed = new Experiment({
    name: 'new-checkout',
    variants: [
      { name: 'one-click', weight: 10 },
      { name: 'beta-testers', match: Match.cookie('beta', 'true') },
      { name: 'two-step', weight: 12.5 },
      { name: 'mobile', match: Match.headerRegex('user-agent', '.*Mobile.*'), weight: 25 },
    ],
  });

  test('puts matched variants first in declared order, then weight-only variants, then the control with the remainder', () => {
    expect(mixed.allocations(NOW)).toEqual([
      { variant: 'beta-testers', isControl: false, weight: 100, match: Match.cookie('beta', 'true') },
      { variant: 'mobile', isControl: false, weight: 25, match: Match.headerRegex('user-agent', '.*Mobile.*') },
      { variant: 'control', isControl: true, weight: 75, match: Match.headerRegex('user-agent', '.*Mobile.*') },
      { variant: 'one-click', isControl: false, weight: 10 },
      { variant: 'two-step', isControl: false, weight: 12.5 },
      { variant: 'control', isControl: true, weight: 77.5 },
    ]);
  });

  test('a matched variant with weight below 100 leaves the rest of its matching requests on the control', () => {
    const e = experiment({ variants: [{ name: 'mobile', match: Match.header('x-device', 'mobile'), weight: 30 }] });

    const allocations = e.allocations(NOW);

    expect(allocations).toHaveLength(3);
    expect(allocations[0]).toEqual({ variant: 'mobile', isControl: false, weight: 30, match: Match.header('x-device', 'mobile') });
    expect(allocations[1].isControl).toBe(true);
    expect(allocations[1].weight).toBe(70);
    expect(allocations[1].match!.sameAs(Match.header('x-device', 'mobile'))).toBe(true);
  });

  test('a matched variant at 100 takes all its matching requests, with no control share for that match', () => {
    const e = experiment({ variants: [{ name: 'beta', match: Match.queryParameter('variant', 'b'), weight: 100 }] });

    expect(e.allocations(NOW)).toEqual([
      { variant: 'beta', isControl: false, weight: 100, match: Match.queryParameter('variant', 'b') },
      { variant: 'control', isControl: true, weight: 100 },
    ]);
  });

  test('the weights of each group of requests add up to exactly 100', () => {
    const groups = tenthsByGroup(mixed.allocations(NOW));

    expect([...groups.keys()]).toEqual(['cookie beta=true', 'header user-agent~/.*Mobile.*/', 'everyone else']);
    for (const tenths of groups.values()) expect(tenths).toBe(1000);
  });

  test('the weight-only group adds up to 100 even with weights that are inexact in floating point', () => {
    const e = experiment({ variants: [{ name: 'b', weight: 60 }, { name: 'c', weight: 39.9 }] });

    const allocations = e.allocations(NOW);

    expect(allocations[allocations.length - 1]).toEqual({ variant: 'control', isControl: true, weight: 0.1 });
    expect(tenthsByGroup(allocations).get('everyone else')).toBe(1000);
  });

  test('the control keeps all unmatched requests when every variant has a match', () => {
    const e = experiment({ variants: [{ name: 'beta', match: Match.cookie('beta', 'true') }] });

    expect(e.allocations(NOW).filter(a => a.match === undefined)).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
  });

  test('an inactive experiment allocates 100% to the control', () => {
    const off = new Experiment({
      name: 'new-checkout',
      enabled: false,
      variants: [{ name: 'beta', match: Match.cookie('beta', 'true') }, { name: 'b', weight: 40 }],
    });
    const ended = experiment({ endDate: END });

    expect(off.allocations(NOW)).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
    expect(ended.allocations(new Date('2026-07-02T00:00:00Z'))).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
    expect(ended.allocations(NOW)).toHaveLength(2);
  });
});

describe('Experiment control', () => {
  test('is named "control" by default', () => {
    const e = experiment();

    expect(e.control).toBe('control');
    expect(e.allocations(NOW).filter(a => a.isControl).map(a => a.variant)).toEqual(['control']);
  });

  test('takes a custom name, used in every control allocation', () => {
    const e = experiment({
      control: 'classic',
      variants: [{ name: 'mobile', match: Match.header('x-device', 'mobile'), weight: 50 }, { name: 'b', weight: 10 }],
    });

    expect(e.control).toBe('classic');
    const controls = e.allocations(NOW).filter(a => a.isControl);
    expect(controls.map(a => a.variant)).toEqual(['classic', 'classic']);
    expect(controls.map(a => a.weight)).toEqual([50, 90]);
  });

  test('an inactive experiment sends everyone to the custom control', () => {
    const e = experiment({ control: 'classic', enabled: false });

    expect(e.allocations(NOW)).toEqual([{ variant: 'classic', isControl: true, weight: 100 }]);
  });
});

describe('Experiment variants', () => {
  test('a matched variant without a weight is normalized to 100', () => {
    const e = experiment({ variants: [{ name: 'beta', match: Match.cookie('beta', 'true') }] });

    expect(e.variants).toEqual([{ name: 'beta', match: Match.cookie('beta', 'true'), weight: 100 }]);
  });

  test('weights are normalized to tenths of a percent', () => {
    const e = experiment({ variants: [{ name: 'b', weight: 0.1 + 0.2 }, { name: 'c', weight: 12.5 }] });

    expect(e.variants.map(v => v.weight)).toEqual([0.3, 12.5]);
  });

  test('a weight-only variant has no match', () => {
    const e = experiment({ variants: [{ name: 'b', weight: 10 }] });

    expect(e.variants[0].match).toBeUndefined();
    expect(e.variants[0].name).toBe('b');
  });
});

describe('Experiment stickiness', () => {
  test('is kept in whole seconds', () => {
    const e = experiment({ stickiness: Duration.days(1) });

    expect(e.stickiness!.toSeconds()).toBe(86400);
  });

  test('is undefined when not set', () => {
    expect(experiment().stickiness).toBeUndefined();
  });

  test('accepts one second, the minimum', () => {
    expect(experiment({ stickiness: Duration.seconds(1) }).stickiness!.toSeconds()).toBe(1);
  });
});

describe('Experiment isActive and inactiveReason', () => {
  test('an enabled experiment without an end date is active', () => {
    const e = experiment();

    expect(e.enabled).toBe(true);
    expect(e.isActive(NOW)).toBe(true);
    expect(e.inactiveReason(NOW)).toBeUndefined();
  });

  test('a switched off experiment is inactive, with the reason', () => {
    const e = experiment({ enabled: false });

    expect(e.enabled).toBe(false);
    expect(e.isActive(NOW)).toBe(false);
    expect(e.inactiveReason(NOW)).toBe('experiment "checkout" is switched off');
  });

  test('an experiment is active before its end date', () => {
    const e = experiment({ endDate: END });

    expect(e.isActive(new Date('2026-06-30T23:59:59Z'))).toBe(true);
    expect(e.inactiveReason(new Date('2026-06-30T23:59:59Z'))).toBeUndefined();
  });

  test('an experiment past its end date is inactive, with the reason', () => {
    const e = experiment({ endDate: END });
    const later = new Date('2026-08-01T00:00:00Z');

    expect(e.isActive(later)).toBe(false);
    expect(e.inactiveReason(later)).toBe('experiment "checkout" ended on 2026-07-01T00:00:00.000Z');
  });

  test('an experiment ends exactly at its end date', () => {
    const e = experiment({ endDate: END });

    expect(e.isActive(new Date(END.getTime()))).toBe(false);
  });

  test('being switched off is the reason given when an experiment is also past its end date', () => {
    const e = experiment({ endDate: END, enabled: false });

    expect(e.inactiveReason(new Date('2026-08-01T00:00:00Z'))).toBe('experiment "checkout" is switched off');
  });
});

describe('Experiment startDate', () => {
  const START = new Date('2026-06-15T08:00:00Z');

  test('before its start date everyone is on the control; from it the experiment runs, until its end date', () => {
    const e = experiment({ startDate: START, endDate: END });
    expect(e.startDate).toEqual(START);
    expect(e.inactiveReason(NOW)).toBe('experiment "checkout" starts on 2026-06-15T08:00:00.000Z');
    expect(e.allocations(NOW)).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
    expect(e.isActive(new Date(START.getTime() - 1))).toBe(false);
    expect(e.isActive(START)).toBe(true);
    expect(e.allocations(START).map(a => [a.variant, a.weight])).toEqual([['b', 10], ['control', 90]]);
    expect(e.isActive(END)).toBe(false);
  });

  test('being switched off is the reason given before the start date too', () => {
    expect(experiment({ startDate: START, enabled: false }).inactiveReason(NOW)).toBe('experiment "checkout" is switched off');
  });

  test('the table shows the window', () => {
    const lines = experiment({ startDate: START, endDate: END }).toTable(NOW).split('\n');
    expect(lines[0]).toBe('experiment checkout (inactive: experiment "checkout" starts on 2026-06-15T08:00:00.000Z)');
    expect(lines.slice(-2)).toEqual(['starts: 2026-06-15T08:00:00.000Z', 'ends: 2026-07-01T00:00:00.000Z']);
  });

  test.each([
    ['a start on the end date', { startDate: END, endDate: END },
      'Experiment "checkout": startDate is "2026-07-01T00:00:00.000Z": it is not before the end date, 2026-07-01T00:00:00.000Z, so the experiment would never run. Set a start date before the end date, or move the end date later.'],
    ['a start after the end date', { startDate: new Date('2026-08-01T00:00:00Z'), endDate: END },
      'Experiment "checkout": startDate is "2026-08-01T00:00:00.000Z": it is not before the end date, 2026-07-01T00:00:00.000Z, so the experiment would never run. Set a start date before the end date, or move the end date later.'],
    ['a start date that is a string', { startDate: 'monday' as any },
      'Experiment "checkout": startDate is "monday": it must be a valid Date. Pass a date such as new Date("2027-01-04T08:00:00Z").'],
    ['a start date that is an invalid Date', { startDate: new Date('soon') },
      'Experiment "checkout": startDate is an invalid Date: it must be a valid Date. Pass a date such as new Date("2027-01-04T08:00:00Z").'],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(() => experiment(props), message);
  });
});

describe('Experiment toTable', () => {
  const e = new Experiment({
    name: 'new-checkout',
    control: 'classic',
    variants: [
      { name: 'mobile', match: Match.headerRegex('user-agent', '.*Mobile.*'), weight: 25 },
      { name: 'one-click', weight: 12.5 },
    ],
    stickiness: Duration.hours(1),
    endDate: END,
  });

  test('lists the experiment, each allocation row, stickiness and end date', () => {
    const lines = e.toTable(NOW).split('\n');

    expect(lines[0]).toBe('experiment new-checkout');
    expect(lines[1]).toMatch(/^requests\s+variant\s+share$/);
    expect(lines[2]).toMatch(/^header user-agent~\/\.\*Mobile\.\*\/\s+mobile\s+25%$/);
    expect(lines[3]).toMatch(/^header user-agent~\/\.\*Mobile\.\*\/\s+classic \(control\)\s+75%$/);
    expect(lines[4]).toMatch(/^everyone else\s+one-click\s+12\.5%$/);
    expect(lines[5]).toMatch(/^everyone else\s+classic \(control\)\s+87\.5%$/);
    expect(lines[6]).toBe('stickiness: 1h');
    expect(lines[7]).toBe('ends: 2026-07-01T00:00:00.000Z');
    expect(lines).toHaveLength(8);
  });

  test('says why an inactive experiment sends everyone to the control', () => {
    const lines = e.toTable(new Date('2026-08-01T00:00:00Z')).split('\n');

    expect(lines[0]).toBe('experiment new-checkout (inactive: experiment "new-checkout" ended on 2026-07-01T00:00:00.000Z)');
    expect(lines[2]).toMatch(/^everyone else\s+classic \(control\)\s+100%$/);
    expect(lines).toHaveLength(5);
  });

  test('shows no stickiness and no end date when they are not set, and the default control without a suffix', () => {
    const table = experiment({ enabled: false }).toTable(NOW);

    expect(table).toContain('experiment checkout (inactive: experiment "checkout" is switched off)');
    expect(table).toMatch(/\neveryone else\s+control\s+100%\n/);
    expect(table).not.toContain('(control)');
    expect(table).toContain('\nstickiness: none\n');
    expect(table.endsWith('\nends: when switched off')).toBe(true);
  });
});

describe('Experiment validation', () => {
  const match = Match.cookie('beta', 'true');

  test.each<[string, () => unknown, string]>([
    ['props that are not an object', () => new Experiment(undefined as any),
      'Experiment: props is undefined: it must be an object. Pass an object such as { name: "checkout", variants: [{ name: "b", weight: 10 }] }.'],
    ['props that are an array', () => new Experiment([] as any),
      'Experiment: props is an empty array: it must be an object. Pass an object such as { name: "checkout", variants: [{ name: "b", weight: 10 }] }.'],
    ['a name that is not a DNS label', () => experiment({ name: 'New_Checkout' }),
      'Experiment: name is "New_Checkout": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "new-checkout".'],
    ['a name longer than 63 characters', () => experiment({ name: 'a'.repeat(64) }),
      `Experiment: name is "${'a'.repeat(64)}": ${DNS_LABEL_LIMIT}. Use a name such as "new-checkout".`],
    ['a missing name', () => new Experiment({ variants: [{ name: 'b', weight: 10 }] } as any),
      'Experiment: name is undefined: a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "new-checkout".'],
    ['a control name that is not a DNS label', () => experiment({ control: 'Classic' }),
      'Experiment "checkout": control is "Classic": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "control".'],
    ['an empty control name', () => experiment({ control: '' }),
      'Experiment "checkout": control is "": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "control".'],
    ['variants that are not an array', () => experiment({ variants: 'x' as any }),
      'Experiment "checkout": variants is "x": it must be an array. Pass variants such as [{ name: "b", weight: 10 }].'],
    ['missing variants', () => new Experiment({ name: 'checkout' } as any),
      'Experiment "checkout": variants is undefined: it must be an array. Pass variants such as [{ name: "b", weight: 10 }].'],
    ['no variants', () => experiment({ variants: [] }),
      'Experiment "checkout": variants is an empty array: an experiment needs at least one variant besides the control. Add a variant such as { name: "b", weight: 10 }.'],
    ['a variant that is not an object', () => experiment({ variants: [{ name: 'b', weight: 10 }, 'c' as any] }),
      'Experiment "checkout": variants[1] is "c": it must be an object. Each variant is an object such as { name: "b", weight: 10 }.'],
    ['a null variant', () => experiment({ variants: [null as any] }),
      'Experiment "checkout": variants[0] is null: it must be an object. Each variant is an object such as { name: "b", weight: 10 }.'],
    ['a variant name that is not a DNS label', () => experiment({ variants: [{ name: 'Variant B', weight: 10 }] }),
      'Experiment "checkout": variants[0].name is "Variant B": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "variant-b".'],
    ['a variant name that is not a string', () => experiment({ variants: [{ name: 5 as any, weight: 10 }] }),
      'Experiment "checkout": variants[0].name is 5: a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "variant-b".'],
    ['two variants with the same name', () => experiment({ variants: [{ name: 'b', weight: 10 }, { name: 'b', match }] }),
      'Experiment "checkout": variants[1].name is "b": another variant has this name. Give every variant and the control a distinct name.'],
    ['a variant named like the default control', () => experiment({ variants: [{ name: 'control', weight: 10 }] }),
      'Experiment "checkout": variants[0].name is "control": it is the control\'s name. Give every variant and the control a distinct name.'],
    ['a variant named like a custom control', () => experiment({ control: 'classic', variants: [{ name: 'classic', match }] }),
      'Experiment "checkout": variants[0].name is "classic": it is the control\'s name. Give every variant and the control a distinct name.'],
    ['a match that is a plain object', () => experiment({ variants: [{ name: 'b', match: { kind: 'COOKIE', name: 'beta', value: 'true' } as any }] }),
      'Experiment "checkout": variants[0].match is an object: a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").'],
    ['a match that is a string', () => experiment({ variants: [{ name: 'b', match: 'cookie beta=true' as any }] }),
      'Experiment "checkout": variants[0].match is "cookie beta=true": a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").'],
    ['a variant with neither match nor weight', () => experiment({ variants: [{ name: 'b' }] }),
      'Experiment "checkout": variants[0].weight is undefined: a variant without a match needs a weight, or it would receive nobody. Set a weight such as 10 (percent of requests), or a match.'],
    ['a weight that is a string', () => experiment({ variants: [{ name: 'b', weight: '10' as any }] }),
      'Experiment "checkout": variants[0].weight is "10": a weight is a number, a percentage of traffic. Use a weight from 0.1 to 100.'],
    ['a weight that is NaN', () => experiment({ variants: [{ name: 'b', weight: NaN }] }),
      'Experiment "checkout": variants[0].weight is NaN: a weight is a number, a percentage of traffic. Use a weight from 0.1 to 100.'],
    ['a null weight on a matched variant', () => experiment({ variants: [{ name: 'b', match, weight: null as any }] }),
      'Experiment "checkout": variants[0].weight is null: a weight is a number, a percentage of traffic. Use a weight from 0.1 to 100.'],
    ['a weight of 0', () => experiment({ variants: [{ name: 'b', weight: 0 }] }),
      'Experiment "checkout": variants[0].weight is 0: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.'],
    ['a weight above 100 on a matched variant', () => experiment({ variants: [{ name: 'b', match, weight: 101 }] }),
      'Experiment "checkout": variants[0].weight is 101: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.'],
    ['a negative weight', () => experiment({ variants: [{ name: 'b', weight: -5 }] }),
      'Experiment "checkout": variants[0].weight is -5: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.'],
    ['a weight finer than 0.1%', () => experiment({ variants: [{ name: 'b', weight: 12.34 }] }),
      'Experiment "checkout": variants[0].weight is 12.34: the finest split any backend supports is 0.1%. Round the weight to one decimal place, for example 12.3.'],
    ['weight-only variants that add up to exactly 100', () => experiment({ variants: [{ name: 'b', weight: 60 }, { name: 'c', weight: 40 }] }),
      'Experiment "checkout": the sum of the weights of variants without a match is 100: the weights of variants without a match add up to 100% or more, leaving the control no users. Lower the weights so that they add up to less than 100; the control keeps the rest.'],
    ['weight-only variants that add up to more than 100', () => experiment({ variants: [{ name: 'b', weight: 60 }, { name: 'c', match, weight: 90 }, { name: 'd', weight: 60.5 }] }),
      'Experiment "checkout": the sum of the weights of variants without a match is 120.5: the weights of variants without a match add up to 100% or more, leaving the control no users. Lower the weights so that they add up to less than 100; the control keeps the rest.'],
    ['a stickiness that is a number', () => experiment({ stickiness: 60 as any }),
      'Experiment "checkout": stickiness is 60: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use at least Duration.seconds(1), or leave stickiness out.'],
    ['a null stickiness', () => experiment({ stickiness: null as any }),
      'Experiment "checkout": stickiness is null: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use at least Duration.seconds(1), or leave stickiness out.'],
    ['a stickiness that is an unresolved token', () => experiment({
      stickiness: { toSeconds: () => 5, toHumanString: () => '5 seconds', isUnresolved: () => true, resolve: () => 5 } as any,
    }),
    'Experiment "checkout": stickiness is an unresolved token: the traffic plan needs a concrete duration. Pass a literal Duration, not a token.'],
    ['a stickiness that is not whole seconds', () => experiment({ stickiness: Duration.millis(1500) }),
      'Experiment "checkout": stickiness is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.'],
    ['a stickiness of 0 seconds', () => experiment({ stickiness: Duration.seconds(0) }),
      'Experiment "checkout": stickiness is 0 seconds: it must be at least 1 second. Use at least Duration.seconds(1), or leave stickiness out.'],
    ['an end date that is a string', () => experiment({ endDate: 'tomorrow' as any }),
      'Experiment "checkout": endDate is "tomorrow": it must be a valid Date. Pass a date such as new Date("2027-01-31T00:00:00Z").'],
    ['an end date that is an invalid Date', () => experiment({ endDate: new Date('not a date') }),
      'Experiment "checkout": endDate is an invalid Date: it must be a valid Date. Pass a date such as new Date("2027-01-31T00:00:00Z").'],
    ['enabled that is not a boolean', () => experiment({ enabled: 'no' as any }),
      'Experiment "checkout": enabled is "no": it must be true or false. Pass true to run the experiment, false to send everyone to the control.'],
    ['a null enabled', () => experiment({ enabled: null as any }),
      'Experiment "checkout": enabled is null: it must be true or false. Pass true to run the experiment, false to send everyone to the control.'],
  ])('rejects %s', (_description, fn, message) => {
    expectValidationError(fn, message);
  });

  test('names the variant by its position in the prop path', () => {
    expect(() => experiment({ variants: [{ name: 'b', weight: 10 }, { name: 'c', weight: 10 }, { name: 'd', weight: 0 }] }))
      .toThrow('Experiment "checkout": variants[2].weight is 0: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.');
  });

  test('accepts weight-only variants just below 100 in total, leaving the control 0.1%', () => {
    const e = experiment({ variants: [{ name: 'b', weight: 50 }, { name: 'c', weight: 49.9 }] });

    expect(e.allocations(NOW).pop()).toEqual({ variant: 'control', isControl: true, weight: 0.1 });
  });

  test('matched variants do not count towards the weight-only total', () => {
    const e = experiment({ variants: [{ name: 'b', match, weight: 100 }, { name: 'c', weight: 99.9 }] });

    expect(e.variants.map(v => v.weight)).toEqual([100, 99.9]);
  });

  test('the error is recognised as a validation error, with its parts', () => {
    const error = thrownBy(() => experiment({ variants: [{ name: 'b', weight: 150 }] }));

    expect(StrategyErrors.isValidationError(error)).toBe(true);
    expect(StrategyErrors.detailsOf(error)).toEqual({
      prop: 'Experiment "checkout": variants[0].weight',
      received: '150',
      limit: 'a weight is a percentage of traffic above 0 and at most 100',
      fix: 'Use a weight from 0.1 to 100.',
    });
  });

  test('other errors are not validation errors and have no details', () => {
    const error = new TypeError('variants.map is not a function');

    expect(StrategyErrors.isValidationError(error)).toBe(false);
    expect(StrategyErrors.detailsOf(error)).toBeUndefined();
  });

  test('rejects a stickiness Duration built from a token as not concrete', () => {
    expect(() => experiment({ stickiness: Duration.seconds(Lazy.number({ produce: () => 60 })) }))
      .toThrow('Experiment "checkout": stickiness is an unresolved token: the traffic plan needs a concrete duration. Pass a literal Duration, not a token.');
  });
});

describe('Experiment input from JavaScript callers', () => {
  test('a hole in variants is rejected, not skipped', () => {
    expectValidationError(() => new Experiment({ name: 'checkout', variants: new Array(2) }),
      'Experiment "checkout": variants[0] is undefined: it must be an object. Each variant is an object such as { name: "b", weight: 10 }.');
  });

  test('the moment to evaluate at must be a valid Date', () => {
    const e = new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }], endDate: new Date('2027-01-01T00:00:00Z') });
    const message = (received: string) => `Experiment "checkout": at is ${received}: it must be a valid Date. Pass the moment to evaluate the experiment at, such as new Date().`;
    expectValidationError(() => e.isActive('2028-01-01' as any), message('"2028-01-01"'));
    expectValidationError(() => e.allocations(new Date('nope')), message('an invalid Date'));
  });

  test('variants cannot be changed after construction', () => {
    const e = new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }] });
    expect(() => (e.variants as any).push({ name: 'c', weight: 95 })).toThrow(TypeError);
    expect(e.allocations(new Date('2026-01-01T00:00:00Z')).map(a => a.weight)).toEqual([10, 90]);
  });
});

describe('random input', () => {
  test('either builds an experiment whose allocations add up, or fails with the library\'s error', () => {
    const anything = fc.oneof(fc.anything(), fc.double(), fc.string(), fc.constant(Match.header('x', 'y')), fc.date());
    const variantArb = fc.oneof(anything, fc.record({
      name: fc.oneof(fc.constantFrom('a', 'b', 'c', 'control'), anything),
      weight: fc.oneof(fc.integer({ min: 1, max: 600 }).map(t => t / 10), anything),
      match: fc.oneof(fc.constant(Match.cookie('beta', 'true')), anything),
    }, { requiredKeys: [] }));
    const propsArb = fc.record({
      name: fc.oneof(fc.constant('checkout'), anything),
      variants: fc.oneof(fc.array(variantArb, { maxLength: 4 }), anything),
      control: fc.oneof(fc.constant('control'), anything),
      stickiness: fc.oneof(fc.constant(Duration.hours(1)), anything),
      startDate: fc.oneof(fc.date(), anything),
      endDate: fc.oneof(fc.date(), anything),
      enabled: fc.oneof(fc.boolean(), anything),
    }, { requiredKeys: ['name', 'variants'] });
    fc.assert(fc.property(propsArb, props => {
      let built: Experiment;
      try {
        built = new Experiment(props as any);
      } catch (e) {
        expect(StrategyErrors.isValidationError(e)).toBe(true);
        expect((e as Error).message).not.toMatch(/\[object Object\]/);
        return;
      }
      const at = new Date('2026-06-01T00:00:00Z');
      const allocations = built.allocations(at);
      // Every group of requests (each match, and everyone else) is split into shares adding up to 100.
      const matched = built.isActive(at) ? built.variants.filter(v => v.match) : [];
      for (const variant of matched) {
        const group = allocations.filter(a => a.match?.sameAs(variant.match!));
        expect(Math.round(group.reduce((sum, a) => sum + a.weight, 0) * 10)).toBe(1000);
      }
      const unmatched = allocations.filter(a => a.match === undefined);
      expect(Math.round(unmatched.reduce((sum, a) => sum + a.weight, 0) * 10)).toBe(1000);
      expect(unmatched[unmatched.length - 1].isControl).toBe(true);
      expect(built.toTable(at)).not.toMatch(/NaN|undefined|\[object Object\]/);
    }), { numRuns: 300 });
  });
});

describe('variants with the same match', () => {
  test('are refused, since the same requests would be split twice', () => {
    expectValidationError(() => new Experiment({
      name: 'checkout',
      variants: [
        { name: 'a', match: Match.cookie('beta', 'true'), weight: 30 },
        { name: 'b', match: Match.cookie('beta', 'true'), weight: 30 },
      ],
    }), 'Experiment "checkout": variants[1].match is "cookie beta=true": variant "a" already has this match, so the same requests would be split twice. Give each variant its own match, or merge the two variants.');
  });

  test('matches that differ only in header-name case are the same match', () => {
    expect(() => new Experiment({
      name: 'checkout',
      variants: [{ name: 'a', match: Match.header('X-Beta', '1') }, { name: 'b', match: Match.header('x-beta', '1') }],
    })).toThrow(/variant "a" already has this match/);
  });
});
