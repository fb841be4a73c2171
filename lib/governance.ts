import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id as hashText, ZeroAddress, ZeroHash } from "ethers";

import type { TimelockController } from "../typechain-types/index.js";
import { readBlock } from "./blocks.js";
import { UserInputError } from "./errors.js";
import { queryInChunks } from "./logs.js";
import { isoTime } from "./time.js";

/** A call governance makes through the timelock. Its salt comes from its description, so the same request (same
 * target, call data and description) is the same operation: running it twice schedules it, then executes it. */
export interface TimelockOperation {
  target: string;
  data: string;
  description: string;
  salt: string;
  id: string;
}

/** What became of an operation. */
export interface TimelockOutcome {
  operation: TimelockOperation;
  /** `scheduled`: executable from `readyAt` (unix seconds); `executed`: done in `txHash`. */
  status: "scheduled" | "executed";
  readyAt?: bigint;
  txHash: string;
}

/** Builds the timelock operation for `data` on `target`. */
export async function timelockOperation(
  timelock: TimelockController,
  target: string,
  data: string,
  description: string,
): Promise<TimelockOperation> {
  const salt = hashText(description);
  const operationId = await timelock.hashOperation(target, 0n, data, ZeroHash, salt);
  return { target, data, description, salt, id: operationId };
}

/**
 * Moves an operation one step on: schedules it when it is new, executes it when its delay has passed. With
 * `skipDelay` (local chains only: it moves the chain's clock) both happen in one go, and an operation scheduled
 * earlier is executed at once.
 *
 * @throws UserInputError when the signer may not propose or execute, when the delay has not passed yet (saying when
 * it will), or when the operation was already executed.
 */
export async function advanceOperation(
  timelock: TimelockController,
  signer: HardhatEthersSigner,
  operation: TimelockOperation,
  skipDelay?: (seconds: bigint) => Promise<void>,
): Promise<TimelockOutcome> {
  const asSigner = timelock.connect(signer);
  if (await timelock.isOperationDone(operation.id)) {
    throw new UserInputError(`"${operation.description}" was already executed (operation ${operation.id})`);
  }
  if (!(await timelock.isOperation(operation.id))) {
    const proposerRole = await timelock.PROPOSER_ROLE();
    if (!(await timelock.hasRole(proposerRole, signer.address))) {
      throw new UserInputError(
        `${signer.address} may not propose to the timelock ${await timelock.getAddress()}: use the governance ` +
          `account (--from), which holds PROPOSER_ROLE`,
      );
    }
    const delay = await timelock.getMinDelay();
    const scheduled = await (
      await asSigner.schedule(operation.target, 0n, operation.data, ZeroHash, operation.salt, delay)
    ).wait();
    if (skipDelay === undefined) {
      return {
        operation,
        status: "scheduled",
        readyAt: await timelock.getTimestamp(operation.id),
        txHash: scheduled!.hash,
      };
    }
    await skipDelay(delay);
  } else if (skipDelay !== undefined && !(await timelock.isOperationReady(operation.id))) {
    // Scheduled by an earlier run without --skip-delay: move the clock the rest of the way.
    const latest = await signer.provider!.getBlock("latest");
    const readyAt = await timelock.getTimestamp(operation.id);
    const now = BigInt(latest!.timestamp);
    await skipDelay(readyAt > now ? readyAt - now : 0n);
  }
  if (!(await timelock.isOperationReady(operation.id))) {
    const readyAt = await timelock.getTimestamp(operation.id);
    throw new UserInputError(
      `"${operation.description}" is scheduled and can be executed from ${new Date(Number(readyAt) * 1000).toISOString()}; ` +
        `run the same command again then`,
    );
  }
  const executorRole = await timelock.EXECUTOR_ROLE();
  if (
    !(await timelock.hasRole(executorRole, signer.address)) &&
    // The timelock's "anyone may execute" marker: EXECUTOR_ROLE granted to the zero address.
    !(await timelock.hasRole(executorRole, ZeroAddress))
  ) {
    throw new UserInputError(`${signer.address} may not execute timelock operations: it lacks EXECUTOR_ROLE`);
  }
  const executed = await (
    await asSigner.execute(operation.target, 0n, operation.data, ZeroHash, operation.salt)
  ).wait();
  return { operation, status: "executed", txHash: executed!.hash };
}

