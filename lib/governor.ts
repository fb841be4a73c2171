/**
 * Governance's lifecycle: a plan (lib/govActions.ts) becomes a Governor proposal under token governance, or a batch
 * scheduled on the timelock under multisig governance (or on the operations timelock for routine registry work);
 * proposals are voted, queued and executed by id; `gov status` reads every proposal, operation and setting.
 */
import path from "node:path";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id as hashText, getAddress, ZeroAddress, ZeroHash } from "ethers";

import type { PluralGovernor, PluralToken, TimelockController } from "../typechain-types/index.js";
import { requireAccount, resolveSigner } from "./accounts.js";
import { formatDuration } from "./amounts.js";
import { readBlock } from "./blocks.js";
import { deployedAddressesFile, deploymentId, journalBlockOf, type ProtocolAddresses } from "./deployment.js";
import { UserInputError } from "./errors.js";
import { checkOperationsPlan, describeCall, type GovernancePlan } from "./govActions.js";
import {
  batchSalt,
  type GovernanceCall,
  readScheduledBatches,
  type ScheduledBatch,
  scheduleBatch,
  totalValue,
} from "./governance.js";
import { queryInChunks } from "./logs.js";
import { pauseRows, type PauseStatus } from "./pause.js";
import type { Protocol } from "./protocol.js";
import { renderGrid, renderTable, type Row } from "./table.js";
import { isoTime } from "./time.js";

/** Who proposes to the governance timelock: the Governor (token holders vote) or a multisig account. */
export type GovernanceMode = "token" | "multisig";

export function governanceMode(protocol: Protocol): GovernanceMode {
  return protocol.governor === undefined ? "multisig" : "token";
}

/** OpenZeppelin's ProposalState, by index. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** `gov vote --support`: GovernorCountingSimple's vote types. */
export const VOTE_TYPES = { against: 0, for: 1, abstain: 2 } as const;
export type VoteSupport = keyof typeof VOTE_TYPES;

export function parseSupport(text: string, argument = "--support"): VoteSupport {
  const support = text.trim().toLowerCase();
  if (!Object.hasOwn(VOTE_TYPES, support)) {
    throw new UserInputError(`${argument} "${text}" is not a vote: expected for, against or abstain`);
  }
  return support as VoteSupport;
}

