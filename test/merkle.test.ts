import { keccak_256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";
import { getBytes, hexlify, keccak256, solidityPackedKeccak256, toBeHex } from "ethers";
import fc from "fast-check";

import { batchRoot, keyLeaf, processRange, rangeProof, rangeProofLength, verifyRange } from "../lib/merkle.js";

// The hand cases hash with @noble/hashes over bytes built here, not with the library's ethers calls.
function H(left: string, right: string): string {
  return hexlify(keccak_256(new Uint8Array([...getBytes(left), ...getBytes(right)])));
}

/** Distinct 32-byte leaves, the same for every width: the tree over the first `width` of them. */
const LEAVES = Array.from({ length: 300 }, (_, i) => keccak256(toBeHex(i, 32)));
const [l0, l1, l2, l3, l4] = LEAVES as [string, string, string, string, string];

const PUBKEY = "0x" + "aa".repeat(48);
const SIGNATURE = "0x" + "bb".repeat(96);

/** A batch of `width` leaves and a range [lo, lo + count - 1] inside it. */
const batchAndRange = fc
  .integer({ min: 1, max: 300 })
  .chain((width) => fc.record({ width: fc.constant(width), lo: fc.integer({ min: 0, max: width - 1 }) }))
  .chain(({ width, lo }) =>
    fc.record({ width: fc.constant(width), lo: fc.constant(lo), count: fc.integer({ min: 1, max: width - lo }) }),
  );

const node32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hexlify(bytes));

const ROOTS = new Map<number, string>();

function proven({ width, lo, count }: { width: number; lo: number; count: number }) {
  const leaves = LEAVES.slice(0, width);
  let root = ROOTS.get(width);
  if (root === undefined) {
    root = batchRoot(leaves);
    ROOTS.set(width, root);
  }
  return {
    leaves,
    root,
    rangeLeaves: leaves.slice(lo, lo + count),
    proof: rangeProof(leaves, lo, count),
  };
}

/** ceil(log2(width)) for width >= 1: the tree's height. */
function height(width: number): number {
  return 32 - Math.clz32(width - 1);
}

