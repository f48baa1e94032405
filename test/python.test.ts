// The package from Python: the wheel built from this checkout (jsii, jsii-pacmak), installed in a fresh virtual
// environment with the pinned Python aws-cdk-lib, constructs, cdk8s and cdk8s-plus-28 (test/support/python-env.ts),
// runs the apps of test/python/ as a Python user would. Their output must be what the same apps written in
// TypeScript produce, and wrong inputs must raise the library's own errors with the same messages.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as cdk8s from 'cdk8s';
import { aws, k8s, StepGate, Strategy, StrategyErrors } from '../src';
import { argoApp } from './python/argo-app';
import { ecsApp } from './python/ecs-app';
import { pythonRuns } from './support/python-env';
import { recordedPlans } from '../src/cli/read-plans';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** What each script of test/python/ did: `<script>/out` (its cloud assembly or manifests) and `<script>/stdout`. */
let runs: string;

beforeAll(() => {
  // Builds the wheel and its environment and runs the Python apps, or waits for `npx projen test`'s background run
  // (python:prepare), which usually did all of it while other test files ran.
  runs = pythonRuns();
}, 20 * 60_000);

describe('a CDK app in Python (test/python/ecs_app.py)', () => {
  let python: CloudAssembly;
  let typescript: CloudAssembly;
  beforeAll(() => {
    typescript = ecsApp(tmp('typescript-cdk-')).synth();
    python = new CloudAssembly(path.join(runs, 'ecs_app', 'out'));
  }, 120_000);

  test('synthesizes the stacks of the same app in TypeScript', () => {
    const names = (assembly: CloudAssembly) => assembly.stacks.map(s => s.stackName).sort();
    expect(names(python)).toEqual(['EcsBlueGreen', 'Route53Canary']);
    expect(names(python)).toEqual(names(typescript));
  });

  test.each(['EcsBlueGreen', 'Route53Canary'])('%s: resource for resource, the template of the TypeScript app', (name) => {
    const py = python.getStackByName(name).template;
    const ts = typescript.getStackByName(name).template;
    expect(Object.keys(py.Resources).sort()).toEqual(Object.keys(ts.Resources).sort());
    // One resource at a time, so that a difference names its logical id.
    for (const id of Object.keys(ts.Resources)) expect({ [id]: py.Resources[id] }).toEqual({ [id]: ts.Resources[id] });
    // Parameters, outputs, conditions, rules: the rest of the template.
    expect({ ...py, Resources: undefined }).toEqual({ ...ts, Resources: undefined });
  });

  test('records the same traffic plans for the plan command', () => {
    const plans = recordedPlans(python);
    expect(plans).toHaveLength(2);
    expect(plans).toEqual(recordedPlans(typescript));
  });
});

describe('a cdk8s app in Python (test/python/argo_app.py)', () => {
  test('synthesizes, object for object, the manifests of the same app in TypeScript', () => {
    const typescriptOut = tmp('typescript-cdk8s-');
    argoApp(typescriptOut).synth();
    const load = (dir: string) => fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort()
      .flatMap(f => cdk8s.Yaml.load(path.join(dir, f)));
    const py = load(path.join(runs, 'argo_app', 'out'));
    const ts = load(typescriptOut);
    expect(py.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(ts.map(o => `${o.kind}/${o.metadata.name}`));
    expect(py.map(o => o.kind)).toEqual(expect.arrayContaining(['Rollout', 'AnalysisTemplate', 'HTTPRoute']));
    py.forEach((object, i) => expect(object).toEqual(ts[i]));
  }, 120_000);
});

/** What the library raises for the inputs of test/python/errors.py, in TypeScript. */
const WRONG_INPUTS: Record<string, () => void> = {
  canary_weight_above_100: () => Strategy.canary({ steps: [{ weight: 150, gate: StepGate.bake(Duration.minutes(5)) }] }),
  dns_step_past_the_plan: () => {
    const stack = new Stack(new App(), 'Dns');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    new aws.WeightedDnsRollout(stack, 'Www', {
      zone,
      recordName: 'www',
      stable: aws.DnsTarget.ipAddress('192.0.2.10'),
      candidate: aws.DnsTarget.ipAddress('192.0.2.20'),
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
      step: 7,
    });
  },
  argo_fractional_weight: () => {
    const chart = new cdk8s.Chart(new cdk8s.App(), 'Shop');
    new k8s.ArgoRollout(chart, 'checkout', {
      strategy: Strategy.canary({ steps: [{ weight: 12.5, gate: StepGate.bake(Duration.minutes(5)) }] }),
      revision: { containers: [{ image: 'registry.example.com/checkout:1.1', portNumber: 8080 }] },
    });
  },
};

test('wrong inputs raise the library\'s errors in Python, with the messages they have in TypeScript', () => {
  const raised = JSON.parse(fs.readFileSync(path.join(runs, 'errors', 'stdout'), 'utf-8'));
  expect(Object.keys(raised).sort()).toEqual(Object.keys(WRONG_INPUTS).sort());
  for (const [input, build] of Object.entries(WRONG_INPUTS)) {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect({ input, isTheLibrarysError: StrategyErrors.isValidationError(error) }).toEqual({ input, isTheLibrarysError: true });
    // jsii raises a JavaScript error in Python as a RuntimeError with the error's message, which it prefixes with
    // the error's name when a method (not a constructor) threw it.
    expect({ input, type: raised[input]?.type, message: raised[input]?.message.replace(/^StrategyValidationError: /, '') })
      .toEqual({ input, type: 'RuntimeError', message: (error as Error).message });
  }
}, 120_000);
