import type { SecretKey } from "@chainsafe/blst";
import { expect } from "chai";
import { getAddress, hexlify, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { computeDepositDataRoot } from "../lib/depositData.js";
import { minimal } from "../lib/beacon/preset.js";
import {
  computeDomain,
  computeVoluntaryExitDomain,
  forkVersionOf,
  LOCAL_GENESIS_VALIDATORS_ROOT,
  signVoluntaryExit,
  verifyVoluntaryExit,
} from "../lib/beacon/signing.js";
import {
  BeaconOperationError,
  BeaconSimulator,
  type BeaconSimulatorOptions,
  ChainRevertedError,
} from "../lib/beacon/simulator.js";
import {
  applyDeposit,
  cloneState,
  createState,
  processEpoch,
  skipEmptyPayloads,
  sweepWithdrawals,
  totalBalance,
  validatorStatus,
  withdrawalsPending,
} from "../lib/beacon/state.js";
import { computeDepositDomain, createDepositSigner, type DepositDataEntry } from "../lib/keys/depositData.js";
import { deriveValidatorKeys, type ValidatorKeys } from "../lib/keys/derivation.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import type { BeaconDepositMock } from "../typechain-types/index.js";

const GWEI = 1_000_000_000n;
const ETH_GWEI = 1_000_000_000n;
const SEED = new Uint8Array(32).fill(7);
const KEYS: ValidatorKeys[] = deriveValidatorKeys(SEED, 0, 4);
const localSigner = createDepositSigner({ network: BEACON_NETWORKS.local });
const mainnetSigner = createDepositSigner({ network: BEACON_NETWORKS.mainnet });

/** A distinct withdrawal address per validator, so each one's withdrawals can be told apart on chain. */
const withdrawalAddress = (i: number) => getAddress("0x" + (0x1000 + i).toString(16).padStart(40, "0"));
const credentials = (address: string) => "0x01" + "00".repeat(11) + address.slice(2).toLowerCase();
const key = (i: number): SecretKey => KEYS[i]!.signingKey;
const pubkey = (i: number) => hexlify(KEYS[i]!.publicKey);

interface Chain {
  connection: NetworkConnection;
  mock: BeaconDepositMock;
  rpc: <T>(method: string, params?: unknown[]) => Promise<T>;
}

async function newChain(): Promise<Chain> {
  const connection = await network.create();
  const mock = (await connection.ethers.deployContract("BeaconDepositMock")) as unknown as BeaconDepositMock;
  await mock.waitForDeployment();
  const rpc = <T>(method: string, params: unknown[] = []) =>
    connection.provider.request({ method, params }) as Promise<T>;
  return { connection, mock, rpc };
}

async function send(mock: BeaconDepositMock, entry: DepositDataEntry | RawDeposit, amountGwei: bigint): Promise<void> {
  const root =
    "deposit_data_root" in entry
      ? "0x" + entry.deposit_data_root
      : computeDepositDataRoot(entry.pubkey, entry.withdrawalCredentials, amountGwei, entry.signature);
  const [pk, wc, sig] =
    "deposit_data_root" in entry
      ? ["0x" + entry.pubkey, "0x" + entry.withdrawal_credentials, "0x" + entry.signature]
      : [entry.pubkey, entry.withdrawalCredentials, entry.signature];
  await (await mock.deposit(pk, wc, sig, root, { value: amountGwei * GWEI })).wait();
}

interface RawDeposit {
  pubkey: string;
  withdrawalCredentials: string;
  signature: string;
}

/** A 32 ETH deposit of validator key `i`, signed for the local chain, withdrawing to `withdrawalAddress(i)`. */
const validDeposit = (i: number) => localSigner(key(i), credentials(withdrawalAddress(i)));

async function depositValidators(chain: Chain, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await send(chain.mock, validDeposit(i), 32n * ETH_GWEI);
}

async function simulator(chain: Chain, options: Partial<BeaconSimulatorOptions> = {}): Promise<BeaconSimulator> {
  return BeaconSimulator.create(chain.connection.provider, {
    depositContract: await chain.mock.getAddress(),
    preset: "minimal",
    ...options,
  });
}

async function balanceOf(chain: Chain, address: string): Promise<bigint> {
  return chain.connection.ethers.provider.getBalance(address);
}

/** Advances until every validator is active (minimal preset: 2 a epoch from epoch 7 on). */
async function activateAll(sim: BeaconSimulator): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const state = sim.headState();
    if (state.validators.every((_, i) => validatorStatus(state, i) === "active_ongoing")) return;
    await sim.advance(1);
  }
  throw new Error("validators did not activate");
}

