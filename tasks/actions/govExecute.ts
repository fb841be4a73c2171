import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import {
  executeProposal,
  formatOperation,
  formatProposal,
  resolveExecutor,
  resolveProposalId,
  shortProposalId,
} from "../../lib/governor.js";
import { executeScheduledBatch } from "../../lib/governance.js";
import { connectGovernance, findOperationTimelock, isOperationId } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovExecuteArguments {
  proposalId: string;
  from: string;
  advance: boolean;
}

export default async function govExecuteAction(args: GovExecuteArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, protocol, advance, fromBlock } = await connectGovernance(hre, { advance: args.advance });
    if (isOperationId(args.proposalId)) {
      const id = args.proposalId.trim().toLowerCase();
      const { timelock, label } = await findOperationTimelock(protocol, id, fromBlock);
      const executor = await resolveExecutor(ethers, timelock, args.from);
      const done = await executeScheduledBatch(timelock, executor, id, {
        fromBlock,
        label,
        ...(advance === undefined ? {} : { advance }),
      });
      console.log(formatOperation(protocol, done.batch, `Executed on ${label} (tx ${done.txHash})`));
      return;
    }
    const { governor } = protocol;
    if (governor === undefined) {
      throw new UserInputError(
        `this deployment has no Governor (a multisig proposes): execute a timelock operation by its 0x id (gov status ` +
          `lists them)`,
      );
    }
    const id = await resolveProposalId(governor, args.proposalId);
    const signer = await resolveSigner(ethers, args.from, "--from");
    const executed = await executeProposal(governor, signer, id, {
      fromBlock,
      ...(advance === undefined ? {} : { advance }),
    });
    console.log(
      formatProposal(protocol, executed.proposal, `Executed proposal ${shortProposalId(id)} (tx ${executed.txHash})`),
    );
  });
}