describe("merkle", function () {
  describe("keyLeaf", function () {
    it("equals solidityPackedKeccak256 of uint64 operatorId, uint64 keyIndex, bytes pubkey, bytes signature", function () {
      const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => hexlify(b));
      fc.assert(
        fc.property(uint64, uint64, bytes(48), bytes(96), (operatorId, keyIndex, pubkey, signature) => {
          const expected = solidityPackedKeccak256(
            ["uint64", "uint64", "bytes", "bytes"],
            [operatorId, keyIndex, pubkey, signature],
          );
          expect(keyLeaf(operatorId, keyIndex, pubkey, signature), "leaf").to.equal(expected);
        }),
      );
    });

    it("hashes the 160 bytes operatorId ‖ keyIndex ‖ pubkey ‖ signature, integers big-endian", function () {
      const packed = new Uint8Array([
        ...[0, 0, 0, 0, 0, 0, 0, 7],
        ...[0, 0, 0, 0, 0, 0, 0, 10],
        ...getBytes(PUBKEY),
        ...getBytes(SIGNATURE),
      ]);
      expect(packed.length, "packed length").to.equal(160);
      const leaf = "0xa857c3d228b8a57dee074830b10f64a3fffdaaceb22db4157e88448bf915e674";
      expect(hexlify(keccak_256(packed)), "independent hash").to.equal(leaf);
      expect(keyLeaf(7n, 10n, PUBKEY, SIGNATURE), "keyLeaf").to.equal(leaf);
    });

    it("throws RangeError for a pubkey that is not 48 bytes, a signature not 96, an integer outside uint64", function () {
      expect(() => keyLeaf(1n, 0n, "0x" + "aa".repeat(47), SIGNATURE), "pubkey").to.throw(RangeError, /48 bytes/);
      expect(() => keyLeaf(1n, 0n, PUBKEY, "0x" + "bb".repeat(97)), "signature").to.throw(RangeError, /96 bytes/);
      expect(() => keyLeaf(2n ** 64n, 0n, PUBKEY, SIGNATURE), "operatorId").to.throw(RangeError, /operatorId/);
      expect(() => keyLeaf(1n, -1n, PUBKEY, SIGNATURE), "keyIndex").to.throw(RangeError, /keyIndex/);
    });
  });

  describe("batchRoot", function () {
    it("is the leaf for width 1, the ordered pair hash for 2, and moves odd last nodes up unchanged", function () {
      expect(batchRoot([l0]), "width 1").to.equal(l0);
      expect(batchRoot([l0, l1]), "width 2").to.equal(H(l0, l1));
      expect(batchRoot([l1, l0]), "width 2, order matters").to.equal(H(l1, l0));
      expect(batchRoot([l0, l1, l2]), "width 3").to.equal(H(H(l0, l1), l2));
      expect(batchRoot([l0, l1, l2, l3, l4]), "width 5").to.equal(H(H(H(l0, l1), H(l2, l3)), l4));
    });

    it("pins a width-5 batch of key leaves for the OperatorRegistry", function () {
      const leaves = [0n, 1n, 2n, 3n, 4n].map((i) => keyLeaf(7n, 10n + i, PUBKEY, SIGNATURE));
      const [k0, k1, k2, k3, k4] = leaves as [string, string, string, string, string];
      const root = "0xbcb577c43fa5a5bc26d578021c60ff1a469db64120c88afe9d623be242209d23";
      expect(H(H(H(k0, k1), H(k2, k3)), k4), "independent hash").to.equal(root);
      expect(batchRoot(leaves), "batchRoot").to.equal(root);
      expect(rangeProof(leaves, 1, 3), "proof of keys 11..13").to.deep.equal([k0, k4]);
    });

    it("throws RangeError for no leaves or a leaf that is not 32 bytes", function () {
      expect(() => batchRoot([]), "no leaves").to.throw(RangeError, /at least one leaf/);
      expect(() => batchRoot([l0, "0x1234"]), "short leaf").to.throw(RangeError, /leaves\[1\].*32 bytes/);
    });
  });

  describe("rangeProof", function () {
    it("lists, level by level, the left sibling then the right one, skipping nodes that move up", function () {
      expect(rangeProof([l0], 0, 1), "width 1").to.deep.equal([]);

      expect(rangeProof([l0, l1], 0, 1), "width 2, [0]").to.deep.equal([l1]);
      expect(rangeProof([l0, l1], 1, 1), "width 2, [1]").to.deep.equal([l0]);
      expect(rangeProof([l0, l1], 0, 2), "width 2, [0, 1]").to.deep.equal([]);

      const three = [l0, l1, l2];
      expect(rangeProof(three, 0, 1), "width 3, [0]").to.deep.equal([l1, l2]);
      expect(rangeProof(three, 1, 1), "width 3, [1]").to.deep.equal([l0, l2]);
      expect(rangeProof(three, 2, 1), "width 3, [2]").to.deep.equal([H(l0, l1)]);
      expect(rangeProof(three, 0, 2), "width 3, [0, 1]").to.deep.equal([l2]);
      expect(rangeProof(three, 1, 2), "width 3, [1, 2]").to.deep.equal([l0]);
      expect(rangeProof(three, 0, 3), "width 3, all").to.deep.equal([]);

      const five = [l0, l1, l2, l3, l4];
      expect(rangeProof(five, 0, 1), "width 5, [0]").to.deep.equal([l1, H(l2, l3), l4]);
      expect(rangeProof(five, 3, 1), "width 5, [3]").to.deep.equal([l2, H(l0, l1), l4]);
      expect(rangeProof(five, 4, 1), "width 5, [4]").to.deep.equal([H(H(l0, l1), H(l2, l3))]);
      expect(rangeProof(five, 1, 3), "width 5, [1, 3]").to.deep.equal([l0, l4]);
      expect(rangeProof(five, 2, 3), "width 5, [2, 4]").to.deep.equal([H(l0, l1)]);
      expect(rangeProof(five, 1, 4), "width 5, [1, 4]").to.deep.equal([l0]);
      expect(rangeProof(five, 0, 4), "width 5, [0, 3]").to.deep.equal([l4]);
    });

    it("verifies for every range of every width up to 300, with at most 2 * ceil(log2(width)) elements", function () {
      fc.assert(
        fc.property(batchAndRange, (range) => {
          const { root, rangeLeaves, proof } = proven(range);
          expect(proof.length, "length").to.equal(rangeProofLength(range.width, range.lo, range.count));
          expect(proof.length, "length bound").to.be.at.most(2 * height(range.width));
          expect(processRange(range.width, range.lo, rangeLeaves, proof), "processed root").to.equal(root);
          expect(verifyRange(root, range.width, range.lo, rangeLeaves, proof), "verified").to.equal(true);
        }),
      );
    });

    it("throws RangeError for an empty range or one that leaves the batch", function () {
      const five = [l0, l1, l2, l3, l4];
      expect(() => rangeProof(five, 0, 0), "count 0").to.throw(RangeError, /count/);
      expect(() => rangeProof(five, 3, 3), "past the end").to.throw(RangeError, /lo \+ count <= width 5/);
      expect(() => rangeProof(five, -1, 1), "negative lo").to.throw(RangeError, /lo/);
      expect(() => rangeProof(five, 0.5, 1), "fractional lo").to.throw(RangeError, /lo/);
      expect(() => rangeProof([], 0, 1), "no leaves").to.throw(RangeError, /at least one leaf/);
    });
  });

  describe("verifyRange", function () {
    it("fails when any leaf of the range is changed", function () {
      fc.assert(
        fc.property(batchAndRange, fc.nat(), node32, (range, at, other) => {
          const { root, rangeLeaves, proof } = proven(range);
          const i = at % rangeLeaves.length;
          fc.pre(other !== rangeLeaves[i]);
          const tampered = rangeLeaves.with(i, other);
          expect(verifyRange(root, range.width, range.lo, tampered, proof), "verified").to.equal(false);
        }),
      );
    });

    it("fails when any proof element is changed", function () {
      fc.assert(
        fc.property(batchAndRange, fc.nat(), node32, (range, at, other) => {
          const { root, rangeLeaves, proof } = proven(range);
          fc.pre(proof.length > 0);
          const i = at % proof.length;
          fc.pre(other !== proof[i]);
          const tampered = proof.with(i, other);
          expect(verifyRange(root, range.width, range.lo, rangeLeaves, tampered), "verified").to.equal(false);
        }),
      );
    });

    it("fails when lo is changed", function () {
      fc.assert(
        fc.property(batchAndRange, fc.nat(), (range, other) => {
          const { root, rangeLeaves, proof } = proven(range);
          const lo = other % (range.width - range.count + 1);
          fc.pre(lo !== range.lo);
          expect(verifyRange(root, range.width, lo, rangeLeaves, proof), "verified").to.equal(false);
        }),
      );
    });

    it("fails when the width is changed, unless the new width needs a proof of the same shape", function () {
      // Width 3 moves l2 up unchanged, where width 4 would hash (l2, l3): the proof [l2] of [l0, l1] fits both.
      expect(verifyRange(H(H(l0, l1), l2), 4, 0, [l0, l1], [l2]), "width 3 proof at width 4").to.equal(true);

      fc.assert(
        fc.property(batchAndRange, fc.integer({ min: 1, max: 600 }), (range, width) => {
          const { root, rangeLeaves, proof } = proven(range);
          fc.pre(width !== range.width);
          // The right siblings a width adds only grow with it, so the same length means the same consumption order.
          const sameShape =
            range.lo + range.count <= width && rangeProofLength(width, range.lo, range.count) === proof.length;
          expect(verifyRange(root, width, range.lo, rangeLeaves, proof), "verified").to.equal(sameShape);
        }),
      );
    });

    it("fails with an extra or a missing proof element, which processRange rejects", function () {
      fc.assert(
        fc.property(batchAndRange, fc.nat(), node32, (range, at, extra) => {
          const { root, rangeLeaves, proof } = proven(range);
          const { width, lo } = range;
          const longer = [...proof.slice(0, at % (proof.length + 1)), extra, ...proof.slice(at % (proof.length + 1))];
          expect(verifyRange(root, width, lo, rangeLeaves, longer), "extra").to.equal(false);
          expect(() => processRange(width, lo, rangeLeaves, longer), "extra").to.throw(RangeError, /expected/);
          if (proof.length > 0) {
            const shorter = proof.toSpliced(at % proof.length, 1);
            expect(verifyRange(root, width, lo, rangeLeaves, shorter), "missing").to.equal(false);
            expect(() => processRange(width, lo, rangeLeaves, shorter), "missing").to.throw(RangeError, /expected/);
          }
        }),
      );
    });

    it("fails against another root and for a range outside the batch", function () {
      const five = [l0, l1, l2, l3, l4];
      const root = batchRoot(five);
      expect(verifyRange(batchRoot([l0, l1, l2, l3]), 5, 4, [l4], rangeProof(five, 4, 1)), "other root").to.equal(
        false,
      );
      expect(verifyRange(root, 5, 4, [l4, l0], []), "past the end").to.equal(false);
      expect(() => verifyRange(root, 5, 0, [], []), "no leaves").to.throw(RangeError, /rangeLeaves.length/);
      expect(() => verifyRange("0x12", 5, 4, [l4], []), "short root").to.throw(RangeError, /root/);
    });
  });
});
