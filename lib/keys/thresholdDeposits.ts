/**
 * Threshold keys used for deposits, by exchanging files (formats in `lib/keys/clusterFiles.ts`):
 *  - `splitKeyFiles`: a trusted dealer splits existing secret keys into share files (the weaker model: the machine
 *    that runs it held every key whole);
 *  - `signDepositShare`: a member signs the 32 ETH deposit of every group key of its share file;
 *  - `combineDepositFiles`: anyone combines t members' partial signatures into a `deposit_data-<unix seconds>.json`
 *    exactly as the official deposit CLI writes it.
 */
import path from "node:path";

import { getAddress, getBytes } from "ethers";

import { computeDepositDataRoot } from "../depositData.js";
import { UserInputError } from "../errors.js";
import { type BeaconNetwork, beaconNetwork } from "../networks.js";
import {
  header,
  GROUP_FILE_NAME,
  type GroupFile,
  MAX_SESSION_VALIDATORS,
  partialFileName,
  type PartialSignaturesFile,
  readClusterFile,
  serializeClusterFile,
  sharedFileIsPresent,
  shareFileName,
  type ShareFile,
  type TrustModel,
  type ValidatorGroupKey,
  writeNewFiles,
} from "./clusterFiles.js";
import {
  computeDepositDomain,
  computeDepositMessageRoot,
  computeSigningRoot,
  DEFAULT_DEPOSIT_CLI_VERSION,
  type DepositDataEntry,
  depositDataFileName,
  executionWithdrawalCredentials,
  formatDepositProblems,
  serializeDepositDataFile,
  VALIDATOR_DEPOSIT_GWEI,
  verifyDepositData,
} from "./depositData.js";
import { toHex } from "./pythonJson.js";
import {
  assertThreshold,
  combinePartialSignatures,
  decodeCommitments,
  decodeSecretKey,
  type Hex,
  type PartialSignature,
  publicSharesFromPoints,
  type RandomBytes,
  secretKeyToPublicKey,
  signWithShare,
  splitSecretKey,
  verifyPartialSignature,
  verifyShare,
  verifySignature,
} from "./threshold.js";

/** The message every member signs for a validator key: the signing root of its 32 ETH `DepositMessage`. */
export function depositSigningRoot(
  groupPublicKey: Hex,
  withdrawalCredentials: Hex,
  network: Pick<BeaconNetwork, "genesisForkVersion">,
): Uint8Array {
  const messageRoot = computeDepositMessageRoot(groupPublicKey, withdrawalCredentials, VALIDATOR_DEPOSIT_GWEI);
  return computeSigningRoot(messageRoot, computeDepositDomain(network.genesisForkVersion));
}

// ---------------------------------------------------------------------------------------------------------------------
// Trusted-dealer split

/**
 * Secret keys from a file's text: one 32-byte hex key (0x optional) a line; blank lines and `#` comments skipped.
 * Messages never quote a line: it may be a key with a typo.
 *
 * @throws UserInputError naming `source` and the line.
 */
export function parseSecretKeyLines(text: string, source: string): Hex[] {
  const keys: Hex[] = [];
  const lineOf = new Map<Hex, number>();
  text.split(/\r?\n/u).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (!/^(?:0x)?[0-9a-fA-F]{64}$/u.test(line)) {
      throw new UserInputError(`${source} line ${i + 1}: expected a secret key of 64 hex digits (0x optional)`);
    }
    const key = `0x${line.replace(/^0x/u, "").toLowerCase()}`;
    decodeSecretKey(key, `${source} line ${i + 1}`);
    const earlier = lineOf.get(key);
    if (earlier !== undefined) throw new UserInputError(`${source} line ${i + 1}: repeats the key of line ${earlier}`);
    lineOf.set(key, i + 1);
    keys.push(key);
  });
  if (keys.length === 0) throw new UserInputError(`${source}: no secret key in it (expected one a line)`);
  if (keys.length > MAX_SESSION_VALIDATORS) {
    throw new UserInputError(`${source}: ${keys.length} keys, at most ${MAX_SESSION_VALIDATORS} a session`);
  }
  return keys;
}

export interface SplitKeyFilesOptions {
  /** The validator keys to split, 32 bytes each. */
  secretKeys: readonly (Hex | Uint8Array)[];
  threshold: number;
  members: number;
  outDir: string;
  /** Tests only: a seeded source of randomness. */
  rng?: RandomBytes;
}

export interface SplitKeyFiles {
  /** Secret: `shareFiles[i - 1]` goes to member i only. */
  shareFiles: string[];
  groupFile: string;
  group: GroupFile;
}

/**
 * Splits existing secret keys among `members` (see `splitSecretKey`) and writes each member's share file and the group
 * key file, in the same formats as the DKG's, marked `trustModel: "trusted-dealer"`.
 *
 * @throws UserInputError on a bad key, threshold or cluster size, a key given twice, or a file that already exists.
 */
