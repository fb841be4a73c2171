import type { Provider } from "ethers";

import type { BeaconBlockInfo, BeaconClient, ValidatorInfo } from "../beacon/client.js";
import { UserInputError } from "../errors.js";
import { committedKeys, listOperators, readCommittedBatches } from "../operators.js";
import type { Protocol } from "../protocol.js";
import type { WithdrawalQueue } from "../../typechain-types/index.js";
import { type ExitData, type ExitPlan, type OperatorExitInput, paginateExitData, planExits } from "./exits.js";
import type { FrameState, OracleReport } from "./frames.js";
import { reportHash, slotStartTime } from "./frames.js";

const WEI_PER_GWEI = 10n ** 9n;

/**
 * Empty slots a report looks back through on the Beacon API before it finds the reference slot's block on the
 * execution chain instead. Real chains rarely miss more than a few slots in a row; a local chain whose clock jumps
 * skips thousands.
 */
export const BEACON_BLOCK_LOOKBACK = 32;

/** The beacon node has not finalized the reference slot yet: the report must wait. */
export class RefSlotNotFinalizedError extends Error {
  override name = "RefSlotNotFinalizedError";
  constructor(
    readonly refSlot: bigint,
    readonly finalizedEpoch: bigint,
  ) {
    super(`the beacon node has finalized up to epoch ${finalizedEpoch}: reference slot ${refSlot} is not final yet`);
  }
}

/** The beacon node and the execution node (or the oracle's clock) describe different chains. */
export class ChainMismatchError extends UserInputError {
  override name = "ChainMismatchError";
}

/** What the oracle's clock must share with the beacon node: its genesis time and slot length. */
export type OracleClock = Pick<FrameState, "genesisTime" | "secondsPerSlot" | "slotsPerEpoch">;

/**
 * Checks that the beacon node runs on the oracle's clock: same genesis time, seconds per slot and slots per epoch.
 *
 * @throws ChainMismatchError naming the value that differs.
 */
export async function checkBeaconClock(beacon: BeaconClient, clock: OracleClock): Promise<void> {
  const [genesis, spec] = await Promise.all([beacon.genesis(), beacon.spec()]);
  const differences: string[] = [];
  if (genesis.genesisTime !== clock.genesisTime) {
    differences.push(`genesis time ${genesis.genesisTime} (the oracle's is ${clock.genesisTime})`);
  }
  if (spec.SECONDS_PER_SLOT !== clock.secondsPerSlot.toString()) {
    differences.push(`SECONDS_PER_SLOT ${spec.SECONDS_PER_SLOT} (the oracle's is ${clock.secondsPerSlot})`);
  }
  if (spec.SLOTS_PER_EPOCH !== clock.slotsPerEpoch.toString()) {
    differences.push(`SLOTS_PER_EPOCH ${spec.SLOTS_PER_EPOCH} (the oracle's is ${clock.slotsPerEpoch})`);
  }
  if (differences.length > 0) {
    throw new ChainMismatchError(
      `the beacon node at ${beacon.url} is not on the oracle's clock: ${differences.join(", ")}; point --beacon-url ` +
        `at a node of the chain the oracle is deployed for (a local simulator takes --genesis-time)`,
    );
  }
}

/** The execution block a reference slot's report is read at: the payload of the slot's block, or of the last one before. */
export interface ReferenceBlock {
  /** The slot whose beacon block carries the payload (the reference slot, unless it was empty). */
  slot: bigint;
  executionBlockNumber: number;
  executionBlockHash: string;
}

function fromBeaconBlock(block: BeaconBlockInfo): ReferenceBlock {
  return {
    slot: block.slot,
    executionBlockNumber: block.executionBlockNumber,
    executionBlockHash: block.executionBlockHash.toLowerCase(),
  };
}

/**
 * The latest execution block whose timestamp is before `endTime`, by binary search over block numbers (block
 * timestamps increase with numbers).
 */