describe("BeaconSimulator", function () {
  describe("deposits", function () {
    it("loses an invalid-signature deposit, creates the validator from the first valid one, tops up unsigned", async function () {
      const chain = await newChain();
      const sim = await simulator(chain);
      const otherAddress = withdrawalAddress(99);
      // Signed for mainnet's fork: the deposit contract takes it, the local beacon chain does not.
      await send(chain.mock, mainnetSigner(key(0), credentials(otherAddress)), 32n * ETH_GWEI);
      await send(chain.mock, validDeposit(0), 32n * ETH_GWEI);
      // A top-up whose signature is not even a curve point: known keys need no signature.
      await send(
        chain.mock,
        { pubkey: pubkey(0), withdrawalCredentials: credentials(otherAddress), signature: "0x" + "11".repeat(96) },
        1n * ETH_GWEI,
      );
      // The point at infinity as a pubkey, and 48 bytes that are no point at all: invalid, never a crash.
      const infinity = "0xc0" + "00".repeat(47);
      await send(
        chain.mock,
        { pubkey: infinity, withdrawalCredentials: credentials(otherAddress), signature: "0xc0" + "00".repeat(95) },
        32n * ETH_GWEI,
      );
      await send(
        chain.mock,
        {
          pubkey: "0x" + "ab".repeat(48),
          withdrawalCredentials: credentials(otherAddress),
          signature: "0x" + validDeposit(1).signature,
        },
        32n * ETH_GWEI,
      );

      const report = await sim.sync();

      expect(
        report.deposits.map((d) => d.result),
        "outcomes in log order",
      ).to.deep.equal(["lost", "created", "toppedUp", "lost", "lost"]);
      const state = sim.headState();
      expect(state.validators, "one validator").to.have.length(1);
      const validator = state.validators[0]!;
      expect(validator.pubkey, "pubkey").to.equal(pubkey(0));
      expect(validator.withdrawalCredentials, "credentials of the valid deposit").to.equal(
        credentials(withdrawalAddress(0)),
      );
      expect(validator.balance, "32 ETH + 1 ETH top-up").to.equal(33n * ETH_GWEI);
      expect(sim.status().totals.lostGwei, "three deposits lost").to.equal(96n * ETH_GWEI);
      expect(sim.status().deposits, "counts").to.deep.equal({ seen: 5, created: 1, toppedUp: 1, lost: 3 });
      expect((await sim.sync()).deposits, "a re-sync reads nothing twice").to.have.length(0);
    });
  });

  describe("clock and lifecycle", function () {
    it("follows the chain's clock and activates validators through the churn limit", async function () {
      const chain = await newChain();
      await depositValidators(chain, 3);
      const sim = await simulator(chain);
      expect(sim.headEpoch, "genesis epoch").to.equal(0n);

      // Minimal churn admits 2 a epoch: eligible at 1, queued once epoch 1 is finalized (epoch 2), active 5 later.
      await sim.advance(7);
      const latest = await chain.rpc<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
      const slot = (BigInt(latest.timestamp) - sim.genesisTime) / minimal.SECONDS_PER_SLOT;
      expect(sim.headSlot, "head slot is the latest block's").to.equal(slot);
      expect(sim.headEpoch, "head epoch is the latest block's").to.equal(slot / minimal.SLOTS_PER_EPOCH);
      expect(sim.finalizedEpoch, "finalized two epochs back").to.equal(sim.headEpoch - 2n);
      const state = sim.headState();
      expect(sim.headEpoch, "epoch 7").to.equal(7n);
      expect(
        [0, 1, 2].map((i) => validatorStatus(state, i)),
        "two activated, one still queued",
      ).to.deep.equal(["active_ongoing", "active_ongoing", "pending_queued"]);

      await sim.advance(1);
      expect(validatorStatus(sim.headState(), 2), "third one a epoch later").to.equal("active_ongoing");
    });

    it("pays consensus rewards and skims the excess over 32 ETH to each credentials address, on chain, once", async function () {
      const chain = await newChain();
      await depositValidators(chain, 3);
      const sim = await simulator(chain, { rewardRateBps: 10_000 });
      await activateAll(sim);
      const before = await Promise.all([0, 1, 2].map((i) => balanceOf(chain, withdrawalAddress(i))));

      const report = await sim.advance(3);

      const payment = report.payment;
      expect(payment, "a payment block").to.not.equal(undefined);
      for (const i of [0, 1, 2]) {
        const swept = payment!.withdrawals.filter((w) => w.validatorIndex === i).reduce((s, w) => s + w.amountGwei, 0n);
        expect(swept, `validator ${i} skimmed`).to.be.greaterThan(0n);
        expect(sim.headState().validators[i]!.balance, `validator ${i} back to 32 ETH`).to.equal(32n * ETH_GWEI);
        const after = await balanceOf(chain, withdrawalAddress(i));
        expect(after - before[i]!, `address ${i} credited exactly the sweep`).to.equal(swept * GWEI);
        expect(sim.creditedTo(withdrawalAddress(i)), `credited ${i}`).to.equal(after / GWEI);
      }
      const latest = await chain.rpc<{ number: string }>("eth_getBlockByNumber", ["latest", false]);
      expect(BigInt(latest.number), "the payment block is the latest").to.equal(BigInt(payment!.block.number));

      const again = await sim.sync();
      expect(again.payment, "a re-sync pays nothing").to.equal(undefined);
      const t = sim.status().totals;
      expect(totalBalance(sim.headState()) + t.withdrawnGwei, "conservation").to.equal(t.depositedGwei + t.rewardsGwei);
      for (const i of [0, 1, 2]) {
        // The addresses started empty: everything on them is what the simulator credited, once.
        expect(await balanceOf(chain, withdrawalAddress(i)), `address ${i} unchanged`).to.equal(
          sim.creditedTo(withdrawalAddress(i)) * GWEI,
        );
      }
    });

    it("slashes: initial penalty, exit and the delayed withdrawable epoch", async function () {
      const chain = await newChain();
      await depositValidators(chain, 2);
      const sim = await simulator(chain);
      await activateAll(sim);
      const epoch = sim.headEpoch;
      const balance = sim.headState().validators[1]!.balance;

      const result = await sim.slash(pubkey(1));

      const v = sim.headState().validators[1]!;
      expect(result, "result").to.deep.equal({ index: 1, status: "active_slashed" });
      expect(v.slashed, "slashed").to.equal(true);
      expect(balance - v.balance, "1/32 of the effective balance").to.equal(ETH_GWEI);
      const exitEpoch = epoch + 1n + minimal.MAX_SEED_LOOKAHEAD;
      expect(v.exitEpoch, "exit epoch").to.equal(exitEpoch);
      expect(v.withdrawableEpoch, "withdrawable after MIN_VALIDATOR_WITHDRAWABILITY_DELAY").to.equal(
        exitEpoch + minimal.MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
      );
      await expect(sim.slash(1), "twice").to.be.rejectedWith(BeaconOperationError, /cannot be slashed/);
      await expect(sim.slash(7), "unknown").to.be.rejectedWith(BeaconOperationError, /no validator at index 7/);
    });

    it("exits voluntarily with a valid signature and sweeps the whole balance to the credentials address once", async function () {
      const chain = await newChain();
      await depositValidators(chain, 2);
      const sim = await simulator(chain, { rewardRateBps: 0 });
      await activateAll(sim);
      const domain = computeVoluntaryExitDomain(sim.capellaForkVersion, sim.genesisValidatorsRoot);
      const exit = (signer: number, epoch = sim.headEpoch) =>
        signVoluntaryExit(key(signer), { epoch, validatorIndex: 0 }, domain);

      await expect(sim.voluntaryExit(exit(0)), "before SHARD_COMMITTEE_PERIOD").to.be.rejectedWith(
        BeaconOperationError,
        /may exit from epoch/,
      );
      await sim.advance(Number(minimal.SHARD_COMMITTEE_PERIOD));
      await expect(sim.voluntaryExit(exit(1)), "signed by another key").to.be.rejectedWith(
        BeaconOperationError,
        /signature/,
      );
      await expect(sim.voluntaryExit(exit(0, sim.headEpoch + 1n)), "future epoch").to.be.rejectedWith(
        BeaconOperationError,
        /after the current epoch/,
      );
      const { exitEpoch, withdrawableEpoch } = await sim.voluntaryExit(exit(0));
      expect(exitEpoch, "exit epoch").to.equal(sim.headEpoch + 1n + minimal.MAX_SEED_LOOKAHEAD);
      expect(withdrawableEpoch, "withdrawable epoch").to.equal(exitEpoch + minimal.MIN_VALIDATOR_WITHDRAWABILITY_DELAY);
      await expect(sim.voluntaryExit(exit(0)), "twice").to.be.rejectedWith(BeaconOperationError, /already exiting/);

      const address = withdrawalAddress(0);
      const before = await balanceOf(chain, address);
      const balance = sim.headState().validators[0]!.balance;
      await sim.advance(Number(withdrawableEpoch - sim.headEpoch) + 1);

      expect(validatorStatus(sim.headState(), 0), "withdrawn").to.equal("withdrawal_done");
      expect((await balanceOf(chain, address)) - before, "the whole balance, once").to.equal(balance * GWEI);
      await sim.advance(2);
      expect((await balanceOf(chain, address)) - before, "nothing more").to.equal(balance * GWEI);
      expect(validatorStatus(sim.headState(), 1), "the other validator stays").to.equal("active_ongoing");
    });
  });

  describe("execution-layer rewards", function () {
    it("pays each proposed slot's reward to its proposer's fee recipient, and nothing without an active proposer", async function () {
      const chain = await newChain();
      await depositValidators(chain, 2);
      const everyone = getAddress("0x" + "5e".repeat(20));
      const forOne = getAddress("0x" + "5f".repeat(20));
      const reward = 50_000_000n;
      const sim = await simulator(chain, {
        feeRecipient: everyone,
        feeRecipients: new Map([[pubkey(1), forOne]]),
        elRewardPerBlockGwei: reward,
      });
      expect(sim.status().elRewardsGwei, "no active validator, no reward").to.equal(0n);
      await activateAll(sim);
      const credited = sim.status().elRewardsGwei;

      const [signer] = await chain.connection.ethers.getSigners();
      for (let i = 0; i < 3; i++) {
        await chain.rpc("evm_increaseTime", [Number(minimal.SECONDS_PER_SLOT)]);
        await (await signer!.sendTransaction({ to: withdrawalAddress(50), value: 1n })).wait();
      }
      const report = await sim.sync();

      const rewards = report.payment!.elRewards;
      expect(rewards.length, "one reward per new proposed slot").to.be.at.least(3);
      for (const r of rewards) {
        expect(r.amountGwei, "amount").to.equal(reward);
        expect(r.feeRecipient, `recipient of proposer ${r.proposerIndex}`).to.equal(
          r.proposerIndex === 1 ? forOne : everyone,
        );
        expect(validatorStatus(sim.headState(), r.proposerIndex), "proposer active").to.equal("active_ongoing");
      }
      const total = sim.status().elRewardsGwei;
      expect(total - credited, "rewards of this sync").to.equal(rewards.reduce((s, r) => s + r.amountGwei, 0n));
      const onChain = (await balanceOf(chain, everyone)) + (await balanceOf(chain, forOne));
      expect(onChain, "credited on chain, exactly").to.equal(total * GWEI);
      expect(sim.creditedTo(everyone) + sim.creditedTo(forOne), "ledger").to.equal(total);
      expect((await sim.sync()).payment, "nothing twice").to.equal(undefined);
      expect((await balanceOf(chain, everyone)) + (await balanceOf(chain, forOne)), "unchanged").to.equal(onChain);
    });
  });

  describe("block production", function () {
    it("restores automine as it was and mines transactions that arrived while paying", async function () {
      const chain = await newChain();
      await depositValidators(chain, 1);
      const sim = await simulator(chain, { rewardRateBps: 10_000 });
      await activateAll(sim);
      const [signer] = await chain.connection.ethers.getSigners();

      const [report, tx] = await Promise.all([
        sim.advance(2),
        signer!.sendTransaction({ to: withdrawalAddress(60), value: 1n }),
      ]);
      expect(report.payment, "paid").to.not.equal(undefined);
      expect(await chain.rpc("hardhat_getAutomine"), "automine back on").to.equal(true);
      expect((await tx.wait())?.status, "the concurrent transaction is mined").to.equal(1);

      await chain.rpc("evm_setAutomine", [false]);
      const paid = await sim.advance(2);
      expect(paid.payment, "paid with automine off").to.not.equal(undefined);
      expect(await chain.rpc("hardhat_getAutomine"), "automine still off").to.equal(false);
      await chain.rpc("evm_setAutomine", [true]);
    });

    it("stops with ChainRevertedError when the chain is reverted below the last block read", async function () {
      const chain = await newChain();
      const sim = await simulator(chain);
      const snapshot = await chain.rpc<string>("evm_snapshot");
      await sim.advance(1);
      await chain.rpc("evm_revert", [snapshot]);
      await chain.rpc("evm_mine");
      await expect(sim.sync(), "reverted").to.be.rejectedWith(ChainRevertedError, /evm_revert or a reorg/);
    });
  });

  describe("history", function () {
    it("keeps end-of-epoch states of the last epochs and of genesis, consistent with the execution chain", async function () {
      const chain = await newChain();
      await depositValidators(chain, 2);
      const sim = await simulator(chain, { historyEpochs: 4, rewardRateBps: 10_000 });
      await activateAll(sim);
      await sim.advance(1);
      const paidThrough = sim.headEpoch;
      await sim.advance(3);

      const slotsPerEpoch = minimal.SLOTS_PER_EPOCH;
      const head = sim.headEpoch;
      const inWindow = sim.stateAtSlot((head - 2n) * slotsPerEpoch + 3n);
      expect(inWindow.kind, "recent epoch kept").to.equal("found");
      if (inWindow.kind === "found") expect(inWindow.state.epoch, "its epoch").to.equal(head - 2n);
      expect(sim.stateAtSlot((head - 6n) * slotsPerEpoch).kind, "older pruned").to.equal("pruned");
      expect(sim.stateAtSlot(0n).kind, "genesis kept").to.equal("found");
      expect(sim.stateAtSlot(sim.headSlot + 1n).kind, "future").to.equal("future");

      // At the last slot of an epoch, the state and the execution block agree on what was withdrawn.
      const lastSlot = (paidThrough + 1n) * slotsPerEpoch - 1n;
      const lookup = sim.stateAtSlot(lastSlot);
      const block = sim.latestBlockAtOrBefore(lastSlot);
      if (lookup.kind !== "found" || block === undefined) throw new Error("state or block missing");
      const swept = lookup.state.totals.withdrawnGwei;
      expect(swept, "something was swept by then").to.be.greaterThan(0n);
      const atBlock = async (i: number) =>
        BigInt(await chain.rpc<string>("eth_getBalance", [withdrawalAddress(i), toBeHex(block.executionBlock.number)]));
      expect((await atBlock(0)) + (await atBlock(1)), "on chain at that block").to.equal(swept * GWEI);
    });
  });
});

