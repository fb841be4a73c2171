import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { dataSlice, getAddress } from "ethers";

import type { OperatorRegistry, StakingPool, TimelockController } from "../typechain-types/index.js";
import { resolveSigner } from "./accounts.js";
import { formatBps, formatEth, formatPlEth } from "./amounts.js";
import { advanceOperation, type TimelockOperation, type TimelockOutcome, timelockOperation } from "./governance.js";
import { queryInChunks } from "./logs.js";
import { describeConcentration, type Concentration } from "./decentralization.js";
import { UserInputError } from "./errors.js";
import { batchRoot, keyLeaf } from "./merkle.js";
import { findRevertData, nameCustomError } from "./pool.js";
import { renderGrid, renderTable } from "./table.js";

const PUBKEY_BYTES = 48;
const SIGNATURE_BYTES = 96;

/** An operator as the registry holds it, with its active validators. */
export interface OperatorInfo {
  id: number;
  name: string;
  active: boolean;
  manager: string;
  rewardAddress: string;
  totalKeys: bigint;
  vettedKeys: bigint;
  depositedKeys: bigint;
  exitedKeys: bigint;
  /** Deposited and not exited. */
  activeValidators: bigint;
  /** t of a t-of-n distributed-validator cluster, 0 for a single operator. */
  clusterThreshold: number;
  clusterMembers: string[];
  /** plETH the operator's reward address would receive from `claimFees` now. */
  claimableFees: bigint;
}

/** Every operator of the registry, by id, as of `blockTag` (default: the latest block). */
export async function listOperators(registry: OperatorRegistry, blockTag?: number): Promise<OperatorInfo[]> {
  const overrides = blockTag === undefined ? {} : { blockTag };
  const count = Number(await registry.operatorCount(overrides));
  return Promise.all(
    Array.from({ length: count }, async (_, id) => {
      const [op, claimableFees] = await Promise.all([
        registry.getOperator(id, overrides),
        registry.claimableFees(id, overrides),
      ]);
      return {
        id,
        name: op.name,
        active: op.active,
        manager: op.manager,
        rewardAddress: op.rewardAddress,
        totalKeys: op.totalKeys,
        vettedKeys: op.vettedKeys,
        depositedKeys: op.depositedKeys,
        exitedKeys: op.exitedKeys,
        activeValidators: op.depositedKeys - op.exitedKeys,
        clusterThreshold: Number(op.clusterThreshold),
        clusterMembers: [...op.clusterMembers],
        claimableFees,
      };
    }),
  );
}

/** Parses an operator id argument and checks that the registry has it. */
export async function parseOperatorId(
  registry: OperatorRegistry,
  text: string,
  argument = "--operator",
): Promise<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new UserInputError(`${argument} "${text}" is not an operator id: expected a whole number from 0`);
  }
  const id = Number(trimmed);
  const count = Number(await registry.operatorCount());
  if (id >= count) {
    throw new UserInputError(
      `${argument} ${id} is not an operator: the registry has ${count === 0 ? "none yet" : `ids 0 to ${count - 1}`}`,
    );
  }
  return id;
}

/** One key the registry committed, still valid (not dropped). */
export interface CommittedKey {
  operatorId: number;
  index: number;
  batchIndex: number;
  pubkey: string;
  signature: string;
}

/** A batch as committed, with every key it committed (also those dropped since). */
export interface CommittedBatch {
  operatorId: number;
  batchIndex: number;
  firstIndex: number;
  /** The tree's width. */
  size: number;
  /** One past the last still valid index. */
  end: number;
  root: string;
  pubkeys: string[];
  signatures: string[];
  /** The batch's leaves, for proofs. */
  leaves: string[];
}

function splitBytes(data: string, width: number): string[] {
  const out: string[] = [];
  for (let offset = 0; offset * 2 + 2 < data.length; offset += width) out.push(dataSlice(data, offset, offset + width));
  return out;
}

/**
 * The batches the registry holds now, rebuilt from its `KeysAdded` events (the registry stores only roots). A batch
 * index reused after a drop takes the newest event. Each rebuilt batch is checked against the root on chain.
 * `fromBlock` (the deployment's block) bounds the event scan, which goes in chunks public RPCs accept.
 */
