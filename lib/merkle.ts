/**
 * Commitments to batches of validator keys, byte-identical to the OperatorRegistry's.
 *
 * A batch's leaves are its keys in order; the tree has no padding: each level pairs nodes 2i and 2i+1 as
 * `keccak256(left ‖ right)` (ordered, not sorted) and, when the level's width is odd, moves its last node up
 * unchanged. The root is the single node of width 1, so a one-key batch's root is its leaf.
 *
 * A range proof for the batch positions [lo, hi] lists, level by level while the width is above 1, the left sibling
 * (position lo - 1, when lo is odd) and then the right sibling (position hi + 1, when hi is even and not the level's
 * last node); then lo, hi and the width halve (the width rounding up). A verifier consumes the whole proof.
 *
 * The width must come from where the root is stored, never from the prover: a node moved up unchanged looks like a
 * pair's parent, so one proof verifies for every width that needs the same number of proof elements.
 */
import { concat, hexlify, keccak256, toBeHex } from "ethers";
import type { BytesLike } from "ethers";

import { bytesOfLength, checkUint64, PUBKEY_LENGTH, SIGNATURE_LENGTH } from "./depositData.js";

const NODE_LENGTH = 32;

/**
 * The leaf of one key: `keccak256(abi.encodePacked(uint64 operatorId, uint64 keyIndex, bytes pubkey, bytes signature))`,
 * 160 bytes hashed, integers big-endian.
 *
 * @param keyIndex The key's index in the operator's whole key list, not within its batch.
 * @param pubkey BLS public key, 48 bytes.
 * @param signature The deposit signature, 96 bytes.
 * @returns The leaf as 0x-prefixed hex.
 * @throws RangeError when an integer is not a uint64 or a length is wrong.
 */
export function keyLeaf(operatorId: bigint, keyIndex: bigint, pubkey: BytesLike, signature: BytesLike): string {
  checkUint64(operatorId, "operatorId");
  checkUint64(keyIndex, "keyIndex");
  return keccak256(
    concat([
      toBeHex(operatorId, 8),
      toBeHex(keyIndex, 8),
      bytesOfLength(pubkey, PUBKEY_LENGTH, "pubkey"),
      bytesOfLength(signature, SIGNATURE_LENGTH, "signature"),
    ]),
  );
}

/**
 * The root of a batch.
 *
 * @param leaves The batch's leaves in order (see `keyLeaf`), 32 bytes each, at least one.
 * @returns The root as 0x-prefixed lowercase hex.
 * @throws RangeError when there is no leaf or a leaf is not 32 bytes.
 */
export function batchRoot(leaves: readonly string[]): string {
  const levels = treeLevels(leaves);
  return levels[levels.length - 1]![0]!;
}

/**
 * The proof that `count` leaves starting at batch position `lo` belong to the batch, in the order verifiers consume it.
 * At most 2 * ceil(log2(width)) elements.
 *
 * @param leaves The whole batch's leaves in order.
 * @throws RangeError when the range is empty or not inside the batch, or a leaf is not 32 bytes.
 */
export function rangeProof(leaves: readonly string[], lo: number, count: number): string[] {
  const levels = treeLevels(leaves);
  checkRange(leaves.length, lo, count);
  const proof: string[] = [];
  rangeSteps(leaves.length, lo, count).forEach((step, level) => {
    const nodes = levels[level]!;
    if (step.left) proof.push(nodes[step.lo - 1]!);
    if (step.right) proof.push(nodes[step.hi + 1]!);
  });
  return proof;
}

/**
 * How many proof elements a range needs: what `processRange` consumes and `rangeProof` produces.
 *
 * @throws RangeError when the range is empty or not inside a batch of `width` leaves.
 */
export function rangeProofLength(width: number, lo: number, count: number): number {
  checkRange(width, lo, count);
  return rangeSteps(width, lo, count).reduce((length, step) => length + Number(step.left) + Number(step.right), 0);
}

/**
 * The root that a range proof leads to: the computation an on-chain verifier does before comparing with its root.
 *
 * @param width The number of leaves in the batch.
 * @param lo The batch position of `rangeLeaves[0]`.
 * @param rangeLeaves The leaves at positions lo, lo + 1, ..., in order, at least one.
 * @param proof As from `rangeProof`.
 * @returns The root as 0x-prefixed lowercase hex.
 * @throws RangeError when the range is not inside the batch, `proof` does not have exactly the length the range needs,
 * or a node is not 32 bytes.
 */
