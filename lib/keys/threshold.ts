/**
 * Threshold BLS keys for distributed validators: a validator key shared among a cluster's `n` members so that any
 * `t` of them sign for it and fewer than `t` learn nothing about it.
 *
 * Ethereum "min-pk" BLS over BLS12-381: secret keys are scalars mod r (32 bytes, big-endian), public keys G1 points
 * (48 bytes, compressed), signatures G2 points (96 bytes, compressed) over messages hashed to G2 with the
 * proof-of-possession DST, exactly as `@chainsafe/bls` and the consensus clients sign.
 *
 * Shamir sharing: the group secret is f(0) of a degree t-1 polynomial f over Fr; member i (1-based) holds f(i).
 * Feldman commitments C_k = a_k·G1 to f's coefficients let anyone compute member i's public share f(i)·G1 =
 * Σ_k C_k·i^k, and let member i check its share against them. A partial signature is f(i)·H(m); Lagrange
 * interpolation at 0 over any t of them gives f(0)·H(m), which is byte for byte the group secret's own signature.
 *
 * Two ways to get shares: `splitSecretKey` (here) splits a key that already exists; the dealer held the whole key
 * and must be trusted to forget it. `lib/keys/dkg.ts` generates shares without the whole key ever existing.
 *
 * Every point and scalar that enters is validated (encoding, subgroup, not infinity, 0 < s < r). All curve and field
 * arithmetic is `@noble/curves`'; none is written here. JavaScript bigints are not constant-time: keep share holders'
 * machines single-tenant.
 */
import { mapHashToField } from "@noble/curves/abstract/modular.js";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { bytesToHex, bytesToNumberBE, hexToBytes, numberToBytesBE } from "@noble/curves/utils.js";
import { randomBytes } from "@noble/hashes/utils.js";

import { UserInputError } from "../errors.js";

/** The hash-to-curve domain separation tag of Ethereum's BLS signatures (the IETF proof-of-possession suite). */
export const ETH_BLS_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

export const SECRET_KEY_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 48;
export const SIGNATURE_LENGTH = 96;

/** The largest cluster: member indexes fit in a byte, as in the distributed-validator protocols. */
export const MAX_MEMBERS = 255;

/** 0x-prefixed lowercase hex, as every key, share and signature appears in the JSON messages. */
export type Hex = string;

/** A source of uniformly random bytes; the default is the platform's CSPRNG. Tests pass a seeded one. */
export type RandomBytes = (length: number) => Uint8Array;

/** Member `index` (1..n)'s share of a group secret: f(index), 32 bytes big-endian. Secret. */
export interface SecretShare {
  index: number;
  secretKey: Hex;
}

/** Member `index`'s public share f(index)·G1: verifies that member's partial signatures. */
export interface PublicShare {
  index: number;
  publicKey: Hex;
}

/** Member `index`'s signature with its share: f(index)·H(m). */
export interface PartialSignature {
  index: number;
  signature: Hex;
}

/** What every member of a cluster knows in public, and what anyone needs to check its signatures. */
export interface GroupKey {
  threshold: number;
  members: number;
  /** f(0)·G1: the validator's public key. */
  groupPublicKey: Hex;
  /** Feldman commitments a_k·G1 to f's coefficients, k = 0..t-1; `commitments[0]` is the group public key. */
  commitments: Hex[];
  /** f(i)·G1 for i = 1..n, in order. */
  publicShares: PublicShare[];
}

/** The result of splitting an existing key. */
export interface TrustedDealerSplit extends GroupKey {
  /**
   * The weaker trust model, named in every split so it is not mistaken for a DKG key: the process that split the key
   * held it whole (and its owner may still), so the cluster's threshold protects it only if that copy is destroyed.
   */
  trustModel: "trusted-dealer";
  /** f(i) for i = 1..n, in order: each goes to its member only, over a confidential channel. */
  shares: SecretShare[];
}

type G1Point = typeof bls12_381.G1.Point.BASE;
type G2Point = typeof bls12_381.G2.Point.BASE;

const Fr = bls12_381.fields.Fr;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;

// ---------------------------------------------------------------------------------------------------------------------
// Encoding and validation

