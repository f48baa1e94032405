import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Cost, DriverBackend, DriverFlow, EVENTS, pollCost, readRetries, Target, throttleRetry } from './driver-definition';
import type { Route53Weights } from './route53-weights';

/**
 * Route 53 propagates a change to all its name servers within about 60 seconds (Developer Guide,
 * "ChangeResourceRecordSets": the change is PENDING, then INSYNC):
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 * The driver reads the change every 15 seconds for at most 5 minutes.
 */
const SYNC_POLL_SECONDS = 15;
const SYNC_MAX_POLLS = 20;

/**
 * Route 53's throttling (ThrottlingException, and PriorRequestNotComplete while an earlier change of
 * the zone is applied), as Step Functions names them:
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 */
const THROTTLES = ['Route53.ThrottlingException', 'Route53.PriorRequestNotCompleteException'];

/** What the Route 53 driver needs to know about the two records. */
export interface Route53DriverProps {
  readonly hostedZoneId: string;
  readonly hostedZoneArn: string;
  /** The records' name, fully qualified with the final dot, as Route 53 lists it: `www.example.com.`. */
  readonly recordName: string;
  readonly recordType: string;
  readonly stableSetIdentifier: string;
  readonly candidateSetIdentifier: string;
  /** Whether the records are alias records (else they carry a TTL and values). */
  readonly alias: boolean;
  /** Whether each record carries a health check. */
  readonly stableHealthCheck: boolean;
  readonly candidateHealthCheck: boolean;
  /** The weights of each step of the plan, in order. */
  readonly weights: Route53Weights[];
  /** The weights the template declares: everything on the stable record. */
  readonly declared: Route53Weights;
}

/**
 * Route 53 weighted records, driven: the driver lists the two records, and changes both weights in
 * one change batch that deletes each record exactly as it was read and creates it again with the new
 * weight. Route 53 applies a batch whole or not at all, and refuses to delete a record whose values
 * differ from the ones given, so a record changed since the read fails the change instead of being
 * overwritten: a compare-and-swap. Then it waits for the change to be INSYNC.
 */
