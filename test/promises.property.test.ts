/**
 * The promises of DESIGN.md where their path crosses the off-chain code, as fast-check properties (seed and run count
 * from the test profile, test/helpers/fastCheck.ts). The Solidity invariants (test/Promises.invariants.t.sol) check
 * the contracts; these check what the TypeScript library computes and sends them:
 * - promise 1: the oracle's summary of the beacon simulator's state counts exactly the ether of the pool's validators,
 *   no more (nothing created) and no less (nothing stuck), whatever the beacon chain did;
 * - promise 4: a beacon chain paying at most the pool's maximum APR never makes the library build a report the pool's
 *   reward bound refuses (the bound only stops what a sound chain cannot produce);
 * - promise 7: the decentralization figures (lib/decentralization.ts) never show an operator above the share cap when
 *   the registry's rule holds, and always show one at or above it when the rule is broken;
 * - promise 2: deposits and withdrawal requests made through the library (lib/pool.ts, lib/withdrawals.ts) never
 *   lower the value of anyone else's plETH.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import type { ValidatorInfo } from "../lib/beacon/client.js";
import { epochsPerYear, mainnet, minimal, type Preset } from "../lib/beacon/preset.js";
import {
  advanceEpochs,
  applyDeposit,
  type BeaconState,
  createState,
  ExitNotAllowedError,
  NotSlashableError,
  penalize,
  slash,
  sweepWithdrawals,
  validatorStatus,
  voluntaryExit,
} from "../lib/beacon/state.js";
import { describeConcentration, maxShareBps } from "../lib/decentralization.js";
import { summarizeValidators } from "../lib/oracle/report.js";
import { deposit } from "../lib/pool.js";
import { requestWithdrawal } from "../lib/withdrawals.js";
import { pluralFixture } from "./helpers/protocol.js";
import { stakeOneValidatorPerOperator, submitBeaconReport } from "./helpers/rewards.js";

const GWEI = 1_000_000_000n;
const BPS = 10_000n;
const YEAR = 365n * 86_400n;
/** The pool's bound in deploy/parameters/local.json and the Solidity fixtures. */
const MAX_APR_BPS = 1_000n;

const POOL_ADDRESS = "ab".repeat(20);
const OTHER_ADDRESS = "cd".repeat(20);
/** The pool's 0x01 withdrawal credentials, and someone else's. */
const POOL_CREDENTIALS = `0x01${"00".repeat(11)}${POOL_ADDRESS}`;
const OTHER_CREDENTIALS = `0x01${"00".repeat(11)}${OTHER_ADDRESS}`;

