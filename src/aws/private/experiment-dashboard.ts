import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RequestMetricSource, RequestTerms } from './health-check-alarms';
import type { Experiment } from '../../core/experiment';
import { FailedRequests, HealthCheck, HealthCheckKind } from '../../core/health-check';

/** One line of every graph: a variant, or the control. */
export interface DashboardVariant {
  /** The variant's name (the control's too). */
  readonly name: string;
  /** Whether it is the control. */
  readonly isControl: boolean;
  /** Its metrics, or undefined when it has none to show (the reason goes in `unmeasured`). */
  readonly metrics?: RequestMetricSource;
  /** Why it has no metrics, shown on the dashboard: `its target group is attached to no listener`. */
  readonly unmeasured?: string;
}

/** Props for `experimentDashboard`. */
export interface ExperimentDashboardProps {
  /** The experiment shown: its name and health checks. */
  readonly experiment: Experiment;
  /** The backend, for the title: `Application Load Balancer`. */
  readonly backend: string;
  /** Every variant and the control, the control first. */
  readonly variants: DashboardVariant[];
}

/** The period of every graph: the window of the first health check, else a minute (what every AWS source publishes). */
const DEFAULT_PERIOD = Duration.minutes(1);
/** Full width of a dashboard row. */
const ROW_WIDTH = 24;

/**
 * One CloudWatch dashboard for an A/B experiment: its requests, error rate and latency, one line per
 * variant and the control, side by side, with the experiment's health checks drawn as thresholds.
 * Backend-neutral: each backend (ALB target groups, CloudFront distributions) passes the metrics of
 * its variants as `RequestMetricSource`s. No minimum request count here: a graph shows every
 * window, the alarms judge them.
 *
 * The error rate counts the failures of the experiment's first error-rate check (5xx by default);
 * the latency is the percentile of its first latency check (p99 by default).
 */
export function experimentDashboard(scope: Construct, id: string, props: ExperimentDashboardProps): cloudwatch.Dashboard {
  const checks = props.experiment.healthChecks;
  const errorCheck = checks.find(c => c.kind === HealthCheckKind.ERROR_RATE);
  const latencyCheck = checks.find(c => c.kind === HealthCheckKind.LATENCY);
  const period = checks.find(c => c.kind === HealthCheckKind.ERROR_RATE || c.kind === HealthCheckKind.LATENCY)?.window ?? DEFAULT_PERIOD;
  const failed = errorCheck?.failedRequests ?? FailedRequests.SERVER_ERRORS;
  const percentile = latencyCheck?.percentile ?? 99;

  const measured = props.variants.filter(v => v.metrics !== undefined);
  const label = (v: DashboardVariant) => (v.isControl ? `${v.name} (control)` : v.name);
  const line = (v: DashboardVariant, index: number, terms: RequestTerms) => lineOf(terms, `v${index}`, label(v), period);

  const requests = measured.map((v, i) => line(v, i, v.metrics!.requestCount(period)));
  const errors = measured.map((v, i) => line(v, i, v.metrics!.errorRate(failed, period)));
  const latencies = measured.filter(v => v.metrics!.latencyUnavailable === undefined);
  const unit = latencies[0]?.metrics!.millisPerLatencyUnit === 1000 ? 'seconds' : 'milliseconds';

  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.TextWidget({ markdown: header(props), width: ROW_WIDTH, height: 2 + checks.length + (props.variants.length - measured.length) }),
    new cloudwatch.GraphWidget({ title: 'Requests', left: requests, leftYAxis: { min: 0, showUnits: false }, width: 8, period }),
    new cloudwatch.GraphWidget({
      title: `Error rate (${failed === FailedRequests.SERVER_ERRORS ? '5xx' : '4xx and 5xx'}, %)`,
      left: errors,
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations: checks.filter(c => c.kind === HealthCheckKind.ERROR_RATE && c.failedRequests === failed)
        .map(c => ({ value: c.maxErrorPercent!, label: c.name, color: cloudwatch.Color.RED })),
      width: 8,
      period,
    }),
  ];
  if (latencies.length > 0) {
    const millisPerUnit = latencies[0].metrics!.millisPerLatencyUnit;
    widgets.push(new cloudwatch.GraphWidget({
      title: `Latency p${percentile} (${unit})`,
      left: latencies.map(v => line(v, measured.indexOf(v), v.metrics!.latency(percentile, period))),
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations: checks.filter(c => c.kind === HealthCheckKind.LATENCY && c.percentile === percentile)
        .map(c => ({ value: c.maxLatency!.toMilliseconds() / millisPerUnit, label: c.name, color: cloudwatch.Color.RED })),
      width: 8,
      period,
    }));
  }
  return new cloudwatch.Dashboard(scope, id, { widgets: [widgets], defaultInterval: Duration.hours(3) });
}

/** The dashboard's heading: the experiment, its checks, and the variants it cannot show. */
function header(props: ExperimentDashboardProps): string {
  const lines = [`# Experiment "${props.experiment.name}" on ${props.backend}`];
  const checks = props.experiment.healthChecks;
  lines.push(checks.length === 0 ? 'No health check measures the variants: add healthChecks to the experiment for per-variant alarms.'
    : `Each variant is measured by: ${checks.map(describe).join('; ')}.`);
  for (const v of props.variants.filter(x => x.metrics === undefined)) {
    lines.push(`Not shown: ${v.isControl ? 'the control' : `variant "${v.name}"`}, ${v.unmeasured ?? 'which has no metrics'}.`);
  }
  return lines.join('\n\n');
}

function describe(check: HealthCheck): string {
  return check.describe();
}

/**
 * A graph line for `terms`' value, its metric ids made unique by `suffix`: a graph holds the lines of
 * every variant, and metric math ids must not clash across them.
 */
function lineOf(terms: RequestTerms, suffix: string, label: string, period: Duration): cloudwatch.IMetric {
  const bare = terms.metrics[terms.value];
  if (bare instanceof cloudwatch.Metric) return bare.with({ label });
  const ids = Object.keys(terms.metrics);
  const expression = ids.reduce((text, key) => text.replace(new RegExp(`\\b${key}\\b`, 'g'), `${key}_${suffix}`), terms.value);
  const usingMetrics = Object.fromEntries(ids.map(key => [`${key}_${suffix}`, terms.metrics[key]]));
  return new cloudwatch.MathExpression({ expression, usingMetrics, label, period });
}