/** Bytes from hex (0x optional) or bytes, of exactly `length`. */
export function decodeBytes(value: string | Uint8Array, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    bytes = value;
  } else if (typeof value === "string") {
    const digits = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
    if (!/^(?:[0-9a-fA-F]{2})*$/u.test(digits)) {
      throw new UserInputError(`${what}: expected hex (an even number of digits, 0x optional), got "${value}"`);
    }
    bytes = hexToBytes(digits);
  } else {
    throw new UserInputError(`${what}: expected hex or bytes, got ${typeof value}`);
  }
  if (bytes.length !== length) {
    throw new UserInputError(`${what}: expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

/**
 * A secret key or share as a scalar.
 *
 * @throws UserInputError unless 32 bytes with 0 < s < r (noble's `Fr.fromBytes` would silently reduce mod r).
 */
export function decodeSecretKey(value: string | Uint8Array, what = "secret key"): bigint {
  const scalar = bytesToNumberBE(decodeBytes(value, SECRET_KEY_LENGTH, what));
  if (!Fr.isValidNot0(scalar)) {
    throw new UserInputError(`${what}: expected a scalar with 0 < s < r (the BLS12-381 group order)`);
  }
  return scalar;
}

export function encodeSecretKey(scalar: bigint): Hex {
  if (!Fr.isValidNot0(scalar)) throw new RangeError("secret scalar out of range (0 < s < r)");
  return toHex(numberToBytesBE(scalar, SECRET_KEY_LENGTH));
}

/**
 * A public key (or commitment, or public share) as a G1 point.
 *
 * @throws UserInputError unless 48 bytes of a compressed point in the r-order subgroup, other than infinity.
 */
export function decodePublicKey(value: string | Uint8Array, what = "public key"): G1Point {
  const bytes = decodeBytes(value, PUBLIC_KEY_LENGTH, what);
  let point: G1Point;
  try {
    point = G1.fromBytes(bytes); // checks the encoding, the curve equation and the subgroup
  } catch (error) {
    throw new UserInputError(`${what}: not a compressed BLS12-381 G1 point in the subgroup (${String(error)})`);
  }
  // noble accepts infinity (BLS can serialize it): a key at infinity verifies every signature of the zero key.
  if (point.is0()) throw new UserInputError(`${what}: the point at infinity is not a valid public key`);
  return point;
}

export function encodePublicKey(point: G1Point): Hex {
  return toHex(point.toBytes(true));
}

/**
 * A signature as a G2 point.
 *
 * @throws UserInputError unless 96 bytes of a compressed point in the r-order subgroup, other than infinity.
 */
export function decodeSignature(value: string | Uint8Array, what = "signature"): G2Point {
  const bytes = decodeBytes(value, SIGNATURE_LENGTH, what);
  let point: G2Point;
  try {
    point = bls12_381.longSignatures.Signature.fromBytes(bytes);
  } catch (error) {
    throw new UserInputError(`${what}: not a compressed BLS12-381 G2 point in the subgroup (${String(error)})`);
  }
  if (point.is0()) throw new UserInputError(`${what}: the point at infinity is not a valid signature`);
  return point;
}

export function encodeSignature(point: G2Point): Hex {
  return toHex(bls12_381.longSignatures.Signature.toBytes(point));
}

/** The public key of a secret key (or the public share of a secret share). */
export function secretKeyToPublicKey(secretKey: string | Uint8Array): Hex {
  return encodePublicKey(G1.BASE.multiply(decodeSecretKey(secretKey)));
}

/** @throws UserInputError unless 2 <= threshold <= members <= MAX_MEMBERS, all integers. */
export function assertThreshold(threshold: number, members: number): void {
  if (!Number.isSafeInteger(members) || members < 2 || members > MAX_MEMBERS) {
    throw new UserInputError(`members: expected an integer from 2 to ${MAX_MEMBERS}, got ${members}`);
  }
  if (!Number.isSafeInteger(threshold) || threshold < 2 || threshold > members) {
    throw new UserInputError(
      `threshold: expected an integer from 2 to members (${members}), got ${threshold}` +
        (threshold === 1 ? ": with 1, every member would hold the whole key" : ""),
    );
  }
}

/** @throws UserInputError unless `index` is an integer from 1 to `members`. */
export function assertMemberIndex(index: number, members: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 1 || index > members) {
    throw new UserInputError(`${what}: expected a member index from 1 to ${members}, got ${index}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Polynomials and commitments (over noble's Fr and G1)

/** A uniform scalar in [1, r-1]: 48 random bytes reduced mod r-1, plus 1 (bias below 2^-128, RFC 9380 style). */
export function randomScalar(rng: RandomBytes = randomBytes): bigint {
  return bytesToNumberBE(mapHashToField(rng(48), Fr.ORDER));
}

/** Coefficients a_0..a_{t-1} of a random polynomial of degree t-1 with a_0 = `constant`. */
export function randomPolynomial(constant: bigint, threshold: number, rng: RandomBytes = randomBytes): bigint[] {
  const coefficients = [constant];
  for (let k = 1; k < threshold; k++) coefficients.push(randomScalar(rng));
  return coefficients;
}

/** f(x) by Horner's rule in Fr. */
export function evaluatePolynomial(coefficients: readonly bigint[], x: number): bigint {
  let value = Fr.ZERO;
  for (let k = coefficients.length - 1; k >= 0; k--) value = Fr.add(Fr.mul(value, BigInt(x)), coefficients[k]!);
  return value;
}

/** Feldman commitments a_k·G1. Constant-time multiplication: the coefficients are secret. */
export function commitPolynomial(coefficients: readonly bigint[]): G1Point[] {
  return coefficients.map((coefficient) => G1.BASE.multiply(coefficient));
}

/**
 * f(x)·G1 from the commitments alone: Σ_k C_k·x^k, by Horner's rule.
 *
 * Variable-time multiplication by the small public x: the commitments are public, and it is ~10x faster.
 */
export function evaluateCommitments(commitments: readonly G1Point[], x: number): G1Point {
  let value = G1.ZERO;
  for (let k = commitments.length - 1; k >= 0; k--) value = value.multiplyUnsafe(BigInt(x)).add(commitments[k]!);
  return value;
}

/**
 * Lagrange coefficients at 0 for the x-coordinates `indices`: λ_i = Π_{j≠i} x_j / (x_j − x_i) mod r, so that
 * f(0) = Σ_i λ_i·f(x_i) for any polynomial of degree below the number of indices.
 *
 * @throws UserInputError on an empty list, an index that is not a positive integer, or a duplicate.
 */
export function lagrangeCoefficientsAtZero(indices: readonly number[]): bigint[] {
  if (indices.length === 0) throw new UserInputError("indices: expected at least one member index");
  const seen = new Set<number>();
  for (const index of indices) {
    assertMemberIndex(index, MAX_MEMBERS, "member index");
    if (seen.has(index)) throw new UserInputError(`member index ${index} appears more than once`);
    seen.add(index);
  }
  return indices.map((i) => {
    let numerator = Fr.ONE;
    let denominator = Fr.ONE;
    for (const j of indices) {
      if (j === i) continue;
      numerator = Fr.mul(numerator, BigInt(j));
      denominator = Fr.mul(denominator, Fr.sub(BigInt(j), BigInt(i)));
    }
    return Fr.div(numerator, denominator);
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Trusted-dealer split

/**
 * Splits an existing secret key into `members` Shamir shares, any `threshold` of which sign for it.
 *
 * The weaker model (`trustModel: "trusted-dealer"`): whoever runs this held the whole key, and the split protects it
 * only once every other copy is destroyed. Prefer `lib/keys/dkg.ts` for new validators; use this to move an existing
 * validator into a cluster. Each share goes to its member only; `commitments` and `publicShares` are public, and
 * each member checks its share with `verifyShare` before accepting it.
 *
 * @param secretKey 32 bytes (hex or bytes), 0 < s < r.
 * @param rng Random bytes for the polynomial; the default is the platform's CSPRNG.
 * @throws UserInputError on a malformed key or threshold.
 */
export function splitSecretKey(
  secretKey: string | Uint8Array,
  threshold: number,
  members: number,
  rng: RandomBytes = randomBytes,
): TrustedDealerSplit {
  assertThreshold(threshold, members);
  const secret = decodeSecretKey(secretKey);
  let coefficients: bigint[];
  let values: bigint[];
  do {
    coefficients = randomPolynomial(secret, threshold, rng);
    const polynomial = coefficients;
    values = Array.from({ length: members }, (_, i) => evaluatePolynomial(polynomial, i + 1));
    // A zero share is not a valid secret key; it happens with probability about n/2^255.
  } while (values.some((value) => Fr.is0(value)));

  const commitments = commitPolynomial(coefficients);
  return {
    trustModel: "trusted-dealer",
    threshold,
    members,
    groupPublicKey: encodePublicKey(commitments[0]!),
    commitments: commitments.map(encodePublicKey),
    publicShares: publicSharesFromPoints(commitments, members),
    shares: values.map((value, i) => ({ index: i + 1, secretKey: encodeSecretKey(value) })),
  };
}

/**
 * Feldman check of a share against its dealer's commitments: share·G1 == Σ_k C_k·index^k.
 *
 * @returns false when the share is not the committed polynomial's value at its index.
 * @throws UserInputError when the share or a commitment is malformed.
 */
export function verifyShare(share: SecretShare, commitments: readonly string[]): boolean {
  const points = decodeCommitments(commitments, "commitments");
  assertMemberIndex(share.index, MAX_MEMBERS, "share index");
  const scalar = decodeSecretKey(share.secretKey, `share ${share.index}`);
  return G1.BASE.multiply(scalar).equals(evaluateCommitments(points, share.index));
}

/** Member `index`'s public share f(index)·G1, from the commitments. */
export function publicShareFromCommitments(commitments: readonly string[], index: number): PublicShare {
  assertMemberIndex(index, MAX_MEMBERS, "member index");
  const points = decodeCommitments(commitments, "commitments");
  return { index, publicKey: encodePublicKey(nonZero(evaluateCommitments(points, index), index)) };
}

/** Decodes a list of Feldman commitments (each a G1 point, not infinity). */
export function decodeCommitments(commitments: readonly string[], what: string): G1Point[] {
  if (!Array.isArray(commitments) || commitments.length < 2 || commitments.length > MAX_MEMBERS) {
    throw new UserInputError(`${what}: expected a list of 2 to ${MAX_MEMBERS} commitments (one per coefficient)`);
  }
  return commitments.map((commitment, k) => decodePublicKey(commitment, `${what}[${k}]`));
}

/** f(i)·G1 for i = 1..members. */
export function publicSharesFromPoints(commitments: readonly G1Point[], members: number): PublicShare[] {
  return Array.from({ length: members }, (_, i) => ({
    index: i + 1,
    publicKey: encodePublicKey(nonZero(evaluateCommitments(commitments, i + 1), i + 1)),
  }));
}

function nonZero(point: G1Point, index: number): G1Point {
  // Only when f(index) = 0: probability about 2^-255 for honest polynomials.
  if (point.is0()) throw new UserInputError(`the public share of member ${index} is the point at infinity`);
  return point;
}

// ---------------------------------------------------------------------------------------------------------------------
// Signing, verification and combination

/** H(m): the message hashed to G2 with Ethereum's DST (noble's default DST is the `_NUL_` suite, not Ethereum's). */
export function hashMessage(message: Uint8Array): G2Point {
  if (!(message instanceof Uint8Array)) throw new UserInputError("message: expected bytes");
  return bls12_381.G2.hashToCurve(message, { DST: ETH_BLS_DST });
}

/** Member `share.index`'s partial signature share·H(m), over the raw message (e.g. a 32-byte signing root). */
export function signWithShare(share: SecretShare, message: Uint8Array): PartialSignature {
  assertMemberIndex(share.index, MAX_MEMBERS, "share index");
  const scalar = decodeSecretKey(share.secretKey, `share ${share.index}`);
  return { index: share.index, signature: encodeSignature(hashMessage(message).multiply(scalar)) };
}

/**
 * BLS verification e(pk, H(m)) == e(G1, sig), with noble's pairing.
 *
 * @returns false for a wrong or malformed signature (signatures come from other members and are not trusted).
 * @throws UserInputError when the public key is malformed.
 */
export function verifySignature(publicKey: string | Uint8Array, message: Uint8Array, signature: string): boolean {
  const key = decodePublicKey(publicKey);
  let point: G2Point;
  try {
    point = decodeSignature(signature);
  } catch (error) {
    if (error instanceof UserInputError) return false;
    throw error;
  }
  return bls12_381.longSignatures.verify(point, hashMessage(message), key);
}

/**
 * Checks a partial signature against its member's public share.
 *
 * @param publicShares The cluster's public shares (`GroupKey.publicShares`); the one with the signer's index is used.
 * @throws UserInputError when no public share has the signer's index.
 */
export function verifyPartialSignature(
  partial: PartialSignature,
  publicShares: readonly PublicShare[],
  message: Uint8Array,
): boolean {
  const share = publicShares.find((candidate) => candidate.index === partial.index);
  if (share === undefined) {
    throw new UserInputError(`partial signature from member ${partial.index}: no public share has that index`);
  }
  return verifySignature(share.publicKey, message, partial.signature);
}

/**
 * Combines partial signatures by Lagrange interpolation at 0 in G2: Σ_i λ_i·σ_i. With at least `threshold` valid
 * partial signatures from distinct members, the result is the group key's signature, byte for byte what the group
 * secret would produce. All given partials are interpolated (more than `threshold` honest ones give the same
 * result); one wrong partial makes the result invalid, so check each with `verifyPartialSignature` first or use
 * `combineVerifiedPartialSignatures`.
 *
 * @throws UserInputError with fewer than `threshold` partials, a duplicate or bad index, or a malformed signature.
 */
export function combinePartialSignatures(partials: readonly PartialSignature[], threshold: number): Hex {
  if (!Number.isSafeInteger(threshold) || threshold < 2 || threshold > MAX_MEMBERS) {
    throw new UserInputError(`threshold: expected an integer from 2 to ${MAX_MEMBERS}, got ${threshold}`);
  }
  if (partials.length < threshold) {
    throw new UserInputError(
      `need at least ${threshold} partial signatures (the threshold) to combine, got ${partials.length}`,
    );
  }
  const indices = partials.map((partial) => partial.index);
  const lambdas = lagrangeCoefficientsAtZero(indices);
  let combined = G2.ZERO;
  partials.forEach((partial, i) => {
    const point = decodeSignature(partial.signature, `partial signature of member ${partial.index}`);
    // Variable-time is fine: partial signatures and Lagrange coefficients are public.
    combined = combined.add(point.multiplyUnsafe(lambdas[i]!));
  });
  if (combined.is0()) throw new UserInputError("the partial signatures combine to the point at infinity");
  return encodeSignature(combined);
}

/** The outcome of `combineVerifiedPartialSignatures`. */
export interface CombinedSignature {
  signature: Hex;
  /** The members whose partial signatures were combined. */
  signers: number[];
  /** Members whose partial signature did not verify against their public share: they were left out. */
  rejected: number[];
}

/**
 * Verifies each partial signature against its member's public share, drops the invalid ones, and combines the first
 * `threshold` valid ones; the result is checked against the group public key before it is returned.
 *
 * @throws UserInputError when fewer than `threshold` partial signatures are valid (naming the rejected members).
 */
export function combineVerifiedPartialSignatures(
  group: Pick<GroupKey, "threshold" | "groupPublicKey" | "publicShares">,
  message: Uint8Array,
  partials: readonly PartialSignature[],
): CombinedSignature {
  const valid: PartialSignature[] = [];
  const rejected: number[] = [];
  const seen = new Set<number>();
  for (const partial of partials) {
    if (seen.has(partial.index)) throw new UserInputError(`member index ${partial.index} appears more than once`);
    seen.add(partial.index);
    if (valid.length === group.threshold) break;
    if (verifyPartialSignature(partial, group.publicShares, message)) valid.push(partial);
    else rejected.push(partial.index);
  }
  if (valid.length < group.threshold) {
    throw new UserInputError(
      `need ${group.threshold} valid partial signatures, got ${valid.length}` +
        (rejected.length > 0 ? `; invalid from member(s) ${rejected.join(", ")}` : ""),
    );
  }
  const signature = combinePartialSignatures(valid, group.threshold);
  if (!verifySignature(group.groupPublicKey, message, signature)) {
    // Valid partials under public shares of one polynomial always combine correctly: the shares are inconsistent.
    throw new UserInputError("the combined signature does not verify: the public shares are not from one group key");
  }
  return { signature, signers: valid.map((partial) => partial.index), rejected };
}
