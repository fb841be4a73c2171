import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveAddress, resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { delegateVotes, formatPlural } from "../../lib/governor.js";
import { connectGovernance } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

export default async function govDelegateAction(args: { to: string; from: string }, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, protocol } = await connectGovernance(hre);
    if (protocol.token === undefined) {
      throw new UserInputError(
        `this deployment has no PLURAL token (a multisig governs): there are no votes to delegate`,
      );
    }
    const holder = await resolveSigner(ethers, args.from, "--from");
    const delegatee = args.to.trim() === "" ? holder.address : await resolveAddress(ethers, args.to, "--to");
    const delegated = await delegateVotes(protocol.token, holder, delegatee);
    console.log(
      `${holder.address} delegated its ${formatPlural(delegated.balance)} to ${delegated.delegatee}, who now has ` +
        `${formatPlural(delegated.votes)} of votes (tx ${delegated.txHash})`,
    );
  });
}
