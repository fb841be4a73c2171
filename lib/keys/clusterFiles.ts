/**
 * The files a distributed-validator cluster exchanges to create and use threshold keys without any network between
 * its members: DKG deals and commitments, each member's secret share, the cluster's public group keys, and partial
 * deposit signatures. Every file is JSON (two-space indented, one trailing newline) tagged with its `format` and
 * `version`; keys, shares and signatures are 0x-prefixed lowercase hex; every per-key field is an array with one entry
 * per validator key of the session, in the same order in every file.
 *
 * Secret files (deals and shares) are written with mode 0o600 and never overwrite an existing file.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { UserInputError } from "../errors.js";
import { asHex, asHexList, asInteger, asObject } from "./dkg.js";
import { assertMemberIndex, assertThreshold, type Hex, type PublicShare } from "./threshold.js";

export const CLUSTER_FILE_VERSION = 1;

/** The `format` tag of each kind of file. */
export const CLUSTER_FILE_FORMATS = {
  deal: "plural-dkg-deal",
  commitments: "plural-dkg-commitments",
  share: "plural-threshold-share",
  group: "plural-threshold-group",
  partial: "plural-partial-deposit-signatures",
} as const;
export type ClusterFileKind = keyof typeof CLUSTER_FILE_FORMATS;

/** Validator keys one session makes: enough for any operator, few enough to keep files small. */
export const MAX_SESSION_VALIDATORS = 1000;

/** How the shares came to be: a DKG (no one ever held the key) or a trusted dealer's split of an existing key. */
export type TrustModel = "dkg" | "trusted-dealer";

// ---------------------------------------------------------------------------------------------------------------------
// Names: who sends what to whom

/** Secret: dealer `dealer`'s shares for member `recipient`, with its commitments. */
export function dealFileName(dealer: number, recipient: number): string {
  return `dkg-deal-from-${dealer}-to-${recipient}.json`;
}

/** Public: dealer `dealer`'s commitments, for every member. */
export function commitmentsFileName(dealer: number): string {
  return `dkg-commitments-from-${dealer}.json`;
}

/** Secret: member `member`'s shares of the group keys. */
export function shareFileName(member: number): string {
  return `secret-share-${member}.json`;
}

/** Public: the group keys and every member's public shares; byte-identical at every member. */
export const GROUP_FILE_NAME = "group-key.json";

/** Public: member `member`'s partial signatures of the group keys' deposits. */
export function partialFileName(member: number): string {
  return `partial-signatures-${member}.json`;
}

export const DEAL_FILE_PATTERN = /^dkg-deal-from-(\d+)-to-(\d+)\.json$/u;
export const COMMITMENTS_FILE_PATTERN = /^dkg-commitments-from-(\d+)\.json$/u;

// ---------------------------------------------------------------------------------------------------------------------
// Contents

interface FileHeader<Kind extends ClusterFileKind> {
  format: (typeof CLUSTER_FILE_FORMATS)[Kind];
  version: typeof CLUSTER_FILE_VERSION;
}

/** One validator key as every member knows it: `commitments[0]` is `groupPublicKey`. */
export interface ValidatorGroupKey {
  groupPublicKey: Hex;
  /** Feldman commitments to the group polynomial's t coefficients: each member's public share follows from them. */
  commitments: Hex[];
}

/** `dkg-deal-from-<dealer>-to-<recipient>.json`. Secret. */
export interface DealFile extends FileHeader<"deal"> {
  dealer: number;
  recipient: number;
  threshold: number;
  members: number;
  /** Per validator key: the dealer's commitments and f_dealer(recipient). */
  validators: { commitments: Hex[]; share: Hex }[];
}

/** `dkg-commitments-from-<dealer>.json`. Public. */
export interface CommitmentsFile extends FileHeader<"commitments"> {
  dealer: number;
  threshold: number;
  members: number;
  validators: { commitments: Hex[] }[];
}

