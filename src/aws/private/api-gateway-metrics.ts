import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { RequestMetricSource } from './health-check-alarms';
import { FailedRequests } from '../../core/health-check';

/*
 * What API Gateway publishes about the canary of a REST API stage, for the health checks.
 *
 * API Gateway publishes a REST API's metrics once a minute in the `AWS/ApiGateway` namespace, per
 * stage with the dimensions `ApiName` and `Stage` (no detailed metrics needed: those add `Method` and
 * `Resource`). A stage with canary settings gives the canary "its own logs and metrics": the
 * canary's requests are published apart from the stage's, under the `Stage` value `<stage>/Canary`,
 * the suffix its canary-specific execution and access log groups take too. The metrics page lists no
 * dimension of the canary's own; this is that `Stage` value.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
 *
 * - `Count`: the requests of a window, read with `SampleCount` as the metrics page says.
 * - `5XXError`, `4XXError`: one data point per request, 1 for an error and 0 otherwise, so their
 *   `Average` is the share of the window's requests that failed (errors ÷ `Count`), between 0 and 1;
 *   the rate in percent is 100 × that average, and 4xx plus 5xx is the sum of the two averages (they
 *   share the denominator).
 * - `Latency`: from the request's arrival to the response, API Gateway's own overhead included, in
 *   milliseconds.
 *
 * `ApiName` is the API's name with its non-ASCII characters removed, or its id when none are left.
 */

/** The canary's own value of the `Stage` dimension: the stage's name followed by `/Canary`. */
export const CANARY_STAGE_SUFFIX = '/Canary';

/** The metrics of the canary of `stage`: only the requests its canary settings send to the candidate. */
export function apiGatewayCanaryMetrics(stage: apigateway.Stage): RequestMetricSource {
  const dimensionsMap = { ApiName: apiNameDimension(stage.restApi), Stage: `${stageName(stage)}${CANARY_STAGE_SUFFIX}` };
  const metric = (metricName: string, statistic: string, period: Duration) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, statistic, period });
  const requests = (period: Duration) => metric('Count', cloudwatch.Stats.SAMPLE_COUNT, period);
  return {
    description: `the canary of stage ${stage.node.path}`,
    publisher: 'API Gateway',
    millisPerLatencyUnit: 1,
    requestCount: period => ({ metrics: { requests: requests(period) }, value: 'requests', requests: 'requests' }),
    errorRate: (failed, period) => {
      const server = { requests: requests(period), errors: metric('5XXError', cloudwatch.Stats.AVERAGE, period) };
      return failed === FailedRequests.SERVER_ERRORS
        ? { metrics: server, value: '100 * errors', requests: 'requests' }
        : {
          metrics: { ...server, client_errors: metric('4XXError', cloudwatch.Stats.AVERAGE, period) },
          value: '100 * (errors + client_errors)',
          requests: 'requests',
        };
    },
    latency: (percentile, period) => ({
      metrics: { requests: requests(period), latency: metric('Latency', cloudwatch.Stats.p(percentile), period) },
      value: 'latency',
      requests: 'requests',
    }),
  };
}

/** The stage's name: the literal one when the template has it, else its `Ref`. */
function stageName(stage: apigateway.Stage): string {
  const cfn = stage.node.defaultChild;
  const literal = cfn instanceof apigateway.CfnStage ? cfn.stageName : undefined;
  return typeof literal === 'string' && !Token.isUnresolved(literal) ? literal : stage.stageName;
}

/**
 * The `ApiName` dimension API Gateway publishes the API's metrics under: its name without the
 * non-ASCII characters, or its id when the name has no ASCII character at all (metrics page, note
 * on dimensions).
 */
export function apiNameDimension(api: apigateway.IRestApi): string {
  const name = api.restApiName;
  if (Token.isUnresolved(name)) return name;
  // eslint-disable-next-line no-control-regex
  const ascii = name.replace(/[^\x00-\x7F]/g, '');
  return ascii === '' ? api.restApiId : ascii;
}
