import { emptyTask, task } from "hardhat/config";

/** Where `beacon run` serves by default, and where the other beacon tasks look for it. */
/** Where `beacon run` serves its Beacon API by default, and where the tasks that read one look first. */
export const DEFAULT_BEACON_URL = "http://127.0.0.1:5052";

/**
 * The beacon simulator's tasks, definitions only: `beacon run` beside a chain (`--network localhost` beside
 * `npx hardhat node --hostname 127.0.0.1`), and tasks that drive or read it over its Beacon API from another terminal.
 */
export const beaconTaskDefinitions = [
  emptyTask(
    "beacon",
    "Local beacon chain beside a Hardhat node: run the simulator, advance it, slash, show status",
  ).build(),
  task(
    ["beacon", "run"],
    "Run the beacon simulator and its Beacon API beside the chain of --network until Ctrl-C (use --network localhost)",
  )
    .addOption({ name: "port", description: "Beacon API port on 127.0.0.1 (0 picks a free one)", defaultValue: "5052" })
    .addOption({
      name: "preset",
      description: "Spec constants: mainnet (12 s slots, 32-slot epochs) or minimal (6 s slots, 8-slot epochs)",
      defaultValue: "mainnet",
    })
    .addOption({
      name: "rewardRateBps",
      description: "Consensus rewards in basis points a year of effective balance (300 = 3 %)",
      defaultValue: "300",
    })
    .addOption({
      name: "elRewardGwei",
      description: "Execution-layer reward of each proposed block in gwei, paid to --fee-recipient",
      defaultValue: "10000000",
    })
    .addOption({
      name: "feeRecipient",
      description:
        "Fee recipient of every validator (default: the Plural deployment's execution-rewards vault, else none)",
      defaultValue: "",
    })
    .addOption({
      name: "depositContract",
      description: "Deposit contract to follow (default: the one of the Plural deployment on --network)",
      defaultValue: "",
    })
    .addOption({
      name: "historyEpochs",
      description: "Past epochs whose states the API can serve (at least 3; a day's frame is 225 epochs)",
      defaultValue: "256",
    })
    .addOption({
      name: "genesisTime",
      description:
        "Unix time of slot 0 (default: the Plural deployment's oracle genesis, else the latest block's time)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/beaconRun.js"))
    .build(),
  task(["beacon", "advance"], "Move a running simulator's chain forward by whole epochs, then let it catch up")
    .addOption({ name: "epochs", description: "Epochs to advance, 1 to 1000000 (required)", defaultValue: "" })
    .addOption({ name: "url", description: "The simulator's Beacon API", defaultValue: DEFAULT_BEACON_URL })
    .setAction(() => import("./actions/beaconAdvance.js"))
    .build(),
  task(
    ["beacon", "slash"],
    "Slash a validator on a running simulator (initial penalty now, exit and delayed withdrawal)",
  )
    .addPositionalArgument({ name: "validator", description: "Validator index, or its 0x-prefixed 48-byte public key" })
    .addOption({ name: "url", description: "The simulator's Beacon API", defaultValue: DEFAULT_BEACON_URL })
    .setAction(() => import("./actions/beaconSlash.js"))
    .build(),
  task(["beacon", "status"], "Show a beacon node's head, finality and validators by status (any Beacon API)")
    .addOption({ name: "url", description: "The Beacon API to read", defaultValue: DEFAULT_BEACON_URL })
    .setAction(() => import("./actions/beaconStatus.js"))
    .build(),
];