/** `secret-share-<member>.json`. Secret. */
export interface ShareFile extends FileHeader<"share"> {
  trustModel: TrustModel;
  member: number;
  threshold: number;
  members: number;
  validators: (ValidatorGroupKey & { secretShare: Hex })[];
}

/** `group-key.json`. Public. */
export interface GroupFile extends FileHeader<"group"> {
  trustModel: TrustModel;
  threshold: number;
  members: number;
  /** DKG only: the dealers whose polynomials were summed. */
  qualifiedDealers?: number[];
  validators: (ValidatorGroupKey & { publicShares: PublicShare[] })[];
}

/** `partial-signatures-<member>.json`. Public. */
export interface PartialSignaturesFile extends FileHeader<"partial"> {
  trustModel: TrustModel;
  member: number;
  threshold: number;
  members: number;
  /** The beacon network name, and the genesis fork version the deposits are signed under. */
  chain: string;
  forkVersion: Hex;
  withdrawalCredentials: Hex;
  amountGwei: number;
  /** Per validator key: the member's signature of the deposit's signing root. */
  validators: (ValidatorGroupKey & { signature: Hex })[];
}

export type ClusterFile = DealFile | CommitmentsFile | ShareFile | GroupFile | PartialSignaturesFile;

export function header<Kind extends ClusterFileKind>(kind: Kind): FileHeader<Kind> {
  return { format: CLUSTER_FILE_FORMATS[kind], version: CLUSTER_FILE_VERSION };
}

