import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { synthesizeExamples } from '../../examples/synthesize';
import { Strategy } from '../../src';
import { EXPERIMENT_METADATA_TYPE, PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { CORE_STRATEGIES } from '../../src/cli/compare';
import { main, parseArgs, USAGE } from '../../src/cli/main';
import type { PlanJson } from '../../src/cli/plan-json';
import { RECORDING_CONSTRUCTS } from '../../src/cli/read-plans';
import { formatPercent, formatSeconds } from '../../src/core/private/format';
import { planTable } from '../../src/core/private/plan-table';
import { PLAN_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { byClass, parseXml } from '../support/xml';

const ROOT = path.join(__dirname, '..', '..');
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Runs the command in-process, as `main` is the whole program but for `process`. */
function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: t => { out += t.endsWith('\n') ? t : `${t}\n`; }, err: t => { err += t.endsWith('\n') ? t : `${t}\n`; } });
  return { code, out, err };
}

/** A recorded plan, as the oracle: what the construct wrote, read without the CLI's reader. */
interface Recorded {
  readonly name: string;
  /** cdk8s: `Kind/name` of the object carrying the plan. */
  readonly object?: string;
  readonly controller: string;
  readonly step?: number;
  readonly table: string;
  readonly plan: PlanJson;
}

/** The value of `label:` in a table printed by the library's own `TrafficPlan.toTable()`. */
function libraryTotal(table: string, label: string): string {
  const line = table.split('\n').find(l => l.startsWith(`${label}:`));
  if (!line) throw new Error(`no ${label} in ${table}`);
  return line.slice(label.length + 1).trim();
}

/** The step table of a printed plan: from its header to the line before the totals. */
function libraryStepTable(table: string): string {
  const lines = table.split('\n');
  return lines.slice(lines.findIndex(l => l.startsWith('step ')), lines.findIndex(l => l.startsWith('time to full traffic:'))).join('\n');
}

