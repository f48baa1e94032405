import { Strategy } from '../../src';
import { STEP_HEADER, stepRows, totalsLines } from '../../src/cli/plan-view';
import type { FoundExperiment, FoundRollout } from '../../src/cli/read-plans';
import { renderText, rolloutContext, rolloutText } from '../../src/cli/render-text';
import { textChart } from '../../src/cli/text-chart';
import { textTable } from '../../src/core/private/format';
import { gatedCanary, rolloutOf } from '../support/cli-fixtures';

const canary = rolloutOf('Shop/Checkout/Rollout', gatedCanary);
const experiment: FoundExperiment = {
  source: 'cdk', origin: 'cdk.out', name: 'Shop/Ab', backend: 'ALB', active: false, reason: 'it ended on 2026-11-30', table: 'variant  weight\ncontrol  100%',
};

test('a rollout: heading, where it is, its step table, its chart and its totals, in that order', () => {
  const out = rolloutText(canary);
  const parts = [
    '== Shop/Checkout/Rollout ==',
    'test controller, from test',
    `${gatedCanary.describe()}, capacity PROPORTIONAL`,
    textTable(STEP_HEADER, stepRows(canary.plan)),
    textChart(canary.plan),
    ...totalsLines(canary.plan),
  ];
  let from = 0;
  for (const part of parts) {
    const at = out.indexOf(part, from);
    expect(at).toBeGreaterThanOrEqual(from);
    from = at + part.length;
  }
  // The numbers are the library's own: the step table is the one TrafficPlan.toTable() prints.
  expect(gatedCanary.plan().toTable()).toContain(textTable(STEP_HEADER, stepRows(canary.plan)));
});

test('a one-step-per-deploy rollout says which step it renders and how to choose it', () => {
  const route53: FoundRollout = { ...canary, step: 2, stepContextKey: 'Shop/Www:step' };
  expect(rolloutContext(route53)).toBe('test controller, from test, renders step 2 of 4 per deploy (choose with -c Shop/Www:step=N)');
  expect(rolloutContext({ ...canary, step: 1 })).toBe('test controller, from test, renders step 1 of 4 per deploy');
});

test('every rollout, then every experiment, with whether it runs', () => {
  const linear = rolloutOf('Linear', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, 10);
  const out = renderText({ rollouts: [canary, linear], experiments: [experiment] });
  expect(out).toBe(`${rolloutText(canary)}\n\n${rolloutText(linear)}\n\n== A/B experiment Shop/Ab ==\nALB, from cdk.out, inactive: it ended on 2026-11-30\n\n${experiment.table}\n`);
  expect(renderText({ rollouts: [], experiments: [{ ...experiment, active: true }] })).toContain('ALB, from cdk.out, active\n');
});

test('a Kubernetes record is titled by its construct path and names the object that carries it, as kubectl shows it', () => {
  const argo: FoundRollout = { ...canary, source: 'cdk8s', origin: 'dist/shop.k8s.yaml', name: 'shop/web', object: 'Rollout/shop-web-c8a1b2c3', step: undefined };
  expect(rolloutText(argo).split('\n').slice(0, 2)).toEqual(['== shop/web ==', 'test controller, Rollout/shop-web-c8a1b2c3 in dist/shop.k8s.yaml']);
  const ab: FoundExperiment = { ...experiment, source: 'cdk8s', origin: 'dist/shop.k8s.yaml', name: 'shop/ab', object: 'HTTPRoute/shop-ab-c8d4e5f6', active: true };
  expect(renderText({ rollouts: [], experiments: [ab] })).toContain('== A/B experiment shop/ab ==\nALB, HTTPRoute/shop-ab-c8d4e5f6 in dist/shop.k8s.yaml, active\n');
  // Manifests written before the path was recorded are titled by the object, said once.
  expect(rolloutContext({ ...argo, name: 'Rollout/web', object: 'Rollout/web' })).toBe('test controller, from dist/shop.k8s.yaml');
});

test('a driven rollout says what a rollout costs its state machine (which the controller names)', () => {
  const driven: FoundRollout = {
    ...canary,
    driver: { engine: 'AWS Step Functions', stateMachineName: 'Shop-Www-0A1B2C3D', stateTransitions: 87, maxStateTransitions: 2914, maxHistoryEvents: 10321 },
  };
  expect(rolloutText(driven).split('\n').slice(0, 3)).toEqual([
    '== Shop/Checkout/Rollout ==',
    'test controller, from test',
    'AWS Step Functions cost: about 87 state transitions a rollout '
    + '(at most 2,914 when every wait runs to its bound; at most 10,321 of the 25,000 history events an execution keeps)',
  ]);
  expect(rolloutText(canary)).not.toContain('Step Functions');
});

test('an experiment that records its watchers lists what watches each variant after its allocations', () => {
  const measured: FoundExperiment = {
    ...experiment, active: true, watchedBy: { 'control': ['error-rate', 'latency-p99'], 'one-click': [] }, measuredThrough: 'Prometheus http://p:9090 (Istio)',
  };
  expect(renderText({ rollouts: [], experiments: [measured] })).toBe([
    '== A/B experiment Shop/Ab ==',
    'ALB, from cdk.out, active',
    '',
    experiment.table,
    '',
    'measured through Prometheus http://p:9090 (Istio):',
    textTable(['variant', 'watched by'], [['control', 'error-rate, latency-p99'], ['one-click', 'nothing']]),
  ].join('\n') + '\n');
});
