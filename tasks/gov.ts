import { emptyTask, task } from "hardhat/config";

/** A task that moves a proposal or operation one step: who sends it, and (local chains) moving the clock there. */
function stepTask(id: string[], description: string) {
  return task(id, description)
    .addPositionalArgument({
      name: "proposalId",
      description: "The proposal id (or its first digits, as gov status shows them), or a timelock operation's 0x id",
    })
    .addOption({
      name: "from",
      description: "Account sending the transaction: an address or account index (default: the first that may)",
      defaultValue: "",
    })
    .addFlag({
      name: "advance",
      description: "Local chains only: move the clock to the moment this step becomes possible",
    });
}

/** Governance's tasks, definitions only: propose, vote, queue, execute, status, delegate and the guardian's pause. */
export const govTaskDefinitions = [
  emptyTask("gov", "Governance: propose, vote, queue, execute, status, and the guardian's emergency pause").build(),
  task(
    ["gov", "propose"],
    "Propose a named action or a JSON file of calls: to the Governor (token governance), the governance timelock " +
      "(multisig governance), or with --operations the operations timelock",
  )
    .addPositionalArgument({
      name: "action",
      description:
        "set-fee, add-operator, vet-keys, set-oracle-quorum, accept-loss, force-exit, upgrade, grant-pause or " +
        "resume-pause (none with --calls)",
      defaultValue: "",
    })
    .addOption({ name: "treasuryBps", description: "set-fee: the treasury's fee, basis points", defaultValue: "" })
    .addOption({ name: "operatorBps", description: "set-fee: the operators' fee, basis points", defaultValue: "" })
    .addOption({ name: "name", description: "add-operator: the operator's display name", defaultValue: "" })
    .addOption({
      name: "manager",
      description: "add-operator: address (or account index) that submits its keys",
      defaultValue: "",
    })
    .addOption({
      name: "rewardAddress",
      description: "add-operator: where its fees go (default: the manager)",
      defaultValue: "",
    })
    .addOption({
      name: "threshold",
      description: "add-operator, cluster: signatures needed (t of n)",
      defaultValue: "",
    })
    .addOption({
      name: "members",
      description: "add-operator, cluster: the members' addresses, comma-separated",
      defaultValue: "",
    })
    .addOption({ name: "operator", description: "vet-keys: the operator id", defaultValue: "" })
    .addOption({ name: "keys", description: "vet-keys: how many of its keys, from the first", defaultValue: "" })
    .addOption({
      name: "quorum",
      description: "set-oracle-quorum: oracle members that must agree",
      defaultValue: "",
    })
    .addOption({ name: "amount", description: "accept-loss: ETH of loss accepted beyond the bound", defaultValue: "" })
    .addOption({
      name: "untilRefSlot",
      description: "accept-loss: the last reference slot the allowance is for",
      defaultValue: "",
    })
    .addOption({
      name: "pubkeys",
      description: "force-exit: validator pubkeys, comma-separated",
      defaultValue: "",
    })
    .addOption({ name: "maxFee", description: "force-exit: the most ETH paid per exit request", defaultValue: "" })
    .addOption({
      name: "value",
      description: "force-exit: ETH the executor sends to pay the fees (default 0: the vault pays)",
      defaultValue: "",
    })
    .addOption({
      name: "contract",
      description:
        "upgrade: StakingPool, OperatorRegistry, DepositGuard, WithdrawalVault, ExecutionRewardsVault, " +
        "AccountingOracle, WithdrawalQueue or EmergencyPause",
      defaultValue: "",
    })
    .addOption({
      name: "implementation",
      description: "upgrade: the new implementation's address (or --deploy)",
      defaultValue: "",
    })
    .addFlag({
      name: "deploy",
      description: "upgrade: deploy the current artifact as the new implementation first",
    })
    .addOption({ name: "guardian", description: "grant-pause: the account granted one pause", defaultValue: "" })
    .addOption({
      name: "targets",
      description: "resume-pause: deposits, withdrawals, staking, comma-separated",
      defaultValue: "",
    })
    .addOption({
      name: "calls",
      description: 'A JSON file of calls: [{"target", "value"?, "signature", "args"} or {"target", "value"?, "data"}]',
      defaultValue: "",
    })
    .addOption({
      name: "description",
      description: "The proposal's description (default: one generated from the action)",
      defaultValue: "",
    })
    .addFlag({
      name: "operations",
      description: "Schedule on the operations timelock (add-operator and vet-keys only)",
    })
    .addFlag({
      name: "noSimulate",
      description: "Do not try the calls against today's state first (for calls that need an earlier one)",
    })
    .addFlag({
      name: "dryRun",
      description: "Check and print the proposal and the transaction that makes it, without sending (for a Safe)",
    })
    .addOption({
      name: "from",
      description: "The proposer: an address or account index (default: the first account that may)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/govPropose.js"))
    .build(),
  stepTask(["gov", "vote"], "Vote on an active proposal with the votes delegated to you at its snapshot")
    .addOption({ name: "support", description: "for, against or abstain", defaultValue: "" })
    .addOption({ name: "reason", description: "A reason recorded with the vote", defaultValue: "" })
    .setAction(() => import("./actions/govVote.js"))
    .build(),
  stepTask(["gov", "queue"], "Queue a succeeded proposal on the timelock")
    .setAction(() => import("./actions/govQueue.js"))
    .build(),
  stepTask(
    ["gov", "execute"],
    "Execute a queued proposal, or a timelock operation (multisig or operations timelock) by its 0x id, once its " +
      "delay has passed",
  )
    .setAction(() => import("./actions/govExecute.js"))
    .build(),
  task(
    ["gov", "cancel"],
    "Cancel a timelock operation by its 0x id (a canceller: its proposer, the governance timelock, or the pause " +
      "guardian on the operations timelock), or withdraw your own proposal before its vote starts",
  )
    .addPositionalArgument({
      name: "proposalId",
      description:
        "A timelock operation's 0x id, or your proposal's id (or its first digits, as gov status shows them)",
    })
    .addOption({
      name: "from",
      description: "Account cancelling: an address or account index (default: the first that may)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/govCancel.js"))
    .build(),
  task(
    ["gov", "status"],
    "Governance's setup, the emergency pause, and every proposal (or timelock operation) with its state and votes",
  )
    .addOption({
      name: "proposal",
      description: "Show this proposal (or timelock operation) in full",
      defaultValue: "",
    })
    .setAction(() => import("./actions/govStatus.js"))
    .build(),
  task(["gov", "delegate"], "Delegate your PLURAL votes (to yourself, to vote with them)")
    .addOption({
      name: "to",
      description: "The delegate: an address or account index (default: yourself)",
      defaultValue: "",
    })
    .addOption({
      name: "from",
      description: "The holder: an address or account index (default: the first)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/govDelegate.js"))
    .build(),
  task(["gov", "pause"], "The pause guardian stops deposits, withdrawals or staking at once, for a bounded time, once")
    .addPositionalArgument({ name: "targets", description: "deposits, withdrawals, staking: comma-separated" })
    .addOption({ name: "duration", description: "How long: seconds, or e.g. 90m, 2h, 1d", defaultValue: "" })
    .addOption({
      name: "from",
      description: "The guardian: an address or account index (default: the network's account that is the guardian)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/govPause.js"))
    .build(),
];
