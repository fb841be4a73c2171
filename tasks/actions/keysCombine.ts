import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { MAX_MEMBERS } from "../../lib/keys/threshold.js";
import { combineDepositFiles } from "../../lib/keys/thresholdDeposits.js";
import { checkOutDir, requiredNumber } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysCombineArguments {
  partials: string[];
  threshold: string;
  withdrawalAddress: string;
  chain: string;
  group: string;
  outDir: string;
}

export default async function keysCombineAction(args: KeysCombineArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const threshold = args.threshold === "" ? undefined : requiredNumber(args.threshold, "--threshold", 2, MAX_MEMBERS);
    checkOutDir(args.outDir);
    const result = await combineDepositFiles({
      partialFiles: args.partials,
      withdrawalAddress: args.withdrawalAddress,
      chain: args.chain,
      ...(threshold === undefined ? {} : { threshold }),
      ...(args.group === "" ? {} : { groupFile: args.group }),
      outDir: args.outDir,
    });
    for (const bad of result.invalid) {
      console.error(
        `Ignored member ${bad.member}'s invalid partial signature of validator key ${bad.validator} (${bad.file})`,
      );
    }
    const signers = [...new Set(result.signers.flat())].sort((a, b) => a - b);
    console.log(
      `Wrote ${result.depositDataFile} (${result.deposits.length} deposit(s) for ${args.chain}, ` +
        `${result.threshold}-of-${result.members} ${result.trustModel} keys, combined from members ${signers.join(", ")})`,
    );
  });
}