/** PLURAL (18 decimals) for people: "600,000 PLURAL", "0.5 PLURAL". */
export function formatPlural(amount: bigint): string {
  const whole = (amount / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (amount % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${whole}${fraction === "" ? "" : `.${fraction}`} PLURAL`;
}

/** A proposal id short enough for tables and messages: its first 10 digits. `gov vote` and friends take it back. */
export function shortProposalId(id: bigint): string {
  const text = id.toString();
  return text.length <= 12 ? text : `${text.slice(0, 10)}…`;
}

/** Votes cast on a proposal. */
export interface VoteTally {
  for: bigint;
  against: bigint;
  abstain: bigint;
}

/** A proposal as the Governor holds it, read at one block. */
export interface ProposalInfo {
  id: bigint;
  proposer: string;
  /** From its ProposalCreated event (the Governor stores only its hash). */
  description: string | undefined;
  calls: GovernanceCall[];
  state: ProposalStateName;
  /** The vote snapshot: voting is open after it, until `voteEnd` included. */
  voteStart: bigint;
  voteEnd: bigint;
  /** When the timelock lets it execute (zero until queued). */
  eta: bigint;
  votes: VoteTally;
  /** Votes needed (for + abstain), at the snapshot (at the latest time while the snapshot is still ahead). */
  quorum: bigint;
  /** The block time it was read at. */
  now: bigint;
}

/** The descriptions of the Governor's proposals, from their ProposalCreated events since `fromBlock`. */
async function readDescriptions(
  governor: PluralGovernor,
  fromBlock: number,
  toBlock?: number,
): Promise<Map<bigint, string>> {
  const provider = governor.runner!.provider!;
  const events = await queryInChunks(
    (from, to) => governor.queryFilter(governor.filters.ProposalCreated(), from, to),
    fromBlock,
    toBlock ?? (await provider.getBlockNumber()),
  );
  return new Map(events.map((event) => [event.args.proposalId, event.args.description]));
}

/** Reads proposal `id` at the latest block (or `options.blockTag`); `descriptions` saves the event scan when reading many. */
export async function readProposal(
  governor: PluralGovernor,
  id: bigint,
  options: { fromBlock?: number; descriptions?: Map<bigint, string>; blockTag?: number } = {},
): Promise<ProposalInfo> {
  const provider = governor.runner!.provider!;
  const block = await readBlock(provider, options.blockTag);
  const at = { blockTag: block.number };
  const now = BigInt(block.timestamp);
  if ((await governor.proposalSnapshot(id, at)) === 0n) {
    throw new UserInputError(`no proposal ${shortProposalId(id)} on the Governor: gov status lists the proposals`);
  }
  const [details, state, voteStart, voteEnd, eta, proposer, votes] = await Promise.all([
    governor.proposalDetails(id, at),
    governor.state(id, at),
    governor.proposalSnapshot(id, at),
    governor.proposalDeadline(id, at),
    governor.proposalEta(id, at),
    governor.proposalProposer(id, at),
    governor.proposalVotes(id, at),
  ]);
  // The quorum is fixed at the snapshot; before it, the supply could still change (it cannot: PLURAL has no mint).
  const quorum = await governor.quorum(voteStart < now ? voteStart : now - 1n, at);
  const descriptions = options.descriptions ?? (await readDescriptions(governor, options.fromBlock ?? 0, block.number));
  return {
    id,
    proposer,
    description: descriptions.get(id),
    // By position: `values` of an ethers Result is Array.prototype.values, not the field.
    calls: details[0].map((target, i) => ({ target, value: details[1][i]!, data: details[2][i]! })),
    state: PROPOSAL_STATES[Number(state)]!,
    voteStart,
    voteEnd,
    eta,
    votes: { against: votes.againstVotes, for: votes.forVotes, abstain: votes.abstainVotes },
    quorum,
    now,
  };
}

/** Every proposal of the Governor at the latest block (or `blockTag`), oldest first. */
export async function readProposals(
  governor: PluralGovernor,
  fromBlock = 0,
  blockTag?: number,
): Promise<ProposalInfo[]> {
  const toBlock = blockTag ?? (await governor.runner!.provider!.getBlockNumber());
  const count = await governor.proposalCount({ blockTag: toBlock });
  const descriptions = await readDescriptions(governor, fromBlock, toBlock);
  const proposals: ProposalInfo[] = [];
  for (let index = 0n; index < count; index++) {
    const [id] = await governor.proposalDetailsAt(index, { blockTag: toBlock });
    proposals.push(await readProposal(governor, id, { descriptions, blockTag: toBlock }));
  }
  return proposals;
}

/**
 * A proposal id from user input: the whole id, or the start of one (at least 4 digits) as `gov status` shows it.
 *
 * @throws UserInputError when it is not a number, matches no proposal, or matches several.
 */
export async function resolveProposalId(
  governor: PluralGovernor,
  text: string,
  argument = "proposalId",
): Promise<bigint> {
  const trimmed = text.trim().replace(/…$/, "");
  if (!/^\d+$/.test(trimmed)) {
    throw new UserInputError(`${argument} "${text}" is not a proposal id: expected its digits (gov status lists them)`);
  }
  if ((await governor.proposalSnapshot(BigInt(trimmed))) !== 0n) return BigInt(trimmed);
  const matches: bigint[] = [];
  if (trimmed.length >= 4) {
    const count = await governor.proposalCount();
    for (let index = 0n; index < count; index++) {
      const [id] = await governor.proposalDetailsAt(index);
      if (id.toString().startsWith(trimmed)) matches.push(id);
    }
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UserInputError(
      `${argument} ${trimmed} is the start of ${matches.length} proposals' ids: type more digits`,
    );
  }
  throw new UserInputError(`no proposal ${trimmed} on the Governor: gov status lists the proposals`);
}

/** "1,000 for, 2,000 against, 0 abstain, quorum 40,000 PLURAL". */
export function describeTally(info: Pick<ProposalInfo, "votes" | "quorum">): string {
  const plain = (amount: bigint) => formatPlural(amount).replace(/ PLURAL$/, "");
  return (
    `${plain(info.votes.for)} for, ${plain(info.votes.against)} against, ${plain(info.votes.abstain)} abstain, ` +
    `quorum ${formatPlural(info.quorum)}`
  );
}

/** Why a defeated proposal lost. */
function defeatReason(info: ProposalInfo): string {
  const reached = info.votes.for + info.votes.abstain >= info.quorum;
  if (!reached) return "the quorum was not reached (for + abstain)";
  return "no more for than against";
}

const ADVANCE_HINT = "; on a local chain, --advance moves the clock there";

