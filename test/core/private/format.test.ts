import { formatPercent, formatSeconds, textTable } from '../../../src/core/private/format';

describe('formatSeconds', () => {
  test('prints zero as 0s', () => {
    expect(formatSeconds(0)).toBe('0s');
  });

  test('prints less than a minute in seconds', () => {
    expect(formatSeconds(45)).toBe('45s');
    expect(formatSeconds(1)).toBe('1s');
  });

  test('prints whole minutes without seconds', () => {
    expect(formatSeconds(300)).toBe('5m');
    expect(formatSeconds(60)).toBe('1m');
  });

  test('prints hours and minutes', () => {
    expect(formatSeconds(5400)).toBe('1h 30m');
    expect(formatSeconds(3600)).toBe('1h');
  });

  test('prints days, hours, minutes and seconds', () => {
    expect(formatSeconds(2 * 86400 + 4 * 3600)).toBe('2d 4h');
    expect(formatSeconds(2 * 86400 + 4 * 3600 + 5 * 60 + 6)).toBe('2d 4h 5m 6s');
    expect(formatSeconds(86400)).toBe('1d');
  });

  test('leaves out units that are zero in the middle', () => {
    expect(formatSeconds(3601)).toBe('1h 1s');
    expect(formatSeconds(86400 + 60)).toBe('1d 1m');
  });

  test('does not roll days up into weeks', () => {
    expect(formatSeconds(14 * 86400)).toBe('14d');
  });
});

describe('formatPercent', () => {
  test('prints whole percentages without decimals', () => {
    expect(formatPercent(10)).toBe('10%');
    expect(formatPercent(100)).toBe('100%');
  });

  test('prints one decimal place when there is one', () => {
    expect(formatPercent(12.5)).toBe('12.5%');
    expect(formatPercent(0.1)).toBe('0.1%');
  });

  test('rounds to one decimal place', () => {
    expect(formatPercent(33.33)).toBe('33.3%');
    expect(formatPercent(66.67)).toBe('66.7%');
  });

  test('drops a trailing zero after rounding', () => {
    expect(formatPercent(99.96)).toBe('100%');
    expect(formatPercent(12.04)).toBe('12%');
  });

  test('hides floating-point noise', () => {
    expect(formatPercent(0.1 + 0.2)).toBe('0.3%');
  });
});

describe('textTable', () => {
  test('left-aligns columns as wide as their widest cell, two spaces apart', () => {
    const table = textTable(['Step', 'Weight', 'Gate'], [
      ['1', '10%', 'bake 5m'],
      ['12', '100%', 'manual approval'],
    ]);
    expect(table.split('\n')).toEqual([
      'Step  Weight  Gate',
      '1     10%     bake 5m',
      '12    100%    manual approval',
    ]);
  });

  test('widens a column for a cell longer than its header', () => {
    const table = textTable(['#', 'Name'], [['100', 'a'], ['2', 'b']]);
    expect(table.split('\n')).toEqual([
      '#    Name',
      '100  a',
      '2    b',
    ]);
  });

  test('trims trailing spaces, including from an empty last cell', () => {
    const table = textTable(['Step', 'Gate'], [['1', ''], ['2', 'bake 5m']]);
    expect(table.split('\n')).toEqual([
      'Step  Gate',
      '1',
      '2     bake 5m',
    ]);
    for (const line of table.split('\n')) {
      expect(line).toBe(line.trimEnd());
    }
  });

  test('prints only the header when there are no rows', () => {
    expect(textTable(['Step', 'Weight'], [])).toBe('Step  Weight');
  });

  test('does not end with a newline', () => {
    expect(textTable(['A'], [['x']])).toBe('A\nx');
  });
});
