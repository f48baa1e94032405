import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { report } from '../examples/house-strategies/main';
import { blueGreen, canary, checkoutExperiment, linear, shopRelease } from '../examples/house-strategies/strategies';

const examples = path.join(__dirname, '..', 'examples');

describe('examples/house-strategies', () => {
  const text = report(new Date('2026-12-01T00:00:00Z'));

  test('prints the plan of every house strategy, the experiment and the release', () => {
    expect(text).toContain(blueGreen.plan().toTable());
    expect(text).toContain(canary.plan({ replicas: 20 }).toTable());
    expect(text).toContain(linear.plan().toTable());
    expect(text).toContain(checkoutExperiment.toTable(new Date('2026-12-01T00:00:00Z')));
    expect(text).toContain(shopRelease.toTable());
  });

  test('the release rolls out payments, then orders, then the storefront', () => {
    expect(shopRelease.waves().map((w) => w.services)).toEqual([['payments'], ['orders'], ['storefront']]);
    expect(text).toContain('total duration: 1h 12m');
  });

  test('the experiment is running before its end date and over after it', () => {
    expect(checkoutExperiment.isActive(new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(checkoutExperiment.allocations(new Date('2027-04-01T00:00:00Z'))).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
  });

  test('runs as a user runs it, through the main job', () => {
    const out = execFileSync('npx', ['ts-node', '--project', path.join(examples, 'tsconfig.json'), '-r', 'tsconfig-paths/register', 'run-all.ts'], {
      cwd: examples,
      encoding: 'utf-8',
      // The test task type-checks examples/ with tsc already; here only the run itself is under test.
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    expect(out).toContain('=== examples/house-strategies ===');
    expect(out).toContain(canary.plan({ replicas: 20 }).toTable());
    expect(out).toContain(shopRelease.toTable());
  }, 120_000);
});

test('the main job runs every example folder', () => {
  const source = fs.readFileSync(path.join(examples, 'run-all.ts'), 'utf-8');
  const folders = fs.readdirSync(examples, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name);
  expect(folders.length).toBeGreaterThan(0);
  for (const folder of folders) expect(source).toContain(`'${folder}'`);
});
