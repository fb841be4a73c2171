/**
 * Dealer-free distributed key generation for a distributed validator (joint Feldman, Pedersen's DKG): the cluster's
 * n members end with Shamir shares of a group key that nobody ever held. Each member deals a random polynomial;
 * a member's final share is the sum of the shares it received, so the group secret is the sum of the dealers'
 * secrets, and no function here computes it.
 *
 * The protocol, as files members exchange (every type here is JSON with 0x-hex strings):
 *  1. Every member i runs `dealRound(i, t, n)`. It publishes `deal.commitments` to every member and sends
 *     `dealFor(deal, j)` to each member j (itself included).
 *  2. Every member j collects one `ReceivedDeal` per dealer and runs `finishRound(j, received)`. A dealer whose share
 *     to j does not match its commitments is named in `complaints` and left out of j's result.
 *  3. Members publish their complaints. If there are any, every member runs `finishRound` again with
 *     `excludedDealers` = every dealer anyone complained about, so all sum over the same dealers.
 *  4. The key is ready when every member reports no complaints and the same `groupPublicKey` and `commitments`
 *     (comparing them also catches a dealer that sent different commitments to different members).
 *
 * Transport: shares travel in plain hex. The channel that carries `dealFor(deal, j)` must be confidential (t shares
 * of every dealer's polynomial reveal the group secret) and authenticated (a deal forged under an honest dealer's
 * name would get that dealer excluded). Encrypting each share to its recipient is the transport's job.
 *
 * Known limit (Gennaro et al., 1999): a dealer that waits for the others' commitments before publishing its own can
 * bias the group key's distribution, and a false complaint excludes an honest dealer. Neither reveals the key to
 * fewer than t members; at least `threshold` qualified dealers are required so that one of them is honest.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";

import { UserInputError } from "../errors.js";
import {
  assertMemberIndex,
  assertThreshold,
  commitPolynomial,
  decodeCommitments,
  decodeSecretKey,
  encodePublicKey,
  encodeSecretKey,
  evaluateCommitments,
  evaluatePolynomial,
  MAX_MEMBERS,
  publicSharesFromPoints,
  randomPolynomial,
  randomScalar,
  type GroupKey,
  type Hex,
  type RandomBytes,
  type SecretShare,
} from "./threshold.js";

const Fr = bls12_381.fields.Fr;
const G1 = bls12_381.G1.Point;

/** What dealer `dealer` produces in round 1. */
export interface Deal {
  dealer: number;
  threshold: number;
  members: number;
  /** Feldman commitments a_k·G1, k = 0..t-1: public, and every member must receive the same list. */
  commitments: Hex[];
  /** f(j) keyed by recipient j = "1".."n" (32 bytes each). Secret: each goes to its recipient only. */
  sharesFor: Record<string, Hex>;
}

/** What member `recipient` receives from dealer `dealer`: the public commitments and its own share. */
export interface ReceivedDeal {
  dealer: number;
  recipient: number;
  threshold: number;
  members: number;
  commitments: Hex[];
  /** f_dealer(recipient), 32 bytes. Secret. */
  share: Hex;
}

/**
 * Why a member complains. `finishRound` raises all but "inconsistent-commitments", which a transport raises when the
 * commitments a dealer sent a member differ from those it published to everyone (see `lib/keys/dkgFiles.ts`).
 */
export type ComplaintReason =
  "wrong-parameters" | "invalid-commitments" | "invalid-share" | "inconsistent-share" | "inconsistent-commitments";

/** Member `recipient` accuses `dealer`: its deal does not check out, for `reason` (explained in `detail`). */
export interface Complaint {
  dealer: number;
  recipient: number;
  reason: ComplaintReason;
  detail: string;
}

