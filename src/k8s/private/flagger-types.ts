/**
 * The parts of Flagger's `Canary` (`flagger.app/v1beta1`) this library emits, typed by hand from
 * the upstream CRD (v1.44.0, `artifacts/flagger/crd.yaml`) and the controller's scheduler
 * (`pkg/controller/scheduler.go`). Only what the constructs set is declared, so a misspelt field
 * fails to compile.
 */

/** Flagger's API version for Canary and MetricTemplate. */
export const FLAGGER_API_VERSION = 'flagger.app/v1beta1';

/** The provider Flagger drives an HTTPRoute with (`gateway.networking.k8s.io/v1`). */
export const GATEWAY_API_PROVIDER = 'gatewayapi:v1';

/** How a provider is named in messages and plans. */
export const FLAGGER = 'Flagger';

export interface FlaggerGatewayRef {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

export interface FlaggerService {
  readonly port: number;
  readonly targetPort: number;
  readonly gatewayRefs: FlaggerGatewayRef[];
  readonly hosts?: string[];
}

/** One header or query parameter condition of `analysis.match`: exactly one field is set. */
export interface FlaggerStringMatch {
  readonly exact?: string;
  readonly regex?: string;
}

/** One request match of an A/B test: its conditions all hold. */
export interface FlaggerMatch {
  readonly headers?: Record<string, FlaggerStringMatch>;
  readonly queryParams?: Record<string, FlaggerStringMatch>;
}

export interface FlaggerThresholdRange {
  readonly min?: number;
  readonly max?: number;
}

/** A metric check, run at the end of every interval of the analysis. */
export interface FlaggerMetricCheck {
  readonly name: string;
  /** The window of the query, a Go duration of seconds or minutes (`1m`). */
  readonly interval: string;
  readonly thresholdRange: FlaggerThresholdRange;
  /** A MetricTemplate, for a check that is not one of Flagger's built-in ones. */
  readonly templateRef?: { readonly name: string; readonly namespace?: string };
}

/** Webhook types this library emits (`analysis.webhooks[].type`). */
export type FlaggerWebhookType = 'confirm-promotion' | 'rollback';

export interface FlaggerWebhook {
  readonly name: string;
  readonly type: FlaggerWebhookType;
  readonly url: string;
}

export interface FlaggerSessionAffinity {
  readonly cookieName: string;
  /** Seconds. */
  readonly maxAge: number;
}

export interface FlaggerAnalysisSpec {
  /** The schedule interval: one step (or iteration) a tick, a Go duration of seconds or minutes. */
  readonly interval: string;
  /** Failed checks before Flagger rolls back. */
  readonly threshold: number;
  readonly iterations?: number;
  readonly stepWeight?: number;
  readonly maxWeight?: number;
  readonly stepWeights?: number[];
  readonly match?: FlaggerMatch[];
  readonly sessionAffinity?: FlaggerSessionAffinity;
  readonly metrics?: FlaggerMetricCheck[];
  readonly webhooks?: FlaggerWebhook[];
}

/** A MetricTemplate's provider: the two this library renders from a `MetricsSource`. */
export interface FlaggerMetricProvider {
  readonly type: 'prometheus' | 'cloudwatch';
  /** Prometheus: the server's URL. */
  readonly address?: string;
  /** CloudWatch: the metrics' AWS Region, which Flagger's provider requires. */
  readonly region?: string;
}

/** A MetricTemplate's spec: the provider and the query, which Flagger renders as a Go template first. */
export interface FlaggerMetricTemplateSpec {
  readonly provider: FlaggerMetricProvider;
  readonly query: string;
}

export interface FlaggerCanarySpec {
  readonly provider: string;
  readonly targetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  readonly service: FlaggerService;
  readonly analysis: FlaggerAnalysisSpec;
}

/**
 * Seconds as a Flagger interval: the CRD accepts `^[0-9]+(m|s)` (and Go parses the rest), so whole
 * minutes are written in minutes and anything else in seconds: `1m`, `90s`, `1440m`.
 */
export function flaggerDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
