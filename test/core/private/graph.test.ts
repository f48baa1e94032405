import { findCycle } from '../../../src/core/private/graph';

describe('findCycle', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  test('undefined without a cycle', () => {
    expect(findCycle(graph({ c: ['b'], b: ['a'], a: [] }))).toBeUndefined();
    expect(findCycle(new Map())).toBeUndefined();
  });

  test('the cycle from its first node back to itself, the same on every run', () => {
    expect(findCycle(graph({ b: ['a'], a: ['b'] }))).toEqual(['a', 'b', 'a']);
    expect(findCycle(graph({ x: ['a'], a: ['c'], c: ['b'], b: ['a'] }))).toEqual(['a', 'c', 'b', 'a']);
  });
});
