import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { FailedRequests, HealthCheck } from '../../../src';
import { apiGatewayCanaryMetrics, apiNameDimension } from '../../../src/aws/private/api-gateway-metrics';
import { HealthCheckAlarms } from '../../../src/aws/private/health-check-alarms';
import { testApp, validatedTemplate } from '../../support/cfn';

/** A REST API with one mock method, deployed to a `prod` stage. */
function setup(apiProps: apigateway.RestApiProps = {}) {
  const stack = new Stack(testApp(), 'Stack');
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' }, ...apiProps });
  api.root.addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
    integrationResponses: [{ statusCode: '200' }],
  }), { methodResponses: [{ statusCode: '200' }] });
  return { stack, api };
}

/** Renders `checks` on the canary of `stage` and returns the alarms' properties. */
function alarms(stack: Stack, stage: apigateway.Stage, checks: HealthCheck[]): any[] {
  new HealthCheckAlarms({
    backend: 'API Gateway stage canary',
    where: 'Test Stack/Canary',
    scope: stack,
    purpose: 'read before the next step',
    sources: [{ scope: stack, metrics: () => apiGatewayCanaryMetrics(stage) }],
  }, checks);
  return Object.values(validatedTemplate(stack).findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
}

const query = (alarm: any, id: string) => (alarm.Metrics as any[]).find(q => q.Id === id);
const CANARY_DIMENSIONS = [{ Name: 'ApiName', Value: 'Api' }, { Name: 'Stage', Value: 'prod/Canary' }];

describe('the canary of a REST API stage', () => {
  test('error rate: the 5XXError average in percent, no verdict under 10 requests (Count), 2 failing windows of a minute', () => {
    const { stack, api } = setup();
    const [alarm] = alarms(stack, api.deploymentStage, [HealthCheck.errorRate({ maxErrorPercent: 1 })]);
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
      AlarmDescription: 'Health check error-rate: 5xx above 1% for 2 windows of 1m (10+ requests), measured on the canary of stage Stack/Api/DeploymentStage.prod: read before the next step.',
    });
    expect(alarm.Metrics).toHaveLength(3);
    expect((alarm.Metrics as any[]).find(q => q.Expression)).toMatchObject({
      Expression: 'IF(requests >= 10, 100 * errors)', ReturnData: true,
    });
    expect(query(alarm, 'requests')).toEqual({
      Id: 'requests',
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: CANARY_DIMENSIONS }, Stat: 'SampleCount', Period: 60 },
    });
    expect(query(alarm, 'errors')).toEqual({
      Id: 'errors',
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: CANARY_DIMENSIONS }, Stat: 'Average', Period: 60 },
    });
  });

  test('error rate of 4xx and 5xx: the sum of the two averages, judged on every window with requests, over 5-minute windows', () => {
    const { stack, api } = setup();
    const [alarm] = alarms(stack, api.deploymentStage, [HealthCheck.errorRate({
      maxErrorPercent: 2.5,
      failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS,
      minimumRequests: 0,
      window: Duration.minutes(5),
      failingWindows: 3,
    })]);
    expect(alarm).toMatchObject({ Threshold: 2.5, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const expressions = (alarm.Metrics as any[]).filter(q => q.Expression);
    expect(expressions).toEqual([expect.objectContaining({ Expression: '100 * (errors + client_errors)', ReturnData: true })]);
    expect(query(alarm, 'client_errors').MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '4XXError', Dimensions: CANARY_DIMENSIONS }, Stat: 'Average', Period: 300,
    });
    expect(query(alarm, 'errors').MetricStat).toMatchObject({ Metric: { MetricName: '5XXError' }, Stat: 'Average', Period: 300 });
    // Without a minimum, the requests are not read at all.
    expect(query(alarm, 'requests')).toBeUndefined();
  });

  test('latency: a Latency percentile in milliseconds, no verdict under the minimum requests', () => {
    const { stack, api } = setup();
    const check = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800), minimumRequests: 25 });
    const [alarm] = alarms(stack, api.deploymentStage, [check]);
    expect(alarm).toMatchObject({ Threshold: 800, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'missing' });
    expect((alarm.Metrics as any[]).find(q => q.Expression).Expression).toBe('IF(requests >= 25, latency)');
    expect(query(alarm, 'latency').MetricStat).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: CANARY_DIMENSIONS }, Stat: 'p99', Period: 60,
    });
  });

  test('latency judged on every window is the percentile itself, with no metric math', () => {
    const { stack, api } = setup();
    const check = HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.seconds(2), minimumRequests: 0 });
    const [alarm] = alarms(stack, api.deploymentStage, [check]);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: CANARY_DIMENSIONS, ExtendedStatistic: 'p99.9', Period: 60, Threshold: 2000,
    });
  });

  test('the requests of a window are the canary\'s Count samples', () => {
    const { api } = setup();
    const terms = apiGatewayCanaryMetrics(api.deploymentStage).requestCount(Duration.minutes(1));
    expect(terms.value).toBe('requests');
    expect(terms.metrics.requests.toMetricConfig().metricStat).toMatchObject({ metricName: 'Count', statistic: 'SampleCount', namespace: 'AWS/ApiGateway' });
  });

  test('a stage whose name is only known at deploy time: its Ref, followed by /Canary', () => {
    const { stack, api } = setup();
    const name = new CfnParameter(stack, 'StageName', { default: 'beta' });
    const stage = new apigateway.Stage(stack, 'Beta', { deployment: api.latestDeployment!, stageName: name.valueAsString });
    const [alarm] = alarms(stack, stage, [HealthCheck.errorRate({ maxErrorPercent: 1, minimumRequests: 0 })]);
    const stageId = Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage')).find(id => id.startsWith('Beta'))!;
    expect(query(alarm, 'errors').MetricStat.Metric.Dimensions).toEqual([
      { Name: 'ApiName', Value: 'Api' },
      { Name: 'Stage', Value: { 'Fn::Join': ['', [{ Ref: stageId }, '/Canary']] } },
    ]);
  });
});

describe('the ApiName dimension', () => {
  test('is the API\'s name', () => {
    expect(apiNameDimension(setup({ restApiName: 'orders-api' }).api)).toBe('orders-api');
  });

  test('without the non-ASCII characters API Gateway removes', () => {
    expect(apiNameDimension(setup({ restApiName: 'Bestellungen-Ä-API' }).api)).toBe('Bestellungen--API');
  });

  test('or the API\'s id when no ASCII character is left', () => {
    const { stack, api } = setup({ restApiName: 'заказы' });
    expect(stack.resolve(apiNameDimension(api))).toEqual({ Ref: stack.getLogicalId(api.node.defaultChild as apigateway.CfnRestApi) });
  });
});
