import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { signDepositShare } from "../../lib/keys/thresholdDeposits.js";
import { checkOutDir } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysSignShareArguments {
  share: string;
  withdrawalAddress: string;
  chain: string;
  outDir: string;
}

export default async function keysSignShareAction(args: KeysSignShareArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (args.share === "")
      throw new UserInputError("--share is required: expected the path of a secret-share-<member>.json");
    checkOutDir(args.outDir);
    const { file, partial } = await signDepositShare({
      shareFile: args.share,
      withdrawalAddress: args.withdrawalAddress,
      chain: args.chain,
      ...(args.outDir === "" ? {} : { outDir: args.outDir }),
    });
    console.log(
      `Member ${partial.member} signed ${partial.validators.length} deposit(s) of 32 ETH for ${partial.chain}, ` +
        `withdrawing to ${args.withdrawalAddress}: wrote ${file} (public; send it to whoever combines)`,
    );
  });
}
