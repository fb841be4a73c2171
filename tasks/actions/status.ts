import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress, resolveSigner } from "../../lib/accounts.js";
import { loadProtocol } from "../../lib/protocol.js";
import { formatPoolStatus, getPoolStatus } from "../../lib/status.js";
import { reportingUserErrors } from "./userErrors.js";

interface StatusArguments {
  account: string;
}

export default async function statusAction(args: StatusArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    // An index or empty picks one of the network's accounts; any other address is read as given.
    const account = /^\d*$/.test(args.account.trim())
      ? (await resolveSigner(ethers, args.account, "--account")).address
      : parseAddress(args.account, "--account");
    const { pool, addresses } = await loadProtocol(ethers, networkName);
    // Report events are scanned from the deployment's block: public RPCs refuse scans from genesis.
    const status = await getPoolStatus(pool, ethers.provider, account, { fromBlock: addresses.deployedAtBlock });
    console.log(formatPoolStatus(status, networkName));
  });
}
