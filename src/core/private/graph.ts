/**
 * A cycle in a directed graph given as `node -> nodes it depends on`, as node keys from the first
 * back to itself; undefined when there is none. Keys are visited in sorted order so the cycle
 * printed is the same on every run.
 */
export function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'visited'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'visited') return undefined;
    state.set(node, 'visiting');
    path.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'visited');
    return undefined;
  };
  for (const node of [...edges.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
