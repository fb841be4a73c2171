/**
 * The DKG of `lib/keys/dkg.ts` run by exchanging files (see `lib/keys/clusterFiles.ts` for the formats), for k
 * validator keys at once:
 *  1. `writeDeal`: member i writes `dkg-deal-from-i-to-j.json` for every member j (itself included; secret, to j only)
 *     and `dkg-commitments-from-i.json` (public, to everyone).
 *  2. `finishDkg`: member j reads the deals addressed to it (and the published commitments it has), checks them, and
 *     either writes `secret-share-j.json` and `group-key.json`, or returns its complaints and writes nothing.
 *  3. After complaints, every member reruns `finishDkg` with the same `excludedDealers`.
 *  4. The keys are ready when every member's `group-key.json` is byte-identical.
 */
import path from "node:path";

import { UserInputError } from "../errors.js";
import { type Complaint, dealFor, dealRound, findComplaints, finishRound, type ReceivedDeal } from "./dkg.js";
import {
  CLUSTER_FILE_FORMATS,
  type CommitmentsFile,
  COMMITMENTS_FILE_PATTERN,
  commitmentsFileName,
  DEAL_FILE_PATTERN,
  type DealFile,
  dealFileName,
  GROUP_FILE_NAME,
  type GroupFile,
  header,
  listFolder,
  MAX_SESSION_VALIDATORS,
  parseClusterFile,
  readJsonFile,
  serializeClusterFile,
  sharedFileIsPresent,
  shareFileName,
  type ShareFile,
  writeNewFiles,
} from "./clusterFiles.js";
import { assertMemberIndex, assertThreshold, type RandomBytes } from "./threshold.js";

export interface WriteDealOptions {
  member: number;
  threshold: number;
  members: number;
  /** Validator keys of the session (k); default 1. */
  validators?: number;
  outDir: string;
  /** Tests only: a seeded source of randomness. */
  rng?: RandomBytes;
}

export interface WrittenDeal {
  /** Secret: `dealFiles[j - 1]` goes to member j only. */
  dealFiles: string[];
  /** Public: goes to every member. */
  commitmentsFile: string;
}

/**
 * Round 1 for member `member`: deals a fresh polynomial per validator key and writes one deal file per recipient and
 * the public commitments file. The polynomials themselves are never written, only their values in the deal files: delete
 * each deal file once delivered.
 *
 * @throws UserInputError on a bad threshold, cluster size, member or validator count, or when a file already exists.
 */
export async function writeDeal(options: WriteDealOptions): Promise<WrittenDeal> {
  const { member, threshold, members, outDir } = options;
  const validators = options.validators ?? 1;
  assertThreshold(threshold, members);
  assertMemberIndex(member, members, "member");
  assertValidatorCount(validators);

  const deals = Array.from({ length: validators }, () => dealRound(member, threshold, members, options.rng));
  const dealFiles = Array.from({ length: members }, (_, i) => {
    const recipient = i + 1;
    const file: DealFile = {
      ...header("deal"),
      dealer: member,
      recipient,
      threshold,
      members,
      validators: deals.map((deal) => {
        const { commitments, share } = dealFor(deal, recipient);
        return { commitments, share };
      }),
    };
    return { path: path.join(outDir, dealFileName(member, recipient)), text: serializeClusterFile(file), secret: true };
  });
  const commitments: CommitmentsFile = {
    ...header("commitments"),
    dealer: member,
    threshold,
    members,
    validators: deals.map((deal) => ({ commitments: [...deal.commitments] })),
  };
  const commitmentsFile = path.join(outDir, commitmentsFileName(member));
  await writeNewFiles([
    ...dealFiles,
    { path: commitmentsFile, text: serializeClusterFile(commitments), secret: false },
  ]);
  return { dealFiles: dealFiles.map((file) => file.path), commitmentsFile };
}

