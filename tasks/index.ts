import { emptyTask, task } from "hardhat/config";

import { beaconTaskDefinitions, DEFAULT_BEACON_URL } from "./beacon.js";
import { dashboardTaskDefinitions } from "./dashboard.js";
import { deployTaskDefinitions } from "./deploy.js";
import { govTaskDefinitions } from "./gov.js";
import { oracleTaskDefinitions } from "./oracle.js";
import { withdrawalsTaskDefinitions } from "./withdrawals.js";

/** A task governance runs through the timelock: who proposes, and (local chains only) skipping the delay. */
function governanceTask(id: string[], description: string) {
  return task(id, description)
    .addOption({
      name: "from",
      description: "Governance account proposing to the timelock (default: the first local account that may)",
      defaultValue: "",
    })
    .addFlag({
      name: "skipDelay",
      description: "Local chains only: move the clock past the timelock delay and execute at once",
    });
}

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
  emptyTask("keys", "Generate and check validator keys and deposit data").build(),
  task(
    ["keys", "verify"],
    "Verify every deposit of a deposit_data-*.json file (signatures, roots, amounts, duplicates)",
  )
    .addPositionalArgument({ name: "file", description: "Path of the deposit_data-*.json file" })
    .addOption({
      name: "chain",
      description: "Beacon network the deposits are for: mainnet, sepolia, holesky, hoodi or local",
      defaultValue: "local",
    })
    .addOption({
      name: "withdrawalAddress",
      description: "Require 0x01 withdrawal credentials to this address (default: any valid credentials)",
      defaultValue: "",
    })
    .addFlag({
      name: "protocol",
      description:
        "Also check against Plural on --network: the vault's credentials, keys already submitted, deposits made",
    })
    .setAction(() => import("./actions/keysVerify.js"))
    .build(),
  task(
    ["keys", "generate"],
    "Derive validator keys from a mnemonic: deposit data and keystores as the deposit CLI writes",
  )
    .addOption({ name: "count", description: "How many validators", defaultValue: "1" })
    .addOption({
      name: "start",
      description: "First validator index (EIP-2334 m/12381/3600/<i>/0/0)",
      defaultValue: "0",
    })
    .addOption({
      name: "chain",
      description: "Beacon network: mainnet, sepolia, holesky, hoodi or local",
      defaultValue: "local",
    })
    .addOption({
      name: "withdrawalAddress",
      description: "0x01 withdrawal credentials to this address (default: 0x00 credentials from the withdrawal key)",
      defaultValue: "",
    })
    .addOption({ name: "outDir", description: "Folder for the files", defaultValue: "validator_keys" })
    .addOption({
      name: "mnemonicFile",
      description: "File holding the mnemonic (default: the PLURAL_MNEMONIC variable)",
      defaultValue: "",
    })
    .addOption({
      name: "passwordFile",
      description: "File holding the keystore password (default: the PLURAL_KEYSTORE_PASSWORD variable)",
      defaultValue: "",
    })
    .addFlag({ name: "noKeystores", description: "Write the deposit data only" })
    .addOption({
      name: "depositCliVersion",
      description: "deposit_cli_version to record (default 2.8.0)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/keysGenerate.js"))
    .build(),
  task(
    ["keys", "split"],
    "Trusted dealer, the weaker model (this machine holds the whole key): split existing validator keys into " +
      "member share files. Prefer `dkg deal` for new keys: no one ever holds them whole",
  )
    .addOption({ name: "threshold", description: "Shares needed to sign (2 to --members)", defaultValue: "" })
    .addOption({ name: "members", description: "Members of the cluster (2 to 255)", defaultValue: "" })
    .addOption({
      name: "secretKeyFile",
      description: "File of secret keys to split, one 32-byte hex key a line (or use --keystore)",
      defaultValue: "",
    })
    .addOption({ name: "keystore", description: "EIP-2335 keystore of the key to split", defaultValue: "" })
    .addOption({
      name: "passwordFile",
      description: "File holding the keystore password (default: the PLURAL_KEYSTORE_PASSWORD variable)",
      defaultValue: "",
    })
    .addOption({ name: "outDir", description: "Folder for the share files", defaultValue: "cluster_keys" })
    .setAction(() => import("./actions/keysSplit.js"))
    .build(),
  task(["keys", "sign-share"], "Sign the 32 ETH deposit of each group key with one member's share")
    .addOption({ name: "share", description: "The member's secret-share-<member>.json", defaultValue: "" })
    .addOption({
      name: "withdrawalAddress",
      description: "0x01 withdrawal credentials to this address (required)",
      defaultValue: "",
    })
    .addOption({
      name: "chain",
      description: "Beacon network: mainnet, sepolia, holesky, hoodi or local",
      defaultValue: "local",
    })
    .addOption({
      name: "outDir",
      description: "Folder for partial-signatures-<member>.json (default: the share file's folder)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/keysSignShare.js"))
    .build(),
  task(
    ["keys", "combine"],
    "Verify members' partial deposit signatures, combine threshold of them and write a deposit_data-*.json",
  )
    .addVariadicArgument({ name: "partials", description: "partial-signatures-<member>.json files", defaultValue: [] })
    .addOption({
      name: "withdrawalAddress",
      description: "The withdrawal address the members signed for (required)",
      defaultValue: "",
    })
    .addOption({
      name: "chain",
      description: "Beacon network: mainnet, sepolia, holesky, hoodi or local",
      defaultValue: "local",
    })
    .addOption({
      name: "threshold",
      description: "Require this threshold (default: the one in the files)",
      defaultValue: "",
    })
    .addOption({
      name: "group",
      description: "group-key.json the partials must be for (default: they must agree among themselves)",
      defaultValue: "",
    })
    .addOption({ name: "outDir", description: "Folder for the deposit data file", defaultValue: "validator_keys" })
    .setAction(() => import("./actions/keysCombine.js"))
    .build(),
  emptyTask("dkg", "Create threshold validator keys among a cluster's members by exchanging files").build(),
  task(
    ["dkg", "deal"],
    "DKG round 1: deal this member's shares for every member (secret files) and publish its commitments",
  )
    .addOption({ name: "member", description: "This member's number (1 to --members)", defaultValue: "" })
    .addOption({ name: "threshold", description: "Shares needed to sign (2 to --members)", defaultValue: "" })
    .addOption({ name: "members", description: "Members of the cluster (2 to 255)", defaultValue: "" })
    .addOption({ name: "validators", description: "Validator keys to create in this session", defaultValue: "1" })
    .addOption({ name: "outDir", description: "Folder for the deal files", defaultValue: "cluster_keys" })
    .setAction(() => import("./actions/dkgDeal.js"))
    .build(),
  task(
    ["dkg", "finish"],
    "DKG round 2: check the deals sent to this member and write its share and the group keys, or list complaints",
  )
    .addVariadicArgument({
      name: "files",
      description: "dkg-deal-from-*-to-<member>.json files (and dkg-commitments-from-*.json to check against)",
      defaultValue: [],
    })
    .addOption({ name: "member", description: "This member's number", defaultValue: "" })
    .addOption({
      name: "inDir",
      description: "Read this member's deals and all commitments from this folder instead",
      defaultValue: "",
    })
    .addOption({
      name: "outDir",
      description: "Folder for secret-share-<member>.json and group-key.json",
      defaultValue: "cluster_keys",
    })
    .addOption({
      name: "exclude",
      description: "Dealers the cluster agreed to leave out after complaints, e.g. 2,4",
      defaultValue: "",
    })
    .setAction(() => import("./actions/dkgFinish.js"))
    .build(),
  task(["pool", "stake"], "Deposit buffered ETH to validators, 32 ETH each, with a guardian attestation")
    .addOption({ name: "attestation", description: "The attestation file guardian attest wrote", defaultValue: "" })
    .addOption({ name: "max", description: "Most validators in this transaction", defaultValue: "50" })
    .addOption({
      name: "from",
      description: "Account sending the transaction (anyone may): an address or index (default: the first)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/poolStake.js"))
    .build(),
  emptyTask(
    "operators",
    "Node operators: add, vet, deactivate, list with decentralization figures, exit requests and the exit daemon",
  ).build(),
  task(["operators", "list"], "Each operator's keys and share of validators; Nakamoto coefficient and HHI")
    .setAction(() => import("./actions/operatorsList.js"))
    .build(),
  task(
    ["operators", "exits"],
    "What each operator must exit: requests, exits owed, deadlines and penalties; with --beacon-url, which requested " +
      "validators are not exiting yet",
  )
    .addOption({
      name: "operator",
      description: "Also list this operator's requested keys and their state (default: the table only)",
      defaultValue: "",
    })
    .addOption({
      name: "beaconUrl",
      description: "A Beacon API to read the requested validators from (default: none, states unknown)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/operatorsExits.js"))
    .build(),
  task(
    ["operators", "exit-daemon"],
    "Run an operator's exit daemon: sign and submit a voluntary exit for each validator the registry asks it to exit " +
      "(Ctrl-C stops)",
  )
    .addOption({ name: "operator", description: "The operator's id (required)", defaultValue: "" })
    .addOption({
      name: "mnemonicFile",
      description: "File holding the operator's mnemonic (default: the PLURAL_MNEMONIC variable)",
      defaultValue: "",
    })
    .addOption({
      name: "keyStart",
      description: "With the mnemonic: first validator index to derive (m/12381/3600/<i>/0/0; default 0)",
      defaultValue: "",
    })
    .addOption({
      name: "keyCount",
      description: "With the mnemonic: how many validator keys to derive (default 100)",
      defaultValue: "",
    })
    .addOption({
      name: "keystores",
      description: "Instead of a mnemonic: a folder of EIP-2335 keystore*.json files",
      defaultValue: "",
    })
    .addOption({
      name: "passwordFile",
      description: "With --keystores: file holding their password (default: the PLURAL_KEYSTORE_PASSWORD variable)",
      defaultValue: "",
    })
    .addOption({
      name: "beaconUrl",
      description: "The Beacon API to submit exits to (a real beacon node or `beacon run`)",
      defaultValue: DEFAULT_BEACON_URL,
    })
    .addOption({
      name: "delay",
      description: "Seconds to wait after a request's block before exiting its validator (0 to 2592000)",
      defaultValue: "0",
    })
    .addOption({
      name: "pollMs",
      description: "How often to look at the chain and the beacon node, in ms (100-600000)",
      defaultValue: "2000",
    })
    .addFlag({ name: "once", description: "Do one pass over the requests, print a summary and stop" })
    .setAction(() => import("./actions/operatorsExitDaemon.js"))
    .build(),
  task(
    ["operators", "claim-fees"],
    "Send an operator's fees (plETH) to its reward address; anyone may send the claim, the plETH goes to the " +
      "operator's reward address only",
  )
    .addPositionalArgument({ name: "operatorId", description: "Operator id" })
    .addOption({
      name: "from",
      description: "Account sending the transaction (anyone may): an address or index (default: the first)",
      defaultValue: "",
    })
    .setAction(() => import("./actions/operatorsClaimFees.js"))
    .build(),
  governanceTask(["operators", "add"], "Governance adds an operator, or with --threshold and --members a DV cluster")
    .addPositionalArgument({ name: "name", description: "The operator's display name" })
    .addOption({
      name: "manager",
      description: "Address (or account index) that submits and drops its keys",
      defaultValue: "",
    })
    .addOption({ name: "rewardAddress", description: "Where its fees go (default: the manager)", defaultValue: "" })
    .addOption({ name: "threshold", description: "Cluster only: signatures needed (t of n)", defaultValue: "" })
    .addOption({
      name: "members",
      description: "Cluster only: the members' addresses, comma-separated",
      defaultValue: "",
    })
    .setAction(() => import("./actions/operatorsAdd.js"))
    .build(),
  governanceTask(["operators", "vet"], "Governance lets an operator's first N keys be deposited")
    .addOption({ name: "operator", description: "Operator id", defaultValue: "" })
    .addOption({ name: "keys", description: "How many of its keys, counted from the first", defaultValue: "" })
    .setAction(() => import("./actions/operatorsVet.js"))
    .build(),
  governanceTask(
    ["operators", "deactivate"],
    "Governance stops new validators going to an operator and unvets its unused keys",
  )
    .addPositionalArgument({ name: "operator", description: "Operator id" })
    .setAction(() => import("./actions/operatorsDeactivate.js"))
    .build(),
  governanceTask(
    ["operators", "activate"],
    "Governance lets a deactivated operator receive validators again (after vetting)",
  )
    .addPositionalArgument({ name: "operator", description: "Operator id" })
    .setAction(() => import("./actions/operatorsActivate.js"))
    .build(),
  task(["keys", "submit"], "Verify a deposit data file completely, then commit its keys for an operator")
    .addPositionalArgument({ name: "file", description: "Path of the deposit_data-*.json file" })
    .addOption({ name: "operator", description: "Operator id", defaultValue: "" })
    .addOption({
      name: "from",
      description: "The operator's manager account: an address or index (default: the first)",
      defaultValue: "",
    })
    .addOption({ name: "batchSize", description: "Keys per transaction (1-1000)", defaultValue: "100" })
    .setAction(() => import("./actions/keysSubmit.js"))
    .build(),
  emptyTask("guardian", "Deposit guardians: check the keys about to be deposited and attest").build(),
  task(["guardian", "attest"], "Run every guardian check and sign an attestation for the next validator deposit")
    .addOption({
      name: "guardian",
      description: "Guardian account(s): addresses or indices, comma-separated (each signs)",
      defaultValue: "",
    })
    .addOption({
      name: "block",
      description: "Attest this block (so guardians on several machines sign the same one; default: latest)",
      defaultValue: "",
    })
    .addOption({
      name: "out",
      description: "Attestation file; signatures are added to it when it exists",
      defaultValue: "attestation.json",
    })
    .setAction(() => import("./actions/guardianAttest.js"))
    .build(),
  ...beaconTaskDefinitions,
  ...oracleTaskDefinitions,
  ...withdrawalsTaskDefinitions,
  ...govTaskDefinitions,
  ...deployTaskDefinitions,
  ...dashboardTaskDefinitions,
];
