import type * as Semver from 'semver';

let loaded: typeof Semver | undefined;

/**
 * The bundled semver, loaded on first use. Only releases compare versions, and `require('semver')`
 * loads its 47 files, about half of what loading the package costs otherwise (README, "The package").
 */
export function semver(): typeof Semver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('semver') as typeof Semver;
  return loaded;
}
