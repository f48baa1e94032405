import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ofKind, validatedManifests, validateManifest } from './k8s';

const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data });

describe('validateManifest', () => {
  test('accepts a valid object', () => {
    expect(() => validateManifest(configMap({ mode: 'on' }))).not.toThrow();
  });

  test('rejects an object its upstream schema rejects, naming the object', () => {
    // A Deployment needs a selector and a pod template.
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } };
    expect(() => validateManifest(deployment)).toThrow(/^apps\/v1\/Deployment web fails its upstream schema: /);
  });

  test('rejects a field of the wrong type', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 'eighty' }] } };
    expect(() => validateManifest(service)).toThrow(/^v1\/Service web fails its upstream schema: /);
  });

  test('rejects a kind with no registered schema', () => {
    expect(() => validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }))
      .toThrow('no upstream schema registered for example.com/v1/Widget (w); add it to test/support/k8s.ts');
    expect(() => validateManifest(undefined)).toThrow('no upstream schema registered for undefined/undefined (undefined)');
  });

  test.each(['[object Object]', 'NaN', 'undefined', 'Infinity'])('rejects "%s" anywhere in a valid object', bad => {
    expect(() => validateManifest(configMap({ label: `size ${bad}` }))).toThrow(`v1/ConfigMap settings contains "${bad}"`);
  });

  test('rejects an environment variable with neither a value nor a source, which cdk8s-plus renders for a value that is not an EnvValue', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'Web', {
      containers: [{ image: 'ghcr.io/example/web:1.0.0', envVariables: { A: kplus.EnvValue.fromValue(''), B: 'x' as any } }],
    });
    const [deployment] = Testing.synth(chart);
    expect(() => validateManifest(deployment)).toThrow(/^apps\/v1\/Deployment \S+ has an environment variable with neither a value nor a source, .*: \{"name":"B"\}$/);
    deployment.spec.template.spec.containers[0].env.pop();
    expect(() => validateManifest(deployment)).not.toThrow();
  });
});

describe('validatedManifests', () => {
  test('returns the synthesized objects when every one is valid', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'Web', { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 8080 }] });
    new ApiObject(chart, 'Settings', configMap({ mode: 'on' }));
    const objects = validatedManifests(chart);
    expect(objects.map(o => o.kind)).toEqual(['Deployment', 'ConfigMap']);
    expect(ofKind(objects, 'ConfigMap')).toHaveLength(1);
    expect(ofKind(objects, 'Service')).toEqual([]);
  });

  test('throws when a synthesized object is invalid', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'Settings', { apiVersion: 'v1', kind: 'ConfigMap', data: { nested: { not: 'a string' } } } as any);
    expect(() => validatedManifests(chart)).toThrow(/^v1\/ConfigMap test-settings-c8[0-9a-f]+ fails its upstream schema: /);
  });

  test('throws when a synthesized object prints an object as text', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'Settings', { apiVersion: 'v1', kind: 'ConfigMap', data: { owner: `${{ name: 'web' }}` } });
    expect(() => validatedManifests(chart)).toThrow(/contains "\[object Object\]"/);
  });
});

describe('the vendored Flagger schemas', () => {
  const canary = (analysis: object, service: object = { port: 80 }) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'web' },
    spec: { provider: 'gatewayapi:v1', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, service, analysis },
  });

  test('accept a Canary as the Flagger documentation writes it', () => {
    expect(() => validateManifest(canary({
      interval: '1m',
      threshold: 5,
      stepWeights: [5, 10, 50],
      metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }],
      webhooks: [{ name: 'gate', type: 'confirm-promotion', url: 'http://flagger-loadtester.test/gate/check' }],
    }, { port: 80, targetPort: 9898, gatewayRefs: [{ name: 'public', namespace: 'gateways' }] }))).not.toThrow();
  });

  test('reject an analysis with neither iterations, stepWeight nor stepWeights (the CRD\'s oneOf)', () => {
    expect(() => validateManifest(canary({ interval: '1m', threshold: 5 }))).toThrow(/^flagger.app\/v1beta1\/Canary web fails its upstream schema: /);
  });

  test('reject an interval the CRD\'s pattern refuses, and an unknown webhook type', () => {
    expect(() => validateManifest(canary({ interval: '1h', threshold: 5, iterations: 3 }))).toThrow(/must match pattern/);
    expect(() => validateManifest(canary({ interval: '1m', threshold: 5, iterations: 3, webhooks: [{ name: 'g', type: 'approve', url: 'http://x/' }] })))
      .toThrow(/must be equal to one of the allowed values/);
  });

  test('reject a misspelt field, which the API server would prune silently', () => {
    expect(() => validateManifest(canary({ interval: '1m', threshold: 5, stepWeigths: [10] }))).toThrow(/must NOT have additional properties/);
  });

  test('check MetricTemplates too', () => {
    const template = { apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'error-rate' }, spec: { provider: { type: 'prometheus', address: 'http://prometheus:9090' }, query: 'up' } };
    expect(() => validateManifest(template)).not.toThrow();
    expect(() => validateManifest({ ...template, spec: { ...template.spec, provider: { type: 'graphana' } } })).toThrow(/MetricTemplate error-rate fails/);
  });
});
