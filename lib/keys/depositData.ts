/**
 * Deposit data as the official deposit CLIs (staking-deposit-cli 2.x, ethstaker-deposit-cli) make it: signed
 * `DepositMessage`s, their roots, and the `deposit_data-<unix seconds>.json` file byte for byte; and a reader and a
 * verifier for such files.
 */
import { PublicKey, Signature, verify, verifyMultipleAggregateSignatures } from "@chainsafe/blst";
import type { SecretKey, SignatureSet } from "@chainsafe/blst";
import { ContainerType } from "@chainsafe/ssz";
import { DOMAIN_DEPOSIT } from "@lodestar/params";
import { ssz } from "@lodestar/types";
import { getBytes, sha256, ZeroAddress } from "ethers";
import type { BytesLike } from "ethers";

import { parseAddress } from "../accounts.js";
import { bytesOfLength, checkUint64, computeDepositDataRoot } from "../depositData.js";
import { UserInputError } from "../errors.js";
import type { BeaconNetwork } from "../networks.js";
import { deriveValidatorKeys, mnemonicToSeed } from "./derivation.js";
import type { ValidatorKeys } from "./derivation.js";
import { pythonJsonDumps, toHex } from "./pythonJson.js";

/** The `deposit_cli_version` written by default: the official staking-deposit-cli release this output matches. */
export const DEFAULT_DEPOSIT_CLI_VERSION = "2.8.0";

export const GWEI_PER_ETHER = 1_000_000_000n;
/** A Plural validator's deposit: 32 ETH, in gwei. */
export const VALIDATOR_DEPOSIT_GWEI = 32n * GWEI_PER_ETHER;
/** The deposit contract refuses less than 1 ETH. */
export const MIN_DEPOSIT_GWEI = GWEI_PER_ETHER;

/** Withdrawal credential prefixes the beacon chain knows: BLS key, execution address, compounding address. */
export const BLS_WITHDRAWAL_PREFIX = 0x00;
export const EXECUTION_WITHDRAWAL_PREFIX = 0x01;
export const COMPOUNDING_WITHDRAWAL_PREFIX = 0x02;

/** The keys of a deposit CLI entry, in the order the CLI writes them. */
export const DEPOSIT_DATA_KEYS = [
  "pubkey",
  "withdrawal_credentials",
  "amount",
  "signature",
  "deposit_message_root",
  "deposit_data_root",
  "fork_version",
  "network_name",
  "deposit_cli_version",
] as const;

/** One entry of a `deposit_data-*.json` file: byte fields as lower-case hex without 0x, the amount in gwei. */
export interface DepositDataEntry {
  pubkey: string;
  withdrawal_credentials: string;
  amount: number;
  signature: string;
  deposit_message_root: string;
  deposit_data_root: string;
  fork_version: string;
  network_name: string;
  deposit_cli_version: string;
}

/** What a deposit's signature and file entry depend on: a `BeaconNetwork`, or any fork (the vectors' Goerli). */
export type DepositNetwork = Pick<BeaconNetwork, "genesisForkVersion" | "depositCliNetworkName">;

/** Where a validator's stake is withdrawn to. */
export type WithdrawalTarget = { kind: "execution"; address: string } | { kind: "bls" };

// `ssz.phase0.DepositMessage` holds the amount as a JS number, exact up to 2**53 - 1 gwei; above, a bigint field.
const DepositMessageBigAmount = new ContainerType({ ...ssz.phase0.DepositMessage.fields, amount: ssz.UintBn64 });

const HEX_BYTES = { pubkey: 48, withdrawal_credentials: 32, signature: 96, root: 32, fork_version: 4 } as const;

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function checkAmount(amountGwei: bigint): number {
  if (amountGwei < MIN_DEPOSIT_GWEI || amountGwei > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UserInputError(
      `amount ${amountGwei} gwei: expected at least ${MIN_DEPOSIT_GWEI} gwei (1 ETH, the deposit contract's minimum) ` +
        `and at most ${Number.MAX_SAFE_INTEGER} gwei`,
    );
  }
  return Number(amountGwei);
}

/**
 * The deposit signing domain: `compute_domain(DOMAIN_DEPOSIT, genesis_fork_version, ZERO_HASH)`. Deposits are valid
 * across forks, so the domain uses the genesis fork version and no genesis validators root.
 *
 * @param genesisForkVersion 4 bytes, e.g. "0x00000000" for mainnet.
 * @returns 32 bytes: DOMAIN_DEPOSIT ‖ the first 28 bytes of the fork data root.
 */