/** Why `step` cannot be taken on the proposal now, in words. */
export function proposalStateError(info: ProposalInfo, step: "vote" | "queue" | "execute"): UserInputError {
  const id = shortProposalId(info.id);
  switch (info.state) {
    case "Pending":
      return new UserInputError(
        `proposal ${id} is Pending: voting starts at ${isoTime(info.voteStart + 1n)} and ends at ` +
          `${isoTime(info.voteEnd)}${step === "vote" ? ADVANCE_HINT : ""}`,
      );
    case "Active":
      return new UserInputError(
        `proposal ${id} is Active: voting ends at ${isoTime(info.voteEnd)} (${describeTally(info)})` +
          `${step === "queue" ? ADVANCE_HINT : ""}`,
      );
    case "Defeated":
      return new UserInputError(`proposal ${id} is Defeated: ${describeTally(info)}; ${defeatReason(info)}`);
    case "Succeeded":
      return new UserInputError(
        step === "vote"
          ? `proposal ${id} Succeeded: voting ended at ${isoTime(info.voteEnd)}; queue it: gov queue ${id}`
          : `proposal ${id} Succeeded but is not queued yet: gov queue ${id} first`,
      );
    case "Queued":
      return new UserInputError(
        step === "vote"
          ? `proposal ${id} is queued (voting ended at ${isoTime(info.voteEnd)}), executable from ${isoTime(info.eta)}`
          : step === "queue"
            ? `proposal ${id} is already queued, executable from ${isoTime(info.eta)}: gov execute ${id} then`
            : `proposal ${id} is queued, executable from ${isoTime(info.eta)}${ADVANCE_HINT}`,
      );
    case "Executed":
      return new UserInputError(`proposal ${id} was already executed`);
    case "Canceled":
      return new UserInputError(`proposal ${id} was canceled`);
    case "Expired":
      return new UserInputError(`proposal ${id} expired`);
  }
}

/** A proposal just made. */
export interface ProposalReceipt {
  kind: "proposal";
  id: bigint;
  description: string;
  proposer: string;
  voteStart: bigint;
  voteEnd: bigint;
  txHash: string;
}

/** A batch just scheduled on a timelock. */
export interface ScheduledReceipt {
  kind: "scheduled";
  timelock: "governance" | "operations";
  address: string;
  id: string;
  description: string;
  delay: bigint;
  readyAt: bigint;
  txHash: string;
}

export type Submission = ProposalReceipt | ScheduledReceipt;

/**
 * Refuses a proposer whose votes are below the Governor's proposal threshold, before anything is sent (`gov propose
 * upgrade --deploy` deploys an implementation before it proposes).
 */
export async function requireProposalVotes(
  governor: PluralGovernor,
  token: PluralToken,
  proposer: string,
): Promise<void> {
  const [threshold, votes] = await Promise.all([governor.proposalThreshold(), token.getVotes(proposer)]);
  if (votes < threshold) {
    const [balance, delegate] = await Promise.all([token.balanceOf(proposer), token.delegates(proposer)]);
    throw new UserInputError(
      `${proposer} has ${formatPlural(votes)} of votes, below the proposal threshold of ${formatPlural(threshold)} ` +
        `(it holds ${formatPlural(balance)}, ${delegate === ZeroAddress ? "delegated to nobody" : `delegated to ${delegate}`}): ` +
        `delegate votes to it first (gov delegate), or propose --from an account that has them`,
    );
  }
}

/**
 * Proposes `calls` on the Governor from `signer`, checked first: the signer's votes reach the proposal threshold, and
 * no proposal has the same calls and description.
 */
export async function proposeOnGovernor(
  governor: PluralGovernor,
  token: PluralToken,
  signer: HardhatEthersSigner,
  calls: readonly GovernanceCall[],
  description: string,
): Promise<ProposalReceipt> {
  await requireProposalVotes(governor, token, signer.address);
  const targets = calls.map((call) => call.target);
  const values = calls.map((call) => call.value);
  const payloads = calls.map((call) => call.data);
  const id = await governor.getProposalId(targets, values, payloads, hashText(description));
  if ((await governor.proposalSnapshot(id)) !== 0n) {
    const state = PROPOSAL_STATES[Number(await governor.state(id))]!;
    throw new UserInputError(
      `a proposal with these calls and the description "${description}" exists already: ${shortProposalId(id)}, ` +
        `${state}; pass another --description to propose them again`,
    );
  }
  const receipt = (await (await governor.connect(signer).propose(targets, values, payloads, description)).wait())!;
  const [voteStart, voteEnd] = await Promise.all([governor.proposalSnapshot(id), governor.proposalDeadline(id)]);
  return { kind: "proposal", id, description, proposer: signer.address, voteStart, voteEnd, txHash: receipt.hash };
}

/**
 * The earliest time a plan submitted now could execute: the voting delay and period and the timelock delay under
 * token governance, the timelock's delay otherwise.
 */