/** The text of a cluster file: indented JSON and a trailing newline, the same bytes at every member. */
export function serializeClusterFile(file: ClusterFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Parsing: every field checked, every error naming the file and the field

/** Parses a cluster file of the expected kind. @throws UserInputError naming `source` and the first wrong field. */
export function parseClusterFile(value: unknown, kind: "deal", source: string): DealFile;
export function parseClusterFile(value: unknown, kind: "commitments", source: string): CommitmentsFile;
export function parseClusterFile(value: unknown, kind: "share", source: string): ShareFile;
export function parseClusterFile(value: unknown, kind: "group", source: string): GroupFile;
export function parseClusterFile(value: unknown, kind: "partial", source: string): PartialSignaturesFile;
export function parseClusterFile(value: unknown, kind: ClusterFileKind, source: string): ClusterFile;
export function parseClusterFile(value: unknown, kind: ClusterFileKind, source: string): ClusterFile {
  const object = asObject(value, source);
  checkHeader(object, kind, source);
  const field = (name: string) => `${source}: ${name}`;
  const threshold = asInteger(object.threshold, field("threshold"));
  const members = asInteger(object.members, field("members"));
  try {
    assertThreshold(threshold, members);
  } catch (error) {
    throw new UserInputError(`${source}: ${(error as Error).message}`);
  }
  const index = (name: string) => {
    const value = asInteger(object[name], field(name));
    assertMemberIndex(value, members, field(name));
    return value;
  };
  const validators = asValidatorList(object.validators, field("validators"));
  const commitmentsAt = (entry: Record<string, unknown>, i: number) => {
    const commitments = asHexList(entry.commitments, field(`validators[${i}].commitments`));
    if (commitments.length !== threshold) {
      throw new UserInputError(
        `${field(`validators[${i}].commitments`)}: expected ${threshold} commitments (the threshold), got ${commitments.length}`,
      );
    }
    return commitments;
  };
  const groupKeyAt = (entry: Record<string, unknown>, i: number): ValidatorGroupKey => {
    const groupPublicKey = asHex(entry.groupPublicKey, field(`validators[${i}].groupPublicKey`));
    const commitments = commitmentsAt(entry, i);
    if (commitments[0] !== groupPublicKey) {
      throw new UserInputError(
        `${field(`validators[${i}].groupPublicKey`)}: expected the first commitment ${commitments[0]}, got ${groupPublicKey}`,
      );
    }
    return { groupPublicKey, commitments };
  };

  switch (kind) {
    case "deal":
      return {
        ...header("deal"),
        dealer: index("dealer"),
        recipient: index("recipient"),
        threshold,
        members,
        validators: validators.map((entry, i) => ({
          commitments: commitmentsAt(entry, i),
          share: asHex(entry.share, field(`validators[${i}].share`)),
        })),
      } satisfies DealFile;
    case "commitments":
      return {
        ...header("commitments"),
        dealer: index("dealer"),
        threshold,
        members,
        validators: validators.map((entry, i) => ({ commitments: commitmentsAt(entry, i) })),
      } satisfies CommitmentsFile;
    case "share":
      return {
        ...header("share"),
        trustModel: asTrustModel(object.trustModel, field("trustModel")),
        member: index("member"),
        threshold,
        members,
        validators: validators.map((entry, i) => ({
          ...groupKeyAt(entry, i),
          secretShare: asHex(entry.secretShare, field(`validators[${i}].secretShare`)),
        })),
      } satisfies ShareFile;
    case "group":
      return {
        ...header("group"),
        trustModel: asTrustModel(object.trustModel, field("trustModel")),
        threshold,
        members,
        ...(object.qualifiedDealers === undefined
          ? {}
          : { qualifiedDealers: asIndexList(object.qualifiedDealers, members, field("qualifiedDealers")) }),
        validators: validators.map((entry, i) => ({
          ...groupKeyAt(entry, i),
          publicShares: asPublicShares(entry.publicShares, members, field(`validators[${i}].publicShares`)),
        })),
      } satisfies GroupFile;
    case "partial": {
      const chain = object.chain;
      if (typeof chain !== "string" || chain === "") {
        throw new UserInputError(`${field("chain")}: expected a beacon network name, got ${JSON.stringify(chain)}`);
      }
      return {
        ...header("partial"),
        trustModel: asTrustModel(object.trustModel, field("trustModel")),
        member: index("member"),
        threshold,
        members,
        chain,
        forkVersion: asHex(object.forkVersion, field("forkVersion")),
        withdrawalCredentials: asHex(object.withdrawalCredentials, field("withdrawalCredentials")),
        amountGwei: asInteger(object.amountGwei, field("amountGwei")),
        validators: validators.map((entry, i) => ({
          ...groupKeyAt(entry, i),
          signature: asHex(entry.signature, field(`validators[${i}].signature`)),
        })),
      } satisfies PartialSignaturesFile;
    }
  }
}

const KIND_DESCRIPTIONS: Record<ClusterFileKind, string> = {
  deal: "DKG deal",
  commitments: "DKG commitments",
  share: "secret share",
  group: "group key",
  partial: "partial signatures",
};

function checkHeader(object: Record<string, unknown>, kind: ClusterFileKind, source: string): void {
  const format = CLUSTER_FILE_FORMATS[kind];
  if (object.format !== format) {
    throw new UserInputError(
      `${source}: expected a ${KIND_DESCRIPTIONS[kind]} file (format "${format}"), got format ${JSON.stringify(object.format)}`,
    );
  }
  if (object.version !== CLUSTER_FILE_VERSION) {
    throw new UserInputError(
      `${source}: expected version ${CLUSTER_FILE_VERSION}, got ${JSON.stringify(object.version)}`,
    );
  }
}

function asValidatorList(value: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SESSION_VALIDATORS) {
    throw new UserInputError(
      `${what}: expected a list of 1 to ${MAX_SESSION_VALIDATORS} entries, one per validator key`,
    );
  }
  return value.map((entry, i) => asObject(entry, `${what}[${i}]`));
}

function asTrustModel(value: unknown, what: string): TrustModel {
  if (value !== "dkg" && value !== "trusted-dealer") {
    throw new UserInputError(`${what}: expected "dkg" or "trusted-dealer", got ${JSON.stringify(value)}`);
  }
  return value;
}

function asIndexList(value: unknown, members: number, what: string): number[] {
  if (!Array.isArray(value)) throw new UserInputError(`${what}: expected a list of member indexes`);
  return value.map((item, i) => {
    const index = asInteger(item, `${what}[${i}]`);
    assertMemberIndex(index, members, `${what}[${i}]`);
    return index;
  });
}

