/**
 * Every task refuses bad input before it sends anything. One row per task and bad input: the task, its arguments and
 * a fragment of the message, which names the argument and what was expected. Each row runs the task in-process on a
 * Hardhat runtime pointed at one `hardhat node` holding two deployments (multisig and token governance), and checks
 * that the task refused with that message, that no account's nonce moved, that no block was mined and that no file
 * was written. A meta-test reads the tasks the config registers and fails when one with arguments has no row, or when
 * one of its arguments is never given a bad value.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { HardhatError } from "@nomicfoundation/hardhat-errors";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { expect } from "chai";
import { getAddress, ZeroAddress } from "ethers";
import { task as defineTask } from "hardhat/config";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Task, TaskArguments } from "hardhat/types/tasks";

import config from "../hardhat.config.js";
import { PROJECT_ROOT, readDeployment } from "../lib/deployment.js";
import { freePort, type LocalNode, startNode } from "./helpers/node.js";

/** Which of the file's two deployments a row runs against. */
type Deployment = "multisig" | "governor";

/** One bad input of one task. */
interface BadInput {
  /** The task id, as typed: "pool deposit". */
  task: string;
  /** The argument given a bad value (its name in the task definition), for the coverage meta-test. */
  input: string;
  /** What is wrong with it, for the test's title. */
  why: string;
  /**
   * The task arguments, by name (options without their dashes, camelCase); the rest take their defaults. A function
   * value is called when the row runs, for what `before` makes (files, the proposal).
   */
  args: TaskArguments;
  /** A fragment of the refusal: it names the argument and what was expected. */
  message: RegExp;
  /** The deployment the task sees (PLURAL_DEPLOYMENT_ID); multisig governance unless said. */
  deployment?: Deployment;
}

/** Local accounts (deploy/parameters/local.json): #1 governance, #4 pause guardian, #10-#12 oracle members. */
const GOVERNANCE = "1";
/** An account that holds plETH (it deposits in `before`) and no other role. */
const HOLDER = "2";
/** An account that holds nothing and no role. */
const STRANGER = "5";
const NO_SUCH_ACCOUNT = "99";
/** Operator 0 is active with one key submitted; operator 1 is deactivated (both added in `before`). */
const INACTIVE_OPERATOR = "1";

const MALFORMED_ADDRESS = "0x1234";
/** Account #0's address with one letter's case flipped: a typo the checksum catches. */
const WRONG_CHECKSUM = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** A well-formed address the local node holds no key for. */
const FOREIGN_ADDRESS = getAddress("0x000000000000000000000000000000000000dead");
const A_PUBKEY = `0x${"ab".repeat(48)}`;
const AN_OPERATION_ID = `0x${"12".repeat(32)}`;
const NOT_A_URL = "127.0.0.1:5052";

