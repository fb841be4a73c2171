import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { checkDepositFile } from "../../lib/keys/files.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysVerifyArguments {
  file: string;
  chain: string;
  withdrawalAddress: string;
}

export default async function keysVerifyAction(args: KeysVerifyArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const check = checkDepositFile(args);
    if (check.problems.length > 0) {
      console.error(`${check.file}: ${check.problems.length} of ${check.entries.length} deposits have problems:`);
      for (const line of check.problems) console.error(`  ${line}`);
      throw new UserInputError(`${check.file} does not verify for ${check.network}`);
    }
    const count = check.entries.length;
    console.log(
      `${check.file}: ${count === 1 ? "its deposit verifies" : `all ${count} deposits verify`} for ${check.network}`,
    );
  });
}