export async function splitKeyFiles(options: SplitKeyFilesOptions): Promise<SplitKeyFiles> {
  const { threshold, members, outDir } = options;
  assertThreshold(threshold, members);
  if (options.secretKeys.length === 0 || options.secretKeys.length > MAX_SESSION_VALIDATORS) {
    throw new UserInputError(`secret keys: expected 1 to ${MAX_SESSION_VALIDATORS}, got ${options.secretKeys.length}`);
  }
  const publicKeys = options.secretKeys.map((key, i) => {
    decodeSecretKey(key, `secret key ${i}`); // names the key; secretKeyToPublicKey would not
    return secretKeyToPublicKey(key);
  });
  const duplicate = publicKeys.findIndex((key, i) => publicKeys.indexOf(key) !== i);
  if (duplicate !== -1) {
    throw new UserInputError(
      `secret key ${duplicate} repeats secret key ${publicKeys.indexOf(publicKeys[duplicate]!)}: expected distinct keys`,
    );
  }

  const splits = options.secretKeys.map((key) => splitSecretKey(key, threshold, members, options.rng));
  const shareFiles = Array.from({ length: members }, (_, i) => {
    const share: ShareFile = {
      ...header("share"),
      trustModel: "trusted-dealer",
      member: i + 1,
      threshold,
      members,
      validators: splits.map((split) => ({
        groupPublicKey: split.groupPublicKey,
        commitments: split.commitments,
        secretShare: split.shares[i]!.secretKey,
      })),
    };
    return { path: path.join(outDir, shareFileName(i + 1)), text: serializeClusterFile(share), secret: true };
  });
  const group: GroupFile = {
    ...header("group"),
    trustModel: "trusted-dealer",
    threshold,
    members,
    validators: splits.map(({ groupPublicKey, commitments, publicShares }) => ({
      groupPublicKey,
      commitments,
      publicShares,
    })),
  };
  const groupFile = path.join(outDir, GROUP_FILE_NAME);
  const groupText = serializeClusterFile(group);
  const present = sharedFileIsPresent(groupFile, groupText);
  await writeNewFiles([...shareFiles, ...(present ? [] : [{ path: groupFile, text: groupText, secret: false }])]);
  return { shareFiles: shareFiles.map((file) => file.path), groupFile, group };
}

// ---------------------------------------------------------------------------------------------------------------------
// Signing with a share

export interface SignDepositShareOptions {
  shareFile: string;
  /** 0x01 withdrawal credentials to this address (`--withdrawal-address`). */
  withdrawalAddress: string;
  /** Beacon network name or chain id (`--chain`). */
  chain: string;
  /** Default: the share file's folder. */
  outDir?: string;
}

/**
 * Signs the 32 ETH deposit of every group key in a member's share file, with 0x01 credentials to `withdrawalAddress`,
 * after checking the share against the file's commitments; writes `partial-signatures-<member>.json`.
 *
 * @throws UserInputError on a bad share file, address or chain, or when the partial signature file already exists.
 */
export async function signDepositShare(
  options: SignDepositShareOptions,
): Promise<{ file: string; partial: PartialSignaturesFile }> {
  const network = beaconNetwork(options.chain, "--chain");
  const credentials = executionWithdrawalCredentials(options.withdrawalAddress, "--withdrawal-address");
  const share = await readClusterFile(options.shareFile, "share", "--share");
  const secretShares = share.validators.map((validator, i) => {
    const secretShare = { index: share.member, secretKey: validator.secretShare };
    if (!verifyShare(secretShare, validator.commitments)) {
      throw new UserInputError(
        `--share ${options.shareFile}: the share of validator key ${i} does not match the file's commitments`,
      );
    }
    return secretShare;
  });
  const partial: PartialSignaturesFile = {
    ...header("partial"),
    trustModel: share.trustModel,
    member: share.member,
    threshold: share.threshold,
    members: share.members,
    chain: network.name,
    forkVersion: network.genesisForkVersion,
    withdrawalCredentials: credentials,
    amountGwei: Number(VALIDATOR_DEPOSIT_GWEI),
    validators: share.validators.map(({ groupPublicKey, commitments }, i) => ({
      groupPublicKey,
      commitments,
      signature: signWithShare(secretShares[i]!, depositSigningRoot(groupPublicKey, credentials, network)).signature,
    })),
  };
  const file = path.join(options.outDir ?? path.dirname(options.shareFile), partialFileName(share.member));
  await writeNewFiles([{ path: file, text: serializeClusterFile(partial), secret: false }]);
  return { file, partial };
}

// ---------------------------------------------------------------------------------------------------------------------
// Combining