export async function readCommittedBatches(
  registry: OperatorRegistry,
  blockTag?: number,
  fromBlock = 0,
): Promise<CommittedBatch[]> {
  // Events and counts from one block: at "latest", a batch mined between the two reads would have no event.
  const block = blockTag ?? (await registry.runner!.provider!.getBlockNumber());
  const overrides = { blockTag: block };
  const events = await queryInChunks(
    (from, to) => registry.queryFilter(registry.filters.KeysAdded(), from, to),
    fromBlock,
    block,
  );
  const newest = new Map<string, (typeof events)[number]>();
  for (const event of events) newest.set(`${event.args.operatorId}:${event.args.batchIndex}`, event);
  const operators = Number(await registry.operatorCount(overrides));
  const batches: CommittedBatch[] = [];
  for (let operatorId = 0; operatorId < operators; operatorId++) {
    const count = Number(await registry.batchCount(operatorId, overrides));
    for (let batchIndex = 0; batchIndex < count; batchIndex++) {
      const event = newest.get(`${operatorId}:${batchIndex}`);
      const stored = await registry.getBatch(operatorId, batchIndex, overrides);
      if (event === undefined) {
        throw new Error(`no KeysAdded event for batch ${batchIndex} of operator ${operatorId}: the node prunes logs`);
      }
      const pubkeys = splitBytes(event.args.pubkeys, PUBKEY_BYTES);
      const signatures = splitBytes(event.args.signatures, SIGNATURE_BYTES);
      const firstIndex = Number(stored.firstIndex);
      const leaves = pubkeys.map((pubkey, i) =>
        keyLeaf(BigInt(operatorId), BigInt(firstIndex + i), pubkey, signatures[i]!),
      );
      if (batchRoot(leaves) !== stored.root) {
        throw new Error(`batch ${batchIndex} of operator ${operatorId} rebuilt from its event does not match its root`);
      }
      batches.push({
        operatorId,
        batchIndex,
        firstIndex,
        size: Number(stored.size),
        end: Number(stored.end),
        root: stored.root,
        pubkeys,
        signatures,
        leaves,
      });
    }
  }
  return batches;
}

/** The valid keys of the batches, in operator and index order. */
export function committedKeys(batches: readonly CommittedBatch[]): CommittedKey[] {
  const keys: CommittedKey[] = [];
  for (const batch of batches) {
    for (let index = batch.firstIndex; index < batch.end; index++) {
      keys.push({
        operatorId: batch.operatorId,
        index,
        batchIndex: batch.batchIndex,
        pubkey: batch.pubkeys[index - batch.firstIndex]!,
        signature: batch.signatures[index - batch.firstIndex]!,
      });
    }
  }
  return keys;
}

/** Decentralization figures over active validators; a cluster counts as one operator. */
export function operatorConcentration(operators: readonly OperatorInfo[]): Concentration {
  return describeConcentration(operators.map((op) => op.activeValidators));
}

/** `part` of `whole` in basis points, rounded down; 0 when `whole` is 0 (no active validators yet). */
export function shareBps(part: bigint, whole: bigint): bigint {
  return whole === 0n ? 0n : (part * 10_000n) / whole;
}

/**
 * Fee shares per operator id, summed over `events` (FeesClaimed, FeesForfeited: each names an operator and shares).
 */
export function sharesByOperator(
  events: readonly { args: { operatorId: bigint; shares: bigint } }[],
): Map<number, bigint> {
  const sums = new Map<number, bigint>();
  for (const event of events) {
    const id = Number(event.args.operatorId);
    sums.set(id, (sums.get(id) ?? 0n) + event.args.shares);
  }
  return sums;
}

function percent(part: bigint, whole: bigint): string {
  return formatBps(shareBps(part, whole));
}

