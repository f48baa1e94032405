import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { Release, Strategy, TrafficPlan } from '../../src';
import { RELEASE_METADATA_TYPE } from '../../src/aws/private/ecs-release-support';
import { EXPERIMENT_METADATA_TYPE, PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { CliError } from '../../src/cli/errors';
import {
  readAssembly, readPath, readPlans, recordedExperiments, recordedK8sExperiments, recordedK8sPlans, recordedPlans, RECORDING_CONSTRUCTS,
} from '../../src/cli/read-plans';
import { renderText } from '../../src/cli/render-text';
import { EXPERIMENT_ANNOTATION, PLAN_ANNOTATION, RELEASE_ANNOTATION } from '../../src/k8s/private/plan-annotation';
import { gatedCanary } from '../support/cli-fixtures';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const canary = gatedCanary.plan();
const linear = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE.plan({ replicas: 10 });

// Records as the constructs record them (their recorders are tested with the constructs, and end to
// end in main.test.ts): here only the reading is under test.
const recorded = (plan: TrafficPlan, controller: string, step?: number) => ({ controller, step, table: plan.toTable(), plan: plan.toJson() });
const recordPlan = (construct: Construct, plan: TrafficPlan, controller: string) =>
  construct.node.addMetadata(PLAN_METADATA_TYPE, recorded(plan, controller));
const planObject = (chart: cdk8s.Chart, kind: string, name: string, plan: TrafficPlan, controller: string, step?: number) =>
  new cdk8s.ApiObject(chart, name, { apiVersion: 'v1', kind, metadata: { name, annotations: { [PLAN_ANNOTATION]: JSON.stringify(recorded(plan, controller, step)) } } });

/** A real cloud assembly, synthesized in-process: a rollout, a stepped rollout in a nested stage, an experiment. */
function cdkAssembly(build?: (stack: Stack) => void): string {
  const outdir = tmp('cli-cdk-');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop');
  recordPlan(new Construct(stack, 'Checkout'), canary, 'native ECS deployment');
  const stage = new Stage(app, 'Prod');
  const www = new Construct(new Stack(stage, 'Dns'), 'Www');
  recordPlan(www, linear, 'Route 53 weighted records');
  www.node.addMetadata(STEP_METADATA_TYPE, { step: 3, contextKey: 'Prod/Dns/Www:step' });
  new Construct(stack, 'Ab').node.addMetadata(EXPERIMENT_METADATA_TYPE, { backend: 'ALB', active: false, reason: 'it ended', table: 'control 100%' });
  build?.(stack);
  app.synth();
  return outdir;
}

/** A real cdk8s output folder: a route with a plan at step 2, a rollout in a second chart, an experiment. */
function cdk8sOutput(): string {
  const outdir = tmp('cli-cdk8s-');
  const app = new cdk8s.App({ outdir });
  const chart = new cdk8s.Chart(app, 'gateway');
  planObject(chart, 'HTTPRoute', 'checkout', canary, 'Gateway API', 2);
  new cdk8s.ApiObject(chart, 'ab', {
    apiVersion: 'v1', kind: 'HTTPRoute', metadata: { name: 'ab', annotations: { [EXPERIMENT_ANNOTATION]: JSON.stringify({ active: true, table: 'beta 10%' }) } },
  });
  planObject(new cdk8s.Chart(app, 'argo'), 'Rollout', 'web', linear, 'Argo Rollouts');
  app.synth();
  return outdir;
}

describe('a CDK cloud assembly', () => {
  const dir = cdkAssembly();

  test('yields every recorded plan, nested stages included, with its step and the plan as recorded', () => {
    expect(readPath(dir)).toEqual({
      rollouts: [
        { source: 'cdk', origin: dir, name: 'Shop/Checkout', controller: 'native ECS deployment', step: undefined, stepContextKey: undefined, plan: canary.toJson() },
        { source: 'cdk', origin: dir, name: 'Prod/Dns/Www', controller: 'Route 53 weighted records', step: 3, stepContextKey: 'Prod/Dns/Www:step', plan: linear.toJson() },
      ],
      experiments: [{ source: 'cdk', origin: dir, name: 'Shop/Ab', backend: 'ALB', active: false, reason: 'it ended', table: 'control 100%' }],
    });
  });

  test('a damaged record is an error naming what is missing, never "undefined" in the output', () => {
    const damaged = cdkAssembly(stack => new Construct(stack, 'Damaged').node.addMetadata(PLAN_METADATA_TYPE, { plan: canary.toJson() }));
    expect(() => readPath(damaged)).toThrow(new CliError(`${damaged}: the ${PLAN_METADATA_TYPE} metadata of /Shop/Damaged has no controller (found nothing); synthesize the app again`));
  });

  test('a driven rollout brings its driver: the state machine and what a rollout costs it', () => {
    const driver = { engine: 'AWS Step Functions', stateMachineName: 'Shop-Www-0A1B2C3D', stateTransitions: 87, maxStateTransitions: 2914, maxHistoryEvents: 10321 };
    const driven = cdkAssembly(stack => new Construct(stack, 'Www').node.addMetadata(PLAN_METADATA_TYPE, { ...recorded(canary, 'Route 53 weighted records'), driver }));
    expect(readPath(driven).rollouts.find(r => r.name === 'Shop/Www')!.driver).toEqual(driver);
    const damaged = cdkAssembly(stack => new Construct(stack, 'Www').node.addMetadata(PLAN_METADATA_TYPE, {
      ...recorded(canary, 'Route 53 weighted records'), driver: { ...driver, stateTransitions: 'many' },
    }));
    expect(() => readPath(damaged)).toThrow(new CliError(`${damaged}: the ${PLAN_METADATA_TYPE} metadata of /Shop/Www: driver has no stateTransitions (found "many"); synthesize the app again`));
  });

  test('is also found through its manifest.json', () => {
    expect(readPath(path.join(dir, 'manifest.json'))).toEqual(readAssembly(dir));
  });

  test('the lower-level readers keep the shapes examples/run-all.ts uses', () => {
    const assembly = new CloudAssembly(dir);
    expect(recordedPlans(assembly).map(p => [p.path, p.controller, p.table])).toEqual([
      ['/Shop/Checkout', 'native ECS deployment', canary.toTable()],
      ['/Prod/Dns/Www', 'Route 53 weighted records', linear.toTable()],
    ]);
    expect(recordedExperiments(assembly)).toEqual([{ path: '/Shop/Ab', backend: 'ALB', active: false, reason: 'it ended', table: 'control 100%' }]);
  });
});

describe('releases', () => {
  const release = new Release({
    name: 'shop',
    services: [
      { name: 'payments', version: '2.1.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
      { name: 'orders', version: '3.0.0', strategy: Strategy.BLUE_GREEN, dependsOn: [{ service: 'payments' }] },
    ],
  });

  test('a CDK release is read from its metadata, its table as recorded', () => {
    const dir = cdkAssembly(stack => new Construct(stack, 'Release').node.addMetadata(RELEASE_METADATA_TYPE,
      { name: 'shop', table: release.toTable(), waves: release.waves() }));
    expect(readPath(dir).releases).toEqual([{ source: 'cdk', origin: dir, name: 'Shop/Release', release: 'shop', table: release.toTable() }]);
    expect(renderText(readPath(dir))).toContain(`== release shop (Shop/Release) ==\nfrom ${dir}\n\n${release.toTable()}`);
  });

  test('a Kubernetes release is read from the one object that carries its table', () => {
    const outdir = tmp('cli-release-');
    const app = new cdk8s.App({ outdir });
    const chart = new cdk8s.Chart(app, 'shop');
    const object = (name: string, record: object) => new cdk8s.ApiObject(chart, name, {
      apiVersion: 'v1', kind: 'Service', metadata: { name, annotations: { [RELEASE_ANNOTATION]: JSON.stringify(record) } },
    });
    object('payments', { release: 'shop', service: 'payments', wave: 1, table: release.toTable() });
    object('orders', { release: 'shop', service: 'orders', wave: 2 });
    app.synth();
    const file = path.join(outdir, 'shop.k8s.yaml');
    expect(readPath(outdir).releases).toEqual([{ source: 'cdk8s', origin: file, name: 'Service/payments', object: 'Service/payments', release: 'shop', table: release.toTable() }]);
  });

  test('output without a release has no releases field, so JSON stays as it was', () => {
    expect(readPath(cdkAssembly())).not.toHaveProperty('releases');
  });
});

describe('a cdk8s output', () => {
  const dir = cdk8sOutput();

  test('a folder yields the plans and experiments of every manifest, files in order', () => {
    const gateway = path.join(dir, 'gateway.k8s.yaml');
    const argo = path.join(dir, 'argo.k8s.yaml');
    expect(readPath(dir)).toEqual({
      rollouts: [
        { source: 'cdk8s', origin: argo, name: 'Rollout/web', object: 'Rollout/web', controller: 'Argo Rollouts', step: undefined, plan: linear.toJson() },
        { source: 'cdk8s', origin: gateway, name: 'HTTPRoute/checkout', object: 'HTTPRoute/checkout', controller: 'Gateway API', step: 2, plan: canary.toJson() },
      ],
      experiments: [{ source: 'cdk8s', origin: gateway, name: 'HTTPRoute/ab', object: 'HTTPRoute/ab', backend: 'Gateway API', active: true, reason: undefined, table: 'beta 10%' }],
    });
  });

  test('records that name their construct path are titled by it, with the object that carries them beside', () => {
    const outdir = tmp('cli-paths-');
    const app = new cdk8s.App({ outdir });
    const chart = new cdk8s.Chart(app, 'shop');
    const record = (kind: string, name: string, annotation: string, value: object) => new cdk8s.ApiObject(chart, name, {
      apiVersion: 'v1', kind, metadata: { name, annotations: { [annotation]: JSON.stringify(value) } },
    });
    record('Rollout', 'shop-web-c8a1b2c3', PLAN_ANNOTATION, { path: 'shop/web', controller: 'Argo Rollouts', plan: linear.toJson() });
    record('HTTPRoute', 'shop-ab-route-c8d4e5f6', EXPERIMENT_ANNOTATION, { path: 'shop/ab', active: true, table: 'beta 10%' });
    record('Service', 'shop-payments-c8a7b8c9', RELEASE_ANNOTATION, { path: 'shop/release', release: 'shop', table: 'waves' });
    app.synth();
    const found = readPath(outdir);
    expect(found.rollouts.map(r => [r.name, r.object])).toEqual([['shop/web', 'Rollout/shop-web-c8a1b2c3']]);
    expect(found.experiments.map(e => [e.name, e.object])).toEqual([['shop/ab', 'HTTPRoute/shop-ab-route-c8d4e5f6']]);
    expect(found.releases?.map(r => [r.name, r.object])).toEqual([['shop/release', 'Service/shop-payments-c8a7b8c9']]);
    expect(recordedK8sPlans(cdk8s.Yaml.load(path.join(outdir, 'shop.k8s.yaml')))[0].path).toBe('shop/web');
  });

  test('an experiment recorded on a Flagger Canary is Flagger\'s', () => {
    const flaggerCanary = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'ab', annotations: { [EXPERIMENT_ANNOTATION]: JSON.stringify({ active: false, reason: 'off', table: 'beta 100%' }) } } };
    expect(recordedK8sExperiments([flaggerCanary])).toEqual([{ object: 'Canary/ab', backend: 'Flagger', active: false, reason: 'off', table: 'beta 100%' }]);
  });

  test('one file yields its own', () => {
    expect(readPath(path.join(dir, 'argo.k8s.yaml')).rollouts.map(r => r.name)).toEqual(['Rollout/web']);
  });

  test('the lower-level readers keep the shapes examples/run-all.ts uses', () => {
    const objects = cdk8s.Yaml.load(path.join(dir, 'gateway.k8s.yaml'));
    expect(recordedK8sPlans(objects)).toEqual([{ object: 'HTTPRoute/checkout', controller: 'Gateway API', step: 2, table: canary.toTable(), plan: canary.toJson() }]);
    expect(recordedK8sExperiments(objects)).toEqual([{ object: 'HTTPRoute/ab', backend: 'Gateway API', active: true, reason: undefined, table: 'beta 10%' }]);
  });

  test('an experiment\'s watchers, when it records them, and an error naming a malformed record', () => {
    const route = (value: object) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'ab', annotations: { [EXPERIMENT_ANNOTATION]: JSON.stringify(value) } } });
    const measured = route({
      active: true, table: 't', watchedBy: { control: ['error-rate'], beta: [] }, measurement: { source: 'Prometheus http://p:9090 (Istio)', variants: {} },
    });
    expect(recordedK8sExperiments([measured])).toEqual([{
      object: 'HTTPRoute/ab', backend: 'Gateway API', active: true, reason: undefined, table: 't', watchedBy: { control: ['error-rate'], beta: [] }, measuredThrough: 'Prometheus http://p:9090 (Istio)',
    }]);
    expect(() => recordedK8sExperiments([route({ active: true, table: 't', watchedBy: { control: 'error-rate' } })], 'dist/ab.yaml')).toThrow(new CliError(
      `dist/ab.yaml: the ${EXPERIMENT_ANNOTATION} annotation of HTTPRoute/ab has a "watchedBy" that is not a list of health check names per variant`));
  });

  test('nested folders are searched; node_modules and hidden folders are not', () => {
    const root = tmp('cli-nested-');
    fs.mkdirSync(path.join(root, 'charts', 'gateway'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'gateway.k8s.yaml'), path.join(root, 'charts', 'gateway', 'all.yaml'));
    for (const skipped of ['node_modules', '.git']) {
      fs.mkdirSync(path.join(root, skipped));
      fs.copyFileSync(path.join(dir, 'argo.k8s.yaml'), path.join(root, skipped, 'argo.yaml'));
    }
    expect(readPath(root).rollouts.map(r => [r.origin, r.name])).toEqual([[path.join(root, 'charts', 'gateway', 'all.yaml'), 'HTTPRoute/checkout']]);
  });
});