/** The JSON-RPC methods a local chain's clock is moved with. */
export interface ClockProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

/**
 * For `--skip-delay` (or the `flag` named): moves a local chain's clock past the timelock delay. Refused on any other
 * network, where the delay is the point.
 */
export function localDelaySkipper(
  provider: ClockProvider,
  networkName: string,
  isLocal: boolean,
  flag = "--skip-delay",
): (seconds: bigint) => Promise<void> {
  requireLocalNetwork(networkName, isLocal, flag);
  return async (seconds) => {
    await provider.send("evm_increaseTime", [Number(seconds)]);
    await provider.send("evm_mine", []);
  };
}

/**
 * Moves a local chain's clock to a moment: the returned function mines one block at `timestamp` when the latest block
 * is older, so that views read at the latest block see that time and the next transaction comes after it. Refused on
 * any other network, naming `flag`.
 */
export function localClock(
  provider: ClockProvider,
  networkName: string,
  isLocal: boolean,
  flag = "--advance",
): (timestamp: bigint) => Promise<void> {
  requireLocalNetwork(networkName, isLocal, flag);
  return async (timestamp) => {
    const latest = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    if (BigInt(latest.timestamp) >= timestamp) return;
    await provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
    await provider.send("evm_mine", []);
  };
}

/** Refuses `flag`, which moves the chain's clock, on any network but a local one. */
export function requireLocalNetwork(networkName: string, isLocal: boolean, flag: string): void {
  if (!isLocal) {
    throw new UserInputError(`${flag} moves the chain's clock and works on local networks only, not "${networkName}"`);
  }
}

/** One line saying what became of a governance request. */
export function describeOutcome(outcome: TimelockOutcome): string {
  return outcome.status === "executed"
    ? `Executed through the timelock: ${outcome.operation.description} (tx ${outcome.txHash})`
    : `Scheduled on the timelock: ${outcome.operation.description} (operation ${outcome.operation.id}, tx ` +
        `${outcome.txHash}); executable from ${new Date(Number(outcome.readyAt) * 1000).toISOString()}: run the same ` +
        `command again then`;
}

/** One call of a governance proposal or timelock batch. */
export interface GovernanceCall {
  target: string;
  /** Wei the call carries, sent by whoever executes. */
  value: bigint;
  data: string;
}

/** Where a scheduled operation stands on its timelock. */
export type OperationState = "waiting" | "ready" | "executed" | "cancelled";

/** A batch scheduled on a timelock, rebuilt from its `CallScheduled` and `CallSalt` events. */
export interface ScheduledBatch {
  id: string;
  calls: GovernanceCall[];
  predecessor: string;
  salt: string;
  delay: bigint;
  scheduledBlock: number;
  state: OperationState;
  /** Executable from this time (unix seconds); zero once executed or cancelled. */
  readyAt: bigint;
}

/** A batch just scheduled. */
export interface ScheduleReceipt {
  id: string;
  delay: bigint;
  readyAt: bigint;
  txHash: string;
}

/** The salt of a batch: from its description, so one description names one operation for a given set of calls. */
export function batchSalt(description: string): string {
  return hashText(description);
}

/** The sum of what `calls` carry, in wei: the value an execution sends. */
export function totalValue(calls: readonly GovernanceCall[]): bigint {
  return calls.reduce((sum, call) => sum + call.value, 0n);
}

/**
 * Refuses `proposer` unless it holds PROPOSER_ROLE on `timelock`: checked before anything is sent (`gov propose
 * upgrade --deploy` deploys an implementation before it schedules).
 */
export async function requireTimelockProposer(
  timelock: TimelockController,
  proposer: string,
  label = "the timelock",
): Promise<void> {
  const proposerRole = await timelock.PROPOSER_ROLE();
  if (!(await timelock.hasRole(proposerRole, proposer))) {
    throw new UserInputError(
      `${proposer} may not propose to ${label} (${await timelock.getAddress()}): it lacks PROPOSER_ROLE; use ` +
        `--from with the proposer's account`,
    );
  }
}

