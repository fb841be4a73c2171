import { task } from "hardhat/config";

import { DEFAULT_BEACON_URL } from "./beacon.js";

/** `dashboard`, definitions only: a live web page of the protocol's health beside a node and a Beacon API. */
export const dashboardTaskDefinitions = [
  task(
    "dashboard",
    "Serve a live web page of the pool, validators, operators, withdrawals, governance and oracle on 127.0.0.1 " +
      "(Ctrl-C stops)",
  )
    .addOption({ name: "port", description: "Port to serve on (0 picks a free one)", defaultValue: "8080" })
    .addOption({
      name: "beaconUrl",
      description: "The Beacon API to read validators from (a real beacon node or `beacon run`)",
      defaultValue: DEFAULT_BEACON_URL,
    })
    .addOption({
      name: "host",
      description: "Interface to listen on: a loopback address unless --allow-remote",
      defaultValue: "127.0.0.1",
    })
    .addFlag({
      name: "allowRemote",
      description: "Serve on a non-loopback --host: anyone who can reach it sees the page",
    })
    .addOption({
      name: "pollMs",
      description: "How often to look for a new block or beacon head, in ms (100-600000)",
      defaultValue: "1000",
    })
    .setAction(() => import("./actions/dashboard.js"))
    .build(),
];
