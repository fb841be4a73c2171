/**
 * Every figure of the dashboard, read from the chain and a Beacon API through the library the tasks use: the pool's
 * status and reports (lib/status.ts), the operators and their concentration (lib/operators.ts,
 * lib/decentralization.ts), exits owed (lib/exitRequests.ts), the withdrawal queue (lib/withdrawals.ts), governance
 * and the pause (lib/governor.ts, lib/pause.ts) and the oracle (lib/oracle/status.ts). This file only gathers and
 * labels: it computes no accounting of its own.
 */
import type { Provider } from "ethers";
import { ZeroAddress } from "ethers";

import { formatBps, formatDuration, formatEth, formatPlEth } from "../amounts.js";
import type { BeaconClient, ValidatorInfo } from "../beacon/client.js";
import { readBlock } from "../blocks.js";
import { owedExits, validatorsByPubkey } from "../exitRequests.js";
import { describeCall } from "../govActions.js";
import { readGovernanceStatus } from "../governor.js";
import { queryInChunks } from "../logs.js";
import {
  committedKeys,
  listOperators,
  operatorConcentration,
  readCommittedBatches,
  shareBps,
  sharesByOperator,
} from "../operators.js";
import { nextReportableFrame, slotStartTime } from "../oracle/frames.js";
import { readOracleStatus } from "../oracle/status.js";
import { PAUSE_TARGETS, readPauseStatus } from "../pause.js";
import type { Protocol } from "../protocol.js";
import { type AppliedReport, averageApr, formatApr, getPoolStatus, rateAfter, readAppliedReports } from "../status.js";
import { isoTime } from "../time.js";
import { getQueueStatus } from "../withdrawals.js";
import type {
  AmountJson,
  AprJson,
  DashboardSnapshot,
  DurationJson,
  FigureJson,
  OperationJson,
  TimeJson,
  ValidatorStatesJson,
} from "./types.js";

const DAY = 86_400n;
/** The APR windows the page shows besides the last report. */
export const APR_WINDOWS_DAYS = [7, 30] as const;
/** Finalizations the page lists. */
export const RECENT_FINALIZATIONS = 5;
/** Proposal states still in play: neither decided against nor done. */
const OPEN_PROPOSAL_STATES = new Set(["Pending", "Active", "Succeeded", "Queued"]);

/** What a snapshot is read from. `protocol`'s contracts must be connected to `provider`. */
export interface DashboardSources {
  protocol: Protocol;
  provider: Provider;
  beacon: BeaconClient;
  networkName: string;
  /** The block the governance contracts were deployed in: role and proposal scans start there (default 0). */
  governanceFromBlock?: number;
}

/** Decimals of an amount's `short` text; the share rate keeps more, its changes are small. */
export const SHORT_DECIMALS = 4;
export const RATE_DECIMALS = 8;

export const ether = (wei: bigint, decimals = SHORT_DECIMALS): AmountJson => ({
  value: wei.toString(),
  text: formatEth(wei),
  short: formatEth(wei, decimals),
});
export const plEther = (shares: bigint, decimals = SHORT_DECIMALS): AmountJson => ({
  value: shares.toString(),
  text: formatPlEth(shares),
  short: formatPlEth(shares, decimals),
});
export const duration = (seconds: bigint): DurationJson => ({
  seconds: seconds.toString(),
  text: formatDuration(seconds),
});
export const time = (unix: bigint): TimeJson => ({ unix: Number(unix), text: isoTime(unix) });

/** An APR figure over `reports` (time-weighted, `averageApr`), or "n/a" when none of them gives a rate. */
export function aprOver(reports: readonly AppliedReport[]): AprJson {
  const apr = reports.length === 0 ? undefined : averageApr(reports, reports.length);
  return {
    value: apr === undefined ? null : apr.toString(),
    text: apr === undefined ? "n/a" : formatApr(apr),
    reports: reports.length,
    period: duration(reports.reduce((sum, report) => sum + report.timeElapsed, 0n)),
  };
}