/**
 * Schedules `calls` as one batch on `timelock` from `signer` (a proposer: the multisig, or the operations account),
 * with the timelock's minimum delay and the salt of `description`.
 *
 * @throws UserInputError when the signer lacks PROPOSER_ROLE or the same batch was already scheduled.
 */
export async function scheduleBatch(
  timelock: TimelockController,
  signer: HardhatEthersSigner,
  calls: readonly GovernanceCall[],
  description: string,
  label = "the timelock",
): Promise<ScheduleReceipt> {
  await requireTimelockProposer(timelock, signer.address, label);
  const targets = calls.map((call) => call.target);
  const values = calls.map((call) => call.value);
  const payloads = calls.map((call) => call.data);
  const salt = batchSalt(description);
  const id = await timelock.hashOperationBatch(targets, values, payloads, ZeroHash, salt);
  const timestamp = await timelock.getTimestamp(id);
  if (timestamp !== 0n) {
    throw new UserInputError(
      `these calls with the description "${description}" were already scheduled on ${label} as operation ${id} ` +
        `(${timestamp === DONE_TIMESTAMP ? "executed" : `executable from ${isoTime(timestamp)}`}): pass another ` +
        `--description to schedule them again`,
    );
  }
  const delay = await timelock.getMinDelay();
  const receipt = await (
    await timelock.connect(signer).scheduleBatch(targets, values, payloads, ZeroHash, salt, delay)
  ).wait();
  return { id, delay, readyAt: await timelock.getTimestamp(id), txHash: receipt!.hash };
}

/** `getTimestamp` of an executed operation. */
const DONE_TIMESTAMP = 1n;

/**
 * Every batch scheduled on `timelock` since `fromBlock`, oldest first, with its state now. An operation scheduled
 * again after a cancellation is listed once, as last scheduled.
 */
export async function readScheduledBatches(
  timelock: TimelockController,
  fromBlock = 0,
  blockTag?: number,
): Promise<ScheduledBatch[]> {
  const provider = timelock.runner!.provider!;
  const toBlock = blockTag ?? (await provider.getBlockNumber());
  const [scheduled, salts] = await Promise.all([
    queryInChunks((from, to) => timelock.queryFilter(timelock.filters.CallScheduled(), from, to), fromBlock, toBlock),
    queryInChunks((from, to) => timelock.queryFilter(timelock.filters.CallSalt(), from, to), fromBlock, toBlock),
  ]);
  const now = BigInt((await readBlock(provider, toBlock)).timestamp);
  // Calls grouped by operation, keeping the last transaction that scheduled it.
  const byId = new Map<string, { txHash: string; events: typeof scheduled }>();
  for (const event of scheduled) {
    const entry = byId.get(event.args.id);
    if (entry === undefined || entry.txHash !== event.transactionHash) {
      byId.set(event.args.id, { txHash: event.transactionHash, events: [event] });
    } else {
      entry.events.push(event);
    }
  }
  const saltOf = new Map(salts.map((event) => [`${event.args.id}:${event.transactionHash}`, event.args.salt]));
  const batches: ScheduledBatch[] = [];
  for (const [id, { txHash, events }] of byId) {
    const sorted = [...events].sort((a, b) => Number(a.args.index - b.args.index));
    const timestamp = await timelock.getTimestamp(id, { blockTag: toBlock });
    const state: OperationState =
      timestamp === 0n
        ? "cancelled"
        : timestamp === DONE_TIMESTAMP
          ? "executed"
          : timestamp > now
            ? "waiting"
            : "ready";
    batches.push({
      id,
      calls: sorted.map((event) => ({ target: event.args.target, value: event.args.value, data: event.args.data })),
      predecessor: sorted[0]!.args.predecessor,
      salt: saltOf.get(`${id}:${txHash}`) ?? ZeroHash,
      delay: sorted[0]!.args.delay,
      scheduledBlock: sorted[0]!.blockNumber,
      state,
      readyAt: state === "waiting" || state === "ready" ? timestamp : 0n,
    });
  }
  return batches.sort((a, b) => a.scheduledBlock - b.scheduledBlock);
}