export interface CombineDepositOptions {
  partialFiles: readonly string[];
  withdrawalAddress: string;
  chain: string;
  /** When given, must be the threshold the files carry (`--threshold`). */
  threshold?: number;
  /** A `group-key.json` every partial must match (`--group`); default: the partials must agree among themselves. */
  groupFile?: string;
  outDir: string;
  unixSeconds?: number;
  depositCliVersion?: string;
}

/** A partial signature that does not verify against its member's public share: left out. */
export interface InvalidPartial {
  validator: number;
  member: number;
  file: string;
}

export interface CombinedDeposits {
  depositDataFile: string;
  deposits: DepositDataEntry[];
  trustModel: TrustModel;
  threshold: number;
  members: number;
  /** Per validator key, the members whose partial signatures were combined. */
  signers: number[][];
  invalid: InvalidPartial[];
}

interface LoadedPartial {
  file: string;
  content: PartialSignaturesFile;
}

/**
 * Verifies each partial signature against its member's public share (derived from the commitments, not taken from
 * any file), combines `threshold` valid ones per validator key, checks the result under the group key, and writes the
 * deposit data file, every deposit verified as `keys verify` would.
 *
 * @throws UserInputError when the files are for different group keys, networks, withdrawal addresses or thresholds,
 *   a member appears twice, or some validator key has fewer than `threshold` valid partial signatures (naming how
 *   many are valid and which are not).
 */
export async function combineDepositFiles(options: CombineDepositOptions): Promise<CombinedDeposits> {
  const network = beaconNetwork(options.chain, "--chain");
  const credentials = executionWithdrawalCredentials(options.withdrawalAddress, "--withdrawal-address");
  if (options.partialFiles.length === 0) {
    throw new UserInputError("expected partial signature files (partial-signatures-<member>.json), got none");
  }
  const partials: LoadedPartial[] = [];
  for (const file of options.partialFiles) {
    const content = await readClusterFile(file, "partial", "partial signature file");
    const twin = partials.find((other) => other.content.member === content.member);
    if (twin !== undefined) {
      throw new UserInputError(
        `${twin.file} and ${file} are both partial signatures of member ${content.member}: expected one per member`,
      );
    }
    partials.push({ file, content });
  }
  partials.sort((a, b) => a.content.member - b.content.member);
  const reference = partials[0]!;
  for (const partial of partials.slice(1))
    assertSameGroup(reference.file, reference.content, partial.file, partial.content);
  if (options.groupFile !== undefined && options.groupFile !== "") {
    const group = await readClusterFile(options.groupFile, "group", "--group");
    assertSameGroup(`--group ${options.groupFile}`, group, reference.file, reference.content);
  }
  for (const { file, content } of partials) assertSameDeposit(file, content, network, credentials, options);
  const { threshold, members, trustModel } = reference.content;
  if (options.threshold !== undefined && options.threshold !== threshold) {
    throw new UserInputError(
      `--threshold ${options.threshold}: the partial signature files are for a ${threshold}-of-${members} cluster`,
    );
  }

  const invalid: InvalidPartial[] = [];
  const shortfalls: string[] = [];
  const combined: { groupPublicKey: Hex; signature: Hex; signers: number[] }[] = [];
  reference.content.validators.forEach(({ groupPublicKey, commitments }, validator) => {
    const message = depositSigningRoot(groupPublicKey, credentials, network);
    const publicShares = publicSharesFromPoints(
      decodeCommitments(commitments, `${reference.file}: validators[${validator}].commitments`),
      members,
    );
    const valid: PartialSignature[] = [];
    const invalidHere: InvalidPartial[] = [];
    for (const { file, content } of partials) {
      const partial = { index: content.member, signature: content.validators[validator]!.signature };
      if (verifyPartialSignature(partial, publicShares, message)) valid.push(partial);
      else invalidHere.push({ validator, member: content.member, file });
    }
    invalid.push(...invalidHere);
    if (valid.length < threshold) {
      const listed = invalidHere.map((bad) => `member ${bad.member} (${bad.file})`).join(", ");
      shortfalls.push(
        `validator key ${validator} (${groupPublicKey.slice(0, 14)}…): ${valid.length} valid partial signature(s), ` +
          `${threshold} needed (the threshold)` +
          (listed === "" ? "" : `; invalid: ${listed}`),
      );
      return;
    }
    const signers = valid.slice(0, threshold);
    const signature = combinePartialSignatures(signers, threshold);
    if (!verifySignature(groupPublicKey, message, signature)) {
      // Partials valid under public shares of one polynomial always combine to the group key's signature.
      throw new Error(`validator key ${validator}: the combined signature does not verify under the group key`);
    }
    combined.push({ groupPublicKey, signature, signers: signers.map((partial) => partial.index) });
  });
  if (shortfalls.length > 0) throw new UserInputError(`cannot combine: ${shortfalls.join("; ")}`);

  const depositCliVersion = options.depositCliVersion ?? DEFAULT_DEPOSIT_CLI_VERSION;
  const deposits = combined.map((entry) =>
    depositDataEntry(entry.groupPublicKey, credentials, entry.signature, network, depositCliVersion),
  );
  const problems = verifyDepositData(deposits, { network, withdrawalCredentials: credentials });
  if (problems.length > 0) {
    throw new Error(`combined deposits do not verify: ${formatDepositProblems(problems).join(" | ")}`);
  }
  const unixSeconds = options.unixSeconds ?? Math.floor(Date.now() / 1000);
  const depositDataFile = path.join(options.outDir, depositDataFileName(unixSeconds));
  await writeNewFiles([{ path: depositDataFile, text: serializeDepositDataFile(deposits), secret: false }]);
  return {
    depositDataFile,
    deposits,
    trustModel,
    threshold,
    members,
    signers: combined.map((entry) => entry.signers),
    invalid,
  };
}

