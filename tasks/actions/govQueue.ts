import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { formatProposal, queueProposal, resolveProposalId, shortProposalId } from "../../lib/governor.js";
import { isoTime } from "../../lib/time.js";
import { connectGovernance, isOperationId } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovQueueArguments {
  proposalId: string;
  from: string;
  advance: boolean;
}

export default async function govQueueAction(args: GovQueueArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, protocol, advance, fromBlock } = await connectGovernance(hre, { advance: args.advance });
    const { governor } = protocol;
    if (governor === undefined || isOperationId(args.proposalId)) {
      throw new UserInputError(
        governor === undefined
          ? `this deployment has no Governor: operations scheduled on a timelock need no queueing; gov execute <id> ` +
              `runs them once their delay has passed`
          : `${args.proposalId} is a timelock operation id: operations need no queueing; gov execute runs them`,
      );
    }
    const id = await resolveProposalId(governor, args.proposalId);
    const signer = await resolveSigner(ethers, args.from, "--from");
    const queued = await queueProposal(governor, signer, id, {
      fromBlock,
      ...(advance === undefined ? {} : { advance }),
    });
    console.log(
      `Queued proposal ${shortProposalId(id)} on the timelock, executable from ${isoTime(queued.proposal.eta)} ` +
        `(tx ${queued.txHash}); then: gov execute ${shortProposalId(id).replace("…", "")}`,
    );
    console.log(formatProposal(protocol, queued.proposal));
  });
}
