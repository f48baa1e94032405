import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Cost, DriverBackend, DriverFlow, EVENTS, pollCost, readRetries, Target, throttleRetry } from './driver-definition';
import type { PlanStep } from '../../core/plan-options';
import { formatPercent } from '../../core/private/format';

/**
 * A CloudFront change is live once the distribution's status is Deployed again, usually within
 * minutes (Developer Guide, "Distribution status"). The driver reads it every 30 seconds for at most
 * 30 minutes.
 */
const DEPLOY_POLL_SECONDS = 30;
const DEPLOY_MAX_POLLS = 60;

/** CloudFront's throttling, as Step Functions names it (`<Service>.<Error>Exception`). */
const THROTTLES = ['CloudFront.ThrottlingException'];

/** A continuous deployment policy's switch and traffic config, in the CloudFront API's shape. */
export interface PolicyTraffic {
  readonly enabled: boolean;
  /** `{ Type: 'SingleWeight', SingleWeightConfig: {...} }` or `{ Type: 'SingleHeader', SingleHeaderConfig: {...} }`. */
  readonly trafficConfig: { readonly Type: string; readonly SingleWeightConfig?: any; readonly SingleHeaderConfig?: any };
}

/** What the CloudFront driver needs to know. */
export interface CloudFrontDriverProps {
  /** Logical ids, looked up when an execution starts; and ids (tokens) for the role's policy. */
  readonly policy: { readonly logicalId: string; readonly id: string };
  readonly primary: { readonly logicalId: string; readonly id: string };
  readonly staging: { readonly logicalId: string; readonly id: string };
  /** What the template declares: the start, and where a rollback returns. */
  readonly declared: PolicyTraffic;
  /** The policy of each step before the promotion (the 100% step). */
  traffic(step: PlanStep): PolicyTraffic;
}

/**
 * CloudFront continuous deployment, driven: each step before 100% rewrites the policy (its ETag read
 * with the config and passed back as `IfMatch`, so a policy changed since the read is refused, not
 * overwritten) and waits for the primary distribution to be Deployed; the 100% step promotes the
 * staging configuration onto the primary (`UpdateDistributionWithStagingConfig`, with both
 * distributions' ETags), which CloudFront follows by disabling the policy.
 */
