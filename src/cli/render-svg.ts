import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './errors';
import type { PlanJson } from './plan-json';
import { extraCapacity, heldBy, planTotals } from './plan-view';
import type { FoundRollout } from './read-plans';
import { approvalMarkers, sharedAxis, TimeAxis, timeAxis } from './timeline';
import { Attributes, element, formatNumber, text } from './xml';
import { formatPercent, formatSeconds } from '../core/private/format';

const FONT = { 'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif', 'font-size': 12, 'fill': '#222' };
const LINE = '#0072B2';
const APPROVAL = '#D55E00';
const GRID = '#d9d9d9';
const MUTED = '#555';

/** A plot area in SVG user units. */
interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/**
 * One rollout as a standalone SVG: a step chart of the new version's share of traffic over time,
 * manual approvals as dashed markers, and the totals. Every step is a `<circle class="step">` whose
 * data-* attributes carry the recorded numbers, and the root carries the totals, so tools and tests
 * read the chart back without parsing geometry.
 */
export function rolloutSvg(rollout: FoundRollout, axis: TimeAxis = timeAxis(rollout.plan.totalDurationSeconds)): string {
  const width = 800;
  const plan = rollout.plan;
  const subtitle = [`${rollout.controller}, capacity ${plan.capacity}`, ...wrap(plan.description, 110)];
  const top = 48 + 16 * subtitle.length + 16;
  const box: Box = { left: 64, right: width - 24, top, bottom: top + 220 };
  const height = box.bottom + 120;
  const totals = planTotals(plan);
  const facts = [
    [`time to full traffic: ${totals.timeToFullTraffic}`, `worst-case rollback: ${totals.rollback}`],
    [`total duration: ${totals.totalDuration}`, `first-step blast radius: ${totals.blastRadius}`],
    [`peak capacity: ${totals.peakCapacity}`, `extra capacity: ${totals.peakExtraCapacity}`],
  ];
  return document(width, height, { 'data-rollout': rollout.name, ...totalsAttributes(plan) }, [
    element('title', { id: 'title' }, text(`${rollout.name}: ${plan.description}`)),
    element('desc', { id: 'desc' }, text(`${subtitle[0]}. ${facts.flat().join('; ')}.`)),
    element('rect', { width, height, fill: '#fff' }),
    element('text', { 'x': box.left, 'y': 28, 'font-size': 16, 'font-weight': 'bold' }, text(rollout.name)),
    ...subtitle.map((line, i) => element('text', { x: box.left, y: 48 + 16 * i, fill: MUTED }, text(line))),
    stepChart(plan, box, axis, { percentTicks: [0, 25, 50, 75, 100], timeLabels: true }),
    element('text', { 'x': (box.left + box.right) / 2, 'y': box.bottom + 40, 'text-anchor': 'middle', 'fill': MUTED },
      text('time since the rollout started')),
    element('text', {
      'x': 0,
      'y': 0,
      'text-anchor': 'middle',
      'fill': MUTED,
      'transform': `translate(18 ${(box.top + box.bottom) / 2}) rotate(-90)`,
    }, text("new version's share of traffic")),
    element('g', { class: 'totals' }, ...facts.flatMap((row, i) => row.map((fact, column) =>
      element('text', { x: box.left + column * 360, y: box.bottom + 72 + 18 * i }, text(fact))))),
  ]);
}

