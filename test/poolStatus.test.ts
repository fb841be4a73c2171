/**
 * `pool status`'s rewards section: the APR math on its own (examples and properties), then the status of a deployed
 * pool before any report, after a report with rewards and after one with a loss, on the in-process chain.
 */
import { expect } from "chai";
import { getAddress, parseEther } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { formatDuration, formatEth, formatPlEth } from "../lib/amounts.js";
import {
  APR_SCALE,
  aprFromReport,
  averageApr,
  formatApr,
  formatPoolStatus,
  getPoolStatus,
  type RateChange,
  readAppliedReports,
  SECONDS_PER_YEAR,
} from "../lib/status.js";
import { pluralFixture } from "./helpers/protocol.js";
import { stakeOneValidatorPerOperator, submitBeaconReport } from "./helpers/rewards.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const DAY = 86_400n;
/** deploy/parameters/local.json */
const TREASURY = getAddress("0x2546BcD3c84621e976D8185a91A922aE77ECEc30");
const FEE_BPS = 1_000n;
/** A tenth of a percent a year: how close an APR must come to its expected value. */
const PERMILLE = APR_SCALE / 1_000n;

/** `amount` percent a year, scaled like an APR. */
const percent = (amount: bigint) => (amount * APR_SCALE) / 100n;
/** `preEther` ETH and as many plETH before, `postEther` and the same plETH after, over `timeElapsed` seconds. */
const change = (postEther: string, timeElapsed: bigint, preEther = "100"): RateChange => ({
  timeElapsed,
  preTotalEther: parseEther(preEther),
  preTotalShares: parseEther(preEther),
  postTotalEther: parseEther(postEther),
  postTotalShares: parseEther(preEther),
});

