import { expect } from "chai";
import fc from "fast-check";

import { FAR_FUTURE_EPOCH, mainnet, minimal, type Preset } from "../lib/beacon/preset.js";
import {
  advanceEpochs,
  applyDeposit,
  applyWithdrawals,
  type BeaconState,
  cloneState,
  computeWithdrawals,
  createState,
  ExitNotAllowedError,
  NotSlashableError,
  penalize,
  processEpoch,
  slash,
  StaleWithdrawalsError,
  sweepWithdrawals,
  totalBalance,
  validatorStatus,
  voluntaryExit,
} from "../lib/beacon/state.js";

const ETH = 1_000_000_000n;
const pubkey = (i: number) => "0x" + (i + 1).toString(16).padStart(96, "0");
const ADDRESS = "0x" + "ab".repeat(20);
const EXECUTION_CREDENTIALS = "0x01" + "00".repeat(11) + "ab".repeat(20);
const BLS_CREDENTIALS = "0x00" + "cd".repeat(31);

function deposit(
  state: BeaconState,
  i: number,
  amountGwei: bigint,
  signatureValid = true,
  creds = EXECUTION_CREDENTIALS,
) {
  return applyDeposit(state, { pubkey: pubkey(i), withdrawalCredentials: creds, amountGwei, signatureValid });
}

function validator(state: BeaconState, index: number) {
  const v = state.validators[index];
  if (v === undefined) throw new Error(`no validator ${index}`);
  return v;
}

/** `count` validators of 32 ETH, all active at the returned state's epoch. */
function activeValidators(preset: Preset, count: number, rewardRateBps = 0): BeaconState {
  const state = createState(preset, { rewardRateBps });
  for (let i = 0; i < count; i++) deposit(state, i, 32n * ETH);
  while (state.validators.some((v) => v.activationEpoch > state.epoch)) processEpoch(state);
  return state;
}

function conserved(state: BeaconState): boolean {
  const t = state.totals;
  return totalBalance(state) + t.withdrawnGwei + t.lostGwei + t.penaltiesGwei === t.depositedGwei + t.rewardsGwei;
}

