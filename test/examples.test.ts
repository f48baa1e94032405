import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Yaml } from 'cdk8s';
import { report } from '../examples/house-strategies/main';
import { blueGreen, canary, checkoutExperiment, linear, shopRelease } from '../examples/house-strategies/strategies';
import { explainCapacity, section } from '../examples/run-all';
import { allExamples, awsExamples, coreExamples, DEFAULT_AT, ExampleOutput, k8sExamples, synthesizeExamples } from '../examples/synthesize';
import { cfnLint, CfnLintFinding } from './support/cfn-lint';
import { validateManifest } from './support/k8s';
import { readPath, recordedExperiments, recordedK8sExperiments, recordedK8sPlans, recordedPlans } from '../src/cli/read-plans';

const examples = path.join(__dirname, '..', 'examples');

/**
 * Every example synthesized by its real CLI, once per state of the sources and shared with the main
 * job and any other test that reads example output (examples/synthesize.ts). Examples with an A/B
 * experiment render the allocations of DEFAULT_AT, so their output, and the snapshots, stay the
 * same whatever the day.
 */
let synthesized: Map<string, ExampleOutput>;
/**
 * cfn-lint over every template of the CDK examples, read from the shared output (no second
 * synthesis): one cfn-lint process, started as soon as the output is there, so it runs while the
 * snapshot and schema tests below do.
 */
let linted: Promise<{ templates: number; findings: CfnLintFinding[] }>;
beforeAll(async () => {
  if (process.env.AT !== undefined && process.env.AT !== DEFAULT_AT) throw new Error(`unset AT (${process.env.AT}): the snapshots are of ${DEFAULT_AT}`);
  const run = await synthesizeExamples();
  synthesized = new Map(run.examples.map(e => [e.folder, e]));
  const templates = run.examples.filter(e => e.kind === 'aws')
    .flatMap(e => new CloudAssembly(e.outdir).stacksRecursively.map(stack => stack.templateFullPath));
  linted = cfnLint(templates).then(findings => ({ templates: templates.length, findings }));
  // Keeps a failure from surfacing as an unhandled rejection before the cfn-lint test awaits it.
  linted.catch(() => undefined);
  // About a minute on two quiet cores; generous, as a machine shared by several test runs has taken eight.
}, 1_800_000);

const outdir = (folder: string) => synthesized.get(folder)!.outdir;

/** The manifests a cdk8s example wrote, every object in file order. */
function manifests(folder: string): any[] {
  const dir = outdir(folder);
  return fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort()
    .flatMap(f => Yaml.load(path.join(dir, f)).filter(doc => doc !== null && doc !== undefined));
}

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
    expect(text).toContain('total duration: 1h 12m + 1 manual approval');
  });

  test('the experiment is running before its end date and over after it', () => {
    expect(checkoutExperiment.isActive(new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(checkoutExperiment.allocations(new Date('2027-04-01T00:00:00Z'))).toEqual([{ variant: 'control', isControl: true, weight: 100 }]);
  });

  test('runs as a user runs it', () => {
    const out = fs.readFileSync(path.join(outdir('house-strategies'), 'stdout.txt'), 'utf-8');
    expect(out).toBe(`${report(new Date(DEFAULT_AT))}\n`);
  });
});

describe('CDK examples, synthesized by the real cdk CLI', () => {
  test.each(awsExamples())('%s synthesizes with strict validation and cdk-nag, and keeps its construct ids', (folder) => {
    const assembly = new CloudAssembly(outdir(folder));

    // Every rollout records its plan (every experiment its allocations, every release its waves),
    // which the plan command reads back.
    expect(recordedPlans(assembly).length + recordedExperiments(assembly).length).toBeGreaterThan(0);
    expect(readPath(outdir(folder)).releases?.length ?? 0).toBe(folder.endsWith('release') ? 1 : 0);

    // Construct paths and logical ids are API: a change here replaces resources in users' stacks.
    // Update the snapshot deliberately (`npx projen test:update`) only when that is intended.
    const ids = assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType('aws:cdk:logicalId')
      .map(entry => `${entry.path} -> ${entry.data}`)).sort();
    expect(ids).toMatchSnapshot();
  });
});