/**
 * Executes the batch `id` scheduled on `timelock`, sending the value its calls carry. With `advance` (local chains
 * only) a batch still waiting is executed once the clock is moved to its time.
 *
 * @throws UserInputError when no such batch was scheduled, it was executed or cancelled, it is still waiting (saying
 * until when), or the signer may not execute.
 */
export async function executeScheduledBatch(
  timelock: TimelockController,
  signer: HardhatEthersSigner,
  id: string,
  options: { fromBlock?: number; advance?: (timestamp: bigint) => Promise<void>; label?: string } = {},
): Promise<{ batch: ScheduledBatch; txHash: string }> {
  const label = options.label ?? "the timelock";
  const batch = (await readScheduledBatches(timelock, options.fromBlock)).find((candidate) => candidate.id === id);
  if (batch === undefined) {
    throw new UserInputError(`no operation ${id} was scheduled on ${label}: gov status lists the operations`);
  }
  if (batch.state === "executed") throw new UserInputError(`operation ${id} on ${label} was already executed`);
  if (batch.state === "cancelled") throw new UserInputError(`operation ${id} on ${label} was cancelled`);
  if (batch.state === "waiting") {
    if (options.advance === undefined) {
      throw new UserInputError(
        `operation ${id} on ${label} is scheduled, executable from ${isoTime(batch.readyAt)}: run gov execute again ` +
          `then (on a local chain, --advance moves the clock there)`,
      );
    }
    await options.advance(batch.readyAt);
  }
  if (batch.predecessor !== ZeroHash && !(await timelock.isOperationDone(batch.predecessor))) {
    throw new UserInputError(`operation ${id} on ${label} waits for operation ${batch.predecessor} to be executed`);
  }
  const executorRole = await timelock.EXECUTOR_ROLE();
  if (!(await timelock.hasRole(executorRole, signer.address)) && !(await timelock.hasRole(executorRole, ZeroAddress))) {
    throw new UserInputError(
      `${signer.address} may not execute operations of ${label}: it lacks EXECUTOR_ROLE; use --from with an executor`,
    );
  }
  const receipt = await (
    await timelock.connect(signer).executeBatch(
      batch.calls.map((call) => call.target),
      batch.calls.map((call) => call.value),
      batch.calls.map((call) => call.data),
      batch.predecessor,
      batch.salt,
      { value: totalValue(batch.calls) },
    )
  ).wait();
  return { batch: { ...batch, state: "executed", readyAt: 0n }, txHash: receipt!.hash };
}

/**
 * Cancels the batch `id` scheduled on `timelock` before it executes: its proposer, the governance timelock (of the
 * operations timelock) or a named canceller such as the pause guardian may.
 *
 * @throws UserInputError when no such batch was scheduled, it was executed or cancelled already, or the signer lacks
 * CANCELLER_ROLE (naming who holds it).
 */
export async function cancelScheduledBatch(
  timelock: TimelockController,
  signer: HardhatEthersSigner,
  id: string,
  options: { fromBlock?: number; label?: string } = {},
): Promise<{ batch: ScheduledBatch; txHash: string }> {
  const label = options.label ?? "the timelock";
  const batch = (await readScheduledBatches(timelock, options.fromBlock)).find((candidate) => candidate.id === id);
  if (batch === undefined) {
    throw new UserInputError(`no operation ${id} was scheduled on ${label}: gov status lists the operations`);
  }
  if (batch.state === "executed") throw new UserInputError(`operation ${id} on ${label} was already executed`);
  if (batch.state === "cancelled") throw new UserInputError(`operation ${id} on ${label} was already cancelled`);
  const cancellerRole = await timelock.CANCELLER_ROLE();
  if (!(await timelock.hasRole(cancellerRole, signer.address))) {
    throw new UserInputError(
      `${signer.address} may not cancel operations of ${label}: it lacks CANCELLER_ROLE; use --from with a canceller ` +
        `(gov status lists them)`,
    );
  }
  const receipt = (await (await timelock.connect(signer).cancel(id)).wait())!;
  return { batch: { ...batch, state: "cancelled", readyAt: 0n }, txHash: receipt.hash };
}
