import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import {
  formatGovernanceStatus,
  formatOperation,
  formatProposal,
  readGovernanceStatus,
  readProposal,
  resolveProposalId,
} from "../../lib/governor.js";
import { readScheduledBatches } from "../../lib/governance.js";
import { readPauseStatus } from "../../lib/pause.js";
import { connectGovernance, isOperationId } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

export default async function govStatusAction(args: { proposal: string }, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { protocol, networkName, fromBlock } = await connectGovernance(hre);
    if (args.proposal.trim() === "") {
      const status = await readGovernanceStatus(protocol, await readPauseStatus(protocol.emergencyPause), fromBlock);
      console.log(formatGovernanceStatus(protocol, status, networkName));
      return;
    }
    if (isOperationId(args.proposal)) {
      const id = args.proposal.trim().toLowerCase();
      for (const [timelock, name] of [
        [protocol.timelock, "governance"],
        [protocol.operationsTimelock, "operations"],
      ] as const) {
        if (timelock === undefined) continue;
        const batch = (await readScheduledBatches(timelock, fromBlock)).find((candidate) => candidate.id === id);
        if (batch !== undefined) {
          console.log(formatOperation(protocol, batch, `Operation on the ${name} timelock`));
          return;
        }
      }
      throw new UserInputError(`no operation ${id} was scheduled on this deployment's timelocks`);
    }
    if (protocol.governor === undefined) {
      throw new UserInputError(
        `--proposal ${args.proposal}: this deployment has no Governor; pass a timelock operation's 0x id`,
      );
    }
    const id = await resolveProposalId(protocol.governor, args.proposal, "--proposal");
    console.log(formatProposal(protocol, await readProposal(protocol.governor, id, { fromBlock })));
  });
}