export async function earliestExecution(protocol: Protocol, operations: boolean): Promise<bigint> {
  const now = BigInt((await protocol.pool.runner!.provider!.getBlock("latest"))!.timestamp);
  if (operations) {
    if (protocol.operationsTimelock === undefined) return now;
    return now + (await protocol.operationsTimelock.getMinDelay());
  }
  const delay = await protocol.timelock.getMinDelay();
  if (protocol.governor === undefined) return now + delay;
  const [votingDelay, votingPeriod] = await Promise.all([
    protocol.governor.votingDelay(),
    protocol.governor.votingPeriod(),
  ]);
  return now + votingDelay + votingPeriod + 1n + delay;
}

/**
 * Submits a plan: to the operations timelock with `operations`, else as a Governor proposal under token governance,
 * else scheduled on the governance timelock by the multisig `signer`.
 */
export async function submitPlan(
  protocol: Protocol,
  signer: HardhatEthersSigner,
  plan: GovernancePlan,
  options: { description: string; operations: boolean },
): Promise<Submission> {
  const description = options.description;
  if (options.operations) {
    checkOperationsPlan(protocol, plan);
    const timelock = protocol.operationsTimelock!;
    const scheduled = await scheduleBatch(timelock, signer, plan.calls, description, "the operations timelock");
    return {
      kind: "scheduled",
      timelock: "operations",
      address: await timelock.getAddress(),
      description,
      ...scheduled,
    };
  }
  if (protocol.governor !== undefined) {
    return proposeOnGovernor(protocol.governor, protocol.token!, signer, plan.calls, description);
  }
  const scheduled = await scheduleBatch(protocol.timelock, signer, plan.calls, description, "the governance timelock");
  return { kind: "scheduled", timelock: "governance", address: protocol.addresses.timelock, description, ...scheduled };
}

/** The transaction that submits a plan, for a proposer that signs elsewhere (a Safe): `gov propose --dry-run`. */
export interface SubmissionTransaction {
  /** Where it goes: the Governor, the governance timelock or the operations timelock. */
  to: string;
  data: string;
  /** `propose` on the Governor, or `scheduleBatch` on a timelock. */
  method: "propose" | "scheduleBatch";
}

/** Encodes the transaction `submitPlan` would send, without sending it. */
export async function submissionTransaction(
  protocol: Protocol,
  plan: GovernancePlan,
  options: { description: string; operations: boolean },
): Promise<SubmissionTransaction> {
  const targets = plan.calls.map((call) => call.target);
  const values = plan.calls.map((call) => call.value);
  const payloads = plan.calls.map((call) => call.data);
  if (options.operations) checkOperationsPlan(protocol, plan);
  if (!options.operations && protocol.governor !== undefined) {
    return {
      to: await protocol.governor.getAddress(),
      method: "propose",
      data: protocol.governor.interface.encodeFunctionData("propose", [targets, values, payloads, options.description]),
    };
  }
  const timelock = options.operations ? protocol.operationsTimelock! : protocol.timelock;
  return {
    to: await timelock.getAddress(),
    method: "scheduleBatch",
    data: timelock.interface.encodeFunctionData("scheduleBatch", [
      targets,
      values,
      payloads,
      ZeroHash,
      batchSalt(options.description),
      await timelock.getMinDelay(),
    ]),
  };
}

/** What `gov propose --dry-run` prints: the plan and the transaction to send. */
export function formatDryRun(
  protocol: Protocol,
  plan: GovernancePlan,
  description: string,
  transaction: SubmissionTransaction,
): string {
  return renderTable(`Not sent (--dry-run): ${transaction.method} on ${transaction.to}`, [
    ["description", description],
    ...plan.details,
    ...plan.calls.map((call, i): Row => [`call ${i + 1}`, describeCall(protocol, call)]),
    ["to", transaction.to],
    ["data", transaction.data],
  ]);
}

/** What `gov propose` prints after submitting. */
export function formatSubmission(protocol: Protocol, plan: GovernancePlan, submission: Submission): string {
  const rows: Row[] = [["description", submission.description], ...plan.details];
  rows.push(...plan.calls.map((call, i): Row => [`call ${i + 1}`, describeCall(protocol, call)]));
  if (submission.kind === "proposal") {
    const id = submission.id.toString();
    return [
      renderTable(`Proposal ${shortProposalId(submission.id)} made on the Governor`, [
        ["proposal id", id],
        ["proposer", submission.proposer],
        ...rows,
        ["voting starts", isoTime(submission.voteStart + 1n)],
        ["voting ends", isoTime(submission.voteEnd)],
        ["transaction", submission.txHash],
      ]),
      `Next: gov vote ${shortProposalId(submission.id).replace("…", "")} --support for, once voting starts`,
    ].join("\n");
  }
  return [
    renderTable(`Scheduled on the ${submission.timelock} timelock ${submission.address}`, [
      ["operation id", submission.id],
      ...rows,
      ["delay", formatDuration(submission.delay)],
      ["executable from", isoTime(submission.readyAt)],
      ["transaction", submission.txHash],
    ]),
    `Next: gov execute ${submission.id}, from ${isoTime(submission.readyAt)}`,
  ].join("\n");
}

