/**
 * Operator fees through the library on the in-process chain: what each operator can claim, the claim, its refusals.
 * `pool status`, `operators list` and `operators claim-fees` as users run them, against fees earned through reports
 * of `oracle run`, are in stakingTasks.test.ts ("beacon chain and oracle").
 */
import { expect } from "chai";
import { network } from "hardhat";

import { formatEth, formatPlEth } from "../lib/amounts.js";
import { claimOperatorFees, formatFeeClaim, formatOperators, listOperators } from "../lib/operators.js";
import type { Protocol } from "../lib/protocol.js";
import { expectUserError, pluralFixture } from "./helpers/protocol.js";
import { OPERATOR_NAMES, ROLES, stakeOneValidatorPerOperator, submitBeaconReport } from "./helpers/rewards.js";
import { row } from "./helpers/table.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const DAY = 86_400n;
/** Anyone: not an operator's manager or reward address. */
const CLAIMER = 13;

async function withValidators() {
  const fixture = await networkHelpers.loadFixture(deployPlural);
  await stakeOneValidatorPerOperator(connection, fixture.protocol);
  return fixture;
}

/** Three days after the stake, a report whose beacon side earned 5 % a year: fees for the four operators. */
async function afterRewards() {
  const fixture = await networkHelpers.loadFixture(withValidators);
  await submitBeaconReport(connection, fixture.protocol, 500n, 3n * DAY);
  return fixture;
}

async function operatorFeeShares(protocol: Protocol): Promise<bigint> {
  const [breakdown] = await protocol.pool.queryFilter(protocol.pool.filters.ReportBreakdown());
  if (breakdown === undefined) throw new Error("no report was applied");
  return breakdown.args.operatorShares;
}

describe("operator fees", function () {
  describe("listOperators and formatOperators", function () {
    it("show what each operator can claim, nothing before a report", async function () {
      const before = await listOperators((await networkHelpers.loadFixture(withValidators)).protocol.operatorRegistry);
      expect(
        before.map((op) => op.claimableFees),
        "nothing before a report",
      ).to.deep.equal([0n, 0n, 0n, 0n]);

      const { protocol } = await networkHelpers.loadFixture(afterRewards);
      const operators = await listOperators(protocol.operatorRegistry);
      const perOperator = (await operatorFeeShares(protocol)) / 4n;
      expect(perOperator, "fees were minted").to.be.above(0n);
      for (const op of operators) {
        // Each has one of the four active validators; the accumulator rounds down by at most a share.
        expect(op.claimableFees, `operator ${op.id}`).to.be.within(perOperator - 1n, perOperator);
      }
      const table = formatOperators(operators, await protocol.operatorRegistry.shareCapBps());
      expect(row(table, "operator"), "header").to.deep.equal([
        "operator",
        "status",
        "submitted",
        "vetted",
        "deposited",
        "active",
        "share",
        "fees claimable",
      ]);
      expect(row(table, `0 ${OPERATOR_NAMES[0]}`), "operator 0's row").to.deep.equal([
        `0 ${OPERATOR_NAMES[0]}`,
        "active",
        "1",
        "1",
        "1",
        "1",
        "25.00 %",
        formatPlEth(operators[0]!.claimableFees, 6),
      ]);
    });
  });

  describe("claimOperatorFees", function () {
    it("sends the operator's plETH to its reward address, whoever sends the claim", async function () {
      const { protocol } = await networkHelpers.loadFixture(afterRewards);
      const { pool, operatorRegistry: registry } = protocol;
      const signers = await ethers.getSigners();
      const claimer = signers[CLAIMER]!;
      const rewardAddress = signers[ROLES.rewardAddresses[1]!]!.address;
      const claimable = await registry.claimableFees(1);
      const [rewardBefore, claimerBefore, registryBefore] = await Promise.all([
        pool.balanceOf(rewardAddress),
        pool.balanceOf(claimer.address),
        pool.balanceOf(protocol.addresses.operatorRegistry),
      ]);

      const receipt = await claimOperatorFees(protocol, 1, claimer);
      expect(receipt.operatorId, "operator").to.equal(1);
      expect(receipt.name, "name").to.equal(OPERATOR_NAMES[1]);
      expect(receipt.rewardAddress, "reward address").to.equal(rewardAddress);
      expect(receipt.claimedBy, "claimed by").to.equal(claimer.address);
      expect(receipt.shares, "what was claimable").to.equal(claimable);
      expect(receipt.value, "at the pool's rate").to.equal(await pool.convertToAssets(claimable));
      expect(receipt.value, "worth more than its shares: the rate rose").to.be.above(receipt.shares);
      expect((await ethers.provider.getTransactionReceipt(receipt.txHash))?.blockNumber, "tx").to.equal(
        receipt.blockNumber,
      );
      expect(await pool.balanceOf(rewardAddress), "reward address received").to.equal(rewardBefore + claimable);
      expect(await pool.balanceOf(claimer.address), "claimer received nothing").to.equal(claimerBefore);
      expect(await pool.balanceOf(protocol.addresses.operatorRegistry), "registry paid").to.equal(
        registryBefore - claimable,
      );
      expect(await registry.claimableFees(1), "nothing left").to.equal(0n);
      expect(await registry.claimableFees(0), "operator 0's fees untouched").to.be.above(0n);

      const table = formatFeeClaim(receipt, "hardhat");
      expect(table, "title").to.include("Claimed the fees of operator 1 on hardhat");
      expect(row(table, "sent to (reward address)")[1], "reward address row").to.equal(rewardAddress);
      expect(row(table, "plETH")[1], "plETH row").to.equal(formatPlEth(claimable));
      expect(row(table, "worth now")[1], "value row").to.equal(formatEth(receipt.value));
      expect(row(table, "transaction")[1], "tx row").to.equal(receipt.txHash);
    });

    it("refuses a second claim, and a claim before any report, naming the operator and sending nothing", async function () {
      const { protocol } = await networkHelpers.loadFixture(afterRewards);
      const claimer = (await ethers.getSigners())[CLAIMER]!;
      await claimOperatorFees(protocol, 2, claimer);
      const sent = await ethers.provider.getTransactionCount(claimer.address);
      await expectUserError(
        claimOperatorFees(protocol, 2, claimer),
        /^operator 2 \(Cirrus Validators\) has no fees to claim: nothing accrued since its last claim/,
      );
      expect(await ethers.provider.getTransactionCount(claimer.address), "nothing sent").to.equal(sent);

      const before = await networkHelpers.loadFixture(withValidators);
      await expectUserError(
        claimOperatorFees(before.protocol, 0, claimer),
        /^operator 0 \(Aurora Staking\) has no fees to claim/,
      );
    });

    it("refuses an operator that does not exist", async function () {
      const { protocol } = await networkHelpers.loadFixture(afterRewards);
      const claimer = (await ethers.getSigners())[CLAIMER]!;
      await expectUserError(
        claimOperatorFees(protocol, 4, claimer),
        /^operator 4 does not exist: the registry has ids 0 to 3$/,
      );
      const empty = await networkHelpers.loadFixture(deployPlural);
      await expectUserError(
        claimOperatorFees(empty.protocol, 0, claimer),
        /^operator 0 does not exist: the registry has no operator yet$/,
      );
    });
  });
});
