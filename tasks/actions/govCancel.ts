import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import {
  cancelProposal,
  formatOperation,
  formatProposal,
  resolveCanceller,
  resolveProposalId,
  shortProposalId,
} from "../../lib/governor.js";
import { cancelScheduledBatch } from "../../lib/governance.js";
import { connectGovernance, findOperationTimelock, isOperationId } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovCancelArguments {
  proposalId: string;
  from: string;
}

export default async function govCancelAction(args: GovCancelArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, protocol, fromBlock } = await connectGovernance(hre);
    if (isOperationId(args.proposalId)) {
      const id = args.proposalId.trim().toLowerCase();
      const { timelock, label } = await findOperationTimelock(protocol, id, fromBlock);
      const canceller = await resolveCanceller(ethers, timelock, args.from);
      const done = await cancelScheduledBatch(timelock, canceller, id, { fromBlock, label });
      console.log(formatOperation(protocol, done.batch, `Cancelled on ${label} (tx ${done.txHash})`));
      return;
    }
    const { governor } = protocol;
    if (governor === undefined) {
      throw new UserInputError(
        `this deployment has no Governor (a multisig proposes): cancel a timelock operation by its 0x id (gov status ` +
          `lists them)`,
      );
    }
    const id = await resolveProposalId(governor, args.proposalId);
    const signer = await resolveSigner(ethers, args.from, "--from");
    const cancelled = await cancelProposal(governor, signer, id, { fromBlock });
    console.log(
      formatProposal(
        protocol,
        cancelled.proposal,
        `Cancelled proposal ${shortProposalId(id)} (tx ${cancelled.txHash})`,
      ),
    );
  });
}