describe('on synthesized examples', () => {
  let cdkOut: string;
  let k8sOut: string;
  let recorded: Recorded[];

  beforeAll(async () => {
    // Every example's output, synthesized once per run for the whole suite (examples/synthesize.ts).
    const examples = (await synthesizeExamples()).examples;
    cdkOut = examples.find(e => e.folder === 'aws/ecs-canary')!.outdir;
    k8sOut = examples.find(e => e.folder === 'k8s/gateway-canary')!.outdir;
    const assembly = new CloudAssembly(cdkOut);
    const objects = fs.readdirSync(k8sOut).filter(f => f.endsWith('.yaml')).sort().flatMap(f => Yaml.load(path.join(k8sOut, f)));
    recorded = [
      ...assembly.stacksRecursively.flatMap(s => s.findMetadataByType(PLAN_METADATA_TYPE))
        .map(e => ({ name: e.path.replace(/^\//, ''), ...(e.data as any) })),
      // Read straight from the annotation, independently of the command's reader. The annotation
      // leaves the table out; it is what TrafficPlan.toTable() prints for the plan, rendered from its JSON.
      ...objects.filter(o => o.metadata?.annotations?.[PLAN_ANNOTATION] !== undefined).map(o => {
        const annotation = JSON.parse(o.metadata.annotations[PLAN_ANNOTATION]);
        // Titled by the rollout's construct path, which the annotation records beside the plan.
        return { ...annotation, name: annotation.path, object: `${o.kind}/${o.metadata.name}`, table: planTable(annotation.plan) };
      }),
    ];
    // The examples cover a plan with a manual approval and one rendered one step per deploy.
    expect(recorded.map(r => r.controller)).toEqual(['native ECS deployment', 'Gateway API']);
    expect(recorded[1].step).toBe(1);
    expect(recorded[1].plan.manualApprovals).toBeGreaterThan(0);
    expect(recorded[0].plan.healthChecks?.map(c => c.name)).toEqual(['error-rate', 'latency-p99', 'slow-responses']);
  }, 1_800_000);

  test('json: every rollout with its plan exactly as recorded', () => {
    const { code, out, err } = run('plan', cdkOut, k8sOut, '--format', 'json');
    expect([code, err]).toEqual([0, '']);
    const found = JSON.parse(out);
    expect(found.rollouts.map((r: any) => [r.name, r.controller, r.step, r.plan])).toEqual(recorded.map(r => [r.name, r.controller, r.step, r.plan]));
    expect(found.experiments).toEqual([]);
  });

  test('text: the step table, the chart and the totals agree with the plans the library printed', () => {
    const { code, out } = run('plan', cdkOut, k8sOut);
    expect(code).toBe(0);
    const sections = out.split(/^== /m).slice(1);
    expect(sections).toHaveLength(recorded.length);
    sections.forEach((section, i) => {
      const { name, plan, table } = recorded[i];
      expect(section.startsWith(`${name} ==\n`)).toBe(true);
      expect(section).toContain(libraryStepTable(table));
      expect(section).toContain(`time to full traffic:    ${libraryTotal(table, 'time to full traffic')}\n`);
      expect(section).toContain(`total duration:          ${libraryTotal(table, 'total duration')}\n`);
      expect(section).toContain(`peak capacity:           ${libraryTotal(table, 'peak capacity')} (`);
      expect(section).toContain(`worst-case rollback:     ${libraryTotal(table, 'worst-case rollback')}\n`);
      expect(section).toContain(`first-step blast radius: ${libraryTotal(table, 'first-step blast radius')}`);
      // What watches each step, and what rolls the rollout back (the ECS example declares health checks).
      for (const check of plan.healthChecks ?? []) expect(section).toContain(check.description);
      if (plan.healthChecks) expect(section).toMatch(/step +at +stable +new +capacity +held by +watched by\n/);
      // The chart: rows from 100% down to the axis, and one marker line per manual approval.
      expect(section).toMatch(/\n100% \|[#: ]*\n(.*\n){4} 50% \|.*\n(.*\n){4}  0% \+[-+]+\n/);
      for (const step of plan.steps.filter(s => s.gate?.kind === 'MANUAL_APPROVAL')) {
        expect(section).toContain(`A at ${formatSeconds(step.offsetSeconds)}: step ${step.index} holds ${formatPercent(step.candidateWeight)} until someone approves`);
      }
    });
    // A Kubernetes rollout names the object that carries it, as kubectl shows it, and the file.
    expect(out).toContain(`Gateway API, ${recorded[1].object} in ${path.join(k8sOut, fs.readdirSync(k8sOut)[0])}, renders step 1 of ${recorded[1].plan.steps.length} per deploy`);
  });

  test('markdown: one section per rollout', () => {
    const { code, out } = run('plan', cdkOut, k8sOut, '--format=markdown');
    expect(code).toBe(0);
    expect(out.match(/^### /gm)).toHaveLength(recorded.length);
    for (const r of recorded) {
      expect(out).toContain(`### \`${r.name}\``);
      expect(out).toContain(`- **first-step blast radius:** ${libraryTotal(r.table, 'first-step blast radius')}`);
    }
  });

  test('--svg: one well-formed chart per rollout carrying every step of its plan', () => {
    const dir = path.join(tmp('cli-svg-'), 'charts');
    const { code, err } = run('plan', cdkOut, k8sOut, '--svg', dir);
    expect(code).toBe(0);
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(recorded.length);
    expect(err.trim().split('\n').sort()).toEqual(files.map(f => `wrote ${path.join(dir, f)}`));
    for (const r of recorded) {
      const root = parseXml(fs.readFileSync(path.join(dir, files.find(f => parseXml(fs.readFileSync(path.join(dir, f), 'utf-8')).attributes['data-rollout'] === r.name)!), 'utf-8'));
      expect(root.name).toBe('svg');
      expect(byClass(root, 'step').map(c => [Number(c.attributes['data-offset-seconds']), Number(c.attributes['data-candidate-weight'])]))
        .toEqual(r.plan.steps.map(s => [s.offsetSeconds, s.candidateWeight]));
      expect(Number(root.attributes['data-time-to-full-traffic-seconds'])).toBe(r.plan.timeToFullTrafficSeconds);
      expect(Number(root.attributes['data-blast-radius-percent'])).toBe(r.plan.blastRadiusPercent);
      expect(byClass(root, 'manual-approval')).toHaveLength(r.plan.manualApprovals);
    }
  });

  test('compare: duration, peak extra capacity, blast radius and rollback of each, from the plans', () => {
    const json = run('compare', cdkOut, k8sOut, '--format', 'json');
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.out).rollouts;
    expect(rows.map((r: any) => [r.name, r.totalDurationSeconds, r.peakExtraCapacityPercent, r.blastRadiusPercent, r.rollbackSeconds])).toEqual(
      recorded.map(r => [r.name, r.plan.totalDurationSeconds, r.plan.peakCapacityPercent - 100, r.plan.blastRadiusPercent, r.plan.rollbackSeconds]));
    const text = run('compare', cdkOut, k8sOut);
    expect(text.out.startsWith(`Rollouts in ${cdkOut}, ${k8sOut}\n`)).toBe(true);
    for (const r of recorded) {
      expect(text.out).toMatch(new RegExp(`\\n${r.name.replace(/[/.]/g, '\\$&')}\\s+.*\\s${formatPercent(r.plan.blastRadiusPercent)}\\s+`));
    }
  });

  test('runs as a user runs it: a node process, exit code 0, the same report', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join('src', 'cli', 'main.ts'), 'plan', cdkOut, k8sOut], {
      cwd: ROOT,
      encoding: 'utf-8',
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(run('plan', cdkOut, k8sOut).out);
  }, 60_000);
});

test('as a user runs it, a read error exits 1 with the message on stderr', () => {
  const missing = path.join(tmp('cli-'), 'cdk.out');
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join('src', 'cli', 'main.ts'), 'plan', missing], {
    cwd: ROOT,
    encoding: 'utf-8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`error: ${missing}: no such file or directory; pass a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file\n`);
}, 60_000);

describe('compare --strategies', () => {
  test('the four core strategies at one service size, with charts', () => {
    const dir = tmp('cli-strategies-');
    const { code, out, err } = run('compare', '--strategies', '--replicas', '20', '--svg', dir);
    expect(code).toBe(0);
    expect(out.startsWith('The four core strategies at 20 replicas\n')).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'comparison.svg', 'strategy-all-at-once.svg', 'strategy-blue-green.svg', 'strategy-canary-10percent-5minutes.svg', 'strategy-linear-10percent-every-1minute.svg',
    ]);
    expect(err.trim().split('\n')).toHaveLength(5);
    const comparison = parseXml(fs.readFileSync(path.join(dir, 'comparison.svg'), 'utf-8'));
    const panels = byClass(comparison, 'rollout');
    expect(panels.map(p => p.attributes['data-rollout'])).toEqual(CORE_STRATEGIES.map(([name]) => name));
    panels.forEach((panel, i) => {
      const plan = CORE_STRATEGIES[i][1].plan({ replicas: 20 }).toJson();
      expect(byClass(panel, 'step').map(c => Number(c.attributes['data-candidate-weight']))).toEqual(plan.steps.map((s: any) => s.candidateWeight));
      expect(Number(panel.attributes['data-peak-capacity-percent'])).toBe(plan.peakCapacityPercent);
    });
  });

  test('json, with 10 replicas unless told', () => {
    const { out } = run('compare', '--strategies', '--format', 'json');
    const rows = JSON.parse(out).rollouts;
    expect(JSON.parse(out).title).toBe('The four core strategies at 10 replicas');
    expect(rows.map((r: any) => r.peakCapacityPercent)).toEqual(CORE_STRATEGIES.map(([, s]) => s.plan({ replicas: 10 }).peakCapacityPercent));
  });

  test('a service size no plan accepts is the library\'s own error', () => {
    let expected = '';
    try {
      Strategy.CANARY_10PERCENT_5MINUTES.plan({ replicas: 1 });
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(run('compare', '--strategies', '--replicas', '1')).toEqual({ code: 1, out: '', err: `error: ${expected}\n` });
  });
});

describe('usage', () => {
  test('--help prints the usage and exits 0', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['plan', '--help']]) expect(run(...argv)).toEqual({ code: 0, out: `${USAGE}\n`, err: '' });
  });

  test.each([
    [[], `no command given\n\n${USAGE}`],
    [['deploy'], "unknown command 'deploy'; use plan or compare (see --help)"],
    [['plan'], 'plan needs at least one path: a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file'],
    [['compare'], 'compare needs paths to read rollouts from, or --strategies'],
    [['plan', 'cdk.out', '--verbose'], "unknown option '--verbose' (see --help)"],
    [['plan', 'cdk.out', '--format', 'xml'], "--format is 'xml'; use text, json or markdown"],
    [['plan', 'cdk.out', '--format'], '--format needs a value (see --help)'],
    [['plan', 'cdk.out', '--svg', '--format', 'json'], '--svg needs a value (see --help)'],
    [['plan', 'cdk.out', '--svg='], '--svg needs a value (see --help)'],
    [['plan', '--strategies'], '--strategies and --replicas belong to compare: cdk-deploy-strategies compare --strategies --replicas 10'],
    [['compare', 'cdk.out', '--strategies'], 'compare takes paths or --strategies, not both'],
    [['compare', 'cdk.out', '--replicas', '3'], '--replicas applies to --strategies only: recorded plans already carry their service size'],
    [['compare', '--strategies', '--replicas', 'ten'], "--replicas is 'ten'; use a whole number of replicas, for example --replicas 10"],
  ])('%j exits 1: %s', (argv, message) => {
    expect(run(...argv)).toEqual({ code: 1, out: '', err: `error: ${message}\n` });
  });

  test('options may come before or after paths, with = or a space', () => {
    expect(parseArgs(['plan', '--format=json', 'a', '--svg', 'charts', 'b'])).toEqual({
      command: 'plan', paths: ['a', 'b'], format: 'json', svg: 'charts', strategies: false, replicas: undefined,
    });
  });
});

describe('read errors exit 1 with the reader\'s message', () => {
  test('a missing path', () => {
    const missing = path.join(tmp('cli-'), 'dist');
    expect(run('plan', missing)).toEqual({
      code: 1, out: '', err: `error: ${missing}: no such file or directory; pass a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file\n`,
    });
  });

  test('a YAML syntax error, named with its file and line', () => {
    const file = path.join(tmp('cli-'), 'app.k8s.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "web\n');
    expect(run('plan', file)).toEqual({ code: 1, out: '', err: `error: ${file}:5:1: the YAML cannot be parsed: Missing closing "quote\n` });
  });

  test('a malformed manifest', () => {
    const dir = tmp('cli-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"artifacts": {}}');
    expect(run('compare', dir).err).toBe(`error: cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} has no "version"; it is not a cloud assembly manifest written by \`cdk synth\`\n`);
  });

  test('an assembly without rollouts, and one with only an experiment', () => {
    const outdir = tmp('cli-');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Empty');
    app.synth();
    expect(run('plan', outdir)).toEqual({
      code: 1,
      out: '',
      err: `error: no rollouts found in ${outdir}: ${RECORDING_CONSTRUCTS}. Synthesize an app that uses one (\`cdk synth\`, \`cdk8s synth\`) and pass its output folder.\n`,
    });

    const abOut = tmp('cli-');
    const abApp = new App({ outdir: abOut });
    new Construct(new Stack(abApp, 'Ab'), 'Test').node.addMetadata(EXPERIMENT_METADATA_TYPE, { backend: 'ALB', active: true, table: 'control 50%' });
    abApp.synth();
    expect(run('plan', abOut)).toMatchObject({ code: 0, out: expect.stringContaining('== A/B experiment Ab/Test ==\nALB, from') });
    expect(run('compare', abOut)).toEqual({
      code: 1, out: '', err: `error: no rollouts to compare in ${abOut}: only A/B experiments were found; use plan to print them\n`,
    });
    expect(stack.node.id).toBe('Empty');
  });
});
