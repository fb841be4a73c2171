import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { isLocalNetwork } from "../../lib/deployment.js";
import { UserInputError } from "../../lib/errors.js";
import { governanceFromBlock } from "../../lib/governor.js";
import { localClock, readScheduledBatches, requireLocalNetwork } from "../../lib/governance.js";
import { loadProtocol, type Protocol } from "../../lib/protocol.js";

/**
 * What every `gov` task starts with: a connection, the protocol, the block governance was deployed in (event scans
 * start there) and, with `advance`, the local clock (refused on other networks before anything is read).
 */
export async function connectGovernance(hre: HardhatRuntimeEnvironment, options: { advance?: boolean } = {}) {
  if (options.advance === true) {
    // Before connecting: a public network's connection may ask for its secrets first.
    const requested = hre.globalOptions.network ?? "default";
    requireLocalNetwork(requested, isLocalNetwork(requested), "--advance");
  }
  const { ethers, networkName, provider } = await hre.network.create();
  const advance = options.advance ? localClock(provider, networkName, isLocalNetwork(networkName)) : undefined;
  const protocol = await loadProtocol(ethers, networkName);
  const { chainId } = await ethers.provider.getNetwork();
  const fromBlock = await governanceFromBlock(protocol.addresses, chainId);
  return { ethers, networkName, protocol, advance, fromBlock };
}

/** Whether `text` is a timelock operation id (0x and 32 bytes) rather than a Governor proposal id. */
export function isOperationId(text: string): boolean {
  return /^0x[0-9a-fA-F]{64}$/.test(text.trim());
}

/**
 * The timelock on which operation `id` was scheduled: the governance timelock (multisig governance) or the operations
 * timelock, with its name for messages.
 *
 * @throws UserInputError when neither has it.
 */
export async function findOperationTimelock(protocol: Protocol, id: string, fromBlock: number) {
  const timelocks = [
    { timelock: protocol.timelock, label: "the governance timelock" },
    ...(protocol.operationsTimelock === undefined
      ? []
      : [{ timelock: protocol.operationsTimelock, label: "the operations timelock" }]),
  ];
  for (const candidate of timelocks) {
    const batches = await readScheduledBatches(candidate.timelock, fromBlock);
    if (batches.some((batch) => batch.id === id)) return candidate;
  }
  throw new UserInputError(`no operation ${id} was scheduled on this deployment's timelocks: gov status lists them`);
}