test('the main job finds every example folder', () => {
  const found = allExamples().map(e => e.folder);
  expect(found).toEqual([...coreExamples(), ...awsExamples(), ...k8sExamples()]);
  const platforms = ['aws', 'k8s'];
  // Hidden folders hold what the examples produce (examples/.build, examples/.out).
  const folders = [
    ...fs.readdirSync(examples, { withFileTypes: true }).filter(d => d.isDirectory() && !platforms.includes(d.name) && !d.name.startsWith('.'))
      .map(d => d.name),
    ...platforms.flatMap(platform => fs.readdirSync(path.join(examples, platform), { withFileTypes: true })
      .filter(d => d.isDirectory()).map(d => `${platform}/${d.name}`)),
  ];
  expect(found.sort()).toEqual(folders.sort());
});

describe('cdk8s examples, synthesized by the real cdk8s CLI', () => {
  test.each(k8sExamples())('%s synthesizes objects that pass their upstream schemas, and keeps its manifests', (folder) => {
    const objects = manifests(folder);
    expect(objects.length).toBeGreaterThan(0);
    objects.forEach(validateManifest);

    // Every rollout records its plan on its primary object, for the main job and the plan tools.
    expect(recordedK8sPlans(objects).length + recordedK8sExperiments(objects).length).toBeGreaterThan(0);
    expect(readPath(outdir(folder)).releases?.length ?? 0).toBe(folder.endsWith('release') ? 1 : 0);

    // The manifests are what users apply: a change here changes their clusters. Update on purpose only.
    expect(objects).toMatchSnapshot();
  });
});

describe('the main job', () => {
  test('titles every section by its example, then every rollout, experiment and release by construct path', () => {
    const text = allExamples().map(e => section(synthesized.get(e.folder)!)).join('\n');
    const titles = text.split('\n').filter(line => line.startsWith('== ')).map(line => line.slice(3, -3));
    expect(titles.length).toBeGreaterThan(20);
    // A construct path is the ids from the app down, never a Kubernetes object name (Kind/name-hash).
    for (const title of titles) {
      expect(title).toMatch(/^(A\/B experiment |release \S+ \()?[A-Za-z0-9-]+(\/[A-Za-z0-9-]+)+\)?$/);
    }
    expect(titles).toEqual(expect.arrayContaining(['ArgoCanary/checkout', 'A/B experiment GatewayAbTest/Checkout', 'release shop (shop/release)', 'EcsCanary/Web/Rollout']));
    // ... the object's name is still printed, under the title.
    expect(text).toMatch(/^Argo Rollouts, Rollout\/argocanary-checkout-rollout-c8[0-9a-f]+ in examples\/\.out\/k8s\/argo-canary\/\S+\.k8s\.yaml$/m);
  });

  test('says what a capacity mode means where it first appears, once', () => {
    const explained = new Set<string>();
    const text = allExamples().map(e => explainCapacity(section(synthesized.get(e.folder)!), explained)).join('\n');
    for (const mode of ['FULL_COPY', 'REPLICA_RATIO', 'PROPORTIONAL', 'IN_PLACE', 'SERVERLESS']) {
      const lines = text.split('\n');
      const first = lines.findIndex(line => line.includes(`capacity ${mode}`));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(lines[first + 1]).toMatch(new RegExp(`^  \\(${mode}: `));
      expect(lines.filter(line => line.startsWith(`  (${mode}: `))).toHaveLength(1);
    }
  });
});

test('every template of the CDK examples passes cfn-lint, with the warnings .cfnlintrc.yaml ignores and why', async () => {
  const { templates, findings } = await linted;
  expect(templates).toBeGreaterThanOrEqual(awsExamples().length);
  expect(findings).toEqual([]);
}, 300_000);
