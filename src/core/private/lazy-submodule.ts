import { StrategyValidationError } from './errors';

/**
 * Defines `name` on the package's exports as a getter that loads the submodule on first use and
 * then replaces itself with the loaded value, as aws-cdk-lib's own index does for its service
 * modules: an AWS app never loads the Kubernetes renderers (nor cdk8s), a cdk8s app never loads the
 * AWS ones. The compiled `lib/index.js` calls this (`projenrc/lazy-index.ts` rewrites it after
 * jsii has compiled it); `src/index.ts` stays plain re-exports, which is what jsii reads.
 *
 * `peers` are the optional peer dependencies the submodule needs: when one is missing, touching
 * the submodule raises the library's error naming them and the command that installs them,
 * instead of Node's "Cannot find module" from deep inside.
 */
export function lazySubmodule(target: object, name: string, load: () => unknown, peers: string[] = []): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      requirePeers(name, peers);
      const value = load();
      Object.defineProperty(target, name, { enumerable: true, configurable: true, value });
      return value;
    },
  });
}

/**
 * Throws the library's error when one of `peers` cannot be resolved from here, which is where the
 * submodule's own files resolve them from. `resolve` is replaceable for tests.
 */
export function requirePeers(name: string, peers: string[], resolve: (id: string) => string = require.resolve): void {
  const missing = peers.filter(peer => {
    try {
      resolve(peer);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new StrategyValidationError(
    name,
    `used without ${listed(missing)} installed`,
    `the ${name} constructs render to ${listed(peers)}, optional peer dependencies of cdk-deploy-strategies that apps not using ${name} do not need`,
    `Install ${missing.length === 1 ? 'it' : 'them'} in your app: npm install ${missing.join(' ')}.`,
  );
}

function listed(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Defines `names` on a submodule's exports as getters that load the file exporting them (`load`) on
 * first use: what `export * from './file'` in the submodule's index does, without loading every file
 * up front. An app that uses `k8s.PlainCanary` loads the files PlainCanary needs, not Argo's or
 * Flagger's; an ECS app does not load the CloudFront, Route 53 or Step Functions modules of
 * aws-cdk-lib. As with `export *`, a name an earlier file already exported is left to it.
 * `projenrc/lazy-index.ts` rewrites the compiled submodule indexes into calls of this.
 */
export function lazyExports(target: object, load: () => Record<string, unknown>, names: string[]): void {
  let loaded: Record<string, unknown> | undefined;
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(target, name)) continue;
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: true,
      get: () => (loaded = loaded ?? load())[name],
    });
  }
}
