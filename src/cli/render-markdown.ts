import { planTotals, rolledBackBy, stepHeader, stepRows } from './plan-view';
import type { Found, FoundExperiment, FoundRelease, FoundRollout } from './read-plans';
import { driverLine, experimentContext, foundIn, rolloutContext } from './render-text';
import { textChart } from './text-chart';

/** Every rollout and experiment as Markdown, for pull request comments and job summaries. */
export function renderMarkdown(found: Found): string {
  return [...(found.releases ?? []).map(releaseMarkdown), ...found.rollouts.map(rolloutMarkdown), ...found.experiments.map(experimentMarkdown)]
    .join('\n\n') + '\n';
}

/** A release: a heading and its waves table in a code block. */
function releaseMarkdown(release: FoundRelease): string {
  return [`### Release ${code(release.release)}`, '', escapeMarkdown(`${release.name}, ${foundIn(release)}`), '', '```text', release.table, '```'].join('\n');
}

/** One rollout: a heading, its step table, its chart in a code block and its totals. */
export function rolloutMarkdown(rollout: FoundRollout): string {
  const totals = planTotals(rollout.plan);
  return [
    `### ${code(rollout.name)}`,
    '',
    `${escapeMarkdown(rolloutContext(rollout))}: ${escapeMarkdown(rollout.plan.description)}, capacity ${rollout.plan.capacity}`,
    ...(rollout.driver ? ['', escapeMarkdown(driverLine(rollout))] : []),
    '',
    markdownTable(stepHeader(rollout.plan), stepRows(rollout.plan)),
    '',
    "New version's share of traffic:",
    '',
    '```text',
    textChart(rollout.plan),
    '```',
    '',
    `- **time to full traffic:** ${totals.timeToFullTraffic}`,
    `- **total duration:** ${totals.totalDuration}`,
    `- **peak capacity:** ${totals.peakCapacity} (extra: ${totals.peakExtraCapacity})`,
    `- **worst-case rollback:** ${totals.rollback}`,
    `- **first-step blast radius:** ${totals.blastRadius}`,
    ...rolledBackBy(rollout.plan).map(check => `- **rolled back by:** ${escapeMarkdown(check)}`),
  ].join('\n');
}

function experimentMarkdown(experiment: FoundExperiment): string {
  return [
    `### A/B experiment ${code(experiment.name)}`,
    '',
    escapeMarkdown(experimentContext(experiment)),
    '',
    '```text',
    experiment.table,
    '```',
    ...(experiment.watchedBy === undefined ? [] : [
      '',
      escapeMarkdown(`measured through ${experiment.measuredThrough ?? 'the experiment\'s metrics'}:`),
      '',
      markdownTable(['variant', 'watched by'], Object.entries(experiment.watchedBy).map(([variant, checks]) =>
        [code(variant), checks.length === 0 ? 'nothing' : checks.map(code).join(', ')])),
    ]),
  ].join('\n');
}

/** A GitHub-flavoured Markdown table; cells may not hold a raw `|`. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(c => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Text with Markdown's inline syntax characters escaped, so names and reasons print as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/** A code span for a name; a backtick inside becomes a quote, as code spans cannot escape it. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