export function computeDepositDomain(genesisForkVersion: BytesLike): Uint8Array {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({
    currentVersion: bytesOfLength(genesisForkVersion, HEX_BYTES.fork_version, "genesisForkVersion"),
    genesisValidatorsRoot: new Uint8Array(32),
  });
  const domain = new Uint8Array(32);
  domain.set(DOMAIN_DEPOSIT, 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

/** `compute_signing_root`: the SSZ root of `SigningData(object_root, domain)`, the message a BLS key signs. */
export function computeSigningRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain });
}

/**
 * The SSZ root of a `DepositMessage` (pubkey, withdrawal credentials, amount): the file's `deposit_message_root`.
 *
 * @throws RangeError when a length is wrong or the amount is not a uint64.
 */
export function computeDepositMessageRoot(
  pubkey: BytesLike,
  withdrawalCredentials: BytesLike,
  amountGwei: bigint,
): Uint8Array {
  checkUint64(amountGwei, "amountGwei");
  const fields = {
    pubkey: bytesOfLength(pubkey, HEX_BYTES.pubkey, "pubkey"),
    withdrawalCredentials: bytesOfLength(
      withdrawalCredentials,
      HEX_BYTES.withdrawal_credentials,
      "withdrawalCredentials",
    ),
  };
  return amountGwei <= BigInt(Number.MAX_SAFE_INTEGER)
    ? ssz.phase0.DepositMessage.hashTreeRoot({ ...fields, amount: Number(amountGwei) })
    : DepositMessageBigAmount.hashTreeRoot({ ...fields, amount: amountGwei });
}

/**
 * A validator's execution withdrawal address from user input, checksummed.
 *
 * @param argument Names the input in error messages.
 * @throws UserInputError when the address is empty, malformed, has a wrong checksum or is the zero address.
 */
export function parseWithdrawalAddress(address: string, argument = "withdrawal address"): string {
  if (address.trim() === "") throw new UserInputError(`${argument} is empty: expected 0x followed by 40 hex digits`);
  const checksummed = parseAddress(address, argument);
  if (checksummed === ZeroAddress) {
    throw new UserInputError(`${argument} is the zero address: the validator's stake would be withdrawn to nobody`);
  }
  return checksummed;
}

/**
 * 0x01 withdrawal credentials: 0x01 ‖ 11 zero bytes ‖ the execution address.
 *
 * @param argument Names the input in error messages.
 * @returns 0x-prefixed hex, 32 bytes.
 * @throws UserInputError when the address is empty, malformed, has a wrong checksum or is the zero address.
 */
export function executionWithdrawalCredentials(address: string, argument = "withdrawal address"): string {
  return `0x01${"00".repeat(11)}${parseWithdrawalAddress(address, argument).slice(2).toLowerCase()}`;
}

/**
 * 0x00 (BLS) withdrawal credentials: 0x00 ‖ the last 31 bytes of SHA-256 of the withdrawal public key, as the
 * deposit CLIs write them when no withdrawal address is given.
 *
 * @param withdrawalPublicKey The compressed public key of the withdrawal key (m/12381/3600/i/0), 48 bytes.
 * @returns 0x-prefixed hex, 32 bytes.
 */
export function blsWithdrawalCredentials(withdrawalPublicKey: BytesLike): string {
  const hash = sha256(bytesOfLength(withdrawalPublicKey, HEX_BYTES.pubkey, "withdrawalPublicKey"));
  return `0x00${hash.slice(4)}`;
}

/** The withdrawal credentials of a validator's keys for a withdrawal target, 0x-prefixed hex. */
export function withdrawalCredentialsOf(keys: Pick<ValidatorKeys, "withdrawalKey">, target: WithdrawalTarget): string {
  return target.kind === "execution"
    ? executionWithdrawalCredentials(target.address)
    : blsWithdrawalCredentials(keys.withdrawalKey.toPublicKey().toBytes());
}

/** Options shared by everything that signs deposits. */
export interface DepositOptions {
  network: DepositNetwork;
  /** Default 32 ETH. */
  amountGwei?: bigint;
  /** The `deposit_cli_version` to write; default "2.8.0". */
  depositCliVersion?: string;
}