export function route53Backend(props: Route53DriverProps): DriverBackend {
  const weightsOf = (target: Target): Route53Weights => (target === undefined ? props.declared : props.weights[target.index - 1]);
  const live = (role: Role) => `$.live.${role}.ResourceRecordSets[0]`;
  const setIdentifier = (role: Role) => (role === 'stable' ? props.stableSetIdentifier : props.candidateSetIdentifier);
  /** The record read is the rollout's own: the listing starts at it, but lists the next one when it is gone. */
  const own = (role: Role) => [
    { Variable: `${live(role)}.SetIdentifier`, IsPresent: true },
    { Variable: `${live(role)}.SetIdentifier`, StringEquals: setIdentifier(role) },
    { Variable: `${live(role)}.Type`, StringEquals: props.recordType },
    { Variable: `${live(role)}.Weight`, IsPresent: true },
  ];
  const record = (role: Role, value: number, healthCheck: boolean) => ({
    'Name.$': `${live(role)}.Name`,
    'Type.$': `${live(role)}.Type`,
    'SetIdentifier.$': `${live(role)}.SetIdentifier`,
    'Weight': value,
    ...(props.alias ? { 'AliasTarget.$': `${live(role)}.AliasTarget` }
      : { 'TTL.$': `${live(role)}.TTL`, 'ResourceRecords.$': `${live(role)}.ResourceRecords` }),
    ...(healthCheck ? { 'HealthCheckId.$': `${live(role)}.HealthCheckId` } : {}),
  });
  const describe = (target: Target) => {
    const w = weightsOf(target);
    return `stable weight ${w.stable} and candidate weight ${w.candidate}`;
  };
  const writeCost = (polls: number): Cost => {
    const sync = pollCost(polls);
    return { events: EVENTS.task + sync.events, transitions: 1 + sync.transitions };
  };
  return {
    name: 'Route 53 weighted records',
    // The hosted zone depends on nothing of the rollout's: its id stays in the definition.
    lookups: [],
    noun: 'weights',
    read: (flow: DriverFlow, label: string, next: string, failed?: string) => {
      const readRole = (role: Role, then: string) => flow.add(`${label} - read the ${role} record`, flow.sdkTask({
        action: 'route53:listResourceRecordSets',
        // The listing starts at the record: it comes first, if it exists. One record only: without
        // MaxItems Route 53 lists up to 300, which could pass the 256 KiB a state's data may hold
        // (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). MaxItems is a string.
        parameters: {
          HostedZoneId: props.hostedZoneId,
          StartRecordName: props.recordName,
          StartRecordType: props.recordType,
          StartRecordIdentifier: setIdentifier(role),
          MaxItems: '1',
        },
      }, {
        ResultPath: `$.live.${role}`,
        Retry: readRetries(THROTTLES),
        ...(failed === undefined ? {} : { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }] }),
        Next: then,
      }));
      return readRole('stable', readRole('candidate', next));
    },
    readCost: { events: 2 * EVENTS.task, transitions: 2 },
    isAt: (target: Target) => {
      const w = weightsOf(target);
      const rules: object[] = [...own('stable'), ...own('candidate')];
      if (target === undefined) {
        // The declared start is any split that sends the candidate nothing.
        rules.push({ Variable: `${live('candidate')}.Weight`, NumericEquals: 0 }, { Variable: `${live('stable')}.Weight`, NumericGreaterThan: 0 });
      } else {
        rules.push({ Variable: `${live('stable')}.Weight`, NumericEquals: w.stable }, { Variable: `${live('candidate')}.Weight`, NumericEquals: w.candidate });
      }
      return { And: rules };
    },
    liveText: {
      template: 'stable {} and candidate {}',
      paths: ['States.JsonToString($.live.stable.ResourceRecordSets)', 'States.JsonToString($.live.candidate.ResourceRecordSets)'],
    },
    describe,
    write: (flow: DriverFlow, label: string, target: Target, next: string, failed: string) => {
      const w = weightsOf(target);
      const notInSync = flow.add(`${label} - Route 53 did not sync`, {
        Type: 'Pass',
        Result: { Error: 'Route53.NotInSync', Cause: `Route 53 did not apply the change within ${SYNC_POLL_SECONDS * SYNC_MAX_POLLS / 60} minutes.` },
        ResultPath: '$.error',
        Next: failed,
      });
      const sync = flow.poll(label, 'the Route 53 change', {
        call: { action: 'route53:getChange', parameters: { 'Id.$': '$.change.id' }, resultSelector: { 'status.$': '$.ChangeInfo.Status' } },
        resultPath: '$.sync',
        done: { Variable: '$.sync.status', StringEquals: 'INSYNC' },
        seconds: SYNC_POLL_SECONDS,
        maxPolls: SYNC_MAX_POLLS,
        next,
        timedOut: notInSync,
        retry: readRetries(THROTTLES),
        failed,
      });
      return flow.add(`${label} - set ${target === undefined ? 'all on stable' : 'the weights'}`, flow.sdkTask({
        action: 'route53:changeResourceRecordSets',
        parameters: {
          HostedZoneId: props.hostedZoneId,
          ChangeBatch: {
            Comment: `${label}: ${describe(target)} (cdk-deploy-strategies driver)`.slice(0, 256),
            Changes: [
              { 'Action': 'DELETE', 'ResourceRecordSet.$': live('stable') },
              { 'Action': 'DELETE', 'ResourceRecordSet.$': live('candidate') },
              { Action: 'CREATE', ResourceRecordSet: record('stable', w.stable, props.stableHealthCheck) },
              { Action: 'CREATE', ResourceRecordSet: record('candidate', w.candidate, props.candidateHealthCheck) },
            ],
          },
        },
        // ChangeInfo.Id is `/change/C...`; GetChange takes the bare id, its last part.
        resultSelector: { 'id.$': "States.ArrayGetItem(States.StringSplit($.ChangeInfo.Id, '/'), States.MathAdd(States.ArrayLength(States.StringSplit($.ChangeInfo.Id, '/')), -1))" },
      }, {
        ResultPath: '$.change',
        Retry: [throttleRetry(THROTTLES)],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }],
        Next: sync,
      }));
    },
    missing: () => (['stable', 'candidate'] as Role[]).map(role => ({
      rule: { Not: { And: own(role) } },
      what: `${role} record (${props.recordName} ${props.recordType}, set identifier ${setIdentifier(role)})`,
    })),
    writeCost: writeCost(SYNC_MAX_POLLS),
    typicalWriteCost: writeCost(2),
    afterFinish: 'Promote it: in the app, make the candidate the stable target and leave the candidate out, and deploy; the next release adds a candidate again.',
    statements: () => [
      new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [props.hostedZoneArn] }),
      // Only its own two records (one name, one type), only by deleting and creating them again:
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
      new iam.PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [props.hostedZoneArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [normalizedName(props.recordName)],
            'route53:ChangeResourceRecordSetsRecordTypes': [props.recordType],
            'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
          },
        },
      }),
      // A change's id is known only once the change is made.
      new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: [`arn:${Aws.PARTITION}:route53:::change/*`] }),
    ],
  };
}

type Role = 'stable' | 'candidate';

/**
 * A DNS name as Route 53's condition keys compare it: lowercase, without the final dot, and every
 * character other than a-z, 0-9, `-`, `_` and `.` as a backslash and three octal digits (`*` is
 * `\052`). A name already holding such an escape keeps it.
 */
export function normalizedName(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower.replace(/\\(\d{3})|[^a-z0-9\-_.]/g, (match, octal) => {
    if (octal !== undefined) return `\\${octal}`;
    return [...Buffer.from(match, 'utf8')].map(b => `\\${b.toString(8).padStart(3, '0')}`).join('');
  });
}