describe("withdrawal sweep helpers", function () {
  const arbitraryState = fc
    .record({
      count: fc.integer({ min: 0, max: 40 }),
      excess: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      cursor: fc.nat(),
      payloads: fc.bigInt({ min: 0n, max: 12n }),
    })
    .map(({ count, excess, cursor, payloads }) => {
      const state = createState(minimal);
      for (let i = 0; i < count; i++) {
        const pk = "0x" + (i + 1).toString(16).padStart(96, "0");
        applyDeposit(state, {
          pubkey: pk,
          withdrawalCredentials: credentials(withdrawalAddress(i)),
          amountGwei: 32n * ETH_GWEI + (excess[i] ? 5n : 0n),
          signatureValid: true,
        });
      }
      processEpoch(state);
      state.nextWithdrawalValidatorIndex = count === 0 ? 0 : cursor % count;
      return { state, payloads };
    });

  it("withdrawalsPending says whether sweeping that many payloads would withdraw anything", function () {
    fc.assert(
      fc.property(arbitraryState, ({ state, payloads }) => {
        const copy = cloneState(state);
        let any = false;
        for (let k = 0n; k < payloads; k++) any ||= sweepWithdrawals(copy).length > 0;
        return withdrawalsPending(state, payloads) === any;
      }),
      { numRuns: 300 },
    );
  });

  it("skipEmptyPayloads moves the cursor as that many empty sweeps would", function () {
    fc.assert(
      fc.property(arbitraryState, ({ state, payloads }) => {
        if (withdrawalsPending(state, payloads)) {
          expect(() => skipEmptyPayloads(state, payloads)).to.throw(RangeError);
          return true;
        }
        const copy = cloneState(state);
        for (let k = 0n; k < payloads; k++) sweepWithdrawals(copy);
        skipEmptyPayloads(state, payloads);
        return state.nextWithdrawalValidatorIndex === copy.nextWithdrawalValidatorIndex;
      }),
      { numRuns: 300 },
    );
  });
});

