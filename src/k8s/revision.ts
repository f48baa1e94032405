import * as kplus from 'cdk8s-plus-28';

/** One version of a workload: the containers its pods run. */
export interface KubernetesRevision {
  /**
   * The containers of the revision's pods. cdk8s-plus's secure defaults apply (non-root,
   * read-only root filesystem, no privilege escalation); relax them per container if the image needs it.
   */
  readonly containers: kplus.ContainerProps[];

  /**
   * The revision's version, set as the `app.kubernetes.io/version` label of its pods.
   *
   * @default - no version label
   */
  readonly version?: string;
}

/** The two slots of a blue-green pair. A revision keeps its slot for its whole life, so promoting it recreates nothing. */
export enum Slot {
  /** The slot named `blue`. */
  BLUE = 'blue',
  /** The slot named `green`. */
  GREEN = 'green',
}
