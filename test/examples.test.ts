import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { report } from '../examples/house-strategies/main';
import { blueGreen, canary, checkoutExperiment, linear, shopRelease } from '../examples/house-strategies/strategies';
import { awsExamples, coreExamples, k8sExamples, runCoreExample, synthAwsExample, synthK8sExample } from '../examples/run-all';
import { CfnLintRun } from './support/cfn-lint';
import { validateManifest } from './support/k8s';
import { readPath, recordedExperiments, recordedK8sExperiments, recordedK8sPlans, recordedPlans } from '../src/cli/read-plans';

const examples = path.join(__dirname, '..', 'examples');
/**
 * Examples with an A/B experiment render the allocations of the moment given as AT (else of now):
 * a fixed moment keeps their output, and so the snapshots, the same whatever the day.
 */
const AT = { AT: '2026-12-01T00:00:00Z' };

// The test task type-checks examples/ with tsc already; here only the runs themselves are under test.
process.env.TS_NODE_TRANSPILE_ONLY = 'true';

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
    const out = runCoreExample('house-strategies');
    expect(out).toContain(canary.plan({ replicas: 20 }).toTable());
    expect(out).toContain(shopRelease.toTable());
  }, 120_000);
});

/** cfn-lint reads every template the CDK examples synthesize, in one run that overlaps the cdk8s examples. */
const cfnLint = new CfnLintRun(awsExamples().length);

describe('CDK examples, synthesized by the real cdk CLI', () => {
  test.each(awsExamples())('%s synthesizes with strict validation and cdk-nag, and keeps its construct ids', (folder) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-example-'));
    const assembly = synthAwsExample(folder, outdir, AT);
    cfnLint.add(assembly.stacksRecursively.map(stack => stack.templateFullPath));

    // Every rollout records its plan (every experiment its allocations, every release its waves),
    // which the plan command reads back.
    expect(recordedPlans(assembly).length + recordedExperiments(assembly).length).toBeGreaterThan(0);
    expect(readPath(outdir).releases?.length ?? 0).toBe(folder.endsWith('release') ? 1 : 0);

    // Construct paths and logical ids are API: a change here replaces resources in users' stacks.
    // Update the snapshot deliberately (`npx projen test:update`) only when that is intended.
    const ids = assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType('aws:cdk:logicalId')
      .map(entry => `${entry.path} -> ${entry.data}`)).sort();
    expect(ids).toMatchSnapshot();
  }, 300_000);
});

test('the main job finds every example folder', () => {
  const found = [...coreExamples(), ...awsExamples(), ...k8sExamples()];
  const platforms = ['aws', 'k8s'];
  const folders = [
    ...fs.readdirSync(examples, { withFileTypes: true }).filter(d => d.isDirectory() && !platforms.includes(d.name)).map(d => d.name),
    ...platforms.flatMap(platform => fs.readdirSync(path.join(examples, platform), { withFileTypes: true })
      .filter(d => d.isDirectory()).map(d => `${platform}/${d.name}`)),
  ];
  expect(found.sort()).toEqual(folders.sort());
});

describe('cdk8s examples, synthesized by the real cdk8s CLI', () => {
  test.each(k8sExamples())('%s synthesizes objects that pass their upstream schemas, and keeps its manifests', (folder) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-example-'));
    const objects = synthK8sExample(folder, outdir, AT);
    expect(objects.length).toBeGreaterThan(0);
    objects.forEach(validateManifest);

    // Every rollout records its plan on its primary object, for the main job and the plan tools.
    expect(recordedK8sPlans(objects).length + recordedK8sExperiments(objects).length).toBeGreaterThan(0);
    expect(readPath(outdir).releases?.length ?? 0).toBe(folder.endsWith('release') ? 1 : 0);

    // The manifests are what users apply: a change here changes their clusters. Update on purpose only.
    expect(objects).toMatchSnapshot();
  }, 300_000);
});

test('every template of the CDK examples passes cfn-lint, with the warnings .cfnlintrc.yaml ignores and why', async () => {
  expect(cfnLint.count).toBeGreaterThan(0);
  expect(await cfnLint.findings()).toEqual([]);
}, 300_000);
