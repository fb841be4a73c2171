/**
 * EIP-7002 end to end on a local chain: our request contract installed at the predeploy's address, governance forcing
 * exits through the withdrawal vault, and the beacon simulator running the end-of-block system call and Electra's
 * rules on what it dequeues. Validators: the staked fixture's 8 (withdrawal vault credentials), plus 2 deposited
 * directly with an account's own 0x01 credentials (so that account can send its own requests) and 1 with 0x00
 * credentials. No consensus rewards, so every withdrawal is an exit's whole balance.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { concat, hexlify, keccak256, parseEther, toBeHex } from "ethers";
import { network } from "hardhat";

import { minimal } from "../lib/beacon/preset.js";
import {
  BeaconSimulator,
  type SimulatorEvent,
  type SyncReport,
  type WithdrawalRequestOutcome,
} from "../lib/beacon/simulator.js";
import {
  applyDeposit,
  createState,
  processEpoch,
  processWithdrawalRequest,
  validatorStatus,
} from "../lib/beacon/state.js";
import {
  decodeWithdrawalRequestLog,
  decodeWithdrawalRequests,
  encodeWithdrawalRequest,
  EXCESS_INHIBITOR,
  fakeExponential,
  installWithdrawalRequestPredeploy,
  MalformedWithdrawalRequestError,
  nextExcess,
  readWithdrawalRequestFee,
  readWithdrawalRequestState,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
  withdrawalRequestFee,
  WithdrawalRequestFeeUnavailableError,
  withdrawalRequestPredeployCode,
  WithdrawalRequestPredeployMissingError,
} from "../lib/eip7002.js";
import {
  blsWithdrawalCredentials,
  createDepositSigner,
  executionWithdrawalCredentials,
} from "../lib/keys/depositData.js";
import { deriveValidatorKeys } from "../lib/keys/derivation.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import type { BeaconDepositMock } from "../typechain-types/index.js";
import { timelockSigner } from "./helpers/protocol.js";
import { type StakedFixture, stakedFixture } from "./helpers/staked.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployStaked = stakedFixture(connection);

const GWEI = 10n ** 9n;
/** An account the staked fixture leaves alone: the credentials address of the directly deposited validators. */
const OWNER = 19;
/** Keys of the directly deposited validators: 0 and 1 withdraw to OWNER, 2 has 0x00 credentials. */
const KEYS = deriveValidatorKeys(new Uint8Array(32).fill(42), 0, 3);
const signDeposit = createDepositSigner({ network: BEACON_NETWORKS.local });
const ownPubkey = (i: number) => hexlify(KEYS[i]!.publicKey);
/** A 48-byte key no validator has. */
const unknownPubkey = (i: number) => concat([keccak256(toBeHex(i, 32)), keccak256(toBeHex(i + 1000, 32)).slice(0, 34)]);

interface World {
  fixture: StakedFixture;
  simulator: BeaconSimulator;
  events: SimulatorEvent[];
  timelock: HardhatEthersSigner;
  owner: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  vault: string;
}

/** The staked deployment, the request contract installed, the direct deposits made and a simulator on the chain. */
async function world(): Promise<World> {
  const fixture = await networkHelpers.loadFixture(deployStaked);
  const { protocol, signers } = fixture;
  expect(await installWithdrawalRequestPredeploy(connection.provider), "installed").to.equal(true);
  const owner = signers[OWNER]!;
  const mock = (await ethers.getContractAt(
    "BeaconDepositMock",
    protocol.addresses.depositContract,
  )) as unknown as BeaconDepositMock;
  const credentials = [
    executionWithdrawalCredentials(owner.address),
    executionWithdrawalCredentials(owner.address),
    blsWithdrawalCredentials(KEYS[2]!.withdrawalKey.toPublicKey().toBytes()),
  ];
  for (const [i, wc] of credentials.entries()) {
    const entry = signDeposit(KEYS[i]!.signingKey, wc);
    const [pubkey, signature, root] = [entry.pubkey, entry.signature, entry.deposit_data_root].map((h) => `0x${h}`);
    await (await mock.connect(owner).deposit(pubkey!, wc, signature!, root!, { value: parseEther("32") })).wait();
  }
  const events: SimulatorEvent[] = [];
  const simulator = await BeaconSimulator.create(connection.provider, {
    depositContract: protocol.addresses.depositContract,
    preset: "minimal",
    rewardRateBps: 0,
    onEvent: (event) => events.push(event),
  });
  return {
    fixture,
    simulator,
    events,
    timelock: await timelockSigner(connection, protocol),
    owner,
    stranger: fixture.accounts.stranger,
    vault: protocol.addresses.withdrawalVault,
  };
}

