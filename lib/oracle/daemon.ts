import type { Provider, Signer } from "ethers";

import { type BeaconClient, isTransientBeaconError } from "../beacon/client.js";
import { formatEth } from "../amounts.js";
import { UserInputError } from "../errors.js";
import { findRevertData, nameCustomError } from "../pool.js";
import type { Protocol } from "../protocol.js";
import { type FrameState, nextReportableFrame, readFrame } from "./frames.js";
import { type BuiltReport, buildReport, checkBeaconClock, RefSlotNotFinalizedError } from "./report.js";
import { sleep } from "../time.js";

/**
 * Gas a vote carries beyond its estimate. The vote that completes the quorum also applies the report (some 175,000
 * gas more: gas-snapshot.json), and members vote at the same time: another member's vote can land between this vote's
 * estimate, of a vote alone, and its execution, which would then run out of gas. Gas left unused is not paid for.
 */
export const APPLY_GAS_RESERVE = 300_000n;

/** How one member's vote for a frame went. */
export type MemberVote =
  | { member: string; outcome: "voted"; transaction: string; gasUsed: bigint }
  | { member: string; outcome: "alreadyVoted"; reportHash: string }
  | { member: string; outcome: "refused"; reason: string };

/** What this process did for one frame, once every member it runs has voted (or the report was applied). */
export interface FrameOutcome {
  refSlot: bigint;
  built: BuiltReport;
  votes: MemberVote[];
  /** The hash a quorum agreed on, or undefined. */
  consensusHash: string | undefined;
  support: bigint;
  quorum: bigint;
  /** Whether the report for `refSlot` has been applied. */
  processed: boolean;
  /** The transaction of an `applyReport` this process sent (the agreed hashes came without the data). */
  appliedBy?: string;
  /** The report's exit data pages: how many there are, how many are in, and what went wrong sending them. */
  exitData: ExitDataProgress;
}

/** Where the frame's exit data stands once its report is applied. */
export interface ExitDataProgress {
  pages: number;
  /** Pages the oracle has applied (by this process or another). */
  submitted: number;
  /** Transactions this process sent. */
  transactions: string[];
  /** Why the rest could not be sent; retried at the next poll. */
  problem?: string;
}

export interface OracleDaemonOptions {
  protocol: Protocol;
  beacon: BeaconClient;
  provider: Provider;
  /** The committee members this process votes for. */
  members: readonly Signer[];
  /** How often to look at the chain while waiting; default 2 s. */
  pollMs?: number;
  /** The longest wait between tries while the beacon node is down or not final yet; default 60 s. */
  maxBackoffMs?: number;
  /** Stops after this many frames are settled; default: until `signal` aborts. */
  frames?: number;
  signal?: AbortSignal;
  /** One line per frame, and a line when something goes wrong or comes back. */
  log?: (line: string) => void;
  onFrame?: (outcome: FrameOutcome) => void;
}

