import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { deploymentId as defaultDeploymentId } from "../../lib/deployment.js";
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
