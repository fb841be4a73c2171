import { expect } from "chai";
import { network } from "hardhat";

import { type BeaconApiServer, startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient } from "../lib/beacon/client.js";
import { computeVoluntaryExitDomain, signVoluntaryExit } from "../lib/beacon/signing.js";
import { BeaconSimulator } from "../lib/beacon/simulator.js";
import { deriveValidatorKeys, mnemonicToSeed } from "../lib/keys/derivation.js";
import { formatLedger, readLedger } from "../lib/ledger.js";
import { runOracle } from "../lib/oracle/daemon.js";
import { nextReportableFrame, readFrame } from "../lib/oracle/frames.js";
import { deposit } from "../lib/pool.js";
import { claimWithdrawals, requestWithdrawal } from "../lib/withdrawals.js";
import { operatorMnemonic, oracleMembers, STAKED_ACCOUNTS, stakedFixture } from "./helpers/staked.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const ETH = 10n ** 18n;
const GWEI = 10n ** 9n;

/**
 * The whole life of a withdrawal on a local beacon chain, every wei accounted for at each step: deposits, staking,
 * rewards, a request larger than the buffer, the oracle's exit requests, the operators' signed voluntary exits through
 * the Beacon API, the exit and the withdrawal sweep into the vault, finalization and the claim.
 */
