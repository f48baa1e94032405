import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { register, validate } from '@kubernetes-models/validate';
import { Chart, Testing } from 'cdk8s';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { flaggerSchemas } from './flagger-schemas';

/**
 * A model for a kind no npm package models: Flagger's Canary and MetricTemplate, read from the
 * upstream CRDs of a pinned release (`flagger-schemas.ts`) the first time one is validated.
 */
function fromCrd(key: string): new (data: any) => { validate(): void } {
  let registered = false;
  return class {
    constructor(private readonly data: any) {}
    public validate(): void {
      if (!registered) {
        register(key, flaggerSchemas()[key]);
        registered = true;
      }
      validate(key, this.data);
    }
  };
}

/** Upstream models, by `apiVersion/kind`, of every object the library emits. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'argoproj.io/v1alpha1/Rollout': Rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': AnalysisTemplate,
  'flagger.app/v1beta1/Canary': fromCrd('flagger.app/v1beta1/Canary'),
  'flagger.app/v1beta1/MetricTemplate': fromCrd('flagger.app/v1beta1/MetricTemplate'),
};

/**
 * Validates one manifest object against its upstream schema (`kubernetes-models` 4.x and its
 * Argo Rollouts and Gateway API companions; Flagger's CRDs at a pinned release, from the Go module proxy). An object of a kind with no schema here fails: every
 * kind the library emits must be checked.
 */
export function validateManifest(object: any): void {
  const key = `${object?.apiVersion}/${object?.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no upstream schema registered for ${key} (${object?.metadata?.name}); add it to test/support/k8s.ts`);
  try {
    new Model(object).validate();
  } catch (e) {
    throw new Error(`${key} ${object?.metadata?.name} fails its upstream schema: ${(e as Error).message}`);
  }
  const text = JSON.stringify(object);
  for (const bad of ['[object Object]', 'NaN', 'undefined', 'Infinity']) {
    if (text.includes(bad)) throw new Error(`${key} ${object?.metadata?.name} contains "${bad}": ${text}`);
  }
  const valueless = envWithoutValue(object);
  if (valueless) {
    throw new Error(`${key} ${object?.metadata?.name} has an environment variable with neither a value nor a source, a value lost on its way into the manifest: ${JSON.stringify(valueless)}`);
  }
}

/**
 * The first environment variable (an entry of an `env` list) with neither `value` nor `valueFrom`:
 * what cdk8s-plus renders for a value that is not an EnvValue. The schema accepts it, as an empty value.
 */
function envWithoutValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = envWithoutValue(item);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [field, child] of Object.entries(value)) {
    if (field === 'env' && Array.isArray(child)) {
      const bare = child.find(e => typeof e === 'object' && e !== null && !('value' in e) && !('valueFrom' in e));
      if (bare) return bare;
    }
    const found = envWithoutValue(child);
    if (found) return found;
  }
  return undefined;
}

/** Synthesizes a chart as `Testing.synth` does, validating every object against its upstream schema. */
export function validatedManifests(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  objects.forEach(validateManifest);
  return objects;
}

/** The objects of one kind, in synthesis order. */
export function ofKind(objects: any[], kind: string): any[] {
  return objects.filter(o => o.kind === kind);
}
