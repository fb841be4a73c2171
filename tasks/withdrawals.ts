import { emptyTask, task } from "hardhat/config";

/** The withdrawal queue's tasks: request, list, claim, status. Definitions only. */
export const withdrawalsTaskDefinitions = [
  emptyTask("withdrawals", "Turn plETH back into ETH: request, list, claim, and the queue's status").build(),
  task(["withdrawals", "request"], "Request a withdrawal: lock plETH in the queue and receive a request NFT")
    .addPositionalArgument({ name: "amount", description: 'plETH to withdraw, e.g. 1.5, or "all"' })
    .addOption({
      name: "owner",
      description: "Owner of the request NFTs: an address or account index (default: the sender)",
      defaultValue: "",
    })
    .addOption({
      name: "from",
      description: "Account whose plETH is withdrawn: an address or account index (default: the first account)",
      defaultValue: "",
    })
    .addFlag({
      name: "noPermit",
      description:
        "Approve the queue in a separate transaction instead of signing a permit (for wallets that cannot sign typed data)",
    })
    .setAction(() => import("./actions/withdrawalsRequest.js"))
    .build(),
  task(["withdrawals", "list"], "List withdrawal requests with their status and claimable ETH")
    .addOption({
      name: "owner",
      description: "Only the requests this address or account index holds or claimed (default: all)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/withdrawalsList.js"))
    .build(),
  task(["withdrawals", "claim"], "Claim the ETH of finalized requests you own (their NFTs are burned)")
    .addVariadicArgument({ name: "ids", description: "Request ids", defaultValue: [] })
    .addFlag({ name: "all", description: "Claim every finalized request the sender owns" })
    .addOption({
      name: "receiver",
      description: "Where the ETH goes: an address or account index (default: the sender)",
      defaultValue: "",
    })
    .addOption({
      name: "from",
      description: "The requests' owner, sending the claim: an address or account index (default: the first)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/withdrawalsClaim.js"))
    .build(),
  task(["withdrawals", "status"], "The queue: unfinalized demand, locked ETH, bunker mode, expected wait")
    .setAction(() => import("./actions/withdrawalsStatus.js"))
    .build(),
];