describe("tasks refuse bad input", function () {
  this.timeout(300_000);

  // Named at load time, so that rows can name its files; created and filled in `before`.
  const workDir = path.join(tmpdir(), `plural-bad-input-${process.pid}-${Date.now()}`);
  const file = (name: string) => path.join(workDir, name);
  /** Where writing tasks are pointed: it must not exist after any row. */
  const OUT = file("out");
  const MISSING = file("missing.json");
  const MALFORMED = file("malformed.json");
  const WRONG_SCHEMA = file("wrong-schema.json");
  const EMPTY_LIST = file("empty-list.json");
  const MNEMONIC = file("mnemonic.txt");
  const BAD_MNEMONIC = file("bad-mnemonic.txt");
  const PASSWORD = file("password.txt");
  const SHORT_PASSWORD = file("short-password.txt");
  const BAD_SECRET_KEYS = file("secret-keys.txt");
  const ATTESTATION = file("attestation.json");
  const CALLS_NEITHER = file("calls-neither.json");
  const DEPOSIT_DATA_DIR = file("validator_keys");
  /** A valid deposit data file of one key (keys generate, in `before`). */
  let depositData = "";

  /** Arguments computed when a row runs, from files `before` made. */
  const keyFile = () => depositData;
  const CLUSTER_DIR = file("cluster");
  const clusterFile = (name: string) => path.join(CLUSTER_DIR, name);
  /** Members 1 and 2's partial signatures (keys sign-share in `before`), for FOREIGN_ADDRESS on the local chain. */
  const partials = () => [clusterFile("partial-signatures-1.json"), clusterFile("partial-signatures-2.json")];
  const accountZero = getAddress("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");

  const DEPOSIT_FILE_MESSAGES = {
    missing: /cannot read deposit data file .*missing\.json: ENOENT/,
    malformed: /malformed\.json is not valid JSON/,
    wrongSchema: /wrong-schema\.json: expected a JSON array of deposits, got an object/,
  };

  const PARAMETER_FILE_MESSAGES = {
    missing: /cannot read the parameter file .*missing\.json/,
    malformed: /cannot read the parameter file .*malformed\.json/,
    wrongSchema: /wrong-schema\.json has no "Plural" section: the Plural module reads its parameters there/,
  };

  const rows: BadInput[] = [
    // pool deposit
    ...amountRows("pool deposit", "amount", "ETH"),
    {
      task: "pool deposit",
      input: "amount",
      why: "above the account's balance",
      args: { amount: "20000" },
      message: /holds [\d,.]+ ETH, less than the 20,000 ETH to deposit/,
    },
    missingPositional("pool deposit", "amount", {}),
    ...addressRows("pool deposit", "referral", "--referral", { amount: "1" }),
    ...signerRows("pool deposit", "from", "--from", { amount: "1" }),

    // pool status
    ...addressRows("pool status", "account", "--account", {}),
    {
      task: "pool status",
      input: "account",
      why: "an index the network has no account for",
      args: { account: NO_SUCH_ACCOUNT },
      message: /--account 99: this network has 20 accounts, expected an index from 0 to 19/,
    },

    // pool stake
    ...["0", "-1", "ten"].map((max): BadInput => ({
      task: "pool stake",
      input: "max",
      why: `"${max}"`,
      args: { max, attestation: ATTESTATION },
      message: /--max "[^"]*": expected a whole number of validators, at least 1/,
    })),
    {
      task: "pool stake",
      input: "attestation",
      why: "missing",
      args: {},
      message: /--attestation is required: the file "guardian attest" wrote/,
    },
    ...badFileRows("pool stake", "attestation", (f) => ({ attestation: f }), {
      missing: /cannot read --attestation .*missing\.json/,
      malformed: /malformed\.json is not JSON/,
      wrongSchema: /wrong-schema\.json is not a Plural attestation: expected chainId, depositGuard/,
    }),
    {
      task: "pool stake",
      input: "from",
      why: "an index the network has no account for",
      args: { attestation: ATTESTATION, from: NO_SUCH_ACCOUNT },
      message: /--from 99: this network has 20 accounts/,
    },

    // keys verify
    ...badFileRows("keys verify", "file", (f) => ({ file: f }), DEPOSIT_FILE_MESSAGES),
    missingPositional("keys verify", "file", {}),
    {
      task: "keys verify",
      input: "chain",
      why: "an unknown network",
      args: { file: keyFile, chain: "marsnet" },
      message: /--chain "marsnet" is not a supported beacon network: expected one of mainnet/,
    },
    {
      task: "keys verify",
      input: "chain",
      why: "another network than --network's, with --protocol",
      args: { file: keyFile, chain: "mainnet", protocol: true },
      message: /--chain mainnet but --network localhost is local/,
    },
    ...addressRows("keys verify", "withdrawalAddress", "--withdrawal-address", { file: keyFile }),

    // keys generate
    ...countRows("keys generate", "count", "--count", 1, 10_000, { mnemonicFile: MNEMONIC, noKeystores: true }),
    ...countRows("keys generate", "start", "--start", 0, 2 ** 32 - 2, { mnemonicFile: MNEMONIC, noKeystores: true }),
    {
      task: "keys generate",
      input: "chain",
      why: "an unknown network",
      args: { mnemonicFile: MNEMONIC, noKeystores: true, chain: "marsnet" },
      message: /--chain "marsnet" is not a supported beacon network/,
    },
    ...addressRows("keys generate", "withdrawalAddress", "--withdrawal-address", {
      mnemonicFile: MNEMONIC,
      noKeystores: true,
    }),
    {
      task: "keys generate",
      input: "withdrawalAddress",
      why: "the zero address",
      args: { mnemonicFile: MNEMONIC, noKeystores: true, withdrawalAddress: ZeroAddress },
      message: /--withdrawal-address is the zero address: the validator's stake would be withdrawn to nobody/,
    },
    {
      task: "keys generate",
      input: "mnemonicFile",
      why: "a file that does not exist",
      args: { mnemonicFile: MISSING, noKeystores: true },
      message: /--mnemonic-file .*missing\.json: cannot read it/,
    },
    {
      task: "keys generate",
      input: "mnemonicFile",
      why: "not a BIP-39 mnemonic",
      args: { mnemonicFile: BAD_MNEMONIC, noKeystores: true },
      message: /mnemonic has 13 words: expected 12, 15, 18, 21 or 24 words/,
    },
    {
      task: "keys generate",
      input: "mnemonicFile",
      why: "neither given nor in PLURAL_MNEMONIC",
      args: { noKeystores: true },
      message: /no mnemonic: expected --mnemonic-file <path> or the PLURAL_MNEMONIC variable/,
    },
    {
      task: "keys generate",
      input: "passwordFile",
      why: "a file that does not exist",
      args: { mnemonicFile: MNEMONIC, passwordFile: MISSING },
      message: /--password-file .*missing\.json: cannot read it/,
    },
    {
      task: "keys generate",
      input: "passwordFile",
      why: "a password shorter than 8 characters",
      args: { mnemonicFile: MNEMONIC, passwordFile: SHORT_PASSWORD },
      message: /the keystore password is shorter than 8 characters/,
    },
    {
      task: "keys generate",
      input: "passwordFile",
      why: "neither given nor in PLURAL_KEYSTORE_PASSWORD",
      args: { mnemonicFile: MNEMONIC },
      message: /no keystore password: expected --password-file <path> or the PLURAL_KEYSTORE_PASSWORD variable/,
    },
    outDirIsFileRow("keys generate", { mnemonicFile: MNEMONIC, noKeystores: true }),

    // keys split
    ...clusterRows("keys split", { secretKeyFile: BAD_SECRET_KEYS }),
    {
      task: "keys split",
      input: "secretKeyFile",
      why: "together with --keystore",
      args: { threshold: "2", members: "3", secretKeyFile: BAD_SECRET_KEYS, keystore: MALFORMED },
      message: /expected exactly one of --secret-key-file <path> and --keystore <path>/,
    },
    {
      task: "keys split",
      input: "secretKeyFile",
      why: "neither it nor --keystore",
      args: { threshold: "2", members: "3" },
      message: /expected exactly one of --secret-key-file <path> and --keystore <path>/,
    },
    {
      task: "keys split",
      input: "secretKeyFile",
      why: "a file that does not exist",
      args: { threshold: "2", members: "3", secretKeyFile: MISSING },
      message: /--secret-key-file .*missing\.json: cannot read it/,
    },
    {
      task: "keys split",
      input: "secretKeyFile",
      why: "a line that is not a secret key",
      args: { threshold: "2", members: "3", secretKeyFile: BAD_SECRET_KEYS },
      message: /secret-keys\.txt line 1: expected a secret key of 64 hex digits/,
    },
    {
      task: "keys split",
      input: "keystore",
      why: "a file that does not exist",
      args: { threshold: "2", members: "3", keystore: MISSING, passwordFile: PASSWORD },
      message: /--keystore .*missing\.json: cannot read it/,
    },
    {
      task: "keys split",
      input: "keystore",
      why: "malformed JSON",
      args: { threshold: "2", members: "3", keystore: MALFORMED, passwordFile: PASSWORD },
      message: /malformed\.json is not JSON/,
    },
    {
      task: "keys split",
      input: "keystore",
      why: "not an EIP-2335 keystore",
      args: { threshold: "2", members: "3", keystore: WRONG_SCHEMA, passwordFile: PASSWORD },
      message: /wrong-schema\.json: missing field version/,
    },
    {
      task: "keys split",
      input: "passwordFile",
      why: "a file that does not exist",
      args: { threshold: "2", members: "3", keystore: MALFORMED, passwordFile: MISSING },
      message: /--password-file .*missing\.json: cannot read it/,
    },
    {
      task: "keys split",
      input: "passwordFile",
      why: "neither given nor in PLURAL_KEYSTORE_PASSWORD, with --keystore",
      args: { threshold: "2", members: "3", keystore: MALFORMED },
      message: /no keystore password: expected --password-file <path>/,
    },
    outDirIsFileRow("keys split", { threshold: "2", members: "3", secretKeyFile: file("secret-key-good.txt") }),

    {
      task: "keys split",
      input: "outDir",
      why: "a folder that already holds a cluster's share files",
      args: { threshold: "2", members: "3", secretKeyFile: file("secret-key-good.txt"), outDir: CLUSTER_DIR },
      message: /cluster\/group-key\.json already exists with other contents/,
    },

    // keys sign-share
    {
      task: "keys sign-share",
      input: "share",
      why: "missing",
      args: { withdrawalAddress: FOREIGN_ADDRESS },
      message: /--share is required: expected the path of a secret-share-<member>\.json/,
    },
    ...badFileRows("keys sign-share", "share", (f) => ({ share: f, withdrawalAddress: FOREIGN_ADDRESS }), {
      missing: /--share .*missing\.json: cannot read it/,
      malformed: /--share .*malformed\.json: not valid JSON/,
      wrongSchema: /wrong-schema\.json: expected a secret share file \(format "plural-threshold-share"\)/,
    }),
    {
      task: "keys sign-share",
      input: "share",
      why: "a share already signed (its partial signature file exists)",
      args: { share: () => clusterFile("secret-share-1.json"), withdrawalAddress: FOREIGN_ADDRESS },
      message: /partial-signatures-1\.json.*exists/,
    },
    ...withdrawalAddressRows("keys sign-share", { share: WRONG_SCHEMA }),
    {
      task: "keys sign-share",
      input: "chain",
      why: "an unknown network",
      args: { share: WRONG_SCHEMA, withdrawalAddress: FOREIGN_ADDRESS, chain: "marsnet" },
      message: /--chain "marsnet" is not a supported beacon network/,
    },
    outDirIsFileRow("keys sign-share", { share: WRONG_SCHEMA, withdrawalAddress: FOREIGN_ADDRESS }),

    // keys combine
    {
      task: "keys combine",
      input: "partials",
      why: "none",
      args: { withdrawalAddress: FOREIGN_ADDRESS },
      message: /expected partial signature files \(partial-signatures-<member>\.json\), got none/,
    },
    ...badFileRows("keys combine", "partials", (f) => ({ partials: [f], withdrawalAddress: FOREIGN_ADDRESS }), {
      missing: /partial signature file .*missing\.json: cannot read it/,
      malformed: /partial signature file .*malformed\.json: not valid JSON/,
      wrongSchema:
        /wrong-schema\.json: expected a partial signatures file \(format "plural-partial-deposit-signatures"\)/,
    }),
    {
      task: "keys combine",
      input: "withdrawalAddress",
      why: "another address than the members signed for",
      args: { partials: () => partials(), withdrawalAddress: accountZero },
      message: /signs deposits withdrawing to 0x[0-9a-fA-F]{40}, not to --withdrawal-address 0xf39F/,
    },
    {
      task: "keys combine",
      input: "chain",
      why: "another network than the members signed for",
      args: { partials: () => partials(), withdrawalAddress: FOREIGN_ADDRESS, chain: "mainnet" },
      message: /signs for local .*, not --chain mainnet/,
    },
    ...withdrawalAddressRows("keys combine", { partials: [WRONG_SCHEMA] }),
    {
      task: "keys combine",
      input: "chain",
      why: "an unknown network",
      args: { partials: [WRONG_SCHEMA], withdrawalAddress: FOREIGN_ADDRESS, chain: "marsnet" },
      message: /--chain "marsnet" is not a supported beacon network/,
    },
    ...["1", "256", "two"].map((threshold): BadInput => ({
      task: "keys combine",
      input: "threshold",
      why: `"${threshold}"`,
      args: { partials: [WRONG_SCHEMA], withdrawalAddress: FOREIGN_ADDRESS, threshold },
      message: /--threshold "[^"]*" is not a whole number from 2 to 255/,
    })),
    ...badFileRows(
      "keys combine",
      "group",
      (f) => ({ partials: partials, withdrawalAddress: FOREIGN_ADDRESS, group: f }),
      {
        missing: /missing\.json: cannot read it/,
        malformed: /malformed\.json: not valid JSON/,
        wrongSchema: /wrong-schema\.json: expected a group key file/,
      },
    ),
    outDirIsFileRow("keys combine", { partials: [WRONG_SCHEMA], withdrawalAddress: FOREIGN_ADDRESS }),

    // dkg deal
    ...clusterRows("dkg deal", { member: "1" }),
    ...["0", "4", "first"].map((member): BadInput => ({
      task: "dkg deal",
      input: "member",
      why: `"${member}" of 3 members`,
      args: { threshold: "2", members: "3", member },
      message: /--member "[^"]*" is not a whole number from 1 to 3/,
    })),
    {
      task: "dkg deal",
      input: "member",
      why: "missing",
      args: { threshold: "2", members: "3" },
      message: /--member is required: expected a whole number from 1 to 3/,
    },
    ...["0", "1001", "many"].map((validators): BadInput => ({
      task: "dkg deal",
      input: "validators",
      why: `"${validators}"`,
      args: { threshold: "2", members: "3", member: "1", validators },
      message: /--validators "[^"]*" is not a whole number from 1 to 1000/,
    })),
    outDirIsFileRow("dkg deal", { threshold: "2", members: "3", member: "1" }),

    // dkg finish
    {
      task: "dkg finish",
      input: "member",
      why: "missing",
      args: { files: [MALFORMED] },
      message: /--member is required: expected a whole number from 1 to 255/,
    },
    ...["0", "256", "me"].map((member): BadInput => ({
      task: "dkg finish",
      input: "member",
      why: `"${member}"`,
      args: { member, files: [MALFORMED] },
      message: /--member "[^"]*" is not a whole number from 1 to 255/,
    })),
    ...badFileRows("dkg finish", "files", (f) => ({ member: "1", files: [f] }), {
      missing: /deal file .*missing\.json: cannot read it/,
      malformed: /deal file .*malformed\.json: not valid JSON/,
      wrongSchema: /wrong-schema\.json: expected a DKG deal or commitments file/,
    }),
    {
      task: "dkg finish",
      input: "files",
      why: "neither files nor --in-dir",
      args: { member: "1" },
      message: /expected the deal files addressed to member 1 \(dkg-deal-from-\*-to-1\.json\) or --in-dir/,
    },
    {
      task: "dkg finish",
      input: "inDir",
      why: "a folder that does not exist",
      args: { member: "1", inDir: file("no-such-folder") },
      message: /--in-dir .*no-such-folder: cannot read the folder/,
    },
    ...["two,four", "0", "2,,4"].map((exclude): BadInput => ({
      task: "dkg finish",
      input: "exclude",
      why: `"${exclude}"`,
      args: { member: "1", files: [MALFORMED], exclude },
      message: /--exclude "[^"]*"(: expected member numbers separated by commas| is not a whole number from 1)/,
    })),
    outDirIsFileRow("dkg finish", { member: "1", files: [MALFORMED] }),

    // keys submit
    ...badFileRows("keys submit", "file", (f) => ({ file: f, operator: "0" }), DEPOSIT_FILE_MESSAGES),
    missingPositional("keys submit", "file", { operator: "0" }),
    ...operatorIdRows("keys submit", "operator", "--operator", { file: keyFile }),
    {
      task: "keys submit",
      input: "operator",
      why: "missing",
      args: { file: keyFile },
      message: /--operator "" is not an operator id: expected a whole number from 0/,
    },
    ...signerRows("keys submit", "from", "--from", { file: keyFile, operator: "0" }),
    ...["0", "1001", "x"].map((batchSize): BadInput => ({
      task: "keys submit",
      input: "batchSize",
      why: `"${batchSize}"`,
      args: { file: keyFile, operator: "0", batchSize },
      message: /--batch-size "?[^"]*"?: expected a whole number from 1 to 1000/,
    })),

    // guardian attest
    ...["x", "-1", "1.5"].map((block): BadInput => ({
      task: "guardian attest",
      input: "block",
      why: `"${block}"`,
      args: { guardian: "17", block, out: OUT },
      message: /--block "[^"]*" is not a block number: expected a whole number/,
    })),
    {
      task: "guardian attest",
      input: "block",
      why: "a block the chain does not have yet",
      args: { guardian: "17", block: "99999999", out: OUT },
      message: /--block 99999999: the chain has no such block yet/,
    },
    ...signerRows("guardian attest", "guardian", "--guardian", { out: OUT }),
    {
      task: "guardian attest",
      input: "guardian",
      why: "an account that is not a guardian",
      args: { guardian: "0", out: OUT },
      message: /0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 is not a guardian of 0x/,
    },
    {
      task: "guardian attest",
      input: "out",
      why: "an existing file that is not an attestation",
      args: { guardian: "17", out: MALFORMED },
      message: /malformed\.json is not JSON/,
    },
    {
      task: "guardian attest",
      input: "out",
      why: "a folder",
      args: { guardian: "17", out: workDir },
      message: /--out .* is a folder: expected the attestation file's path/,
    },
    {
      task: "guardian attest",
      input: "out",
      why: "in a folder that does not exist",
      args: { guardian: "17", out: path.join(file("no-such-folder"), "attestation.json") },
      message: /--out .*no-such-folder.*: its folder does not exist/,
    },

    // operators exits
    ...operatorIdRows("operators exits", "operator", "--operator", {}),
    ...urlRows("operators exits", "beaconUrl", "--beacon-url", {}),

    // operators exit-daemon
    {
      task: "operators exit-daemon",
      input: "operator",
      why: "missing",
      args: { mnemonicFile: MNEMONIC },
      message: /--operator is required: the id of the operator whose validators to exit/,
    },
    ...operatorIdRows("operators exit-daemon", "operator", "--operator", { mnemonicFile: MNEMONIC }),
    ...urlRows("operators exit-daemon", "beaconUrl", "--beacon-url", { operator: "0", mnemonicFile: MNEMONIC }),
    ...countRows("operators exit-daemon", "delay", "--delay", 0, 2_592_000, { operator: "0", mnemonicFile: MNEMONIC }),
    ...countRows("operators exit-daemon", "pollMs", "--poll-ms", 100, 600_000, {
      operator: "0",
      mnemonicFile: MNEMONIC,
    }),
    {
      task: "operators exit-daemon",
      input: "mnemonicFile",
      why: "a file that does not exist",
      args: { operator: "0", mnemonicFile: MISSING },
      message: /--mnemonic-file .*missing\.json: cannot read it/,
    },
    {
      task: "operators exit-daemon",
      input: "mnemonicFile",
      why: "together with --keystores",
      args: { operator: "0", mnemonicFile: MNEMONIC, keystores: workDir, passwordFile: PASSWORD },
      message: /expected one of --mnemonic-file and --keystores, not both/,
    },
    {
      task: "operators exit-daemon",
      input: "mnemonicFile",
      why: "no key source at all",
      args: { operator: "0" },
      message: /no validator keys: expected --mnemonic-file <path>/,
    },
    ...countRows("operators exit-daemon", "keyStart", "--key-start", 0, 2 ** 32 - 1, {
      operator: "0",
      mnemonicFile: MNEMONIC,
    }),
    ...countRows("operators exit-daemon", "keyCount", "--key-count", 1, 100_000, {
      operator: "0",
      mnemonicFile: MNEMONIC,
    }),
    {
      task: "operators exit-daemon",
      input: "keyStart",
      why: "with --keystores",
      args: { operator: "0", keystores: workDir, passwordFile: PASSWORD, keyStart: "3" },
      message: /--key-start and --key-count apply to --mnemonic-file only/,
    },
    {
      task: "operators exit-daemon",
      input: "keystores",
      why: "a folder that does not exist",
      args: { operator: "0", keystores: file("no-such-folder"), passwordFile: PASSWORD },
      message: /--keystores .*no-such-folder: cannot read it/,
    },
    {
      task: "operators exit-daemon",
      input: "passwordFile",
      why: "with a mnemonic",
      args: { operator: "0", mnemonicFile: MNEMONIC, passwordFile: PASSWORD },
      message: /--password-file applies to --keystores only/,
    },
    {
      task: "operators exit-daemon",
      input: "passwordFile",
      why: "missing with --keystores",
      args: { operator: "0", keystores: workDir },
      message: /no keystore password: expected --password-file <path>/,
    },
    {
      task: "operators exit-daemon",
      input: "passwordFile",
      why: "a file that does not exist",
      args: { operator: "0", keystores: workDir, passwordFile: MISSING },
      message: /--password-file .*missing\.json: cannot read it/,
    },

    // operators claim-fees
    ...operatorIdRows("operators claim-fees", "operatorId", "operator id", {}),
    missingPositional("operators claim-fees", "operatorId", {}),
    ...signerRows("operators claim-fees", "from", "--from", { operatorId: "0" }),

    // operators add (governance, through the timelock)
    {
      task: "operators add",
      input: "name",
      why: "blank",
      args: { name: "  ", manager: "8" },
      message: /name is empty: expected the operator's display name/,
    },
    missingPositional("operators add", "name", { manager: "8" }),
    {
      task: "operators add",
      input: "manager",
      why: "missing",
      args: { name: "Op X" },
      message: /--manager is required: the address that will submit its keys/,
    },
    ...addressRows("operators add", "manager", "--manager", { name: "Op X" }),
    zeroAddressRow("operators add", "manager", "--manager", { name: "Op X" }),
    {
      task: "operators add",
      input: "manager",
      why: "an index the network has no account for",
      args: { name: "Op X", manager: NO_SUCH_ACCOUNT },
      message: /--manager 99: this network has 20 accounts/,
    },
    ...addressRows("operators add", "rewardAddress", "--reward-address", { name: "Op X", manager: "8" }),
    zeroAddressRow("operators add", "rewardAddress", "--reward-address", { name: "Op X", manager: "8" }),
    ...[
      ["1", "two members"],
      ["3", "two members"],
      ["two", "two members"],
    ].map(([threshold, why]): BadInput => ({
      task: "operators add",
      input: "threshold",
      why: `"${threshold}" with ${why}`,
      args: {
        name: "Cluster X",
        manager: "8",
        threshold,
        members: `${FOREIGN_ADDRESS},${WRONG_CHECKSUM.toLowerCase()}`,
      },
      message: /--threshold "[^"]*" with 2 --members: a cluster needs 2 <= threshold <= members <= 32/,
    })),
    {
      task: "operators add",
      input: "members",
      why: "a malformed address",
      args: { name: "Cluster X", manager: "8", threshold: "2", members: `${FOREIGN_ADDRESS},${MALFORMED_ADDRESS}` },
      message: /--members\[1\] "0x1234" is not an address/,
    },
    {
      task: "operators add",
      input: "members",
      why: "an address twice",
      args: { name: "Cluster X", manager: "8", threshold: "2", members: `${FOREIGN_ADDRESS},${FOREIGN_ADDRESS}` },
      message: /--members lists an address twice/,
    },
    {
      task: "operators add",
      input: "members",
      why: "the zero address",
      args: { name: "Cluster X", manager: "8", threshold: "2", members: `${FOREIGN_ADDRESS},${ZeroAddress}` },
      message: /--members lists the zero address/,
    },
    ...proposerRows("operators add", { name: "Op X", manager: "8" }),

    // operators vet
    ...operatorIdRows("operators vet", "operator", "--operator", { keys: "1" }),
    ...["", "x", "-1"].map((keys): BadInput => ({
      task: "operators vet",
      input: "keys",
      why: keys === "" ? "missing" : `"${keys}"`,
      args: { operator: "0", keys },
      message: /--keys "[^"]*" is not a key count: expected a whole number/,
    })),
    {
      task: "operators vet",
      input: "keys",
      why: "more keys than the operator submitted",
      args: { operator: "0", keys: "5" },
      message: /--keys 5 is out of range for operator 0: expected from 0 \(deposited\) to 1 \(submitted\)/,
    },
    ...proposerRows("operators vet", { operator: "0", keys: "1" }),

    // operators deactivate / activate
    ...operatorIdRows("operators deactivate", "operator", "operator", {}),
    missingPositional("operators deactivate", "operator", {}),
    ...proposerRows("operators deactivate", { operator: "0" }),
    {
      task: "operators deactivate",
      input: "operator",
      why: "an operator that is already inactive",
      args: { operator: INACTIVE_OPERATOR },
      message: /operator 1 is already inactive/,
    },
    ...operatorIdRows("operators activate", "operator", "operator", {}),
    {
      task: "operators activate",
      input: "operator",
      why: "an operator that is already active",
      args: { operator: "0" },
      message: /operator 0 is already active/,
    },
    missingPositional("operators activate", "operator", {}),
    ...proposerRows("operators activate", { operator: INACTIVE_OPERATOR }),

    // beacon run (checked before the simulator or its API starts)
    ...countRows("beacon run", "port", "--port", 0, 65_535, {}),
    {
      task: "beacon run",
      input: "preset",
      why: "an unknown preset",
      args: { preset: "gnosis" },
      message: /--preset "gnosis": expected mainnet or minimal/,
    },
    ...countRows("beacon run", "rewardRateBps", "--reward-rate-bps", 0, 1_000_000, {}),
    ...["-1", "1.5", "18446744073709551616"].map((elRewardGwei): BadInput => ({
      task: "beacon run",
      input: "elRewardGwei",
      why: `"${elRewardGwei}"`,
      args: { elRewardGwei },
      message: /--el-reward-gwei "[^"]*" is not a whole number of gwei \(0 or more, below 2\*\*64\)/,
    })),
    ...countRows("beacon run", "historyEpochs", "--history-epochs", 3, 100_000, {}),
    ...countRows("beacon run", "genesisTime", "--genesis-time", 0, 2 ** 40, {}),
    ...addressRows("beacon run", "feeRecipient", "--fee-recipient", {}),
    ...addressRows("beacon run", "depositContract", "--deposit-contract", {}),

    // dashboard (checked before anything listens)
    ...countRows("dashboard", "port", "--port", 0, 65_535, {}),
    ...countRows("dashboard", "pollMs", "--poll-ms", 100, 600_000, {}),
    ...urlRows("dashboard", "beaconUrl", "--beacon-url", {}),
    {
      task: "dashboard",
      input: "beaconUrl",
      why: "a Beacon API that does not answer",
      args: { beaconUrl: "http://127.0.0.1:9" },
      message: /the Beacon API at http:\/\/127\.0\.0\.1:9 does not answer/,
    },
    {
      task: "dashboard",
      input: "host",
      why: "a non-loopback interface without --allow-remote",
      args: { host: "0.0.0.0" },
      message: /--host 0\.0\.0\.0 is not a loopback address/,
    },

    // beacon advance / slash / status (checked before the simulator is called)
    {
      task: "beacon advance",
      input: "epochs",
      why: "missing",
      args: {},
      message: /--epochs is required: expected a whole number from 1 to 1000000/,
    },
    ...countRows("beacon advance", "epochs", "--epochs", 1, 1_000_000, {}),
    ...urlRows("beacon advance", "url", "--url", { epochs: "1" }),
    ...["x", "0x1234", "-1"].map((validator): BadInput => ({
      task: "beacon slash",
      input: "validator",
      why: `"${validator}"`,
      args: { validator },
      message: /validator "[^"]*": expected a validator index such as 12 or a 0x-prefixed 48-byte public key/,
    })),
    missingPositional("beacon slash", "validator", {}),
    ...urlRows("beacon slash", "url", "--url", { validator: "1" }),
    ...urlRows("beacon status", "url", "--url", {}),

    // oracle run (checked before the first frame)
    {
      task: "oracle run",
      input: "member",
      why: "missing",
      args: {},
      message: /--member is required: a committee member's account index or address/,
    },
    ...signerRows("oracle run", "member", "--member", {}),
    {
      task: "oracle run",
      input: "member",
      why: "the same account twice",
      args: { member: "10,10" },
      message: /--member "10,10" names the same account twice/,
    },
    {
      task: "oracle run",
      input: "member",
      why: "an account that is not on the committee",
      args: { member: "0" },
      message: /0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 is not a member of the oracle committee \(members: 0x/,
    },
    ...urlRows("oracle run", "beaconUrl", "--beacon-url", { member: "10" }),
    ...countRows("oracle run", "pollMs", "--poll-ms", 100, 600_000, { member: "10" }),
    ...countRows("oracle run", "frames", "--frames", 1, 1_000_000, { member: "10" }),

    // withdrawals request
    ...amountRows("withdrawals request", "amount", "plETH", { from: HOLDER }),
    {
      task: "withdrawals request",
      input: "amount",
      why: "above the account's plETH",
      args: { amount: "1000", from: HOLDER },
      message: /holds [\d,.]+ plETH, less than the 1,000 plETH to withdraw/,
    },
    {
      task: "withdrawals request",
      input: "amount",
      why: '"all" of an account that holds none',
      args: { amount: "all", from: STRANGER },
      message: /amount must be more than 0 plETH/,
    },
    missingPositional("withdrawals request", "amount", {}),
    ...addressRows("withdrawals request", "owner", "--owner", { amount: "0.5", from: HOLDER }),
    {
      task: "withdrawals request",
      input: "owner",
      why: "an index the network has no account for",
      args: { amount: "0.5", from: HOLDER, owner: NO_SUCH_ACCOUNT },
      message: /--owner 99: this network has 20 accounts/,
    },
    {
      task: "withdrawals request",
      input: "owner",
      why: "the zero address, with --no-permit (an approval would go first)",
      args: { amount: "0.5", from: HOLDER, owner: ZeroAddress, noPermit: true },
      message: /--owner is the zero address: expected an account/,
    },
    ...signerRows("withdrawals request", "from", "--from", { amount: "0.5" }),

    // withdrawals list
    ...addressRows("withdrawals list", "owner", "--owner", {}),
    {
      task: "withdrawals list",
      input: "owner",
      why: "an index the network has no account for",
      args: { owner: NO_SUCH_ACCOUNT },
      message: /--owner 99: this network has 20 accounts/,
    },

    // withdrawals claim
    ...["0", "x", "-2", "1.5"].map((id): BadInput => ({
      task: "withdrawals claim",
      input: "ids",
      why: `"${id}"`,
      args: { ids: [id] },
      message: /request id "[^"]*" is not valid: expected a whole number from 1, e.g. 3/,
    })),
    {
      task: "withdrawals claim",
      input: "ids",
      why: "an unknown request",
      args: { ids: ["999"] },
      message: /no request 999: request ids run from 1 to \d+/,
    },
    {
      task: "withdrawals claim",
      input: "ids",
      why: "none and no --all",
      args: {},
      message: /name the request ids to claim, or use --all/,
    },
    {
      task: "withdrawals claim",
      input: "ids",
      why: "ids together with --all",
      args: { ids: ["1"], all: true },
      message: /name request ids or use --all, not both/,
    },
    {
      task: "withdrawals claim",
      input: "ids",
      why: "the same id twice",
      args: { ids: ["1", "1"] },
      message: /a request id is named twice/,
    },
    {
      task: "withdrawals claim",
      input: "all",
      why: "with no finalized request",
      args: { all: true, from: STRANGER },
      message: /has no finalized request to claim/,
    },
    ...addressRows("withdrawals claim", "receiver", "--receiver", { ids: ["1"] }),
    zeroAddressRow("withdrawals claim", "receiver", "--receiver", { ids: ["1"] }),
    ...signerRows("withdrawals claim", "from", "--from", { ids: ["1"] }),

    // gov propose: the action
    {
      task: "gov propose",
      input: "action",
      why: "none and no --calls",
      args: {},
      message: /no action: expected one of set-fee, add-operator, .*, or --calls file\.json/,
    },
    {
      task: "gov propose",
      input: "action",
      why: "an unknown action",
      args: { action: "set-rate" },
      message: /unknown action "set-rate": expected one of set-fee/,
    },
    {
      task: "gov propose",
      input: "action",
      why: "together with --calls",
      args: { action: "set-fee", calls: CALLS_NEITHER },
      message: /both an action \(set-fee\) and --calls were given/,
    },
    {
      task: "gov propose",
      input: "action",
      why: "an option of another action",
      args: { action: "set-fee", treasuryBps: "600", operatorBps: "400", quorum: "2" },
      message: /--quorum does not apply to set-fee, which reads --treasury-bps, --operator-bps/,
    },
    // gov propose set-fee
    ...bpsRows("treasuryBps", "--treasury-bps", { operatorBps: "400" }),
    ...bpsRows("operatorBps", "--operator-bps", { treasuryBps: "400" }),
    {
      task: "gov propose",
      input: "treasuryBps",
      why: "fees together above the pool's cap",
      args: { action: "set-fee", treasuryBps: "2000", operatorBps: "500" },
      message: /--treasury-bps 2000 \+ --operator-bps 500 = 2500 bps .* is above the pool's hard cap MAX_FEE_BPS/,
    },
    // gov propose add-operator
    {
      task: "gov propose",
      input: "name",
      why: "missing",
      args: { action: "add-operator", manager: "8" },
      message: /--name is required: the operator's display name/,
    },
    {
      task: "gov propose",
      input: "manager",
      why: "missing",
      args: { action: "add-operator", name: "Op X" },
      message: /--manager is required: the address that will submit its keys/,
    },
    ...addressRows("gov propose", "manager", "--manager", { action: "add-operator", name: "Op X" }),
    zeroAddressRow("gov propose", "manager", "--manager", { action: "add-operator", name: "Op X" }),
    ...addressRows("gov propose", "rewardAddress", "--reward-address", {
      action: "add-operator",
      name: "Op X",
      manager: "8",
    }),
    zeroAddressRow("gov propose", "rewardAddress", "--reward-address", {
      action: "add-operator",
      name: "Op X",
      manager: "8",
    }),
    {
      task: "gov propose",
      input: "threshold",
      why: "not a number",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "two",
        members: `${FOREIGN_ADDRESS},0x${"1".repeat(40)}`,
      },
      message: /--threshold "two" is not a whole number of signers/,
    },
    {
      task: "gov propose",
      input: "threshold",
      why: "1 of 2 members",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "1",
        members: `${FOREIGN_ADDRESS},0x${"1".repeat(40)}`,
      },
      message: /--threshold 1 with 2 --members: a cluster needs 2 <= threshold <= members <= \d+/,
    },
    {
      task: "gov propose",
      input: "members",
      why: "a malformed address",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "2",
        members: `${FOREIGN_ADDRESS},${MALFORMED_ADDRESS}`,
      },
      message: /--members entry 2 "0x1234" is not an address/,
    },
    {
      task: "gov propose",
      input: "members",
      why: "an empty entry",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "2",
        members: `${FOREIGN_ADDRESS},,${FOREIGN_ADDRESS}`,
      },
      message: /--members has an empty entry: expected addresses, comma-separated/,
    },
    {
      task: "gov propose",
      input: "members",
      why: "an address twice",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "2",
        members: `${FOREIGN_ADDRESS},${FOREIGN_ADDRESS}`,
      },
      message: /--members lists an address twice/,
    },
    {
      task: "gov propose",
      input: "members",
      why: "the zero address",
      args: {
        action: "add-operator",
        name: "C",
        manager: "8",
        threshold: "2",
        members: `${FOREIGN_ADDRESS},${ZeroAddress}`,
      },
      message: /--members lists the zero address/,
    },
    // gov propose vet-keys
    ...operatorIdRows("gov propose", "operator", "--operator", { action: "vet-keys", keys: "1" }),
    ...["", "x"].map((keys): BadInput => ({
      task: "gov propose",
      input: "keys",
      why: keys === "" ? "missing" : `"${keys}"`,
      args: { action: "vet-keys", operator: "0", keys },
      message: /--keys (is required: expected|"x" is not) a key count \(the first N keys\)/,
    })),
    {
      task: "gov propose",
      input: "keys",
      why: "more keys than the operator submitted",
      args: { action: "vet-keys", operator: "0", keys: "5" },
      message: /--keys 5 is out of range for operator 0 \(Op A\): expected from 0 \(deposited\) to 1 \(submitted\)/,
    },
    // gov propose set-oracle-quorum
    ...[
      ["", /--quorum is required: expected a number of oracle members/],
      ["x", /--quorum "x" is not a number of oracle members/],
      ["1", /--quorum 1 does not fit the oracle's 3 members: expected .* from 2 to 3/],
      ["4", /--quorum 4 does not fit the oracle's 3 members/],
    ].map(([quorum, message]): BadInput => ({
      task: "gov propose",
      input: "quorum",
      why: quorum === "" ? "missing" : `"${quorum as string}"`,
      args: { action: "set-oracle-quorum", quorum },
      message: message as RegExp,
    })),
    // gov propose accept-loss
    {
      task: "gov propose",
      input: "amount",
      why: "missing",
      args: { action: "accept-loss", untilRefSlot: "100000000" },
      message: /--amount is required: ETH of loss to accept/,
    },
    ...amountRows("gov propose", "amount", "ETH", { action: "accept-loss", untilRefSlot: "100000000" }, "--amount"),
    ...[
      ["", /--until-ref-slot is required: expected a beacon slot number/],
      ["x", /--until-ref-slot "x" is not a beacon slot number/],
      ["18446744073709551616", /--until-ref-slot 18446744073709551616 is above 2\^64 - 1/],
      ["0", /--until-ref-slot 0 is not after the last processed reference slot \d+: the allowance is for a report/],
    ].map(([untilRefSlot, message]): BadInput => ({
      task: "gov propose",
      input: "untilRefSlot",
      why: untilRefSlot === "" ? "missing" : `"${untilRefSlot as string}"`,
      args: { action: "accept-loss", amount: "1", untilRefSlot },
      message: message as RegExp,
    })),
    // gov propose force-exit
    ...[
      ["", /--pubkeys is required: expected validator pubkeys/],
      ["0x1234", /--pubkeys entry 1 "0x1234" is not a validator pubkey: expected 48 bytes/],
      [`${A_PUBKEY},${A_PUBKEY}`, /--pubkeys lists 0xabab.* twice/],
    ].map(([pubkeys, message]): BadInput => ({
      task: "gov propose",
      input: "pubkeys",
      why: pubkeys === "" ? "missing" : `"${(pubkeys as string).slice(0, 12)}"`,
      args: { action: "force-exit", pubkeys, maxFee: "0.001" },
      message: message as RegExp,
    })),
    {
      task: "gov propose",
      input: "maxFee",
      why: "missing",
      args: { action: "force-exit", pubkeys: A_PUBKEY },
      message: /--max-fee is required: the most ETH to pay per exit request/,
    },
    ...amountRows("gov propose", "maxFee", "ETH", { action: "force-exit", pubkeys: A_PUBKEY }, "--max-fee"),
    // A --value of 0 is valid: the vault pays the fees.
    ...amountRows(
      "gov propose",
      "value",
      "ETH",
      { action: "force-exit", pubkeys: A_PUBKEY, maxFee: "0.001" },
      "--value",
    ).filter((row) => row.why !== "zero"),
    // gov propose upgrade
    {
      task: "gov propose",
      input: "contract",
      why: "missing",
      args: { action: "upgrade", deploy: true },
      message: /--contract is required: one of StakingPool, OperatorRegistry/,
    },
    {
      task: "gov propose",
      input: "contract",
      why: "not an upgradeable contract",
      args: { action: "upgrade", contract: "PluralToken", deploy: true },
      message: /--contract "PluralToken" is not an upgradeable Plural contract: expected one of StakingPool/,
    },
    {
      task: "gov propose",
      input: "implementation",
      why: "neither it nor --deploy",
      args: { action: "upgrade", contract: "StakingPool" },
      message: /upgrade needs either --implementation <address> or --deploy .*, not neither/,
    },
    {
      task: "gov propose",
      input: "implementation",
      why: "together with --deploy",
      args: { action: "upgrade", contract: "StakingPool", implementation: FOREIGN_ADDRESS, deploy: true },
      message: /upgrade needs either --implementation <address> or --deploy .*, not both/,
    },
    ...addressRows("gov propose", "implementation", "--implementation", { action: "upgrade", contract: "StakingPool" }),
    {
      task: "gov propose",
      input: "implementation",
      why: "an address without code",
      args: { action: "upgrade", contract: "StakingPool", implementation: FOREIGN_ADDRESS },
      message: /--implementation 0x0+dEaD holds no contract: deploy it first, or use --deploy/,
    },
    {
      task: "gov propose",
      input: "deploy",
      why: "by a proposer below the Governor's threshold (nothing may be deployed first)",
      deployment: "governor",
      args: { action: "upgrade", contract: "StakingPool", deploy: true, from: STRANGER },
      message: /has 0 PLURAL of votes, below the proposal threshold of 1,000 PLURAL/,
    },
    {
      task: "gov propose",
      input: "deploy",
      why: "by an account that may not propose to the timelock (nothing may be deployed first)",
      args: { action: "upgrade", contract: "StakingPool", deploy: true, from: STRANGER },
      message: /may not propose to the governance timelock \(0x[0-9a-fA-F]{40}\): it lacks PROPOSER_ROLE/,
    },
    {
      task: "gov propose",
      input: "operations",
      why: "with upgrade --deploy (nothing may be deployed first)",
      args: { action: "upgrade", contract: "StakingPool", deploy: true, operations: true },
      message: /--operations cannot run upgrade: the operations timelock holds only ADD_OPERATOR_ROLE/,
    },
    // gov propose grant-pause / resume-pause
    {
      task: "gov propose",
      input: "guardian",
      why: "missing",
      args: { action: "grant-pause" },
      message: /--guardian is required: the account that may pause once/,
    },
    ...addressRows("gov propose", "guardian", "--guardian", { action: "grant-pause" }),
    zeroAddressRow("gov propose", "guardian", "--guardian", { action: "grant-pause" }),
    ...[
      ["", /--targets is empty: expected one or more of deposits, withdrawals, staking/],
      ["deposits,everything", /--targets names "everything": expected one or more of deposits, withdrawals, staking/],
      ["deposits", /--targets deposits: none of them is paused, nothing to resume/],
    ].map(([targets, message]): BadInput => ({
      task: "gov propose",
      input: "targets",
      why: targets === "" ? "missing" : `"${targets as string}"`,
      args: { action: "resume-pause", targets },
      message: message as RegExp,
    })),
    // gov propose --calls
    ...badFileRows("gov propose", "calls", (f) => ({ calls: f }), {
      missing: /--calls .*missing\.json cannot be read/,
      malformed: /malformed\.json is not JSON/,
      wrongSchema: /wrong-schema\.json: expected a JSON list of calls/,
    }),
    {
      task: "gov propose",
      input: "calls",
      why: "an empty list",
      args: { calls: EMPTY_LIST },
      message: /empty-list\.json lists no calls: expected a JSON list of calls/,
    },
    {
      task: "gov propose",
      input: "calls",
      why: "a call with neither a signature nor data",
      args: { calls: CALLS_NEITHER },
      message: /calls-neither\.json entry 1 has neither a signature nor data: expected one of them/,
    },
    {
      task: "gov propose",
      input: "operations",
      why: "an action the operations timelock may not run",
      args: { action: "set-fee", treasuryBps: "600", operatorBps: "400", operations: true },
      message: /--operations cannot run set-fee: the operations timelock holds only ADD_OPERATOR_ROLE/,
    },
    ...signerRows("gov propose", "from", "--from", {
      action: "set-fee",
      treasuryBps: "600",
      operatorBps: "400",
    }),

    // gov vote / queue / execute / cancel / status (token governance unless the row says so)
    {
      task: "gov vote",
      input: "support",
      why: "missing",
      deployment: "governor",
      args: { proposalId: "1" },
      message: /--support is required: for, against or abstain/,
    },
    {
      task: "gov vote",
      input: "support",
      why: "not a vote",
      deployment: "governor",
      args: { proposalId: "1", support: "yes" },
      message: /--support "yes" is not a vote: expected for, against or abstain/,
    },
    ...proposalIdRows("gov vote", { support: "for" }),
    {
      task: "gov vote",
      input: "proposalId",
      why: "a deployment without a Governor",
      args: { proposalId: "1", support: "for" },
      message: /this deployment has no Governor .*: there is nothing to vote on/,
    },
    ...proposalIdRows("gov queue", {}),
    {
      task: "gov queue",
      input: "proposalId",
      why: "a timelock operation id",
      deployment: "governor",
      args: { proposalId: AN_OPERATION_ID },
      message: /is a timelock operation id: operations need no queueing/,
    },
    ...proposalIdRows("gov execute", {}),
    {
      task: "gov execute",
      input: "proposalId",
      why: "an unknown timelock operation",
      args: { proposalId: AN_OPERATION_ID },
      message: /no operation 0x1212.* was scheduled on this deployment's timelocks/,
    },
    ...proposalIdRows("gov cancel", {}),
    {
      task: "gov cancel",
      input: "proposalId",
      why: "an unknown timelock operation",
      args: { proposalId: AN_OPERATION_ID },
      message: /no operation 0x1212.* was scheduled on this deployment's timelocks/,
    },
    ...[
      ["x", /--proposal "x" is not a proposal id: expected its digits/],
      ["999", /no proposal 999 on the Governor/],
      [AN_OPERATION_ID, /no operation 0x1212.* was scheduled on this deployment's timelocks/],
    ].map(([proposal, message]): BadInput => ({
      task: "gov status",
      input: "proposal",
      why: `"${(proposal as string).slice(0, 10)}"`,
      deployment: "governor",
      args: { proposal },
      message: message as RegExp,
    })),

    // gov delegate
    ...addressRows("gov delegate", "to", "--to", {}).map((row) => ({ ...row, deployment: "governor" as const })),
    { ...zeroAddressRow("gov delegate", "to", "--to", {}), deployment: "governor" },
    ...signerRows("gov delegate", "from", "--from", {}).map((row) => ({ ...row, deployment: "governor" as const })),
    {
      task: "gov delegate",
      input: "to",
      why: "a deployment without a token",
      args: {},
      message: /this deployment has no PLURAL token .*: there are no votes to delegate/,
    },

    // gov pause
    ...[
      ["", /targets is empty: expected one or more of deposits, withdrawals, staking/],
      ["deposits,all", /targets names "all": expected one or more of deposits, withdrawals, staking/],
    ].map(([targets, message]): BadInput => ({
      task: "gov pause",
      input: "targets",
      why: targets === "" ? "empty" : `"${targets as string}"`,
      args: { targets, duration: "1h" },
      message: message as RegExp,
    })),
    missingPositional("gov pause", "targets", { duration: "1h" }),
    ...[
      ["", /--duration is required: seconds, or e.g. 90m, 2h, 1d/],
      ["soon", /--duration "soon" is not a duration: expected seconds or a duration such as 90m/],
      ["0", /--duration "0" is zero: expected seconds or a duration/],
      ["-5m", /--duration "-5m" is not a duration/],
      ["30d", /--duration 30 days is above the longest pause allowed, 7 days/],
    ].map(([duration, message]): BadInput => ({
      task: "gov pause",
      input: "duration",
      why: duration === "" ? "missing" : `"${duration as string}"`,
      args: { targets: "deposits", duration },
      message: message as RegExp,
    })),
    ...signerRows("gov pause", "from", "--from", { targets: "deposits", duration: "1h" }),
    {
      task: "gov pause",
      input: "from",
      why: "an account that is not the pause guardian",
      args: { targets: "deposits", duration: "1h", from: STRANGER },
      message: /0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc is not the pause guardian \(0x[0-9a-fA-F]{40}\): use --from/,
    },

    // deploy check and Ignition's deploy of deploy/modules/Plural.ts (checked before Ignition sends anything)
    ...badFileRows("deploy check", "parameters", (f) => ({ parameters: f }), PARAMETER_FILE_MESSAGES),
    {
      task: "deploy check",
      input: "deploymentId",
      why: "a name Ignition refuses",
      args: { parameters: path.join(PROJECT_ROOT, "deploy", "parameters", "localhost.json"), deploymentId: "bad id!" },
      message: /--deployment-id "bad id!" is not a deployment id Ignition accepts: expected a letter/,
    },
    {
      task: "ignition deploy",
      input: "parameters",
      why: "missing for deploy/modules/Plural.ts",
      args: { modulePath: path.join(PROJECT_ROOT, "deploy", "modules", "Plural.ts") },
      message: /deploy\/modules\/Plural\.ts deploys from a parameter file: add --parameters/,
    },
    ...badFileRows(
      "ignition deploy",
      "parameters",
      (f) => ({ modulePath: path.join(PROJECT_ROOT, "deploy", "modules", "Plural.ts"), parameters: f }),
      PARAMETER_FILE_MESSAGES,
    ),
  ];

  // ------------------------------------------------------------------------------------------------------------
  // Row makers: the bad values every argument of a kind gets

  function amountRows(
    task: string,
    input: string,
    unit: string,
    extra: TaskArguments = {},
    argument = input,
  ): BadInput[] {
    const expected = new RegExp(`expected a positive number of ${unit} such as 1\\.5, with at most 18 decimals`);
    const name = argument.replace(/-/g, "\\-");
    return [
      ["-1", "negative", "is negative"],
      ["0", "zero", "is zero"],
      ["1,5", "not a number", "is not a number"],
      ["1.0000000000000000001", "19 decimals", "has 19 decimals"],
    ].map(([value, why, says]) => ({
      task,
      input,
      why: why!,
      args: { ...extra, [input]: value },
      message: new RegExp(`${name} "${value!.replace(/\./g, "\\.")}" ${says}: ${expected.source}`),
    }));
  }

  /** A required positional argument left out: Hardhat refuses before the action runs. */
  function missingPositional(task: string, input: string, args: TaskArguments): BadInput {
    return {
      task,
      input,
      why: "missing",
      args,
      message: new RegExp(`Missing value for the argument named "${input}" in the task "${task}"`),
    };
  }

  /** Malformed and wrong-checksum addresses for an option that takes an address. */
  function addressRows(task: string, input: string, option: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input,
        why: "a malformed address",
        args: { ...extra, [input]: MALFORMED_ADDRESS },
        message: new RegExp(`${option} "0x1234" is not an address: expected 0x followed by 40 hex digits`),
      },
      {
        task,
        input,
        why: "an address with a wrong checksum",
        args: { ...extra, [input]: WRONG_CHECKSUM },
        message: new RegExp(`${option} "${WRONG_CHECKSUM}" has a wrong checksum`),
      },
    ];
  }

  /** `--out-dir` naming an existing file, not a folder. */
  function outDirIsFileRow(task: string, extra: TaskArguments): BadInput {
    return {
      task,
      input: "outDir",
      why: "an existing file, not a folder",
      args: { ...extra, outDir: MNEMONIC },
      message: /--out-dir .*mnemonic\.txt is a file: expected a folder \(created when missing\)/,
    };
  }

  /** The zero address for an option that takes an account. */
  function zeroAddressRow(task: string, input: string, option: string, extra: TaskArguments): BadInput {
    return {
      task,
      input,
      why: "the zero address",
      args: { ...extra, [input]: ZeroAddress },
      message: new RegExp(`${option} is the zero address: expected an account`),
    };
  }

  /** Bad accounts for an option naming a signer: an index out of range, a malformed address, a foreign one. */
  function signerRows(task: string, input: string, option: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input,
        why: "an index the network has no account for",
        args: { ...extra, [input]: NO_SUCH_ACCOUNT },
        message: new RegExp(`${option} 99: this network has 20 accounts, expected an index from 0 to 19`),
      },
      {
        task,
        input,
        why: "a malformed address",
        args: { ...extra, [input]: MALFORMED_ADDRESS },
        message: new RegExp(`${option} "0x1234" is not an address`),
      },
      {
        task,
        input,
        why: "an address the network holds no key for",
        args: { ...extra, [input]: FOREIGN_ADDRESS },
        message: new RegExp(`${option} ${FOREIGN_ADDRESS}: this network holds no key for that address`),
      },
    ];
  }

  /** The proposer of a governance task: an index out of range, and an account without the proposer role. */
  function proposerRows(task: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input: "from",
        why: "an index the network has no account for",
        args: { ...extra, from: NO_SUCH_ACCOUNT },
        message: /--from 99: this network has 20 accounts/,
      },
      {
        task,
        input: "from",
        why: "an account that may not propose to the timelock",
        args: { ...extra, from: STRANGER },
        message: /may not propose to the timelock 0x[0-9a-fA-F]{40}: use the governance account/,
      },
    ];
  }

  /** Out-of-range and non-numeric values of a whole-number option parsed with parseCount. */
  function countRows(
    task: string,
    input: string,
    option: string,
    min: number,
    max: number,
    extra: TaskArguments,
  ): BadInput[] {
    const values = [...(min > 0 ? [String(min - 1)] : ["-1"]), String(max + 1), "1.5", "ten"];
    return values.map((value) => ({
      task,
      input,
      why: `"${value}"`,
      args: { ...extra, [input]: value },
      message: new RegExp(`${option} "${value.replace(/\./g, "\\.")}" is not a whole number from ${min} to \\d+`),
    }));
  }

  /** `--threshold` and `--members` of a cluster (keys split, dkg deal). */
  function clusterRows(task: string, extra: TaskArguments): BadInput[] {
    return [
      ...[
        ["", "3", /--threshold is required: expected a whole number from 2 to 3/],
        ["1", "3", /--threshold "1" is not a whole number from 2 to 3/],
        ["4", "3", /--threshold "4" is not a whole number from 2 to 3/],
        ["two", "3", /--threshold "two" is not a whole number from 2 to 3/],
      ].map(([threshold, members, message]): BadInput => ({
        task,
        input: "threshold",
        why: threshold === "" ? "missing" : `"${threshold as string}" of 3 members`,
        args: { ...extra, threshold, members },
        message: message as RegExp,
      })),
      ...[
        ["", /--members is required: expected a whole number from 2 to 255/],
        ["1", /--members "1" is not a whole number from 2 to 255/],
        ["256", /--members "256" is not a whole number from 2 to 255/],
        ["three", /--members "three" is not a whole number from 2 to 255/],
      ].map(([members, message]): BadInput => ({
        task,
        input: "members",
        why: members === "" ? "missing" : `"${members as string}"`,
        args: { ...extra, threshold: "2", members },
        message: message as RegExp,
      })),
    ];
  }

  /** The three ways a file argument is bad: it is missing, it is not JSON, it is JSON of the wrong shape. */
  function badFileRows(
    task: string,
    input: string,
    argsFor: (path: string) => TaskArguments,
    messages: { missing: RegExp; malformed: RegExp; wrongSchema: RegExp },
  ): BadInput[] {
    return [
      { task, input, why: "a file that does not exist", args: argsFor(MISSING), message: messages.missing },
      { task, input, why: "malformed JSON", args: argsFor(MALFORMED), message: messages.malformed },
      { task, input, why: "JSON of the wrong shape", args: argsFor(WRONG_SCHEMA), message: messages.wrongSchema },
    ];
  }

  /** An operator id that is not a number, and one the registry does not have (it holds operator 0 only). */
  function operatorIdRows(task: string, input: string, argument: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input,
        why: "not a number",
        args: { ...extra, [input]: "op-a" },
        message: new RegExp(`${argument} "op-a" is not an operator id: expected a whole number from 0`),
      },
      {
        task,
        input,
        why: "an unknown operator",
        args: { ...extra, [input]: "7" },
        message: new RegExp(`${argument} 7 is not an operator: the registry has ids 0 to \\d+`),
      },
    ];
  }

  /** A Beacon API URL that is not one. */
  function urlRows(task: string, input: string, option: string, extra: TaskArguments): BadInput[] {
    return [NOT_A_URL, "ftp://127.0.0.1:5052"].map((url) => ({
      task,
      input,
      why: `"${url}"`,
      args: { ...extra, [input]: url },
      message: new RegExp(`${option} "${url}" is not a URL: expected http://host:port`),
    }));
  }

  /** `--withdrawal-address` of the threshold key tasks: required, well-formed, not zero. */
  function withdrawalAddressRows(task: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input: "withdrawalAddress",
        why: "missing",
        args: extra,
        message: /--withdrawal-address is empty: expected 0x followed by 40 hex digits/,
      },
      ...addressRows(task, "withdrawalAddress", "--withdrawal-address", extra),
      {
        task,
        input: "withdrawalAddress",
        why: "the zero address",
        args: { ...extra, withdrawalAddress: ZeroAddress },
        message: /--withdrawal-address is the zero address: the validator's stake would be withdrawn to nobody/,
      },
    ];
  }

  function bpsRows(input: string, option: string, extra: TaskArguments): BadInput[] {
    return [
      ["", `${option} is required: expected a whole number of basis points`],
      ["5%", `${option} "5%" is not a whole number of basis points`],
      ["10001", `${option} 10001 is above 10,000 basis points \\(100 %\\): expected 0 to 10000`],
    ].map(([value, message]) => ({
      task: "gov propose",
      input,
      why: value === "" ? "missing" : `"${value}"`,
      args: { action: "set-fee", ...extra, [input]: value },
      message: new RegExp(message!),
    }));
  }

  /** Proposal ids that are not ids, or not the Governor's, and a bad sender on the proposal made in `before`. */
  function proposalIdRows(task: string, extra: TaskArguments): BadInput[] {
    return [
      {
        task,
        input: "proposalId",
        why: "not a number",
        deployment: "governor",
        args: { ...extra, proposalId: "first" },
        message: /proposalId "first" is not a proposal id: expected its digits \(gov status lists them\)/,
      },
      {
        task,
        input: "proposalId",
        why: "an unknown proposal",
        deployment: "governor",
        args: { ...extra, proposalId: "999" },
        message: /no proposal 999 on the Governor: gov status lists the proposals/,
      },
      { ...missingPositional(task, "proposalId", extra), deployment: "governor" },
      {
        task,
        input: "from",
        why: "an index the network has no account for",
        deployment: "governor",
        args: { ...extra, proposalId: () => proposalId, from: NO_SUCH_ACCOUNT },
        message: /--from 99: this network has 20 accounts/,
      },
    ];
  }

  // ------------------------------------------------------------------------------------------------------------
  // The chain, the deployments and the files

  let node: LocalNode | undefined;
  let hre: HardhatRuntimeEnvironment;
  let accounts: string[];
  const deploymentIds: Record<Deployment, string> = {
    multisig: `bad-input-multisig-${process.pid}`,
    governor: `bad-input-governor-${process.pid}`,
  };
  /** The Governor proposal made in `before`. */
  let proposalId = "";
  const savedEnv = { ...process.env };

  /** Runs a task with its output captured; returns what it printed and how it ended. */
  async function runTask(id: string[], args: TaskArguments) {
    const printed: string[] = [];
    const errors: string[] = [];
    const saved = { log: console.log, error: console.error, warn: console.warn };
    console.log = (...parts: unknown[]) => printed.push(parts.join(" "));
    console.warn = (...parts: unknown[]) => errors.push(parts.join(" "));
    console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
    process.exitCode = undefined;
    let thrown: unknown;
    try {
      await hre.tasks.getTask(id).run(args);
    } catch (error) {
      thrown = error;
    } finally {
      Object.assign(console, saved);
    }
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    return { stdout: printed.join("\n"), stderr: errors.join("\n"), exitCode, thrown };
  }

  /** Runs a task that must succeed (the setup's steps), with `deployment`'s record. */
  async function setupTask(id: string[], args: TaskArguments, deployment: Deployment = "multisig") {
    process.env.PLURAL_DEPLOYMENT_ID = deploymentIds[deployment];
    const run = await runTask(id, args);
    if (run.thrown !== undefined || run.exitCode !== undefined) {
      throw new Error(`setup: ${id.join(" ")} failed\n${run.stdout}\n${run.stderr}\n${String(run.thrown)}`);
    }
    return run.stdout;
  }

  /**
   * JSON-RPC calls to the node in one batch (one request for the whole state a row compares), and uncached: ethers'
   * provider answers a repeated request from its cache for 250 ms, which would hide a nonce that moved.
   */
  async function rpc(calls: { method: string; params?: unknown[] }[]): Promise<unknown[]> {
    const response = await fetch(node!.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        calls.map((call, id) => ({ jsonrpc: "2.0", id, method: call.method, params: call.params ?? [] })),
      ),
    });
    const answers = (await response.json()) as { id: number; result?: unknown; error?: unknown }[];
    return calls.map((_, id) => {
      const answer = answers.find((candidate) => candidate.id === id);
      if (answer?.result === undefined)
        throw new Error(`JSON-RPC call ${calls[id]!.method} failed: ${JSON.stringify(answer)}`);
      return answer.result;
    });
  }

  /** The block number and every account's nonce (pending transactions counted). */
  async function chainState(): Promise<{ block: bigint; nonces: bigint[] }> {
    const [block, ...nonces] = await rpc([
      { method: "eth_blockNumber" },
      ...accounts.map((account) => ({ method: "eth_getTransactionCount", params: [account, "pending"] })),
    ]);
    return { block: BigInt(block as string), nonces: nonces.map((nonce) => BigInt(nonce as string)) };
  }

  /** Every file under the work folder, with its size and modification time. */
  function listFiles(dir = workDir): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return [`${full}/`, ...listFiles(full)];
      const stat = statSync(full);
      return [`${full} ${stat.size} ${stat.mtimeMs}`];
    });
  }

  before(async function () {
    const port = await freePort();
    node = await startNode(port, process.env);
    accounts = ((await rpc([{ method: "eth_accounts" }]))[0] as string[]).map((account) => getAddress(account));
    hre = await createHardhatRuntimeEnvironment(
      { ...config, networks: { ...config.networks, localhost: { type: "http", chainType: "l1", url: node.url } } },
      // The build the test run made (Ignition would otherwise switch to the production profile and build again).
      { network: "localhost", buildProfile: "default" },
      PROJECT_ROOT,
    );
    delete process.env.PLURAL_MNEMONIC;
    delete process.env.PLURAL_KEYSTORE_PASSWORD;

    for (const [deployment, parameters] of [
      ["multisig", "local.json"],
      ["governor", "local-governor.json"],
    ] as const) {
      await setupTask(["ignition", "deploy"], {
        modulePath: path.join(PROJECT_ROOT, "deploy", "modules", "PluralLocal.ts"),
        parameters: path.join(PROJECT_ROOT, "deploy", "parameters", parameters),
        deploymentId: deploymentIds[deployment],
      });
    }
    // Multisig governance: operators 0 and 1 (1 deactivated), and plETH for HOLDER.
    await setupTask(["operators", "add"], { name: "Op A", manager: "8", skipDelay: true });
    await setupTask(["operators", "add"], { name: "Op B", manager: "9", skipDelay: true });
    await setupTask(["operators", "deactivate"], { operator: INACTIVE_OPERATOR, skipDelay: true });
    await setupTask(["pool", "deposit"], { amount: "1", from: HOLDER });
    // Token governance: a fee proposal, for the rows that name a real proposal with a bad sender.
    await setupTask(["gov", "delegate"], {}, "governor");
    const proposed = await setupTask(
      ["gov", "propose"],
      { action: "set-fee", treasuryBps: "600", operatorBps: "400" },
      "governor",
    );
    proposalId = /proposal id\s+│\s+(\d+)/.exec(proposed)![1]!;

    mkdirSync(workDir);
    writeFileSync(MALFORMED, "{ not json");
    writeFileSync(WRONG_SCHEMA, JSON.stringify({ hello: "world" }));
    writeFileSync(EMPTY_LIST, "[]");
    writeFileSync(MNEMONIC, `${generateMnemonic(wordlist, 256)}\n`);
    writeFileSync(BAD_MNEMONIC, "these twelve words are not a mnemonic of any wallet at all today\n");
    writeFileSync(PASSWORD, "a long enough password\n");
    writeFileSync(SHORT_PASSWORD, "short\n");
    writeFileSync(BAD_SECRET_KEYS, "not a key\n");
    writeFileSync(file("secret-key-good.txt"), `0x${"11".repeat(32)}\n`);
    writeFileSync(CALLS_NEITHER, JSON.stringify([{ target: "StakingPool" }]));
    // Schema-valid, and stale: only `pool stake --from` gets this far.
    writeFileSync(
      ATTESTATION,
      JSON.stringify({
        chainId: "31337",
        depositGuard: readDeployment("localhost", deploymentIds.multisig).depositGuard,
        depositRoot: `0x${"00".repeat(32)}`,
        registryNonce: "0",
        blockNumber: 1,
        blockHash: `0x${"00".repeat(32)}`,
        signatures: [],
      }),
    );
    // One key of operator 0, submitted: `operators vet --keys 1` is then valid but for its bad sender.
    mkdirSync(DEPOSIT_DATA_DIR);
    await setupTask(["keys", "generate"], {
      mnemonicFile: MNEMONIC,
      noKeystores: true,
      withdrawalAddress: readDeployment("localhost", deploymentIds.multisig).withdrawalVault,
      outDir: DEPOSIT_DATA_DIR,
    });
    depositData = path.join(DEPOSIT_DATA_DIR, readdirSync(DEPOSIT_DATA_DIR)[0]!);
    await setupTask(["keys", "submit"], { file: depositData, operator: "0", from: "8" });
    // A 2-of-3 split and two members' partial signatures, for keys sign-share and keys combine.
    await setupTask(["keys", "split"], {
      threshold: "2",
      members: "3",
      secretKeyFile: file("secret-key-good.txt"),
      outDir: CLUSTER_DIR,
    });
    for (const member of [1, 2]) {
      await setupTask(["keys", "sign-share"], {
        share: clusterFile(`secret-share-${member}.json`),
        withdrawalAddress: FOREIGN_ADDRESS,
      });
    }
  });

  after(async function () {
    process.env = savedEnv;
    await node?.stop();
    for (const id of Object.values(deploymentIds)) {
      rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", id), { recursive: true, force: true });
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  // ------------------------------------------------------------------------------------------------------------
  // The rows

  for (const row of rows) {
    it(`${row.task}: ${row.input} ${row.why} is refused, nothing sent or written`, async function () {
      const args = Object.fromEntries(
        Object.entries(row.args).map(([key, value]) => [
          key,
          typeof value === "function" ? (value as () => unknown)() : value,
        ]),
      );
      process.env.PLURAL_DEPLOYMENT_ID = deploymentIds[row.deployment ?? "multisig"];
      const before = await chainState();
      const filesBefore = listFiles();
      const rootBefore = readdirSync(PROJECT_ROOT);

      const run = await withDeadline(runTask(row.task.split(" "), args), 60_000, row.task);

      const output = `${run.stdout}\n${run.stderr}\n${run.thrown instanceof Error ? run.thrown.stack : ""}`;
      if (run.thrown !== undefined) {
        // Only Hardhat's own refusals of a missing argument are thrown; a task's refusal is one printed line.
        expect(HardhatError.isHardhatError(run.thrown), `a Hardhat error, not a crash\n${output}`).to.equal(true);
        expect((run.thrown as Error).message, "the message").to.match(row.message);
      } else {
        expect(run.exitCode, `exit code 1\n${output}`).to.equal(1);
        const errorLines = run.stderr.split("\n").filter((line) => line.startsWith("Error: "));
        expect(errorLines, `one Error: line\n${output}`).to.have.length(1);
        expect(run.stderr.slice(run.stderr.indexOf("Error: ")), `the message\n${output}`).to.match(row.message);
      }
      const after = await chainState();
      expect(after.nonces, "no account sent a transaction").to.deep.equal(before.nonces);
      expect(after.block, "no block was mined").to.equal(before.block);
      expect(listFiles(), "no file was written in the work folder").to.deep.equal(filesBefore);
      expect(readdirSync(PROJECT_ROOT), "no file was written in the project").to.deep.equal(rootBefore);
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // The meta-test: a task cannot land without bad-input rows

  /**
   * Tasks that take no input at all, so have no row. Each must really have no argument (checked below).
   */
  const NO_INPUT = new Set([
    // Lists operators and decentralization figures of the deployment on --network.
    "operators list",
    // Reads the oracle's frame, votes and bounds.
    "oracle status",
    // Reads the withdrawal queue.
    "withdrawals status",
  ]);

  /** Arguments any value of which is valid (free text), so no bad value exists. */
  const FREE_TEXT = new Set([
    // A proposal's description is whatever governance wants to call it.
    "gov propose --description",
    // A vote's reason is free text recorded on chain with the vote.
    "gov vote --reason",
    // Recorded verbatim in the deposit data, as the official CLI records its version.
    "keys generate --depositCliVersion",
  ]);

  /** The tasks of the project's config in `runtime` (an override counts: ignition deploy), each with its name. */
  function projectTasks(runtime: HardhatRuntimeEnvironment): { name: string; definition: Task }[] {
    return collectTasks(runtime.tasks.rootTasks)
      .filter((definition) => !definition.isEmpty && definition.actions.some((action) => action.pluginId === undefined))
      .map((definition) => ({ name: definition.id.join(" "), definition }));
  }

  /**
   * What the table lacks for the tasks registered in `runtime`: a task with no row, or an argument that takes input
   * (a positional argument or a non-flag option) and is never given a bad value. Empty when everything is covered.
   */
  function uncovered(runtime: HardhatRuntimeEnvironment): string[] {
    const covered = new Set(rows.map((row) => row.task));
    const inputs = new Set(rows.map((row) => `${row.task} --${row.input}`));
    const missing: string[] = [];
    for (const { name, definition } of projectTasks(runtime)) {
      const takesInput = definition.positionalArguments.length > 0 || definition.options.size > 0;
      if (NO_INPUT.has(name)) {
        if (takesInput) missing.push(`${name}: exempt as taking no input, but takes some`);
        continue;
      }
      if (!covered.has(name)) {
        missing.push(`${name}: no row`);
        continue;
      }
      // An override (ignition deploy) reads only some of the arguments of the task it overrides.
      if (definition.pluginId !== undefined) continue;
      const argumentsWithInput = [
        ...definition.positionalArguments.map((argument) => argument.name),
        ...[...definition.options.values()]
          .filter((option) => option.type !== ArgumentType.FLAG)
          .map((option) => option.name),
      ];
      for (const argument of argumentsWithInput) {
        const key = `${name} --${argument}`;
        if (!inputs.has(key) && !FREE_TEXT.has(key)) missing.push(`${name}: no row for ${argument}`);
      }
    }
    return missing;
  }

  it("every task the config registers has a row for each argument that takes input", async function () {
    const names = projectTasks(hre).map(({ name }) => name);
    expect(names, "the tasks are read from the runtime").to.include.members(["pool deposit", "ignition deploy"]);
    expect(uncovered(hre), "tasks and arguments without a bad-input row").to.deep.equal([]);
    for (const row of rows) expect(names, `row for an unregistered task "${row.task}"`).to.include(row.task);
  });

  it("a task added to the config without rows fails the coverage check", async function () {
    const extended = await createHardhatRuntimeEnvironment(
      {
        ...config,
        tasks: [
          ...(config.tasks ?? []),
          defineTask(["pool", "burn"], "A task without bad-input rows")
            .addOption({ name: "amount", description: "ETH", defaultValue: "" })
            .setInlineAction(async () => {})
            .build(),
        ],
      },
      {},
      PROJECT_ROOT,
    );
    expect(uncovered(extended), "the new task is named").to.deep.equal(["pool burn: no row"]);
  });
});

/** Every task and subtask under `tasks`. */
function collectTasks(tasks: Map<string, Task>): Task[] {
  return [...tasks.values()].flatMap((task) => [task, ...collectTasks(task.subtasks)]);
}

/** `promise`, or a rejection naming `label` after `ms`: a task that went on running instead of refusing. */
async function withDeadline<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} still runs after ${ms} ms: it did not refuse`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
