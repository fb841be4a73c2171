import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { checkOperationsPlan, planFromArguments, type ProposeArguments } from "../../lib/govActions.js";
import { requireTimelockProposer } from "../../lib/governance.js";
import {
  earliestExecution,
  formatDryRun,
  formatSubmission,
  requireProposalVotes,
  submissionTransaction,
  submitPlan,
} from "../../lib/governor.js";
import { resolveProposer } from "../../lib/operators.js";
import { connectGovernance } from "./govShared.js";
import { reportingUserErrors } from "./userErrors.js";

interface GovProposeArguments extends ProposeArguments {
  description: string;
  operations: boolean;
  noSimulate: boolean;
  dryRun: boolean;
  from: string;
}

export default async function govProposeAction(args: GovProposeArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { ethers, protocol } = await connectGovernance(hre);
    const { description, operations, noSimulate, dryRun, from, ...proposal } = args;
    if (operations && protocol.operationsTimelock === undefined) {
      checkOperationsPlan(protocol, { action: "calls", operationsAllowed: true });
    }
    // The proposer: on the operations timelock or under multisig governance, an account holding PROPOSER_ROLE; under
    // token governance, any account whose votes reach the threshold. A dry run proposes elsewhere (a Safe): any
    // account then, which deploys the implementation of `upgrade --deploy`.
    const proposer = dryRun
      ? await resolveSigner(ethers, from, "--from")
      : operations
        ? await resolveProposer(ethers, protocol.operationsTimelock!, from)
        : protocol.governor === undefined
          ? await resolveProposer(ethers, protocol.timelock, from)
          : await resolveSigner(ethers, from, "--from");
    // Before planning: `upgrade --deploy` sends its deployment while planning.
    if (!dryRun) {
      if (operations || protocol.governor === undefined) {
        await requireTimelockProposer(
          operations ? protocol.operationsTimelock! : protocol.timelock,
          proposer.address,
          operations ? "the operations timelock" : "the governance timelock",
        );
      } else {
        await requireProposalVotes(protocol.governor, protocol.token!, proposer.address);
      }
    }
    const plan = await planFromArguments(protocol, proposal, {
      ethers,
      deployer: proposer,
      earliestExecution: await earliestExecution(protocol, operations),
      operations,
      ...(noSimulate
        ? {}
        : { simulateAs: operations ? protocol.addresses.operationsTimelock! : protocol.addresses.timelock }),
    });
    const options = { description: description.trim() === "" ? plan.summary : description.trim(), operations };
    if (dryRun) {
      console.log(
        formatDryRun(protocol, plan, options.description, await submissionTransaction(protocol, plan, options)),
      );
      return;
    }
    console.log(formatSubmission(protocol, plan, await submitPlan(protocol, proposer, plan, options)));
  });
}