async function latestBlockBefore(provider: Provider, endTime: bigint): Promise<{ number: number; timestamp: bigint }> {
  const head = await provider.getBlock("latest");
  if (head === null) throw new Error("the execution node returned no latest block");
  const timestampOf = async (number: number) => {
    const block = await provider.getBlock(number);
    if (block === null) throw new Error(`the execution node has no block ${number}`);
    return BigInt(block.timestamp);
  };
  if (BigInt(head.timestamp) < endTime) return { number: head.number, timestamp: BigInt(head.timestamp) };
  let low = 0;
  let high = head.number; // invariant: block `high` is at or after endTime
  if ((await timestampOf(0)) >= endTime) throw new Error(`the execution chain has no block before time ${endTime}`);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if ((await timestampOf(middle)) < endTime) low = middle;
    else high = middle;
  }
  return { number: low, timestamp: await timestampOf(low) };
}

/**
 * The block a report for `refSlot` reads: the beacon block of `refSlot` or, for empty slots, of the latest slot
 * before it. Looks back `BEACON_BLOCK_LOOKBACK` slots on the Beacon API; past that (a local chain whose clock jumped),
 * finds the last execution block before the end of `refSlot` and checks the beacon node has it in its slot.
 *
 * @throws ChainMismatchError when the beacon node's block at that slot carries another execution block.
 */
export async function findReferenceBlock(
  beacon: BeaconClient,
  provider: Provider,
  clock: OracleClock,
  refSlot: bigint,
): Promise<ReferenceBlock> {
  for (let slot = refSlot; slot >= 0n && slot > refSlot - BigInt(BEACON_BLOCK_LOOKBACK); slot--) {
    const block = await beacon.block(slot);
    if (block !== null) return fromBeaconBlock(block);
  }
  const endTime = slotStartTime(clock, refSlot + 1n);
  const candidate = await latestBlockBefore(provider, endTime);
  const slot =
    candidate.timestamp < clock.genesisTime ? -1n : (candidate.timestamp - clock.genesisTime) / clock.secondsPerSlot;
  const block = slot < 0n ? null : await beacon.block(slot);
  if (block === null || block.executionBlockNumber !== candidate.number) {
    throw new ChainMismatchError(
      `the last execution block before reference slot ${refSlot} ends is ${candidate.number} (slot ${slot}), but the ` +
        `beacon node ${block === null ? "has no block in that slot" : `has execution block ${block.executionBlockNumber} there`}: ` +
        `the beacon node does not follow this execution chain`,
    );
  }
  return fromBeaconBlock(block);
}

/** A report and where it came from. */
export interface BuiltReport {
  report: OracleReport;
  hash: string;
  reference: ReferenceBlock;
  /** Keys the pool had deposited at the reference block. */
  depositedKeys: number;
  /** Of those, keys the beacon chain holds with other withdrawal credentials (not the pool's, not counted). */
  foreignCredentials: number;
  /** Of the validators counted, those slashed. */
  slashedValidators: number;
  /** Of those, the ones not yet withdrawable at the reference epoch: their penalties may not all be applied. */
  pendingSlashings: number;
  /** The frame's exit data: what it says and its pages (the report carries the first page's hash). */
  exitPlan: ExitPlan;
  exitData: ExitData;
}

/** The report's counts and balance from the beacon validators of the pool's keys. */
export function summarizeValidators(
  validators: readonly ValidatorInfo[],
  credentials: string,
  refEpoch: bigint,
): {
  beaconValidators: bigint;
  beaconBalance: bigint;
  exitedValidators: bigint;
  foreign: number;
  slashed: number;
  pendingSlashings: number;
} {
  let beaconValidators = 0n;
  let pendingSlashings = 0;
  let balanceGwei = 0n;
  let exitedValidators = 0n;
  let foreign = 0;
  let slashed = 0;
  for (const validator of validators) {
    // A key first deposited elsewhere stakes for someone else: the pool's 32 ETH is not its to count.
    if (validator.withdrawalCredentials.toLowerCase() !== credentials) {
      foreign++;
      continue;
    }
    beaconValidators++;
    balanceGwei += validator.balanceGwei;
    if (validator.exitEpoch <= refEpoch) exitedValidators++;
    if (validator.slashed) {
      slashed++;
      // The correlation penalty lands halfway to withdrawability: until then the loss is not all known.
      if (refEpoch < validator.withdrawableEpoch) pendingSlashings++;
    }
  }
  return {
    beaconValidators,
    beaconBalance: balanceGwei * WEI_PER_GWEI,
    exitedValidators,
    foreign,
    slashed,
    pendingSlashings,
  };
}