describe("lifecycle: deposit, stake, rewards, request, exit, sweep, finalize, claim", function () {
  let api: BeaconApiServer | undefined;
  const controller = new AbortController();
  after(async function () {
    controller.abort();
    await api?.close();
  });

  it("pays a withdrawal larger than the buffer with the ether of exited validators, losing no wei", async function () {
    const fixture = await networkHelpers.loadFixture(stakedFixture(connection));
    const { protocol, signers } = fixture;
    const { pool, withdrawalQueue: queue, operatorRegistry: registry } = protocol;
    const holder = signers[5]!;
    await deposit(pool, holder, 10n * ETH);

    const [config] = await protocol.accountingOracle.getFrameConfig();
    const simulator = await BeaconSimulator.create(connection.provider, {
      depositContract: protocol.addresses.depositContract,
      genesisTime: config.genesisTime,
      feeRecipient: protocol.addresses.executionRewardsVault,
      historyEpochs: 256,
    });
    api = await startBeaconApi(simulator);
    const beacon = new BeaconClient(api.url);

    /** Every wei: what came in (deposits, beacon rewards net of penalties, block rewards) is where it is now. */
    async function expectEveryWeiAccounted(step: string) {
      const ledger = await readLedger(protocol, simulator);
      expect(ledger.accountedFor, `${step}: ${formatLedger(ledger)}`).to.equal(ledger.cameIn);
      const { bufferedEther } = await pool.getAccounting();
      expect(ledger.pool, `${step}: the pool holds exactly its buffer`).to.equal(bufferedEther);
      const { lockedEther } = await queue.getQueueState();
      expect(ledger.queue, `${step}: the queue holds its locked ether`).to.equal(lockedEther);
    }

    async function reportFrame() {
      const frame = await readFrame(protocol.accountingOracle);
      const { reportableTime } = nextReportableFrame(frame);
      const now = BigInt(await networkHelpers.time.latest());
      if (reportableTime > now) await networkHelpers.time.increaseTo(reportableTime);
      await simulator.sync();
      const [outcome] = await runOracle({
        protocol,
        beacon,
        provider: ethers.provider,
        members: oracleMembers(fixture).slice(0, 2),
        pollMs: 20,
        maxBackoffMs: 100,
        frames: 1,
        signal: controller.signal,
      });
      expect(outcome?.processed, "the report was applied").to.equal(true);
      return outcome!;
    }

    // Activation, then SHARD_COMMITTEE_PERIOD (256 epochs on the mainnet preset) so validators may exit.
    await simulator.advance(265);
    await expectEveryWeiAccounted("staked and active");
    const first = await reportFrame();
    expect(first.built.report.beaconValidators, "8 validators seen").to.equal(8n);
    await expectEveryWeiAccounted("first report");

    // The staker asks for 50 ETH back: the buffer holds some 10 ETH.
    const staker = signers[STAKED_ACCOUNTS.depositor]!;
    const { requests } = await requestWithdrawal(protocol, staker, await pool.convertToShares(50n * ETH));
    const requestId = requests[0]!.id;
    const [atRequest] = await queue.getRequestStatus([requestId]);

    const second = await reportFrame();
    expect((await queue.getQueueState()).lastFinalizedId, "the buffer cannot pay it yet").to.equal(0n);
    const asked = second.built.exitPlan.requests;
    expect(asked.length, "two validators cover the 40 ETH shortfall").to.equal(2);
    expect(
      asked.map((request) => [request.operatorId, request.keyIndex]),
      "the oldest keys of the operators with the most validators",
    ).to.deep.equal([
      [0, 0],
      [1, 0],
    ]);
    await expectEveryWeiAccounted("exits requested");

    // The operators sign voluntary exits with their validators' keys and submit them through the Beacon API.
    const genesis = await beacon.genesis();
    const spec = await beacon.spec();
    const domain = computeVoluntaryExitDomain(spec.CAPELLA_FORK_VERSION!, genesis.genesisValidatorsRoot);
    const events = await registry.queryFilter(registry.filters.ValidatorExitRequested());
    for (const event of events) {
      const operatorId = Number(event.args.operatorId);
      const [keys] = deriveValidatorKeys(mnemonicToSeed(operatorMnemonic(operatorId)), Number(event.args.keyIndex), 1);
      expect(ethers.hexlify(keys!.publicKey), "the operator holds the requested key").to.equal(event.args.pubkey);
      const validator = await beacon.validator("head", event.args.pubkey);
      const headEpoch = await simulator.read((sim) => sim.headEpoch);
      await beacon.submitVoluntaryExit(
        signVoluntaryExit(keys!.signingKey, { epoch: headEpoch, validatorIndex: validator!.index }, domain),
      );
      expect((await beacon.validator("head", event.args.pubkey))!.status, "exiting").to.equal("active_exiting");
    }

    // Exit (MAX_SEED_LOOKAHEAD + 1 epochs), withdrawability (256 more) and the sweep into the withdrawal vault.
    await simulator.advance(265);
    const vaultBalance = await ethers.provider.getBalance(protocol.addresses.withdrawalVault);
    expect(vaultBalance > 64n * ETH, "both exited balances were swept into the vault").to.equal(true);
    await expectEveryWeiAccounted("validators exited and swept");

    // The next reports see the exits, then (once their reference slot is past the sweep) the vault's ether.
    let reports = 0;
    while ((await queue.getQueueState()).lastFinalizedId < requestId) {
      expect(++reports, "finalized within two more frames").to.be.at.most(2);
      const outcome = await reportFrame();
      expect(outcome.built.report.exitedValidators, "two exited").to.equal(2n);
      await expectEveryWeiAccounted(`report ${reports} after the exits`);
    }
    for (const operatorId of [0, 1]) {
      const exit = await registry.getExitState(operatorId);
      expect(exit.exitedKeys, `operator ${operatorId} exited one`).to.equal(1n);
      expect(exit.dueBy, `operator ${operatorId} owes nothing`).to.equal(0n);
      expect(exit.penalized, `operator ${operatorId} on time`).to.equal(false);
    }
    expect(await registry.activeValidators(), "six validators left").to.equal(6n);
    await expectEveryWeiAccounted("finalized");

    // Rewards since the request stay with the holders: the request pays its value when made.
    const before = await ethers.provider.getBalance(staker.address);
    const receipt = await claimWithdrawals(protocol, staker, [requestId]);
    expect(receipt.total, "the value at request, to the wei").to.equal(atRequest!.etherAtRequest);
    const tx = await ethers.provider.getTransactionReceipt(receipt.txHash);
    expect(await ethers.provider.getBalance(staker.address), "the staker received it, less gas").to.equal(
      before + receipt.total - tx!.gasUsed * tx!.gasPrice,
    );
    await expectEveryWeiAccounted("claimed");
    expect(
      (await queue.getQueueState()).lockedEther,
      "what the finalization locked beyond the claim is rounding dust",
    ).to.be.lessThan(10n);
    expect(
      await pool.convertToAssets(await pool.balanceOf(holder.address)),
      "the holder's 10 ETH earned rewards, net of fees, through every step",
    ).to.be.greaterThan(10n * ETH);
  });
});
