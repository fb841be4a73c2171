import { emptyTask, task } from "hardhat/config";

/** Definitions only: each action is loaded when its task runs. */
export const taskDefinitions = [
  emptyTask("pool", "Deposit ETH for plETH and read the pool's state").build(),
  task(["pool", "deposit"], "Deposit ETH and receive plETH at the current rate")
    .addPositionalArgument({ name: "amount", description: "ETH to deposit, e.g. 1.5 (at most 18 decimals)" })
    .addOption({ name: "referral", description: "Address credited as the referrer (default: none)", defaultValue: "" })
    .addOption({
      name: "from",
      description: "Account to deposit from: an address or an account index (default: the first account)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/deposit.js"))
    .build(),
  task(["pool", "status"], "Show the pool's accounting, stake limit and an account's plETH")
    .addOption({
      name: "account",
      description: "Address or account index whose plETH to show (default: the first account)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/status.js"))
    .build(),
];