/**
 * Builds the report for `refSlot` deterministically: every member who runs it gets the same report, from the beacon
 * state at `refSlot` and the execution chain at the block of `refSlot`. The pool's validators are the keys it
 * deposited as of that block (the registry's deposited counts over its committed keys); each counts when the beacon
 * chain holds it with the pool's withdrawal credentials.
 *
 * @throws RefSlotNotFinalizedError while the beacon node has not finalized `refSlot`.
 * @throws ChainMismatchError when the beacon node is on another clock or chain.
 */
export async function buildReport(
  protocol: Protocol,
  beacon: BeaconClient,
  provider: Provider,
  clock: OracleClock,
  refSlot: bigint,
): Promise<BuiltReport> {
  const { finalized } = await beacon.finalityCheckpoints("head");
  // A finalized checkpoint at epoch E finalizes every slot before E's first slot.
  if (finalized.epoch * clock.slotsPerEpoch <= refSlot) throw new RefSlotNotFinalizedError(refSlot, finalized.epoch);
  const reference = await findReferenceBlock(beacon, provider, clock, refSlot);
  const blockTag = reference.executionBlockNumber;
  const executionBlock = await provider.getBlock(blockTag);
  if (executionBlock === null || executionBlock.hash?.toLowerCase() !== reference.executionBlockHash) {
    throw new ChainMismatchError(
      `the beacon node's block at slot ${reference.slot} carries execution block ${blockTag} ` +
        `${reference.executionBlockHash}, which the execution node does not have: they follow different chains`,
    );
  }

  const registry = protocol.operatorRegistry;
  const refTime = slotStartTime(clock, refSlot);
  const [
    operators,
    batches,
    credentials,
    withdrawalBalance,
    elRewardsBalance,
    lastFinalizableRequestId,
    accounting,
    demand,
    spec,
  ] = await Promise.all([
    listOperators(registry, blockTag),
    readCommittedBatches(registry, blockTag, protocol.addresses.deployedAtBlock),
    protocol.pool.withdrawalCredentials({ blockTag }),
    provider.getBalance(protocol.addresses.withdrawalVault, blockTag),
    provider.getBalance(protocol.addresses.executionRewardsVault, blockTag),
    lastRequestMadeBy(protocol.withdrawalQueue, refTime, blockTag),
    protocol.pool.getAccounting({ blockTag }),
    protocol.withdrawalQueue.unfinalizedEther({ blockTag }),
    beacon.spec(),
  ]);
  // Keys are deposited in index order and only keys not deposited can be dropped: the first `deposited` are kept.
  const depositedOf = new Map(operators.map((operator) => [operator.id, Number(operator.depositedKeys)]));
  const depositedKeys = committedKeys(batches).filter((key) => key.index < depositedOf.get(key.operatorId)!);
  const pubkeys = depositedKeys.map((key) => key.pubkey.toLowerCase());
  const deposited = operators.reduce((sum, operator) => sum + Number(operator.depositedKeys), 0);
  if (pubkeys.length !== deposited) {
    throw new Error(
      `the operators deposited ${deposited} keys but their committed batches hold ${pubkeys.length} of them at ` +
        `block ${blockTag}`,
    );
  }
  const validators = pubkeys.length === 0 ? [] : await beacon.validators(refSlot, pubkeys);
  const refEpoch = refSlot / clock.slotsPerEpoch;
  const summary = summarizeValidators(validators, credentials.toLowerCase(), refEpoch);
  const exitPlan = planExits({
    refEpoch,
    shardCommitteePeriod: shardCommitteePeriodOf(spec),
    demand,
    available: accounting.bufferedEther + withdrawalBalance + elRewardsBalance,
    operators: await exitInputs(protocol, operators, depositedKeys, validators, credentials.toLowerCase(), blockTag),
  });
  const exitData = paginateExitData(exitPlan.updates);
  const report: OracleReport = {
    refSlot,
    beaconValidators: summary.beaconValidators,
    beaconBalance: summary.beaconBalance,
    exitedValidators: summary.exitedValidators,
    withdrawalVaultBalance: withdrawalBalance,
    elRewardsVaultBalance: elRewardsBalance,
    lastFinalizableRequestId,
    bunkerMode: summary.pendingSlashings > 0,
    exitDataHash: exitData.hash,
  };
  return {
    report,
    hash: reportHash(report),
    reference,
    depositedKeys: pubkeys.length,
    foreignCredentials: summary.foreign,
    slashedValidators: summary.slashed,
    pendingSlashings: summary.pendingSlashings,
    exitPlan,
    exitData,
  };
}

