/** The shape of a rollout. */
export enum StrategyKind {
  /** Every request moves to the new version at once. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** A full second environment, checked through a test route, then one switch. */
  BLUE_GREEN = 'BLUE_GREEN',
  /** Traffic moves in steps the user chooses, each held by a gate. */
  CANARY = 'CANARY',
  /** Traffic moves in equal steps at a fixed interval. */
  LINEAR = 'LINEAR',
}
