import { expect } from "chai";
import fc from "fast-check";

import { formatDuration, formatEth, parseEthAmount } from "../lib/amounts.js";
import { renderTable } from "../lib/table.js";

describe("amounts", function () {
  describe("parseEthAmount", function () {
    it("parses whole and fractional ETH", function () {
      expect(parseEthAmount("1.5")).to.equal(1_500_000_000_000_000_000n);
      expect(parseEthAmount(" 32 ")).to.equal(32n * 10n ** 18n);
      expect(parseEthAmount(".25")).to.equal(250_000_000_000_000_000n);
      expect(parseEthAmount("0.000000000000000001")).to.equal(1n);
    });

    it("round-trips with formatEth for every positive wei amount", function () {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), (wei) => {
          const text = formatEth(wei).replace(/ ETH$/, "").replaceAll(",", "");
          return parseEthAmount(text) === wei;
        }),
      );
    });

    it("rejects every string with more than 18 decimals", function () {
      fc.assert(
        fc.property(fc.stringMatching(/^[1-9]\d{0,5}\.\d{19,25}$/), (text) => {
          expect(() => parseEthAmount(text)).to.throw(/decimals/);
        }),
      );
    });
  });

  describe("formatEth", function () {
    it("groups thousands, trims zeros and keeps the unit", function () {
      expect(formatEth(0n)).to.equal("0 ETH");
      expect(formatEth(150_000n * 10n ** 18n)).to.equal("150,000 ETH");
      expect(formatEth(1n)).to.equal("0.000000000000000001 ETH");
      expect(formatEth(-(10n ** 18n))).to.equal("-1 ETH");
      expect(formatEth(1_234_567_891n * 10n ** 9n, 6)).to.equal("1.234567 ETH");
    });
  });

  describe("formatDuration", function () {
    it("shows the two largest units", function () {
      expect(formatDuration(0n)).to.equal("0 s");
      expect(formatDuration(86_400n)).to.equal("1 day");
      expect(formatDuration(2n * 86_400n + 3_600n + 5n)).to.equal("2 days 1 h");
      expect(formatDuration(150n)).to.equal("2 min 30 s");
    });
  });

  describe("renderTable", function () {
    it("aligns every row to the same width", function () {
      const table = renderTable("Title", [["a", "1 ETH"], ["section"], ["longer label", "22 ETH"]]);
      const widths = new Set(table.split("\n").map((line) => line.length));
      expect(widths.size, table).to.equal(1);
    });
  });
});
