import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Strategy } from '../../src';
import { CliError } from '../../src/cli/errors';
import type { PlanJson } from '../../src/cli/plan-json';
import { comparisonSvg, rolloutSvg, slug, writeSvgCharts } from '../../src/cli/render-svg';
import { gatedCanary, rolloutOf } from '../support/cli-fixtures';
import { byClass, parseXml, XmlElement } from '../support/xml';

const canary = rolloutOf('Shop/Checkout/Rollout', gatedCanary);

/** The steps a chart carries, read back from its points' data-* attributes. */
function stepsOf(root: XmlElement) {
  return byClass(root, 'step').map(c => ({
    index: Number(c.attributes['data-step']),
    offsetSeconds: Number(c.attributes['data-offset-seconds']),
    stableWeight: Number(c.attributes['data-stable-weight']),
    candidateWeight: Number(c.attributes['data-candidate-weight']),
    capacityPercent: Number(c.attributes['data-capacity-percent']),
    gate: c.attributes['data-gate'],
    candidateReplicas: c.attributes['data-candidate-replicas'] === undefined ? undefined : Number(c.attributes['data-candidate-replicas']),
  }));
}

/** What the recorded plan says the points must carry. */
function expectedSteps(plan: PlanJson) {
  return plan.steps.map(s => ({
    index: s.index,
    offsetSeconds: s.offsetSeconds,
    stableWeight: s.stableWeight,
    candidateWeight: s.candidateWeight,
    capacityPercent: s.capacityPercent,
    gate: s.gate?.kind,
    candidateReplicas: s.candidateReplicas,
  }));
}

describe('one rollout', () => {
  const svg = rolloutSvg(canary);
  const root = parseXml(svg);

  test('is one well-formed, standalone svg element', () => {
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attributes.viewBox).toBe(`0 0 ${root.attributes.width} ${root.attributes.height}`);
  });

  test('carries every step of the plan and its totals', () => {
    expect(stepsOf(root)).toEqual(expectedSteps(canary.plan));
    expect(root.attributes).toMatchObject({
      'data-rollout': 'Shop/Checkout/Rollout',
      'data-time-to-full-traffic-seconds': String(canary.plan.timeToFullTrafficSeconds),
      'data-total-duration-seconds': String(canary.plan.totalDurationSeconds),
      'data-peak-capacity-percent': String(canary.plan.peakCapacityPercent),
      'data-rollback-seconds': String(canary.plan.rollbackSeconds),
      'data-blast-radius-percent': String(canary.plan.blastRadiusPercent),
      'data-manual-approvals': '1',
    });
  });

  test('marks the manual approval and labels its axes', () => {
    const approvals = byClass(root, 'manual-approval');
    expect(approvals.map(a => [a.attributes['data-step'], a.attributes['data-offset-seconds'], a.attributes['data-candidate-weight']])).toEqual([['2', '600', '25']]);
    const texts = allText(root);
    expect(texts).toContain("new version's share of traffic");
    expect(texts).toContain('time since the rollout started');
    for (const tick of ['0s', '10m', '20m', '30m', '40m', '50m', '0%', '50%', '100%']) expect(texts).toContain(tick);
    expect(texts).toContain('time to full traffic: 40m + 1 manual approval');
    expect(texts).toContain('worst-case rollback: instant (traffic switch)');
  });

  test('draws the share as a step line ending at the axis end', () => {
    const [line] = byClass(root, 'share');
    expect(line.attributes.d).toMatch(/^M 64 \S+ H \S+ V \S+ H \S+ V \S+ H \S+ V \S+ H 776$/);
  });
});

describe('a comparison', () => {
  const rollouts = [rolloutOf('Strategy.BLUE_GREEN', Strategy.BLUE_GREEN), canary, rolloutOf('Linear <fast> & "cheap"', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, 10)];
  const root = parseXml(comparisonSvg(rollouts, 'Three & counting'));

  test('is well-formed, with one panel per rollout carrying its points and totals', () => {
    expect(root.attributes['data-title']).toBe('Three & counting');
    const panels = byClass(root, 'rollout');
    expect(panels.map(p => p.attributes['data-rollout'])).toEqual(rollouts.map(r => r.name));
    panels.forEach((panel, i) => {
      expect(stepsOf(panel)).toEqual(expectedSteps(rollouts[i].plan));
      expect(byClass(panel, 'step').every(c => c.attributes['data-rollout'] === rollouts[i].name)).toBe(true);
      expect(panel.attributes['data-rollback-seconds']).toBe(String(rollouts[i].plan.rollbackSeconds));
      expect(panel.attributes['data-peak-capacity-percent']).toBe(String(rollouts[i].plan.peakCapacityPercent));
    });
    expect(allText(panels[0])).toContain('extra capacity: +100%');
    expect(allText(panels[2])).toContain('rollback: 5m');
  });
});

describe('writing charts', () => {
  test('one file per rollout, named after it, plus comparison.svg when comparing', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-svg-')), 'charts');
    const twin = { ...canary, name: 'shop-checkout-rollout' };
    const comparisonNamed = { ...canary, name: 'Comparison' };
    const files = writeSvgCharts(dir, [canary, twin, comparisonNamed], 'title');
    expect(files).toEqual(['shop-checkout-rollout', 'shop-checkout-rollout-2', 'comparison-2', 'comparison'].map(n => path.join(dir, `${n}.svg`)));
    for (const file of files) expect(parseXml(fs.readFileSync(file, 'utf-8')).name).toBe('svg');
    expect(writeSvgCharts(dir, [canary])).toEqual([path.join(dir, 'shop-checkout-rollout.svg')]);
  });

  test('a folder that cannot be made is a clear error', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-svg-')), 'a-file');
    fs.writeFileSync(file, '');
    expect(() => writeSvgCharts(path.join(file, 'charts'), [canary])).toThrow(CliError);
    expect(() => writeSvgCharts(path.join(file, 'charts'), [canary])).toThrow(`cannot write SVG charts to ${path.join(file, 'charts')}: ENOTDIR`);
  });

  test('slugs', () => {
    expect(slug('EcsCanary/Web/Rollout')).toBe('ecscanary-web-rollout');
    expect(slug('HTTPRoute/checkout-route')).toBe('httproute-checkout-route');
    expect(slug('///')).toBe('rollout');
  });
});

function allText(root: XmlElement): string[] {
  return [root.text, ...root.children.flatMap(allText)].filter(t => t !== '');
}
