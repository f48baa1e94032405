/**
 * What the package ships, and nothing else: the compiled library (lib/: JavaScript and typings),
 * its TypeScript sources (src/: the files its inline source maps name, so that stack traces under
 * ts-node or `node --enable-source-maps` point at files that exist), the jsii assembly, the docs and
 * the README's charts, and the bundled semver and yaml (the plan command's parser). Examples, tests, benchmarks and everything they
 * generate (cdk.out/, dist/, bench/.build/, test-reports/) stay out.
 */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^API\.md$/,
  /^LICENSE$/,
  /^\.jsii$/,
  /^lib\/.+\.(js|d\.ts)$/,
  /^src\/.+\.ts$/,
  /^docs\/charts\/[^/]+\.svg$/,
  /^node_modules\/semver\//,
  /^node_modules\/yaml\//,
];

/** The paths (relative to the package root) the package must not ship. */
export function unexpectedFiles(paths: string[]): string[] {
  return paths.filter(p => !ALLOWED.some(pattern => pattern.test(p)));
}

/** The file list of `npm pack --dry-run --json`. */
export function packedPaths(npmPackJson: string): string[] {
  const [pack] = JSON.parse(npmPackJson) as Array<{ files: Array<{ path: string }> }>;
  return pack.files.map(f => f.path).sort();
}