/**
 * Signs one validator's deposit; see `createDepositSigner`. Takes the secret key alone and computes its public key:
 * a deposit whose pubkey is not the signer's would be accepted by the deposit contract and then ignored by the beacon
 * chain, 32 ETH lost.
 */
export type DepositSigner = (signingKey: SecretKey, withdrawalCredentials: BytesLike) => DepositDataEntry;

/**
 * A function that signs deposits for one network and amount. The domain and the fields every entry shares are
 * computed once here, not once a key.
 */
export function createDepositSigner(options: DepositOptions): DepositSigner {
  const amountGwei = options.amountGwei ?? VALIDATOR_DEPOSIT_GWEI;
  const amount = checkAmount(amountGwei);
  const domain = computeDepositDomain(options.network.genesisForkVersion);
  const forkVersion = toHex(getBytes(options.network.genesisForkVersion));
  const networkName = options.network.depositCliNetworkName;
  const depositCliVersion = options.depositCliVersion ?? DEFAULT_DEPOSIT_CLI_VERSION;
  return (signingKey, withdrawalCredentials) => {
    const credentials = bytesOfLength(withdrawalCredentials, HEX_BYTES.withdrawal_credentials, "withdrawalCredentials");
    const pubkey = signingKey.toPublicKey().toBytes();
    const messageRoot = ssz.phase0.DepositMessage.hashTreeRoot({ pubkey, withdrawalCredentials: credentials, amount });
    const signature = signingKey.sign(computeSigningRoot(messageRoot, domain)).toBytes();
    return {
      pubkey: toHex(pubkey),
      withdrawal_credentials: toHex(credentials),
      amount,
      signature: toHex(signature),
      deposit_message_root: toHex(messageRoot),
      deposit_data_root: computeDepositDataRoot(pubkey, credentials, amountGwei, signature).slice(2),
      fork_version: forkVersion,
      network_name: networkName,
      deposit_cli_version: depositCliVersion,
    };
  };
}

/** Signs a deposit for each validator, in order, with the credentials of `withdrawal`. */
export function buildDepositData(
  keys: readonly ValidatorKeys[],
  withdrawal: WithdrawalTarget,
  options: DepositOptions,
): DepositDataEntry[] {
  const sign = createDepositSigner(options);
  // One address for all: checked and encoded once.
  const shared = withdrawal.kind === "execution" ? executionWithdrawalCredentials(withdrawal.address) : undefined;
  return keys.map((key) => sign(key.signingKey, shared ?? withdrawalCredentialsOf(key, withdrawal)));
}

/** Everything the deposit CLI's `existing-mnemonic` command asks for, minus keystores. */
export interface GenerateDepositDataOptions extends DepositOptions {
  mnemonic: string;
  /** BIP-39 passphrase ("mnemonic password"); empty for none. */
  passphrase?: string;
  /** First validator index (the CLI's `validator_start_index`); default 0. */
  start?: number;
  count: number;
  withdrawal: WithdrawalTarget;
}

/**
 * Derives `count` validators from a mnemonic and signs their deposits, as `deposit existing-mnemonic` does; then, as
 * the CLI also does, verifies the result before handing it out (about 0.4 ms a key, batched).
 *
 * @returns The keys (for keystores) and the file entries, in validator index order.
 * @throws UserInputError on a bad mnemonic, index range, address or amount; Error if a deposit made does not verify.
 */
export function generateDepositData(options: GenerateDepositDataOptions): {
  keys: ValidatorKeys[];
  deposits: DepositDataEntry[];
} {
  const seed = mnemonicToSeed(options.mnemonic, options.passphrase ?? "");
  const keys = deriveValidatorKeys(seed, options.start ?? 0, options.count);
  const deposits = buildDepositData(keys, options.withdrawal, options);
  const problems = verifyDepositData(deposits, { network: options.network, amountGwei: options.amountGwei });
  if (problems.length > 0) {
    throw new Error(`deposits just made do not verify: ${formatDepositProblems(problems).join(" | ")}`);
  }
  return { keys, deposits };
}

/**
 * The `deposit_data-*.json` text, byte for byte as the deposit CLIs write it: Python's `json.dump` with its default
 * separators (", " and ": "), ASCII only, keys in the CLI's order, no trailing newline.
 */
