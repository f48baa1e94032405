// The main job: runs every example as a user would and prints what it plans to do to traffic.
//   examples/<name>/main.ts          core-only examples, run with ts-node
//   examples/aws/<name>/cdk.json     CDK apps, synthesized by the real `cdk` CLI
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PLAN_METADATA_TYPE } from '../src/private/plan-metadata';

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

/** Runs a core-only example and returns what it printed. */
export function runCoreExample(folder: string): string {
  return execFileSync('npx', ['ts-node', '--project', path.join(EXAMPLES, 'tsconfig.json'), '-r', 'tsconfig-paths/register', 'main.ts'], {
    cwd: path.join(EXAMPLES, folder),
    encoding: 'utf-8',
  });
}

/** Synthesizes a CDK example with the real CLI into `outdir` and returns its cloud assembly. */
export function synthAwsExample(folder: string, outdir: string): CloudAssembly {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir], {
    cwd: path.join(EXAMPLES, folder),
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  return new CloudAssembly(outdir);
}

/** The traffic plans recorded in an assembly, as `{ path, controller, table }`. */
export function recordedPlans(assembly: CloudAssembly): Array<{ path: string; controller: string; table: string }> {
  return assembly.stacksRecursively.flatMap(stack => stack.findMetadataByType(PLAN_METADATA_TYPE)
    .map(entry => ({ path: entry.path, controller: (entry.data as any).controller, table: (entry.data as any).table })));
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
  }
}
