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
];
