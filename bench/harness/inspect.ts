// Reads back what an app synthesized, in the runner, after the measured process has exited.
import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { Yaml } from 'cdk8s';

/** What an app synthesized. */
export interface Synthesized {
  /** Stacks (CloudFormation) or charts (cdk8s). */
  readonly units: number;
  /** CloudFormation resources or Kubernetes objects. */
  readonly resources: number;
  /** Resource types (CloudFormation) or `apiVersion/kind` (Kubernetes), with their counts. */
  readonly types: Record<string, number>;
  /** Bytes of the templates or manifests. */
  readonly bytes: number;
}

/** The stacks of a cloud assembly: resources by type and template bytes. */
export function inspectCloudAssembly(outdir: string): Synthesized {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const types: Record<string, number> = {};
  let units = 0;
  let resources = 0;
  let bytes = 0;
  for (const artifact of Object.values<{ type: string; properties?: { templateFile?: string } }>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const file = join(outdir, artifact.properties!.templateFile!);
    bytes += statSync(file).size;
    units++;
    const template = JSON.parse(readFileSync(file, 'utf8'));
    for (const resource of Object.values<{ Type: string }>(template.Resources ?? {})) {
      resources++;
      count(types, resource.Type);
    }
  }
  return { units, resources, types, bytes };
}

/** The manifests cdk8s wrote, one per chart: objects by `apiVersion/kind` and bytes. */
export function inspectManifests(outdir: string): Synthesized {
  const types: Record<string, number> = {};
  let units = 0;
  let resources = 0;
  let bytes = 0;
  for (const name of readdirSync(outdir).filter(f => f.endsWith('.yaml'))) {
    const file = join(outdir, name);
    bytes += statSync(file).size;
    units++;
    for (const object of Yaml.load(file) as Array<{ apiVersion: string; kind: string } | null>) {
      if (object === null) continue;
      resources++;
      count(types, `${object.apiVersion}/${object.kind}`);
    }
  }
  return { units, resources, types, bytes };
}

function count(types: Record<string, number>, type: string): void {
  types[type] = (types[type] ?? 0) + 1;
}