export function cloudFrontBackend(props: CloudFrontDriverProps): DriverBackend {
  const trafficOf = (target: Target): PolicyTraffic => (target === undefined ? props.declared : props.traffic(target));
  const describe = (target: Target) => (target !== undefined && target.candidateWeight === 100
    ? 'the staging configuration promoted onto the primary distribution'
    : `the policy ${describePolicy(trafficOf(target))}`);
  const waitDeployed = (flow: DriverFlow, label: string, what: string, next: string, failed: string) => {
    const late = flow.add(`${label} - CloudFront did not deploy ${what}`, {
      Type: 'Pass',
      Result: { Error: 'CloudFront.NotDeployed', Cause: `The primary distribution was not Deployed within ${DEPLOY_POLL_SECONDS * DEPLOY_MAX_POLLS / 60} minutes.` },
      ResultPath: '$.error',
      Next: failed,
    });
    return flow.poll(label, `the ${what} deploy`, {
      call: { action: 'cloudfront:getDistribution', parameters: { 'Id.$': '$.ids.primary.id' }, resultSelector: { 'status.$': '$.Distribution.Status' } },
      resultPath: '$.sync',
      done: { Variable: '$.sync.status', StringEquals: 'Deployed' },
      seconds: DEPLOY_POLL_SECONDS,
      maxPolls: DEPLOY_MAX_POLLS,
      next,
      timedOut: late,
      retry: readRetries(THROTTLES),
      failed,
    });
  };
  const catchTo = (failed: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }];
  const writeRetry = [throttleRetry(THROTTLES)];
  const writeCost = (polls: number): Cost => {
    const sync = pollCost(polls);
    // The promotion reads both ETags first: two more tasks than a policy change.
    return { events: 3 * EVENTS.task + sync.events, transitions: 3 + sync.transitions };
  };
  return {
    name: 'CloudFront continuous deployment',
    lookups: [
      { key: 'policy', what: 'the policy', logicalId: props.policy.logicalId },
      { key: 'primary', what: 'the primary distribution', logicalId: props.primary.logicalId },
      { key: 'staging', what: 'the staging distribution', logicalId: props.staging.logicalId },
    ],
    noun: 'policy',
    // The staging distribution is the candidate; a new staging configuration leaves the policy as it is.
    resetsOnNewCandidate: props.staging.logicalId,
    read: (flow: DriverFlow, label: string, next: string, failed?: string) => flow.add(`${label} - read the policy`, flow.sdkTask({
      action: 'cloudfront:getContinuousDeploymentPolicyConfig',
      parameters: { 'Id.$': '$.ids.policy.id' },
      resultSelector: { 'config.$': '$.ContinuousDeploymentPolicyConfig', 'etag.$': '$.ETag' },
    }, { ResultPath: '$.live', Retry: readRetries(THROTTLES), ...(failed === undefined ? {} : { Catch: catchTo(failed) }), Next: next })),
    readCost: { events: EVENTS.task, transitions: 1 },
    isAt: (target: Target) => {
      const traffic = trafficOf(target);
      if (target === undefined && !traffic.enabled) {
        // The declared start is a disabled policy, whatever its traffic config.
        return { And: [{ Variable: '$.live.config.Enabled', IsPresent: true }, { Variable: '$.live.config.Enabled', BooleanEquals: false }] };
      }
      const config = traffic.trafficConfig;
      const rules: object[] = [
        { Variable: '$.live.config.Enabled', IsPresent: true },
        { Variable: '$.live.config.Enabled', BooleanEquals: traffic.enabled },
        { Variable: '$.live.config.TrafficConfig.Type', IsPresent: true },
        { Variable: '$.live.config.TrafficConfig.Type', StringEquals: config.Type },
      ];
      if (config.SingleWeightConfig !== undefined) {
        rules.push({ Variable: '$.live.config.TrafficConfig.SingleWeightConfig.Weight', IsPresent: true },
          { Variable: '$.live.config.TrafficConfig.SingleWeightConfig.Weight', NumericEquals: config.SingleWeightConfig.Weight });
      } else if (config.SingleHeaderConfig !== undefined) {
        rules.push({ Variable: '$.live.config.TrafficConfig.SingleHeaderConfig.Header', IsPresent: true },
          { Variable: '$.live.config.TrafficConfig.SingleHeaderConfig.Header', StringEquals: config.SingleHeaderConfig.Header },
          { Variable: '$.live.config.TrafficConfig.SingleHeaderConfig.Value', StringEquals: config.SingleHeaderConfig.Value });
      }
      return { And: rules };
    },
    liveText: {
      template: 'enabled {} with {}',
      paths: ['States.JsonToString($.live.config.Enabled)', 'States.JsonToString($.live.config.TrafficConfig)'],
    },
    describe,
    write: (flow: DriverFlow, label: string, target: Target, next: string, failed: string) => {
      if (target !== undefined && target.candidateWeight === 100) {
        const deployed = waitDeployed(flow, label, 'promotion', next, failed);
        const promote = flow.add(`${label} - promote the staging configuration`, flow.sdkTask({
          action: 'cloudfront:updateDistributionWithStagingConfig',
          parameters: {
            'Id.$': '$.ids.primary.id',
            'StagingDistributionId.$': '$.ids.staging.id',
            'IfMatch.$': "States.Format('{}, {}', $.primary.etag, $.staging.etag)",
          },
        }, { ResultPath: null, Retry: writeRetry, Catch: catchTo(failed), Next: deployed }));
        const staging = flow.add(`${label} - read the staging ETag`, flow.sdkTask({
          action: 'cloudfront:getDistributionConfig', parameters: { 'Id.$': '$.ids.staging.id' }, resultSelector: { 'etag.$': '$.ETag' },
        }, { ResultPath: '$.staging', Retry: readRetries(THROTTLES), Catch: catchTo(failed), Next: promote }));
        return flow.add(`${label} - read the primary ETag`, flow.sdkTask({
          action: 'cloudfront:getDistributionConfig', parameters: { 'Id.$': '$.ids.primary.id' }, resultSelector: { 'etag.$': '$.ETag' },
        }, { ResultPath: '$.primary', Retry: readRetries(THROTTLES), Catch: catchTo(failed), Next: staging }));
      }
      const traffic = trafficOf(target);
      const deployed = waitDeployed(flow, label, 'policy', next, failed);
      return flow.add(`${label} - set the policy`, flow.sdkTask({
        action: 'cloudfront:updateContinuousDeploymentPolicy',
        parameters: {
          'Id.$': '$.ids.policy.id',
          'IfMatch.$': '$.live.etag',
          'ContinuousDeploymentPolicyConfig': {
            'StagingDistributionDnsNames.$': '$.live.config.StagingDistributionDnsNames',
            'Enabled': traffic.enabled,
            'TrafficConfig': traffic.trafficConfig,
          },
        },
      }, { ResultPath: null, Retry: writeRetry, Catch: catchTo(failed), Next: deployed }));
    },
    writeCost: writeCost(DEPLOY_MAX_POLLS),
    typicalWriteCost: writeCost(4),
    afterFinish: 'CloudFront copied the staging configuration onto the primary distribution and disabled the policy. '
      + 'Promote it in the app: give the primary distribution the staging configuration, remove the CloudFrontContinuousDeployment, and deploy.',
    statements: () => {
      const arn = (resource: string) => `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:${resource}`;
      const distributions = [arn(`distribution/${props.primary.id}`), arn(`distribution/${props.staging.id}`)];
      return [
        new iam.PolicyStatement({
          actions: ['cloudfront:GetContinuousDeploymentPolicyConfig', 'cloudfront:UpdateContinuousDeploymentPolicy'],
          resources: [arn(`continuous-deployment-policy/${props.policy.id}`)],
        }),
        // The promotion needs GetDistribution and UpdateDistribution on both distributions:
        // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistributionWithStagingConfig.html
        new iam.PolicyStatement({
          actions: ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution',
            'cloudfront:UpdateDistributionWithStagingConfig'],
          resources: distributions,
        }),
      ];
    },
  };
}

/** A weight-based policy: `percent` of requests, kept on one distribution for `stickySeconds` if set. */
export function weightTraffic(percent: number, stickySeconds: number | undefined, enabled: boolean = true): PolicyTraffic {
  return {
    enabled,
    trafficConfig: {
      Type: 'SingleWeight',
      SingleWeightConfig: {
        Weight: percent / 100,
        ...(stickySeconds === undefined ? {} : { SessionStickinessConfig: { IdleTTL: stickySeconds, MaximumTTL: stickySeconds } }),
      },
    },
  };
}

/** A header policy: the requests that carry `header: value`. */
export function headerTraffic(header: string, value: string): PolicyTraffic {
  return { enabled: true, trafficConfig: { Type: 'SingleHeader', SingleHeaderConfig: { Header: header, Value: value } } };
}

/** A policy in words. */
export function describePolicy(traffic: PolicyTraffic): string {
  if (!traffic.enabled) return 'disabled';
  const config = traffic.trafficConfig;
  if (config.SingleHeaderConfig !== undefined) return `sending requests with ${config.SingleHeaderConfig.Header}: ${config.SingleHeaderConfig.Value}`;
  return `sending ${formatPercent(config.SingleWeightConfig.Weight * 100)} of requests`;
}
