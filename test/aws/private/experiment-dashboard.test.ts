import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Experiment, FailedRequests, HealthCheck, Match } from '../../../src';
import { experimentDashboard } from '../../../src/aws/private/experiment-dashboard';
import { cloudFrontMetrics } from '../../../src/aws/private/health-check-alarms';
import { testApp, validatedTemplate } from '../../support/cfn';

/** The dashboard body as CloudFormation receives it, tokens left as their JSON. */
function bodyOf(template: Template): any {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body
    : (body['Fn::Join'][1] as unknown[]).map(p => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, ''))).join('');
  return JSON.parse(text);
}

const experiment = (healthChecks: HealthCheck[] = []) => new Experiment({
  name: 'new-cache-policy',
  variants: [{ name: 'staging', match: Match.header('aws-cf-cd-test', 'yes') }],
  endDate: new Date('2027-12-31T00:00:00Z'),
  healthChecks,
});

describe('a CloudFront experiment (primary and staging distributions)', () => {
  const variants = (additionalMetrics: boolean) => [
    { name: 'control', isControl: true, metrics: cloudFrontMetrics('E1PRIMARY', { description: 'primary', additionalMetrics }) },
    { name: 'staging', isControl: false, metrics: cloudFrontMetrics('E2STAGING', { description: 'staging', additionalMetrics }) },
  ];

  test('requests and CloudFront\'s own error rate, one line per distribution; no latency without the additional metrics', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    const checks = [HealthCheck.errorRate({
      maxErrorPercent: 1, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, window: Duration.minutes(5),
    })];
    experimentDashboard(stack, 'Dashboard', { experiment: experiment(checks), backend: 'CloudFront continuous deployment', variants: variants(false) });
    const widgets = bodyOf(validatedTemplate(stack)).widgets as any[];
    expect(widgets.map(w => w.properties.title ?? 'text')).toEqual(['text', 'Requests', 'Error rate (4xx and 5xx, %)']);
    const [requests, errors] = widgets.slice(1).map(w => w.properties);
    expect(requests.metrics).toEqual([
      ['AWS/CloudFront', 'Requests', 'DistributionId', 'E1PRIMARY', 'Region', 'Global', { label: 'control (control)', region: 'us-east-1', stat: 'Sum' }],
      ['AWS/CloudFront', 'Requests', 'DistributionId', 'E2STAGING', 'Region', 'Global', { label: 'staging', region: 'us-east-1', stat: 'Sum' }],
    ]);
    expect(errors.metrics.map((m: any[]) => m[1])).toEqual(['TotalErrorRate', 'TotalErrorRate']);
    expect(errors.annotations.horizontal).toEqual([{ value: 1, label: 'error-rate', color: '#d62728', yAxis: 'left' }]);
    // The graphs' period is the checks' window (5 minutes, CloudWatch's default, so not written out).
    expect(requests.period).toBe(300);
  });

  test('OriginLatency in milliseconds with the additional metrics, and the latency check as a threshold', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    const checks = [HealthCheck.latency({ percentile: 90, maxLatency: Duration.millis(250) })];
    experimentDashboard(stack, 'Dashboard', { experiment: experiment(checks), backend: 'CloudFront continuous deployment', variants: variants(true) });
    const latency = (bodyOf(validatedTemplate(stack)).widgets as any[])[3].properties;
    expect(latency.title).toBe('Latency p90 (milliseconds)');
    expect(latency.metrics.map((m: any[]) => [m[1], m[m.length - 1].stat])).toEqual([['OriginLatency', 'p90'], ['OriginLatency', 'p90']]);
    expect(latency.annotations.horizontal).toEqual([{ value: 250, label: 'latency-p90', color: '#d62728', yAxis: 'left' }]);
  });

  test('a variant without metrics is named on the dashboard, not drawn', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    experimentDashboard(stack, 'Dashboard', {
      experiment: experiment(),
      backend: 'CloudFront continuous deployment',
      variants: [variants(false)[0], { name: 'staging', isControl: false, unmeasured: 'which is created at the next deploy' }],
    });
    const widgets = bodyOf(validatedTemplate(stack)).widgets as any[];
    expect(widgets[0].properties.markdown).toContain('Not shown: variant "staging", which is created at the next deploy.');
    expect(widgets[1].properties.metrics).toHaveLength(1);
  });
});