/** Member `member`'s outcome of the DKG. Everything but `secretShare` is public and the same at every member. */
export interface DkgResult extends GroupKey {
  trustModel: "dkg";
  member: number;
  /** The dealers whose polynomials were summed: every dealer not excluded and not complained about here. */
  qualifiedDealers: number[];
  /** This member's share of the group secret: the sum of the shares from the qualified dealers. Secret. */
  secretShare: SecretShare;
  /** This member's complaints, to publish to the cluster (see step 3 above). */
  complaints: Complaint[];
}

/**
 * Round 1 for member `member`: a random polynomial of degree `threshold` - 1, its commitments, and its value at
 * every member's index.
 *
 * @param rng Random bytes for the polynomial; the default is the platform's CSPRNG.
 * @throws UserInputError on a bad threshold, cluster size or member index.
 */
export function dealRound(member: number, threshold: number, members: number, rng?: RandomBytes): Deal {
  assertThreshold(threshold, members);
  assertMemberIndex(member, members, "member");
  let coefficients: bigint[];
  let values: bigint[];
  do {
    coefficients = randomPolynomial(randomScalar(rng), threshold, rng);
    const polynomial = coefficients;
    values = Array.from({ length: members }, (_, i) => evaluatePolynomial(polynomial, i + 1));
    // A zero share is not a valid scalar; it happens with probability about n/2^255.
  } while (values.some((value) => Fr.is0(value)));

  const sharesFor: Record<string, Hex> = {};
  values.forEach((value, i) => (sharesFor[String(i + 1)] = encodeSecretKey(value)));
  return {
    dealer: member,
    threshold,
    members,
    commitments: commitPolynomial(coefficients).map(encodePublicKey),
    sharesFor,
  };
}

/** The file dealer `deal.dealer` sends to member `recipient`: the commitments and that member's share only. */
export function dealFor(deal: Deal, recipient: number): ReceivedDeal {
  assertMemberIndex(recipient, deal.members, "recipient");
  const share = deal.sharesFor[String(recipient)];
  if (share === undefined)
    throw new UserInputError(`deal of dealer ${deal.dealer} has no share for member ${recipient}`);
  const { dealer, threshold, members, commitments } = deal;
  return { dealer, recipient, threshold, members, commitments: [...commitments], share };
}

/**
 * Round 2 for member `member`: checks every received share against its dealer's commitments, complains about the
 * dealers whose deals do not check out, and sums the rest.
 *
 * The threshold and cluster size are those of the member's own deal, which must be among `received`.
 *
 * @param received One deal per dealer 1..n (the member's own included); deals of excluded dealers may be missing.
 * @param options.excludedDealers Dealers the cluster agreed to leave out after complaints (step 3 above).
 * @throws UserInputError when a deal is missing, duplicated or addressed to another member, or when fewer than
 *   `threshold` dealers qualify (the message lists the complaints).
 */
export function finishRound(
  member: number,
  received: readonly ReceivedDeal[],
  options: { excludedDealers?: readonly number[] } = {},
): DkgResult {
  const { threshold, members, checked } = checkReceivedDeals(member, received, options);
  const complaints: Complaint[] = [];
  const qualifiedDealers: number[] = [];
  let secret = Fr.ZERO;
  let aggregate: G1Point[] = Array.from({ length: threshold }, () => G1.ZERO);
  for (const [dealer, outcome] of checked) {
    if ("complaint" in outcome) {
      complaints.push(outcome.complaint);
      continue;
    }
    qualifiedDealers.push(dealer);
    secret = Fr.add(secret, outcome.share);
    aggregate = aggregate.map((sum, k) => sum.add(outcome.commitments[k]!));
  }

  if (qualifiedDealers.length < threshold) {
    const listed = complaints.map((c) => `dealer ${c.dealer}: ${c.reason} (${c.detail})`).join("; ");
    throw new UserInputError(
      `member ${member}: only ${qualifiedDealers.length} qualified dealer(s), at least ${threshold} (the threshold) ` +
        `are needed so that one is honest` +
        (listed === "" ? "" : `; complaints: ${listed}`),
    );
  }
  // Sums of uniformly random values: zero or infinity only with probability about 2^-255, or by collusion of every
  // qualified dealer, which the threshold check above rules out.
  if (Fr.is0(secret) || aggregate[0]!.is0()) {
    throw new Error("DKG produced a zero share or group key: rerun the DKG");
  }
  if (!G1.BASE.multiply(secret).equals(evaluateCommitments(aggregate, member))) {
    throw new Error("the summed share does not match the summed commitments"); // implied by the checks above
  }

  return {
    trustModel: "dkg",
    member,
    threshold,
    members,
    qualifiedDealers,
    secretShare: { index: member, secretKey: encodeSecretKey(secret) },
    groupPublicKey: encodePublicKey(aggregate[0]!),
    commitments: aggregate.map(encodePublicKey),
    publicShares: publicSharesFromPoints(aggregate, members),
    complaints,
  };
}

