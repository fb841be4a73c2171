import { emptyTask, task } from "hardhat/config";

import { DEFAULT_BEACON_URL } from "./beacon.js";

/**
 * The accounting oracle's tasks, definitions only: `oracle run` for committee members (one process per member, or
 * several members in one), `oracle status` for anyone.
 */
export const oracleTaskDefinitions = [
  emptyTask("oracle", "The accounting oracle: run committee members, show the frame, the vote and the bounds").build(),
  task(
    ["oracle", "run"],
    "Run oracle members: for each frame, build the report from a Beacon API and the chain, and vote (Ctrl-C stops)",
  )
    .addOption({
      name: "member",
      description: "Committee member account(s): indices or addresses the network holds keys for, comma-separated",
      defaultValue: "",
    })
    .addOption({
      name: "beaconUrl",
      description: "The Beacon API to read (a real beacon node or `beacon run`)",
      defaultValue: DEFAULT_BEACON_URL,
    })
    .addOption({
      name: "pollMs",
      description: "How often to look at the chain, in ms (100-600000)",
      defaultValue: "2000",
    })
    .addOption({
      name: "frames",
      description: "Stop after this many frames are reported (default: run until Ctrl-C)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/oracleRun.js"))
    .build(),
  task(["oracle", "status"], "Show the current frame, each member's vote, the consensus and the sanity bounds")
    .setAction(() => import("./actions/oracleStatus.js"))
    .build(),
];
