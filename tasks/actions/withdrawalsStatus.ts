import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { loadProtocol } from "../../lib/protocol.js";
import { formatQueueStatus, getQueueStatus } from "../../lib/withdrawals.js";
import { reportingUserErrors } from "./userErrors.js";

export default async function withdrawalsStatusAction(_args: unknown, hre: HardhatRuntimeEnvironment): Promise<void> {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    console.log(formatQueueStatus(await getQueueStatus(protocol, ethers.provider), networkName));
  });
}