describe("beacon signing", function () {
  it("computes domains as the deposit domain does (itself checked against public vectors)", function () {
    for (const fork of ["0x00000000", "0x00007a69", "0x10000910"]) {
      const domain = computeDomain(Uint8Array.of(3, 0, 0, 0), fork, "0x" + "00".repeat(32));
      expect(hexlify(domain), `deposit domain of ${fork}`).to.equal(hexlify(computeDepositDomain(fork)));
    }
  });

  it("defines the local chain's fork versions and genesis validators root deterministically", function () {
    expect(forkVersionOf("0x00007a69", "capella"), "capella").to.equal("0x03007a69");
    expect(forkVersionOf("0x00007a69", "deneb"), "deneb").to.equal("0x04007a69");
    expect(forkVersionOf("0x00000000", "capella"), "mainnet's capella").to.equal("0x03000000");
    expect(LOCAL_GENESIS_VALIDATORS_ROOT, "root").to.equal(keccak256(toUtf8Bytes("Plural local beacon chain")));
  });

  it("verifies an exit only under its own key, domain, epoch and index; malformed bytes are invalid, not errors", function () {
    const domain = computeVoluntaryExitDomain("0x03007a69", LOCAL_GENESIS_VALIDATORS_ROOT);
    const signed = signVoluntaryExit(key(0), { epoch: 70n, validatorIndex: 3 }, domain);
    expect(verifyVoluntaryExit(pubkey(0), signed, domain), "valid").to.equal(true);
    expect(verifyVoluntaryExit(pubkey(1), signed, domain), "other key").to.equal(false);
    const otherDomain = computeVoluntaryExitDomain("0x04007a69", LOCAL_GENESIS_VALIDATORS_ROOT);
    expect(verifyVoluntaryExit(pubkey(0), signed, otherDomain), "deneb's version, not capella's").to.equal(false);
    const moved = { ...signed, message: { epoch: 71n, validatorIndex: 3 } };
    expect(verifyVoluntaryExit(pubkey(0), moved, domain), "other epoch").to.equal(false);
    const infinity = { ...signed, signature: "0xc0" + "00".repeat(95) };
    expect(verifyVoluntaryExit(pubkey(0), infinity, domain), "infinity signature").to.equal(false);
    const garbage = { ...signed, signature: "0x" + "ff".repeat(96) };
    expect(verifyVoluntaryExit(pubkey(0), garbage, domain), "not a point").to.equal(false);
    expect(verifyVoluntaryExit("0xc0" + "00".repeat(47), signed, domain), "infinity key").to.equal(false);
  });
});
