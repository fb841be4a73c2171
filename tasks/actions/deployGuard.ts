import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { TaskArguments } from "hardhat/types/tasks";

import { UserInputError } from "../../lib/errors.js";
import { reportingUserErrors } from "./userErrors.js";
import { checkBeforeDeploying, PLURAL_MODULE_FILE } from "./deployShared.js";

/** The arguments of Ignition's `ignition deploy` that the check reads. */
interface IgnitionDeployArguments {
  modulePath: string;
  parameters?: string;
  deploymentId?: string;
  defaultSender?: string;
  reset: boolean;
  verify: boolean;
}

/**
 * `ignition deploy` of deploy/modules/Plural.ts runs `deploy check` first and goes on only when it passes; any other
 * module deploys as Ignition alone would.
 */
export default async function deployGuardAction(
  taskArguments: TaskArguments,
  hre: HardhatRuntimeEnvironment,
  runSuper: (taskArguments: TaskArguments) => Promise<unknown>,
): Promise<unknown> {
  const args = taskArguments as IgnitionDeployArguments;
  if (path.resolve(args.modulePath) !== PLURAL_MODULE_FILE) return runSuper(taskArguments);
  let cleared = false;
  await reportingUserErrors(async () => {
    if (args.parameters === undefined || args.parameters === "" || !/\.json5?$/.test(args.parameters)) {
      throw new UserInputError(
        "deploy/modules/Plural.ts deploys from a parameter file: add --parameters deploy/parameters/<network>.json",
      );
    }
    await checkBeforeDeploying(hre, {
      parametersFile: args.parameters,
      // Ignition's own default: the chain's id.
      deploymentId: (chainId) => args.deploymentId ?? `chain-${chainId}`,
      ...(args.defaultSender === undefined ? {} : { defaultSender: args.defaultSender }),
      etherscanKey: args.verify ? "problem" : "skip",
      ignoreRecord: args.reset,
    });
    console.log("deploy check: all checks passed\n");
    cleared = true;
  });
  return cleared ? runSuper(taskArguments) : null;
}