export function serializeDepositDataFile(entries: readonly DepositDataEntry[]): string {
  // Objects keep their keys in insertion order: the CLI's order.
  return pythonJsonDumps(entries.map((entry) => Object.fromEntries(DEPOSIT_DATA_KEYS.map((key) => [key, entry[key]]))));
}

/**
 * The deposit CLI's file name for a file written at `unixSeconds`: `deposit_data-<whole seconds>.json`.
 *
 * @param unixSeconds Seconds since the epoch, e.g. `Date.now() / 1000`; the fraction is dropped, as Python's `%i`.
 */
export function depositDataFileName(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds < 0) {
    throw new RangeError(`unixSeconds: expected a non-negative number, got ${unixSeconds}`);
  }
  return `deposit_data-${Math.trunc(unixSeconds)}.json`;
}

function hexProblem(key: string, value: unknown, bytes: number): string | undefined {
  if (typeof value !== "string") return `${key}: expected a string of ${bytes * 2} hex digits, got ${describe(value)}`;
  if (/^0x/i.test(value)) return `${key}: starts with 0x: expected ${bytes * 2} hex digits without 0x`;
  if (!/^[0-9a-f]*$/i.test(value)) return `${key}: "${clip(value)}" is not hex: expected ${bytes * 2} hex digits`;
  if (value.length !== bytes * 2) {
    return `${key}: expected ${bytes * 2} hex digits (${bytes} bytes), got ${value.length}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string "${clip(value)}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function clip(text: string): string {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}

/** Format problems of one entry (types, lengths, hex, keys); empty when well-formed. */
function entryFormatProblems(entry: unknown): string[] {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return [`expected an object with the keys ${DEPOSIT_DATA_KEYS.join(", ")}, got ${describe(entry)}`];
  }
  const record = entry as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of DEPOSIT_DATA_KEYS) {
    if (!(key in record)) problems.push(`missing key "${key}"`);
  }
  for (const key of Object.keys(record)) {
    if (!(DEPOSIT_DATA_KEYS as readonly string[]).includes(key)) problems.push(`unknown key "${key}"`);
  }
  const hexFields = [
    ["pubkey", HEX_BYTES.pubkey],
    ["withdrawal_credentials", HEX_BYTES.withdrawal_credentials],
    ["signature", HEX_BYTES.signature],
    ["deposit_message_root", HEX_BYTES.root],
    ["deposit_data_root", HEX_BYTES.root],
    ["fork_version", HEX_BYTES.fork_version],
  ] as const;
  for (const [key, bytes] of hexFields) {
    const problem = key in record ? hexProblem(key, record[key], bytes) : undefined;
    if (problem !== undefined) problems.push(problem);
  }
  if ("amount" in record) {
    const amount = record.amount;
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
      problems.push(`amount: expected a positive whole number of gwei such as 32000000000, got ${describe(amount)}`);
    }
  }
  for (const key of ["network_name", "deposit_cli_version"] as const) {
    if (key in record && (typeof record[key] !== "string" || record[key] === "")) {
      problems.push(`${key}: expected a non-empty string, got ${describe(record[key])}`);
    }
  }
  return problems;
}

const MAX_LISTED_PROBLEMS = 10;

/**
 * Parses and checks the shape of a `deposit_data-*.json` file: a non-empty array of objects with exactly the CLI's
 * keys (any order), hex fields of the right length without 0x, a positive whole amount. Nothing cryptographic: see
 * `verifyDepositData`.
 *
 * @param source Names the file in error messages.
 * @returns The entries, hex in lower case.
 * @throws UserInputError listing every problem found (the first 10), each with its entry's index.
 */
export function parseDepositDataFile(text: string, source = "deposit data file"): DepositDataEntry[] {
  let parsed: unknown;
  try {
    // A byte-order mark is what some editors add on save; it is not a reason to refuse the file.
    parsed = JSON.parse(text.replace(/^\uFEFF/u, ""));
  } catch (error) {
    throw new UserInputError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new UserInputError(`${source}: expected a JSON array of deposits, got ${describe(parsed)}`);
  }
  if (parsed.length === 0) throw new UserInputError(`${source} holds no deposits: expected at least one`);
  const problems = parsed.flatMap((entry, i) =>
    entryFormatProblems(entry).map((problem) => `deposit ${i}: ${problem}`),
  );
  if (problems.length > 0) {
    const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : "";
    throw new UserInputError(`${source} is malformed: ${problems.slice(0, MAX_LISTED_PROBLEMS).join("; ")}${more}`);
  }
  return (parsed as Record<string, string | number>[]).map((entry) => ({
    pubkey: (entry.pubkey as string).toLowerCase(),
    withdrawal_credentials: (entry.withdrawal_credentials as string).toLowerCase(),
    amount: entry.amount as number,
    signature: (entry.signature as string).toLowerCase(),
    deposit_message_root: (entry.deposit_message_root as string).toLowerCase(),
    deposit_data_root: (entry.deposit_data_root as string).toLowerCase(),
    fork_version: (entry.fork_version as string).toLowerCase(),
    network_name: entry.network_name as string,
    deposit_cli_version: entry.deposit_cli_version as string,
  }));
}

/** What a deposit file is checked against. */
export interface VerifyDepositOptions {
  network: DepositNetwork;
  /** The amount every deposit must have; default 32 ETH. */
  amountGwei?: bigint;
  /** When given, every deposit's withdrawal credentials must equal these (32 bytes). */
  withdrawalCredentials?: BytesLike;
}

/** The problems found in one deposit of a file. */
export interface DepositProblems {
  /** Position in the file, from 0. */
  index: number;
  /** As written in the file. */
  pubkey: string;
  problems: string[];
}

function blsError(error: unknown): string {
  return (error as Error).message.replace(/^Public key is infinity$/u, "the point at infinity").toLowerCase();
}

function credentialProblem(credentials: Uint8Array): string | undefined {
  const prefix = credentials[0]!;
  if (prefix === BLS_WITHDRAWAL_PREFIX) return undefined;
  if (prefix === EXECUTION_WITHDRAWAL_PREFIX || prefix === COMPOUNDING_WITHDRAWAL_PREFIX) {
    return credentials.subarray(1, 12).every((byte) => byte === 0)
      ? undefined
      : `withdrawal_credentials: bytes 1 to 11 of 0x0${prefix} credentials must be zero (0x0${prefix} ‖ 11 zero bytes ‖ address)`;
  }
  return `withdrawal_credentials: unknown prefix 0x${prefix.toString(16).padStart(2, "0")}: expected 0x00, 0x01 or 0x02`;
}

/**
 * Verifies every deposit of a file and reports all problems, deposit by deposit, instead of stopping at the first:
 * format; the pubkey and signature as BLS points (on the curve, in the subgroup, not infinity); the signature over the
 * recomputed `DepositMessage` under the network's genesis fork version; `deposit_message_root` and
 * `deposit_data_root` recomputed; the amount; the withdrawal credentials (prefix, and equal to the expected ones when
 * given); `fork_version` and `network_name` against the network; pubkeys that appear twice.
 *
 * @returns The deposits with problems, in file order; empty when every deposit is valid.
 */
export function verifyDepositData(
  entries: readonly DepositDataEntry[],
  options: VerifyDepositOptions,
): DepositProblems[] {
  const expectedAmount = options.amountGwei ?? VALIDATOR_DEPOSIT_GWEI;
  const expectedCredentials =
    options.withdrawalCredentials === undefined
      ? undefined
      : toHex(bytesOfLength(options.withdrawalCredentials, HEX_BYTES.withdrawal_credentials, "withdrawalCredentials"));
  const forkVersion = toHex(bytesOfLength(options.network.genesisForkVersion, 4, "genesisForkVersion"));
  const networkName = options.network.depositCliNetworkName;
  const domain = computeDepositDomain(`0x${forkVersion}`);
  const firstIndexOf = new Map<string, number>();

  const reports: DepositProblems[] = [];
  const signatureChecks: {
    report: DepositProblems;
    set: SignatureSet;
    entry: DepositDataEntry;
    messageRoot: Uint8Array;
  }[] = [];
  entries.forEach((entry, index) => {
    const report: DepositProblems = { index, pubkey: String(entry.pubkey), problems: entryFormatProblems(entry) };
    reports.push(report);
    if (report.problems.length > 0) return;

    const pubkey = entry.pubkey.toLowerCase();
    const earlier = firstIndexOf.get(pubkey);
    if (earlier === undefined) firstIndexOf.set(pubkey, index);
    else report.problems.push(`duplicate pubkey: also deposit ${earlier} of this file`);

    if (entry.fork_version.toLowerCase() !== forkVersion) {
      report.problems.push(
        `fork_version ${entry.fork_version} is not ${networkName}'s genesis fork version ${forkVersion}`,
      );
    }
    if (entry.network_name !== networkName) {
      report.problems.push(`network_name "${entry.network_name}" is not "${networkName}"`);
    }
    if (BigInt(entry.amount) !== expectedAmount) {
      report.problems.push(`amount ${entry.amount} gwei is not the expected ${expectedAmount} gwei`);
    }
    const credentials = fromHex(entry.withdrawal_credentials);
    const prefixProblem = credentialProblem(credentials);
    if (prefixProblem !== undefined) report.problems.push(prefixProblem);
    if (expectedCredentials !== undefined && entry.withdrawal_credentials.toLowerCase() !== expectedCredentials) {
      report.problems.push(
        `withdrawal_credentials ${entry.withdrawal_credentials} are not the expected ${expectedCredentials}`,
      );
    }

    const pubkeyBytes = fromHex(entry.pubkey);
    const signatureBytes = fromHex(entry.signature);
    const messageRoot = ssz.phase0.DepositMessage.hashTreeRoot({
      pubkey: pubkeyBytes,
      withdrawalCredentials: credentials,
      amount: entry.amount,
    });
    if (toHex(messageRoot) !== entry.deposit_message_root.toLowerCase()) {
      report.problems.push(
        `deposit_message_root ${entry.deposit_message_root} does not match the pubkey, withdrawal_credentials and ` +
          `amount (expected ${toHex(messageRoot)})`,
      );
    }
    const dataRoot = computeDepositDataRoot(pubkeyBytes, credentials, BigInt(entry.amount), signatureBytes).slice(2);
    if (dataRoot !== entry.deposit_data_root.toLowerCase()) {
      report.problems.push(
        `deposit_data_root ${entry.deposit_data_root} does not match the deposit (expected ${dataRoot}): ` +
          `the deposit contract would refuse it`,
      );
    }

    let publicKey: PublicKey | undefined;
    let signature: Signature | undefined;
    try {
      publicKey = PublicKey.fromBytes(pubkeyBytes, true);
    } catch (error) {
      report.problems.push(`pubkey is not a valid BLS public key (${blsError(error)})`);
    }
    try {
      signature = Signature.fromBytes(signatureBytes, true, true);
    } catch (error) {
      report.problems.push(`signature is not a valid BLS signature (${blsError(error)})`);
    }
    if (publicKey !== undefined && signature !== undefined) {
      const set = { msg: computeSigningRoot(messageRoot, domain), pk: publicKey, sig: signature };
      signatureChecks.push({ report, set, entry, messageRoot });
    }
  });

  // One batched check (random linear combination) covers the common case of a valid file; only when it fails is
  // each signature checked alone, to say which.
  const allValid =
    signatureChecks.length > 0 &&
    verifyMultipleAggregateSignatures(
      signatureChecks.map((check) => check.set),
      false,
      false,
    );
  if (!allValid) {
    for (const { report, set, entry, messageRoot } of signatureChecks) {
      if (verify(set.msg, set.pk, set.sig, false, false)) continue;
      const hint = otherForkHint(entry.fork_version.toLowerCase(), forkVersion, messageRoot, set);
      report.problems.push(`signature does not verify under fork ${forkVersion}${hint}`);
    }
  }
  return reports.filter((report) => report.problems.length > 0);
}

// A file made for another network is the likeliest cause of a bad signature: say so when its own fork verifies.
function otherForkHint(own: string, forkVersion: string, messageRoot: Uint8Array, set: SignatureSet): string {
  if (own === forkVersion) return "";
  const signingRoot = computeSigningRoot(messageRoot, computeDepositDomain(`0x${own}`));
  const valid = verify(signingRoot, set.pk, set.sig, false, false);
  return valid ? ` (it verifies under the file's fork_version ${own}: the deposit was made for another network)` : "";
}

/**
 * One line per deposit with problems, for a task to print: `key 3 (0x8c239d313e3f…): signature does not verify
 * under fork 00000000; amount …`.
 */
export function formatDepositProblems(reports: readonly DepositProblems[]): string[] {
  return reports.map(
    (report) => `key ${report.index} (0x${report.pubkey.slice(0, 12)}…): ${report.problems.join("; ")}`,
  );
}
