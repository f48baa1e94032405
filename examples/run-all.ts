// The main job: runs every example as a user would and prints what it plans to do to traffic.
//   examples/<name>/main.ts          core-only examples, run with ts-node
//   examples/aws/<name>/cdk.json     CDK apps, synthesized by the real `cdk` CLI
//   examples/k8s/<name>/cdk8s.yaml   cdk8s apps, synthesized by the real `cdk8s` CLI
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Yaml } from 'cdk8s';
import { readPath } from '../src/cli/read-plans';
import { renderText } from '../src/cli/render-text';

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


function subfolders(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter(d => d.isDirectory() && d.name !== 'cdk.out').map(d => d.name).sort();
}

if (require.main === module) {
  for (const folder of coreExamples()) {
    console.log(`=== examples/${folder} ===`);
    console.log(runCoreExample(folder));
  }
  // The synthesized output is read back by the package's own plan command, as a user would.
  for (const folder of awsExamples()) {
    console.log(`=== examples/${folder} (cdk synth) ===`);
    const outdir = path.join(EXAMPLES, folder, 'cdk.out');
    synthAwsExample(folder, outdir);
    console.log(renderText(readPath(outdir)));
  }
  for (const folder of k8sExamples()) {
    console.log(`=== examples/${folder} (cdk8s synth) ===`);
    const outdir = path.join(EXAMPLES, folder, 'dist');
    synthK8sExample(folder, outdir);
    console.log(renderText(readPath(outdir)));
  }
}
