/**
 * The dashboard's snapshot as JSON: what `GET /api/snapshot` returns and the page shows. No imports, so the page's
 * bundle can share it without pulling in the chain libraries.
 *
 * Wei, shares and other integers beyond 2^53 travel as decimal strings. Every figure a person reads comes with its
 * `text`, made by the same formatter the tasks print with (lib/amounts.ts, lib/status.ts): the page adds no
 * arithmetic of its own, only layout and charts.
 */

/**
 * An amount of ETH or plETH: its integer value (wei or shares, decimal), how the tasks print it (every decimal, unit
 * included) and a shorter text for tiles and tables (rounded down to a few decimals, like the tasks' tables).
 */
export interface AmountJson {
  value: string;
  text: string;
  short: string;
}

/** A duration: whole seconds and how the tasks print it ("1 day 2 h"). */
export interface DurationJson {
  seconds: string;
  text: string;
}

/** A moment: unix seconds and its ISO 8601 text. */
export interface TimeJson {
  unix: number;
  text: string;
}

/** An APR over some reports: `value` scaled by 1e18 (lib/status.ts APR_SCALE), null when no report gives one. */
export interface AprJson {
  value: string | null;
  text: string;
  /** Reports the figure covers. */
  reports: number;
  /** Seconds those reports cover together. */
  period: DurationJson;
}

/** The share rate one report left: a point of the history chart. */
export interface RatePointJson {
  refSlot: string;
  /** The reference slot's time. */
  time: TimeJson;
  /** Wei one plETH was worth after the report, rounded down. */
  rate: AmountJson;
  /** That report's own APR. */
  apr: AprJson;
  blockNumber: number;
}

export interface PoolJson {
  address: string;
  totalPooledEther: AmountJson;
  plEthSupply: AmountJson;
  /** Wei per plETH now. */
  shareRate: AmountJson;
  bufferedEther: AmountJson;
  beaconBalance: AmountJson;
  depositedValidators: number;
  beaconValidators: number;
  reportsApplied: number;
  apr: { lastReport: AprJson; days7: AprJson; days30: AprJson };
  /** One point per applied report, oldest first. */
  rateHistory: RatePointJson[];
}

/** The pool's validators by their state on the beacon chain's head. */
export interface ValidatorStatesJson {
  /** Deposited through the pool, per the operator registry. */
  deposited: number;
  /** Deposited, not on the beacon chain yet (the deposit is still being processed). */
  unseen: number;
  pending: number;
  /** Active and not exiting. */
  active: number;
  /** Exit initiated, exit epoch still ahead (slashed ones are counted under slashed). */
  exiting: number;
  /** Past their exit epoch, not slashed. */
  exited: number;
  /** Slashed, in any state. */
  slashed: number;
  headSlot: string;
  beaconUrl: string;
}

export interface OperatorJson {
  id: number;
  name: string;
  active: boolean;
  /** "3-of-4 cluster" for a distributed-validator cluster, null for a single operator. */
  cluster: string | null;
  keysSubmitted: number;
  keysVetted: number;
  keysDeposited: number;
  activeValidators: number;
  /** Its share of the active validators, basis points rounded down, and as a percentage. */
  shareBps: number;
  shareText: string;
  /** Exits the registry asked of it that it has not made yet. */
  exitRequestsPending: number;
  penalized: boolean;
  /** plETH it may claim now, and every fee it received so far (claimed + claimable); their ETH value now. */
  feesClaimable: AmountJson;
  feesEarned: AmountJson;
  feesEarnedValue: AmountJson;
}

/** A decentralization figure with its one-line explanation. */
export interface FigureJson {
  value: number;
  text: string;
  explanation: string;
}

export interface OperatorsJson {
  list: OperatorJson[];
  shareCapBps: number;
  shareCapText: string;
  nakamotoCoefficient: FigureJson;
  herfindahlHirschmanIndex: FigureJson;
  largestShare: FigureJson;
  operatorsWithValidators: number;
}

export interface FinalizationJson {
  fromId: string;
  toId: string;
  etherLocked: AmountJson;
  blockNumber: number;
  time: TimeJson;
}

export interface QueueJson {
  lastRequestId: string;
  lastFinalizedId: string;
  pendingRequests: string;
  unfinalizedDemand: AmountJson;
  unfinalizedPlEth: AmountJson;
  lockedEther: AmountJson;
  shortfall: AmountJson;
  bunkerMode: boolean;
  expectedWait: DurationJson;
  expectedWaitExplanation: string;
  /** The latest finalizations, newest first. */
  recentFinalizations: FinalizationJson[];
}

export interface ProposalJson {
  id: string;
  shortId: string;
  description: string;
  state: string;
  voteEnd: TimeJson;
  /** Null until queued. */
  eta: TimeJson | null;
}

export interface OperationJson {
  id: string;
  timelock: "governance" | "operations";
  calls: string;
  state: string;
  readyAt: TimeJson | null;
}

export interface PauseTargetJson {
  name: string;
  paused: boolean;
  /** When the pause ends, if paused now. */
  until: TimeJson | null;
  left: DurationJson | null;
}

export interface GovernanceJson {
  mode: "token" | "multisig";
  timelockDelay: DurationJson;
  /** Null when the deployment has no operations timelock. */
  operationsDelay: DurationJson | null;
  /** Token governance only. */
  votingDelay: DurationJson | null;
  votingPeriod: DurationJson | null;
  /** Proposals not yet decided or executed: Pending, Active, Succeeded, Queued. */
  pendingProposals: ProposalJson[];
  /** Timelock operations scheduled and not yet executed or cancelled. */
  queuedOperations: OperationJson[];
  pause: {
    guardian: string | null;
    available: boolean;
    maxDuration: DurationJson;
    targets: PauseTargetJson[];
  };
}

export interface OracleJson {
  address: string;
  members: { address: string; lastVotedRefSlot: string }[];
  quorum: number;
  /** Null before the first report. */
  lastReport: { refSlot: string; slotTime: TimeJson; appliedAt: TimeJson; blockNumber: number } | null;
  frame: {
    epochsPerFrame: number;
    length: DurationJson;
    currentSlot: string;
    nextRefSlot: string;
    nextReportable: TimeJson;
  };
  bounds: { maxApr: string; maxLoss: string; maxElRewards: string; unseenDepositDeadline: DurationJson };
}

export interface DashboardSnapshot {
  network: string;
  chainId: string;
  blockNumber: number;
  blockTime: TimeJson;
  pool: PoolJson;
  validators: ValidatorStatesJson;
  operators: OperatorsJson;
  queue: QueueJson;
  governance: GovernanceJson;
  oracle: OracleJson;
}
