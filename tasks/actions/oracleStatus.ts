import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { formatOracleStatus, readOracleStatus } from "../../lib/oracle/status.js";
import { loadProtocol } from "../../lib/protocol.js";
import { reportingUserErrors } from "./userErrors.js";

export default async function oracleStatusAction(_args: unknown, hre: HardhatRuntimeEnvironment): Promise<void> {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    const { accountingOracle } = await loadProtocol(ethers, networkName);
    console.log(formatOracleStatus(await readOracleStatus(accountingOracle), networkName));
  });
}
