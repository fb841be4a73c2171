import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { type BeaconApiServer, startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient, type ValidatorInfo } from "../lib/beacon/client.js";
import { UserInputError } from "../lib/errors.js";
import { type FrameOutcome, runOracle } from "../lib/oracle/daemon.js";
import { readFrame } from "../lib/oracle/frames.js";
import {
  buildReport,
  ChainMismatchError,
  RefSlotNotFinalizedError,
  summarizeValidators,
} from "../lib/oracle/report.js";
import { executionWithdrawalCredentials } from "../lib/keys/depositData.js";
import { formatOracleStatus, readOracleStatus } from "../lib/oracle/status.js";
import { requestWithdrawal } from "../lib/withdrawals.js";
import {
  type BeaconWorld,
  nextFrameAfterActivation,
  runOracleFrame,
  startBeaconWorld,
  toNextReportableFrame,
} from "./helpers/dashboard.js";
import { freePort } from "./helpers/node.js";
import { expectUserError, timelockSigner } from "./helpers/protocol.js";
import { oracleMembers, STAKED_ACCOUNTS, type StakedFixture, stakedFixture } from "./helpers/staked.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployStaked = stakedFixture(connection);

const GWEI = 10n ** 9n;
const ONE_SHARE = 10n ** 18n;

interface World extends BeaconWorld {
  fixture: StakedFixture;
}

const opened: BeaconApiServer[] = [];
/** Daemons a test started: stopped after it, so a failed test's daemon cannot vote in the next test's chain. */
const running: AbortController[] = [];
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  running.push(controller);
  return controller.signal;
}

/** The staked deployment with a simulator on the oracle's clock (created after the fixture's snapshot is restored). */
async function world(options: { genesisTime?: bigint } = {}): Promise<World> {
  const fixture = await networkHelpers.loadFixture(deployStaked);
  const beaconWorld = await startBeaconWorld(connection, fixture.protocol, options);
  opened.push(beaconWorld.api);
  return { ...beaconWorld, fixture };
}

/**
 * A world whose validators may exit (SHARD_COMMITTEE_PERIOD, 256 epochs on the mainnet preset, has passed), whose
 * current frame is reported, and where the depositor then asks to withdraw `ether` worth of plETH; the chain is moved
 * to the next frame, whose reference slot is after the request.
 */
async function worldWithDemand(ether: bigint): Promise<World> {
  const w = await world();
  const { protocol, signers } = w.fixture;
  await w.simulator.advance(260);
  await toNextReportableFrame(w);
  await runMembers(w);
  await requestWithdrawal(protocol, signers[STAKED_ACCOUNTS.depositor]!, await protocol.pool.convertToShares(ether));
  await toNextReportableFrame(w);
  return w;
}

const shareRate = (w: World) => w.fixture.protocol.pool.convertToAssets(ONE_SHARE);

function runMembers(w: World, members = oracleMembers(w.fixture).slice(0, 2), extra: { log?: string[] } = {}) {
  return runOracleFrame(w, members, stopSignal(), extra.log);
}

