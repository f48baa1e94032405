import { Testing } from 'cdk8s';
import { containerPort, labelService, NAME_LABEL, replicaCount, revision, revisionDeployment, ROLE_LABEL, VERSION_LABEL } from '../../src/private/k8s-workload';
import { ofKind, validatedManifests } from '../support/k8s';
import { expectValidationError } from '../support/validation-error';

const image = 'ghcr.io/example/web:1.0.0';
const CONTAINER_FIX = 'Pass container props such as { image: "registry/app:1.2.3" }.';

describe('revision', () => {
  test('returns the containers and the version', () => {
    const containers = [{ image, portNumber: 8080 }];
    expect(revision('rev', { containers, version: '1.0.0' })).toEqual({ containers, version: '1.0.0' });
    expect(revision('rev', { containers })).toEqual({ containers, version: undefined });
  });

  test('accepts a version of 63 characters', () => {
    const version = `v${'1'.repeat(61)}z`;
    expect(revision('rev', { containers: [{ image }], version }).version).toBe(version);
  });

  test.each([
    ['not an object', 'web:1', 'rev is "web:1": it must be an object. Pass { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] }.'],
    ['containers that are not an array', { containers: { image } },
      'rev.containers is an object: it must be an array. Pass a list of container props such as [{ image: "registry/app:1.2.3" }].'],
    ['no container', { containers: [] },
      'rev.containers is an empty array: a pod needs at least one container. Pass one, such as [{ image: "registry/app:1.2.3", portNumber: 8080 }].'],
    ['a container that is not an object', { containers: [image] }, `rev.containers[0] is "${image}": it must be an object. ${CONTAINER_FIX}`],
    ['a container without an image', { containers: [{ image }, { portNumber: 80 }] },
      'rev.containers[1].image is undefined: a container needs an image. Pass an image reference such as "registry/app:1.2.3".'],
    ['a blank image', { containers: [{ image: '  ' }] },
      'rev.containers[0].image is "  ": a container needs an image. Pass an image reference such as "registry/app:1.2.3".'],
  ])('refuses %s', (_, value, message) => {
    expectValidationError(() => revision('rev', value), message);
  });

  const VERSION_LIMIT = 'it becomes a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit. Use a version such as "1.4.2".';
  test.each([
    ['with a space', '1.0 beta', '"1.0 beta"'],
    ['starting with "-"', '-1.0', '"-1.0"'],
    ['ending with "."', '1.0.', '"1.0."'],
    ['of 64 characters', '1'.repeat(64), `"${'1'.repeat(64)}"`],
    ['that is a number', 1, '1'],
  ])('refuses a version %s', (_, version, shown) => {
    expectValidationError(() => revision('rev', { containers: [{ image }], version }), `rev.version is ${shown}: ${VERSION_LIMIT}`);
  });
});

describe('containerPort', () => {
  test('is the first container\'s portNumber, else its first port', () => {
    expect(containerPort('rev', { containers: [{ image, portNumber: 8080 }, { image, portNumber: 9090 }] })).toBe(8080);
    expect(containerPort('rev', { containers: [{ image, ports: [{ number: 7070 }, { number: 7071 }] }] })).toBe(7070);
  });

  test('refuses a first container without a port, even when another has one', () => {
    expectValidationError(() => containerPort('rev', { containers: [{ image }, { image, portNumber: 9090 }] }),
      'rev.containers[0].portNumber is undefined: traffic is routed to the first container\'s port, and it declares none. Set portNumber on the first container, such as portNumber: 8080.');
  });
});

describe('replicaCount', () => {
  test('accepts whole numbers from the minimum to 10000', () => {
    expect(replicaCount('replicas', 0, 0)).toBe(0);
    expect(replicaCount('replicas', 2, 2)).toBe(2);
    expect(replicaCount('replicas', 10_000, 1)).toBe(10_000);
  });

  test.each([
    [1, 2, '1'],
    [0, 1, '0'],
    [1.5, 1, '1.5'],
    [10_001, 1, '10001'],
    [NaN, 1, 'NaN'],
    ['3', 1, '"3"'],
  ])('refuses %p with a minimum of %p', (value, min, shown) => {
    expectValidationError(() => replicaCount('replicas', value, min),
      `replicas is ${shown}: a replica count is a whole number from ${min} to 10000. Use a whole number such as 4.`);
  });
});

describe('revisionDeployment', () => {
  function render(version?: string) {
    const chart = Testing.chart();
    revisionDeployment(chart, 'Canary', {
      appName: 'web', role: 'canary', revision: { containers: [{ image, portNumber: 8080 }], version }, replicas: 3,
    });
    return ofKind(validatedManifests(chart), 'Deployment')[0];
  }

  test('selects its pods by the shared name and role labels, not by a label unique to it', () => {
    const deployment = render('1.0.0');
    expect(deployment.spec.selector).toEqual({ matchLabels: { [NAME_LABEL]: 'web', [ROLE_LABEL]: 'canary' } });
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining({
      [NAME_LABEL]: 'web', [ROLE_LABEL]: 'canary', [VERSION_LABEL]: '1.0.0',
    }));
    expect(deployment.metadata.labels).toEqual({ [NAME_LABEL]: 'web', [ROLE_LABEL]: 'canary', [VERSION_LABEL]: '1.0.0' });
    expect(deployment.spec.replicas).toBe(3);
  });

  test('has no version label without a version', () => {
    const deployment = render();
    expect(deployment.spec.template.metadata.labels[VERSION_LABEL]).toBeUndefined();
    expect(deployment.metadata.labels[VERSION_LABEL]).toBeUndefined();
  });

  test('keeps the cdk8s-plus secure defaults', () => {
    const [container] = render().spec.template.spec.containers;
    expect(container.securityContext).toEqual(expect.objectContaining({
      runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
    }));
  });
});

describe('labelService', () => {
  test('selects exactly the labels given, on the port given, forwarding to the target port', () => {
    const chart = Testing.chart();
    labelService(chart, 'Live', { [NAME_LABEL]: 'web', [ROLE_LABEL]: 'blue' }, 80, 8080);
    const [service] = ofKind(validatedManifests(chart), 'Service');
    expect(service.spec.selector).toEqual({ [NAME_LABEL]: 'web', [ROLE_LABEL]: 'blue' });
    expect(service.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(service.spec.type).toBe('ClusterIP');
  });
});
