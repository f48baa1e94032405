import {
  CloudWatchDataQuery, cloudWatchCheckQuery, cloudWatchRequestsQuery, errorRateQuery, MeasuredTarget, prometheusCheckQuery, promDuration,
  QueryContext, requestCountQuery, requestRateQuery,
} from './health-check-queries';
import { HealthCheck, HealthCheckKind } from '../../core/health-check';
import { fail } from '../../core/private/validation';
import type { MetricsSource } from '../metrics-source';

/*
 * An experiment's per-variant measurements: the queries of each variant (and the control) as the
 * experiment records them, and a Grafana dashboard of them. Shared by the Kubernetes experiment
 * renderers; nothing here knows an HTTPRoute.
 */

/** One query as recorded: PromQL, or CloudWatch `MetricDataQueries` whose `value` entry returns the data. */
export type RecordedQuery = string | { readonly metricDataQueries: CloudWatchDataQuery[] };

/** What an experiment records about how its variants are measured. */
export interface RecordedMeasurement {
  /** The metrics source, described: `Prometheus http://prometheus.monitoring:9090 (Istio)`. */
  readonly source: string;
  /** Per variant (and the control): `requests` (over the first check's window), then one query per check, by the check's name. */
  readonly variants: Record<string, Record<string, RecordedQuery>>;
}

/** A variant (or the control) to measure, and whether it must be measurable (false while the experiment routes nothing to it). */
export interface VariantTarget {
  readonly variant: string;
  readonly target: MeasuredTarget;
  readonly required: boolean;
}

const DEFAULT_WINDOW_SECONDS = 60;

/**
 * The queries of every variant: the requests of a window and each check's query. A variant the
 * source cannot measure fails when `required`, and is left out otherwise.
 */
export function variantMeasurements(source: MetricsSource, checks: HealthCheck[], targets: VariantTarget[], ctx: QueryContext,
  sourceProp: string): RecordedMeasurement {
  for (const check of checks) {
    if (check.kind === HealthCheckKind.PROMETHEUS || check.kind === HealthCheckKind.CLOUDWATCH) {
      fail(ctx.checkProp(check), check.describe(), 'a check of your own measures what its query (or alarm) measures, the same for every variant, so it cannot compare them',
        'Measure the variants with HealthCheck.errorRate() and HealthCheck.latency(), which the experiment renders per variant.');
    }
  }
  const window = checks[0]?.window.toSeconds() ?? DEFAULT_WINDOW_SECONDS;
  const variants: Record<string, Record<string, RecordedQuery>> = {};
  for (const { variant, target, required } of targets) {
    try {
      const queries: Record<string, RecordedQuery> = {};
      if (source._prometheus) {
        queries.requests = requestCountQuery(source._prometheus, target, window, sourceProp);
        for (const check of checks) queries[check.name] = prometheusCheckQuery(source._prometheus, target, check, ctx, sourceProp).query;
      } else {
        queries.requests = { metricDataQueries: cloudWatchRequestsQuery(source._cloudWatch!, target, window, ctx, sourceProp) };
        for (const check of checks) {
          queries[check.name] = { metricDataQueries: cloudWatchCheckQuery(source._cloudWatch!, target, check, ctx, sourceProp).queries };
        }
      }
      variants[variant] = queries;
    } catch (e) {
      if (required) throw e;
    }
  }
  return { source: source.describe(), variants };
}

/** Grafana's JSON model of a time series panel: only what the dashboard sets. */
interface GrafanaPanel {
  readonly id: number;
  readonly type: 'timeseries';
  readonly title: string;
  readonly description?: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly fieldConfig: {
    readonly defaults: {
      readonly unit: string;
      readonly thresholds?: { readonly mode: 'absolute'; readonly steps: Array<{ readonly color: string; readonly value: number | null }> };
      readonly custom?: { readonly thresholdsStyle: { readonly mode: 'line' } };
    };
    readonly overrides: [];
  };
  readonly targets: Array<{ readonly refId: string; readonly expr: string; readonly legendFormat: string }>;
}

/** The datasource variable every panel reads, so the dashboard works with whichever Prometheus datasource Grafana has. */
const DATASOURCE = { type: 'prometheus' as const, uid: '${datasource}' };

/**
 * A Grafana dashboard (JSON model) of an experiment's Prometheus queries: requests per second, then
 * one panel per check, each with a line per variant and the control, and the check's bound as a
 * threshold line. Grafana's `$__rate_interval` sizes the request rate to the scrape interval.
 * https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
export function grafanaDashboard(title: string, uid: string, source: MetricsSource, checks: HealthCheck[], targets: VariantTarget[],
  ctx: QueryContext, sourceProp: string): unknown {
  const spec = source._prometheus!;
  const measured = targets.filter(t => {
    try {
      requestCountQuery(spec, t.target, DEFAULT_WINDOW_SECONDS, sourceProp);
      return true;
    } catch (e) {
      if (t.required) throw e;
      return false;
    }
  });
  const refId = (i: number) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');
  const panels: GrafanaPanel[] = [];
  const panel = (title_: string, unit: string, exprs: string[], bound?: number, description?: string) => {
    const i = panels.length;
    panels.push({
      id: i + 1,
      type: 'timeseries',
      title: title_,
      description,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: {
        defaults: {
          unit,
          ...(bound === undefined ? {} : {
            thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: bound }] },
            custom: { thresholdsStyle: { mode: 'line' } },
          }),
        },
        overrides: [],
      },
      targets: measured.map((t, j) => ({ refId: refId(j), expr: exprs[j], legendFormat: t.variant })),
    });
  };
  panel('Requests per second', 'reqps', measured.map(t => requestRateQuery(spec, t.target, '$__rate_interval', sourceProp)));
  for (const check of checks) {
    if (check.kind === HealthCheckKind.ERROR_RATE) {
      panel(`${check.name}: failed requests (%)`, 'percent', measured.map(t =>
        errorRateQuery(spec, t.target, check.failedRequests!, check.window.toSeconds(), check.minimumRequests, sourceProp)),
      check.maxErrorPercent, check.describe());
    } else {
      const q = measured.map(t => prometheusCheckQuery(spec, t.target, check, ctx, sourceProp));
      const unit = spec.dialect.millisPerLatencyUnit === 1 ? 'ms' : spec.dialect.millisPerLatencyUnit === 1000 ? 's' : 'none';
      panel(`${check.name}: p${check.percentile} latency`, unit, q.map(x => x.query), q[0]?.failAbove, check.describe());
    }
  }
  return {
    title,
    uid,
    editable: true,
    schemaVersion: 39,
    tags: ['cdk-deploy-strategies', 'experiment'],
    time: { from: 'now-6h', to: 'now' },
    refresh: promDuration(DEFAULT_WINDOW_SECONDS),
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    annotations: { list: [] },
    panels,
    description: `Each variant and the control, measured through ${source.describe()}.`,
  };
}
