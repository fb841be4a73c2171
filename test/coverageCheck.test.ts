import { expect } from "chai";

import {
  checkCoverage,
  formatReport,
  parseLcov,
  parseStatementTable,
  statementsBelow,
} from "../scripts/coverage-check.js";

// The shape Hardhat 3.17 writes: TN, then per file SF, DA lines, LH, LF, end_of_record. Mocks and tests are excluded.
const HARDHAT_LCOV = `TN:
SF:contracts/StakingPool.sol
DA:10,1
DA:11,1
DA:12,1
DA:13,1
LH:4
LF:4
end_of_record
SF:contracts/libraries/SharesMath.sol
DA:5,1
DA:6,0
LH:1
LF:2
end_of_record
SF:contracts/interfaces/IStakingPool.sol
LH:0
LF:0
end_of_record
SF:contracts/mocks/BeaconDepositMock.sol
DA:1,0
DA:2,0
LH:0
LF:2
end_of_record
SF:contracts/Pool.t.sol
DA:1,0
LH:0
LF:1
end_of_record
`;

describe("coverage-check", function () {
  describe("parseLcov", function () {
    it("reads one entry per SF record with LF/LH as lines found/hit", function () {
      const files = parseLcov(HARDHAT_LCOV);
      expect(files.map((file) => file.path)).to.deep.equal([
        "contracts/StakingPool.sol",
        "contracts/libraries/SharesMath.sol",
        "contracts/interfaces/IStakingPool.sol",
        "contracts/mocks/BeaconDepositMock.sol",
        "contracts/Pool.t.sol",
      ]);
      expect(files[1]?.lines).to.deep.equal({ found: 2, hit: 1 });
      expect(files[1]?.functions).to.equal(null);
      expect(files[1]?.branches).to.equal(null);
    });

    it("counts DA lines when LF/LH are missing and reads function and branch summaries", function () {
      const [file] = parseLcov(
        "SF:contracts/A.sol\nFNF:2\nFNH:1\nDA:1,3\nDA:2,0\nDA:3,1\nBRF:4\nBRH:3\nend_of_record\n",
      );
      expect(file?.lines).to.deep.equal({ found: 3, hit: 2 });
      expect(file?.functions).to.deep.equal({ found: 2, hit: 1 });
      expect(file?.branches).to.deep.equal({ found: 4, hit: 3 });
    });
  });

  describe("checkCoverage", function () {
    it("sums lines of contracts/ only, excluding mocks and test files", function () {
      const check = checkCoverage(HARDHAT_LCOV, 95);
      expect(check.files.map((file) => file.path)).to.deep.equal([
        "contracts/interfaces/IStakingPool.sol",
        "contracts/libraries/SharesMath.sol",
        "contracts/StakingPool.sol",
      ]);
      expect(check.metrics).to.deep.equal(["lines"]);
      expect(check.totals.lines).to.deep.equal({ found: 6, hit: 5 });
    });

    it("fails below the floor and names the files below it", function () {
      const check = checkCoverage(HARDHAT_LCOV, 95);
      expect(check.passed).to.equal(false);
      expect(check.failedMetrics).to.deep.equal(["lines"]);
      expect(check.filesBelowFloor).to.deep.equal(["contracts/libraries/SharesMath.sol"]);
      expect(formatReport(check)).to.contain("Files below 95%: contracts/libraries/SharesMath.sol");
    });

    it("passes when the total reaches the floor, still listing files below it", function () {
      const check = checkCoverage(HARDHAT_LCOV, 83);
      expect(check.passed).to.equal(true);
      expect(check.filesBelowFloor).to.deep.equal(["contracts/libraries/SharesMath.sol"]);
    });

    it("treats the floor as inclusive without floating-point error", function () {
      const lcov = "SF:contracts/A.sol\nLH:57\nLF:100\nend_of_record\n";
      expect(checkCoverage(lcov, 57).passed).to.equal(true);
      expect(checkCoverage(lcov, 57.01).passed).to.equal(false);
    });

    it("gates branch totals when the report has branch records", function () {
      const lcov = "SF:contracts/A.sol\nLH:10\nLF:10\nBRH:1\nBRF:2\nend_of_record\n";
      const check = checkCoverage(lcov, 95);
      expect(check.metrics).to.deep.equal(["lines", "branches"]);
      expect(check.failedMetrics).to.deep.equal(["branches"]);
      expect(check.passed).to.equal(false);
    });

    it("fails when no gated file has instrumented lines", function () {
      const onlyMocks = "TN:\nSF:contracts/mocks/M.sol\nLH:1\nLF:1\nend_of_record\n";
      const check = checkCoverage(onlyMocks, 95);
      expect(check.passed).to.equal(false);
      expect(formatReport(check)).to.contain("no instrumented lines under contracts/");
    });
  });

  describe("statements from Hardhat's console table", function () {
    // As printed by `hardhat test --coverage`, colour codes included.
    const TABLE = [
      "\u001b[1m║ File Path                             │ Line % │ Statement % │ Uncovered Lines ║\u001b[0m",
      "║ contracts/libraries/StakeLimit.sol    │ 80.00  │ 85.71       │ 26, 40          ║",
      "║ contracts/mocks/BeaconDepositMock.sol │ 100.00 │ 100.00      │ -               ║",
      "║ contracts/StakingPool.sol             │ 98.80  │ 98.73       │ 169             ║",
      "║ Total                                 │ 96.97  │ 96.60       │                 ║",
    ].join("\n");

    it("keeps the gated files with their statement percentage", function () {
      expect(parseStatementTable(TABLE)).to.deep.equal([
        { path: "contracts/libraries/StakeLimit.sol", percent: 85.71 },
        { path: "contracts/StakingPool.sol", percent: 98.73 },
      ]);
    });

    it("names every gated file below the floor", function () {
      expect(statementsBelow(parseStatementTable(TABLE), 95)).to.deep.equal(["contracts/libraries/StakeLimit.sol"]);
      expect(statementsBelow(parseStatementTable(TABLE), 80)).to.deep.equal([]);
    });
  });
});