/** Advances epoch by epoch until every validator with 0x01 or 0x00 credentials is active. */
async function activateAll(simulator: BeaconSimulator): Promise<void> {
  for (let round = 0; round < 30; round++) {
    const state = simulator.headState();
    if (state.validators.every((_, i) => validatorStatus(state, i) === "active_ongoing")) return;
    await simulator.advance(1);
  }
  throw new Error("validators did not activate");
}

/** Activates everyone and waits out SHARD_COMMITTEE_PERIOD, after which exits are allowed. */
async function matureAll(simulator: BeaconSimulator): Promise<void> {
  await activateAll(simulator);
  await simulator.advance(Number(minimal.SHARD_COMMITTEE_PERIOD));
}

/** Governance's forced exit: the timelock calls the vault with the current fee as its cap and exactly the value. */
async function forceExits({ fixture, timelock }: World, pubkeys: string[]) {
  const fee = await readWithdrawalRequestFee(connection.provider);
  const vault = fixture.protocol.withdrawalVault.connect(timelock);
  const tx = await vault.forceExits(concat(pubkeys), fee, { value: fee * BigInt(pubkeys.length) });
  return { tx, fee, receipt: await tx.wait() };
}

/** A request sent straight to the contract by `from`, paying the current fee. */
async function request(from: HardhatEthersSigner, pubkey: string, amountGwei = 0n): Promise<void> {
  const fee = await readWithdrawalRequestFee(connection.provider);
  const data = encodeWithdrawalRequest(pubkey, amountGwei);
  await (await from.sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data, value: fee })).wait();
}

const outcomesOf = (report: SyncReport): WithdrawalRequestOutcome[] => report.payment?.withdrawalRequests ?? [];
const indexOf = (simulator: BeaconSimulator, pubkey: string) =>
  simulator.headState().indexByPubkey.get(pubkey.toLowerCase())!;