/**
 * The complaints `finishRound` would make, without summing anything: lets a member gather every complaint (of every
 * validator key of a session) before deciding, even when too few dealers qualify for `finishRound` to succeed.
 *
 * @throws UserInputError when a deal is missing, duplicated or addressed to another member (as `finishRound`).
 */
export function findComplaints(
  member: number,
  received: readonly ReceivedDeal[],
  options: { excludedDealers?: readonly number[] } = {},
): Complaint[] {
  const { checked } = checkReceivedDeals(member, received, options);
  return [...checked.values()].flatMap((outcome) => ("complaint" in outcome ? [outcome.complaint] : []));
}

type G1Point = typeof G1.BASE;
type CheckedDeal = { share: bigint; commitments: G1Point[] } | { complaint: Complaint };

/** The structural checks of round 2 (which throw), then each non-excluded dealer's deal checked, in dealer order. */
function checkReceivedDeals(
  member: number,
  received: readonly ReceivedDeal[],
  options: { excludedDealers?: readonly number[] },
): { threshold: number; members: number; checked: Map<number, CheckedDeal> } {
  const own = received.find((deal) => deal.dealer === member);
  if (own === undefined) throw new UserInputError(`member ${member}: its own deal is not among the received deals`);
  const { threshold, members } = own;
  assertThreshold(threshold, members);
  assertMemberIndex(member, members, "member");

  const excluded = new Set<number>();
  for (const dealer of options.excludedDealers ?? []) {
    assertMemberIndex(dealer, members, "excluded dealer");
    excluded.add(dealer);
  }
  const byDealer = new Map<number, ReceivedDeal>();
  for (const deal of received) {
    assertMemberIndex(deal.dealer, members, "dealer of a received deal");
    if (deal.recipient !== member) {
      throw new UserInputError(
        `the deal of dealer ${deal.dealer} is addressed to member ${deal.recipient}, not ${member}`,
      );
    }
    if (byDealer.has(deal.dealer)) throw new UserInputError(`two deals from dealer ${deal.dealer}`);
    byDealer.set(deal.dealer, deal);
  }

  const checked = new Map<number, CheckedDeal>();
  for (let dealer = 1; dealer <= members; dealer++) {
    if (excluded.has(dealer)) continue;
    const deal = byDealer.get(dealer);
    if (deal === undefined) {
      throw new UserInputError(`member ${member}: no deal from dealer ${dealer} (obtain it, or agree to exclude it)`);
    }
    checked.set(dealer, checkReceivedDeal(member, threshold, members, deal));
  }
  return { threshold, members, checked };
}