/** The `operators list` tables: one row per operator, cluster members, and the decentralization figures. */
export function formatOperators(operators: readonly OperatorInfo[], shareCapBps: bigint): string {
  const total = operators.reduce((sum, op) => sum + op.activeValidators, 0n);
  const rows = operators.map((op) => [
    `${op.id} ${op.name}${op.clusterThreshold > 0 ? ` (cluster ${op.clusterThreshold}-of-${op.clusterMembers.length})` : ""}`,
    op.active ? "active" : "inactive",
    op.totalKeys.toString(),
    op.vettedKeys.toString(),
    op.depositedKeys.toString(),
    op.activeValidators.toString(),
    percent(op.activeValidators, total),
    // Six decimals keep the table narrow; `operators claim-fees` shows the exact amount.
    formatPlEth(op.claimableFees, 6),
  ]);
  const sections = [
    renderGrid(
      `Operators (${operators.length})`,
      ["operator", "status", "submitted", "vetted", "deposited", "active", "share", "fees claimable"],
      rows,
    ),
  ];
  const clusters = operators.filter((op) => op.clusterThreshold > 0);
  if (clusters.length > 0) {
    sections.push(
      renderTable(
        "Cluster members",
        clusters.flatMap((op) => [
          [`${op.id} ${op.name}: any ${op.clusterThreshold} of ${op.clusterMembers.length} sign`] as const,
          ...op.clusterMembers.map((member, i) => [`  member ${i + 1}`, getAddress(member)] as const),
        ]),
      ),
    );
  }
  const concentration = operatorConcentration(operators);
  sections.push(
    renderTable("Decentralization", [
      ["active validators", total.toString()],
      ["operators with validators", concentration.operators.toString()],
      ["largest share", percent(BigInt(concentration.maxShareBps), 10_000n)],
      ["share cap", percent(shareCapBps, 10_000n)],
      ["Nakamoto coefficient (> 1/3)", concentration.nakamotoCoefficient.toString()],
      ["Herfindahl-Hirschman index (0-10,000)", concentration.herfindahlHirschmanIndex.toFixed(2)],
    ]),
  );
  return sections.join("\n");
}

/** An operator's fees sent to its reward address. */
export interface FeeClaimReceipt {
  operatorId: number;
  name: string;
  /** Who received the plETH: the operator's reward address, whoever sent the claim. */
  rewardAddress: string;
  /** Who sent the claim. */
  claimedBy: string;
  /** plETH sent, from the `FeesClaimed` event. */
  shares: bigint;
  /** Their ETH value at the pool's rate after the claim's block, rounded down. */
  value: bigint;
  txHash: string;
  blockNumber: number;
}

/**
 * Sends operator `operatorId`'s fees, as plETH, to its reward address: anyone may send the claim, the plETH goes to
 * the reward address only. Checks first that the operator exists and has fees to claim, so a claim that would revert
 * sends nothing.
 *
 * @throws UserInputError naming the operator when there is no such operator or nothing to claim.
 */
export async function claimOperatorFees(
  contracts: { operatorRegistry: OperatorRegistry; pool: StakingPool },
  operatorId: number,
  signer: HardhatEthersSigner,
): Promise<FeeClaimReceipt> {
  const { operatorRegistry: registry, pool } = contracts;
  const count = await registry.operatorCount();
  if (!Number.isSafeInteger(operatorId) || operatorId < 0 || BigInt(operatorId) >= count) {
    throw new UserInputError(
      `operator ${operatorId} does not exist: the registry has ${count === 0n ? "no operator yet" : `ids 0 to ${count - 1n}`}`,
    );
  }
  const [operator, claimable] = await Promise.all([
    registry.getOperator(operatorId),
    registry.claimableFees(operatorId),
  ]);
  if (claimable === 0n) {
    throw new UserInputError(
      `operator ${operatorId} (${operator.name}) has no fees to claim: nothing accrued since its last claim (fees ` +
        `come with reports that bring rewards, shared among the operators' active validators)`,
    );
  }
  let receipt;
  try {
    receipt = await (await registry.connect(signer).claimFees(operatorId)).wait();
  } catch (error) {
    // Someone claimed in between: the registry's own error says so.
    const data = findRevertData(error);
    const named = data === undefined ? undefined : nameCustomError(data, [registry]);
    if (named !== undefined) throw new UserInputError(`the claim would revert: ${named.text}`);
    throw error;
  }
  if (receipt === null) throw new Error("the claim transaction was dropped");
  const registryAddress = await registry.getAddress();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registryAddress.toLowerCase()) continue;
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name !== "FeesClaimed") continue;
    const shares = parsed.args.shares as bigint;
    return {
      operatorId: Number(parsed.args.operatorId as bigint),
      name: operator.name,
      rewardAddress: getAddress(parsed.args.rewardAddress as string),
      claimedBy: signer.address,
      shares,
      value: await pool.convertToAssets(shares, { blockTag: receipt.blockNumber }),
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
    };
  }
  throw new Error(`claim ${receipt.hash} emitted no FeesClaimed event`);
}

