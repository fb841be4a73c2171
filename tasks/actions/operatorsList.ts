import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { formatOperators, listOperators } from "../../lib/operators.js";
import { loadProtocol } from "../../lib/protocol.js";
import { reportingUserErrors } from "./userErrors.js";

export default async function operatorsListAction(_args: object, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    const { operatorRegistry } = await loadProtocol(ethers, networkName);
    const operators = await listOperators(operatorRegistry);
    console.log(formatOperators(operators, await operatorRegistry.shareCapBps()));
  });
}