function describeError(error: unknown, protocol: Protocol): string {
  const data = findRevertData(error);
  const named =
    data === undefined
      ? undefined
      : nameCustomError(data, [protocol.accountingOracle, protocol.pool, protocol.operatorRegistry]);
  if (named !== undefined) return named.text;
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** The frame's line: what the report says and how the vote went. */
export function describeFrame(outcome: FrameOutcome, slotsPerEpoch: bigint): string {
  const { report } = outcome.built;
  const votes = outcome.votes
    .map((vote) => {
      const who = vote.member.slice(0, 8);
      if (vote.outcome === "voted") return `${who} voted`;
      if (vote.outcome === "alreadyVoted") return `${who} had voted`;
      return `${who} refused: ${vote.reason}`;
    })
    .join(", ");
  let result: string;
  if (outcome.processed) result = outcome.appliedBy === undefined ? "applied" : "applied (applyReport sent)";
  else if (outcome.consensusHash !== undefined && outcome.consensusHash !== outcome.built.hash) {
    result = `the committee agreed on another report ${short(outcome.consensusHash)}`;
  } else result = `support ${outcome.support}/${outcome.quorum}, waiting for other members`;
  const { exitPlan } = outcome.built;
  const exits =
    outcome.exitData.pages === 0
      ? ""
      : `; exit data: ${exitPlan.updates.length} operator(s), ${exitPlan.requests.length} exit(s) requested for a ` +
        `${formatEth(exitPlan.shortfall)} shortfall, ${outcome.exitData.submitted}/${outcome.exitData.pages} page(s) in`;
  return (
    `frame ref slot ${report.refSlot} (epoch ${report.refSlot / slotsPerEpoch}, execution block ` +
    `${outcome.built.reference.executionBlockNumber}): ${report.beaconValidators}/${outcome.built.depositedKeys} ` +
    `validators seen, ${formatEth(report.beaconBalance)} on the beacon chain, ${report.exitedValidators} exited, ` +
    `vaults ${formatEth(report.withdrawalVaultBalance)} withdrawals + ${formatEth(report.elRewardsVaultBalance)} ` +
    `EL rewards; report ${short(outcome.built.hash)}: ${votes || "applied before this run"}; ${result}${exits}`
  );
}

/** The line for votes the oracle or the pool refused: the same on every retry, so it is logged once. */
export function describeRefusal(outcome: FrameOutcome): string {
  const refusals = outcome.votes
    .filter((vote) => vote.outcome === "refused")
    .map((vote) => `${vote.member} refused: ${vote.reason}`);
  const hint = refusals.some((text) => /LossAboveBound/.test(text))
    ? " (a real loss above the bound is accepted only through governance's allowLoss)"
    : "";
  return (
    `frame ref slot ${outcome.refSlot}: report ${short(outcome.built.hash)} ${refusals.join(", ")}${hint}; ` +
    `trying again every poll`
  );
}

/**
 * Whether a frame needs nothing more from this process: the report was applied with all its exit data, or every member
 * voted and the others must do the rest.
 */
export function isSettled(outcome: FrameOutcome): boolean {
  if (outcome.processed) return outcome.exitData.problem === undefined;
  return outcome.votes.every((vote) => vote.outcome !== "refused");
}

/**
 * One look at the current frame: if its report is due, builds the report (once per frame: `cache` keeps it) and votes
 * for every member of `members` that has not voted yet; applies the report if a quorum agreed on it by hash. Returns
 * undefined when no report is due (not reportable yet, or already applied).
 *
 * @throws RefSlotNotFinalizedError, Beacon API errors and ChainMismatchError from building the report.
 */
export async function reportCurrentFrame(
  protocol: Protocol,
  beacon: BeaconClient,
  provider: Provider,
  members: readonly Signer[],
  frame: FrameState,
  cache: Map<bigint, BuiltReport> = new Map(),
): Promise<FrameOutcome | undefined> {
  const oracle = protocol.accountingOracle;
  if (frame.currentSlot < frame.reportableSlot) return undefined;
  const refSlot = frame.refSlot;
  const buildOnce = async () => {
    let cached = cache.get(refSlot);
    if (cached === undefined) {
      cached = await buildReport(protocol, beacon, provider, frame, refSlot);
      cache.clear();
      cache.set(refSlot, cached);
    }
    return cached;
  };
  if (refSlot <= frame.lastProcessedRefSlot) return finishExitData(protocol, members, refSlot, buildOnce);
  const addresses = await Promise.all(members.map((member) => member.getAddress()));
  const previous = await Promise.all(addresses.map((address) => oracle.getMemberVote(address)));
  const built = await buildOnce();

  const votes: MemberVote[] = [];
  for (const [i, member] of members.entries()) {
    const [votedSlot, votedHash] = previous[i]!;
    if (votedSlot === refSlot) {
      votes.push({ member: addresses[i]!, outcome: "alreadyVoted", reportHash: votedHash });
      continue;
    }
    try {
      const submit = oracle.connect(member).submitReport;
      const gasLimit = (await submit.estimateGas(built.report)) + APPLY_GAS_RESERVE;
      const tx = await submit(built.report, { gasLimit });
      const receipt = await tx.wait();
      votes.push({ member: addresses[i]!, outcome: "voted", transaction: tx.hash, gasUsed: receipt?.gasUsed ?? 0n });
    } catch (error) {
      const reason = describeError(error, protocol);
      // Another process applied the report, or this member's vote landed from an earlier try: nothing is missing.
      if (reason.startsWith("ReportAlreadyProcessed") || reason.startsWith("AlreadyVoted")) {
        votes.push({ member: addresses[i]!, outcome: "alreadyVoted", reportHash: built.hash });
      } else votes.push({ member: addresses[i]!, outcome: "refused", reason });
    }
  }

  const [, consensusHash, support, processedBefore] = await oracle.getConsensusState();
  const agreed = BigInt(consensusHash) === 0n ? undefined : consensusHash.toLowerCase();
  let processed = processedBefore;
  let appliedBy: string | undefined;
  if (!processed && agreed === built.hash) {
    // A quorum voted by hash only: the report's data still has to reach the pool, and anyone may bring it.
    try {
      const tx = await oracle.connect(members[0]!).applyReport(built.report);
      await tx.wait();
      processed = true;
      appliedBy = tx.hash;
    } catch (error) {
      const reason = describeError(error, protocol);
      if (!reason.startsWith("ReportAlreadyProcessed")) {
        votes.push({ member: addresses[0]!, outcome: "refused", reason: `applyReport: ${reason}` });
      } else processed = true;
    }
  }
  const exitData: ExitDataProgress =
    processed && agreed === built.hash
      ? await submitExitData(protocol, members[0]!, built)
      : { pages: built.exitData.pages.length, submitted: 0, transactions: [] };
  return {
    refSlot,
    built,
    votes,
    consensusHash: agreed,
    support,
    quorum: await oracle.quorum(),
    processed,
    ...(appliedBy === undefined ? {} : { appliedBy }),
    exitData,
  };
}

/**
 * The frame's report is applied (by this process earlier, or by others): if its exit data is still due, sends the rest
 * from the same report rebuilt (deterministic), so a restart or a failed send is caught up. Undefined when nothing is
 * due.
 */
async function finishExitData(
  protocol: Protocol,
  members: readonly Signer[],
  refSlot: bigint,
  buildOnce: () => Promise<BuiltReport>,
): Promise<FrameOutcome | undefined> {
  const oracle = protocol.accountingOracle;
  const state = await oracle.getExitDataState();
  if (!state.pending || state.refSlot !== refSlot) return undefined;
  const built = await buildOnce();
  const exitData = await submitExitData(protocol, members[0]!, built);
  const [, consensusHash, support] = await oracle.getConsensusState();
  return {
    refSlot,
    built,
    votes: [],
    consensusHash: BigInt(consensusHash) === 0n ? undefined : consensusHash.toLowerCase(),
    support,
    quorum: await oracle.quorum(),
    processed: true,
    exitData,
  };
}

/**
 * Sends the applied report's exit data pages that the oracle still waits for, in order, from `sender` (anyone may:
 * each page must hash to what the committee agreed). Another process sending the same pages is harmless: the oracle's
 * state says which page is next, and a page that lost the race is skipped.
 */
export async function submitExitData(
  protocol: Protocol,
  sender: Signer,
  built: BuiltReport,
): Promise<ExitDataProgress> {
  const oracle = protocol.accountingOracle;
  const { pages, hashes } = built.exitData;
  const progress: ExitDataProgress = { pages: pages.length, submitted: 0, transactions: [] };
  if (pages.length === 0) return progress;
  for (;;) {
    const state = await oracle.getExitDataState();
    if (state.refSlot !== built.report.refSlot) {
      progress.problem = `the oracle's exit data is for ref slot ${state.refSlot}, not ${built.report.refSlot}`;
      return progress;
    }
    const next = hashes.indexOf(state.nextPageHash.toLowerCase());
    progress.submitted = next === -1 ? Number(state.pagesSubmitted) : next;
    if (!state.pending) {
      if (BigInt(state.nextPageHash) !== 0n) progress.problem = "the frame ended before every exit data page was in";
      else progress.submitted = pages.length;
      return progress;
    }
    if (next === -1) {
      progress.problem = `the oracle waits for exit data page ${short(state.nextPageHash)}, which this report does not have`;
      return progress;
    }
    try {
      const tx = await oracle.connect(sender).submitExitData(pages[next]!);
      await tx.wait();
      progress.transactions.push(tx.hash);
    } catch (error) {
      const reason = describeError(error, protocol);
      // Another process sent this page first: read where the data stands and go on.
      if (!reason.startsWith("ExitDataHashMismatch") && !reason.startsWith("NoExitDataPending")) {
        progress.problem = `exit data page ${next + 1}/${pages.length}: ${reason}`;
        return progress;
      }
    }
  }
}

/**
 * Checks before running that every account is a committee member and the beacon node is on the oracle's clock.
 *
 * @throws UserInputError naming the account that is not a member; ChainMismatchError.
 */
export async function checkOracleSetup(
  protocol: Protocol,
  beacon: BeaconClient,
  members: readonly Signer[],
): Promise<FrameState> {
  const oracle = protocol.accountingOracle;
  for (const member of members) {
    const address = await member.getAddress();
    if (!(await oracle.isMember(address))) {
      const committee = await oracle.getMembers();
      throw new UserInputError(
        `${address} is not a member of the oracle committee (members: ${committee.join(", ") || "none"})`,
      );
    }
  }
  const frame = await readFrame(oracle);
  await checkBeaconClock(beacon, frame);
  return frame;
}

/**
 * Runs oracle members: for each frame, once its reference slot can be final, builds the report from the beacon node
 * and the chain, votes for every member that has not voted yet (a restart reads the votes already on chain and sends
 * nothing twice), and logs one line. Waits with doubling delays while the beacon node is down or not final yet.
 * Returns when `frames` frames are settled or `signal` aborts.
 *
 * @throws UserInputError and ChainMismatchError (wrong setup); other errors are logged and retried.
 */
export async function runOracle(options: OracleDaemonOptions): Promise<FrameOutcome[]> {
  const { protocol, beacon, provider, members, signal } = options;
  const pollMs = options.pollMs ?? 2_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const log = options.log ?? (() => {});
  if (members.length === 0) throw new UserInputError("no oracle member to run: name at least one");

  let frame: FrameState | undefined;
  let backoffMs = pollMs;
  let lastProblem = "";
  const problem = (text: string, retry = true) => {
    if (text !== lastProblem) log(retry ? `${text}; retrying (up to every ${maxBackoffMs / 1000} s)` : text);
    lastProblem = text;
  };
  // Setup waits for the beacon node like anything else, but a wrong member or clock stops the run.
  while (frame === undefined && !signal?.aborted) {
    try {
      frame = await checkOracleSetup(protocol, beacon, members);
    } catch (error) {
      if (!isTransientBeaconError(error)) throw error;
      problem(`beacon node ${beacon.url} unreachable: ${describeError(error, protocol)}`);
      await sleep(backoffMs, signal);
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    }
  }
  if (frame === undefined) return [];
  const addresses = await Promise.all(members.map((member) => member.getAddress()));
  log(
    `oracle ${addresses.join(", ")}: frames of ${frame.epochsPerFrame} epochs, beacon node ${beacon.url}, last ` +
      `report ref slot ${frame.lastProcessedRefSlot}, next ref slot ${nextReportableFrame(frame).refSlot}`,
  );

  const outcomes: FrameOutcome[] = [];
  const settled = new Set<bigint>();
  const cache = new Map<bigint, BuiltReport>();
  backoffMs = pollMs;
  while (!signal?.aborted && (options.frames === undefined || outcomes.length < options.frames)) {
    let wait = pollMs;
    try {
      frame = await readFrame(protocol.accountingOracle);
      if (!settled.has(frame.refSlot)) {
        const outcome = await reportCurrentFrame(protocol, beacon, provider, members, frame, cache);
        if (outcome !== undefined && isSettled(outcome)) {
          settled.add(outcome.refSlot);
          outcomes.push(outcome);
          log(describeFrame(outcome, frame.slotsPerEpoch));
          options.onFrame?.(outcome);
          lastProblem = "";
        } else if (outcome !== undefined) {
          // Refused votes (a report outside the sanity bounds needs governance): say so once, keep trying.
          problem(describeRefusal(outcome), false);
        }
      }
      backoffMs = pollMs;
    } catch (error) {
      if (error instanceof UserInputError) throw error;
      if (error instanceof RefSlotNotFinalizedError) {
        // Finality comes within minutes: keep polling at the usual pace.
        problem(`frame ref slot ${error.refSlot}: waiting for the beacon node to finalize it`, false);
      } else if (isTransientBeaconError(error)) {
        problem(`beacon node ${beacon.url} unreachable: ${describeError(error, protocol)}`);
      } else {
        problem(`frame failed: ${describeError(error, protocol)}`);
      }
      if (!(error instanceof RefSlotNotFinalizedError)) {
        wait = backoffMs;
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      }
    }
    if (options.frames !== undefined && outcomes.length >= options.frames) break;
    await sleep(wait, signal);
  }
  return outcomes;
}