/** The `operators claim-fees` table. */
export function formatFeeClaim(receipt: FeeClaimReceipt, networkName: string): string {
  return renderTable(`Claimed the fees of operator ${receipt.operatorId} on ${networkName}`, [
    ["operator", `${receipt.operatorId} ${receipt.name}`],
    ["sent to (reward address)", receipt.rewardAddress],
    ["plETH", formatPlEth(receipt.shares)],
    ["worth now", formatEth(receipt.value)],
    ["claimed by", receipt.claimedBy],
    ["transaction", receipt.txHash],
    ["block", receipt.blockNumber.toString()],
  ]);
}

/** What governance can ask of the registry. */
export type RegistryRequest =
  | { kind: "add"; name: string; manager: string; rewardAddress: string }
  | { kind: "addCluster"; name: string; manager: string; rewardAddress: string; threshold: number; members: string[] }
  | { kind: "vet"; operatorId: number; vettedKeys: bigint }
  | { kind: "setActive"; operatorId: number; active: boolean };

/** The timelock operation that carries out `request`, described in words (the description fixes its salt). */
export async function registryOperation(
  timelock: TimelockController,
  registry: OperatorRegistry,
  request: RegistryRequest,
): Promise<TimelockOperation> {
  const target = await registry.getAddress();
  const iface = registry.interface;
  switch (request.kind) {
    case "add":
      return timelockOperation(
        timelock,
        target,
        iface.encodeFunctionData("addOperator", [request.name, request.manager, request.rewardAddress]),
        `add operator "${request.name}" managed by ${request.manager}`,
      );
    case "addCluster":
      return timelockOperation(
        timelock,
        target,
        iface.encodeFunctionData("addCluster", [
          request.name,
          request.manager,
          request.rewardAddress,
          request.threshold,
          request.members,
        ]),
        `add cluster "${request.name}" (${request.threshold}-of-${request.members.length}) managed by ${request.manager}`,
      );
    case "vet":
      return timelockOperation(
        timelock,
        target,
        iface.encodeFunctionData("setVettedKeys", [request.operatorId, request.vettedKeys]),
        // The operator's vetted count, not the registry nonce, tells requests apart: it changes only when this
        // operator's vetting does, so a request scheduled now is still the same operation when run after the delay.
        `vet ${request.vettedKeys} keys of operator ${request.operatorId} ` +
          `(from ${(await registry.getOperator(request.operatorId)).vettedKeys})`,
      );
    case "setActive":
      return timelockOperation(
        timelock,
        target,
        iface.encodeFunctionData("setOperatorActive", [request.operatorId, request.active]),
        `${request.active ? "activate" : "deactivate"} operator ${request.operatorId} ` +
          `(${(await registry.getOperator(request.operatorId)).depositedKeys} deposited)`,
      );
  }
}

/** Moves governance's `request` one timelock step on (see `advanceOperation`): what tasks, demo and bench all do. */
export async function advanceRegistryRequest(
  timelock: TimelockController,
  registry: OperatorRegistry,
  proposer: HardhatEthersSigner,
  request: RegistryRequest,
  skipDelay?: (seconds: bigint) => Promise<void>,
): Promise<TimelockOutcome> {
  return advanceOperation(timelock, proposer, await registryOperation(timelock, registry, request), skipDelay);
}

/**
 * The governance account: `from` when given, otherwise the first of the network's accounts that may propose to the
 * timelock (the named local account, or a multisig's key on a public network).
 */
export async function resolveProposer(
  ethers: HardhatEthers,
  timelock: TimelockController,
  from: string,
): Promise<HardhatEthersSigner> {
  if (from.trim() !== "") return resolveSigner(ethers, from, "--from");
  const role = await timelock.PROPOSER_ROLE();
  for (const signer of await ethers.getSigners()) {
    if (await timelock.hasRole(role, signer.address)) return signer;
  }
  throw new UserInputError(
    `none of this network's accounts may propose to the timelock ${await timelock.getAddress()}: pass --from with ` +
      `the governance account`,
  );
}

/** Checks a vetted count against the operator's keys before governance is asked to set it. */
export async function checkVettedKeys(registry: OperatorRegistry, operatorId: number, vettedKeys: bigint) {
  const op = await registry.getOperator(operatorId);
  if (vettedKeys === op.vettedKeys) {
    throw new UserInputError(`operator ${operatorId} already has ${vettedKeys} keys vetted: nothing to change`);
  }
  if (vettedKeys < op.depositedKeys || vettedKeys > op.totalKeys) {
    throw new UserInputError(
      `--keys ${vettedKeys} is out of range for operator ${operatorId}: expected from ${op.depositedKeys} ` +
        `(deposited) to ${op.totalKeys} (submitted)`,
    );
  }
}
