import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { deploymentId as defaultDeploymentId } from "../../lib/deployment.js";
import { UserInputError } from "../../lib/errors.js";
import { reportingUserErrors } from "./userErrors.js";
import { checkBeforeDeploying, ignitionCommand } from "./deployShared.js";

interface DeployCheckArguments {
  parameters: string;
  deploymentId: string;
}

export default async function deployCheckAction(
  args: DeployCheckArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await reportingUserErrors(async () => {
    const given = args.deploymentId.trim();
    // Ignition's own rule, checked here so that the printed command is one Ignition accepts.
    if (given !== "" && !/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(given)) {
      throw new UserInputError(
        `--deployment-id "${args.deploymentId}" is not a deployment id Ignition accepts: expected a letter, then ` +
          `letters, digits, dashes and underscores`,
      );
    }
    const { report, networkName, deploymentId, parametersFile } = await checkBeforeDeploying(hre, {
      ...(args.parameters.trim() === "" ? {} : { parametersFile: args.parameters }),
      deploymentId: (chainId) => (given === "" ? defaultDeploymentId(chainId) : given),
      etherscanKey: "note",
    });
    console.log(report.plan);
    console.log(`\nAll checks passed. Deploy (and resume after any failure) with:\n`);
    console.log(`  ${ignitionCommand({ networkName, parametersFile, deploymentId, chainId: report.facts.chainId })}`);
  });
}
