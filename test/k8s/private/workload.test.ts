import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  claimPods, containerPort, envVariables, exampleName, labelService, NAME_LABEL, portNumber, replicaCount, revision, revisionDeployment, ROLE_LABEL,
  VERSION_LABEL,
} from '../../../src/k8s/private/workload';
import { ofKind, validatedManifests } from '../../support/k8s';
import { expectValidationError } from '../../support/validation-error';

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

  test('accepts a hostPort of 0, which Kubernetes reads as no host port', () => {
    const containers = [{ image, portNumber: 8080, ports: [{ number: 9090, hostPort: 0 }] }];
    expect(revision('rev', { containers }).containers).toEqual(containers);
  });

  test('refuses a hostPort out of range', () => {
    expectValidationError(() => revision('rev', { containers: [{ image, ports: [{ number: 9090, hostPort: -1 }] }] }),
      'rev.containers[0].ports[0].hostPort is -1: a port is a whole number from 1 to 65535. Use a port such as 8080.');
  });

  test('refuses an environment variable value that is not an EnvValue', () => {
    expectValidationError(() => revision('rev', { containers: [{ image, envVariables: { A: 'x' } }] }),
      'rev.containers[0].envVariables.A is "x": it must be an EnvValue. Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).');
  });

  test('names a container cdk8s-plus refuses by its name, else its image, and says what to change', () => {
    const securityContext = { seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT, localhostProfile: 'profiles/web.json' } };
    const limit = 'is an object: cdk8s-plus refuses the container with \'localhostProfile must only be set if type is "Localhost"\'. '
      + 'Set securityContext.seccompProfile.type to kplus.SeccompProfileType.LOCALHOST, or leave localhostProfile out.';
    expectValidationError(() => revision('rev', { containers: [{ image, securityContext }] }), `rev.containers[0] (image "${image}") ${limit}`);
    expectValidationError(() => revision('rev', { containers: [{ image, name: 'web', securityContext }] }), `rev.containers[0] (named "web") ${limit}`);
  });

  // The "never a TypeError" property relies on it: a TypeError is a bug to see, not a user error to disguise.
  test('lets through what cdk8s-plus throws other than a plain Error', () => {
    for (const error of [new TypeError('x is undefined'), new RangeError('too far')]) {
      jest.isolateModules(() => {
        const actual = jest.requireActual('cdk8s-plus-28');
        jest.doMock('cdk8s-plus-28', () => ({ ...actual, Container: class { constructor() { throw error; } } }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const isolated: typeof import('../../../src/k8s/private/workload') = require('../../../src/k8s/private/workload');
        expect(() => isolated.revision('rev', { containers: [{ image }] })).toThrow(error);
      });
    }
    jest.dontMock('cdk8s-plus-28');
  });

  test('turns any other plain Error from cdk8s-plus into the library error, with a general fix', () => {
    jest.isolateModules(() => {
      const actual = jest.requireActual('cdk8s-plus-28');
      jest.doMock('cdk8s-plus-28', () => ({ ...actual, Container: class { constructor() { throw new Error('Missing X env variable'); } } }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated: typeof import('../../../src/k8s/private/workload') = require('../../../src/k8s/private/workload');
      expectValidationError(() => isolated.revision('rev', { containers: [{ image }] }),
        `rev.containers[0] (image "${image}") is an object: cdk8s-plus refuses the container with 'Missing X env variable'. `
        + 'Change the container prop that message is about, as cdk8s-plus\'s ContainerProps document it.');
    });
    jest.dontMock('cdk8s-plus-28');
  });
});

describe('envVariables', () => {
  const ENV_VALUE_FIX = 'it must be an EnvValue. Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).';
  const ENV_NAME_LIMIT = 'an environment variable name is 1 or more printable ASCII characters other than "=" on Kubernetes 1.32 and later; '
    + 'older clusters take letters, digits, "_", "-" and "." only, not starting with a digit. Use a name such as "LOG_LEVEL".';

  test('returns names to EnvValues, relaxed names included', () => {
    const env = { 'LOG_LEVEL': kplus.EnvValue.fromValue('info'), '1ST.var-x y': kplus.EnvValue.fromValue('') };
    expect(envVariables('env', env)).toBe(env);
    expect(envVariables('env', {})).toEqual({});
  });

  test.each([
    ['a string value', { A: kplus.EnvValue.fromValue('1'), B: 'x' }, `env.B is "x": ${ENV_VALUE_FIX}`],
    ['a number value', { PORT: 42 }, `env.PORT is 42: ${ENV_VALUE_FIX}`],
    ['an undefined value', { A: undefined }, `env.A is undefined: ${ENV_VALUE_FIX}`],
    ['a name with "="', { 'A=B': kplus.EnvValue.fromValue('1') }, `env key is "A=B": ${ENV_NAME_LIMIT}`],
    ['an empty name', { '': kplus.EnvValue.fromValue('1') }, `env key is "": ${ENV_NAME_LIMIT}`],
    ['a name with a tab', { 'A\tB': kplus.EnvValue.fromValue('1') }, `env key is "A\\tB": ${ENV_NAME_LIMIT}`],
    ['a list', [kplus.EnvValue.fromValue('1')], 'env is an array of 1: it must be an object. Pass { LOG_LEVEL: kplus.EnvValue.fromValue("info") }.'],
  ])('refuses %s', (_, value, message) => {
    expectValidationError(() => envVariables('env', value), message);
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
    expectValidationError(() => containerPort('rev', { containers: [{ image, ports: [] }] }),
      'rev.containers[0].portNumber is undefined: traffic is routed to the first container\'s port, and it declares none. Set portNumber on the first container, such as portNumber: 8080.');
  });

  // cdk8s-plus reads 0 and NaN as no port, and the Service would then forward to its own port.
  test.each([
    [70000, '70000'],
    [0, '0'],
    [NaN, 'NaN'],
    [80.5, '80.5'],
    ['8080', '"8080"'],
  ])('refuses a portNumber of %p', (portNumberValue, shown) => {
    expectValidationError(() => containerPort('rev', { containers: [{ image, portNumber: portNumberValue as number }] }),
      `rev.containers[0].portNumber is ${shown}: a port is a whole number from 1 to 65535. Use a port such as 8080.`);
  });

  test('refuses a first port that is not a port', () => {
    expectValidationError(() => containerPort('rev', { containers: [{ image, ports: [{ number: 0 }] }] }),
      'rev.containers[0].ports[0].number is 0: a port is a whole number from 1 to 65535. Use a port such as 8080.');
    expectValidationError(() => containerPort('rev', { containers: [{ image, ports: [null as any] }] }),
      'rev.containers[0].ports[0] is null: it must be an object. Pass a port such as { number: 8080 }.');
  });
});

describe('portNumber', () => {
  test('accepts 1 to 65535', () => {
    expect(portNumber('P', 1)).toBe(1);
    expect(portNumber('P', 65535)).toBe(65535);
  });

  test.each([0, 65536, 80.5, NaN, '80'])('refuses %p', (value) => {
    expectValidationError(() => portNumber('P', value),
      `P is ${typeof value === 'string' ? '"80"' : String(value)}: a port is a whole number from 1 to 65535. Use a port such as 80.`);
  });

  test('suggests the example given', () => {
    expectValidationError(() => portNumber('P', 0, 8080), 'P is 0: a port is a whole number from 1 to 65535. Use a port such as 8080.');
  });
});

describe('exampleName', () => {
  test.each([
    ['Web_App', 'web-app'],
    ['--Shop--', 'shop'],
    ['', 'web'],
    [42, 'web'],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
  ])('turns %p into the DNS label %p', (given, expected) => {
    expect(exampleName(given)).toBe(expected);
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
      where: 'Test', appName: 'web', role: 'canary', revision: { containers: [{ image, portNumber: 8080 }], version }, replicas: 3,
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

describe('claimPods', () => {
  const FIX = 'Give one of them a distinct name (the name prop, which defaults to the construct id).';

  function constructs(chart: Chart = Testing.chart()) {
    return { chart, a: new Construct(chart, 'a'), b: new Construct(chart, 'b') };
  }

  test('a second construct of the chart selecting the same name and role fails, naming both', () => {
    const { chart, a, b } = constructs();
    revisionDeployment(a, 'Stable', { where: 'A test/a', appName: 'web', role: 'stable', revision: { containers: [{ image }] }, replicas: 1 });
    expectValidationError(
      () => revisionDeployment(b, 'Stable', { where: 'B test/b', appName: 'web', role: 'stable', revision: { containers: [{ image }] }, replicas: 1 }),
      `B test/b: name is "web": A test/a in the same chart has this application name, and their selectors overlap (${NAME_LABEL}=web, ${ROLE_LABEL}=stable), so each would select the other's pods. ${FIX}`);
    // The Deployment was not created.
    expect(ofKind(Testing.synth(chart), 'Deployment')).toHaveLength(1);
  });

  test('a selector by name alone overlaps every role of that name, either way round', () => {
    const first = constructs();
    claimPods(first.a, 'A test/a', 'web', 'blue');
    expectValidationError(() => claimPods(first.b, 'B test/b', 'web'),
      `B test/b: name is "web": A test/a in the same chart has this application name, and their selectors overlap (${NAME_LABEL}=web), so each would select the other's pods. ${FIX}`);
    const second = constructs();
    claimPods(second.a, 'A test/a', 'web');
    expectValidationError(() => claimPods(second.b, 'B test/b', 'web', 'canary'),
      `B test/b: name is "web": A test/a in the same chart has this application name, and their selectors overlap (${NAME_LABEL}=web), so each would select the other's pods. ${FIX}`);
  });

  test('one construct may claim a name several times; other roles, other names and other charts do not clash', () => {
    const { a, b } = constructs();
    claimPods(a, 'A test/a', 'web');
    claimPods(a, 'A test/a', 'web', 'stable');
    claimPods(a, 'A test/a', 'web', 'stable');
    claimPods(b, 'B test/b', 'api', 'stable');
    claimPods(b, 'B test/b', 'api');
    const other = constructs(new Chart(Testing.app(), 'other'));
    claimPods(other.a, 'A other/a', 'web', 'stable');
    const c = new Construct(other.chart, 'c');
    claimPods(c, 'C other/c', 'web', 'canary');
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
