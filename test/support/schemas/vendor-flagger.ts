/**
 * Regenerates `flagger-v1beta1.json`, the schemas of Flagger's `Canary` and `MetricTemplate`
 * (`flagger.app/v1beta1`) that `test/support/k8s.ts` validates the library's Flagger objects against.
 * No npm package models Flagger, so the schemas are vendored, generated once from the upstream CRDs:
 *
 *   npx ts-node --project test/tsconfig.json test/support/schemas/vendor-flagger.ts <path to crd.yaml>
 *
 * Source: fluxcd/flagger, tag v1.44.0, `artifacts/flagger/crd.yaml` (Apache License 2.0). The
 * `openAPIV3Schema` of each kind is kept as upstream wrote it, except:
 * - descriptions are dropped, and `x-kubernetes-int-or-string` becomes "an integer or a string";
 *   other `x-kubernetes-*` keywords, which JSON Schema validators do not know, are dropped;
 * - `apiVersion` and `kind` are pinned to the kind's own;
 * - objects that declare their properties refuse others (`additionalProperties: false`): the API
 *   server would prune an unknown field silently, so a misspelt field must fail the tests instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';

const SOURCE = 'fluxcd/flagger v1.44.0 artifacts/flagger/crd.yaml';
const KINDS = ['Canary', 'MetricTemplate'];

function clean(schema: any): any {
  if (Array.isArray(schema)) return schema.map(clean);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    // Inside `properties` and `required` the keys are field names, not keywords.
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

function main(crdPath: string): void {
  const documents = Yaml.load(crdPath);
  const schemas: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const crd = documents.find((d: any) => d?.kind === 'CustomResourceDefinition' && d.spec?.names?.kind === kind);
    if (!crd) throw new Error(`no CustomResourceDefinition for ${kind} in ${crdPath}`);
    const version = crd.spec.versions.find((v: any) => v.name === 'v1beta1');
    const schema = clean(version.schema.openAPIV3Schema);
    schema.properties.apiVersion = { type: 'string', enum: [`${crd.spec.group}/v1beta1`] };
    schema.properties.kind = { type: 'string', enum: [kind] };
    schema.required = ['apiVersion', 'kind', 'metadata', 'spec'];
    schemas[`${crd.spec.group}/v1beta1/${kind}`] = schema;
  }
  const out = path.join(__dirname, 'flagger-v1beta1.json');
  fs.writeFileSync(out, `${JSON.stringify({ source: SOURCE, schemas }, undefined, 2)}\n`);
  console.log(`wrote ${out}`);
}

main(process.argv[2] ?? path.join(__dirname, '../../../../shared/schemas/flagger-v1.44.0/crd.yaml'));