/** Splits text at spaces into lines of at most `max` characters (a longer word gets a line of its own). */
function wrap(content: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of content.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * Several rollouts as one SVG of small multiples on a shared time axis, each with its totals beside
 * it: stacked rather than overlaid, because blue-green and all-at-once draw the same line.
 */
export function comparisonSvg(rollouts: FoundRollout[], title: string): string {
  const width = 880;
  const header = 64;
  const panel = 118;
  const footer = 44;
  const height = header + panel * rollouts.length + footer;
  const axis = sharedAxis(rollouts.map(r => r.plan));
  const panels = rollouts.map((rollout, i) => {
    const top = header + i * panel;
    const box: Box = { left: 64, right: 640, top: top + 30, bottom: top + 100 };
    const plan = rollout.plan;
    const totals = planTotals(plan);
    const facts = [
      `full traffic: ${totals.timeToFullTraffic}`,
      `extra capacity: ${extraCapacity(plan)}`,
      `blast radius: ${formatPercent(plan.blastRadiusPercent)}`,
      `rollback: ${plan.rollbackSeconds === 0 ? 'instant' : formatSeconds(plan.rollbackSeconds)}`,
    ];
    return element('g', { 'class': 'rollout', 'data-rollout': rollout.name, ...totalsAttributes(plan) },
      element('text', { x: box.left, y: top + 18 },
        element('tspan', { 'font-weight': 'bold' }, text(rollout.name)),
        element('tspan', { fill: MUTED, dx: 10 }, text(plan.description))),
      stepChart(plan, box, axis, { percentTicks: [0, 50, 100], timeLabels: i === rollouts.length - 1, rollout: rollout.name }),
      ...facts.map((fact, line) => element('text', { x: 668, y: box.top + 8 + line * 18 }, text(fact))));
  });
  return document(width, height, { 'data-title': title }, [
    element('title', { id: 'title' }, text(title)),
    element('desc', { id: 'desc' }, text(rollouts.map(r => `${r.name}: ${r.plan.description}`).join('; '))),
    element('rect', { width, height, fill: '#fff' }),
    element('text', { 'x': 64, 'y': 30, 'font-size': 16, 'font-weight': 'bold' }, text(title)),
    element('text', { x: 64, y: 50, fill: MUTED }, text("new version's share of traffic over time; A marks a manual approval (the clock stops)")),
    ...panels,
    element('text', { 'x': (64 + 640) / 2, 'y': height - 12, 'text-anchor': 'middle', 'fill': MUTED }, text('time since the rollout started')),
  ]);
}

/**
 * Writes one SVG per rollout into `dir` (created if needed), named after the rollout, plus
 * `comparison.svg` when a comparison title is given. Returns the files written.
 */
export function writeSvgCharts(dir: string, rollouts: FoundRollout[], comparisonTitle?: string): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot write SVG charts to ${dir}: ${(e as Error).message}`);
  }
  const used = new Set(comparisonTitle === undefined ? [] : ['comparison']);
  const charts: Array<[string, string]> = rollouts.map(r => [uniqueName(slug(r.name), used), rolloutSvg(r)]);
  if (comparisonTitle !== undefined) charts.push(['comparison', comparisonSvg(rollouts, comparisonTitle)]);
  return charts.map(([name, svg]) => {
    const file = path.join(dir, `${name}.svg`);
    try {
      fs.writeFileSync(file, svg);
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${(e as Error).message}`);
    }
    return file;
  });
}

/** A file name for a rollout: `EcsCanary/Web/Rollout` becomes `ecscanary-web-rollout`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'rollout';
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  used.add(name);
  return name;
}

function document(width: number, height: number, attributes: Attributes, children: string[]): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + element('svg', {
    'xmlns': 'http://www.w3.org/2000/svg',
    'width': width,
    'height': height,
    'viewBox': `0 0 ${width} ${height}`,
    'role': 'img',
    'aria-labelledby': 'title desc',
    ...attributes,
    ...FONT,
  }, ...children) + '\n';
}

function totalsAttributes(plan: PlanJson): Attributes {
  return {
    'data-strategy': plan.strategy,
    'data-capacity': plan.capacity,
    'data-time-to-full-traffic-seconds': plan.timeToFullTrafficSeconds,
    'data-total-duration-seconds': plan.totalDurationSeconds,
    'data-peak-capacity-percent': plan.peakCapacityPercent,
    'data-rollback-seconds': plan.rollbackSeconds,
    'data-blast-radius-percent': plan.blastRadiusPercent,
    'data-manual-approvals': plan.manualApprovals,
  };
}

interface StepChartOptions {
  readonly percentTicks: number[];
  readonly timeLabels: boolean;
  /** Names the rollout on each point, where several share a document. */
  readonly rollout?: string;
}

