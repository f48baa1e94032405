// What the benchmark compares. Each variant is one app under bench/apps, run as its own process.

export type Role = 'library' | 'handwritten' | 'peer';

export interface Variant {
  /** The variant's name in the results; also its app's file name under bench/apps, unless `app` says otherwise. */
  readonly id: string;
  readonly role: Role;
  /**
   * The app's file name under bench/apps, without extension, when it is not `id` (the A/A check runs
   * the hand-written app under a second name).
   */
  readonly app?: string;
}

/** Apps doing the same job, compared with each other. */
export interface Family {
  readonly id: string;
  /** What the apps synthesize: a CloudFormation cloud assembly or cdk8s manifests. */
  readonly output: 'cloud-assembly' | 'manifests';
  readonly title: string;
  /** What one service is, for the README. */
  readonly job: string;
  readonly variants: Variant[];
}

export const FAMILIES: Family[] = [
  {
    id: 'aws-native',
    output: 'cloud-assembly',
    title: 'AWS, ECS native blue-green',
    job: '`aws.EcsRolloutService` (controller `EcsController.NATIVE`), blue-green with a header test route and a 10 minute bake, on a listener shared through host-name rules',
    variants: [
      { id: 'aws-native-library', role: 'library' },
      { id: 'aws-native-handwritten', role: 'handwritten' },
    ],
  },
  {
    id: 'aws-codedeploy',
    output: 'cloud-assembly',
    title: 'AWS, CodeDeploy blue-green',
    job: '`aws.EcsRolloutService` with `EcsController.codeDeploy({ testPort })`, blue-green with a 10 minute termination wait; the peer is `ApplicationLoadBalancedCodeDeployedFargateService`',
    variants: [
      { id: 'aws-codedeploy-library', role: 'library' },
      { id: 'aws-codedeploy-handwritten', role: 'handwritten' },
      { id: 'aws-codedeploy-peer', role: 'peer' },
    ],
  },
  {
    id: 'k8s-canary',
    output: 'manifests',
    title: 'Kubernetes, plain canary',
    job: '`k8s.PlainCanary`, step 1 of 10% → 50% → 100% on 10 replicas: two Deployments and a Service',
    variants: [
      { id: 'k8s-canary-library', role: 'library' },
      { id: 'k8s-canary-handwritten', role: 'handwritten' },
    ],
  },
  {
    id: 'k8s-gateway',
    output: 'manifests',
    title: 'Kubernetes, Gateway API canary',
    job: '`k8s.GatewayRollout`, step 1 of 10% → 50% → 100%: a Deployment and a Service per revision and a weighted HTTPRoute',
    variants: [
      { id: 'k8s-gateway-library', role: 'library' },
      { id: 'k8s-gateway-handwritten', role: 'handwritten' },
    ],
  },
];

/**
 * The A/A check (`--aa`): each family's hand-written app against itself, in the library's place. The
 * two run the same code, so their ratios show how far a ratio moves on this machine by chance alone.
 */
export function againstItself(family: Family): Family {
  const handwritten = family.variants.find(v => v.role === 'handwritten')!;
  return {
    ...family,
    title: `${family.title}: A/A check, the hand-written app against itself`,
    variants: [{ id: `${handwritten.id}-again`, app: handwritten.id, role: 'library' }, handwritten],
  };
}
