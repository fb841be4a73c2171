/**
 * Withdrawals through the library on the in-process chain: requests (with a permit, split above the maximum), oracle
 * reports that finalize them, listing, claims and their refusals, and the queue's status. The same functions serve
 * the `withdrawals` tasks, whose command-line runs are in stakingTasks.test.ts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseEther } from "ethers";
import { network } from "hardhat";

import { formatEth } from "../lib/amounts.js";
import { lastRequestMadeBy } from "../lib/oracle/report.js";
import { committedKeys, readCommittedBatches } from "../lib/operators.js";
import {
  claimWithdrawals,
  findHints,
  formatQueueStatus,
  formatRequestList,
  getQueueStatus,
  listWithdrawalRequests,
  MAX_REQUEST,
  MIN_REQUEST,
  requestWithdrawal,
  splitRequestAmount,
} from "../lib/withdrawals.js";
import { expectUserError, pluralFixture } from "./helpers/protocol.js";
import { stakeOneValidatorPerOperator, submitBeaconReport } from "./helpers/rewards.js";
import { row } from "./helpers/table.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const DAY = 86_400n;

/** Four validators staked, and Alice holding 10 ETH of plETH beside the buffer. */
/** The pubkey of operator 0's first (deposited) key, from its committed batches. */
async function firstDepositedKey(protocol: Awaited<ReturnType<typeof deployPlural>>["protocol"]): Promise<string[]> {
  const batches = await readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock);
  return committedKeys(batches)
    .filter((key) => key.operatorId === 0 && key.index === 0)
    .map((key) => key.pubkey);
}

async function withHolders() {
  const fixture = await networkHelpers.loadFixture(deployPlural);
  await stakeOneValidatorPerOperator(connection, fixture.protocol);
  await (
    await fixture.protocol.pool.connect(fixture.accounts.alice).deposit(ethers.ZeroAddress, { value: parseEther("10") })
  ).wait();
  return fixture;
}

/** Alice requested 4 plETH (one request, with a permit), then a report with rewards finalized it. */
async function afterFinalization() {
  const fixture = await networkHelpers.loadFixture(withHolders);
  const { protocol, accounts } = fixture;
  const receipt = await requestWithdrawal(protocol, accounts.alice, parseEther("4"));
  await submitBeaconReport(connection, protocol, 500n, DAY);
  return { ...fixture, requestId: receipt.requests[0]!.id, etherAtRequest: receipt.requests[0]!.etherValue };
}