/** Grid, axes, the share as a step line over a light area, one point per step, and approval markers. */
function stepChart(plan: PlanJson, box: Box, axis: TimeAxis, options: StepChartOptions): string {
  const x = (seconds: number) => box.left + (seconds / axis.endSeconds) * (box.right - box.left);
  const y = (percent: number) => box.bottom - (percent / 100) * (box.bottom - box.top);

  const grid = [
    ...options.percentTicks.map(p => element('line', { x1: box.left, x2: box.right, y1: y(p), y2: y(p), stroke: GRID })),
    ...options.percentTicks.map(p => element('text', { 'x': box.left - 8, 'y': y(p) + 4, 'text-anchor': 'end', 'fill': MUTED }, text(`${p}%`))),
    ...axis.ticks.map(t => element('line', { x1: x(t), x2: x(t), y1: box.top, y2: box.bottom + 4, stroke: GRID })),
    ...(options.timeLabels ? axis.ticks.map(t => element('text', { 'x': x(t), 'y': box.bottom + 18, 'text-anchor': 'middle', 'fill': MUTED },
      text(formatSeconds(t)))) : []),
  ];

  // A step line: hold each weight until the next step starts, then jump; the last holds to the axis end.
  const first = plan.steps[0];
  let line = `M ${formatNumber(x(first.offsetSeconds))} ${formatNumber(y(first.candidateWeight))}`;
  for (const step of plan.steps.slice(1)) line += ` H ${formatNumber(x(step.offsetSeconds))} V ${formatNumber(y(step.candidateWeight))}`;
  line += ` H ${formatNumber(x(axis.endSeconds))}`;
  const area = `${line} V ${formatNumber(y(0))} H ${formatNumber(x(first.offsetSeconds))} Z`;

  const points = plan.steps.map(s => element('circle', {
    'class': 'step',
    'cx': x(s.offsetSeconds),
    'cy': y(s.candidateWeight),
    'r': 3.5,
    'fill': LINE,
    'data-rollout': options.rollout,
    'data-step': s.index,
    'data-offset-seconds': s.offsetSeconds,
    'data-stable-weight': s.stableWeight,
    'data-candidate-weight': s.candidateWeight,
    'data-capacity-percent': s.capacityPercent,
    'data-candidate-replicas': s.candidateReplicas,
    'data-gate': s.gate?.kind,
    'data-gate-seconds': s.gate?.seconds,
  }, element('title', {}, text(`step ${s.index} at ${formatSeconds(s.offsetSeconds)}: ${formatPercent(s.candidateWeight)} new, `
    + `${formatPercent(s.stableWeight)} stable, capacity ${formatPercent(s.capacityPercent)}, ${heldBy(s)}`))));

  const approvals = approvalMarkers(plan).map(a => {
    const at = x(a.offsetSeconds);
    return element('g', {
      'class': 'manual-approval',
      'data-rollout': options.rollout,
      'data-step': a.step,
      'data-offset-seconds': a.offsetSeconds,
      'data-candidate-weight': a.candidateWeight,
    },
    element('line', { 'x1': at, 'x2': at, 'y1': box.top - 4, 'y2': box.bottom, 'stroke': APPROVAL, 'stroke-dasharray': '4 3' }),
    element('text', { x: at + 4, y: box.top + 10, fill: APPROVAL }, text(`A: step ${a.step} waits at ${formatPercent(a.candidateWeight)}`)),
    element('title', {}, text(`manual approval: step ${a.step} holds ${formatPercent(a.candidateWeight)} at ${formatSeconds(a.offsetSeconds)} `
      + 'until someone approves (counted as instant in the totals)')));
  });

  return element('g', { class: 'chart' },
    element('g', { class: 'grid' }, ...grid),
    element('path', { 'class': 'share-area', 'd': area, 'fill': LINE, 'fill-opacity': 0.12, 'stroke': 'none' }),
    element('path', { 'class': 'share', 'd': line, 'fill': 'none', 'stroke': LINE, 'stroke-width': 2 }),
    element('g', { class: 'approvals' }, ...approvals),
    element('g', { class: 'steps' }, ...points));
}

