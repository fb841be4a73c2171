/**
 * Operator fees: the library's claim on the in-process chain, then `pool status`, `operators list` and
 * `operators claim-fees` as users run them, as child processes against a `hardhat node` on which the protocol earned
 * rewards through a real oracle report.
 */
import { rmSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { formatEth, formatPlEth } from "../lib/amounts.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT, readDeployment } from "../lib/deployment.js";
import { claimOperatorFees, formatFeeClaim, formatOperators, listOperators } from "../lib/operators.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import { aprFromReport, formatApr, getPoolStatus } from "../lib/status.js";
import { freePort, hardhat, type LocalNode, type Run, startNode } from "./helpers/node.js";
import { expectUserError, pluralFixture } from "./helpers/protocol.js";
import { OPERATOR_NAMES, ROLES, stakeOneValidatorPerOperator, submitBeaconReport } from "./helpers/rewards.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const DAY = 86_400n;
/** Anyone: not an operator's manager or reward address. */
const CLAIMER = 13;

/** The cells of every table line, trimmed; the line whose first cell is `label`. */
function row(table: string, label: string): string[] {
  const found = table
    .split("\n")
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .find((cells) => cells[0] === label);
  if (found === undefined) throw new Error(`no row "${label}" in\n${table}`);
  return found;
}

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

  describe("tasks on a local node", function () {
    this.timeout(600_000);

    let node: LocalNode | undefined;
    let local: NetworkConnection | undefined;
    let env: NodeJS.ProcessEnv;
    let deploymentId: string;
    let protocol: Protocol;

    const task = (args: string[]) => hardhat(["--network", "localhost", ...args], env);

    function expectSuccess(run: Run, label: string): void {
      expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(0);
    }

    /** A refusal as users should see it: exit code 1, exactly one `Error:` line, no stack trace. */
    function expectRefusal(run: Run, label: string, pattern: RegExp): void {
      expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(1);
      const errorLines = run.stderr.split("\n").filter((line) => line.startsWith("Error:"));
      expect(errorLines, `${label}: one Error: line\n${run.stderr}`).to.have.length(1);
      expect(run.stderr, `${label}: no stack trace`).not.to.match(/^\s+at /m);
      expect(run.stderr, `${label}: names the problem`).to.match(pattern);
    }

    before(async function () {
      const port = await freePort();
      deploymentId = `operator-fees-${process.pid}-${Date.now()}`;
      env = { ...process.env, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
      node = await startNode(port, env);
      // The setup runs in this process, over HTTP: the same deployment record the tasks then read.
      local = await network.create({ network: "localhost", override: { url: node.url } });
      await deployLocalProtocol(local, { deploymentId });
      protocol = await connectProtocol(local.ethers, readDeployment("localhost", deploymentId));
      expect(protocol.addresses.deployedAtBlock, "the record names the deployment's block").to.be.above(0);
      await stakeOneValidatorPerOperator(local, protocol);
    });

    after(async function () {
      await local?.close();
      await node?.stop();
      rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    });

    it("pool status shows the fees and no report yet; claim-fees refuses: nothing to claim", async function () {
      const [status, claim] = await Promise.all([
        task(["pool", "status"]),
        task(["operators", "claim-fees", "0", "--from", String(CLAIMER)]),
      ]);
      expectSuccess(status, "pool status");
      expect(row(status.stdout, "treasury fee"), "treasury fee").to.deep.equal(["treasury fee", "5.00 % of rewards"]);
      expect(row(status.stdout, "operator fee"), "operator fee").to.deep.equal(["operator fee", "5.00 % of rewards"]);
      expect(row(status.stdout, "last report"), "last report").to.deep.equal(["last report", "no report yet"]);
      expect(row(status.stdout, "APR"), "APR").to.deep.equal(["APR", "no report yet"]);
      expectRefusal(claim, "claim before a report", /^Error: operator 0 \(Aurora Staking\) has no fees to claim: /m);
    });

    it("pool status shows the report's APR and the fees minted; operators list what each can claim", async function () {
      const rewards = await submitBeaconReport(local!, protocol, 500n, 3n * DAY);
      const [status, list] = await Promise.all([task(["pool", "status"]), task(["operators", "list"])]);
      expectSuccess(status, "pool status");
      expectSuccess(list, "operators list");

      const [applied] = await protocol.pool.queryFilter(protocol.pool.filters.ReportApplied());
      const apr = aprFromReport(applied!.args)!;
      expect(formatApr(apr), "about 4.50 %").to.equal("4.50 %");
      expect(row(status.stdout, "last report")[1], "last report").to.equal(
        `ref slot ${rewards.report.refSlot}, block ${applied!.blockNumber}`,
      );
      expect(row(status.stdout, "APR, last report")[1], "APR").to.equal("4.50 %");
      expect(row(status.stdout, "APR, last 7 reports")[1], "average").to.match(/^4\.50 % \(1 report over /);
      const expected = await getPoolStatus(protocol.pool, local!.ethers.provider);
      const minted = expected.feesMinted.treasuryShares + expected.feesMinted.operatorShares;
      expect(minted, "fees minted").to.be.above(0n);
      expect(row(status.stdout, "fees minted so far")[1], "fees minted").to.equal(
        `${formatPlEth(minted)} (${formatEth(expected.feesMinted.value)} now)`,
      );

      const claimable = await protocol.operatorRegistry.claimableFees(0);
      expect(claimable, "operator 0 earned").to.be.above(0n);
      expect(row(list.stdout, `0 ${OPERATOR_NAMES[0]}`).at(-1), "fees claimable column").to.equal(
        formatPlEth(claimable, 6),
      );
    });

    it("claim-fees sends operator 0's plETH to its reward address, then refuses a second claim", async function () {
      const { pool, operatorRegistry: registry } = protocol;
      const signers = await local!.ethers.getSigners();
      const rewardAddress = signers[ROLES.rewardAddresses[0]!]!.address;
      const claimable = await registry.claimableFees(0);
      const before = await pool.balanceOf(rewardAddress);

      const claim = await task(["operators", "claim-fees", "0", "--from", String(CLAIMER)]);
      expectSuccess(claim, "claim-fees");
      expect(claim.stdout, "title").to.include("Claimed the fees of operator 0 on localhost");
      expect(row(claim.stdout, "operator")[1], "operator").to.equal(`0 ${OPERATOR_NAMES[0]}`);
      expect(row(claim.stdout, "sent to (reward address)")[1], "reward address").to.equal(rewardAddress);
      expect(row(claim.stdout, "claimed by")[1], "claimed by").to.equal(signers[CLAIMER]!.address);
      expect(row(claim.stdout, "plETH")[1], "plETH").to.equal(formatPlEth(claimable));
      expect(row(claim.stdout, "worth now")[1], "value").to.equal(formatEth(await pool.convertToAssets(claimable)));
      expect(row(claim.stdout, "transaction")[1], "tx").to.match(/^0x[0-9a-f]{64}$/);
      expect(await pool.balanceOf(rewardAddress), "reward address received the plETH").to.equal(before + claimable);
      expect(await registry.claimableFees(0), "nothing left").to.equal(0n);

      const sent = await local!.ethers.provider.getTransactionCount(signers[CLAIMER]!.address);
      const [again, unknown, malformed] = await Promise.all([
        task(["operators", "claim-fees", "0", "--from", String(CLAIMER)]),
        task(["operators", "claim-fees", "4"]),
        task(["operators", "claim-fees", "first"]),
      ]);
      expectRefusal(
        again,
        "second claim",
        /^Error: operator 0 \(Aurora Staking\) has no fees to claim: nothing accrued since its last claim/m,
      );
      expectRefusal(
        unknown,
        "unknown operator",
        /^Error: operator id 4 is not an operator: the registry has ids 0 to 3$/m,
      );
      expectRefusal(
        malformed,
        "malformed id",
        /^Error: operator id "first" is not an operator id: expected a whole number from 0$/m,
      );
      expect(
        await local!.ethers.provider.getTransactionCount(signers[CLAIMER]!.address),
        "the refusals sent nothing",
      ).to.equal(sent);
    });
  });
});
