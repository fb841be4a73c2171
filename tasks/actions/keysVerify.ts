import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { checkDepositFile } from "../../lib/keys/files.js";
import { loadProtocol } from "../../lib/protocol.js";
import { checkKeySubmission, connectedBeaconNetwork } from "../../lib/staking.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysVerifyArguments {
  file: string;
  chain: string;
  withdrawalAddress: string;
  protocol: boolean;
}

export default async function keysVerifyAction(args: KeysVerifyArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const check = checkDepositFile(args);
    if (args.protocol) {
      // The chain decides the fork version and the credentials: --chain and --withdrawal-address must agree with it.
      const { ethers, networkName } = await hre.network.create();
      const network = await connectedBeaconNetwork(ethers.provider);
      if (network.name !== check.network) {
        throw new UserInputError(`--chain ${check.network} but --network ${networkName} is ${network.name}`);
      }
      const protocol = await loadProtocol(ethers, networkName);
      const problems = await checkKeySubmission(protocol, network, check.entries);
      check.problems = problems;
    }
    if (check.problems.length > 0) {
      console.error(`${check.file}: ${check.problems.length} of ${check.entries.length} deposits have problems:`);
      for (const line of check.problems) console.error(`  ${line}`);
      throw new UserInputError(`${check.file} does not verify for ${check.network}`);
    }
    const count = check.entries.length;
    console.log(
      `${check.file}: ${count === 1 ? "its deposit verifies" : `all ${count} deposits verify`} for ${check.network}` +
        (args.protocol
          ? " and are new to Plural's registry and the deposit contract, with its vault's credentials"
          : ""),
    );
  });
}
