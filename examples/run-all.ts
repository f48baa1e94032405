// The main job: runs every example as a user would and prints what it plans to do to traffic.
//   examples/<name>/main.ts          core-only examples, run with ts-node
//   examples/aws/<name>/cdk.json     CDK apps, synthesized by the real `cdk` CLI
//   examples/k8s/<name>/cdk8s.yaml   cdk8s apps, synthesized by the real `cdk8s` CLI
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Yaml } from 'cdk8s';
import { EXPERIMENT_ANNOTATION, PLAN_ANNOTATION, RecordedK8sPlan } from '../src/private/k8s-plan';
import { EXPERIMENT_METADATA_TYPE, PLAN_METADATA_TYPE, RecordedExperiment } from '../src/private/plan-metadata';

const EXAMPLES = __dirname;

/** Folders (relative to examples/) holding a core-only example. */
export function coreExamples(): string[] {
  return subfolders(EXAMPLES).filter(name => fs.existsSync(path.join(EXAMPLES, name, 'main.ts')));
}

/** Folders (relative to examples/) holding a CDK app. */
export function awsExamples(): string[] {
  return subfolders(path.join(EXAMPLES, 'aws')).map(name => `aws/${name}`)
    .filter(folder => fs.existsSync(path.join(EXAMPLES, folder, 'cdk.json')));
}

/** Folders (relative to examples/) holding a cdk8s app. */
export function k8sExamples(): string[] {
  return subfolders(path.join(EXAMPLES, 'k8s')).map(name => `k8s/${name}`)
    .filter(folder => fs.existsSync(path.join(EXAMPLES, folder, 'cdk8s.yaml')));
}

/** Runs a core-only example and returns what it printed. */
export function runCoreExample(folder: string): string {
  return execFileSync('npx', ['ts-node', '--project', path.join(EXAMPLES, 'tsconfig.json'), '-r', 'tsconfig-paths/register', 'main.ts'], {
    cwd: path.join(EXAMPLES, folder),
    encoding: 'utf-8',
  });
}

/** Synthesizes a CDK example with the real CLI into `outdir` and returns its cloud assembly. */
export function synthAwsExample(folder: string, outdir: string, env: Record<string, string> = {}): CloudAssembly {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir], {
    cwd: path.join(EXAMPLES, folder),
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
  });
  return new CloudAssembly(outdir);
}

/**
 * Synthesizes a cdk8s example with the real CLI into `outdir` and returns every manifest object.
 * `--no-check-upgrade` keeps the CLI off the network.
 */
export function synthK8sExample(folder: string, outdir: string, env: Record<string, string> = {}): any[] {
  execFileSync('npx', ['cdk8s', 'synth', '--no-check-upgrade', '--output', outdir], {
    cwd: path.join(EXAMPLES, folder),
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).sort()
    .flatMap(f => Yaml.load(path.join(outdir, f)).filter(doc => doc !== null && doc !== undefined));
}

/** The traffic plans recorded on manifest objects, as `{ object, ...RecordedK8sPlan }`. */
export function recordedK8sPlans(objects: any[]): Array<{ object: string } & RecordedK8sPlan> {
  return objects.filter(o => o.metadata?.annotations?.[PLAN_ANNOTATION] !== undefined)
    .map(o => ({ object: `${o.kind}/${o.metadata.name}`, ...JSON.parse(o.metadata.annotations[PLAN_ANNOTATION]) }));
}

/** The traffic plans recorded in an assembly, as `{ path, controller, table }`. */
export function recordedPlans(assembly: CloudAssembly): Array<{ path: string; controller: string; table: string }> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(PLAN_METADATA_TYPE)
    .map(entry => ({ path: entry.path, controller: (entry.data as any).controller, table: (entry.data as any).table })));
}

/** The A/B experiments recorded in an assembly, as `{ path, ...RecordedExperiment }`. */
export function recordedExperiments(assembly: CloudAssembly): Array<{ path: string } & RecordedExperiment> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(EXPERIMENT_METADATA_TYPE)
    .map(entry => ({ path: entry.path, ...(entry.data as unknown as RecordedExperiment) })));
}

/** The A/B experiments recorded on manifest objects, as `{ object, active, reason?, table }`. */
export function recordedK8sExperiments(objects: any[]): Array<{ object: string; active: boolean; reason?: string; table: string }> {
  return objects.filter(o => o.metadata?.annotations?.[EXPERIMENT_ANNOTATION] !== undefined)
    .map(o => ({ object: `${o.kind}/${o.metadata.name}`, ...JSON.parse(o.metadata.annotations[EXPERIMENT_ANNOTATION]) }));
}

function subfolders(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter(d => d.isDirectory() && d.name !== 'cdk.out').map(d => d.name).sort();
}

if (require.main === module) {
  for (const folder of coreExamples()) {
    console.log(`=== examples/${folder} ===`);
    console.log(runCoreExample(folder));
  }
  for (const folder of awsExamples()) {
    console.log(`=== examples/${folder} (cdk synth) ===`);
    const assembly = synthAwsExample(folder, path.join(EXAMPLES, folder, 'cdk.out'));
    for (const plan of recordedPlans(assembly)) {
      console.log(`${plan.path} (${plan.controller})`);
      console.log(plan.table);
      console.log();
    }
    for (const experiment of recordedExperiments(assembly)) {
      console.log(`${experiment.path} (${experiment.backend}${experiment.active ? '' : `, inactive: ${experiment.reason}`})`);
      console.log(experiment.table);
      console.log();
    }
  }
  for (const folder of k8sExamples()) {
    console.log(`=== examples/${folder} (cdk8s synth) ===`);
    const objects = synthK8sExample(folder, path.join(EXAMPLES, folder, 'dist'));
    for (const plan of recordedK8sPlans(objects)) {
      console.log(`${plan.object} (${plan.controller}${plan.step === undefined ? '' : `, rendering step ${plan.step}`})`);
      console.log(plan.table);
      console.log();
    }
    for (const experiment of recordedK8sExperiments(objects)) {
      console.log(`${experiment.object} (Gateway API${experiment.active ? '' : `, inactive: ${experiment.reason}`})`);
      console.log(experiment.table);
      console.log();
    }
  }
}