/** The explanations the page gives under each decentralization figure. */
export const EXPLANATIONS = {
  nakamotoCoefficient:
    "The fewest operators who together run more than a third of the active validators: how many must collude to " +
    "stall finality. Higher is better.",
  herfindahlHirschmanIndex:
    "The sum of the operators' squared percentage shares, 0 to 10,000: one operator scores 10,000, n equal " +
    "operators 10,000 / n. Lower is better.",
  largestShare: (cap: string) =>
    `The largest operator's share of the active validators; the registry refuses deposits that would take an ` +
    `operator above ${cap}.`,
} as const;

/**
 * The pool's validators by state on the beacon chain's head: each deposited key (the registry's) looked up by pubkey.
 * A slashed validator counts as slashed whatever its exit progress; the others by the status the node gives.
 */
export function countValidatorStates(
  deposited: readonly string[],
  found: ReadonlyMap<string, Pick<ValidatorInfo, "status" | "slashed">>,
): Omit<ValidatorStatesJson, "headSlot" | "beaconUrl"> {
  const counts = { deposited: deposited.length, unseen: 0, pending: 0, active: 0, exiting: 0, exited: 0, slashed: 0 };
  for (const pubkey of deposited) {
    const validator = found.get(pubkey.toLowerCase());
    if (validator === undefined) counts.unseen++;
    else if (validator.slashed) counts.slashed++;
    else if (validator.status.startsWith("pending")) counts.pending++;
    else if (validator.status === "active_ongoing") counts.active++;
    else if (validator.status === "active_exiting") counts.exiting++;
    else counts.exited++;
  }
  return counts;
}

/**
 * Reads every figure of the dashboard at one block (the latest, or `blockTag`) and the beacon node's head: a report
 * landing while it reads cannot mix one block's totals with another's history.
 */
