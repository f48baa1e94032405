import { lazyExports, lazySubmodule, requirePeers } from '../../../src/core/private/lazy-submodule';
import { expectValidationError } from '../../support/validation-error';

const installed = (id: string) => `/node_modules/${id}/index.js`;
const missing = (...absent: string[]) => (id: string) => {
  if (absent.includes(id)) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  return installed(id);
};

describe('lazySubmodule', () => {
  test('loads the submodule on first use only, then holds it as a plain value', () => {
    const exports: Record<string, unknown> = {};
    const load = jest.fn(() => ({ Widget: 1 }));
    lazySubmodule(exports, 'aws', load);
    expect(load).not.toHaveBeenCalled();
    expect(Object.keys(exports)).toEqual(['aws']);

    const first = exports.aws;
    expect(first).toEqual({ Widget: 1 });
    expect(exports.aws).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
    expect(Object.getOwnPropertyDescriptor(exports, 'aws')).toMatchObject({ value: first, enumerable: true, configurable: true });
  });

  test('checks the optional peers before loading anything', () => {
    const exports: Record<string, unknown> = {};
    const load = jest.fn(() => ({}));
    // The real resolver: a package that does not exist stands for an uninstalled peer.
    lazySubmodule(exports, 'k8s', load, ['cdk-deploy-strategies-no-such-peer']);
    expectValidationError(() => exports.k8s,
      'k8s is used without cdk-deploy-strategies-no-such-peer installed: the k8s constructs render to cdk-deploy-strategies-no-such-peer, '
      + 'optional peer dependencies of cdk-deploy-strategies that apps not using k8s do not need. '
      + 'Install it in your app: npm install cdk-deploy-strategies-no-such-peer.');
    expect(load).not.toHaveBeenCalled();
  });

  test('loads when the peers are installed (cdk8s and cdk8s-plus-28 are, in this repository)', () => {
    const exports: Record<string, unknown> = {};
    lazySubmodule(exports, 'k8s', () => 'loaded', ['cdk8s', 'cdk8s-plus-28']);
    expect(exports.k8s).toBe('loaded');
  });
});

describe('requirePeers', () => {
  test('passes when every peer resolves', () => {
    expect(() => requirePeers('k8s', ['cdk8s', 'cdk8s-plus-28'], installed)).not.toThrow();
  });

  test('names both missing peers and the command that installs them', () => {
    expectValidationError(() => requirePeers('k8s', ['cdk8s', 'cdk8s-plus-28'], missing('cdk8s', 'cdk8s-plus-28')),
      'k8s is used without cdk8s and cdk8s-plus-28 installed: the k8s constructs render to cdk8s and cdk8s-plus-28, '
      + 'optional peer dependencies of cdk-deploy-strategies that apps not using k8s do not need. '
      + 'Install them in your app: npm install cdk8s cdk8s-plus-28.');
  });

  test('names only the peer that is missing', () => {
    expectValidationError(() => requirePeers('k8s', ['cdk8s', 'cdk8s-plus-28'], missing('cdk8s-plus-28')),
      'k8s is used without cdk8s-plus-28 installed: the k8s constructs render to cdk8s and cdk8s-plus-28, '
      + 'optional peer dependencies of cdk-deploy-strategies that apps not using k8s do not need. '
      + 'Install it in your app: npm install cdk8s-plus-28.');
  });

  test('has nothing to check for a submodule without optional peers', () => {
    expect(() => requirePeers('aws', [], missing())).not.toThrow();
  });
});

describe('lazyExports', () => {
  test('defines every name at once and loads the file on the first use of any, once', () => {
    const exports: Record<string, unknown> = {};
    const load = jest.fn(() => ({ PlainCanary: 'class', PlainCanaryProps: undefined }));
    lazyExports(exports, load, ['PlainCanary', 'PlainCanaryProps']);
    expect(Object.keys(exports)).toEqual(['PlainCanary', 'PlainCanaryProps']);
    expect(load).not.toHaveBeenCalled();
    expect(exports.PlainCanary).toBe('class');
    expect(exports.PlainCanary).toBe('class');
    expect(exports.PlainCanaryProps).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
  });

  test('leaves a name an earlier file exported to that file, as export * does', () => {
    const exports: Record<string, unknown> = { Shared: 'first' };
    const load = jest.fn(() => ({ Shared: 'second', Own: 'own' }));
    lazyExports(exports, load, ['Shared', 'Own']);
    expect(exports.Shared).toBe('first');
    expect(load).not.toHaveBeenCalled();
    expect(exports.Own).toBe('own');
  });

  test('a file that fails to load fails each use, not the index', () => {
    const exports: Record<string, unknown> = {};
    lazyExports(exports, () => { throw new Error('Cannot find module \'cdk8s\''); }, ['GatewayRollout']);
    expect(() => exports.GatewayRollout).toThrow('Cannot find module \'cdk8s\'');
    expect(() => exports.GatewayRollout).toThrow('Cannot find module \'cdk8s\'');
  });
});