describe("beacon state", function () {
  describe("applyDeposit", function () {
    it("loses an invalid-signature first deposit, then creates the validator from a valid one", function () {
      const state = createState(minimal);
      expect(deposit(state, 0, 32n * ETH, false, BLS_CREDENTIALS), "invalid first").to.deep.equal({ kind: "lost" });
      expect(state.validators, "no validator").to.have.length(0);
      expect(state.totals.lostGwei, "lost").to.equal(32n * ETH);

      expect(deposit(state, 0, 32n * ETH, true), "valid").to.deep.equal({ kind: "created", index: 0 });
      const v = validator(state, 0);
      expect(v.withdrawalCredentials, "credentials from the valid deposit").to.equal(EXECUTION_CREDENTIALS);
      expect(v.balance, "balance").to.equal(32n * ETH);
      expect(v.effectiveBalance, "effective").to.equal(32n * ETH);
      expect(state.totals.depositedGwei, "deposited").to.equal(64n * ETH);
      expect(validatorStatus(state, 0), "status").to.equal("pending_initialized");
    });

    it("tops up a known pubkey whatever the signature and keeps the first credentials", function () {
      const state = createState(minimal);
      deposit(state, 0, 31n * ETH + 700_000_000n);
      expect(validator(state, 0).effectiveBalance, "effective floored to the increment").to.equal(31n * ETH);
      expect(deposit(state, 0, 5n * ETH, false, BLS_CREDENTIALS), "top-up").to.deep.equal({
        kind: "toppedUp",
        index: 0,
      });
      const v = validator(state, 0);
      expect(v.balance, "balance").to.equal(36n * ETH + 700_000_000n);
      expect(v.withdrawalCredentials, "credentials unchanged").to.equal(EXECUTION_CREDENTIALS);
      expect(state.totals.lostGwei, "nothing lost").to.equal(0n);
    });

    it("rejects malformed pubkeys", function () {
      const state = createState(minimal);
      expect(() =>
        applyDeposit(state, {
          pubkey: "0x12",
          withdrawalCredentials: EXECUTION_CREDENTIALS,
          amountGwei: 1n,
          signatureValid: true,
        }),
      ).to.throw(TypeError);
    });
  });

  describe("activation", function () {
    it("queues at 32 ETH effective and activates after the seed lookahead once eligibility is finalized", function () {
      const state = createState(minimal);
      deposit(state, 0, 32n * ETH);
      processEpoch(state); // epoch 0: eligibility = 1
      expect(validator(state, 0).activationEligibilityEpoch, "eligibility").to.equal(1n);
      expect(validatorStatus(state, 0), "queued").to.equal("pending_queued");
      processEpoch(state); // epoch 1: finalized 0 < 1
      expect(validator(state, 0).activationEpoch, "not yet").to.equal(FAR_FUTURE_EPOCH);
      processEpoch(state); // epoch 2: finalized 1, activation = 2 + 1 + 4
      expect(validator(state, 0).activationEpoch, "activation epoch").to.equal(7n);
      advanceEpochs(state, 3);
      expect(validatorStatus(state, 0), "epoch 6").to.equal("pending_queued");
      processEpoch(state);
      expect(validatorStatus(state, 0), "epoch 7").to.equal("active_ongoing");
    });

    it("applies hysteresis: a 1 ETH top-up to 31 ETH does not reach the queue, a 2 ETH one does", function () {
      const state = createState(minimal);
      deposit(state, 0, 31n * ETH);
      deposit(state, 0, 1n * ETH);
      processEpoch(state);
      expect(validator(state, 0).effectiveBalance, "within the upward threshold").to.equal(31n * ETH);
      expect(validatorStatus(state, 0), "still initialized").to.equal("pending_initialized");
      deposit(state, 0, 1n * ETH);
      processEpoch(state);
      expect(validator(state, 0).effectiveBalance, "capped at the maximum").to.equal(32n * ETH);
      processEpoch(state);
      expect(validator(state, 0).activationEligibilityEpoch, "eligible next epoch").to.equal(3n);
    });

    it("activates at most the activation churn limit per epoch, by eligibility then index", function () {
      const state = createState(minimal);
      for (let i = 0; i < 10; i++) deposit(state, i, 32n * ETH);
      advanceEpochs(state, 7);
      // min(MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT 4, max(MIN_PER_EPOCH_CHURN_LIMIT 2, 0 / 32)) = 2 per epoch from epoch 2.
      expect(
        state.validators.map((v) => v.activationEpoch),
        "activation epochs",
      ).to.deep.equal([7n, 7n, 8n, 8n, 9n, 9n, 10n, 10n, 11n, 11n]);
    });

    it("keeps the queue exact in advanceEpochs while exits and activations move the churn limit", function () {
      const state = createState(minimal, { rewardRateBps: 300 });
      for (let i = 0; i < 100; i++) deposit(state, i, 32n * ETH);
      advanceEpochs(state, 110); // all active, past SHARD_COMMITTEE_PERIOD
      for (let i = 100; i < 200; i++) deposit(state, i, 32n * ETH);
      for (let i = 0; i < 8; i++) voluntaryExit(state, i);
      const exact = cloneState(state);
      advanceEpochs(state, 80);
      for (let k = 0; k < 80; k++) processEpoch(exact);
      expect(state, "batched equals exact").to.deep.equal(exact);
      // Eight exits at churn 3 leave at epochs 115, 116, 117: the active count falls from 100 (churn 3) to 94 at
      // 116 (churn 2), before the first of the new validators (dequeued at 112) arrive at 117.
      const batches = new Map<bigint, number>();
      for (const v of state.validators.slice(100))
        batches.set(v.activationEpoch, (batches.get(v.activationEpoch) ?? 0) + 1);
      expect([...batches.entries()].slice(0, 6), "first activation batches").to.deep.equal([
        [117n, 3],
        [118n, 3],
        [119n, 3],
        [120n, 3],
        [121n, 2],
        [122n, 2],
      ]);
    });

    it("uses the mainnet churn of 4 when fewer than 262,144 validators are active", function () {
      const state = createState(mainnet);
      for (let i = 0; i < 9; i++) deposit(state, i, 32n * ETH);
      advanceEpochs(state, 5);
      expect(
        state.validators.map((v) => v.activationEpoch),
        "activation epochs",
      ).to.deep.equal([7n, 7n, 7n, 7n, 8n, 8n, 8n, 8n, 9n]);
    });
  });

  describe("exits", function () {
    it("refuses a voluntary exit before SHARD_COMMITTEE_PERIOD, then queues it with the withdrawability delay", function () {
      const state = activeValidators(minimal, 1);
      const activation = validator(state, 0).activationEpoch;
      expect(() => voluntaryExit(state, 0), "too young")
        .to.throw(ExitNotAllowedError)
        .with.property("reason", "too_young");
      advanceEpochs(state, activation + 64n - state.epoch);
      voluntaryExit(state, 0);
      const v = validator(state, 0);
      expect(v.exitEpoch, "exit").to.equal(state.epoch + 5n);
      expect(v.withdrawableEpoch, "withdrawable").to.equal(state.epoch + 5n + 256n);
      expect(validatorStatus(state, 0), "exiting").to.equal("active_exiting");
      expect(() => voluntaryExit(state, 0), "twice")
        .to.throw(ExitNotAllowedError)
        .with.property("reason", "already_exiting");
      advanceEpochs(state, 5);
      expect(validatorStatus(state, 0), "exited").to.equal("exited_unslashed");
      advanceEpochs(state, 256);
      expect(validatorStatus(state, 0), "withdrawable").to.equal("withdrawal_possible");
    });

    it("pushes exits beyond the churn limit to the next epoch", function () {
      const state = activeValidators(minimal, 3);
      advanceEpochs(state, 64);
      for (let i = 0; i < 3; i++) voluntaryExit(state, i);
      const e = state.epoch + 5n;
      expect(
        state.validators.map((v) => v.exitEpoch),
        "exit epochs",
      ).to.deep.equal([e, e, e + 1n]);
    });

    it("ejects an active validator whose effective balance falls to EJECTION_BALANCE", function () {
      const state = activeValidators(minimal, 2);
      penalize(state, 0, 15n * ETH + 800_000_000n); // 16.2 ETH left
      processEpoch(state);
      expect(validator(state, 0).effectiveBalance, "effective").to.equal(16n * ETH);
      expect(validator(state, 0).exitEpoch, "not yet").to.equal(FAR_FUTURE_EPOCH);
      const epoch = state.epoch;
      processEpoch(state);
      expect(validator(state, 0).exitEpoch, "ejected").to.equal(epoch + 5n);
      expect(validator(state, 1).exitEpoch, "the other stays").to.equal(FAR_FUTURE_EPOCH);
    });
  });

  describe("slash", function () {
    it("takes 1/32 at once, delays withdrawability and applies the correlation penalty at the midpoint", function () {
      const state = activeValidators(mainnet, 10);
      const e = state.epoch;
      slash(state, 0);
      const v = validator(state, 0);
      expect(v.balance, "initial penalty 32 ETH / 32").to.equal(31n * ETH);
      expect(v.exitEpoch, "forced exit").to.equal(e + 5n);
      expect(v.withdrawableEpoch, "max(exit + 256, epoch + 8192)").to.equal(e + 8192n);
      expect(validatorStatus(state, 0), "status").to.equal("active_slashed");
      expect(() => slash(state, 0), "twice").to.throw(NotSlashableError);
      const exact = cloneState(state);

      advanceEpochs(state, e + 4096n - state.epoch);
      expect(v.balance, "before the midpoint").to.equal(31n * ETH);
      expect(validatorStatus(state, 0), "exited").to.equal("exited_slashed");
      processEpoch(state);
      // adjusted = min(32 ETH * 3, 9 * 32 ETH) = 96 ETH; penalty = 31 * 96 / 288 = 10 increments.
      expect(v.balance, "after the correlation penalty").to.equal(21n * ETH);
      expect(state.totals.penaltiesGwei, "penalties").to.equal(11n * ETH);

      advanceEpochs(state, e + 8192n - state.epoch);
      while (exact.epoch < state.epoch) processEpoch(exact);
      expect(exact, "batched epochs equal exact ones through the correlation penalty").to.deep.equal(state);
      expect(validatorStatus(state, 0), "withdrawable").to.equal("withdrawal_possible");
      const withdrawals = sweepWithdrawals(state);
      expect(withdrawals, "full withdrawal").to.deep.equal([
        { index: 0n, validatorIndex: 0, address: ADDRESS, amountGwei: 21n * ETH },
      ]);
      expect(validatorStatus(state, 0), "done").to.equal("withdrawal_done");
      expect(conserved(state), "conservation").to.equal(true);
    });

    it("refuses to slash a validator that was never active", function () {
      const state = createState(minimal);
      deposit(state, 0, 32n * ETH);
      expect(() => slash(state, 0)).to.throw(NotSlashableError);
    });
  });

  describe("withdrawals", function () {
    it("sweeps the excess above 32 ETH of 0x01 validators only, at most MAX_WITHDRAWALS_PER_PAYLOAD per payload", function () {
      const state = activeValidators(minimal, 6);
      deposit(state, 6, 32n * ETH, true, BLS_CREDENTIALS);
      for (let i = 0; i < 7; i++) deposit(state, i, BigInt(i + 1) * ETH);
      const first = sweepWithdrawals(state);
      expect(
        first.map((w) => [w.validatorIndex, w.amountGwei]),
        "first payload",
      ).to.deep.equal([
        [0, 1n * ETH],
        [1, 2n * ETH],
        [2, 3n * ETH],
        [3, 4n * ETH],
      ]);
      expect(state.nextWithdrawalValidatorIndex, "cursor after a full payload").to.equal(4);
      const second = sweepWithdrawals(state);
      expect(
        second.map((w) => [w.index, w.validatorIndex]),
        "second payload skips the 0x00 validator",
      ).to.deep.equal([
        [4n, 4],
        [5n, 5],
      ]);
      expect(validator(state, 6).balance, "0x00 untouched").to.equal(39n * ETH);
      expect(sweepWithdrawals(state), "nothing left").to.deep.equal([]);
      expect(
        state.validators.slice(0, 6).map((v) => v.balance),
        "balances",
      ).to.deep.equal(Array(6).fill(32n * ETH));
    });

    it("rejects a stale list so nothing is swept twice", function () {
      const state = activeValidators(minimal, 1);
      deposit(state, 0, 1n * ETH);
      const withdrawals = computeWithdrawals(state);
      applyWithdrawals(state, withdrawals);
      expect(() => applyWithdrawals(state, withdrawals)).to.throw(StaleWithdrawalsError);
      expect(state.totals.withdrawnGwei, "withdrawn once").to.equal(1n * ETH);
    });

    it("limits the scan to MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP and wraps the cursor", function () {
      const state = activeValidators(minimal, 20);
      deposit(state, 18, 1n * ETH);
      expect(sweepWithdrawals(state), "index 18 is beyond the first 16 scanned").to.deep.equal([]);
      expect(state.nextWithdrawalValidatorIndex, "cursor advanced by the sweep bound").to.equal(16);
      expect(
        sweepWithdrawals(state).map((w) => w.validatorIndex),
        "found on the next pass",
      ).to.deep.equal([18]);
    });
  });

  describe("rewards", function () {
    it("pays the annual rate pro-rated per epoch to active unslashed validators", function () {
      const state = activeValidators(mainnet, 2, 300);
      const before = validator(state, 1).balance;
      slash(state, 0);
      const slashedBefore = validator(state, 0).balance;
      advanceEpochs(state, 82_125);
      // 32 ETH * 3 % / 82,125 epochs = 11,689.49 gwei, floored per epoch.
      expect(validator(state, 1).balance - before, "one year").to.equal(11_689n * 82_125n);
      expect(validator(state, 0).balance, "slashed: no rewards, correlation penalty only").to.be.lessThan(
        slashedBefore,
      );
      expect(conserved(state), "conservation").to.equal(true);
    });
  });

  describe("properties", function () {
    type Op =
      | { kind: "deposit"; i: number; amount: bigint; valid: boolean; eth1: boolean }
      | { kind: "epochs"; n: number; batched: boolean }
      | { kind: "slash"; i: number }
      | { kind: "exit"; i: number }
      | { kind: "penalize"; i: number; amount: bigint }
      | { kind: "sweep"; max: number };

    const amount = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(1n * ETH, 2n * ETH, 31n * ETH, 32n * ETH, 33n * ETH) },
      { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 40n * ETH }) },
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("deposit" as const),
          i: fc.nat(9),
          amount,
          valid: fc.boolean(),
          eth1: fc.boolean(),
        }),
      },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("epochs" as const),
          n: fc.integer({ min: 1, max: 300 }),
          batched: fc.boolean(),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("slash" as const), i: fc.nat(9) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("exit" as const), i: fc.nat(9) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("penalize" as const),
          i: fc.nat(9),
          amount: fc.bigInt({ min: 0n, max: 20n * ETH }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("sweep" as const), max: fc.integer({ min: 1, max: 4 }) }) },
    );

    // Absurd rates included: they cross the hysteresis thresholds within a few epochs, which real ones never do here.
    const rate = fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1_000_000, max: 20_000_000 }));

    /** Six 32 ETH validators at genesis, so random sequences reach activation, exits and withdrawals often. */
    const GENESIS: Op[] = Array.from({ length: 6 }, (_, i) => ({
      kind: "deposit",
      i,
      amount: 32n * ETH,
      valid: true,
      eth1: i % 3 !== 2,
    }));
    const scenario = fc.array(op, { maxLength: 60 }).map((ops) => [...GENESIS, ...ops]);

    /** Applies one operation; refusals the spec would make are skipped, as a block would not include them. */
    function run(state: BeaconState, o: Op): void {
      const known = o.kind !== "deposit" && o.kind !== "epochs" && o.kind !== "sweep" && o.i < state.validators.length;
      switch (o.kind) {
        case "deposit":
          deposit(state, o.i, o.amount, o.valid, o.eth1 ? EXECUTION_CREDENTIALS : BLS_CREDENTIALS);
          return;
        case "epochs":
          if (o.batched) advanceEpochs(state, o.n);
          else for (let k = 0; k < o.n; k++) processEpoch(state);
          return;
        case "sweep":
          sweepWithdrawals(state, o.max);
          return;
        case "penalize":
          if (known) penalize(state, o.i, o.amount);
          return;
        case "slash":
        case "exit":
          if (!known) return;
          try {
            if (o.kind === "slash") slash(state, o.i);
            else voluntaryExit(state, o.i);
          } catch (error) {
            if (!(error instanceof NotSlashableError) && !(error instanceof ExitNotAllowedError)) throw error;
          }
      }
    }

    it("invariant_BalancesPlusOutflowsEqualDepositsPlusRewards", function () {
      fc.assert(
        fc.property(rate, scenario, (rateBps, ops) => {
          const state = createState(minimal, { rewardRateBps: rateBps });
          for (const o of ops) {
            run(state, o);
            if (!conserved(state)) return false;
          }
          return true;
        }),
        { numRuns: 200 },
      );
    });

    it("invariant_FullWithdrawalLeavesNothingToSweepAgain", function () {
      let fullWithdrawals = 0;
      fc.assert(
        fc.property(scenario, (ops) => {
          const state = createState(minimal, { rewardRateBps: 500 });
          // Validators fully withdrawn and not topped up since: no sweep may ever pay them again.
          const done = new Set<number>();
          const tail: Op[] = [{ kind: "epochs", n: 600, batched: true }, ...ops.filter((o) => o.kind !== "deposit")];
          for (const o of [...ops, ...tail]) {
            if (o.kind === "deposit") done.delete(state.indexByPubkey.get(pubkey(o.i)) ?? -1);
            if (o.kind !== "sweep") {
              run(state, o);
              continue;
            }
            for (const w of sweepWithdrawals(state, o.max)) {
              expect(done.has(w.validatorIndex), `validator ${w.validatorIndex} swept twice`).to.equal(false);
              const v = validator(state, w.validatorIndex);
              if (v.withdrawableEpoch > state.epoch) continue;
              expect(v.balance, "full withdrawal empties the balance").to.equal(0n);
              expect(validatorStatus(state, w.validatorIndex), "status").to.equal("withdrawal_done");
              done.add(w.validatorIndex);
              fullWithdrawals++;
            }
          }
        }),
        { numRuns: 150 },
      );
      expect(fullWithdrawals, "the property is not vacuous").to.be.greaterThan(0);
    });

    it("advanceEpochs equals processEpoch repeated", function () {
      fc.assert(
        fc.property(rate, scenario, fc.integer({ min: 1, max: 400 }), (rateBps, ops, n) => {
          const state = createState(minimal, { rewardRateBps: rateBps });
          for (const o of ops) run(state, o);
          const batched = cloneState(state);
          advanceEpochs(batched, n);
          for (let k = 0; k < n; k++) processEpoch(state);
          expect(batched).to.deep.equal(state);
        }),
        { numRuns: 200 },
      );
    });
  });
});