export function processRange(
  width: number,
  lo: number,
  rangeLeaves: readonly string[],
  proof: readonly string[],
): string {
  const expected = rangeProofLength(width, lo, rangeLeaves.length);
  if (proof.length !== expected) {
    throw new RangeError(
      `proof: expected ${expected} elements for ${rangeLeaves.length} leaves at ${lo} of ${width}, got ${proof.length}`,
    );
  }
  let nodes = rangeLeaves.map((leaf, i) => node(leaf, `rangeLeaves[${i}]`));
  let consumed = 0;
  const nextProofNode = (): string => {
    const index = consumed++;
    return node(proof[index]!, `proof[${index}]`);
  };
  for (const step of rangeSteps(width, lo, rangeLeaves.length)) {
    if (step.left) nodes.unshift(nextProofNode());
    if (step.right) nodes.push(nextProofNode());
    // `nodes` now starts at an even position; an odd count means its last node is the level's last, which moves up.
    nodes = parents(nodes);
  }
  return nodes[0]!;
}

/**
 * Whether `proof` shows that `rangeLeaves` sit at positions lo, lo + 1, ... of the `width`-leaf batch whose root is
 * `root`. False, not an error, for a range outside the batch or a proof of the wrong length.
 *
 * @throws RangeError when an argument is malformed on its own: not an integer, no leaves, a node not 32 bytes.
 */
export function verifyRange(
  root: string,
  width: number,
  lo: number,
  rangeLeaves: readonly string[],
  proof: readonly string[],
): boolean {
  const expectedRoot = node(root, "root");
  checkPosition(width, "width", 1);
  checkPosition(lo, "lo", 0);
  checkPosition(rangeLeaves.length, "rangeLeaves.length", 1);
  if (lo + rangeLeaves.length > width) return false;
  if (proof.length !== rangeProofLength(width, lo, rangeLeaves.length)) return false;
  return processRange(width, lo, rangeLeaves, proof) === expectedRoot;
}

/** What one level of a range proof consumes: the left and/or right sibling of the range [lo, hi] at that level. */
interface RangeStep {
  readonly lo: number;
  readonly hi: number;
  readonly left: boolean;
  readonly right: boolean;
}

/** The single definition of the consumption order, shared by the prover, the verifier and the length. */
function rangeSteps(width: number, lo: number, count: number): RangeStep[] {
  const steps: RangeStep[] = [];
  let hi = lo + count - 1;
  while (width > 1) {
    steps.push({ lo, hi, left: lo % 2 === 1, right: hi % 2 === 0 && hi + 1 < width });
    width = Math.ceil(width / 2);
    lo = Math.floor(lo / 2);
    hi = Math.floor(hi / 2);
  }
  return steps;
}

/** Every level of the tree, leaves first, root last. */
function treeLevels(leaves: readonly string[]): string[][] {
  if (leaves.length === 0) {
    throw new RangeError("leaves: expected at least one leaf, got none");
  }
  let level = leaves.map((leaf, i) => node(leaf, `leaves[${i}]`));
  const levels = [level];
  while (level.length > 1) {
    level = parents(level);
    levels.push(level);
  }
  return levels;
}

/** The next level up from consecutive nodes starting at an even position; an unpaired last node moves up unchanged. */
function parents(nodes: readonly string[]): string[] {
  const up: string[] = [];
  for (let i = 0; i < nodes.length; i += 2) {
    up.push(i + 1 < nodes.length ? keccak256(concat([nodes[i]!, nodes[i + 1]!])) : nodes[i]!);
  }
  return up;
}

/** A 32-byte node as lowercase hex, so that roots compare as strings. */
function node(value: string, name: string): string {
  return hexlify(bytesOfLength(value, NODE_LENGTH, name));
}

function checkRange(width: number, lo: number, count: number): void {
  checkPosition(width, "width", 1);
  checkPosition(lo, "lo", 0);
  checkPosition(count, "count", 1);
  if (lo + count > width) {
    throw new RangeError(`range: expected lo + count <= width ${width}, got lo ${lo} + count ${count}`);
  }
}

function checkPosition(value: number, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name}: expected an integer >= ${min}, got ${value}`);
  }
}