/** A vote cast. */
export interface VoteReceipt {
  proposal: ProposalInfo;
  voter: string;
  support: VoteSupport;
  weight: bigint;
  txHash: string;
}

/**
 * Casts `signer`'s vote on proposal `id`. With `advance` (local chains) a pending proposal's vote is opened first.
 *
 * @throws UserInputError when voting is not open (saying when it opens or how it ended), the voter already voted, or
 * had no votes at the snapshot.
 */
export async function castVote(
  governor: PluralGovernor,
  token: PluralToken,
  signer: HardhatEthersSigner,
  id: bigint,
  support: VoteSupport,
  options: { reason?: string; advance?: (timestamp: bigint) => Promise<void>; fromBlock?: number } = {},
): Promise<VoteReceipt> {
  let info = await readProposal(governor, id, options);
  if (info.state === "Pending" && options.advance !== undefined) {
    await options.advance(info.voteStart + 1n);
    info = await readProposal(governor, id, options);
  }
  if (info.state !== "Active") throw proposalStateError(info, "vote");
  if (await governor.hasVoted(id, signer.address)) {
    throw new UserInputError(`${signer.address} already voted on proposal ${shortProposalId(id)}`);
  }
  const weight = await token.getPastVotes(signer.address, info.voteStart);
  if (weight === 0n) {
    const [balance, delegate] = await Promise.all([token.balanceOf(signer.address), token.delegates(signer.address)]);
    throw new UserInputError(
      `${signer.address} had no votes at proposal ${shortProposalId(id)}'s snapshot (${isoTime(info.voteStart)}): ` +
        `votes count only when delegated before it (it holds ${formatPlural(balance)}, ` +
        `${delegate === ZeroAddress ? "delegated to nobody" : `delegated to ${delegate}`}; gov delegate)`,
    );
  }
  const reason = options.reason?.trim() ?? "";
  const voting = governor.connect(signer);
  const tx =
    reason === ""
      ? await voting.castVote(id, VOTE_TYPES[support])
      : await voting.castVoteWithReason(id, VOTE_TYPES[support], reason);
  const receipt = (await tx.wait())!;
  return {
    proposal: await readProposal(governor, id, options),
    voter: signer.address,
    support,
    weight,
    txHash: receipt.hash,
  };
}

/**
 * Withdraws proposal `id` while its vote has not started: only its proposer may (OpenZeppelin's Governor rule).
 *
 * @throws UserInputError when the signer is not the proposer, or the proposal is past Pending (saying where it is).
 */
export async function cancelProposal(
  governor: PluralGovernor,
  signer: HardhatEthersSigner,
  id: bigint,
  options: { fromBlock?: number } = {},
): Promise<{ proposal: ProposalInfo; txHash: string }> {
  const info = await readProposal(governor, id, options);
  if (info.proposer !== signer.address) {
    throw new UserInputError(
      `only proposal ${shortProposalId(id)}'s proposer ${info.proposer} may cancel it, not ${signer.address}; ` +
        `once voting starts, nobody may (governance decides by vote)`,
    );
  }
  if (info.state !== "Pending") {
    throw new UserInputError(
      `proposal ${shortProposalId(id)} is ${info.state}: a proposal can be cancelled only before its vote starts ` +
        `(${isoTime(info.voteStart)})`,
    );
  }
  const receipt = (await (await governor.connect(signer)["cancel(uint256)"](id)).wait())!;
  return { proposal: await readProposal(governor, id, options), txHash: receipt.hash };
}

/**
 * Queues a succeeded proposal on the timelock. With `advance` (local chains) a proposal still in its vote is queued
 * once the clock passes the vote's end.
 */
export async function queueProposal(
  governor: PluralGovernor,
  signer: HardhatEthersSigner,
  id: bigint,
  options: { advance?: (timestamp: bigint) => Promise<void>; fromBlock?: number } = {},
): Promise<{ proposal: ProposalInfo; txHash: string }> {
  let info = await readProposal(governor, id, options);
  if ((info.state === "Pending" || info.state === "Active") && options.advance !== undefined) {
    await options.advance(info.voteEnd + 1n);
    info = await readProposal(governor, id, options);
  }
  if (info.state !== "Succeeded") throw proposalStateError(info, "queue");
  const receipt = (await (await governor.connect(signer)["queue(uint256)"](id)).wait())!;
  return { proposal: await readProposal(governor, id, options), txHash: receipt.hash };
}

