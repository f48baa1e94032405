import { gcd, lcm } from '../../../src/core/private/arithmetic';

describe('gcd', () => {
  test.each([
    [12, 18, 6],
    [18, 12, 6],
    [7, 13, 1],
    [125, 1000, 125],
    [0, 1000, 1000],
    [1000, 0, 1000],
    [0, 0, 0],
    [-12, 18, 6],
  ])('gcd(%d, %d) is %d', (a, b, expected) => {
    expect(gcd(a, b)).toBe(expected);
  });
});

describe('lcm', () => {
  test.each([
    [4, 6, 12],
    [10, 40, 40],
    [7, 13, 91],
    [1, 255, 255],
  ])('lcm(%d, %d) is %d', (a, b, expected) => {
    expect(lcm(a, b)).toBe(expected);
  });
});