describe("EIP-7002 forced exits", function () {
  describe("installWithdrawalRequestPredeploy", function () {
    it("installs our contract only where there is none, unreadable until the simulator's first system call", async function () {
      const fixture = await networkHelpers.loadFixture(deployStaked);
      const { provider } = connection;
      await expect(readWithdrawalRequestFee(provider), "no contract yet").to.be.rejectedWith(
        WithdrawalRequestPredeployMissingError,
      );
      expect(await installWithdrawalRequestPredeploy(provider), "first install").to.equal(true);
      expect(await installWithdrawalRequestPredeploy(provider), "second install").to.equal(false);
      expect(await ethers.provider.getCode(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS), "runtime code").to.equal(
        withdrawalRequestPredeployCode(),
      );
      expect(await readWithdrawalRequestState(provider), "as deployed").to.deep.equal({
        excess: EXCESS_INHIBITOR,
        count: 0n,
        head: 0n,
        tail: 0n,
      });
      await expect(readWithdrawalRequestFee(provider), "inhibited").to.be.rejectedWith(
        WithdrawalRequestFeeUnavailableError,
      );
      const timelock = await timelockSigner(connection, fixture.protocol);
      const vault = fixture.protocol.withdrawalVault;
      await expect(vault.connect(timelock).forceExits(unknownPubkey(0), 1n, { value: 1n }), "vault: inhibited")
        .to.be.revertedWithCustomError(vault, "ExitRequestFeeReadFailed")
        .withArgs("0x");

      const simulator = await BeaconSimulator.create(provider, {
        depositContract: fixture.protocol.addresses.depositContract,
        preset: "minimal",
      });
      expect(simulator.status().paymentBlocks, "the first sync ran the system call").to.equal(1);
      expect((await readWithdrawalRequestState(provider)).excess, "excess").to.equal(0n);
      expect(await readWithdrawalRequestFee(provider), "fee").to.equal(1n);
      const head = await ethers.provider.getBlockNumber();
      const report = await simulator.sync();
      expect(report.payment, "nothing due: no payment").to.equal(undefined);
      expect(await ethers.provider.getBlockNumber(), "no block mined").to.equal(head);
      expect(simulator.status().withdrawalRequests.predeploy, "predeploy seen").to.equal(true);
    });
  });

  describe("forceExits through the vault", function () {
    it("exits the validator at the fee of the on-chain curve, and the sweep brings its balance to the vault", async function () {
      const w = await world();
      const { simulator, vault } = w;
      await matureAll(simulator);
      const pubkey = w.fixture.pubkeys[3]!;
      const index = indexOf(simulator, pubkey);

      const state = await readWithdrawalRequestState(connection.provider);
      const { tx, fee } = await forceExits(w, [pubkey]);
      expect(fee, "the fee the contract answers").to.equal(withdrawalRequestFee(state.excess));
      expect(fee, "at zero excess").to.equal(1n);
      const contract = w.fixture.protocol.withdrawalVault;
      await expect(tx, "per request").to.emit(contract, "ExitRequested").withArgs(pubkey, fee);
      await expect(tx, "summary").to.emit(contract, "ExitsForced").withArgs(1n, fee, 0n, 0n);

      const report = await simulator.sync();
      expect(
        report.withdrawalRequestsQueued.map((r) => [r.sourceAddress, r.pubkey, r.amountGwei]),
        "logged",
      ).to.deep.equal([[vault, pubkey, 0n]]);
      const [outcome, ...others] = outcomesOf(report);
      expect(others, "one request dequeued").to.deep.equal([]);
      expect(outcome, "applied").to.deep.include({
        result: "exited",
        validatorIndex: index,
        sourceAddress: vault,
        pubkey,
        epoch: simulator.headEpoch,
      });
      const validator = simulator.headState().validators[index]!;
      expect(outcome!.exitEpoch, "exit epoch").to.equal(validator.exitEpoch);
      expect(validator.exitEpoch, "exit queued past the seed lookahead").to.be.greaterThan(simulator.headEpoch);
      expect(validatorStatus(simulator.headState(), index), "status").to.equal("active_exiting");
      expect(
        w.events.filter((e) => e.type === "withdrawalRequest"),
        "one event",
      ).to.have.length(1);
      const counts = simulator.status().withdrawalRequests;
      expect(counts, "counts").to.deep.equal({ predeploy: true, queued: 1, processed: 1, exited: 1, ignored: {} });

      const balanceGwei = validator.balance;
      const vaultBefore = await ethers.provider.getBalance(vault);
      await simulator.advance(Number(validator.withdrawableEpoch - simulator.headEpoch) + 1);
      expect(validatorStatus(simulator.headState(), index), "swept").to.equal("withdrawal_done");
      const vaultAfter = await ethers.provider.getBalance(vault);
      expect(vaultAfter - vaultBefore, "the whole balance reached the vault").to.equal(balanceGwei * GWEI);
      expect(balanceGwei, "32 ETH, no rewards in this world").to.equal(32n * GWEI);
      const others8 = w.fixture.pubkeys.filter((p) => p !== pubkey).map((p) => indexOf(simulator, p));
      for (const other of others8) {
        expect(validatorStatus(simulator.headState(), other), "the others stay").to.equal("active_ongoing");
      }
    });

    it("drops what the consensus layer cannot apply, each with its reason, and keeps the fees", async function () {
      const w = await world();
      const { simulator, owner, stranger } = w;
      const [vaultKey0, vaultKey1] = w.fixture.pubkeys as [string, string];

      // Pending validators cannot exit.
      await forceExits(w, [vaultKey0]);
      let report = await simulator.sync();
      expect(
        outcomesOf(report).map((o) => o.reason),
        "pending",
      ).to.deep.equal(["not_active"]);

      // Active, but not for SHARD_COMMITTEE_PERIOD epochs yet; and a key nobody deposited.
      await activateAll(simulator);
      await forceExits(w, [vaultKey0, unknownPubkey(1)]);
      report = await simulator.sync();
      expect(
        outcomesOf(report).map((o) => o.reason),
        "young, unknown",
      ).to.deep.equal(["too_young", "unknown_validator"]);

      await simulator.advance(Number(minimal.SHARD_COMMITTEE_PERIOD));
      const feesBefore = await ethers.provider.getBalance(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS);
      // Before the next payment block: a stranger exiting the vault's validator, a partial withdrawal from the right
      // source with 0x01 credentials, a request for 0x00 credentials, then the vault exiting one validator twice.
      await request(stranger, vaultKey1);
      await request(owner, ownPubkey(0), 1n * GWEI);
      await request(owner, ownPubkey(2));
      await forceExits(w, [vaultKey1, vaultKey1]);
      report = await simulator.sync();
      const outcomes = outcomesOf(report);
      expect(
        outcomes.map((o) => [o.result, o.reason]),
        "results in queue order",
      ).to.deep.equal([
        ["ignored", "wrong_source"],
        ["ignored", "partial_needs_compounding_credentials"],
        ["ignored", "no_execution_credentials"],
        ["exited", undefined],
        ["ignored", "already_exiting"],
      ]);
      expect(
        outcomes.map((o) => o.sourceAddress),
        "sources",
      ).to.deep.equal([stranger.address, owner.address, owner.address, w.vault, w.vault]);
      expect(outcomes[1]!.amountGwei, "the partial amount").to.equal(GWEI);
      const state = simulator.headState();
      expect(validatorStatus(state, indexOf(simulator, vaultKey1)), "exited once").to.equal("active_exiting");
      expect(validatorStatus(state, indexOf(simulator, ownPubkey(0))), "no partial, no exit").to.equal(
        "active_ongoing",
      );
      expect(validatorStatus(state, indexOf(simulator, ownPubkey(2))), "0x00 stays").to.equal("active_ongoing");
      expect(validatorStatus(state, indexOf(simulator, vaultKey0)), "dropped requests exit nobody").to.equal(
        "active_ongoing",
      );
      expect(
        (await ethers.provider.getBalance(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS)) - feesBefore,
        "every request paid, applied or not",
      ).to.equal(5n);
      expect(simulator.status().withdrawalRequests, "counts").to.deep.equal({
        predeploy: true,
        queued: 8,
        processed: 8,
        exited: 1,
        ignored: {
          not_active: 1,
          too_young: 1,
          unknown_validator: 1,
          wrong_source: 1,
          partial_needs_compounding_credentials: 1,
          no_execution_credentials: 1,
          already_exiting: 1,
        },
      });
      const dropped = w.events.filter((e) => e.type === "withdrawalRequest" && e.result === "ignored");
      expect(dropped, "one event per dropped request").to.have.length(7);

      // The owner's own full exit, from the right source, is applied.
      await request(owner, ownPubkey(1));
      report = await simulator.sync();
      expect(
        outcomesOf(report).map((o) => o.result),
        "owner's exit",
      ).to.deep.equal(["exited"]);
    });

    it("dequeues 16 requests a block: 17 span two payment blocks, and the fee follows the excess down", async function () {
      const w = await world();
      const { simulator } = w;
      await matureAll(simulator);
      // Nine unknown keys first, then the eight staked validators: the last one falls in the second block.
      const pubkeys = [...Array.from({ length: 9 }, (_, i) => unknownPubkey(i)), ...w.fixture.pubkeys];
      const { fee } = await forceExits(w, pubkeys);
      expect(fee, "fee").to.equal(1n);
      expect(await readWithdrawalRequestState(connection.provider), "queued, not yet dequeued").to.deep.equal({
        excess: 0n,
        count: 17n,
        head: 0n,
        tail: 17n,
      });
      expect(await readWithdrawalRequestFee(connection.provider), "the fee moves only at the system call").to.equal(1n);

      const first = await simulator.sync();
      const firstOutcomes = outcomesOf(first);
      expect(firstOutcomes, "16 in the first payment block").to.have.length(16);
      expect(
        firstOutcomes.map((o) => o.pubkey),
        "in queue order",
      ).to.deep.equal(pubkeys.slice(0, 16));
      expect(
        firstOutcomes.filter((o) => o.result === "exited"),
        "seven exits",
      ).to.have.length(7);
      let state = await readWithdrawalRequestState(connection.provider);
      expect(state, "one left, excess 17 - 2").to.deep.equal({ excess: 15n, count: 0n, head: 16n, tail: 17n });
      expect(await readWithdrawalRequestFee(connection.provider), "fee at excess 15").to.equal(
        fakeExponential(1n, 15n, 17n),
      );
      expect(fakeExponential(1n, 15n, 17n), "above the minimum").to.equal(2n);

      const second = await simulator.sync();
      expect(second.payment!.block.number, "the next block").to.equal(first.payment!.block.number + 1);
      expect(
        outcomesOf(second).map((o) => [o.pubkey, o.result]),
        "the 17th",
      ).to.deep.equal([[w.fixture.pubkeys[7], "exited"]]);
      state = await readWithdrawalRequestState(connection.provider);
      expect(state, "queue empty, reset").to.deep.equal({ excess: 13n, count: 0n, head: 0n, tail: 0n });

      // Each later sync mines one system call while the excess is above zero: 13, 11, ..., 1, 0.
      let excess = 13n;
      let syncs = 0;
      while (excess > 0n) {
        const report = await simulator.sync();
        expect(report.payment, "a block while the excess decays").to.not.equal(undefined);
        const next = (await readWithdrawalRequestState(connection.provider)).excess;
        expect(next, "excess").to.equal(nextExcess(excess, 0n));
        expect(await readWithdrawalRequestFee(connection.provider), "fee").to.equal(withdrawalRequestFee(next));
        excess = next;
        syncs++;
      }
      expect(syncs, "seven blocks").to.equal(7);
      expect((await simulator.sync()).payment, "then nothing is due").to.equal(undefined);
      const exits = simulator.status().withdrawalRequests;
      expect([exits.processed, exits.exited, exits.ignored.unknown_validator], "counts").to.deep.equal([17, 8, 9]);
    });

    it("runs the system call last in its block: a request mined in the payment block is dequeued by it", async function () {
      const w = await world();
      const { simulator, owner } = w;
      await matureAll(simulator);
      const systemBalance = await ethers.provider.getBalance(SYSTEM_ADDRESS);
      // A request mined as usual makes a payment due; a second one waits in the mempool, so the payment block mines
      // it together with the system call.
      await request(owner, ownPubkey(0));
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        const fee = await readWithdrawalRequestFee(connection.provider);
        const data = encodeWithdrawalRequest(ownPubkey(1));
        const pending = await owner.sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data, value: fee });
        const report = await simulator.sync();
        const block = await ethers.provider.getBlock(report.payment!.block.number, true);
        expect(block!.transactions, "the request, then the system call").to.have.length(2);
        expect(block!.transactions[0], "the request first").to.equal(pending.hash);
        const last = await ethers.provider.getTransaction(block!.transactions[1]!);
        expect([last!.from.toLowerCase(), last!.to], "the system call last").to.deep.equal([
          SYSTEM_ADDRESS,
          WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
        ]);
        expect(
          outcomesOf(report).map((o) => [o.sourceAddress, o.pubkey, o.result]),
          "dequeued in its own block",
        ).to.deep.equal([
          [owner.address, ownPubkey(0), "exited"],
          [owner.address, ownPubkey(1), "exited"],
        ]);
        expect(
          report.withdrawalRequestsQueued.map((r) => r.pubkey),
          "the payment block's own log is read at the next sync",
        ).to.deep.equal([ownPubkey(0)]);
        expect(
          (await simulator.sync()).withdrawalRequestsQueued.map((r) => r.transactionHash),
          "next sync",
        ).to.deep.equal([pending.hash]);
      } finally {
        await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      expect(await ethers.provider.getBalance(SYSTEM_ADDRESS), "the system account ends as it began").to.equal(
        systemBalance,
      );
      expect(simulator.status().withdrawalRequests.queued, "each counted once").to.equal(2);
    });
  });
});

