import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import {
  formatPauseReceipt,
  parseDuration,
  parsePauseTargets,
  pauseAsGuardian,
  resolveGuardian,
} from "../../lib/pause.js";
import { connectGovernance } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovPauseArguments {
  targets: string;
  duration: string;
  from: string;
}

export default async function govPauseAction(args: GovPauseArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const targets = parsePauseTargets(args.targets, "targets");
    if (args.duration.trim() === "") throw new UserInputError(`--duration is required: seconds, or e.g. 90m, 2h, 1d`);
    const duration = parseDuration(args.duration);
    const { ethers, protocol } = await connectGovernance(hre);
    const guardian = await resolveGuardian(ethers, protocol.emergencyPause, args.from);
    console.log(formatPauseReceipt(await pauseAsGuardian(protocol.emergencyPause, guardian, targets, duration)));
  });
}
