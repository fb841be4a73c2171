import { expect } from "chai";
import fc from "fast-check";

import {
  describeConcentration,
  herfindahlHirschmanIndex,
  maxShareBps,
  nakamotoCoefficient,
} from "../lib/decentralization.js";

function ones(n: number): number[] {
  return Array.from({ length: n }, () => 1);
}

/** Some operators, at least one with validators. */
const counts = fc.array(fc.nat({ max: 1_000 }), { minLength: 1, maxLength: 40 }).filter((c) => c.some((v) => v > 0));

/** The fewest operators holding more than a third, by trying every subset: the oracle for up to 10 operators. */
function bruteForceNakamoto(values: readonly number[]): number {
  const total = values.reduce((a, b) => a + b, 0);
  let best = total === 0 ? 0 : Infinity;
  for (let mask = 1; mask < 1 << values.length; mask++) {
    const members = values.filter((_, i) => (mask >> i) & 1);
    if (3 * members.reduce((a, b) => a + b, 0) > total) best = Math.min(best, members.length);
  }
  return best;
}

describe("decentralization", function () {
  describe("describeConcentration", function () {
    it("is all zeros without validators", function () {
      const none = {
        operators: 0,
        validators: 0n,
        nakamotoCoefficient: 0,
        herfindahlHirschmanIndex: 0,
        maxShareBps: 0,
      };
      expect(describeConcentration([]), "no operators").to.deep.equal(none);
      expect(describeConcentration([0, 0]), "operators without validators").to.deep.equal(none);
    });

    it("gives one operator every validator", function () {
      expect(describeConcentration([0n, 5n, 0n]), "one of three with validators").to.deep.equal({
        operators: 1,
        validators: 5n,
        nakamotoCoefficient: 1,
        herfindahlHirschmanIndex: 10_000,
        maxShareBps: 10_000,
      });
    });

    it("gives n equal operators an HHI of 10,000 / n and needs more than a third of them", function () {
      expect(describeConcentration([10, 10, 10, 10]), "four equal").to.deep.equal({
        operators: 4,
        validators: 40n,
        nakamotoCoefficient: 2,
        herfindahlHirschmanIndex: 2_500,
        maxShareBps: 2_500,
      });
      // Exactly a third is not more than a third.
      expect(describeConcentration([1, 1, 1]), "three equal").to.deep.equal({
        operators: 3,
        validators: 3n,
        nakamotoCoefficient: 2,
        herfindahlHirschmanIndex: 3_333.33,
        maxShareBps: 3_333,
      });
    });

    it("counts a whale alone only above a third", function () {
      // Whale squared plus one per small operator, times 10,000 / 1,000^2.
      expect(describeConcentration([334, ...ones(666)]), "334 of 1,000").to.deep.equal({
        operators: 667,
        validators: 1_000n,
        nakamotoCoefficient: 1,
        herfindahlHirschmanIndex: 1_122.22,
        maxShareBps: 3_340,
      });
      expect(describeConcentration([333, ...ones(667)]), "333 of 1,000").to.deep.equal({
        operators: 668,
        validators: 1_000n,
        nakamotoCoefficient: 2,
        herfindahlHirschmanIndex: 1_115.56,
        maxShareBps: 3_330,
      });
      expect(nakamotoCoefficient([...ones(2_000), 1_000]), "exactly 1,000 of 3,000").to.equal(2);
      expect(nakamotoCoefficient([...ones(1_999), 1_000]), "1,000 of 2,999").to.equal(1);
    });

    it("stays exact beyond 2^53", function () {
      expect(describeConcentration([10n ** 30n, 1n]), "a share just under 100%").to.deep.equal({
        operators: 2,
        validators: 10n ** 30n + 1n,
        nakamotoCoefficient: 1,
        herfindahlHirschmanIndex: 10_000,
        maxShareBps: 9_999,
      });
    });

    it("throws RangeError for a negative or fractional count", function () {
      expect(() => describeConcentration([1, -1]), "negative number").to.throw(RangeError, /counts\[1\]/);
      expect(() => describeConcentration([-1n]), "negative bigint").to.throw(RangeError, /counts\[0\]/);
      expect(() => describeConcentration([1.5]), "fraction").to.throw(RangeError, /non-negative integer/);
      expect(() => describeConcentration([2 ** 53]), "unsafe integer").to.throw(RangeError, /non-negative integer/);
    });

    it("does not depend on the operators' order", function () {
      const permuted = counts.chain((c) =>
        fc.tuple(fc.constant(c), fc.shuffledSubarray(c, { minLength: c.length, maxLength: c.length })),
      );
      fc.assert(
        fc.property(permuted, ([c, shuffled]) => {
          expect(describeConcentration(shuffled), "shuffled").to.deep.equal(describeConcentration(c));
        }),
      );
    });

    it("reads numbers and bigints alike", function () {
      fc.assert(
        fc.property(counts, (c) => {
          expect(describeConcentration(c.map(BigInt)), "bigints").to.deep.equal(describeConcentration(c));
        }),
      );
    });
  });

  describe("nakamotoCoefficient", function () {
    it("is between 1 and the number of operators with validators", function () {
      fc.assert(
        fc.property(counts, (c) => {
          const coefficient = nakamotoCoefficient(c);
          expect(coefficient, "at least one").to.be.at.least(1);
          expect(coefficient, "at most the operators").to.be.at.most(c.filter((v) => v > 0).length);
        }),
      );
    });

    it("is the smallest group holding more than a third, among all groups", function () {
      const few = fc.array(fc.nat({ max: 100 }), { maxLength: 10 });
      fc.assert(
        fc.property(few, (c) => {
          expect(nakamotoCoefficient(c), "coefficient").to.equal(bruteForceNakamoto(c));
        }),
      );
    });
  });

  describe("herfindahlHirschmanIndex", function () {
    it("rounds half up to 2 decimals", function () {
      // 10,000 * (1 + 225) / 256 = 8,828.125 exactly.
      expect(herfindahlHirschmanIndex([1, 15]), "1 and 15").to.equal(8_828.13);
      expect(herfindahlHirschmanIndex([1, 2]), "1 and 2").to.equal(5_555.56);
    });

    it("is between 10,000 / n and 10,000 for n operators with validators", function () {
      fc.assert(
        fc.property(counts, (c) => {
          const n = c.filter((v) => v > 0).length;
          const hhi = herfindahlHirschmanIndex(c);
          expect(hhi, "at least equal shares").to.be.at.least(Math.round(1_000_000 / n) / 100);
          expect(hhi, "at most one operator").to.be.at.most(10_000);
        }),
      );
    });
  });

  describe("splitting the largest operator in two", function () {
    it("never raises the HHI or the largest share, and never lowers the Nakamoto coefficient", function () {
      fc.assert(
        fc.property(counts, fc.double({ min: 0, max: 1, noNaN: true }), (c, fraction) => {
          const largest = Math.max(...c);
          const i = c.indexOf(largest);
          const part = Math.floor(largest * fraction);
          const split = [...c.slice(0, i), part, largest - part, ...c.slice(i + 1)];
          expect(herfindahlHirschmanIndex(split), "HHI").to.be.at.most(herfindahlHirschmanIndex(c));
          expect(maxShareBps(split), "largest share").to.be.at.most(maxShareBps(c));
          expect(nakamotoCoefficient(split), "Nakamoto").to.be.at.least(nakamotoCoefficient(c));
        }),
      );
    });
  });
});