describe("oracle daemon", function () {
  afterEach(async function () {
    for (const controller of running.splice(0)) controller.abort();
    for (const api of opened.splice(0)) await api.close();
  });

  describe("buildReport", function () {
    it("counts the pool's validators from the beacon state at the reference slot and the vaults at its block", async function () {
      const w = await world();
      const { protocol } = w.fixture;
      const refSlot = await toNextReportableFrame(w);
      const frame = await readFrame(protocol.accountingOracle);
      const built = await buildReport(protocol, w.beacon, ethers.provider, frame, refSlot);

      const state = await w.simulator.read((sim) => sim.stateAtSlot(refSlot));
      if (state.kind !== "found") throw new Error(`state at ${refSlot}: ${state.kind}`);
      const ours = state.state.validators.filter((v) => w.fixture.pubkeys.includes(v.pubkey));
      expect(ours.length, "every staked key is on the beacon chain").to.equal(w.fixture.validators);
      const balance = ours.reduce((sum, v) => sum + v.balance, 0n) * GWEI;

      expect(built.report.refSlot, "refSlot").to.equal(refSlot);
      expect(built.report.beaconValidators, "validators seen").to.equal(BigInt(w.fixture.validators));
      expect(built.report.beaconBalance, "their balance in wei").to.equal(balance);
      expect(built.report.beaconBalance, "rewards accrued since activation").to.be.greaterThan(
        32n * 10n ** 18n * BigInt(w.fixture.validators),
      );
      expect(built.report.exitedValidators, "none exited").to.equal(0n);
      expect(built.depositedKeys, "keys deposited").to.equal(w.fixture.validators);
      const block = built.reference.executionBlockNumber;
      expect(built.report.elRewardsVaultBalance, "the EL vault at the reference block").to.equal(
        await ethers.provider.getBalance(protocol.addresses.executionRewardsVault, block),
      );
      expect(built.report.withdrawalVaultBalance, "the withdrawal vault at the reference block").to.equal(
        await ethers.provider.getBalance(protocol.addresses.withdrawalVault, block),
      );
      const blockTime = BigInt((await ethers.provider.getBlock(block))!.timestamp);
      expect(blockTime, "the reference block is not after the reference slot").to.be.lessThan(
        frame.genesisTime + (refSlot + 1n) * frame.secondsPerSlot,
      );

      const again = await buildReport(protocol, w.beacon, ethers.provider, frame, refSlot);
      expect(again.hash, "the same inputs give the same report").to.equal(built.hash);
    });

    it("refuses a reference slot the beacon node has not finalized", async function () {
      const w = await world();
      const next = await nextFrameAfterActivation(w);
      // The chain moves on but the simulator does not follow: its finality stays behind.
      await networkHelpers.time.increaseTo(next.reportableTime);
      const frame = await readFrame(w.fixture.protocol.accountingOracle);
      try {
        await buildReport(w.fixture.protocol, w.beacon, ethers.provider, frame, next.refSlot);
        expect.fail("expected RefSlotNotFinalizedError");
      } catch (error) {
        expect(error, "the error type").to.be.instanceOf(RefSlotNotFinalizedError);
        expect((error as RefSlotNotFinalizedError).refSlot, "the slot").to.equal(next.refSlot);
      }
    });

    it("counts only keys with the pool's credentials; exited ones by exit epoch; balances in wei", function () {
      const ours = executionWithdrawalCredentials("0x00000000000000000000000000000000000000ab");
      expect(ours, "0x01 credentials of the vault").to.equal("0x01" + "00".repeat(30) + "ab");
      const foreign = "0x01" + "00".repeat(30) + "cd";
      const validator = fc.record({
        balanceGwei: fc.bigInt({ min: 0n, max: 2n ** 40n }),
        ours: fc.boolean(),
        exitEpoch: fc.bigInt({ min: 0n, max: 200n }),
        slashed: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(validator, { maxLength: 40 }), fc.bigInt({ min: 0n, max: 200n }), (drawn, refEpoch) => {
          const validators = drawn.map(
            (v, index) =>
              ({
                index,
                balanceGwei: v.balanceGwei,
                withdrawalCredentials: v.ours ? ours : foreign,
                exitEpoch: v.exitEpoch,
                slashed: v.slashed,
              }) as ValidatorInfo,
          );
          const summary = summarizeValidators(validators, ours, refEpoch);
          const mine = drawn.filter((v) => v.ours);
          expect(summary.beaconValidators, "seen").to.equal(BigInt(mine.length));
          expect(summary.foreign, "foreign").to.equal(drawn.length - mine.length);
          expect(summary.beaconBalance, "balance").to.equal(mine.reduce((sum, v) => sum + v.balanceGwei, 0n) * GWEI);
          expect(summary.exitedValidators, "exited").to.equal(
            BigInt(mine.filter((v) => v.exitEpoch <= refEpoch).length),
          );
          expect(summary.slashed, "slashed").to.equal(mine.filter((v) => v.slashed).length);
        }),
      );
    });
  });

  describe("runOracle", function () {
    it("votes for two members in one process: the quorum applies the report and the share rate grows", async function () {
      const w = await world();
      const { pool } = w.fixture.protocol;
      const refSlot = await toNextReportableFrame(w);
      const rateBefore = await shareRate(w);
      const log: string[] = [];
      const [outcome] = await runMembers(w, undefined, { log });

      expect(outcome!.refSlot, "the frame").to.equal(refSlot);
      expect(outcome!.processed, "applied").to.equal(true);
      expect(
        outcome!.votes.map((v) => v.outcome),
        "both voted",
      ).to.deep.equal(["voted", "voted"]);
      const accounting = await pool.getAccounting();
      expect(accounting.beaconValidators, "the pool saw every validator").to.equal(BigInt(w.fixture.validators));
      expect(accounting.beaconBalance, "the reported balance").to.equal(outcome!.built.report.beaconBalance);
      expect(await shareRate(w), "rewards raised the share rate").to.be.greaterThan(rateBefore);
      expect(await w.fixture.protocol.accountingOracle.lastProcessedRefSlot(), "processed").to.equal(refSlot);
      const frameLines = log.filter((line) => line.startsWith("frame "));
      expect(frameLines, "one line for the frame").to.have.length(1);
      expect(frameLines[0], "the line").to.match(/ref slot \d+ .*8\/8 validators seen.*applied/);
    });

    it("restarts without voting twice: a member that voted is read from the chain", async function () {
      const w = await world();
      const [first, second] = oracleMembers(w.fixture);
      await toNextReportableFrame(w);
      const [alone] = await runMembers(w, [first!]);
      expect(alone!.processed, "one vote is no quorum").to.equal(false);
      expect(alone!.support, "support").to.equal(1n);

      const sent = await ethers.provider.getTransactionCount(first!.address);
      const [restarted] = await runMembers(w, [first!, second!]);
      expect(
        restarted!.votes.map((v) => v.outcome),
        "outcomes",
      ).to.deep.equal(["alreadyVoted", "voted"]);
      expect(restarted!.processed, "the second vote applied it").to.equal(true);
      expect(await ethers.provider.getTransactionCount(first!.address), "the first member sent nothing").to.equal(sent);
    });

    it("gives a vote the gas to apply the report, should another member's vote land between its estimate and it", async function () {
      const w = await world();
      const [first, second] = oracleMembers(w.fixture);
      await toNextReportableFrame(w);
      const [alone] = await runMembers(w, [first!]);
      const [applying] = await runMembers(w, [second!]);
      expect(applying!.processed, "the second vote applied the report").to.equal(true);
      const [lone, quorum] = [alone!.votes[0]!, applying!.votes[0]!];
      if (lone.outcome !== "voted" || quorum.outcome !== "voted") throw new Error("both members should have voted");
      const { gasLimit } = (await ethers.provider.getTransaction(lone.transaction))!;
      expect(gasLimit, "the lone vote's gas covers an applying vote").to.be.at.least(quorum.gasUsed);
    });

    it("applies a report a quorum agreed on by hash only", async function () {
      const w = await world();
      const [first, second, third] = oracleMembers(w.fixture);
      const refSlot = await toNextReportableFrame(w);
      const frame = await readFrame(w.fixture.protocol.accountingOracle);
      const built = await buildReport(w.fixture.protocol, w.beacon, ethers.provider, frame, refSlot);
      const oracle = w.fixture.protocol.accountingOracle;
      await (await oracle.connect(first!).submitReportHash(refSlot, built.hash)).wait();
      await (await oracle.connect(second!).submitReportHash(refSlot, built.hash)).wait();

      const [outcome] = await runMembers(w, [third!]);
      expect(outcome!.votes[0]!.outcome, "the third member still votes").to.equal("voted");
      expect(outcome!.processed, "applied").to.equal(true);
    });

    it("waits while the beacon node is down, then reports", async function () {
      const w = await world();
      await toNextReportableFrame(w);
      await w.api.close();
      opened.splice(opened.indexOf(w.api), 1);
      const port = await freePort();
      const beacon = new BeaconClient(`http://127.0.0.1:${port}`);
      const log: string[] = [];
      const run = runOracle({
        protocol: w.fixture.protocol,
        beacon,
        provider: ethers.provider,
        members: oracleMembers(w.fixture).slice(0, 2),
        pollMs: 20,
        maxBackoffMs: 80,
        frames: 1,
        signal: stopSignal(),
        log: (line) => log.push(line),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        log.filter((line) => /unreachable/.test(line)),
        "said once that the node is down",
      ).to.have.length(1);
      opened.push(await startBeaconApi(w.simulator, { port }));
      const [outcome] = await run;
      expect(outcome!.processed, "reported once the node came back").to.equal(true);
    });

    it("refuses a loss above the bound until governance allows it, then applies it", async function () {
      const w = await world();
      const { protocol } = w.fixture;
      await toNextReportableFrame(w);
      await runMembers(w);
      const rateBefore = await shareRate(w);

      // 3 ETH off each of 8 validators: 24 ETH of 256, far above the 2 % bound.
      for (const pubkey of w.fixture.pubkeys) await w.simulator.penalize(pubkey, 3n * 10n ** 9n);
      const refSlot = await toNextReportableFrame(w);
      const log: string[] = [];
      const outcomes: FrameOutcome[] = [];
      const run = runOracle({
        protocol,
        beacon: w.beacon,
        provider: ethers.provider,
        members: oracleMembers(w.fixture).slice(0, 2),
        pollMs: 20,
        frames: 1,
        signal: stopSignal(),
        log: (line) => log.push(line),
        onFrame: (outcome) => outcomes.push(outcome),
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const refusals = log.filter((line) => /refused: LossAboveBound|refused: .*Loss/.test(line));
      expect(refusals, `the refusal is logged once (log: ${log.join(" | ")})`).to.have.length(1);
      expect(outcomes, "nothing settled yet").to.have.length(0);

      const timelock = await timelockSigner(connection, protocol);
      await (await protocol.accountingOracle.connect(timelock).allowLoss(30n * 10n ** 18n, refSlot)).wait();
      const [outcome] = await run;
      expect(outcome!.processed, "applied after allowLoss").to.equal(true);
      expect(await shareRate(w), "the loss lowered the share rate").to.be.lessThan(rateBefore);
    });

    it("reports a slashed validator: its balance drops and it counts as exited once its exit epoch passes", async function () {
      const w = await world();
      await toNextReportableFrame(w);
      await runMembers(w);
      const rateBefore = await shareRate(w);
      await w.simulator.slash(w.fixture.pubkeys[0]!);
      await toNextReportableFrame(w);
      const [outcome] = await runMembers(w);
      expect(
        outcome!.processed,
        `applied (${outcome!.votes.map((v) => (v.outcome === "refused" ? v.reason : v.outcome)).join(", ")})`,
      ).to.equal(true);
      expect(outcome!.built.slashedValidators, "slashed").to.equal(1);
      expect(outcome!.built.report.exitedValidators, "exited").to.equal(1n);
      expect((await w.fixture.protocol.pool.getAccounting()).exitedValidators, "the pool's exited count").to.equal(1n);
      expect(await shareRate(w), "a day's rewards do not cover the 1 ETH slashing penalty").to.be.lessThan(rateBefore);
    });

    it("asks operators to exit when the queue needs more than the pool holds, and sends the exit data after the report", async function () {
      const w = await worldWithDemand(70n * ONE_SHARE);
      const { protocol } = w.fixture;
      const [outcome] = await runMembers(w);
      expect(outcome!.processed, "applied").to.equal(true);
      const { exitPlan, exitData } = outcome!.built;
      // Four operators with two validators each: the first of operators 0, 1 and 2 cover 70 ETH less the vaults.
      expect(
        exitPlan.requests.map((request) => [request.operatorId, request.keyIndex]),
        "oldest key first, from the operators with the most validators left",
      ).to.deep.equal([
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
      expect(outcome!.built.report.exitDataHash, "the report names the first page").to.equal(exitData.hash);
      expect(outcome!.exitData, "the one page is in").to.include({ pages: 1, submitted: 1 });
      expect(outcome!.exitData.transactions.length, "sent by this process").to.equal(1);

      const registry = protocol.operatorRegistry;
      const events = await registry.queryFilter(registry.filters.ValidatorExitRequested());
      expect(
        events.map((event) => [Number(event.args.operatorId), Number(event.args.keyIndex), event.args.pubkey]),
        "one request per validator, with its key",
      ).to.deep.equal(exitPlan.requests.map((request) => [request.operatorId, request.keyIndex, request.pubkey]));
      const state = await registry.getExitState(0);
      expect(state.targetExited, "operator 0 owes one exit").to.equal(1n);
      expect(state.nextExitIndex, "its next request names key 1 or later").to.equal(1n);
      expect(state.dueBy, "due after the response time").to.equal(
        BigInt((await ethers.provider.getBlock(events[0]!.blockNumber))!.timestamp) +
          (await registry.exitResponseTime()),
      );
      const exitDataState = await protocol.accountingOracle.getExitDataState();
      expect(exitDataState.pending, "nothing more is due").to.equal(false);
      expect(exitDataState.pagesSubmitted, "pages").to.equal(1n);
    });

    it("sends the exit data still due of a report applied without it (a restart, another member's vote)", async function () {
      const w = await worldWithDemand(40n * ONE_SHARE);
      const { protocol } = w.fixture;
      const frame = await readFrame(protocol.accountingOracle);
      const built = await buildReport(protocol, w.beacon, ethers.provider, frame, frame.refSlot);
      expect(built.exitData.pages.length, "the report has exit data").to.equal(1);
      // Two members vote by hand: the report is applied, its exit data is not sent.
      for (const member of oracleMembers(w.fixture).slice(0, 2)) {
        await (await protocol.accountingOracle.connect(member).submitReport(built.report)).wait();
      }
      expect((await protocol.accountingOracle.getExitDataState()).pending, "pages due").to.equal(true);

      const log: string[] = [];
      const [outcome] = await runMembers(w, undefined, { log });
      expect(outcome!.votes, "no vote: the report was applied").to.deep.equal([]);
      expect(outcome!.exitData, "the page is in").to.include({ pages: 1, submitted: 1 });
      expect((await protocol.accountingOracle.getExitDataState()).pending, "nothing due").to.equal(false);
      expect(log.join("\n"), "the frame's line").to.match(
        /applied before this run; applied; exit data: .* 1\/1 page\(s\) in/,
      );
      const events = await protocol.operatorRegistry.queryFilter(
        protocol.operatorRegistry.filters.ValidatorExitRequested(),
      );
      expect(events.length, "the requests reached the registry").to.equal(built.exitPlan.requests.length);
    });

    it("names an operator that owes exits every frame, and the registry penalizes it once its deadline passes", async function () {
      const w = await worldWithDemand(20n * ONE_SHARE);
      const { protocol } = w.fixture;
      await runMembers(w);
      const registry = protocol.operatorRegistry;
      expect((await registry.getExitState(0)).targetExited, "operator 0 owes an exit").to.equal(1n);

      // Nobody exits. Five days later (four to respond), the frame's data names operator 0 again: it is late.
      await w.simulator.advance(5 * 225);
      await toNextReportableFrame(w);
      const [late] = await runMembers(w);
      expect(late!.processed, "applied").to.equal(true);
      expect(
        late!.built.exitPlan.updates.map((update) => update.operatorId),
        "operator 0 is named",
      ).to.include(0n);
      expect(late!.built.exitPlan.requests, "its owed exit counts as ether on the way: no new request").to.deep.equal(
        [],
      );
      const state = await registry.getExitState(0);
      expect(state.penalized, "penalized").to.equal(true);
      expect(await registry.claimableFees(0), "what it earned before stays claimable").to.be.greaterThan(0n);
    });

    it("oracle status shows each member's vote and the support for the current frame", async function () {
      const w = await world();
      const [first] = oracleMembers(w.fixture);
      const refSlot = await toNextReportableFrame(w);
      const [outcome] = await runMembers(w, [first!]);
      const status = await readOracleStatus(w.fixture.protocol.accountingOracle);
      expect(status.frame.refSlot, "frame").to.equal(refSlot);
      expect(status.consensus.support, "support").to.equal(1n);
      expect(status.consensus.processed, "not applied").to.equal(false);
      const vote = status.members.find((member) => member.address === first!.address)!;
      expect(vote.votedRefSlot, "voted for the frame").to.equal(refSlot);
      expect(vote.reportHash, "the report's hash").to.equal(outcome!.built.hash);
      const text = formatOracleStatus(status, "hardhat");
      expect(text, "the vote line").to.match(/no quorum yet: best support 1 of 2 needed/);
      expect(text, "the member's vote").to.include(outcome!.built.hash.slice(0, 18));
      expect(text, "bounds").to.match(/max reward rate\s+│\s+10\.00 % a year/);
    });

    it("refuses an account that is not a committee member", async function () {
      const w = await world();
      const stranger = w.fixture.signers[5]!;
      await expectUserError(runMembers(w, [stranger]), new RegExp(`${stranger.address} is not a member`));
    });

    it("refuses a beacon node on another clock", async function () {
      const w = await world({ genesisTime: BigInt(await networkHelpers.time.latest()) });
      try {
        await runMembers(w);
        expect.fail("expected ChainMismatchError");
      } catch (error) {
        expect(error, "a user error").to.be.instanceOf(UserInputError);
        expect(error, "the type").to.be.instanceOf(ChainMismatchError);
        expect((error as Error).message, "names the genesis time").to.match(/genesis time \d+ \(the oracle's is \d+\)/);
      }
    });
  });
});