/**
 * Executes a queued proposal whose timelock delay has passed, sending the ETH its calls carry. With `advance` (local
 * chains) the clock is moved to its time first.
 */
export async function executeProposal(
  governor: PluralGovernor,
  signer: HardhatEthersSigner,
  id: bigint,
  options: { advance?: (timestamp: bigint) => Promise<void>; fromBlock?: number } = {},
): Promise<{ proposal: ProposalInfo; txHash: string }> {
  let info = await readProposal(governor, id, options);
  if (info.state === "Queued" && info.eta > info.now) {
    if (options.advance === undefined) throw proposalStateError(info, "execute");
    await options.advance(info.eta);
    info = await readProposal(governor, id, options);
  }
  if (info.state !== "Queued") throw proposalStateError(info, "execute");
  const receipt = (await (
    await governor.connect(signer)["execute(uint256)"](id, { value: totalValue(info.calls) })
  ).wait())!;
  return { proposal: await readProposal(governor, id, options), txHash: receipt.hash };
}

/** Delegates `signer`'s PLURAL votes to `delegatee` (itself, to vote with them). */
export async function delegateVotes(
  token: PluralToken,
  signer: HardhatEthersSigner,
  delegatee: string,
): Promise<{ delegatee: string; balance: bigint; votes: bigint; txHash: string }> {
  requireAccount(delegatee, "--to");
  const receipt = (await (await token.connect(signer).delegate(delegatee)).wait())!;
  return {
    delegatee,
    balance: await token.balanceOf(signer.address),
    votes: await token.getVotes(delegatee),
    txHash: receipt.hash,
  };
}

/**
 * `--from`, or else the first of this network's accounts that holds `role` on `timelock` (`EXECUTOR_ROLE` open to
 * everyone gives the first account).
 */
async function resolveTimelockSigner(
  ethers: HardhatEthers,
  timelock: TimelockController,
  from: string,
  role: "EXECUTOR_ROLE" | "CANCELLER_ROLE",
): Promise<HardhatEthersSigner> {
  if (from.trim() !== "") return resolveSigner(ethers, from, "--from");
  const id = await timelock[role]();
  if (role === "EXECUTOR_ROLE" && (await timelock.hasRole(id, ZeroAddress))) return resolveSigner(ethers, "", "--from");
  for (const signer of await ethers.getSigners()) {
    if (await timelock.hasRole(id, signer.address)) return signer;
  }
  const what = role === "EXECUTOR_ROLE" ? "execute" : "cancel";
  throw new UserInputError(
    `none of this network's accounts may ${what} on the timelock ${await timelock.getAddress()}: pass --from with ` +
      `an account that may`,
  );
}

/** `--from`, or else the first of this network's accounts that may execute on `timelock`. */
export function resolveExecutor(ethers: HardhatEthers, timelock: TimelockController, from: string) {
  return resolveTimelockSigner(ethers, timelock, from, "EXECUTOR_ROLE");
}

/** `--from`, or else the first of this network's accounts that may cancel on `timelock`. */
export function resolveCanceller(ethers: HardhatEthers, timelock: TimelockController, from: string) {
  return resolveTimelockSigner(ethers, timelock, from, "CANCELLER_ROLE");
}

/** The block the governance contracts were created in, from Ignition's journal (0 when unknown): event scans start there. */
export async function governanceFromBlock(addresses: ProtocolAddresses, chainId: bigint): Promise<number> {
  const journal = path.join(path.dirname(deployedAddressesFile(deploymentId(chainId))), "journal.jsonl");
  return journalBlockOf(journal, `${addresses.module}#GovernanceDeployer`) ?? 0;
}

/** Accounts holding `role` on `timelock` at block `blockTag`: those granted it since `fromBlock` that still hold it. */
async function roleHolders(
  timelock: TimelockController,
  role: string,
  fromBlock: number,
  blockTag: number,
): Promise<string[]> {
  const events = await queryInChunks(
    (from, to) => timelock.queryFilter(timelock.filters.RoleGranted(role), from, to),
    fromBlock,
    blockTag,
  );
  const holders: string[] = [];
  for (const account of new Set(events.map((event) => getAddress(event.args.account)))) {
    if (await timelock.hasRole(role, account, { blockTag })) holders.push(account);
  }
  return holders;
}

