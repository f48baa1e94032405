import { planTotals, stepRows } from '../../src/cli/plan-view';
import { code, escapeMarkdown, markdownTable, renderMarkdown, rolloutMarkdown } from '../../src/cli/render-markdown';
import { textChart } from '../../src/cli/text-chart';
import { gatedCanary, rolloutOf } from '../support/cli-fixtures';

const canary = rolloutOf('Shop/Checkout/Rollout', gatedCanary);

test('a rollout: heading, context, step table, chart in a text block, totals', () => {
  const out = rolloutMarkdown(canary);
  const totals = planTotals(canary.plan);
  expect(out.startsWith('### `Shop/Checkout/Rollout`\n\ntest controller, from test: canary 5% (bake 10m)')).toBe(true);
  expect(out).toContain('| step | at | stable | new | capacity | held by |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const row of stepRows(canary.plan)) expect(out).toContain(`| ${row.join(' | ')} |`);
  expect(out).toContain(`\`\`\`text\n${textChart(canary.plan)}\n\`\`\``);
  expect(out).toContain(`- **time to full traffic:** ${totals.timeToFullTraffic}`);
  expect(out).toContain('- **peak capacity:** 200% of steady state (extra: +100%)');
  expect(out).toContain('- **worst-case rollback:** instant (traffic switch)');
  expect(out).toContain('- **first-step blast radius:** 5% of traffic');
});

test('experiments print their table in a text block', () => {
  const out = renderMarkdown({ rollouts: [], experiments: [{ source: 'cdk', origin: 'cdk.out', name: 'Shop/Ab', backend: 'ALB', active: true, table: 'a | b' }] });
  expect(out).toBe('### A/B experiment `Shop/Ab`\n\nALB, from cdk.out, active\n\n```text\na | b\n```\n');
});

test('escapes what Markdown would read as syntax', () => {
  expect(markdownTable(['a'], [['x | y']])).toBe('| a |\n| --- |\n| x \\| y |');
  expect(escapeMarkdown('cdk_out/*[x]* <b> #1 `c`')).toBe('cdk\\_out/\\*\\[x\\]\\* \\<b\\> \\#1 \\`c\\`');
  expect(code('a`b')).toBe("`a'b`");
});

test('an experiment that records its watchers has a table of them', () => {
  const out = renderMarkdown({
    rollouts: [],
    experiments: [{
      source: 'cdk8s',
      origin: 'dist',
      name: 'HTTPRoute/ab',
      backend: 'Gateway API',
      active: true,
      table: 't',
      watchedBy: { control: ['error-rate'], beta: [] },
      measuredThrough: 'Prometheus http://p:9090 (Istio)',
    }],
  });
  expect(out).toBe([
    '### A/B experiment `HTTPRoute/ab`', '', 'Gateway API, from dist, active', '', '```text', 't', '```', '',
    'measured through Prometheus http://p:9090 (Istio):', '',
    '| variant | watched by |', '| --- | --- |', '| `control` | `error-rate` |', '| `beta` | nothing |',
  ].join('\n') + '\n');
});
