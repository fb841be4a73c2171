import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id as hashText, ZeroAddress, ZeroHash } from "ethers";

import type { TimelockController } from "../typechain-types/index.js";
import { UserInputError } from "./errors.js";

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

/**
 * For `--skip-delay`: moves a local chain's clock past the timelock delay. Refused on any other network, where the
 * delay is the point.
 */
export function localDelaySkipper(
  provider: { send(method: string, params: unknown[]): Promise<unknown> },
  networkName: string,
  isLocal: boolean,
): (seconds: bigint) => Promise<void> {
  if (!isLocal) {
    throw new UserInputError(
      `--skip-delay moves the chain's clock and works on local networks only, not "${networkName}"`,
    );
  }
  return async (seconds) => {
    await provider.send("evm_increaseTime", [Number(seconds)]);
    await provider.send("evm_mine", []);
  };
}

/** One line saying what became of a governance request. */
export function describeOutcome(outcome: TimelockOutcome): string {
  return outcome.status === "executed"
    ? `Executed through the timelock: ${outcome.operation.description} (tx ${outcome.txHash})`
    : `Scheduled on the timelock: ${outcome.operation.description} (operation ${outcome.operation.id}, tx ` +
        `${outcome.txHash}); executable from ${new Date(Number(outcome.readyAt) * 1000).toISOString()}: run the same ` +
        `command again then`;
}