function asPublicShares(value: unknown, members: number, what: string): PublicShare[] {
  if (!Array.isArray(value) || value.length !== members) {
    throw new UserInputError(`${what}: expected ${members} public shares, one per member`);
  }
  return value.map((item, i) => {
    const entry = asObject(item, `${what}[${i}]`);
    const index = asInteger(entry.index, `${what}[${i}].index`);
    if (index !== i + 1) throw new UserInputError(`${what}[${i}].index: expected ${i + 1}, got ${index}`);
    return { index, publicKey: asHex(entry.publicKey, `${what}[${i}].publicKey`) };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading and writing

/**
 * Reads and parses a cluster file of the expected kind.
 *
 * @param argument Names where the path came from in errors, e.g. "--share".
 * @throws UserInputError when it cannot be read, is not JSON, or is not a valid file of that kind.
 */
export async function readClusterFile(file: string, kind: "deal", argument: string): Promise<DealFile>;
export async function readClusterFile(file: string, kind: "commitments", argument: string): Promise<CommitmentsFile>;
export async function readClusterFile(file: string, kind: "share", argument: string): Promise<ShareFile>;
export async function readClusterFile(file: string, kind: "group", argument: string): Promise<GroupFile>;
export async function readClusterFile(file: string, kind: "partial", argument: string): Promise<PartialSignaturesFile>;
export async function readClusterFile(file: string, kind: ClusterFileKind, argument: string): Promise<ClusterFile> {
  return parseClusterFile(await readJsonFile(file, argument), kind, file);
}

/** A JSON file's value. @throws UserInputError naming `argument` and the file when it cannot be read or parsed. */
export async function readJsonFile(file: string, argument: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserInputError(`${argument} ${file}: cannot read it (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserInputError(`${argument} ${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** A file to write: secret ones get mode 0o600 (and their folder 0o700 when it is created). */
export interface NewFile {
  path: string;
  text: string;
  secret: boolean;
}

/**
 * Writes new files, never overwriting one: every path is checked before the first is written, so a refused run
 * leaves no half-written set behind (and the exclusive create still refuses a file that appears meanwhile).
 *
 * @throws UserInputError naming the first file that already exists.
 */
export async function writeNewFiles(files: readonly NewFile[]): Promise<void> {
  for (const file of files) refuseExisting(file.path);
  for (const file of files) {
    await mkdir(path.dirname(file.path), { recursive: true, ...(file.secret ? { mode: 0o700 } : {}) });
    await writeFile(file.path, file.text, { flag: "wx", ...(file.secret ? { mode: 0o600 } : {}) }).catch(
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") refuseExisting(file.path);
        throw error;
      },
    );
  }
}

function refuseExisting(file: string): void {
  if (existsSync(file)) {
    throw new UserInputError(
      `${file} already exists: expected a new file (secret and cluster files are never overwritten)`,
    );
  }
}

/**
 * Whether a public file that every member writes identically (the group key) is already there: a file with the same
 * bytes is fine (another member sharing the folder wrote it), one with other bytes means the members disagree.
 *
 * @throws UserInputError when the file exists with other contents.
 */
export function sharedFileIsPresent(file: string, text: string): boolean {
  if (!existsSync(file)) return false;
  if (readFileSync(file, "utf8") === text) return true;
  throw new UserInputError(
    `${file} already exists with other contents: the members disagree on the group keys, or it is from another ` +
      `session (expected the same ${GROUP_FILE_NAME} at every member)`,
  );
}

/** The names in a folder. @throws UserInputError naming `argument` when the folder cannot be read. */
export function listFolder(folder: string, argument: string): string[] {
  try {
    return readdirSync(folder).sort();
  } catch (error) {
    throw new UserInputError(`${argument} ${folder}: cannot read the folder (${(error as Error).message})`);
  }
}
