import { ZeroAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress, requireAccount, resolveAddress } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { runRegistryRequest } from "./governanceRequest.js";
import { reportingUserErrors } from "./userErrors.js";

interface OperatorsAddArguments {
  name: string;
  manager: string;
  rewardAddress: string;
  threshold: string;
  members: string;
  from: string;
  skipDelay: boolean;
}

export default async function operatorsAddAction(args: OperatorsAddArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const name = args.name.trim();
    if (name === "") throw new UserInputError(`name is empty: expected the operator's display name`);
    const members =
      args.members.trim() === "" ? [] : args.members.split(",").map((m, i) => parseAddress(m, `--members[${i}]`));
    const threshold = args.threshold.trim() === "" ? 0 : Number(args.threshold);
    if (members.length > 0 || threshold !== 0) {
      if (!Number.isInteger(threshold) || threshold < 2 || threshold > members.length || members.length > 32) {
        throw new UserInputError(
          `--threshold "${args.threshold}" with ${members.length} --members: a cluster needs 2 <= threshold <= ` +
            `members <= 32 (e.g. --threshold 3 --members a,b,c,d)`,
        );
      }
      if (members.includes(ZeroAddress)) throw new UserInputError(`--members lists the zero address`);
      if (new Set(members).size !== members.length) throw new UserInputError(`--members lists an address twice`);
    }
    await runRegistryRequest(hre, args, async (_protocol, ethers) => {
      const manager = await resolveAddress(ethers, args.manager, "--manager");
      if (manager === "") throw new UserInputError(`--manager is required: the address that will submit its keys`);
      // The registry would take a zero address, leaving an operator nobody manages or fees paid to nobody.
      requireAccount(manager, "--manager");
      const rewardAddress =
        args.rewardAddress.trim() === ""
          ? manager
          : await resolveAddress(ethers, args.rewardAddress, "--reward-address");
      requireAccount(rewardAddress, "--reward-address");
      return members.length === 0
        ? { kind: "add", name, manager, rewardAddress }
        : { kind: "addCluster", name, manager, rewardAddress, threshold, members };
    });
  });
}
