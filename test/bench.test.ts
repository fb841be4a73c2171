import { expect } from "chai";

import { ANCHOR_GAPS, ANCHORS } from "../scripts/bench/anchors.js";
import {
  ANCHOR_NAMES,
  type AnchorGaps,
  type BenchRow,
  describeConditions,
  findFailures,
  formatMeasured,
  formatSnapshotChange,
  formatTarget,
  NONE,
  renderBenchTable,
  snapshotOf,
  statusOf,
} from "../scripts/bench/report.js";
import { cells } from "./helpers/table.js";

const GAPS: AnchorGaps = { Lido: "no Lido figure", StakeWise: "no StakeWise figure", "Rocket Pool": "no RP figure" };

const deposit: BenchRow = {
  operation: "deposit",
  snapshotKey: "deposit, new holder",
  measured: 68_368,
  unit: "gas",
  target: { kind: "atMost", value: 70_000 },
  anchors: { Lido: { figure: "90,180" }, StakeWise: { figure: "83,160", note: "execution gas only" } },
};
const request: BenchRow = {
  operation: "request",
  snapshotKey: "withdrawal request",
  measured: 121_844,
  unit: "gas",
  target: { kind: "atMost", value: 110_000 },
  knownMiss: "two new slots",
};
const exitPage: BenchRow = { operation: "exit page", snapshotKey: "exit page", measured: 423_477, unit: "gas" };
const keys: BenchRow = {
  operation: "keys",
  measured: 1_166.4,
  unit: "ms",
  target: { kind: "below", value: 10_000 },
};

/** The table's body row for an operation, split into its cells. */
function cellsOf(table: string, operation: string): string[] {
  const line = table.split("\n").find((text) => text.startsWith(`│   ${operation} `));
  expect(line, `row "${operation}"`).to.not.equal(undefined);
  return cells(line!);
}