/** The table row that starts with `label`, its cells trimmed. */
function row(table: string, label: string): string[] {
  const cells = table.split("\n").map((line) =>
    line
      .split("│")
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
  const found = cells.find((line) => line[0] === label);
  if (found === undefined) throw new Error(`no row "${label}" in\n${table}`);
  return found;
}

/** A rate change with positive amounts up to about 2^100 wei and up to ten years. */
const rateChange = fc.record({
  timeElapsed: fc.bigInt({ min: 1n, max: 10n * SECONDS_PER_YEAR }),
  preTotalEther: fc.bigInt({ min: 1n, max: 1n << 100n }),
  preTotalShares: fc.bigInt({ min: 1n, max: 1n << 100n }),
  postTotalEther: fc.bigInt({ min: 0n, max: 1n << 100n }),
  postTotalShares: fc.bigInt({ min: 1n, max: 1n << 100n }),
});
/** Near-realistic changes: the rate moves by at most about ±1 % a report. */
const smallRateChange = fc
  .record({
    timeElapsed: fc.bigInt({ min: 60n, max: 30n * DAY }),
    preTotalEther: fc.bigInt({ min: 10n ** 15n, max: 10n ** 27n }),
    preTotalShares: fc.bigInt({ min: 10n ** 15n, max: 10n ** 27n }),
    growthPpm: fc.integer({ min: -10_000, max: 10_000 }),
  })
  .map(({ timeElapsed, preTotalEther, preTotalShares, growthPpm }) => ({
    timeElapsed,
    preTotalEther,
    preTotalShares,
    postTotalEther: (preTotalEther * BigInt(1_000_000 + growthPpm)) / 1_000_000n,
    postTotalShares: preTotalShares,
  }));

async function withValidators() {
  const fixture = await networkHelpers.loadFixture(deployPlural);
  await stakeOneValidatorPerOperator(connection, fixture.protocol);
  return fixture;
}

/** Three days after the stake, a report whose beacon side earned 5 % a year. */
async function afterRewards() {
  const fixture = await networkHelpers.loadFixture(withValidators);
  const rewards = await submitBeaconReport(connection, fixture.protocol, 500n, 3n * DAY);
  return { ...fixture, rewards };
}

/** `afterRewards`, then the next frame's report loses 2 % a year on the beacon side (a slashing penalty). */
async function afterLoss() {
  const fixture = await networkHelpers.loadFixture(afterRewards);
  const loss = await submitBeaconReport(connection, fixture.protocol, -200n);
  return { ...fixture, loss };
}

describe("pool status: APR and fees", function () {
  describe("aprFromReport", function () {
    it("is 0 % when the rate is unchanged", function () {
      expect(aprFromReport(change("100", DAY)), "same ether and shares").to.equal(0n);
      const doubled = { ...change("200", DAY), postTotalShares: parseEther("200") };
      expect(aprFromReport(doubled), "ether and shares doubled by deposits").to.equal(0n);
      expect(formatApr(0n), "shown").to.equal("0.00 %");
    });

    it("makes a 1 % gain over half a year 2 % a year", function () {
      const apr = aprFromReport(change("101", SECONDS_PER_YEAR / 2n));
      expect(apr, "exactly 2 %").to.equal(percent(2n));
      expect(formatApr(apr!), "shown").to.equal("2.00 %");
    });

    it("makes a loss negative: 0.01 % lost in a day is -3.65 % a year", function () {
      const apr = aprFromReport(change("99.99", DAY));
      expect(apr, "exactly -3.65 %").to.equal(-percent(365n) / 100n);
      expect(formatApr(apr!), "shown").to.equal("-3.65 %");
    });

    it("takes the fee out through the shares: 1 % more ether and 0.1 % more shares in a year is 0.899 %", function () {
      const apr = aprFromReport({ ...change("101", SECONDS_PER_YEAR), postTotalShares: parseEther("100.1") });
      // 101 / 100.1 − 1 = 0.8991008991...%
      expect(apr, "rate growth, not ether growth").to.equal((9n * APR_SCALE) / 1001n);
    });

    it("is undefined without a rate before the report or without time", function () {
      expect(aprFromReport(change("101", 0n)), "no time").to.equal(undefined);
      expect(aprFromReport({ ...change("101", DAY), preTotalShares: 0n }), "no shares before").to.equal(undefined);
      expect(aprFromReport({ ...change("101", DAY), preTotalEther: 0n }), "no ether before").to.equal(undefined);
    });

    it("is 0 for every report that keeps the rate (property)", function () {
      fc.assert(
        fc.property(rateChange, fc.bigInt({ min: 1n, max: 1n << 64n }), (base, factor) => {
          const kept = {
            ...base,
            postTotalEther: base.preTotalEther * factor,
            postTotalShares: base.preTotalShares * factor,
          };
          expect(aprFromReport(kept), "rate kept").to.equal(0n);
        }),
      );
    });

    it("is negative exactly when the rate fell (property)", function () {
      fc.assert(
        fc.property(rateChange, (report) => {
          const fell = report.postTotalEther * report.preTotalShares < report.preTotalEther * report.postTotalShares;
          const apr = aprFromReport(report);
          expect(apr === undefined, "defined").to.equal(false);
          expect(apr! < 0n, "negative iff the rate fell").to.equal(fell);
        }),
        { numRuns: 500 },
      );
    });

    it("does not change when ether or shares are scaled on both sides (property)", function () {
      fc.assert(
        fc.property(rateChange, fc.bigInt({ min: 2n, max: 1n << 64n }), (report, factor) => {
          const apr = aprFromReport(report);
          const moreEther = { ...report, preTotalEther: report.preTotalEther * factor };
          moreEther.postTotalEther = report.postTotalEther * factor;
          const moreShares = { ...report, preTotalShares: report.preTotalShares * factor };
          moreShares.postTotalShares = report.postTotalShares * factor;
          expect(aprFromReport(moreEther), "ether scaled").to.equal(apr);
          expect(aprFromReport(moreShares), "shares scaled").to.equal(apr);
        }),
      );
    });

    it("agrees with the floating-point formula (property)", function () {
      fc.assert(
        fc.property(smallRateChange, (report) => {
          const rate = (ether: bigint, shares: bigint) => Number(ether) / Number(shares);
          const expected =
            ((rate(report.postTotalEther, report.postTotalShares) / rate(report.preTotalEther, report.preTotalShares) -
              1) *
              Number(SECONDS_PER_YEAR)) /
            Number(report.timeElapsed);
          const apr = Number(aprFromReport(report)!) / Number(APR_SCALE);
          const error = Math.abs(apr - expected);
          expect(error <= 1e-9 + Math.abs(expected) * 1e-9, `${apr} is ${expected} within 1e-9`).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe("averageApr", function () {
    it("weighs each report by the time it covers: 2 % over 3 days then 0 % over 1 day is 1.5 %", function () {
      // 2 % a year for 3 days on 365 ETH: 0.06 ETH.
      const gain = change("365.06", 3n * DAY, "365");
      const flat = change("365", DAY, "365");
      expect(aprFromReport(gain), "the gain alone").to.equal(percent(2n));
      expect(averageApr([gain, flat]), "time-weighted, not the plain mean of 2 % and 0 %").to.equal(percent(15n) / 10n);
      expect(formatApr(averageApr([gain, flat])!), "shown").to.equal("1.50 %");
    });

    it("covers the last `count` reports only, 7 by default", function () {
      const loss = change("99", DAY);
      const flat = change("100", DAY);
      expect(averageApr([loss, ...Array<RateChange>(7).fill(flat)]), "the loss is the 8th from last").to.equal(0n);
      expect(averageApr([loss, ...Array<RateChange>(6).fill(flat)]), "the loss is the 7th from last").to.be.below(0n);
      expect(averageApr([loss, flat], 1), "count 1").to.equal(0n);
    });

    it("is undefined without reports, and refuses a count that is not a positive whole number", function () {
      expect(averageApr([]), "no report").to.equal(undefined);
      expect(averageApr([change("101", 0n)]), "no report with a rate").to.equal(undefined);
      expect(() => averageApr([], 0), "count 0").to.throw(RangeError);
      expect(() => averageApr([], 1.5), "count 1.5").to.throw(RangeError);
    });

    it("equals aprFromReport for one report (property)", function () {
      fc.assert(
        fc.property(rateChange, (report) => {
          expect(averageApr([report]), "one report").to.equal(aprFromReport(report));
        }),
      );
    });

    it("lies between the lowest and the highest APR of the reports (property)", function () {
      fc.assert(
        fc.property(fc.array(rateChange, { minLength: 1, maxLength: 10 }), (reports) => {
          const aprs = reports.map((report) => aprFromReport(report)!);
          const average = averageApr(reports, reports.length)!;
          const lowest = aprs.reduce((a, b) => (a < b ? a : b));
          const highest = aprs.reduce((a, b) => (a > b ? a : b));
          expect(average >= lowest, `${average} at least the lowest ${lowest}`).to.equal(true);
          expect(average <= highest, `${average} at most the highest ${highest}`).to.equal(true);
        }),
        { numRuns: 300 },
      );
    });

    it("is the APR of the report repeated, for the same report n times (property)", function () {
      fc.assert(
        fc.property(rateChange, fc.integer({ min: 1, max: 7 }), (report, times) => {
          expect(averageApr(Array<RateChange>(times).fill(report)), `${times} times`).to.equal(aprFromReport(report));
        }),
      );
    });

    it("ignores reports before the last `count` (property)", function () {
      fc.assert(
        fc.property(
          fc.array(rateChange, { maxLength: 5 }),
          fc.array(rateChange, { minLength: 1, maxLength: 5 }),
          (older, recent) => {
            expect(averageApr([...older, ...recent], recent.length), "older reports").to.equal(
              averageApr(recent, recent.length),
            );
          },
        ),
      );
    });
  });

  describe("formatApr", function () {
    it("shows two decimals, rounded half away from zero, and keeps a loss's sign", function () {
      expect(formatApr(-percent(123n) / 100n), "-1.23 %").to.equal("-1.23 %");
      expect(formatApr(percent(1995n) / 1000n), "1.995 %").to.equal("2.00 %");
      expect(formatApr(-(percent(1995n) / 1000n)), "-1.995 %").to.equal("-2.00 %");
      expect(formatApr(percent(1994n) / 1000n), "1.994 %").to.equal("1.99 %");
      expect(formatApr(-1n), "the smallest loss").to.equal("-0.00 %");
      expect(formatApr(percent(123_456n)), "thousands grouped").to.equal("123,456.00 %");
    });

    it("reads back within half a hundredth of a percent, with the APR's sign (property)", function () {
      fc.assert(
        fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), (apr) => {
          const text = formatApr(apr);
          expect(text, "format").to.match(/^-?\d{1,3}(,\d{3})*\.\d\d %$/);
          expect(text.startsWith("-"), "sign").to.equal(apr < 0n);
          const shown = Number(text.replace(/[, %]/g, ""));
          const error = Math.abs(shown - Number(apr) / 1e16);
          expect(error <= 0.005 + 1e-9, `${text} is ${apr} within 0.005 %`).to.equal(true);
        }),
      );
    });
  });

  describe("getPoolStatus and formatPoolStatus", function () {
    it("shows the fee settings and no report yet before the first report", async function () {
      const { protocol } = await networkHelpers.loadFixture(withValidators);
      const status = await getPoolStatus(protocol.pool, ethers.provider);
      expect(status.fees, "fee settings").to.deep.equal({
        treasury: TREASURY,
        treasuryFeeBps: 500n,
        operatorFeeBps: 500n,
      });
      expect(status.reports, "reports").to.equal(0);
      expect(status.lastReport, "last report").to.equal(undefined);
      expect(status.averageApr, "average APR").to.equal(undefined);
      expect(status.feesMinted, "fees minted").to.deep.equal({ treasuryShares: 0n, operatorShares: 0n, value: 0n });

      const table = formatPoolStatus(status, "hardhat");
      expect(row(table, "treasury fee"), "treasury fee").to.deep.equal(["treasury fee", "5.00 % of rewards"]);
      expect(row(table, "operator fee"), "operator fee").to.deep.equal(["operator fee", "5.00 % of rewards"]);
      expect(row(table, "treasury"), "treasury").to.deep.equal(["treasury", TREASURY]);
      expect(row(table, "fees minted so far"), "fees minted").to.deep.equal([
        "fees minted so far",
        "0 plETH (0 ETH now)",
      ]);
      expect(row(table, "last report"), "last report").to.deep.equal(["last report", "no report yet"]);
      expect(row(table, "APR"), "APR").to.deep.equal(["APR", "no report yet"]);
    });

    it("computes the last report's APR from ReportApplied and the fees minted from ReportBreakdown", async function () {
      const { protocol, rewards } = await networkHelpers.loadFixture(afterRewards);
      const { pool } = protocol;
      const status = await getPoolStatus(pool, ethers.provider, undefined, {
        fromBlock: protocol.addresses.deployedAtBlock,
      });
      const [applied] = await pool.queryFilter(pool.filters.ReportApplied());
      const [breakdown] = await pool.queryFilter(pool.filters.ReportBreakdown());
      if (applied === undefined || breakdown === undefined) throw new Error("the report emitted no events");

      expect(rewards.beaconDelta, "the beacon side earned").to.be.above(0n);
      expect(status.reports, "reports").to.equal(1);
      const last = status.lastReport!;
      expect(last.refSlot, "ref slot").to.equal(rewards.report.refSlot);
      expect(last.timeElapsed, "time covered").to.equal(rewards.timeElapsed);
      // From the oracle's start to the current frame's reference slot: the 3 days waited, less up to a frame, plus up
      // to the two epochs waited until that slot could be reported.
      expect(rewards.timeElapsed, "about 2 to 3 days").to.be.within(2n * DAY, 3n * DAY + 2n * 32n * 12n);
      expect(last.blockNumber, "block").to.equal(applied.blockNumber);
      expect(last.timestamp, "time").to.equal(BigInt((await ethers.provider.getBlock(applied.blockNumber))!.timestamp));
      expect(last.apr, "APR from the event").to.equal(aprFromReport(applied.args));
      // Holders keep 90 % of 5 % a year on 128 ETH staked of the 128.001 ETH pooled.
      const expected = ((percent(45n) / 10n) * 128_000n) / 128_001n;
      expect(last.apr! - expected, "about 4.50 %").to.be.within(-PERMILLE / 10n, PERMILLE / 10n);
      expect(status.averageApr, "average of one report").to.deep.equal({
        reports: 1,
        window: 7,
        period: rewards.timeElapsed,
        apr: last.apr,
      });

      const { treasuryShares, operatorShares } = breakdown.args;
      expect(treasuryShares, "treasury's fee shares").to.be.above(0n);
      expect(await pool.balanceOf(TREASURY), "minted to the treasury").to.equal(treasuryShares);
      expect(await pool.balanceOf(protocol.addresses.operatorRegistry), "minted to the registry").to.equal(
        operatorShares,
      );
      const feeValue = await pool.convertToAssets(treasuryShares + operatorShares);
      expect(status.feesMinted, "fees minted").to.deep.equal({ treasuryShares, operatorShares, value: feeValue });
      // The fee is 10 % of the rewards: the shares are worth that, give or take rounding.
      expect(feeValue, "worth 10 % of the rewards").to.be.closeTo((rewards.beaconDelta * FEE_BPS) / 10_000n, 10n);

      const table = formatPoolStatus(status, "hardhat");
      expect(row(table, "reports applied"), "reports row").to.deep.equal(["reports applied", "1"]);
      expect(row(table, "last report"), "last report row").to.deep.equal([
        "last report",
        `ref slot ${last.refSlot}, block ${last.blockNumber}`,
      ]);
      expect(row(table, "last report covers"), "covers row").to.deep.equal([
        "last report covers",
        formatDuration(rewards.timeElapsed),
      ]);
      expect(row(table, "APR, last report"), "APR row").to.deep.equal(["APR, last report", "4.50 %"]);
      expect(row(table, "APR, last 7 reports"), "average row").to.deep.equal([
        "APR, last 7 reports",
        `4.50 % (1 report over ${formatDuration(rewards.timeElapsed)}, time-weighted)`,
      ]);
      expect(row(table, "fees minted so far"), "fees row").to.deep.equal([
        "fees minted so far",
        `${formatPlEth(treasuryShares + operatorShares)} (${formatEth(feeValue)} now)`,
      ]);
      expect(row(table, "last report applied")[1], "applied row").to.match(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z \(this block\)$/,
      );
    });

    it("shows a loss as a negative APR, mints no fee on it and averages the reports by time", async function () {
      const { protocol, rewards, loss } = await networkHelpers.loadFixture(afterLoss);
      const { pool } = protocol;
      expect(loss.beaconDelta, "the beacon side lost").to.be.below(0n);
      const status = await getPoolStatus(pool, ethers.provider);
      const reports = await readAppliedReports(pool, 0, await ethers.provider.getBlockNumber());
      expect(
        reports.map((report) => report.refSlot),
        "both reports, oldest first",
      ).to.deep.equal([rewards.report.refSlot, loss.report.refSlot]);
      expect(reports[1]!.treasuryShares + reports[1]!.operatorShares, "no fee on a loss").to.equal(0n);
      expect(reports[1]!.beaconDelta, "the loss in the breakdown").to.equal(loss.beaconDelta);

      const last = status.lastReport!;
      expect(last.apr, "negative").to.be.below(0n);
      // Holders bear the whole loss: 2 % a year of the beacon side, which is nearly all the pooled ether.
      expect(last.apr! + percent(2n), "about -2.00 %").to.be.within(-PERMILLE / 10n, PERMILLE / 10n);
      const average = averageApr(reports);
      expect(status.averageApr?.apr, "average of both").to.equal(average);
      expect(status.averageApr?.period, "their time").to.equal(rewards.timeElapsed + loss.timeElapsed);
      expect(average! > last.apr! && average! < reports.map(aprFromReport)[0]!, "between the two").to.equal(true);
      expect(status.feesMinted.treasuryShares + status.feesMinted.operatorShares, "fees of the first only").to.equal(
        reports[0]!.treasuryShares + reports[0]!.operatorShares,
      );

      const table = formatPoolStatus(status, "hardhat");
      expect(row(table, "APR, last report"), "APR row").to.deep.equal(["APR, last report", "-2.00 %"]);
      expect(row(table, "APR, last 7 reports")[1], "average row").to.equal(
        `${formatApr(average!)} (2 reports over ${formatDuration(rewards.timeElapsed + loss.timeElapsed)}, time-weighted)`,
      );

      const lastOnly = await getPoolStatus(pool, ethers.provider, undefined, { aprReports: 1 });
      expect(lastOnly.averageApr?.apr, "a window of one report").to.equal(last.apr);
      expect(row(formatPoolStatus(lastOnly, "hardhat"), "APR, last 1 reports")[1], "window in the label").to.match(
        /^-2\.00 % \(1 report over /,
      );
    });

    it("scans report events from `fromBlock` on", async function () {
      const { protocol } = await networkHelpers.loadFixture(afterRewards);
      const after = (await ethers.provider.getBlockNumber()) + 1;
      await networkHelpers.mine();
      const status = await getPoolStatus(protocol.pool, ethers.provider, undefined, { fromBlock: after });
      expect(status.reports, "no report after the deployment's block").to.equal(0);
      expect(status.lastReport, "none").to.equal(undefined);
      expect(status.feesMinted.treasuryShares, "no fee seen").to.equal(0n);
    });
  });
});
