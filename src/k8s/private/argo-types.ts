import type { CloudWatchDataQuery } from './health-check-queries';

/**
 * The parts of Argo Rollouts objects (`argoproj.io/v1alpha1`) this library emits, typed by hand from
 * the upstream Rollout and AnalysisTemplate CRDs (v1.9) and the `argoproj-labs/gatewayAPI` plugin's
 * configuration. Only what the constructs set is declared, so a typo in a field name fails to compile.
 */

/** Argo Rollouts' API version for Rollout and AnalysisTemplate. */
export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

/** The name under which the Gateway API traffic router plugin is registered with the controller. */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

export interface ArgoLabelSelector {
  readonly matchLabels: Record<string, string>;
}

/** `spec.workloadRef`: the Deployment whose pod template the Rollout rolls out. */
export interface ArgoWorkloadRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface ArgoAnalysisTemplateRef {
  readonly templateName: string;
}

/** An inline step analysis, `prePromotionAnalysis` or `postPromotionAnalysis`. */
export interface ArgoRolloutAnalysis {
  readonly templates: ArgoAnalysisTemplateRef[];
}

/** `pause: {}` waits for `kubectl argo rollouts promote`; with a duration it resumes by itself. */
export interface ArgoPause {
  /** A Go duration string such as `5m` or `1h30m`. */
  readonly duration?: string;
}

/** A header condition of `setHeaderRoute`: exactly one of `exact`, `regex` (and `prefix`, unused) is set. */
export interface ArgoHeaderMatch {
  readonly headerName: string;
  readonly headerValue: { readonly exact?: string; readonly regex?: string };
}

/** `setHeaderRoute`: sends the requests matching every condition to the canary, under a route named in `managedRoutes`. */
export interface ArgoSetHeaderRoute {
  readonly name: string;
  readonly match: ArgoHeaderMatch[];
}

/** `setCanaryScale`: the canary's size apart from its traffic weight, or back to following it. */
export interface ArgoSetCanaryScale {
  readonly weight?: number;
  readonly matchTrafficWeight?: boolean;
}

/** One canary step: exactly one field is set. */
export interface ArgoCanaryStep {
  readonly setWeight?: number;
  readonly pause?: ArgoPause;
  readonly analysis?: ArgoRolloutAnalysis;
  readonly setHeaderRoute?: ArgoSetHeaderRoute;
  readonly setCanaryScale?: ArgoSetCanaryScale;
}

/** The plugin's configuration: the HTTPRoute whose backend weights it rewrites. */
export interface ArgoGatewayApiPluginConfig {
  readonly httpRoute: string;
  /** The route's namespace: the plugin looks it up there and fails without one. */
  readonly namespace: string;
}

/** A route the controller adds and removes itself (a `setHeaderRoute`), named before any step uses it. */
export interface ArgoManagedRoute {
  readonly name: string;
}

export interface ArgoTrafficRouting {
  readonly managedRoutes?: ArgoManagedRoute[];
  readonly plugins: Record<string, ArgoGatewayApiPluginConfig>;
}

/** `canary.analysis`: a background analysis, started at step `startingStep` (an index into `steps`) and run until the rollout ends. */
export interface ArgoBackgroundAnalysis extends ArgoRolloutAnalysis {
  readonly startingStep?: number;
}

export interface ArgoCanaryStrategy {
  readonly stableService: string;
  readonly canaryService: string;
  readonly maxSurge?: number;
  readonly maxUnavailable?: number;
  readonly trafficRouting?: ArgoTrafficRouting;
  readonly analysis?: ArgoBackgroundAnalysis;
  readonly steps: ArgoCanaryStep[];
}

export interface ArgoBlueGreenStrategy {
  readonly activeService: string;
  readonly previewService: string;
  readonly autoPromotionEnabled?: boolean;
  readonly autoPromotionSeconds?: number;
  readonly prePromotionAnalysis?: ArgoRolloutAnalysis;
  readonly postPromotionAnalysis?: ArgoRolloutAnalysis;
  readonly scaleDownDelaySeconds?: number;
}

export interface ArgoRolloutStrategy {
  readonly canary?: ArgoCanaryStrategy;
  readonly blueGreen?: ArgoBlueGreenStrategy;
}

export interface ArgoRolloutSpec {
  readonly replicas: number;
  readonly selector: ArgoLabelSelector;
  readonly workloadRef: ArgoWorkloadRef;
  readonly strategy: ArgoRolloutStrategy;
}

/** A request header Argo's web provider sends (`key`, not `name`, in the CRD). */
export interface ArgoWebHeader {
  readonly key: string;
  readonly value: string;
}

export interface ArgoPrometheusProvider {
  readonly address: string;
  readonly query: string;
}

export interface ArgoWebProvider {
  readonly url: string;
  readonly jsonPath?: string;
  readonly headers?: ArgoWebHeader[];
}

/** The CloudWatch provider: `GetMetricData` over the last `interval`; `result` is the list of returned series (`result[0].Values`, newest first). */
export interface ArgoCloudWatchProvider {
  readonly interval: string;
  readonly metricDataQueries: CloudWatchDataQuery[];
}

export interface ArgoMetricProvider {
  readonly prometheus?: ArgoPrometheusProvider;
  readonly web?: ArgoWebProvider;
  readonly cloudWatch?: ArgoCloudWatchProvider;
}

export interface ArgoMetric {
  readonly name: string;
  /** Go duration strings. */
  readonly interval: string;
  readonly initialDelay: string;
  /** Measurements to take; without it the metric measures until the run is stopped. */
  readonly count?: number;
  readonly failureLimit: number;
  readonly successCondition: string;
  /** When a measurement fails; without it, a measurement fails whenever the success condition is false. */
  readonly failureCondition?: string;
  readonly provider: ArgoMetricProvider;
}

export interface ArgoAnalysisTemplateSpec {
  readonly metrics: ArgoMetric[];
}

/**
 * Seconds as a Go duration string, the format Argo parses for intervals and pauses: `45s`, `5m`,
 * `1h30m`.
 */
export function argoDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
