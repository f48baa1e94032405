import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';

/**
 * The schemas of Flagger's `Canary` and `MetricTemplate` (`flagger.app/v1beta1`), read from the
 * upstream CRDs of a pinned Flagger release. No npm package models Flagger, and upstream schemas are
 * not copied into the project: the Go module proxy serves Flagger's repository at the tag, checked
 * against the Go checksum database and against the sum pinned here, so every machine validates
 * against the same upstream file (`artifacts/flagger/crd.yaml`, Apache License 2.0).
 *
 * The module lands in `.cache/gomod` and the converted schemas in `.cache/flagger-<version>.json`,
 * both inside the work tree (gitignored), so a run downloads it once (about 2 s, 30 MB).
 */
const MODULE = 'github.com/fluxcd/flagger';
const VERSION = 'v1.44.0';
/** `go mod download -json`'s `Sum` for the module zip at VERSION. */
const SUM = 'h1:JAb2mE3AAO5Y/JkfHy6xbFDPDPk9lGvqXwmtztNbdhw=';
const KINDS = ['Canary', 'MetricTemplate'];

const ROOT = path.join(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache');
const CONVERTED = path.join(CACHE, `flagger-${VERSION}.json`);

/** The schema of each kind by `flagger.app/v1beta1/<Kind>`, downloading and converting the CRDs on first use. */
export function flaggerSchemas(): Record<string, object> {
  if (!fs.existsSync(CONVERTED)) {
    const schemas = convert(Yaml.load(downloadCrds()));
    fs.mkdirSync(CACHE, { recursive: true });
    // Jest workers may race here: each writes its own file and renames it into place, which is atomic.
    const temp = `${CONVERTED}.${process.pid}`;
    fs.writeFileSync(temp, JSON.stringify({ source: `${MODULE}@${VERSION} artifacts/flagger/crd.yaml`, schemas }));
    fs.renameSync(temp, CONVERTED);
  }
  return JSON.parse(fs.readFileSync(CONVERTED, 'utf8')).schemas;
}

function downloadCrds(): string {
  // Run outside any Go module: in the cache folder itself.
  fs.mkdirSync(CACHE, { recursive: true });
  let output: string;
  try {
    output = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${VERSION}`], {
      cwd: CACHE,
      env: { ...process.env, GOMODCACHE: path.join(CACHE, 'gomod'), GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local', GO111MODULE: 'on' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    throw new Error(`could not download Flagger's CRDs (${MODULE}@${VERSION}) from the Go module proxy with \`go mod download\`; `
      + `the Kubernetes tests validate Flagger objects against them, so Go and the module proxy are needed: ${(e as Error).message}`);
  }
  const info = JSON.parse(output);
  if (info.Sum !== SUM) throw new Error(`${MODULE}@${VERSION} has checksum ${info.Sum}, expected ${SUM}`);
  return path.join(info.Dir, 'artifacts', 'flagger', 'crd.yaml');
}

/**
 * Each kind's `openAPIV3Schema`, as upstream wrote it except: descriptions dropped;
 * `x-kubernetes-int-or-string` becomes "an integer or a string" and other `x-kubernetes-*`
 * keywords (unknown to JSON Schema validators) are dropped; `apiVersion` and `kind` pinned to the
 * kind's own; objects that declare their properties refuse others, since the API server would prune
 * an unknown field silently, and a misspelt field must fail the tests instead.
 */
function convert(documents: any[]): Record<string, object> {
  const schemas: Record<string, object> = {};
  for (const kind of KINDS) {
    const crd = documents.find(d => d?.kind === 'CustomResourceDefinition' && d.spec?.names?.kind === kind);
    if (!crd) throw new Error(`no CustomResourceDefinition for ${kind} in Flagger's CRDs`);
    const version = crd.spec.versions.find((v: any) => v.name === 'v1beta1');
    const schema = clean(version.schema.openAPIV3Schema);
    schema.properties.apiVersion = { type: 'string', enum: [`${crd.spec.group}/v1beta1`] };
    schema.properties.kind = { type: 'string', enum: [kind] };
    schema.required = ['apiVersion', 'kind', 'metadata', 'spec'];
    schemas[`${crd.spec.group}/v1beta1/${kind}`] = schema;
  }
  return schemas;
}

function clean(schema: any): any {
  if (Array.isArray(schema)) return schema.map(clean);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    // Inside `properties` the keys are field names, not keywords.
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as object).map(([name, child]) => [name, clean(child)]))
      : clean(value);
  }
  if (schema['x-kubernetes-int-or-string'] === true) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (out.type === 'object' && out.properties !== undefined && out.additionalProperties === undefined
    && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}