describe("EIP-7002 library", function () {
  it("computes fake_exponential as the EIP does", function () {
    const table: [bigint, bigint][] = [
      [0n, 1n],
      [15n, 2n],
      [34n, 7n],
      [100n, 357n],
      [666n, 103_299_558_930_196_198n],
    ];
    for (const [excess, fee] of table) expect(withdrawalRequestFee(excess), `fee at ${excess}`).to.equal(fee);
    expect(() => withdrawalRequestFee(EXCESS_INHIBITOR), "inhibitor").to.throw(WithdrawalRequestFeeUnavailableError);
    expect(nextExcess(EXCESS_INHIBITOR, 3n), "the inhibitor counts as zero").to.equal(1n);
    expect(nextExcess(1n, 0n), "never below zero").to.equal(0n);
  });

  it("encodes requests and decodes logs (big-endian amounts) and system-call records (little-endian)", function () {
    const source = "0x00000000000000000000000000000000000000A1";
    const pubkey = `0x${"ab".repeat(48)}`;
    const amount = 0x0102030405060708n;
    const input = encodeWithdrawalRequest(pubkey, amount);
    expect(input, "56 bytes").to.equal(`${pubkey}0102030405060708`);
    const logged = decodeWithdrawalRequestLog(concat([source, input]));
    expect(logged, "log").to.deep.equal({ sourceAddress: source, pubkey, amountGwei: amount });
    const record = concat([source, pubkey, "0x0807060504030201"]);
    expect(decodeWithdrawalRequests(concat([record, record])), "records").to.deep.equal([logged, logged]);
    expect(decodeWithdrawalRequests("0x"), "none").to.deep.equal([]);
    expect(() => decodeWithdrawalRequests(concat([record, "0x00"])), "ragged").to.throw(
      MalformedWithdrawalRequestError,
    );
    expect(() => decodeWithdrawalRequests(concat(Array(17).fill(record))), "17 records").to.throw(
      MalformedWithdrawalRequestError,
    );
    expect(() => decodeWithdrawalRequestLog(input), "56 bytes").to.throw(MalformedWithdrawalRequestError);
    expect(() => encodeWithdrawalRequest(pubkey, 2n ** 64n), "amount").to.throw(RangeError);
    expect(() => encodeWithdrawalRequest("0xabcd"), "pubkey").to.throw(TypeError);
  });
});

