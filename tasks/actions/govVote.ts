import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import {
  castVote,
  formatPlural,
  formatProposal,
  parseSupport,
  resolveProposalId,
  shortProposalId,
} from "../../lib/governor.js";
import { connectGovernance } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovVoteArguments {
  proposalId: string;
  support: string;
  reason: string;
  from: string;
  advance: boolean;
}

export default async function govVoteAction(args: GovVoteArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (args.support.trim() === "") throw new UserInputError(`--support is required: for, against or abstain`);
    const support = parseSupport(args.support);
    const { ethers, protocol, advance, fromBlock } = await connectGovernance(hre, { advance: args.advance });
    const { governor, token } = protocol;
    if (governor === undefined || token === undefined) {
      throw new UserInputError(
        `this deployment has no Governor (a multisig proposes to the timelock): there is nothing to vote on`,
      );
    }
    const id = await resolveProposalId(governor, args.proposalId);
    const voter = await resolveSigner(ethers, args.from, "--from");
    const vote = await castVote(governor, token, voter, id, support, {
      reason: args.reason,
      fromBlock,
      ...(advance === undefined ? {} : { advance }),
    });
    console.log(
      `Voted ${vote.support} on proposal ${shortProposalId(id)} with ${formatPlural(vote.weight)} from ${vote.voter} ` +
        `(tx ${vote.txHash})`,
    );
    console.log(formatProposal(protocol, vote.proposal));
  });
}
