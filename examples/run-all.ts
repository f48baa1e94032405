// The main job (`npx projen examples`): runs every example as a user would and prints what it plans
// to do to traffic.
//   examples/<name>/main.ts          core-only examples, run with node
//   examples/aws/<name>/cdk.json     CDK apps, synthesized by the real `cdk` CLI
//   examples/k8s/<name>/cdk8s.yaml   cdk8s apps, synthesized by the real `cdk8s` CLI
// Each runs from JavaScript transpiled once, several at a time (examples/synthesize.ts); its output
// stays in examples/.out/<folder>/, where the test suite reads it too.
import * as fs from 'fs';
import * as path from 'path';
import { ExampleOutput, synthesizeExamples } from './synthesize';
import { readPath } from '../src/cli/read-plans';
import { renderText } from '../src/cli/render-text';

const ROOT = path.join(__dirname, '..');

/** The capacity modes plans name, in words, printed under the first line that names each one. */
const CAPACITY_IN_WORDS: Record<string, string> = {
  FULL_COPY: 'the new version runs at full size beside the old one before any traffic moves: twice the usual capacity for the whole rollout',
  PROPORTIONAL: 'the new version is scaled to its share of traffic beside the full old one: up to twice the usual capacity, briefly',
  REPLICA_RATIO: 'the usual number of replicas is split between the two versions, so weights are rounded to whole replicas: no extra capacity',
  IN_PLACE: 'the old version is replaced where it runs (a rolling update): no extra capacity, and a rollback must start the old version again',
  SERVERLESS: 'each version scales with its own traffic (Lambda): no capacity to provision, and rollback is instant',
};

/** The section of one example: its title, then what the plan command prints for its output. */
export function section(example: ExampleOutput): string {
  const origin = path.relative(ROOT, example.outdir);
  if (example.kind === 'core') {
    return [`=== examples/${example.folder} (node main.ts) ===`, fs.readFileSync(path.join(example.outdir, 'stdout.txt'), 'utf-8').trimEnd()].join('\n');
  }
  const cli = example.kind === 'aws' ? 'cdk synth' : 'cdk8s synth';
  return [`=== examples/${example.folder} (${cli}, output in ${origin}) ===`, renderText(readPath(origin)).trimEnd()].join('\n');
}

/**
 * Adds, under the first line that names each capacity mode (`capacity FULL_COPY`), what the mode
 * means, so a reader meets the word and its meaning together.
 */
export function explainCapacity(text: string, explained: Set<string>): string {
  return text.split('\n').flatMap(line => {
    const notes = [...line.matchAll(/capacity ([A-Z_]+)\b/g)].map(m => m[1])
      .filter(mode => CAPACITY_IN_WORDS[mode] !== undefined && !explained.has(mode));
    notes.forEach(mode => explained.add(mode));
    return [line, ...notes.map(mode => `  (${mode}: ${CAPACITY_IN_WORDS[mode]})`)];
  }).join('\n');
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

async function main(): Promise<void> {
  // Progress goes to stderr, so `npx projen examples > plans.txt` keeps the report alone.
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const run = await synthesizeExamples({
    force: true,
    onStart: (total, concurrency) => progress(`Synthesizing ${total} examples with their CLIs, ${concurrency} at a time ...`),
    onProgress: ({ done, total, example }) =>
      progress(`[${String(done).padStart(String(total).length)}/${total}] examples/${example.folder} (${seconds(example.seconds)})`),
  });
  progress(`All ${run.examples.length} examples synthesized in ${seconds(run.seconds)}. `
    + `Experiments are shown as of ${run.at} (AT=<ISO date> shows another moment).\n`);

  const explained = new Set<string>();
  console.log([
    'Every example under examples/, as each rollout will move traffic. Sections are titled by the example folder,',
    'then by the construct path of each rollout, experiment or release (`npx cdk-deploy-strategies plan <output>` prints the same).',
  ].join('\n'));
  for (const example of run.examples) {
    console.log(`\n${explainCapacity(section(example), explained)}`);
  }
}

if (require.main === module) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