/** The deposit CLI's entry for a group key's deposit, its signature combined from the members'. */
function depositDataEntry(
  groupPublicKey: Hex,
  withdrawalCredentials: Hex,
  signature: Hex,
  network: BeaconNetwork,
  depositCliVersion: string,
): DepositDataEntry {
  const messageRoot = computeDepositMessageRoot(groupPublicKey, withdrawalCredentials, VALIDATOR_DEPOSIT_GWEI);
  return {
    pubkey: groupPublicKey.slice(2),
    withdrawal_credentials: withdrawalCredentials.slice(2),
    amount: Number(VALIDATOR_DEPOSIT_GWEI),
    signature: signature.slice(2),
    deposit_message_root: toHex(messageRoot),
    deposit_data_root: computeDepositDataRoot(
      groupPublicKey,
      withdrawalCredentials,
      VALIDATOR_DEPOSIT_GWEI,
      signature,
    ).slice(2),
    fork_version: toHex(getBytes(network.genesisForkVersion)),
    network_name: network.depositCliNetworkName,
    deposit_cli_version: depositCliVersion,
  };
}

type GroupKeys = { threshold: number; members: number; validators: readonly ValidatorGroupKey[] };

/** @throws UserInputError when `b` is not for the same cluster and group keys as `a`. */
function assertSameGroup(aName: string, a: GroupKeys, bName: string, b: GroupKeys): void {
  const different = (detail: string) =>
    new UserInputError(`${aName} and ${bName} are for different group keys (${detail}): expected one cluster's files`);
  if (a.threshold !== b.threshold || a.members !== b.members) {
    throw different(`${a.threshold}-of-${a.members} vs ${b.threshold}-of-${b.members}`);
  }
  if (a.validators.length !== b.validators.length) {
    throw different(`${a.validators.length} vs ${b.validators.length} validator keys`);
  }
  a.validators.forEach((keyA, i) => {
    const keyB = b.validators[i]!;
    if (keyA.commitments.join() !== keyB.commitments.join()) {
      throw different(
        `validator key ${i}: ${keyA.groupPublicKey.slice(0, 14)}… vs ${keyB.groupPublicKey.slice(0, 14)}…` +
          (keyA.groupPublicKey === keyB.groupPublicKey ? " with other commitments" : ""),
      );
    }
  });
}

/** @throws UserInputError when a partial signs another network, withdrawal address or amount than asked for. */
function assertSameDeposit(
  file: string,
  partial: PartialSignaturesFile,
  network: BeaconNetwork,
  credentials: Hex,
  options: CombineDepositOptions,
): void {
  if (partial.forkVersion !== network.genesisForkVersion) {
    throw new UserInputError(
      `${file} signs for ${partial.chain} (fork version ${partial.forkVersion}), not --chain ${options.chain} ` +
        `(${network.genesisForkVersion})`,
    );
  }
  if (partial.withdrawalCredentials !== credentials) {
    const address = /^0x01(?:00){11}[0-9a-f]{40}$/u.test(partial.withdrawalCredentials)
      ? getAddress(`0x${partial.withdrawalCredentials.slice(26)}`)
      : partial.withdrawalCredentials;
    throw new UserInputError(
      `${file} signs deposits withdrawing to ${address}, not to --withdrawal-address ${options.withdrawalAddress}: ` +
        `every member must sign for the same address`,
    );
  }
  if (BigInt(partial.amountGwei) !== VALIDATOR_DEPOSIT_GWEI) {
    throw new UserInputError(
      `${file} signs deposits of ${partial.amountGwei} gwei, expected ${VALIDATOR_DEPOSIT_GWEI}`,
    );
  }
}