/** One dealer's deal to `member`, checked against the expected parameters and (Feldman) its own commitments. */
function checkReceivedDeal(member: number, threshold: number, members: number, deal: ReceivedDeal): CheckedDeal {
  const { dealer } = deal;
  const complaint = (reason: ComplaintReason, detail: string): CheckedDeal => ({
    complaint: { dealer, recipient: member, reason, detail },
  });

  if (deal.threshold !== threshold || deal.members !== members) {
    return complaint(
      "wrong-parameters",
      `dealt ${deal.threshold}-of-${deal.members}, expected ${threshold}-of-${members}`,
    );
  }
  let commitments: G1Point[];
  try {
    commitments = decodeCommitments(deal.commitments, `commitments of dealer ${dealer}`);
    if (commitments.length !== threshold) {
      throw new UserInputError(`${commitments.length} commitments, expected ${threshold} (one per coefficient)`);
    }
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    return complaint("invalid-commitments", error.message);
  }
  let share: bigint;
  try {
    share = decodeSecretKey(deal.share, `share from dealer ${dealer}`);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    return complaint("invalid-share", error.message);
  }
  // Feldman: s_ij·G1 == Σ_k C_ik·j^k.
  if (!G1.BASE.multiply(share).equals(evaluateCommitments(commitments, member))) {
    return complaint(
      "inconsistent-share",
      `the share for member ${member} does not match dealer ${dealer}'s commitments`,
    );
  }
  return { share, commitments };
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON files

/**
 * A `Deal` from parsed JSON, with its shape checked (types, indexes, hex); the cryptography is checked by
 * `finishRound`.
 *
 * @throws UserInputError naming the first field that is wrong.
 */
export function parseDeal(value: unknown): Deal {
  const object = asObject(value, "deal");
  const { dealer, threshold, members } = parseHeader(object, "deal");
  const sharesFor = asObject(object.sharesFor, "deal.sharesFor");
  const shares: Record<string, Hex> = {};
  for (let j = 1; j <= members; j++) shares[String(j)] = asHex(sharesFor[String(j)], `deal.sharesFor["${j}"]`);
  const extra = Object.keys(sharesFor).filter((key) => !(key in shares));
  if (extra.length > 0) throw new UserInputError(`deal.sharesFor: unexpected recipient(s) ${extra.join(", ")}`);
  return {
    dealer,
    threshold,
    members,
    commitments: asHexList(object.commitments, "deal.commitments"),
    sharesFor: shares,
  };
}

/**
 * A `ReceivedDeal` from parsed JSON, with its shape checked; the cryptography is checked by `finishRound`.
 *
 * @throws UserInputError naming the first field that is wrong.
 */
export function parseReceivedDeal(value: unknown): ReceivedDeal {
  const object = asObject(value, "received deal");
  const { dealer, threshold, members } = parseHeader(object, "received deal");
  const recipient = asInteger(object.recipient, "received deal.recipient");
  assertMemberIndex(recipient, members, "received deal.recipient");
  return {
    dealer,
    recipient,
    threshold,
    members,
    commitments: asHexList(object.commitments, "received deal.commitments"),
    share: asHex(object.share, "received deal.share"),
  };
}

function parseHeader(object: Record<string, unknown>, what: string) {
  const threshold = asInteger(object.threshold, `${what}.threshold`);
  const members = asInteger(object.members, `${what}.members`);
  assertThreshold(threshold, members);
  const dealer = asInteger(object.dealer, `${what}.dealer`);
  assertMemberIndex(dealer, members, `${what}.dealer`);
  return { dealer, threshold, members };
}

/** `value` as a JSON object; the files of `lib/keys/` share these checks. @throws UserInputError naming `what`. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UserInputError(`${what}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** `value` as a safe integer. @throws UserInputError naming `what`. */
export function asInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new UserInputError(`${what}: expected an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` as 0x-prefixed lowercase hex of whole bytes. @throws UserInputError naming `what`. */
export function asHex(value: unknown, what: string): Hex {
  if (typeof value !== "string" || !/^0x(?:[0-9a-f]{2})+$/u.test(value)) {
    throw new UserInputError(`${what}: expected 0x-prefixed lowercase hex, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` as a list of 1 to MAX_MEMBERS hex strings. @throws UserInputError naming `what`. */
export function asHexList(value: unknown, what: string): Hex[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_MEMBERS) {
    throw new UserInputError(`${what}: expected a list of 1 to ${MAX_MEMBERS} hex strings`);
  }
  return value.map((item, i) => asHex(item, `${what}[${i}]`));
}