/** A timelock's settings. */
export interface TimelockSetup {
  address: string;
  delay: bigint;
  proposers: string[];
  /** Empty with `anyoneExecutes`. */
  executors: string[];
  anyoneExecutes: boolean;
}

/** Governance's settings. */
export interface GovernanceSetup {
  mode: GovernanceMode;
  timelock: TimelockSetup;
  operations?: TimelockSetup;
  governor?: {
    address: string;
    token: string;
    votingDelay: bigint;
    votingPeriod: bigint;
    proposalThreshold: bigint;
    quorumPercent: bigint;
    quorum: bigint;
    totalSupply: bigint;
  };
}

async function readTimelockSetup(
  timelock: TimelockController,
  fromBlock: number,
  blockTag: number,
): Promise<TimelockSetup> {
  const [proposerRole, executorRole] = await Promise.all([timelock.PROPOSER_ROLE(), timelock.EXECUTOR_ROLE()]);
  const anyoneExecutes = await timelock.hasRole(executorRole, ZeroAddress, { blockTag });
  return {
    address: await timelock.getAddress(),
    delay: await timelock.getMinDelay({ blockTag }),
    proposers: await roleHolders(timelock, proposerRole, fromBlock, blockTag),
    executors: anyoneExecutes ? [] : await roleHolders(timelock, executorRole, fromBlock, blockTag),
    anyoneExecutes,
  };
}

/**
 * Reads governance's settings at the latest block (or `blockTag`); `fromBlock` (the governance deployment's block)
 * bounds the role event scans.
 */
export async function readGovernanceSetup(
  protocol: Protocol,
  fromBlock = 0,
  blockTag?: number,
): Promise<GovernanceSetup> {
  const block = await readBlock(protocol.timelock.runner!.provider!, blockTag);
  const setup: GovernanceSetup = {
    mode: governanceMode(protocol),
    timelock: await readTimelockSetup(protocol.timelock, fromBlock, block.number),
  };
  if (protocol.operationsTimelock !== undefined) {
    setup.operations = await readTimelockSetup(protocol.operationsTimelock, fromBlock, block.number);
  }
  const { governor, token } = protocol;
  if (governor !== undefined && token !== undefined) {
    const now = BigInt(block.timestamp);
    const at = { blockTag: block.number };
    const [votingDelay, votingPeriod, proposalThreshold, quorumPercent, quorum, totalSupply] = await Promise.all([
      governor.votingDelay(at),
      governor.votingPeriod(at),
      governor.proposalThreshold(at),
      governor["quorumNumerator()"](at),
      governor.quorum(now - 1n, at),
      token.totalSupply(at),
    ]);
    setup.governor = {
      address: await governor.getAddress(),
      token: await token.getAddress(),
      votingDelay,
      votingPeriod,
      proposalThreshold,
      quorumPercent,
      quorum,
      totalSupply,
    };
  }
  return setup;
}

/** Everything `gov status` shows. */
export interface GovernanceStatus {
  setup: GovernanceSetup;
  pause: PauseStatus;
  proposals: ProposalInfo[];
  /** Batches scheduled directly on the governance timelock (multisig governance). */
  operations: ScheduledBatch[];
  /** Batches on the operations timelock. */
  routine: ScheduledBatch[];
}

/** Reads governance's whole state for `gov status`, at the latest block or at `blockTag`. */
export async function readGovernanceStatus(
  protocol: Protocol,
  pause: PauseStatus,
  fromBlock = 0,
  blockTag?: number,
): Promise<GovernanceStatus> {
  const at = blockTag ?? (await protocol.timelock.runner!.provider!.getBlockNumber());
  return {
    setup: await readGovernanceSetup(protocol, fromBlock, at),
    pause,
    proposals: protocol.governor === undefined ? [] : await readProposals(protocol.governor, fromBlock, at),
    operations: protocol.governor === undefined ? await readScheduledBatches(protocol.timelock, fromBlock, at) : [],
    routine:
      protocol.operationsTimelock === undefined
        ? []
        : await readScheduledBatches(protocol.operationsTimelock, fromBlock, at),
  };
}

