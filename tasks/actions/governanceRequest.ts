import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { isLocalNetwork } from "../../lib/deployment.js";
import { describeOutcome, localDelaySkipper } from "../../lib/governance.js";
import { advanceRegistryRequest, type RegistryRequest, resolveProposer } from "../../lib/operators.js";
import { loadProtocol, type Protocol } from "../../lib/protocol.js";

/** Shared by the `operators` tasks that governance runs: one timelock step for `request`, printed. */
export async function runRegistryRequest(
  hre: HardhatRuntimeEnvironment,
  options: { from: string; skipDelay: boolean },
  build: (protocol: Protocol, ethers: HardhatEthers) => Promise<RegistryRequest>,
): Promise<void> {
  const { ethers, networkName, provider } = await hre.network.create();
  const skip = options.skipDelay ? localDelaySkipper(provider, networkName, isLocalNetwork(networkName)) : undefined;
  const protocol = await loadProtocol(ethers, networkName);
  const request = await build(protocol, ethers);
  const proposer = await resolveProposer(ethers, protocol.timelock, options.from);
  console.log(
    describeOutcome(
      await advanceRegistryRequest(protocol.timelock, protocol.operatorRegistry, proposer, request, skip),
    ),
  );
}
