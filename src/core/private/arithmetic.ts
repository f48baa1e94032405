/** The greatest common divisor of two whole numbers (Euclid's algorithm); `gcd(0, n)` is `n`. */
export function gcd(a: number, b: number): number {
  let [x, y] = [Math.abs(a), Math.abs(b)];
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** The least common multiple of two positive whole numbers. */
export function lcm(a: number, b: number): number {
  return a / gcd(a, b) * b;
}