describe("processWithdrawalRequest", function () {
  const source = "0x00000000000000000000000000000000000000c0";
  const credentials = (prefix: string) => `${prefix}${"00".repeat(11)}${source.slice(2)}`;
  const key = (i: number) => `0x${i.toString(16).padStart(2, "0").repeat(48)}`;

  /** Validators 0 (0x01), 1 (0x02, 33 ETH) and 2 (0x02, 32 ETH) active for SHARD_COMMITTEE_PERIOD epochs. */
  function matureState() {
    const state = createState(minimal);
    applyDeposit(state, {
      pubkey: key(0),
      withdrawalCredentials: credentials("0x01"),
      amountGwei: 32n * GWEI,
      signatureValid: true,
    });
    applyDeposit(state, {
      pubkey: key(1),
      withdrawalCredentials: credentials("0x02"),
      amountGwei: 33n * GWEI,
      signatureValid: true,
    });
    applyDeposit(state, {
      pubkey: key(2),
      withdrawalCredentials: credentials("0x02"),
      amountGwei: 32n * GWEI,
      signatureValid: true,
    });
    while (state.validators.some((v) => v.activationEpoch > state.epoch)) processEpoch(state);
    for (let i = 0n; i < minimal.SHARD_COMMITTEE_PERIOD; i++) processEpoch(state);
    return state;
  }

  it("exits on a full request from the credentials' address, 0x01 or 0x02 alike", function () {
    const state = matureState();
    expect(
      processWithdrawalRequest(state, { sourceAddress: source, pubkey: key(0), amountGwei: 0n }),
      "0x01",
    ).to.deep.equal({
      kind: "exited",
      index: 0,
    });
    expect(
      processWithdrawalRequest(state, {
        sourceAddress: source.toUpperCase().replace("0X", "0x"),
        pubkey: key(1),
        amountGwei: 0n,
      }),
      "0x02, any case",
    ).to.deep.equal({
      kind: "exited",
      index: 1,
    });
    expect(state.validators[0]!.exitEpoch, "exit initiated").to.be.lessThan(minimal.FAR_FUTURE_EPOCH);
  });

  it("ignores partial withdrawals: 0x01 credentials, no excess balance, or a queue the simulator does not model", function () {
    const state = matureState();
    const partial = (i: number) =>
      processWithdrawalRequest(state, { sourceAddress: source, pubkey: key(i), amountGwei: GWEI });
    expect(partial(0), "0x01").to.deep.equal({
      kind: "ignored",
      reason: "partial_needs_compounding_credentials",
      index: 0,
    });
    expect(partial(1), "0x02 with 1 ETH above 32").to.deep.equal({
      kind: "ignored",
      reason: "partial_not_modelled",
      index: 1,
    });
    expect(partial(2), "0x02 at 32 ETH").to.deep.equal({
      kind: "ignored",
      reason: "partial_without_excess_balance",
      index: 2,
    });
    expect(
      state.validators.every((v) => v.exitEpoch === minimal.FAR_FUTURE_EPOCH),
      "nobody exits",
    ).to.equal(true);
  });
});
