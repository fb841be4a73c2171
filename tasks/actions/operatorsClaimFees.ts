import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { claimOperatorFees, formatFeeClaim, parseOperatorId } from "../../lib/operators.js";
import { loadProtocol } from "../../lib/protocol.js";
import { reportingUserErrors } from "./userErrors.js";

interface OperatorsClaimFeesArguments {
  operatorId: string;
  from: string;
}

export default async function operatorsClaimFeesAction(
  args: OperatorsClaimFeesArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await reportingUserErrors(async () => {
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const operatorId = await parseOperatorId(protocol.operatorRegistry, args.operatorId, "operator id");
    const signer = await resolveSigner(ethers, args.from, "--from");
    console.log(formatFeeClaim(await claimOperatorFees(protocol, operatorId, signer), networkName));
  });
}
