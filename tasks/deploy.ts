import { emptyTask, overrideTask, task } from "hardhat/config";

/**
 * Deploying Plural to a public network, definitions only: `deploy check` validates a parameter file against the
 * chain and prints the plan; the override of `ignition deploy` runs the same check first whenever the module is
 * deploy/modules/Plural.ts, so that a deployment with a missing or invalid parameter is refused before anything is
 * sent.
 */
export const deployTaskDefinitions = [
  emptyTask("deploy", "Check a deployment of Plural to a public network before Ignition sends anything").build(),
  task(
    ["deploy", "check"],
    "Validate a parameter file of the Plural module against the network (chain id, deposit contract, genesis " +
      "time, bounds, quorums, addresses, the deployer's balance) and print the plan; sends nothing",
  )
    .addOption({
      name: "parameters",
      description: "The Ignition parameter file (default: deploy/parameters/<network>.json)",
      defaultValue: "",
    })
    .addOption({
      name: "deploymentId",
      description:
        "Ignition's --deployment-id, whose record is checked (default: PLURAL_DEPLOYMENT_ID, else chain-<id>)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/deployCheck.js"))
    .build(),
  overrideTask(["ignition", "deploy"])
    .setAction(() => import("./actions/deployGuard.js"))
    .build(),
];
