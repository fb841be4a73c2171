import bls from "@chainsafe/bls";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "chai";
import fc from "fast-check";
import { getBytes, hexlify } from "ethers";

import { UserInputError } from "../lib/errors.js";
import {
  dealFor,
  dealRound,
  finishRound,
  parseDeal,
  parseReceivedDeal,
  type Deal,
  type DkgResult,
  type ReceivedDeal,
} from "../lib/keys/dkg.js";
import {
  combinePartialSignatures,
  combineVerifiedPartialSignatures,
  decodePublicKey,
  decodeSecretKey,
  decodeSignature,
  lagrangeCoefficientsAtZero,
  secretKeyToPublicKey,
  signWithShare,
  splitSecretKey,
  verifyPartialSignature,
  verifyShare,
  verifySignature,
  type PartialSignature,
  type RandomBytes,
  type SecretShare,
} from "../lib/keys/threshold.js";

const Fr = bls12_381.fields.Fr;

/** Deterministic random bytes: SHA-256 of (seed, counter) blocks. */
function seededRng(seed: number): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}/${counter++}`));
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** Every k-element subset of `items`. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, k - 1).map((subset) => [first!, ...subset]), ...subsets(rest, k)];
}

/** Runs a whole DKG among `members` honest members, exchanging JSON text as the members' files would. */
function runDkg(threshold: number, members: number, seed: number) {
  const rng = seededRng(seed);
  const deals = Array.from({ length: members }, (_, i) => dealRound(i + 1, threshold, members, rng));
  const results = deals.map((_, j) =>
    finishRound(
      j + 1,
      deals.map((deal) => dealFor(deal, j + 1)),
    ),
  );
  return { deals, results };
}

/**
 * Test-only: the group secret, which the library never computes. Interpolated at 0 from t shares with a Lagrange
 * formula written out here (not the library's), so it cross-checks `lagrangeCoefficientsAtZero`.
 */
function groupSecret(shares: readonly SecretShare[]): Uint8Array {
  let secret = 0n;
  for (const { index: i, secretKey } of shares) {
    let lambda = 1n;
    for (const { index: j } of shares) if (j !== i) lambda = Fr.mul(lambda, Fr.div(BigInt(j), BigInt(j - i)));
    secret = Fr.add(secret, Fr.mul(lambda, bytesToNumberBE(getBytes(secretKey))));
  }
  return numberToBytesBE(secret, 32);
}

function chainsafeVerify(publicKey: string, message: Uint8Array, signature: string): boolean {
  return bls.verify(getBytes(publicKey), message, getBytes(signature));
}

const MESSAGE = new TextEncoder().encode("plural distributed validator");

describe("threshold keys", function () {
  describe("DKG, 3-of-4", function () {
    let results: DkgResult[];
    let deals: Deal[];
    let secret: Uint8Array;
    let partials: PartialSignature[];

    before(function () {
      ({ deals, results } = runDkg(3, 4, 1));
      secret = groupSecret(results.slice(0, 3).map((result) => result.secretShare));
      partials = results.map((result) => signWithShare(result.secretShare, MESSAGE));
    });

    it("gives every member the same public outcome and no complaints", function () {
      const [first] = results;
      for (const result of results) {
        expect(result.complaints, `complaints of member ${result.member}`).to.deep.equal([]);
        expect(result.qualifiedDealers, `qualified dealers at member ${result.member}`).to.deep.equal([1, 2, 3, 4]);
        expect(result.groupPublicKey, `group key at member ${result.member}`).to.equal(first!.groupPublicKey);
        expect(result.commitments, `commitments at member ${result.member}`).to.deep.equal(first!.commitments);
        expect(result.publicShares, `public shares at member ${result.member}`).to.deep.equal(first!.publicShares);
        expect(result.trustModel, "trust model").to.equal("dkg");
      }
    });

    it("makes the group key the sum of the dealers' constant-term commitments", function () {
      const sum = deals.map((deal) => decodePublicKey(deal.commitments[0]!)).reduce((total, point) => total.add(point));
      expect(hexlify(sum.toBytes(true)), "Σ C_i0").to.equal(results[0]!.groupPublicKey);
    });

    it("gives each member a share whose public key is its public share", function () {
      for (const result of results) {
        const fromShare = hexlify(bls.secretKeyToPublicKey(getBytes(result.secretShare.secretKey)));
        expect(fromShare, `member ${result.member}`).to.equal(result.publicShares[result.member - 1]!.publicKey);
      }
    });

    it("has a group secret (test-only) whose public key is the group key, the same from every 3 shares", function () {
      expect(hexlify(bls.secretKeyToPublicKey(secret)), "secret·G1").to.equal(results[0]!.groupPublicKey);
      for (const subset of subsets(results, 3)) {
        expect(hexlify(groupSecret(subset.map((r) => r.secretShare))), "interpolated secret").to.equal(hexlify(secret));
      }
    });

    it("verifies each partial signature against its member's public share", function () {
      const { publicShares } = results[0]!;
      for (const partial of partials) {
        expect(verifyPartialSignature(partial, publicShares, MESSAGE), `member ${partial.index}`).to.equal(true);
        const share = publicShares[partial.index - 1]!.publicKey;
        expect(chainsafeVerify(share, MESSAGE, partial.signature), `chainsafe, member ${partial.index}`).to.equal(true);
      }
      const other = publicShares.find((share) => share.index !== partials[0]!.index)!;
      expect(verifyPartialSignature({ ...partials[0]!, index: other.index }, publicShares, MESSAGE)).to.equal(false);
    });

    it("combines every 3 partial signatures into the group secret's own signature, valid under the group key", function () {
      const expected = hexlify(bls.sign(secret, MESSAGE));
      const { groupPublicKey } = results[0]!;
      for (const subset of [...subsets(partials, 3), partials]) {
        const signature = combinePartialSignatures(subset, 3);
        const signers = subset.map((p) => p.index).join(",");
        expect(chainsafeVerify(groupPublicKey, MESSAGE, signature), `chainsafe verify, members ${signers}`).to.equal(
          true,
        );
        expect(signature, `byte-identical, members ${signers}`).to.equal(expected);
      }
      expect(verifySignature(groupPublicKey, MESSAGE, expected), "noble verify").to.equal(true);
      // Order does not matter.
      expect(combinePartialSignatures([partials[3]!, partials[0]!, partials[2]!], 3), "reordered").to.equal(expected);
    });

    it("does not combine any 2 partial signatures into a valid signature", function () {
      const { groupPublicKey } = results[0]!;
      for (const subset of subsets(partials, 2)) {
        expect(() => combinePartialSignatures(subset, 3)).to.throw(UserInputError, /at least 3 partial signatures/);
        const interpolated = combinePartialSignatures(subset, 2);
        const signers = subset.map((p) => p.index).join(",");
        expect(chainsafeVerify(groupPublicKey, MESSAGE, interpolated), `members ${signers}`).to.equal(false);
      }
    });

    it("does not verify with 2 honest partial signatures and a forged one", function () {
      const { groupPublicKey, publicShares } = results[0]!;
      const forger = bls12_381.utils.randomSecretKey();
      const forged = { index: 3, signature: hexlify(bls.sign(forger, MESSAGE)) };
      expect(verifyPartialSignature(forged, publicShares, MESSAGE), "forged partial").to.equal(false);
      const combined = combinePartialSignatures([partials[0]!, partials[1]!, forged], 3);
      expect(chainsafeVerify(groupPublicKey, MESSAGE, combined), "combined with the forgery").to.equal(false);

      const result = combineVerifiedPartialSignatures(results[0]!, MESSAGE, [
        forged,
        ...partials.filter((p) => p.index !== 3),
      ]);
      expect(result.rejected, "rejected").to.deep.equal([3]);
      expect(result.signers, "signers").to.deep.equal([1, 2, 4]);
      expect(chainsafeVerify(groupPublicKey, MESSAGE, result.signature), "verified combination").to.equal(true);
      expect(() =>
        combineVerifiedPartialSignatures(results[0]!, MESSAGE, [partials[0]!, partials[1]!, forged]),
      ).to.throw(UserInputError, /need 3 valid partial signatures, got 2; invalid from member\(s\) 3/);
    });

    it("rejects duplicate signers", function () {
      const duplicated = [partials[0]!, partials[1]!, partials[0]!];
      expect(() => combinePartialSignatures(duplicated, 3)).to.throw(
        UserInputError,
        /member index 1 appears more than once/,
      );
      expect(() => combineVerifiedPartialSignatures(results[0]!, MESSAGE, duplicated)).to.throw(
        UserInputError,
        /more than once/,
      );
      expect(() => lagrangeCoefficientsAtZero([2, 2])).to.throw(UserInputError, /more than once/);
    });

    it("signs a deposit message's 32-byte signing root", function () {
      const signingRoot = sha256(new TextEncoder().encode("DepositMessage signing root stand-in"));
      const [first, , third, fourth] = results;
      const signature = combinePartialSignatures(
        [first!, third!, fourth!].map((result) => signWithShare(result.secretShare, signingRoot)),
        3,
      );
      expect(getBytes(signature).length, "signature length").to.equal(96);
      expect(chainsafeVerify(first!.groupPublicKey, signingRoot, signature), "valid under the group key").to.equal(
        true,
      );
      expect(signature, "the group secret's own signature").to.equal(hexlify(bls.sign(secret, signingRoot)));
    });
  });

  describe("DKG with a cheating dealer", function () {
    const threshold = 3;
    const members = 4;
    let deals: Deal[];

    before(function () {
      const rng = seededRng(2);
      deals = Array.from({ length: members }, (_, i) => dealRound(i + 1, threshold, members, rng));
    });

    /** Every member's received deals, with dealer 2's share to member 3 replaced by `share`. */
    function receivedWithBadShare(share: string): ReceivedDeal[][] {
      return Array.from({ length: members }, (_, j) =>
        deals.map((deal) => {
          const received = dealFor(deal, j + 1);
          return deal.dealer === 2 && j + 1 === 3 ? { ...received, share } : received;
        }),
      );
    }

    it("is named by the member that received an inconsistent share, and excluding it gives a working key", function () {
      const otherShare = deals[1]!.sharesFor["4"]!; // a valid scalar, but f_2(4), not f_2(3)
      const received = receivedWithBadShare(otherShare);
      const firstPass = received.map((deals, j) => finishRound(j + 1, deals));
      expect(firstPass[2]!.complaints, "member 3's complaints").to.have.length(1);
      expect(firstPass[2]!.complaints[0], "member 3's complaint").to.include({
        dealer: 2,
        recipient: 3,
        reason: "inconsistent-share",
      });
      expect(firstPass[2]!.qualifiedDealers, "member 3 leaves dealer 2 out").to.deep.equal([1, 3, 4]);
      for (const j of [0, 1, 3]) expect(firstPass[j]!.complaints, `member ${j + 1}`).to.deep.equal([]);

      const excludedDealers = [...new Set(firstPass.flatMap((result) => result.complaints.map((c) => c.dealer)))];
      const secondPass = received.map((deals, j) => finishRound(j + 1, deals, { excludedDealers }));
      const groupPublicKey = secondPass[0]!.groupPublicKey;
      for (const result of secondPass) {
        expect(result.complaints, `complaints of member ${result.member}`).to.deep.equal([]);
        expect(result.qualifiedDealers, `qualified at member ${result.member}`).to.deep.equal([1, 3, 4]);
        expect(result.groupPublicKey, `group key at member ${result.member}`).to.equal(groupPublicKey);
      }
      const signature = combinePartialSignatures(
        secondPass.slice(1).map((result) => signWithShare(result.secretShare, MESSAGE)),
        threshold,
      );
      expect(chainsafeVerify(groupPublicKey, MESSAGE, signature), "signature after exclusion").to.equal(true);
    });

    it("is named when its share or commitments are malformed", function () {
      const outOfRange = hexlify(numberToBytesBE(Fr.ORDER, 32));
      const [resultOutOfRange] = [finishRound(3, receivedWithBadShare(outOfRange)[2]!)];
      expect(resultOutOfRange!.complaints[0], "share >= r").to.include({ dealer: 2, reason: "invalid-share" });

      const infinity = `0xc0${"00".repeat(47)}`;
      const offCurve = `0x80${"00".repeat(46)}01`; // x = 1: x³ + 4 has no square root
      const outsideSubgroup = `0x80${"00".repeat(46)}05`; // x = 5: on the curve, not in the r-order subgroup
      for (const bad of [infinity, offCurve, outsideSubgroup]) {
        const received = deals.map((deal) => dealFor(deal, 1));
        received[3] = {
          ...received[3]!,
          commitments: [received[3]!.commitments[0]!, bad, received[3]!.commitments[2]!],
        };
        const result = finishRound(1, received);
        expect(
          result.complaints.map((c) => [c.dealer, c.reason]),
          bad,
        ).to.deep.equal([[4, "invalid-commitments"]]);
      }
      const short = deals.map((deal) => dealFor(deal, 1));
      short[1] = { ...short[1]!, commitments: short[1]!.commitments.slice(0, 2) };
      expect(finishRound(1, short).complaints[0], "too few commitments").to.include({
        dealer: 2,
        reason: "invalid-commitments",
      });
      const otherParameters = deals.map((deal) => dealFor(deal, 1));
      otherParameters[2] = { ...otherParameters[2]!, threshold: 2 };
      expect(finishRound(1, otherParameters).complaints[0], "2-of-4 in a 3-of-4 cluster").to.include({
        dealer: 3,
        reason: "wrong-parameters",
      });
    });

    it("refuses to finish with fewer qualified dealers than the threshold", function () {
      expect(() =>
        finishRound(
          1,
          deals.map((deal) => dealFor(deal, 1)),
          { excludedDealers: [2, 3] },
        ),
      ).to.throw(UserInputError, /only 2 qualified dealer\(s\), at least 3/);
    });

    it("refuses missing, duplicated and misaddressed deals", function () {
      const received = deals.map((deal) => dealFor(deal, 1));
      expect(() => finishRound(1, received.slice(0, 3))).to.throw(UserInputError, /no deal from dealer 4/);
      expect(() => finishRound(1, [...received, received[2]!])).to.throw(UserInputError, /two deals from dealer 3/);
      expect(() => finishRound(1, [...received.slice(0, 3), dealFor(deals[3]!, 2)])).to.throw(
        UserInputError,
        /dealer 4 is addressed to member 2, not 1/,
      );
      expect(() => finishRound(1, received.slice(1))).to.throw(UserInputError, /its own deal/);
      // An excluded dealer's deal may be missing.
      expect(finishRound(1, received.slice(0, 3), { excludedDealers: [4] }).qualifiedDealers).to.deep.equal([1, 2, 3]);
    });
  });

  describe("splitSecretKey (trusted dealer)", function () {
    // The consensus-spec BLS test key (tests/generators/bls: privkeys[0]).
    const secretKey = "0x263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3";

    it("reproduces the key's own public key and signatures from any 3 of 5 shares", function () {
      const split = splitSecretKey(secretKey, 3, 5, seededRng(3));
      expect(split.trustModel, "trust model").to.equal("trusted-dealer");
      expect(split.groupPublicKey, "group key").to.equal(hexlify(bls.secretKeyToPublicKey(getBytes(secretKey))));
      expect(split.groupPublicKey, "known public key").to.equal(
        "0xa491d1b0ecd9bb917989f0e74f0dea0422eac4a873e5e2644f368dffb9a6e20fd6e10c1b77654d067c0618f6e5a7f79a",
      );
      expect(secretKeyToPublicKey(secretKey), "noble public key").to.equal(split.groupPublicKey);
      expect(split.commitments[0], "C_0").to.equal(split.groupPublicKey);
      expect(
        split.shares.map((s) => s.index),
        "indexes",
      ).to.deep.equal([1, 2, 3, 4, 5]);

      const expected = hexlify(bls.sign(getBytes(secretKey), MESSAGE));
      const partials = split.shares.map((share) => signWithShare(share, MESSAGE));
      for (const subset of subsets(partials, 3)) {
        const signature = combinePartialSignatures(subset, 3);
        expect(signature, `members ${subset.map((p) => p.index).join(",")}`).to.equal(expected);
      }
      expect(chainsafeVerify(split.groupPublicKey, MESSAGE, expected), "chainsafe verify").to.equal(true);
    });

    it("lets each member verify its share against the commitments", function () {
      const split = splitSecretKey(secretKey, 2, 3, seededRng(4));
      for (const share of split.shares) {
        expect(verifyShare(share, split.commitments), `share ${share.index}`).to.equal(true);
        expect(hexlify(bls.secretKeyToPublicKey(getBytes(share.secretKey))), `public share ${share.index}`).to.equal(
          split.publicShares[share.index - 1]!.publicKey,
        );
      }
      const swapped = { index: 1, secretKey: split.shares[1]!.secretKey };
      expect(verifyShare(swapped, split.commitments), "share 2 presented as share 1").to.equal(false);
    });

    it("refuses malformed keys and thresholds", function () {
      expect(() => splitSecretKey(`0x${"00".repeat(32)}`, 2, 3)).to.throw(UserInputError, /0 < s < r/);
      expect(() => splitSecretKey(hexlify(numberToBytesBE(Fr.ORDER, 32)), 2, 3)).to.throw(UserInputError, /0 < s < r/);
      expect(() => splitSecretKey("0x1234", 2, 3)).to.throw(UserInputError, /expected 32 bytes, got 2/);
      expect(() => splitSecretKey("0xzz", 2, 3)).to.throw(UserInputError, /expected hex/);
      expect(() => splitSecretKey(secretKey, 1, 3)).to.throw(UserInputError, /every member would hold the whole key/);
      expect(() => splitSecretKey(secretKey, 4, 3)).to.throw(
        UserInputError,
        /threshold: expected an integer from 2 to/,
      );
      expect(() => splitSecretKey(secretKey, 2, 256)).to.throw(UserInputError, /members: expected an integer/);
    });
  });

  describe("input validation", function () {
    it("refuses the point at infinity and points off the curve or outside the subgroup", function () {
      expect(() => decodePublicKey(`0xc0${"00".repeat(47)}`)).to.throw(UserInputError, /infinity/);
      expect(() => decodeSignature(`0xc0${"00".repeat(95)}`)).to.throw(UserInputError, /infinity/);
      expect(() => decodePublicKey(`0x80${"00".repeat(46)}01`), "x = 1").to.throw(UserInputError, /square root/);
      expect(() => decodePublicKey(hexlify(bls12_381.G1.Point.BASE.toBytes(false)))).to.throw(
        UserInputError,
        /expected 48 bytes, got 96/,
      );
      // x = 0 and x = 5 are on the curve but outside the r-order subgroup (G1's cofactor is not 1).
      for (const x of ["00", "05"]) {
        expect(() => decodePublicKey(`0x80${"00".repeat(46)}${x}`), `x = ${x}`).to.throw(
          UserInputError,
          /not in prime-order subgroup/,
        );
      }
      // G2: x = 0 is off the twist; x = 5 is on it but outside the r-order subgroup.
      expect(() => decodeSignature(`0x80${"00".repeat(95)}`), "G2 x = 0").to.throw(UserInputError, /square root/);
      expect(() => decodeSignature(`0x80${"00".repeat(94)}05`), "G2 x = 5").to.throw(
        UserInputError,
        /not in prime-order subgroup/,
      );
      expect(
        verifySignature(secretKeyToPublicKey(`0x${"00".repeat(31)}07`), MESSAGE, `0x80${"00".repeat(94)}05`),
      ).to.equal(false);
    });

    it("returns false, not an exception, for a malformed signature, and checks scalars", function () {
      const key = secretKeyToPublicKey(`0x${"00".repeat(31)}07`);
      expect(verifySignature(key, MESSAGE, `0xc0${"00".repeat(95)}`), "infinity").to.equal(false);
      expect(verifySignature(key, MESSAGE, "0x1234"), "short").to.equal(false);
      expect(() => verifySignature("0x1234", MESSAGE, "0x1234")).to.throw(UserInputError, /public key/);
      expect(() => decodeSecretKey(hexlify(numberToBytesBE(Fr.ORDER - 1n, 32)))).not.to.throw();
      expect(() => signWithShare({ index: 0, secretKey: `0x${"00".repeat(31)}07` }, MESSAGE)).to.throw(
        UserInputError,
        /share index/,
      );
    });
  });

  describe("serialization", function () {
    it("round-trips deals, received deals and results through JSON", function () {
      const rng = seededRng(5);
      const deals = [1, 2, 3].map((member) => dealRound(member, 2, 3, rng));
      const dealFiles = deals.map((deal) => JSON.stringify(deal));
      const parsedDeals = dealFiles.map((text) => parseDeal(JSON.parse(text)));
      expect(parsedDeals, "deals").to.deep.equal(deals);

      const results = [1, 2, 3].map((member) => {
        const files = parsedDeals.map((deal) => JSON.stringify(dealFor(deal, member)));
        const received = files.map((text) => parseReceivedDeal(JSON.parse(text)));
        expect(received, `received by ${member}`).to.deep.equal(deals.map((deal) => dealFor(deal, member)));
        return finishRound(member, received);
      });
      for (const result of results) {
        expect(JSON.parse(JSON.stringify(result)), `result of ${result.member}`).to.deep.equal(result);
      }
      const split = splitSecretKey(results[0]!.secretShare.secretKey, 2, 3, rng);
      expect(JSON.parse(JSON.stringify(split)), "split").to.deep.equal(split);
    });

    it("names the field that is wrong in a deal file", function () {
      const deal = JSON.parse(JSON.stringify(dealRound(1, 2, 3, seededRng(6)))) as Record<string, unknown>;
      expect(() => parseDeal({ ...deal, dealer: 4 })).to.throw(UserInputError, /deal.dealer: expected a member index/);
      expect(() => parseDeal({ ...deal, threshold: "2" })).to.throw(
        UserInputError,
        /deal.threshold: expected an integer/,
      );
      expect(() => parseDeal({ ...deal, sharesFor: { "1": "0x01" } })).to.throw(UserInputError, /sharesFor\["2"\]/);
      expect(() => parseDeal({ ...deal, commitments: ["0xAB"] })).to.throw(UserInputError, /deal.commitments\[0\]/);
      const received = JSON.parse(JSON.stringify(dealFor(dealRound(1, 2, 3, seededRng(7)), 2))) as object;
      expect(() => parseReceivedDeal({ ...received, recipient: 0 })).to.throw(UserInputError, /recipient/);
      expect(() => parseReceivedDeal([])).to.throw(UserInputError, /expected a JSON object/);
    });
  });

  describe("properties", function () {
    const clusters = fc.integer({ min: 2, max: 7 }).chain((members) =>
      fc.record({
        members: fc.constant(members),
        threshold: fc.integer({ min: 2, max: members }),
        seed: fc.nat(),
        order: fc.shuffledSubarray(
          [...Array(members).keys()].map((i) => i + 1),
          {
            minLength: members,
            maxLength: members,
          },
        ),
      }),
    );

    it("any t members of a DKG sign for the group key; t - 1 do not", function () {
      fc.assert(
        fc.property(clusters, ({ members, threshold, seed, order }) => {
          const { results } = runDkg(threshold, members, seed);
          const signers = order.slice(0, threshold).map((index) => results[index - 1]!);
          const secret = groupSecret(signers.map((result) => result.secretShare));
          const groupPublicKey = results[0]!.groupPublicKey;
          expect(hexlify(bls.secretKeyToPublicKey(secret)), "group secret").to.equal(groupPublicKey);

          const partials = signers.map((result) => signWithShare(result.secretShare, MESSAGE));
          const signature = combinePartialSignatures(partials, threshold);
          expect(chainsafeVerify(groupPublicKey, MESSAGE, signature), "t partial signatures").to.equal(true);
          expect(signature, "byte-identical").to.equal(hexlify(bls.sign(secret, MESSAGE)));

          // t - 1 partial signatures interpolate (a single one "interpolates" to itself) to something else.
          const fewer = partials.slice(1);
          const interpolated = fewer.length >= 2 ? combinePartialSignatures(fewer, fewer.length) : fewer[0]!.signature;
          expect(chainsafeVerify(groupPublicKey, MESSAGE, interpolated), "t - 1 partial signatures").to.equal(false);
          expect(() => combinePartialSignatures(partials.slice(1), threshold)).to.throw(UserInputError);
        }),
        { numRuns: 10 },
      );
    });

    it("a trusted-dealer split of a random key reproduces its signature from any t shares", function () {
      fc.assert(
        fc.property(clusters, ({ members, threshold, seed, order }) => {
          const secretKey = bls12_381.utils.randomSecretKey(seededRng(seed)(48));
          const split = splitSecretKey(secretKey, threshold, members, seededRng(seed + 1));
          expect(split.groupPublicKey).to.equal(hexlify(bls.secretKeyToPublicKey(secretKey)));
          const partials = order.slice(0, threshold).map((index) => signWithShare(split.shares[index - 1]!, MESSAGE));
          expect(combinePartialSignatures(partials, threshold)).to.equal(hexlify(bls.sign(secretKey, MESSAGE)));
        }),
        { numRuns: 10 },
      );
    });
  });
});