describe("bench report", function () {
  describe("statusOf", function () {
    it("meets an at-most target at the target itself and misses one gas above it", function () {
      const target = { kind: "atMost", value: 70_000 } as const;
      expect(statusOf({ measured: 70_000, target }), "at the target").to.equal("ok");
      expect(statusOf({ measured: 70_001, target }), "one above").to.equal("MISSED");
    });

    it("misses a below target at the target itself", function () {
      const target = { kind: "below", value: 10_000 } as const;
      expect(statusOf({ measured: 9_999.9, target }), "just under").to.equal("ok");
      expect(statusOf({ measured: 10_000, target }), "at the target").to.equal("MISSED");
    });

    it("meets an at-least target (a speed-up) at the target and misses it below", function () {
      const target = { kind: "atLeast", value: 3 } as const;
      expect(statusOf({ measured: 3, target }), "at the target").to.equal("ok");
      expect(statusOf({ measured: 1.48, target }), "below").to.equal("MISSED");
    });

    it("calls a row without a target a reference figure", function () {
      expect(statusOf({ measured: 423_477 })).to.equal("reference");
    });
  });

  describe("formatting", function () {
    it("prints each unit with its own form", function () {
      expect(formatMeasured(68_368, "gas"), "gas").to.equal("68,368");
      expect(formatMeasured(1_166.4, "ms"), "ms").to.equal("1,166 ms");
      expect(formatMeasured(0.6123, "ms"), "ms under 10").to.equal("0.61 ms");
      expect(formatMeasured(1.4812, "ratio"), "ratio").to.equal("1.48×");
    });

    it("prints each target with its comparison and unit, and no target as —", function () {
      expect(formatTarget({ kind: "atMost", value: 70_000 }, "gas"), "at most").to.equal("≤ 70,000");
      expect(formatTarget({ kind: "below", value: 10_000 }, "ms"), "below").to.equal("< 10,000 ms");
      expect(formatTarget({ kind: "atLeast", value: 3 }, "ratio"), "at least").to.equal("≥ 3.00×");
      expect(formatTarget(undefined, "gas"), "none").to.equal(NONE);
    });

    it("prints the change against the snapshot signed, new when absent, — outside the snapshot", function () {
      const snapshot = { "deposit, new holder": 68_000 };
      expect(formatSnapshotChange(deposit, snapshot), "above").to.equal("+0.54%");
      expect(formatSnapshotChange({ ...deposit, measured: 68_000 }, snapshot), "equal").to.equal("+0.00%");
      expect(formatSnapshotChange({ ...deposit, measured: 66_640 }, snapshot), "below").to.equal("-2.00%");
      expect(formatSnapshotChange(deposit, {}), "absent").to.equal("new");
      expect(formatSnapshotChange(keys, snapshot), "a timing").to.equal(NONE);
    });
  });

  describe("renderBenchTable", function () {
    const snapshot = { "deposit, new holder": 68_368, "withdrawal request": 121_844, "exit page": 423_477 };
    const table = renderBenchTable(
      "Plural benchmarks",
      [
        { title: "gas", rows: [deposit, request, exitPage] },
        { title: "tooling", rows: [keys] },
      ],
      snapshot,
      GAPS,
    );

    it("has the columns operation, Plural, target, the three anchors, vs snapshot and result", function () {
      const columns = cells(table.split("\n")[3]!);
      expect(columns).to.deep.equal([
        "operation",
        "Plural",
        "target",
        "Lido",
        "StakeWise",
        "Rocket Pool",
        "vs snapshot",
        "result",
      ]);
    });

    it("prints a row within its target as ok, with its anchors and a footnote marker where the anchor has a note", function () {
      expect(cellsOf(table, "deposit")).to.deep.equal([
        "deposit",
        "68,368",
        "≤ 70,000",
        "90,180",
        "83,160 [1]",
        NONE,
        "+0.00%",
        "ok",
      ]);
      expect(table, "footnote").to.include("\n[1] StakeWise: execution gas only");
    });

    it("marks a row over its target as MISSED and gives the known reason under the table", function () {
      const cells = cellsOf(table, "request");
      expect(cells[1], "measured").to.equal("121,844");
      expect(cells[7], "result").to.equal("MISSED");
      expect(table, "reason").to.include("MISSED, known (not a failure):\n  request: two new slots");
    });

    it("prints — for every anchor a row has none of, and says once per anchor what — means", function () {
      expect(cellsOf(table, "exit page").slice(3, 6), "anchors").to.deep.equal([NONE, NONE, NONE]);
      expect(cellsOf(table, "exit page")[7], "result").to.equal("reference");
      for (const name of ANCHOR_NAMES) {
        expect(table.split(`${NONE} under ${name}: `).length - 1, name).to.equal(1);
      }
      expect(table, "Rocket Pool's gap").to.include(`${NONE} under Rocket Pool: no RP figure`);
    });

    it("prints timings in ms against their target, with — for the snapshot", function () {
      expect(cellsOf(table, "keys")).to.deep.equal(["keys", "1,166 ms", "< 10,000 ms", NONE, NONE, NONE, NONE, "ok"]);
    });

    it("numbers each distinct note once, in order of first use", function () {
      const noted = (operation: string, note: string): BenchRow => ({
        operation,
        measured: 1,
        unit: "gas",
        anchors: { Lido: { figure: "1", note }, "Rocket Pool": { figure: "2", note: "other" } },
      });
      const shared = renderBenchTable(
        "t",
        [{ title: "gas", rows: [noted("a", "same"), noted("b", "same")] }],
        {},
        GAPS,
      );
      expect(cellsOf(shared, "a").slice(3, 6), "first row").to.deep.equal(["1 [1]", NONE, "2 [2]"]);
      expect(cellsOf(shared, "b").slice(3, 6), "second row").to.deep.equal(["1 [1]", NONE, "2 [2]"]);
      expect(shared.match(/^\[\d+\] /gm), "footnotes").to.deep.equal(["[1] ", "[2] "]);
    });

    it("prints no known-miss section when every target is met", function () {
      const met = renderBenchTable("t", [{ title: "gas", rows: [deposit] }], snapshot, GAPS);
      expect(met).to.not.include("MISSED");
    });
  });

  describe("findFailures", function () {
    const snapshot = { "deposit, new holder": 67_000, "withdrawal request": 121_844 };

    it("fails a row over its target without a known reason, and not one with a reason", function () {
      const over = { ...deposit, measured: 70_001 };
      expect(findFailures([over, request], {}, { check: false })).to.deep.equal([
        "deposit: 70,001 misses the target ≤ 70,000",
      ]);
    });

    it("fails a timing over its target like a gas figure", function () {
      expect(findFailures([{ ...keys, measured: 10_000 }], {}, { check: false })).to.deep.equal([
        "keys: 10,000 ms misses the target < 10,000 ms",
      ]);
    });

    it("holds gas to the snapshot only in the check: more than 2% above fails, 2% passes", function () {
      const twoPercent = { ...deposit, measured: 67_000 * 1.02 };
      const above = { ...deposit, measured: 67_000 * 1.02 + 1 };
      expect(findFailures([twoPercent], snapshot, { check: true }), "2% above").to.deep.equal([]);
      expect(findFailures([above], snapshot, { check: false }), "outside the check").to.deep.equal([]);
      expect(findFailures([above], snapshot, { check: true }), "just over 2% above").to.deep.equal([
        "deposit: 68,341 gas is more than 2% above the snapshot's 67,000",
      ]);
    });

    it("holds a known miss to the snapshot in the check", function () {
      const worse = { ...request, measured: 125_000 };
      expect(findFailures([worse], snapshot, { check: true })).to.deep.equal([
        "request: 125,000 gas is more than 2% above the snapshot's 121,844",
      ]);
    });

    it("fails in the check a gas figure missing from the snapshot, and never a timing", function () {
      expect(findFailures([exitPage, keys], snapshot, { check: true })).to.deep.equal([
        'exit page: not in the snapshot (as "exit page")',
      ]);
    });
  });

  describe("snapshotOf", function () {
    it("keeps the gas rows under their snapshot keys, in the table's order, and no timing", function () {
      const snapshot = snapshotOf([exitPage, keys, deposit]);
      expect(Object.entries(snapshot)).to.deep.equal([
        ["exit page", 423_477],
        ["deposit, new holder", 68_368],
      ]);
    });
  });

  describe("describeConditions", function () {
    it("states the Hardhat, compiler, hardfork, runtime, cores, load and every fixed input", function () {
      const text = describeConditions({
        hardhat: "3.17.0",
        hardfork: "prague",
        solc: "0.8.30",
        optimizerRuns: 1_000,
        node: "v24.0.0",
        cpuModel: " Some CPU ",
        cores: 2,
        load: 1.5,
        inputs: ["gas: five operators", "keys: 1,000 keys"],
      });
      for (const expected of [
        "Hardhat 3.17.0",
        "hardfork prague",
        "solc 0.8.30, optimizer 1,000 runs",
        "Node v24.0.0, Some CPU, 2 cores, load 1.50 at the start",
        "inputs    gas: five operators",
        "          keys: 1,000 keys",
      ]) {
        expect(text, expected).to.include(expected);
      }
    });
  });

  describe("anchors", function () {
    it("gives every anchor figure as a number, ~ only where the source estimates", function () {
      for (const [operation, anchors] of Object.entries(ANCHORS)) {
        for (const [name, anchor] of Object.entries(anchors)) {
          expect(anchor.figure, `${operation} ${name}`).to.match(/^~?\d{1,3}(,\d{3})*$/);
        }
      }
    });

    it("says for every StakeWise figure which snapshot test it is and that it is execution gas only", function () {
      for (const [operation, anchors] of Object.entries(ANCHORS)) {
        const stakeWise = (anchors as Partial<Record<string, { note?: string }>>).StakeWise;
        if (stakeWise === undefined) continue;
        expect(stakeWise.note, operation).to.match(/\(test_\w+\)/);
        expect(stakeWise.note, operation).to.include("v3-core@115404a");
        expect(stakeWise.note, operation).to.include("no 21,000 base");
      }
    });

    it("prints no Rocket Pool figure and says why in its gap", function () {
      for (const [operation, anchors] of Object.entries(ANCHORS)) {
        expect(anchors, operation).to.not.have.property("Rocket Pool");
      }
      expect(ANCHOR_GAPS["Rocket Pool"]).to.include("no published measurement");
    });
  });
});