function setupRows(setup: GovernanceSetup): Row[] {
  const rows: Row[] = [
    [
      "mode",
      setup.mode === "token"
        ? "token: PLURAL holders vote on the Governor"
        : `multisig: ${setup.timelock.proposers.join(", ") || "?"} proposes`,
    ],
    ["timelock", setup.timelock.address],
    ["timelock delay", formatDuration(setup.timelock.delay)],
    ["timelock executors", setup.timelock.anyoneExecutes ? "anyone" : setup.timelock.executors.join(", ")],
  ];
  if (setup.operations !== undefined) {
    rows.push(
      ["operations timelock", setup.operations.address],
      ["operations delay", formatDuration(setup.operations.delay)],
      ["operations proposer", setup.operations.proposers.join(", ") || "none"],
    );
  } else {
    rows.push(["operations timelock", "none"]);
  }
  if (setup.governor !== undefined) {
    const g = setup.governor;
    rows.push(
      ["Governor", g.address],
      ["PLURAL token", g.token],
      ["voting delay", formatDuration(g.votingDelay)],
      ["voting period", formatDuration(g.votingPeriod)],
      ["proposal threshold", formatPlural(g.proposalThreshold)],
      ["quorum", `${g.quorumPercent} % of ${formatPlural(g.totalSupply)} = ${formatPlural(g.quorum)}`],
    );
  }
  return rows;
}

function proposalRow(info: ProposalInfo): string[] {
  const description = (info.description ?? "(description not found)").split("\n")[0]!;
  return [
    shortProposalId(info.id),
    description.length > 48 ? `${description.slice(0, 47)}…` : description,
    info.state,
    formatPlural(info.votes.for),
    formatPlural(info.votes.against),
    formatPlural(info.votes.abstain),
    formatPlural(info.quorum),
    isoTime(info.voteEnd),
    info.eta === 0n ? "-" : isoTime(info.eta),
  ];
}

function operationRows(protocol: Protocol, batches: readonly ScheduledBatch[]): string[][] {
  return batches.map((batch) => [
    `${batch.id.slice(0, 10)}…`,
    batch.calls.map((call) => describeCall(protocol, call)).join("; "),
    batch.state,
    batch.readyAt === 0n ? "-" : isoTime(batch.readyAt),
  ]);
}

/** The `gov status` tables. */
export function formatGovernanceStatus(protocol: Protocol, status: GovernanceStatus, networkName: string): string {
  const sections = [
    renderTable(`Governance on ${networkName}`, setupRows(status.setup)),
    renderTable(`Emergency pause ${status.pause.address}`, pauseRows(status.pause)),
  ];
  if (status.setup.mode === "token") {
    sections.push(
      status.proposals.length === 0
        ? "No proposals yet: gov propose <action> makes one"
        : renderGrid(
            `Proposals (${status.proposals.length})`,
            ["id", "description", "state", "for", "against", "abstain", "quorum", "vote end", "eta"],
            status.proposals.map(proposalRow),
          ),
    );
  } else {
    sections.push(
      status.operations.length === 0
        ? "No operations on the governance timelock yet: gov propose <action> schedules one"
        : renderGrid(
            `Governance timelock operations (${status.operations.length})`,
            ["id", "calls", "state", "executable from"],
            operationRows(protocol, status.operations),
          ),
    );
  }
  if (status.setup.operations !== undefined) {
    sections.push(
      status.routine.length === 0
        ? "No operations on the operations timelock yet"
        : renderGrid(
            `Operations timelock operations (${status.routine.length})`,
            ["id", "calls", "state", "executable from"],
            operationRows(protocol, status.routine),
          ),
    );
  }
  return sections.join("\n");
}

/** One proposal in full: `gov status --proposal`, and what vote, queue and execute print. */
export function formatProposal(protocol: Protocol, info: ProposalInfo, title?: string): string {
  return renderTable(title ?? `Proposal ${shortProposalId(info.id)}`, [
    ["proposal id", info.id.toString()],
    ["description", info.description ?? "(not found)"],
    ["proposer", info.proposer],
    ["state", info.state],
    ["for", formatPlural(info.votes.for)],
    ["against", formatPlural(info.votes.against)],
    ["abstain", formatPlural(info.votes.abstain)],
    ["quorum (for + abstain)", formatPlural(info.quorum)],
    ["voting starts", isoTime(info.voteStart + 1n)],
    ["voting ends", isoTime(info.voteEnd)],
    ["executable from", info.eta === 0n ? "not queued" : isoTime(info.eta)],
    ...info.calls.map((call, i): Row => [`call ${i + 1}`, describeCall(protocol, call)]),
  ]);
}

/** One timelock operation in full. */
export function formatOperation(protocol: Protocol, batch: ScheduledBatch, title: string): string {
  return renderTable(title, [
    ["operation id", batch.id],
    ["state", batch.state],
    ["delay", formatDuration(batch.delay)],
    ["executable from", batch.readyAt === 0n ? "-" : isoTime(batch.readyAt)],
    ["scheduled in block", batch.scheduledBlock.toString()],
    ...batch.calls.map((call, i): Row => [`call ${i + 1}`, describeCall(protocol, call)]),
  ]);
}
