import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveAddress } from "../../lib/accounts.js";
import { loadProtocol } from "../../lib/protocol.js";
import { formatRequestList, listWithdrawalRequests } from "../../lib/withdrawals.js";
import { reportingUserErrors } from "./userErrors.js";

interface WithdrawalsListArguments {
  owner: string;
}

export default async function withdrawalsListAction(
  args: WithdrawalsListArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    const owner = args.owner.trim() === "" ? undefined : await resolveAddress(ethers, args.owner, "--owner");
    const protocol = await loadProtocol(ethers, networkName);
    const requests = await listWithdrawalRequests(protocol, owner);
    const title = `Withdrawal requests on ${networkName}${owner === undefined ? "" : ` of ${owner}`}`;
    console.log(formatRequestList(requests, title));
  });
}