describe("withdrawals library", function () {
  describe("splitRequestAmount", function () {
    it("splits into the fewest parts under the maximum, as even as possible, adding up", function () {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: 10n ** 24n }),
          fc.integer({ min: 1, max: 500 }),
          fc.bigInt({ min: 0n, max: 10n ** 24n }),
          (max, count, seed) => {
            const shares = max * BigInt(count - 1) + 1n + (seed % max);
            const parts = splitRequestAmount(shares, max);
            expect(
              parts.reduce((a, b) => a + b, 0n),
              "sum",
            ).to.equal(shares);
            expect(parts.length, "fewest parts").to.equal(count);
            for (const part of parts) expect(part <= max && part > 0n, "within the maximum").to.equal(true);
            expect(parts[0]! - parts[parts.length - 1]! <= 1n, "even").to.equal(true);
          },
        ),
      );
    });
  });

  describe("requestWithdrawal", function () {
    it("signs a permit so approval and request are one transaction, and the NFT goes to the owner", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      const nonce = await ethers.provider.getTransactionCount(accounts.alice.address);
      const value = await protocol.pool.convertToAssets(parseEther("2"));
      const receipt = await requestWithdrawal(protocol, accounts.alice, parseEther("2"), {
        owner: accounts.bob.address,
      });
      expect(receipt.usedPermit, "a permit").to.equal(true);
      expect(await ethers.provider.getTransactionCount(accounts.alice.address), "one transaction").to.equal(nonce + 1);
      expect(receipt.requests, "one request").to.deep.equal([
        { id: 1n, owner: accounts.bob.address, shares: parseEther("2"), etherValue: value },
      ]);
      expect(await protocol.withdrawalQueue.ownerOf(1n), "the owner's NFT").to.equal(accounts.bob.address);
      expect(await protocol.pool.balanceOf(await protocol.withdrawalQueue.getAddress()), "plETH locked").to.equal(
        parseEther("2"),
      );
    });

    it("approves in a separate transaction with usePermit false, and needs no approval the second time", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      const first = await requestWithdrawal(protocol, accounts.alice, parseEther("1"), { usePermit: false });
      expect(first.usedPermit, "no permit").to.equal(false);
      const nonce = await ethers.provider.getTransactionCount(accounts.alice.address);
      const second = await requestWithdrawal(protocol, accounts.alice, parseEther("1"));
      expect(second.usedPermit, "the allowance suffices").to.equal(false);
      expect(await ethers.provider.getTransactionCount(accounts.alice.address), "one transaction").to.equal(nonce + 1);
      expect(
        second.requests.map((request) => request.id),
        "the next id",
      ).to.deep.equal([2n]);
    });

    it("splits a withdrawal above the maximum into requests of at most 1,000 ETH", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      await (
        await protocol.pool.connect(accounts.carol).deposit(ethers.ZeroAddress, { value: parseEther("2500") })
      ).wait();
      const shares = await protocol.pool.balanceOf(accounts.carol.address);
      const receipt = await requestWithdrawal(protocol, accounts.carol, shares);
      expect(receipt.requests.length, "three requests").to.equal(3);
      expect(
        receipt.requests.reduce((sum, request) => sum + request.shares, 0n),
        "all of it",
      ).to.equal(shares);
      for (const request of receipt.requests)
        expect(request.etherValue <= MAX_REQUEST, "at most the maximum").to.equal(true);
    });

    it("refuses more than the balance and less than the minimum, sending nothing", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      const nonce = await ethers.provider.getTransactionCount(accounts.alice.address);
      await expectUserError(
        requestWithdrawal(protocol, accounts.alice, parseEther("11")),
        /holds 10(\.\d+)? plETH, less than the 11 plETH to withdraw/,
      );
      await expectUserError(
        requestWithdrawal(protocol, accounts.alice, MIN_REQUEST / 2n),
        new RegExp(`must be worth at least ${formatEth(MIN_REQUEST).replace(".", "\\.")}`),
      );
      await expectUserError(requestWithdrawal(protocol, accounts.alice, 0n), /more than 0 plETH/);
      expect(await ethers.provider.getTransactionCount(accounts.alice.address), "nothing sent").to.equal(nonce);
    });
  });

  describe("finalization and claims", function () {
    it("a report finalizes the request at its value when made (the rate rose); the claim pays exactly that", async function () {
      const { protocol, accounts, requestId, etherAtRequest } = await networkHelpers.loadFixture(afterFinalization);
      const [request] = await listWithdrawalRequests(protocol, accounts.alice.address);
      expect(request?.status, "finalized").to.equal("finalized");
      expect(request?.claimable, "the value at request: rewards after it stay with the holders").to.equal(
        etherAtRequest,
      );
      const before = await ethers.provider.getBalance(accounts.carol.address);
      const receipt = await claimWithdrawals(protocol, accounts.alice, [requestId], accounts.carol.address);
      expect(receipt.total, "paid").to.equal(etherAtRequest);
      expect(await ethers.provider.getBalance(accounts.carol.address), "the receiver got it").to.equal(
        before + etherAtRequest,
      );
      const [claimed] = await listWithdrawalRequests(protocol, accounts.alice.address);
      expect(claimed?.status, "claimed").to.equal("claimed");
      expect(claimed?.claimedAmount, "what it paid").to.equal(etherAtRequest);
      expect(claimed?.receiver, "to whom").to.equal(accounts.carol.address);
    });

    it("refuses unknown, foreign, pending and claimed requests, naming each, and sends nothing", async function () {
      const { protocol, accounts, requestId } = await networkHelpers.loadFixture(afterFinalization);
      await requestWithdrawal(protocol, accounts.alice, parseEther("1"));
      const nonce = await ethers.provider.getTransactionCount(accounts.alice.address);
      await expectUserError(
        claimWithdrawals(protocol, accounts.alice, [9n]),
        /no request 9: request ids run from 1 to 2/,
      );
      await expectUserError(claimWithdrawals(protocol, accounts.alice, [2n]), /request 2 is not finalized yet/);
      await expectUserError(
        claimWithdrawals(protocol, accounts.bob, [requestId]),
        new RegExp(`request 1 belongs to ${accounts.alice.address}, not ${accounts.bob.address}`),
      );
      await expectUserError(claimWithdrawals(protocol, accounts.alice, []), /no request to claim/);
      await expectUserError(claimWithdrawals(protocol, accounts.alice, [1n, 1n]), /named twice/);
      expect(await ethers.provider.getTransactionCount(accounts.alice.address), "nothing sent").to.equal(nonce);
      await claimWithdrawals(protocol, accounts.alice, [requestId]);
      await expectUserError(claimWithdrawals(protocol, accounts.alice, [requestId]), /request 1 was already claimed/);
    });

    it("a request made after the reference slot waits for the next report", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      await requestWithdrawal(protocol, accounts.alice, parseEther("1"));
      // The next report's reference slot is behind the chain's clock once the frame is reportable: move there first,
      // then request, so the second request is after the reference slot.
      await networkHelpers.time.increase(DAY);
      await submitBeaconReport(connection, protocol, 0n);
      const lastRefSlot = await protocol.accountingOracle.lastProcessedRefSlot();
      const state = await protocol.withdrawalQueue.getQueueState();
      expect(state.lastFinalizedId, "the first request is finalized").to.equal(1n);
      await requestWithdrawal(protocol, accounts.alice, parseEther("1"));
      const [config] = await protocol.accountingOracle.getFrameConfig();
      const refTime = config.genesisTime + lastRefSlot * config.secondsPerSlot;
      expect(
        await lastRequestMadeBy(protocol.withdrawalQueue, refTime, "latest"),
        "not by the last reference slot",
      ).to.equal(1n);
      await submitBeaconReport(connection, protocol, 0n, DAY);
      expect((await protocol.withdrawalQueue.getQueueState()).lastFinalizedId, "finalized by the next").to.equal(2n);
      expect(await findHints(protocol.withdrawalQueue, [2n, 1n]), "hints in the order asked").to.deep.equal([2n, 1n]);
    });

    it("a loss between request and finalization discounts the request to the post-report rate", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      const { requests } = await requestWithdrawal(protocol, accounts.alice, parseEther("3"));
      // -50 % a year over a day: a slashing-sized loss within the 2 % bound.
      await submitBeaconReport(connection, protocol, -5_000n, DAY);
      const checkpoint = await protocol.withdrawalQueue.getCheckpoint(1n);
      const atRate = (parseEther("3") * checkpoint.rate) / 10n ** 27n;
      expect(atRate < requests[0]!.etherValue, "the rate fell").to.equal(true);
      const [request] = await listWithdrawalRequests(protocol);
      expect(request?.claimable, "min(value at request, value at the post-report rate)").to.equal(atRate);
    });
  });

  describe("getQueueStatus", function () {
    it("shows demand, locked ether and the expected wait, and counts validators to exit for a shortfall", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(withHolders);
      const empty = await getQueueStatus(protocol, ethers.provider);
      expect(empty.unfinalizedEther, "no demand").to.equal(0n);
      expect(empty.validatorsToExit, "no exit").to.equal(0n);

      await (
        await protocol.pool.connect(accounts.carol).deposit(ethers.ZeroAddress, { value: parseEther("100") })
      ).wait();
      const { requests } = await requestWithdrawal(protocol, accounts.carol, parseEther("100"));
      await requestWithdrawal(protocol, accounts.alice, parseEther("1"));
      // 101 ETH of demand against the buffer: the pool's initial deposit, Alice's 10 and Carol's 100 ETH.
      const status = await getQueueStatus(protocol, ethers.provider);
      const demand =
        requests[0]!.etherValue + (await protocol.withdrawalQueue.getRequestStatus([2n]))[0]!.etherAtRequest;
      expect(status.unfinalizedEther, "demand").to.equal(demand);
      expect(status.pendingRequests, "pending").to.equal(2n);
      expect(status.shortfall, "the buffer covers it").to.equal(0n);
      expect(status.expectedWait > 0n && status.expectedWait <= 2n * DAY, "the next frame's report").to.equal(true);
      const table = formatQueueStatus(status, "hardhat");
      expect(row(table, "unfinalized demand"), "demand row").to.deep.equal(["unfinalized demand", formatEth(demand)]);
      expect(row(table, "pending requests"), "pending row").to.deep.equal(["pending requests", "2"]);

      // The depositor's plETH backs the four staked validators: its request is more than the buffer can pay.
      const staked = await requestWithdrawal(protocol, accounts.deployer, parseEther("100"));
      const short = await getQueueStatus(protocol, ethers.provider);
      const available = short.bufferedEther + short.vaultEther;
      expect(short.shortfall, "demand beyond the buffer and vaults").to.equal(
        demand + staked.requests[0]!.etherValue - available,
      );
      expect(short.validatorsToExit, "32 ETH each, rounded up").to.equal(
        (short.shortfall + parseEther("32") - 1n) / parseEther("32"),
      );
      expect(short.expectedWait > status.expectedWait + 261n * 32n * 12n, "plus the exit and withdrawability").to.equal(
        true,
      );
      const accounting = await protocol.pool.getAccounting();
      expect(accounting.withdrawalReserve, "everything buffered is reserved").to.equal(accounting.bufferedEther);

      // The committee asks operator 0 to exit its validator: its 32 ETH is on its way, the shortfall shrinks.
      const oracle = protocol.addresses.accountingOracle;
      await networkHelpers.impersonateAccount(oracle);
      await networkHelpers.setBalance(oracle, parseEther("1"));
      const [pubkey] = await firstDepositedKey(protocol);
      await (
        await protocol.operatorRegistry
          .connect(await ethers.getSigner(oracle))
          .applyExitUpdates([{ operatorId: 0n, exitedKeys: 0n, keyIndices: [0n], pubkeys: pubkey! }])
      ).wait();
      const owed = await getQueueStatus(protocol, ethers.provider);
      expect(owed.exitsOwed, "one exit owed").to.equal(1n);
      expect(owed.shortfall, "32 ETH less").to.equal(short.shortfall - parseEther("32"));
      expect(
        row(formatQueueStatus(owed, "hardhat"), "exits owed by operators (32 ETH each on its way)")[1],
        "row",
      ).to.equal("1");
    });

    it("lists requests as a table", async function () {
      const { protocol, accounts } = await networkHelpers.loadFixture(afterFinalization);
      const table = formatRequestList(await listWithdrawalRequests(protocol), "requests");
      const cells = row(table, "1");
      expect(cells[1], "owner").to.equal(accounts.alice.address);
      expect(cells[5], "status").to.equal("finalized");
    });
  });
});
