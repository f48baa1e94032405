/** Compact durations for tables: `0s`, `45s`, `5m`, `1h 30m`, `2d 4h`. */
export function formatSeconds(total: number): string {
  if (total === 0) return '0s';
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = total;
  for (const [suffix, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${suffix}`);
      rest -= count * size;
    }
  }
  return parts.join(' ');
}

/** Percentages as people write them: `10%`, `12.5%`. */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

/** Left-aligned plain-text table; columns are as wide as their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