function shardCommitteePeriodOf(spec: Record<string, string>): bigint {
  const value = spec.SHARD_COMMITTEE_PERIOD;
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new ChainMismatchError(
      `the beacon node's spec has no SHARD_COMMITTEE_PERIOD (got ${value}): it is not a beacon node of this chain`,
    );
  }
  return BigInt(value);
}

/** Each operator's exit state at `blockTag` and its deposited keys with their validators (pool credentials only). */
async function exitInputs(
  protocol: Protocol,
  operators: readonly { id: number; exitedKeys: bigint }[],
  depositedKeys: readonly { operatorId: number; index: number; pubkey: string }[],
  validators: readonly ValidatorInfo[],
  credentials: string,
  blockTag: number,
): Promise<OperatorExitInput[]> {
  const ours = new Map(
    validators
      .filter((validator) => validator.withdrawalCredentials.toLowerCase() === credentials)
      .map((validator) => [validator.pubkey.toLowerCase(), validator]),
  );
  const keysOf = new Map<number, OperatorExitInput["keys"][number][]>();
  for (const key of depositedKeys) {
    const keys = keysOf.get(key.operatorId) ?? [];
    keys.push({ index: key.index, pubkey: key.pubkey, validator: ours.get(key.pubkey.toLowerCase()) });
    keysOf.set(key.operatorId, keys);
  }
  const states = await Promise.all(
    operators.map((operator) => protocol.operatorRegistry.getExitState(operator.id, { blockTag })),
  );
  return operators.map((operator, i) => ({
    id: operator.id,
    exitedKeys: operator.exitedKeys,
    nextExitIndex: states[i]!.nextExitIndex,
    targetExited: states[i]!.targetExited,
    dueBy: states[i]!.dueBy,
    keys: (keysOf.get(operator.id) ?? []).sort((a, b) => a.index - b.index),
  }));
}

/**
 * The newest withdrawal request made at or before `refTime`, as the queue stood at `blockTag` (0 for none): a binary
 * search over the unfinalized requests' times, since the reference block itself may be later in the slot than
 * `refTime`.
 */
export async function lastRequestMadeBy(
  queue: WithdrawalQueue,
  refTime: bigint,
  blockTag: number | string,
): Promise<bigint> {
  const state = await queue.getQueueState({ blockTag });
  let low = state.lastFinalizedId; // made by refTime: it was finalized by an earlier report
  let high = state.lastRequestId;
  const madeAt = async (id: bigint) => (await queue.getRequestStatus([id], { blockTag }))[0]!.timestamp;
  if (high === low || (await madeAt(high)) <= refTime) return high;
  // Invariant: `low` was made by refTime (or is the last finalized id), `high` was not.
  while (high - low > 1n) {
    const middle = (low + high) / 2n;
    if ((await madeAt(middle)) <= refTime) low = middle;
    else high = middle;
  }
  return low;
}