const connection = await network.create();
const { networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const pubkey = (key: number) => "0x" + (key + 1).toString(16).padStart(96, "0");

/** What the Beacon API serves for validator `index` (lib/beacon/api.ts builds the same from the state). */
function validatorInfo(state: BeaconState, index: number): ValidatorInfo {
  const v = state.validators[index]!;
  return {
    index,
    balanceGwei: v.balance,
    status: validatorStatus(state, index),
    pubkey: v.pubkey,
    withdrawalCredentials: v.withdrawalCredentials,
    effectiveBalanceGwei: v.effectiveBalance,
    slashed: v.slashed,
    activationEligibilityEpoch: v.activationEligibilityEpoch,
    activationEpoch: v.activationEpoch,
    exitEpoch: v.exitEpoch,
    withdrawableEpoch: v.withdrawableEpoch,
  };
}

function allValidators(state: BeaconState): ValidatorInfo[] {
  return state.validators.map((_, index) => validatorInfo(state, index));
}

/** One thing the beacon chain does. */
type BeaconStep =
  | { kind: "deposit"; key: number; eth: number; valid: boolean; ours: boolean }
  | { kind: "epochs"; count: number }
  | { kind: "penalize"; key: number; gwei: bigint }
  | { kind: "slash"; key: number }
  | { kind: "exit"; key: number }
  | { kind: "sweep" };

const KEYS = 6;

const beaconStep: fc.Arbitrary<BeaconStep> = fc.oneof(
  fc.record({
    kind: fc.constant("deposit" as const),
    key: fc.nat(KEYS - 1),
    eth: fc.integer({ min: 1, max: 40 }),
    valid: fc.boolean(),
    ours: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("epochs" as const), count: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant("penalize" as const), key: fc.nat(KEYS - 1), gwei: fc.bigInt(0n, 3n * GWEI) }),
  fc.record({ kind: fc.constant("slash" as const), key: fc.nat(KEYS - 1) }),
  fc.record({ kind: fc.constant("exit" as const), key: fc.nat(KEYS - 1) }),
  fc.record({ kind: fc.constant("sweep" as const) }),
);

/** Runs `steps` on a fresh state; returns it with the wei the sweep paid to the pool's address. */
function runBeacon(preset: Preset, rewardRateBps: number, steps: readonly BeaconStep[]) {
  const state = createState(preset, { rewardRateBps });
  let paidToPool = 0n;
  for (const step of steps) {
    const index = "key" in step ? state.indexByPubkey.get(pubkey(step.key)) : undefined;
    if (step.kind === "deposit") {
      applyDeposit(state, {
        pubkey: pubkey(step.key),
        withdrawalCredentials: step.ours ? POOL_CREDENTIALS : OTHER_CREDENTIALS,
        amountGwei: BigInt(step.eth) * GWEI,
        signatureValid: step.valid,
      });
    } else if (step.kind === "epochs") {
      advanceEpochs(state, step.count);
    } else if (step.kind === "sweep") {
      for (const withdrawal of sweepWithdrawals(state)) {
        if (withdrawal.address.toLowerCase() === `0x${POOL_ADDRESS}`) paidToPool += withdrawal.amountGwei * GWEI;
      }
    } else if (index !== undefined) {
      try {
        if (step.kind === "penalize") penalize(state, index, step.gwei);
        else if (step.kind === "slash") slash(state, index);
        else voluntaryExit(state, index);
      } catch (error) {
        // The chain refuses these as the spec does; the property is about what it accepts.
        if (!(error instanceof NotSlashableError || error instanceof ExitNotAllowedError)) throw error;
      }
    }
  }
  return { state, paidToPool };
}

describe("Promises across the off-chain code", function () {
  describe("promise 1: the oracle's summary conserves the beacon side's ether", function () {
    it("counts exactly the balance of the pool's validators: deposits - lost + rewards - penalties - withdrawn", function () {
      fc.assert(
        fc.property(
          fc.constantFrom(mainnet, minimal),
          fc.integer({ min: 0, max: 2_000 }),
          fc.array(beaconStep, { maxLength: 30 }),
          (preset, rewardRateBps, steps) => {
            // Every deposit is the pool's here, so the chain's running totals are the pool's.
            const ours = steps.map((step) => (step.kind === "deposit" ? { ...step, ours: true } : step));
            const { state, paidToPool } = runBeacon(preset, rewardRateBps, ours);
            const summary = summarizeValidators(allValidators(state), POOL_CREDENTIALS, state.epoch);
            const t = state.totals;
            expect(summary.beaconBalance + paidToPool, "balance + withdrawn, wei").to.equal(
              (t.depositedGwei - t.lostGwei + t.rewardsGwei - t.penaltiesGwei) * GWEI,
            );
            expect(paidToPool, "withdrawn to the pool's address").to.equal(t.withdrawnGwei * GWEI);
            expect(summary.beaconValidators, "validators counted").to.equal(BigInt(state.validators.length));
            expect(summary.exitedValidators, "exited <= counted").to.be.at.most(summary.beaconValidators);
            expect(summary.foreign, "foreign validators").to.equal(0);
          },
        ),
      );
    });

    it("never counts a validator whose first valid deposit carried other credentials, nor its ether", function () {
      fc.assert(
        fc.property(fc.array(beaconStep, { maxLength: 30 }), (steps) => {
          const { state } = runBeacon(minimal, 500, steps);
          // The simulator's rule: the first deposit with a valid signature creates the validator and fixes its
          // credentials; later deposits to the key (the pool's included) only top it up.
          const firstValid = new Map<number, boolean>();
          for (const step of steps) {
            if (step.kind === "deposit" && step.valid && !firstValid.has(step.key)) firstValid.set(step.key, step.ours);
          }
          let expectedCount = 0n;
          let expectedBalance = 0n;
          let foreign = 0;
          for (const [key, ours] of firstValid) {
            const validator = state.validators[state.indexByPubkey.get(pubkey(key))!]!;
            if (ours) {
              expectedCount++;
              expectedBalance += validator.balance * GWEI;
            } else {
              foreign++;
            }
          }
          const summary = summarizeValidators(allValidators(state), POOL_CREDENTIALS, state.epoch);
          expect(summary.beaconValidators, "validators counted").to.equal(expectedCount);
          expect(summary.beaconBalance, "balance counted, wei").to.equal(expectedBalance);
          expect(summary.foreign, "validators under other credentials").to.equal(foreign);
        }),
      );
    });
  });

  describe("promise 4: reports from a sound beacon chain stay within the sanity bounds", function () {
    it("a chain paying at most the maximum APR never yields a gain above the pool's reward cap", function () {
      fc.assert(
        fc.property(
          fc.constantFrom(mainnet, minimal),
          fc.integer({ min: 0, max: Number(MAX_APR_BPS) }),
          fc.integer({ min: 1, max: 12 }),
          fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 4 }),
          (preset, rewardRateBps, validators, intervals) => {
            const state = createState(preset, { rewardRateBps });
            for (let key = 0; key < validators; key++) {
              applyDeposit(state, {
                pubkey: pubkey(key),
                withdrawalCredentials: POOL_CREDENTIALS,
                amountGwei: 32n * GWEI,
                signatureValid: true,
              });
            }
            // Reports start once every validator is active (a validator seen later comes in at 32 ETH, not as gain).
            advanceEpochs(state, 64);
            const balance = () =>
              summarizeValidators(allValidators(state), POOL_CREDENTIALS, state.epoch).beaconBalance;
            for (const epochs of intervals) {
              // What the last report saw; the withdrawals since reach the pool through the vault, as gains.
              const before = balance();
              advanceEpochs(state, epochs);
              let withdrawn = 0n;
              for (const withdrawal of sweepWithdrawals(state)) withdrawn += withdrawal.amountGwei * GWEI;
              const gain = balance() + withdrawn - before;
              // StakingPool._checkBeaconDelta: gain <= before × maxAprBps × timeElapsed / (year × 10,000).
              const timeElapsed = BigInt(epochs) * preset.SLOTS_PER_EPOCH * preset.SECONDS_PER_SLOT;
              const cap = (before * MAX_APR_BPS * timeElapsed) / (YEAR * BPS);
              expect(gain, `gain over ${epochs} epochs at ${rewardRateBps} bps`).to.be.at.most(cap);
              expect(YEAR / (preset.SLOTS_PER_EPOCH * preset.SECONDS_PER_SLOT), "a year of epochs").to.equal(
                epochsPerYear(preset),
              );
            }
          },
        ),
      );
    });
  });

  describe("promise 7: the decentralization figures agree with the registry's share-cap rule", function () {
    /** The registry's rule after a deposit: every operator's active validators <= floor(total × cap / 10,000). */
    const withinCap = (counts: readonly bigint[], capBps: bigint) => {
      const total = counts.reduce((sum, count) => sum + count, 0n);
      return counts.every((count) => count <= (total * capBps) / BPS);
    };

    /** Some operators' counts (at least one validator) and the least cap the registry's rule admits them under. */
    const counts = fc
      .array(fc.bigInt(0n, 5_000n), { minLength: 1, maxLength: 12 })
      .filter((list) => list.some((count) => count > 0n))
      .map((list) => {
        const total = list.reduce((sum, count) => sum + count, 0n);
        const largest = list.reduce((max, count) => (count > max ? count : max), 0n);
        // The least cap with largest <= total × cap / 10,000.
        return { counts: list, leastCap: (largest * BPS + total - 1n) / total };
      });

    /** Counts and a cap the rule admits them under. */
    const admitted = fc
      .tuple(counts, fc.bigInt(0n, BPS))
      .map(([{ counts, leastCap }, extra]) => ({ counts, capBps: leastCap + extra > BPS ? BPS : leastCap + extra }));

    it("shows no operator above the cap while the rule holds", function () {
      fc.assert(
        fc.property(admitted, ({ capBps, counts }) => {
          expect(withinCap(counts, capBps), "the rule holds under this cap").to.equal(true);
          expect(BigInt(maxShareBps(counts)), "largest share, bps").to.be.at.most(capBps);
          const concentration = describeConcentration(counts);
          expect(concentration.validators, "validators").to.equal(counts.reduce((sum, count) => sum + count, 0n));
          expect(concentration.maxShareBps, "describeConcentration agrees").to.equal(maxShareBps(counts));
        }),
      );
    });

    it("shows an operator at or above the cap as soon as one is above the rule's limit", function () {
      fc.assert(
        fc.property(counts, fc.bigInt(1n, BPS), ({ counts, leastCap }, capSeed) => {
          fc.pre(leastCap > 1n);
          const capBps = 1n + (capSeed % (leastCap - 1n));
          expect(withinCap(counts, capBps), "the rule is broken under this cap").to.equal(false);
          expect(BigInt(maxShareBps(counts)), "largest share, bps").to.be.at.least(capBps);
        }),
      );
    });
  });

  describe("promise 2: the library's deposits and requests never dilute other holders", function () {
    /** Four validators staked and a report with rewards, so a share is worth more than a wei per wei. */
    async function withRewards() {
      const fixture = await networkHelpers.loadFixture(deployPlural);
      await stakeOneValidatorPerOperator(connection, fixture.protocol);
      await submitBeaconReport(connection, fixture.protocol, 700n, 86_400n);
      return fixture;
    }

    it("no deposit or withdrawal request through lib lowers another holder's value", async function () {
      const { protocol } = await networkHelpers.loadFixture(withRewards);
      const oneShare = await protocol.pool.convertToAssets(parseEther("1"));
      expect(oneShare, "a share is worth more than one ether").to.be.greaterThan(parseEther("1"));

      const action = fc.record({
        actor: fc.nat(2),
        request: fc.boolean(),
        // Odd amounts in wei, so that every conversion rounds.
        wei: fc.bigInt(10n ** 14n, 50n * 10n ** 18n),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 5 }), async (actions) => {
          const { protocol, accounts } = await networkHelpers.loadFixture(withRewards);
          const users = [accounts.alice, accounts.bob, accounts.carol];
          const holders = [
            ...users.map((user) => user.address),
            protocol.addresses.withdrawalQueue,
            "0x000000000000000000000000000000000000dEaD",
          ];
          const values = async () =>
            Promise.all(holders.map(async (h) => protocol.pool.convertToAssets(await protocol.pool.balanceOf(h))));
          for (const { actor, request, wei } of actions) {
            const user = users[actor]!;
            const shares = await protocol.pool.balanceOf(user.address);
            const sharesToRequest = (await protocol.pool.convertToShares(wei)) + 1n;
            const before = await values();
            if (request && sharesToRequest <= shares) {
              await requestWithdrawal(protocol, user, sharesToRequest);
            } else {
              await deposit(protocol.pool, user, wei);
            }
            const after = await values();
            holders.forEach((holder, i) => {
              if (holder === user.address) return;
              expect(after[i]!, `value of ${holder}`).to.be.at.least(before[i]!);
            });
          }
        }),
        // Each run is a chain revert and up to five transactions.
        { numRuns: 20 },
      );
    });
  });
});
