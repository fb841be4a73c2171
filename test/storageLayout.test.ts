import { expect } from "chai";

import { compareWithRelease, releasedLayouts, type Snapshot, upgradeableContracts } from "../scripts/storage-layout.js";

describe("storage layouts against the last release (scripts/storage-layout.ts)", function () {
  // Reads build info files of several megabytes each.
  this.timeout(120_000);

  it("finds every UUPS implementation of contracts/", function () {
    expect(upgradeableContracts(), "contracts marked @custom:oz-upgrades").to.deep.equal([
      "AccountingOracle",
      "DepositGuard",
      "EmergencyPause",
      "ExecutionRewardsVault",
      "OperatorRegistry",
      "StakingPool",
      "WithdrawalQueue",
      "WithdrawalVault",
    ]);
  });

  it("finds the current build compatible with the recorded release", function () {
    const lines: string[] = [];
    expect(
      compareWithRelease(releasedLayouts(), (line) => lines.push(line)),
      lines.join("\n"),
    ).to.equal(0);
    expect(
      lines.filter((line) => line.startsWith("  ok")),
      "one line per contract",
    ).to.have.length(8);
  });

  it("reports a field whose type differs from the release's as breaking", function () {
    const snapshot: Snapshot = structuredClone(releasedLayouts());
    const namespaces = snapshot.layouts.WithdrawalQueue!.namespaces!;
    const fields = namespaces["erc7201:plural.storage.WithdrawalQueue"]!;
    const paused = fields.find((field) => field.label === "withdrawalsPausedUntil")!;
    paused.type = "t_uint64";
    snapshot.layouts.WithdrawalQueue!.types["t_uint64"] = { label: "uint64", numberOfBytes: "8" };
    const lines: string[] = [];
    expect(
      compareWithRelease(snapshot, (line) => lines.push(line)),
      "contracts that would break",
    ).to.equal(1);
    expect(lines.join("\n"), "the report").to.match(/BREAKING {2}WithdrawalQueue[\s\S]*withdrawalsPausedUntil/);
  });

  it("reports a released contract that is no longer upgradeable", function () {
    const snapshot: Snapshot = structuredClone(releasedLayouts());
    snapshot.layouts.RetiredVault = snapshot.layouts.WithdrawalVault!;
    const lines: string[] = [];
    expect(
      compareWithRelease(snapshot, (line) => lines.push(line)),
      "contracts that would break",
    ).to.equal(1);
    expect(lines, "the report").to.include(
      "  REMOVED   RetiredVault: released in 0.1.0, no longer an upgradeable contract",
    );
  });
});