export async function readDashboardSnapshot(sources: DashboardSources, blockTag?: number): Promise<DashboardSnapshot> {
  const { protocol, provider, beacon } = sources;
  const { pool, operatorRegistry: registry, withdrawalQueue: queue } = protocol;
  const fromBlock = protocol.addresses.deployedAtBlock;
  const block = await readBlock(provider, blockTag);
  const at = block.number;
  const now = BigInt(block.timestamp);

  // Read once: the pool's status, the rate history and the APR windows all come from these.
  const reports = await readAppliedReports(pool, fromBlock, at);
  const [status, oracle, operators, shareCapBps, queueStatus, pause, network] = await Promise.all([
    getPoolStatus(pool, provider, undefined, { fromBlock, blockTag: at, reports }),
    readOracleStatus(protocol.accountingOracle, at),
    listOperators(registry, at),
    registry.shareCapBps({ blockTag: at }),
    getQueueStatus(protocol, provider, at),
    readPauseStatus(protocol.emergencyPause, at),
    provider.getNetwork(),
  ]);
  const governance = await readGovernanceStatus(protocol, pause, sources.governanceFromBlock ?? 0, at);
  const { frame } = oracle;
  const slotTime = (slot: bigint) => slotStartTime(frame, slot);

  // Operators: exits owed (the registry's exit state), fees received so far (claims plus what is still claimable).
  const [exitStates, claims, batches, head] = await Promise.all([
    Promise.all(operators.map((op) => registry.getExitState(op.id, { blockTag: at }))),
    queryInChunks((from, to) => registry.queryFilter(registry.filters.FeesClaimed(), from, to), fromBlock, at),
    readCommittedBatches(registry, at, fromBlock),
    beacon.header("head"),
  ]);
  const claimed = sharesByOperator(claims);
  const earned = operators.map((op) => (claimed.get(op.id) ?? 0n) + op.claimableFees);
  const earnedValues = await Promise.all(earned.map((shares) => pool.convertToAssets(shares, { blockTag: at })));
  const concentration = operatorConcentration(operators);
  const activeTotal = operators.reduce((sum, op) => sum + op.activeValidators, 0n);

  // Validators: the registry's deposited keys, looked up on the beacon node's head.
  const deposited = committedKeys(batches)
    .filter((key) => BigInt(key.index) < operators[key.operatorId]!.depositedKeys)
    .map((key) => key.pubkey.toLowerCase());
  const found = await validatorsByPubkey(beacon, deposited);

  // Withdrawal queue: the latest finalizations.
  const finalized = await queryInChunks(
    (from, to) => queue.queryFilter(queue.filters.WithdrawalsFinalized(), from, to),
    fromBlock,
    at,
  );
  const recent = finalized.slice(-RECENT_FINALIZATIONS).reverse();
  const finalizedBlocks = await Promise.all(recent.map((event) => readBlock(provider, event.blockNumber)));

  const operations: OperationJson[] = [
    ...governance.operations.map((batch) => ({ batch, timelock: "governance" as const })),
    ...governance.routine.map((batch) => ({ batch, timelock: "operations" as const })),
  ]
    .filter(({ batch }) => batch.state === "waiting" || batch.state === "ready")
    .map(({ batch, timelock }) => ({
      id: batch.id,
      timelock,
      calls: batch.calls.map((call) => describeCall(protocol, call)).join("; "),
      state: batch.state,
      readyAt: batch.readyAt === 0n ? null : time(batch.readyAt),
    }));

  const last = status.lastReport;
  const next = nextReportableFrame(frame);
  const figure = (value: number, text: string, explanation: string): FigureJson => ({ value, text, explanation });
  const capText = formatBps(shareCapBps);

  return {
    network: sources.networkName,
    chainId: network.chainId.toString(),
    blockNumber: at,
    blockTime: time(now),
    pool: {
      address: status.pool,
      totalPooledEther: ether(status.totalPooledEther),
      plEthSupply: plEther(status.totalShares),
      shareRate: ether(status.shareRate, RATE_DECIMALS),
      bufferedEther: ether(status.bufferedEther),
      beaconBalance: ether(status.beaconBalance),
      depositedValidators: Number(status.depositedValidators),
      beaconValidators: Number(status.beaconValidators),
      reportsApplied: status.reports,
      apr: {
        lastReport: aprOver(reports.slice(-1)),
        days7: aprOver(reports.filter((report) => slotTime(report.refSlot) > now - 7n * DAY)),
        days30: aprOver(reports.filter((report) => slotTime(report.refSlot) > now - 30n * DAY)),
      },
      rateHistory: reports.map((report) => ({
        refSlot: report.refSlot.toString(),
        time: time(slotTime(report.refSlot)),
        rate: ether(rateAfter(report)),
        apr: aprOver([report]),
        blockNumber: report.blockNumber,
      })),
    },
    validators: {
      ...countValidatorStates(deposited, found),
      headSlot: (head?.slot ?? 0n).toString(),
      beaconUrl: beacon.url,
    },
    operators: {
      list: operators.map((op, i) => {
        const share = shareBps(op.activeValidators, activeTotal);
        return {
          id: op.id,
          name: op.name,
          active: op.active,
          cluster: op.clusterThreshold > 0 ? `${op.clusterThreshold}-of-${op.clusterMembers.length} cluster` : null,
          keysSubmitted: Number(op.totalKeys),
          keysVetted: Number(op.vettedKeys),
          keysDeposited: Number(op.depositedKeys),
          activeValidators: Number(op.activeValidators),
          shareBps: Number(share),
          shareText: formatBps(share),
          exitRequestsPending: Number(owedExits(exitStates[i]!)),
          penalized: exitStates[i]!.penalized,
          feesClaimable: plEther(op.claimableFees),
          feesEarned: plEther(earned[i]!),
          feesEarnedValue: ether(earnedValues[i]!),
        };
      }),
      shareCapBps: Number(shareCapBps),
      shareCapText: capText,
      nakamotoCoefficient: figure(
        concentration.nakamotoCoefficient,
        concentration.nakamotoCoefficient.toString(),
        EXPLANATIONS.nakamotoCoefficient,
      ),
      herfindahlHirschmanIndex: figure(
        concentration.herfindahlHirschmanIndex,
        concentration.herfindahlHirschmanIndex.toFixed(2),
        EXPLANATIONS.herfindahlHirschmanIndex,
      ),
      largestShare: figure(
        concentration.maxShareBps,
        formatBps(BigInt(concentration.maxShareBps)),
        EXPLANATIONS.largestShare(capText),
      ),
      operatorsWithValidators: concentration.operators,
    },
    queue: {
      lastRequestId: queueStatus.lastRequestId.toString(),
      lastFinalizedId: queueStatus.lastFinalizedId.toString(),
      pendingRequests: queueStatus.pendingRequests.toString(),
      unfinalizedDemand: ether(queueStatus.unfinalizedEther),
      unfinalizedPlEth: plEther(queueStatus.unfinalizedShares),
      lockedEther: ether(queueStatus.lockedEther),
      shortfall: ether(queueStatus.shortfall),
      bunkerMode: queueStatus.bunkerMode,
      expectedWait: duration(queueStatus.expectedWait),
      expectedWaitExplanation: queueStatus.expectedWaitExplanation,
      recentFinalizations: recent.map((event, i) => ({
        fromId: event.args.fromId.toString(),
        toId: event.args.toId.toString(),
        etherLocked: ether(event.args.etherLocked),
        blockNumber: event.blockNumber,
        time: time(BigInt(finalizedBlocks[i]!.timestamp)),
      })),
    },
    governance: {
      mode: governance.setup.mode,
      timelockDelay: duration(governance.setup.timelock.delay),
      operationsDelay: governance.setup.operations === undefined ? null : duration(governance.setup.operations.delay),
      votingDelay: governance.setup.governor === undefined ? null : duration(governance.setup.governor.votingDelay),
      votingPeriod: governance.setup.governor === undefined ? null : duration(governance.setup.governor.votingPeriod),
      pendingProposals: governance.proposals
        .filter((proposal) => OPEN_PROPOSAL_STATES.has(proposal.state))
        .map((proposal) => ({
          id: proposal.id.toString(),
          shortId: proposal.id.toString().slice(0, 10),
          description: (proposal.description ?? "(description not found)").split("\n")[0]!,
          state: proposal.state,
          voteEnd: time(proposal.voteEnd),
          eta: proposal.eta === 0n ? null : time(proposal.eta),
        })),
      queuedOperations: operations,
      pause: {
        guardian: pause.guardian === ZeroAddress ? null : pause.guardian,
        available: pause.guardian !== ZeroAddress && pause.pauseAvailable,
        maxDuration: duration(pause.maxPauseDuration),
        targets: (Object.keys(PAUSE_TARGETS) as (keyof typeof PAUSE_TARGETS)[]).map((name) => {
          const until = pause.pausedUntil[name];
          const paused = until > pause.now;
          return {
            name,
            paused,
            until: paused ? time(until) : null,
            left: paused ? duration(until - pause.now) : null,
          };
        }),
      },
    },
    oracle: {
      address: oracle.oracle,
      members: oracle.members.map((member) => ({
        address: member.address,
        lastVotedRefSlot: member.votedRefSlot.toString(),
      })),
      quorum: Number(oracle.quorum),
      lastReport:
        last === undefined
          ? null
          : {
              refSlot: last.refSlot.toString(),
              slotTime: time(slotTime(last.refSlot)),
              appliedAt: time(last.timestamp),
              blockNumber: last.blockNumber,
            },
      frame: {
        epochsPerFrame: Number(frame.epochsPerFrame),
        length: duration(frame.epochsPerFrame * frame.slotsPerEpoch * frame.secondsPerSlot),
        currentSlot: frame.currentSlot.toString(),
        nextRefSlot: next.refSlot.toString(),
        nextReportable: time(next.reportableTime),
      },
      bounds: {
        maxApr: `${formatBps(oracle.bounds.maxAprBps)} a year`,
        maxLoss: `${formatBps(oracle.bounds.maxLossBps)} of staked ether per report`,
        maxElRewards: `${formatBps(oracle.bounds.maxElRewardsBps)} of pooled ether per report`,
        unseenDepositDeadline: duration(oracle.bounds.unseenDepositDeadline),
      },
    },
  };
}