test('readPlans reads several paths of both kinds, in the order given', () => {
  const found = readPlans([cdk8sOutput(), cdkAssembly()]);
  expect(found.rollouts.map(r => r.name)).toEqual(['Rollout/web', 'HTTPRoute/checkout', 'Shop/Checkout', 'Prod/Dns/Www']);
  expect(found.experiments.map(e => e.name)).toEqual(['HTTPRoute/ab', 'Shop/Ab']);
});

describe('errors name the path and what is wrong', () => {
  const expectError = (fn: () => unknown, message: string) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe(message);
  };

  test('a path that is not text is refused like any damaged record', () => {
    const outdir = tmp('cli-bad-path-');
    const app = new cdk8s.App({ outdir });
    new cdk8s.ApiObject(new cdk8s.Chart(app, 'shop'), 'web', {
      apiVersion: 'v1', kind: 'Rollout', metadata: { name: 'web', annotations: { [PLAN_ANNOTATION]: JSON.stringify({ path: 7, controller: 'Argo Rollouts', plan: linear.toJson() }) } },
    });
    app.synth();
    const file = path.join(outdir, 'shop.k8s.yaml');
    expectError(() => readPlans([outdir]), `${file}: the ${PLAN_ANNOTATION} annotation of Rollout/web has a path that is not text (found number); synthesize the app again`);
  });

  test('a missing path', () => {
    const missing = path.join(tmp('cli-'), 'cdk.out');
    expectError(() => readPlans([missing]),
      `${missing}: no such file or directory; pass a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file`);
  });

  test('a folder that is neither', () => {
    const empty = tmp('cli-empty-');
    fs.writeFileSync(path.join(empty, 'notes.txt'), '');
    expectError(() => readPlans([empty]), `${empty} is neither a CDK cloud assembly (it has no manifest.json) nor a cdk8s output folder (it has no .yaml files)`);
  });

  test('a file that is neither', () => {
    const file = path.join(tmp('cli-'), 'template.json');
    fs.writeFileSync(file, '{}');
    expectError(() => readPlans([file]), `${file} is not a CDK cloud assembly folder, a cdk8s output folder or a .yaml file`);
  });

  test('an assembly or a manifest with no rollouts says which constructs record them', () => {
    const outdir = tmp('cli-none-');
    const app = new App({ outdir });
    new Stack(app, 'Empty');
    app.synth();
    const expected = `no rollouts found in ${outdir}: ${RECORDING_CONSTRUCTS}. Synthesize an app that uses one (\`cdk synth\`, \`cdk8s synth\`) and pass its output folder.`;
    expectError(() => readPlans([outdir]), expected);
    expect(expected).toContain('aws.EcsRolloutService');
    expect(expected).toContain('k8s.ArgoRollout');

    const yaml = path.join(tmp('cli-none-'), 'plain.k8s.yaml');
    fs.writeFileSync(yaml, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    expectError(() => readPlans([yaml]), `no rollouts found in ${yaml}: ${RECORDING_CONSTRUCTS}. Synthesize an app that uses one (\`cdk synth\`, \`cdk8s synth\`) and pass its output folder.`);
  });

  describe('a broken assembly', () => {
    /** A copy of a good assembly with one file replaced. */
    const broken = (file: string, content: string | undefined) => {
      const dir = tmp('cli-broken-');
      fs.cpSync(cdkAssembly(), dir, { recursive: true });
      const target = path.join(dir, file);
      if (content === undefined) fs.rmSync(target); else fs.writeFileSync(target, content);
      return dir;
    };
    const jsonError = (text: string) => {
      try {
        JSON.parse(text);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('valid JSON');
    };

    test('manifest.json that is not JSON', () => {
      const dir = broken('manifest.json', '{ "version": ');
      expectError(() => readPlans([dir]),
        `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} is not valid JSON (${jsonError('{ "version": ')})`);
    });

    test('manifest.json that cannot be read', () => {
      const dir = tmp('cli-broken-');
      fs.mkdirSync(path.join(dir, 'manifest.json'));
      expectError(() => readPlans([dir]),
        `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} cannot be read (EISDIR: illegal operation on a directory, read)`);
    });

    test('manifest.json that is not a cloud assembly manifest', () => {
      let dir = broken('manifest.json', '{"artifacts": {}}');
      expectError(() => readPlans([dir]),
        `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} has no "version"; it is not a cloud assembly manifest written by \`cdk synth\``);
      dir = broken('manifest.json', '[]');
      expectError(() => readPlans([dir]), `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} is not a JSON object`);
      dir = broken('manifest.json', '{"version": "55.0.0", "artifacts": [1]}');
      expectError(() => readPlans([dir]), `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'manifest.json')} has "artifacts" that is not an object`);
    });

    test('a stack metadata file that is missing or not JSON', () => {
      let dir = broken('Shop.metadata.json', undefined);
      expectError(() => readPlans([dir]), `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'Shop.metadata.json')} (the metadata of Shop) is missing`);
      dir = broken('Shop.metadata.json', '{ x');
      expectError(() => readPlans([dir]),
        `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'Shop.metadata.json')} (the metadata of Shop) is not valid JSON (${jsonError('{ x')})`);
    });

    test('a nested stage whose manifest is broken', () => {
      const dir = broken(path.join('assembly-Prod', 'manifest.json'), 'nope');
      expectError(() => readPlans([dir]),
        `cannot read the cloud assembly in ${dir}: ${path.join(dir, 'assembly-Prod', 'manifest.json')} is not valid JSON (${jsonError('nope')})`);
    });

    test('a damaged experiment or step record is not read as a valid one', () => {
      let dir = cdkAssembly(stack => new Construct(stack, 'Odd').node.addMetadata(EXPERIMENT_METADATA_TYPE, { backend: 'x', active: 'yes', table: 't' }));
      expectError(() => readPlans([dir]), `the ${EXPERIMENT_METADATA_TYPE} metadata of /Shop/Odd has no active (found string, expected true or false); synthesize the app again`);
      dir = cdkAssembly(stack => new Construct(stack, 'Odd').node.addMetadata(STEP_METADATA_TYPE, { step: '2' }));
      expectError(() => readPlans([dir]), `the ${STEP_METADATA_TYPE} metadata of /Shop/Odd has step "2", which is not a step of its plan (1 to the last); synthesize the app again`);
    });

    test('a recorded plan of the wrong shape', () => {
      const dir = cdkAssembly(stack => new Construct(stack, 'Odd').node.addMetadata(PLAN_METADATA_TYPE, { controller: 'x', table: '', plan: { steps: [] } }));
      expectError(() => readPlans([dir]), `${dir}: the ${PLAN_METADATA_TYPE} metadata of /Shop/Odd: the recorded plan has no strategy (expected a string)`);
    });
  });

  describe('a broken manifest file', () => {
    const yaml = (content: string) => {
      const file = path.join(tmp('cli-yaml-'), 'app.k8s.yaml');
      fs.writeFileSync(file, content);
      return file;
    };

    test('an annotation that is not JSON', () => {
      const file = yaml(`apiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  annotations:\n    ${PLAN_ANNOTATION}: '{oops'\n`);
      expectError(() => readPlans([file]), `${file}: the ${PLAN_ANNOTATION} annotation of HTTPRoute/checkout is not valid JSON (${(() => {
        try {
          JSON.parse('{oops');
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })()})`);
    });

    test('an annotation whose plan is of the wrong shape', () => {
      const annotation = JSON.stringify({ controller: 'Gateway API', table: '', plan: { ...canary.toJson(), steps: 'all' } });
      const file = yaml(`apiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  annotations:\n    ${PLAN_ANNOTATION}: '${annotation}'\n`);
      expectError(() => readPlans([file]), `${file}: the ${PLAN_ANNOTATION} annotation of HTTPRoute/checkout: the recorded plan has steps "all" (expected a non-empty list)`);
    });

    test('a syntax error names the file, the line and what is wrong, even in a later document', () => {
      const file = yaml('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  labels: {app: x\nspec: {}\n');
      expectError(() => readPlans([file]), `${file}:11:1: the YAML cannot be parsed: Flow map in block collection must be sufficiently indented and end with a }`);
    });

    test('a damaged record is not read as a valid one', () => {
      const experiment = (active: string) => yaml(`apiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  annotations:\n    ${EXPERIMENT_ANNOTATION}: '{"active": ${active}, "table": "t"}'\n`);
      let file = experiment('"yes"');
      expectError(() => readPlans([file]),
        `${file}: the ${EXPERIMENT_ANNOTATION} annotation of HTTPRoute/checkout has no active (found string, expected true or false); synthesize the app again`);
      file = experiment('true, "reason": 3');
      expectError(() => readPlans([file]),
        `${file}: the ${EXPERIMENT_ANNOTATION} annotation of HTTPRoute/checkout has a reason that is not text (found number); synthesize the app again`);
      const plan = JSON.stringify({ controller: 'Gateway API', step: 9, plan: canary.toJson() });
      file = yaml(`apiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  annotations:\n    ${PLAN_ANNOTATION}: '${plan}'\n`);
      expectError(() => readPlans([file]),
        `${file}: the ${PLAN_ANNOTATION} annotation of HTTPRoute/checkout has step 9, which is not a step of its plan (1 to ${canary.steps.length}); synthesize the app again`);
    });

    test('empty documents are skipped, as cdk8s skips them', () => {
      const annotation = JSON.stringify({ controller: 'Gateway API', plan: canary.toJson() });
      const file = yaml(`---\n---\napiVersion: v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  annotations:\n    ${PLAN_ANNOTATION}: '${annotation}'\n---\n`);
      expect(readPlans([file]).rollouts.map(r => r.name)).toEqual(['HTTPRoute/checkout']);
    });

    test('a document that is not a Kubernetes object', () => {
      const file = yaml('just some text\n');
      expectError(() => readPlans([file]), `${file} holds a document that is not a Kubernetes object (a mapping with a kind): "just some text"`);
    });
  });
});

describe('in an app without cdk8s (an optional peer dependency)', () => {
  /** Runs `use` with read-plans loaded afresh and `cdk8s` unresolvable, as in an AWS-only install. */
  function withoutCdk8s<T>(use: (readPlans: typeof import('../../src/cli/read-plans')) => T): T {
    let result: { value: T } | undefined;
    jest.isolateModules(() => {
      jest.doMock('cdk8s', () => {
        throw Object.assign(new Error("Cannot find module 'cdk8s'"), { code: 'MODULE_NOT_FOUND' });
      });
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        result = { value: use(require('../../src/cli/read-plans')) };
      } finally {
        jest.dontMock('cdk8s');
      }
    });
    return result!.value;
  }
  const assembly = cdkAssembly();
  const manifests = cdk8sOutput();

  test('loads, and reads a cloud assembly as with cdk8s', () => {
    expect(withoutCdk8s(r => r.readPath(assembly))).toEqual(readPath(assembly));
  });

  test('reads manifests too: the YAML parser is the package\'s own, not cdk8s\'s', () => {
    const file = path.join(manifests, 'argo.k8s.yaml');
    expect(withoutCdk8s(r => r.readPath(file))).toEqual(readPath(file));
  });
});