function assertValidatorCount(validators: number): void {
  if (!Number.isSafeInteger(validators) || validators < 1 || validators > MAX_SESSION_VALIDATORS) {
    throw new UserInputError(`validators: expected an integer from 1 to ${MAX_SESSION_VALIDATORS}, got ${validators}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Round 2

/** A complaint about one deal file: which key of the session (absent when it concerns the whole file), and the file. */
export interface FileComplaint extends Complaint {
  validator?: number;
  file: string;
}

export interface FinishDkgOptions {
  member: number;
  /** Deal files addressed to `member` and, optionally, published commitments files (told apart by their format). */
  files?: readonly string[];
  /** Instead of `files`: a folder; its `dkg-deal-from-*-to-<member>.json` and `dkg-commitments-from-*.json` are read. */
  inDir?: string;
  outDir: string;
  /** Dealers the cluster agreed to leave out after complaints. */
  excludedDealers?: readonly number[];
}

export type FinishDkgOutcome =
  | { ok: false; complaints: FileComplaint[] }
  | { ok: true; shareFile: string; groupFile: string; group: GroupFile; wroteGroupFile: boolean };

interface Loaded<T> {
  file: string;
  content: T;
}

/**
 * Round 2 for member `member`: checks every deal addressed to it (Feldman, and against the dealer's published
 * commitments when given) for every validator key of the session. With no complaint, writes the member's secret share
 * file and the cluster's group key file; with any, writes nothing and returns them all.
 *
 * @throws UserInputError when a file cannot be read or is malformed, a deal is addressed to another member or is
 *   missing, two files come from one dealer, a file already exists, or too few dealers remain after exclusions.
 */
export async function finishDkg(options: FinishDkgOptions): Promise<FinishDkgOutcome> {
  const { member } = options;
  const { deals, commitments } = await loadRoundTwoFiles(options);

  const own = deals.get(member);
  if (own === undefined) {
    throw new UserInputError(
      `no deal from member ${member} to itself (${dealFileName(member, member)}): every member deals to itself too`,
    );
  }
  const { threshold, members } = own.content;
  const validators = own.content.validators.length;
  const excluded = new Set<number>();
  for (const dealer of options.excludedDealers ?? []) {
    assertMemberIndex(dealer, members, "excluded dealer");
    excluded.add(dealer);
  }
  const missing: number[] = [];
  for (let dealer = 1; dealer <= members; dealer++) {
    if (!excluded.has(dealer) && !deals.has(dealer)) missing.push(dealer);
  }
  if (missing.length > 0) {
    throw new UserInputError(
      `no deal to member ${member} from dealer(s) ${missing.join(", ")} ` +
        `(expected ${missing.map((dealer) => dealFileName(dealer, member)).join(", ")}): ` +
        `obtain them, or agree with the cluster to exclude those dealers`,
    );
  }

  const complaints: FileComplaint[] = [];
  // Dealers whose file cannot be checked key by key: left out of the per-key checks below.
  const unusable = new Set<number>();
  for (const [dealer, { file, content }] of deals) {
    if (excluded.has(dealer)) continue;
    if (content.validators.length !== validators) {
      unusable.add(dealer);
      complaints.push({
        dealer,
        recipient: member,
        reason: "wrong-parameters",
        detail: `dealt ${content.validators.length} validator key(s), expected ${validators}`,
        file,
      });
      continue;
    }
    const published = commitments.get(dealer);
    if (published === undefined) continue;
    content.validators.forEach((entry, validator) => {
      const publishedEntry = published.content.validators[validator];
      if (publishedEntry === undefined || publishedEntry.commitments.join() !== entry.commitments.join()) {
        complaints.push({
          dealer,
          recipient: member,
          reason: "inconsistent-commitments",
          detail: `the commitments sent to member ${member} differ from those dealer ${dealer} published in ${published.file}`,
          validator,
          file,
        });
      }
    });
  }
  const received = (validator: number): ReceivedDeal[] =>
    [...deals.values()]
      .filter(({ content }) => !unusable.has(content.dealer))
      .map(({ content }) => {
        const entry = content.validators[validator]!;
        const { dealer, recipient, threshold, members } = content;
        return { dealer, recipient, threshold, members, commitments: entry.commitments, share: entry.share };
      });
  const leftOut = [...excluded, ...unusable];
  for (let validator = 0; validator < validators; validator++) {
    for (const complaint of findComplaints(member, received(validator), { excludedDealers: leftOut })) {
      complaints.push({ ...complaint, validator, file: deals.get(complaint.dealer)!.file });
    }
  }
  if (complaints.length > 0) return { ok: false, complaints };

  const results = Array.from({ length: validators }, (_, validator) =>
    finishRound(member, received(validator), { excludedDealers: [...excluded] }),
  );
  const share: ShareFile = {
    ...header("share"),
    trustModel: "dkg",
    member,
    threshold,
    members,
    validators: results.map((result) => ({
      groupPublicKey: result.groupPublicKey,
      commitments: result.commitments,
      secretShare: result.secretShare.secretKey,
    })),
  };
  const group: GroupFile = {
    ...header("group"),
    trustModel: "dkg",
    threshold,
    members,
    qualifiedDealers: results[0]!.qualifiedDealers,
    validators: results.map((result) => ({
      groupPublicKey: result.groupPublicKey,
      commitments: result.commitments,
      publicShares: result.publicShares,
    })),
  };
  const shareFile = path.join(options.outDir, shareFileName(member));
  const groupFile = path.join(options.outDir, GROUP_FILE_NAME);
  const wroteGroupFile = await writeShareAndGroup(shareFile, serializeClusterFile(share), groupFile, group);
  return { ok: true, shareFile, groupFile, group, wroteGroupFile };
}

/**
 * Writes a member's share file and the group file: the group file may already be there with the same bytes (written
 * by another member sharing the folder); the share file never. Nothing is written unless both can be.
 */
export async function writeShareAndGroup(
  shareFile: string,
  shareText: string,
  groupFile: string,
  group: GroupFile,
): Promise<boolean> {
  const groupText = serializeClusterFile(group);
  const present = sharedFileIsPresent(groupFile, groupText);
  await writeNewFiles([
    { path: shareFile, text: shareText, secret: true },
    ...(present ? [] : [{ path: groupFile, text: groupText, secret: false }]),
  ]);
  return !present;
}

/** The deals (by dealer) and published commitments (by dealer) that round 2 of `member` reads. */
async function loadRoundTwoFiles(
  options: FinishDkgOptions,
): Promise<{ deals: Map<number, Loaded<DealFile>>; commitments: Map<number, Loaded<CommitmentsFile>> }> {
  const { member } = options;
  const files = options.files ?? [];
  const inDir = options.inDir ?? "";
  let paths: string[];
  if (inDir !== "") {
    if (files.length > 0) throw new UserInputError("expected deal files or --in-dir, not both");
    paths = listFolder(inDir, "--in-dir")
      .filter((name) => {
        const deal = DEAL_FILE_PATTERN.exec(name);
        return deal === null ? COMMITMENTS_FILE_PATTERN.test(name) : Number(deal[2]) === member;
      })
      .map((name) => path.join(inDir, name));
    if (!paths.some((file) => DEAL_FILE_PATTERN.test(path.basename(file)))) {
      throw new UserInputError(`--in-dir ${inDir}: no dkg-deal-from-*-to-${member}.json files in it`);
    }
  } else {
    if (files.length === 0) {
      throw new UserInputError(
        `expected the deal files addressed to member ${member} (dkg-deal-from-*-to-${member}.json) or --in-dir`,
      );
    }
    paths = [...files];
  }

  const deals = new Map<number, Loaded<DealFile>>();
  const commitments = new Map<number, Loaded<CommitmentsFile>>();
  for (const file of paths) {
    const value = await readJsonFile(file, "deal file");
    const format = typeof value === "object" && value !== null ? (value as { format?: unknown }).format : undefined;
    if (format === CLUSTER_FILE_FORMATS.commitments) {
      const content = parseClusterFile(value, "commitments", file);
      refuseSecond(commitments, content.dealer, file, "commitments");
      commitments.set(content.dealer, { file, content });
      continue;
    }
    if (format !== CLUSTER_FILE_FORMATS.deal) {
      throw new UserInputError(
        `${file}: expected a DKG deal or commitments file (format "${CLUSTER_FILE_FORMATS.deal}" or ` +
          `"${CLUSTER_FILE_FORMATS.commitments}"), got format ${JSON.stringify(format)}`,
      );
    }
    const content = parseClusterFile(value, "deal", file);
    if (content.recipient !== member) {
      throw new UserInputError(`${file} is addressed to member ${content.recipient}, not --member ${member}`);
    }
    refuseSecond(deals, content.dealer, file, "deals");
    deals.set(content.dealer, { file, content });
  }
  return { deals, commitments };
}

function refuseSecond(loaded: Map<number, Loaded<unknown>>, dealer: number, file: string, what: string): void {
  const first = loaded.get(dealer);
  if (first !== undefined) {
    throw new UserInputError(`${first.file} and ${file} are both ${what} of dealer ${dealer}: expected one`);
  }
}

/** One line per complaint, for a task to print: dealer, recipient, key, reason, the file. */
export function formatComplaint(complaint: FileComplaint): string {
  const key = complaint.validator === undefined ? "" : `, validator key ${complaint.validator}`;
  return (
    `dealer ${complaint.dealer} -> member ${complaint.recipient}${key}: ${complaint.reason}: ${complaint.detail} ` +
    `(${complaint.file})`
  );
}
