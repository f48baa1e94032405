import type { PlanJson } from './plan-json';
import { approvalMarkers, shareAt, TimeAxis, timeAxis } from './timeline';
import { formatPercent, formatSeconds } from '../core/private/format';

/** Options for a terminal chart. */
export interface TextChartOptions {
  /** Columns for the time axis. @default 60 */
  readonly width?: number;
  /** Rows for 0 to 100%. @default 10 */
  readonly height?: number;
  /** The time axis, to line several charts up. @default - fitted to the plan */
  readonly axis?: TimeAxis;
}

const GUTTER = 5;

/**
 * The new version's share of traffic over time as plain ASCII, readable in any CI log: `#` fills a
 * row the share covers, `:` one it reaches into. Each column shows the share at its start. Manual
 * approvals take no time in the plan, so they are marked `A` under the axis and listed below it.
 */
export function textChart(plan: PlanJson, options: TextChartOptions = {}): string {
  const width = options.width ?? 60;
  const height = options.height ?? 10;
  const axis = options.axis ?? timeAxis(plan.totalDurationSeconds);
  const perColumn = axis.endSeconds / width;
  const column = (seconds: number) => Math.round(seconds / perColumn);
  const shares = Array.from({ length: width }, (_, c) => shareAt(plan, c * perColumn));

  const lines: string[] = [];
  for (let row = height; row >= 1; row--) {
    const top = (row * 100) / height;
    const bottom = ((row - 1) * 100) / height;
    const label = top % 50 === 0 ? `${top}%` : '';
    const cells = shares.map(share => (share >= top ? '#' : share > bottom ? ':' : ' ')).join('');
    lines.push(`${label.padStart(GUTTER - 1)} |${cells}`.trimEnd());
  }

  // Ticks sit on the boundary before their column: the corner is time 0, the last mark the axis end.
  const marks = Array.from({ length: width + 1 }, () => '-');
  const tickLabels = Array.from({ length: width + 1 + 12 }, () => ' ');
  let free = 0;
  for (const tick of axis.ticks) {
    const at = column(tick);
    marks[at] = '+';
    const text = formatSeconds(tick);
    if (at >= free) {
      tickLabels.splice(at, text.length, ...text);
      free = at + text.length + 1;
    }
  }
  lines.push(`${'0%'.padStart(GUTTER - 1)} ${marks.join('')}`);
  lines.push(`${' '.repeat(GUTTER)}${tickLabels.join('')}`.trimEnd());

  const approvals = approvalMarkers(plan);
  if (approvals.length > 0) {
    const row = Array.from({ length: width + 1 }, () => ' ');
    for (const a of approvals) row[Math.min(column(a.offsetSeconds), width)] = 'A';
    lines.push(`${' '.repeat(GUTTER)}${row.join('')}`.trimEnd());
    for (const a of approvals) {
      lines.push(`${' '.repeat(GUTTER)}A at ${formatSeconds(a.offsetSeconds)}: step ${a.step} holds ${formatPercent(a.candidateWeight)} `
        + 'until someone approves (counted as instant)');
    }
  }
  return lines.join('\n');
}
