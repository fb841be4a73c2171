/**
 * The pure core of the local beacon-chain simulator: validator registry, deposits, epoch processing, slashing and
 * the withdrawals sweep, following the consensus specs' Deneb rules (see `preset.ts`). No I/O and no clock: the
 * caller applies deposits, decides BLS signature validity, and advances epochs.
 *
 * Simplified versus the spec, on purpose:
 * - Participation is perfect and is not modelled per attestation: every active, unslashed validator earns
 *   `effective * rewardRateBps / (10_000 * epochsPerYear)` gwei per epoch (floored), including at genesis; there are
 *   no attestation, sync-committee or inactivity penalties (the simulator can impose its own through `penalize`),
 *   so a slashed validator only loses its slashing penalties.
 * - Finality follows from perfect participation: processing epoch N finalizes N - 1.
 * - Slashing pays no whistleblower or proposer reward (no blocks are proposed here).
 * - Balances live on the validator rather than in a separate list; `slashings` is keyed by epoch rather than a
 *   ring buffer, which is equivalent to the spec's vector with its per-epoch reset.
 * - On the minimal preset the correlation penalty is always zero, as in the spec: MIN_VALIDATOR_WITHDRAWABILITY_DELAY
 *   (256) exceeds EPOCHS_PER_SLASHINGS_VECTOR (64), so the slashing has left the window by the midpoint.
 * Effective-balance hysteresis, churn, exit queue, correlation penalty and withdrawals are exact, and
 * `advanceEpochs` gives the same state as `processEpoch` repeated (tested), only faster.
 *
 * Invariant (tested by that name): sum of balances + withdrawn + lost + penalties == deposited + rewards.
 */
import { epochsPerYear, FAR_FUTURE_EPOCH, type Preset } from "./preset.js";

export interface Validator {
  /** 0x-prefixed lowercase, 48 bytes. */
  readonly pubkey: string;
  /** 0x-prefixed lowercase, 32 bytes; fixed by the first valid deposit. */
  readonly withdrawalCredentials: string;
  effectiveBalance: bigint;
  balance: bigint;
  slashed: boolean;
  activationEligibilityEpoch: bigint;
  activationEpoch: bigint;
  exitEpoch: bigint;
  withdrawableEpoch: bigint;
}

/** Running totals that make conservation checkable without replaying history. */
export interface Totals {
  depositedGwei: bigint;
  /** Deposits skipped for an invalid signature on an unknown pubkey: their ETH stays in the deposit contract. */
  lostGwei: bigint;
  rewardsGwei: bigint;
  /** Amounts actually deducted (a penalty never takes a balance below zero). */
  penaltiesGwei: bigint;
  withdrawnGwei: bigint;
}

export interface BeaconState {
  readonly preset: Preset;
  readonly rewardRateBps: bigint;
  epoch: bigint;
  finalizedEpoch: bigint;
  readonly validators: Validator[];
  readonly indexByPubkey: Map<string, number>;
  /** Effective balance slashed per epoch, pruned outside the last EPOCHS_PER_SLASHINGS_VECTOR epochs. */
  readonly slashings: Map<bigint, bigint>;
  nextWithdrawalIndex: bigint;
  nextWithdrawalValidatorIndex: number;
  readonly totals: Totals;
}

export interface Deposit {
  pubkey: string;
  withdrawalCredentials: string;
  amountGwei: bigint;
  signatureValid: boolean;
}

export interface Withdrawal {
  index: bigint;
  validatorIndex: number;
  /** 0x-prefixed, 20 bytes: the last 20 bytes of 0x01 credentials. */
  address: string;
  amountGwei: bigint;
}

export type ValidatorStatus =
  | "pending_initialized"
  | "pending_queued"
  | "active_ongoing"
  | "active_exiting"
  | "active_slashed"
  | "exited_unslashed"
  | "exited_slashed"
  | "withdrawal_possible"
  | "withdrawal_done";

export type DepositResult = { kind: "created"; index: number } | { kind: "toppedUp"; index: number } | { kind: "lost" };

export class UnknownValidatorError extends Error {
  override name = "UnknownValidatorError";
  constructor(readonly index: number) {
    super(`no validator at index ${index}`);
  }
}

export class NotSlashableError extends Error {
  override name = "NotSlashableError";
  constructor(
    readonly index: number,
    readonly epoch: bigint,
  ) {
    super(`validator ${index} is not slashable at epoch ${epoch}`);
  }
}

export class ExitNotAllowedError extends Error {
  override name = "ExitNotAllowedError";
  constructor(
    readonly index: number,
    readonly reason: "not_active" | "already_exiting" | "too_young",
  ) {
    super(`validator ${index} cannot exit voluntarily: ${reason}`);
  }
}

export class StaleWithdrawalsError extends Error {
  override name = "StaleWithdrawalsError";
  constructor(
    readonly expected: readonly Withdrawal[],
    readonly given: readonly Withdrawal[],
  ) {
    super(`withdrawals no longer match the state: expected ${expected.length}, given ${given.length}`);
  }
}

const HEX_RE = /^0x[0-9a-fA-F]*$/;

function hexOfLength(value: string, bytes: number, what: string): string {
  if (!HEX_RE.test(value) || value.length !== 2 + 2 * bytes) {
    throw new TypeError(`${what}: expected 0x and ${bytes} bytes of hex, got ${value}`);
  }
  return value.toLowerCase();
}

export function createState(
  preset: Preset,
  options: { rewardRateBps?: number | bigint; epoch?: bigint } = {},
): BeaconState {
  const rewardRateBps = BigInt(options.rewardRateBps ?? 0);
  if (rewardRateBps < 0n) throw new RangeError(`rewardRateBps: expected >= 0, got ${rewardRateBps}`);
  const epoch = options.epoch ?? 0n;
  return {
    preset,
    rewardRateBps,
    epoch,
    finalizedEpoch: epoch > 0n ? epoch - 1n : 0n,
    validators: [],
    indexByPubkey: new Map(),
    slashings: new Map(),
    nextWithdrawalIndex: 0n,
    nextWithdrawalValidatorIndex: 0,
    totals: { depositedGwei: 0n, lostGwei: 0n, rewardsGwei: 0n, penaltiesGwei: 0n, withdrawnGwei: 0n },
  };
}

/** A deep copy: the simulator can try a transition and keep the original. */
export function cloneState(state: BeaconState): BeaconState {
  return {
    ...state,
    validators: state.validators.map((v) => ({ ...v })),
    indexByPubkey: new Map(state.indexByPubkey),
    slashings: new Map(state.slashings),
    totals: { ...state.totals },
  };
}

function validatorAt(state: BeaconState, index: number): Validator {
  const validator = state.validators[index];
  if (validator === undefined) throw new UnknownValidatorError(index);
  return validator;
}

const isActive = (v: Validator, epoch: bigint) => v.activationEpoch <= epoch && epoch < v.exitEpoch;

function decreaseBalance(state: BeaconState, v: Validator, delta: bigint): void {
  // The spec floors at zero; only what was actually taken counts as a penalty.
  const taken = delta > v.balance ? v.balance : delta;
  v.balance -= taken;
  state.totals.penaltiesGwei += taken;
}

/** The spec's apply_deposit (the Merkle proof is the deposit contract's business, the signature the caller's). */
export function applyDeposit(state: BeaconState, deposit: Deposit): DepositResult {
  const pubkey = hexOfLength(deposit.pubkey, 48, "pubkey");
  const withdrawalCredentials = hexOfLength(deposit.withdrawalCredentials, 32, "withdrawalCredentials");
  const amount = deposit.amountGwei;
  if (amount < 0n) throw new RangeError(`amountGwei: expected >= 0, got ${amount}`);
  state.totals.depositedGwei += amount;

  const known = state.indexByPubkey.get(pubkey);
  if (known !== undefined) {
    // Top-ups skip the signature check: the credentials were fixed by the first valid deposit.
    validatorAt(state, known).balance += amount;
    return { kind: "toppedUp", index: known };
  }
  if (!deposit.signatureValid) {
    state.totals.lostGwei += amount;
    return { kind: "lost" };
  }
  const { EFFECTIVE_BALANCE_INCREMENT, MAX_EFFECTIVE_BALANCE } = state.preset;
  const floored = amount - (amount % EFFECTIVE_BALANCE_INCREMENT);
  const index = state.validators.length;
  state.validators.push({
    pubkey,
    withdrawalCredentials,
    effectiveBalance: floored < MAX_EFFECTIVE_BALANCE ? floored : MAX_EFFECTIVE_BALANCE,
    balance: amount,
    slashed: false,
    activationEligibilityEpoch: FAR_FUTURE_EPOCH,
    activationEpoch: FAR_FUTURE_EPOCH,
    exitEpoch: FAR_FUTURE_EPOCH,
    withdrawableEpoch: FAR_FUTURE_EPOCH,
  });
  state.indexByPubkey.set(pubkey, index);
  return { kind: "created", index };
}

function activeCount(state: BeaconState, epoch: bigint): number {
  let count = 0;
  for (const v of state.validators) if (isActive(v, epoch)) count++;
  return count;
}

function churnLimit(preset: Preset, active: number): number {
  return Math.max(preset.MIN_PER_EPOCH_CHURN_LIMIT, Math.floor(active / preset.CHURN_LIMIT_QUOTIENT));
}

/** Deneb's get_validator_activation_churn_limit: the exit churn capped by MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT. */
function activationChurnLimit(preset: Preset, active: number): number {
  return Math.min(preset.MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT, churnLimit(preset, active));
}

const activationExitEpoch = (preset: Preset, epoch: bigint) => epoch + 1n + preset.MAX_SEED_LOOKAHEAD;

/** The spec's initiate_validator_exit (pre-Electra: churn counted in validators). */
function initiateValidatorExit(state: BeaconState, index: number): void {
  const v = validatorAt(state, index);
  if (v.exitEpoch !== FAR_FUTURE_EPOCH) return;
  let queueEpoch = activationExitEpoch(state.preset, state.epoch);
  for (const other of state.validators) {
    if (other.exitEpoch !== FAR_FUTURE_EPOCH && other.exitEpoch > queueEpoch) queueEpoch = other.exitEpoch;
  }
  let queueChurn = 0;
  for (const other of state.validators) if (other.exitEpoch === queueEpoch) queueChurn++;
  if (queueChurn >= churnLimit(state.preset, activeCount(state, state.epoch))) queueEpoch += 1n;
  v.exitEpoch = queueEpoch;
  v.withdrawableEpoch = queueEpoch + state.preset.MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
}

/** The spec's process_voluntary_exit checks and effect; the signature is the caller's business. */
export function voluntaryExit(state: BeaconState, index: number): void {
  const v = validatorAt(state, index);
  if (!isActive(v, state.epoch)) throw new ExitNotAllowedError(index, "not_active");
  if (v.exitEpoch !== FAR_FUTURE_EPOCH) throw new ExitNotAllowedError(index, "already_exiting");
  if (state.epoch < v.activationEpoch + state.preset.SHARD_COMMITTEE_PERIOD) {
    throw new ExitNotAllowedError(index, "too_young");
  }
  initiateValidatorExit(state, index);
}

/** Why the consensus layer ignored a withdrawal request (EIP-7002): requests fail without failing the block. */
export type WithdrawalRequestIgnoredReason =
  | "unknown_validator"
  | "no_execution_credentials"
  | "wrong_source"
  | "not_active"
  | "already_exiting"
  | "too_young"
  | "partial_needs_compounding_credentials"
  | "partial_without_excess_balance"
  | "partial_not_modelled";

export type WithdrawalRequestResult =
  { kind: "exited"; index: number } | { kind: "ignored"; reason: WithdrawalRequestIgnoredReason; index?: number };

/**
 * Electra's process_withdrawal_request for one request the execution layer dequeued: a full exit (amount 0) of a
 * known validator whose 0x01/0x02 credentials name `sourceAddress`, active, not exiting, active for
 * SHARD_COMMITTEE_PERIOD epochs, initiates its exit. Anything else is ignored, as on chain, and the result says why.
 * Pending partial withdrawals are not modelled (there are none, so full exits never wait for them); a partial request
 * that Electra would queue (0x02 credentials, balance above MIN_ACTIVATION_BALANCE) is ignored as "partial_not_modelled".
 */
export function processWithdrawalRequest(
  state: BeaconState,
  request: { sourceAddress: string; pubkey: string; amountGwei: bigint },
): WithdrawalRequestResult {
  const index = state.indexByPubkey.get(request.pubkey.toLowerCase());
  if (index === undefined) return { kind: "ignored", reason: "unknown_validator" };
  const v = validatorAt(state, index);
  const ignored = (reason: WithdrawalRequestIgnoredReason): WithdrawalRequestResult => ({
    kind: "ignored",
    reason,
    index,
  });
  const prefix = v.withdrawalCredentials.slice(0, 4);
  if (prefix !== "0x01" && prefix !== "0x02") return ignored("no_execution_credentials");
  if ("0x" + v.withdrawalCredentials.slice(26) !== request.sourceAddress.toLowerCase()) return ignored("wrong_source");
  if (!isActive(v, state.epoch)) return ignored("not_active");
  if (v.exitEpoch !== FAR_FUTURE_EPOCH) return ignored("already_exiting");
  if (state.epoch < v.activationEpoch + state.preset.SHARD_COMMITTEE_PERIOD) return ignored("too_young");
  if (request.amountGwei === 0n) {
    initiateValidatorExit(state, index);
    return { kind: "exited", index };
  }
  if (prefix !== "0x02") return ignored("partial_needs_compounding_credentials");
  const { MIN_ACTIVATION_BALANCE } = state.preset;
  if (v.effectiveBalance < MIN_ACTIVATION_BALANCE || v.balance <= MIN_ACTIVATION_BALANCE) {
    return ignored("partial_without_excess_balance");
  }
  return ignored("partial_not_modelled");
}

/**
 * Takes `amountGwei` from a validator's balance (floored at zero): the hook for penalties the simulator decides,
 * such as missed duties or an inactivity leak, which perfect participation never produces by itself.
 */
export function penalize(state: BeaconState, index: number, amountGwei: bigint): void {
  if (amountGwei < 0n) throw new RangeError(`amountGwei: expected >= 0, got ${amountGwei}`);
  decreaseBalance(state, validatorAt(state, index), amountGwei);
}

/** The spec's slash_validator, without whistleblower or proposer rewards. */
export function slash(state: BeaconState, index: number): void {
  const v = validatorAt(state, index);
  const epoch = state.epoch;
  if (v.slashed || !(v.activationEpoch <= epoch && epoch < v.withdrawableEpoch)) {
    throw new NotSlashableError(index, epoch);
  }
  const { EPOCHS_PER_SLASHINGS_VECTOR, MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX } = state.preset;
  initiateValidatorExit(state, index);
  v.slashed = true;
  const delayed = epoch + EPOCHS_PER_SLASHINGS_VECTOR;
  if (delayed > v.withdrawableEpoch) v.withdrawableEpoch = delayed;
  state.slashings.set(epoch, (state.slashings.get(epoch) ?? 0n) + v.effectiveBalance);
  decreaseBalance(state, v, v.effectiveBalance / MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX);
}

/** Per-epoch reward of one active, unslashed validator. */
export function rewardPerEpoch(state: BeaconState, effectiveBalance: bigint): bigint {
  return (effectiveBalance * state.rewardRateBps) / (10_000n * epochsPerYear(state.preset));
}

function processRewards(state: BeaconState, epoch: bigint): void {
  const denominator = 10_000n * epochsPerYear(state.preset);
  let total = 0n;
  for (const v of state.validators) {
    if (v.slashed || !isActive(v, epoch)) continue;
    const reward = (v.effectiveBalance * state.rewardRateBps) / denominator;
    v.balance += reward;
    total += reward;
  }
  state.totals.rewardsGwei += total;
}

const byEligibilityThenIndex = (state: BeaconState) => (a: number, b: number) => {
  const ea = validatorAt(state, a).activationEligibilityEpoch;
  const eb = validatorAt(state, b).activationEligibilityEpoch;
  return ea < eb ? -1 : ea > eb ? 1 : a - b;
};

/** The spec's process_registry_updates (Deneb). */
function processRegistryUpdates(state: BeaconState, epoch: bigint): void {
  const { preset } = state;
  const queue: number[] = [];
  state.validators.forEach((v, index) => {
    if (v.activationEligibilityEpoch === FAR_FUTURE_EPOCH && v.effectiveBalance === preset.MAX_EFFECTIVE_BALANCE) {
      v.activationEligibilityEpoch = epoch + 1n;
    }
    if (isActive(v, epoch) && v.effectiveBalance <= preset.EJECTION_BALANCE) initiateValidatorExit(state, index);
    if (v.activationEligibilityEpoch <= state.finalizedEpoch && v.activationEpoch === FAR_FUTURE_EPOCH) {
      queue.push(index);
    }
  });
  queue.sort(byEligibilityThenIndex(state));
  const limit = activationChurnLimit(preset, activeCount(state, epoch));
  for (const index of queue.slice(0, limit))
    validatorAt(state, index).activationEpoch = activationExitEpoch(preset, epoch);
}

function slashingsInWindow(state: BeaconState, epoch: bigint): bigint {
  let sum = 0n;
  for (const [slashedAt, amount] of state.slashings) {
    if (slashedAt > epoch - state.preset.EPOCHS_PER_SLASHINGS_VECTOR && slashedAt <= epoch) sum += amount;
  }
  return sum;
}

/** The spec's process_slashings (Bellatrix multiplier): the correlation penalty at the vector's midpoint. */
function processSlashings(state: BeaconState, epoch: bigint): void {
  const { preset } = state;
  const midpoint = preset.EPOCHS_PER_SLASHINGS_VECTOR / 2n;
  const due = state.validators.filter((v) => v.slashed && epoch + midpoint === v.withdrawableEpoch);
  if (due.length === 0) return;
  let totalBalance = 0n;
  for (const v of state.validators) if (isActive(v, epoch)) totalBalance += v.effectiveBalance;
  if (totalBalance < preset.EFFECTIVE_BALANCE_INCREMENT) totalBalance = preset.EFFECTIVE_BALANCE_INCREMENT;
  const proportional = slashingsInWindow(state, epoch) * preset.PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX;
  const adjusted = proportional < totalBalance ? proportional : totalBalance;
  const increment = preset.EFFECTIVE_BALANCE_INCREMENT;
  for (const v of due) {
    // Divided by the increment first, as the spec does, so the penalty is a whole number of increments.
    const penalty = (((v.effectiveBalance / increment) * adjusted) / totalBalance) * increment;
    decreaseBalance(state, v, penalty);
  }
}

/** The spec's process_effective_balance_updates, hysteresis included. */
function processEffectiveBalanceUpdates(state: BeaconState): void {
  const { preset } = state;
  const hysteresis = preset.EFFECTIVE_BALANCE_INCREMENT / preset.HYSTERESIS_QUOTIENT;
  const downward = hysteresis * preset.HYSTERESIS_DOWNWARD_MULTIPLIER;
  const upward = hysteresis * preset.HYSTERESIS_UPWARD_MULTIPLIER;
  for (const v of state.validators) {
    if (v.balance + downward < v.effectiveBalance || v.effectiveBalance + upward < v.balance) {
      const floored = v.balance - (v.balance % preset.EFFECTIVE_BALANCE_INCREMENT);
      v.effectiveBalance = floored < preset.MAX_EFFECTIVE_BALANCE ? floored : preset.MAX_EFFECTIVE_BALANCE;
    }
  }
}

function pruneSlashings(state: BeaconState, nextEpoch: bigint): void {
  const oldest = nextEpoch - state.preset.EPOCHS_PER_SLASHINGS_VECTOR;
  for (const slashedAt of state.slashings.keys()) if (slashedAt <= oldest) state.slashings.delete(slashedAt);
}

/** Processes the current epoch, in the spec's order, and moves to the next one. */
export function processEpoch(state: BeaconState): void {
  const epoch = state.epoch;
  state.finalizedEpoch = epoch > 0n ? epoch - 1n : 0n;
  processRewards(state, epoch);
  processRegistryUpdates(state, epoch);
  processSlashings(state, epoch);
  processEffectiveBalanceUpdates(state);
  pruneSlashings(state, epoch + 1n);
  state.epoch = epoch + 1n;
}

/**
 * How many epochs from now can be processed in one batch: epochs whose processing only pays rewards, moves the
 * activation queue and activates queued validators, and changes no effective balance. Zero means "process exactly".
 */
function quietEpochs(state: BeaconState, limit: bigint): bigint {
  const { preset } = state;
  const epoch = state.epoch;
  const hysteresis = preset.EFFECTIVE_BALANCE_INCREMENT / preset.HYSTERESIS_QUOTIENT;
  const downward = hysteresis * preset.HYSTERESIS_DOWNWARD_MULTIPLIER;
  const upward = hysteresis * preset.HYSTERESIS_UPWARD_MULTIPLIER;
  const midpoint = preset.EPOCHS_PER_SLASHINGS_VECTOR / 2n;
  let bound = limit;
  for (const v of state.validators) {
    const eff = v.effectiveBalance;
    if (v.activationEligibilityEpoch === FAR_FUTURE_EPOCH && eff === preset.MAX_EFFECTIVE_BALANCE) return 0n;
    const active = isActive(v, epoch);
    if (active && eff <= preset.EJECTION_BALANCE) return 0n;
    // At the maximum an upward crossing reassigns the same value, so only a downward one counts there.
    if (v.balance + downward < eff || (eff < preset.MAX_EFFECTIVE_BALANCE && eff + upward < v.balance)) return 0n;
    if (eff < preset.MAX_EFFECTIVE_BALANCE) {
      // Queued validators below the maximum cannot exist (eligibility needs it); stay exact if they somehow do.
      if (!active && v.activationEligibilityEpoch !== FAR_FUTURE_EPOCH && v.exitEpoch === FAR_FUTURE_EPOCH) return 0n;
      const reward = active && !v.slashed ? rewardPerEpoch(state, eff) : 0n;
      if (reward > 0n) {
        // The j-th rewarded epoch (1-based) lifts the balance past the upward threshold when j * reward > gap.
        const j = (eff + upward - v.balance) / reward + 1n;
        if (j - 1n < bound) bound = j - 1n;
      }
    }
    if (v.exitEpoch !== FAR_FUTURE_EPOCH && v.exitEpoch > epoch && v.exitEpoch - epoch < bound) {
      bound = v.exitEpoch - epoch;
    }
    if (v.slashed && v.withdrawableEpoch - midpoint >= epoch && v.withdrawableEpoch - midpoint - epoch < bound) {
      bound = v.withdrawableEpoch - midpoint - epoch;
    }
  }
  return bound < 0n ? 0n : bound;
}

/** Processes `count` quiet epochs: the activation queue epoch by epoch, rewards in one multiplication each. */
function processQuietEpochs(state: BeaconState, count: bigint): void {
  const { preset } = state;
  const start = state.epoch;
  const end = start + count;
  const queue: number[] = [];
  const arrivals = new Map<bigint, number>();
  state.validators.forEach((v, index) => {
    if (v.activationEpoch === FAR_FUTURE_EPOCH && v.activationEligibilityEpoch !== FAR_FUTURE_EPOCH) queue.push(index);
    else if (v.activationEpoch > start && v.activationEpoch < end) {
      arrivals.set(v.activationEpoch, (arrivals.get(v.activationEpoch) ?? 0) + 1);
    }
  });
  queue.sort(byEligibilityThenIndex(state));
  let active = activeCount(state, start);
  let head = 0;
  for (let epoch = start; epoch < end; epoch++) {
    if (head === queue.length && arrivals.size === 0) break;
    if (epoch > start) {
      active += arrivals.get(epoch) ?? 0;
      arrivals.delete(epoch);
    }
    const finalized = epoch > 0n ? epoch - 1n : 0n;
    const limit = activationChurnLimit(preset, active);
    for (let taken = 0; taken < limit && head < queue.length; taken++) {
      const v = validatorAt(state, queue[head] ?? -1);
      if (v.activationEligibilityEpoch > finalized) break;
      v.activationEpoch = activationExitEpoch(preset, epoch);
      head++;
      if (v.activationEpoch < end) arrivals.set(v.activationEpoch, (arrivals.get(v.activationEpoch) ?? 0) + 1);
    }
  }
  const denominator = 10_000n * epochsPerYear(preset);
  let total = 0n;
  for (const v of state.validators) {
    if (v.slashed) continue;
    const from = v.activationEpoch > start ? v.activationEpoch : start;
    const to = v.exitEpoch < end ? v.exitEpoch : end;
    if (to <= from) continue;
    const reward = ((v.effectiveBalance * state.rewardRateBps) / denominator) * (to - from);
    v.balance += reward;
    total += reward;
  }
  state.totals.rewardsGwei += total;
  state.finalizedEpoch = end > 1n ? end - 2n : 0n;
  pruneSlashings(state, end);
  state.epoch = end;
}

/**
 * Advances `count` epochs with the same result as calling `processEpoch` that many times, batching stretches where
 * only rewards and the activation queue move (the queue itself stays exact, epoch by epoch).
 */
export function advanceEpochs(state: BeaconState, count: number | bigint): void {
  let remaining = BigInt(count);
  while (remaining > 0n) {
    const quiet = quietEpochs(state, remaining);
    if (quiet === 0n) {
      processEpoch(state);
      remaining -= 1n;
    } else {
      processQuietEpochs(state, quiet);
      remaining -= quiet;
    }
  }
}

const hasEth1Credentials = (v: Validator) => v.withdrawalCredentials.startsWith("0x01");

/** Capella's get_expected_withdrawals, with `max` capped at MAX_WITHDRAWALS_PER_PAYLOAD. */
export function computeWithdrawals(state: BeaconState, max = state.preset.MAX_WITHDRAWALS_PER_PAYLOAD): Withdrawal[] {
  const { preset } = state;
  const cap = Math.min(max, preset.MAX_WITHDRAWALS_PER_PAYLOAD);
  const withdrawals: Withdrawal[] = [];
  const count = state.validators.length;
  if (cap <= 0 || count === 0) return withdrawals;
  let withdrawalIndex = state.nextWithdrawalIndex;
  let validatorIndex = state.nextWithdrawalValidatorIndex;
  const bound = Math.min(count, preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
  for (let scanned = 0; scanned < bound; scanned++) {
    const v = validatorAt(state, validatorIndex);
    if (hasEth1Credentials(v)) {
      const address = "0x" + v.withdrawalCredentials.slice(26);
      if (v.withdrawableEpoch <= state.epoch && v.balance > 0n) {
        withdrawals.push({ index: withdrawalIndex++, validatorIndex, address, amountGwei: v.balance });
      } else if (v.effectiveBalance === preset.MAX_EFFECTIVE_BALANCE && v.balance > preset.MAX_EFFECTIVE_BALANCE) {
        const amountGwei = v.balance - preset.MAX_EFFECTIVE_BALANCE;
        withdrawals.push({ index: withdrawalIndex++, validatorIndex, address, amountGwei });
      }
    }
    if (withdrawals.length === cap) break;
    validatorIndex = (validatorIndex + 1) % count;
  }
  return withdrawals;
}

const sameWithdrawal = (a: Withdrawal, b: Withdrawal) =>
  a.index === b.index &&
  a.validatorIndex === b.validatorIndex &&
  a.address === b.address &&
  a.amountGwei === b.amountGwei;

/**
 * Capella's process_withdrawals for a payload carrying `withdrawals`. They must be exactly what the state expects
 * now (for the same `max`), which is what makes a second sweep of the same withdrawals impossible.
 */
export function applyWithdrawals(
  state: BeaconState,
  withdrawals: readonly Withdrawal[],
  max = state.preset.MAX_WITHDRAWALS_PER_PAYLOAD,
): void {
  const expected = computeWithdrawals(state, max);
  if (expected.length !== withdrawals.length || expected.some((w, i) => !sameWithdrawal(w, withdrawals[i] ?? w))) {
    throw new StaleWithdrawalsError(expected, withdrawals);
  }
  for (const w of expected) {
    const v = validatorAt(state, w.validatorIndex);
    v.balance -= w.amountGwei;
    state.totals.withdrawnGwei += w.amountGwei;
  }
  const count = state.validators.length;
  if (count === 0) return;
  const last = expected[expected.length - 1];
  if (last !== undefined) state.nextWithdrawalIndex = last.index + 1n;
  const cap = Math.min(max, state.preset.MAX_WITHDRAWALS_PER_PAYLOAD);
  state.nextWithdrawalValidatorIndex =
    last !== undefined && expected.length === cap
      ? (last.validatorIndex + 1) % count
      : (state.nextWithdrawalValidatorIndex + state.preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP) % count;
}

/** Computes and applies one payload's withdrawals, as a block producer would. */
export function sweepWithdrawals(state: BeaconState, max = state.preset.MAX_WITHDRAWALS_PER_PAYLOAD): Withdrawal[] {
  const withdrawals = computeWithdrawals(state, max);
  applyWithdrawals(state, withdrawals, max);
  return withdrawals;
}

/** The Beacon API's validator status, from epochs and balance. */
export function validatorStatus(state: BeaconState, index: number): ValidatorStatus {
  const v = validatorAt(state, index);
  const epoch = state.epoch;
  if (v.activationEpoch > epoch) {
    return v.activationEligibilityEpoch === FAR_FUTURE_EPOCH ? "pending_initialized" : "pending_queued";
  }
  if (epoch < v.exitEpoch) {
    if (v.exitEpoch === FAR_FUTURE_EPOCH) return "active_ongoing";
    return v.slashed ? "active_slashed" : "active_exiting";
  }
  if (epoch < v.withdrawableEpoch) return v.slashed ? "exited_slashed" : "exited_unslashed";
  return v.balance > 0n ? "withdrawal_possible" : "withdrawal_done";
}

/** Sum of all validator balances, for conservation checks and reports. */
export function totalBalance(state: BeaconState): bigint {
  let sum = 0n;
  for (const v of state.validators) sum += v.balance;
  return sum;
}

/** Whether the sweep would pay `v` now: exactly the conditions `computeWithdrawals` applies. */
function withdrawableNow(state: BeaconState, v: Validator): boolean {
  if (!hasEth1Credentials(v)) return false;
  if (v.withdrawableEpoch <= state.epoch && v.balance > 0n) return true;
  const max = state.preset.MAX_EFFECTIVE_BALANCE;
  return v.effectiveBalance === max && v.balance > max;
}

/**
 * Whether any of the next `payloads` full payloads (`sweepWithdrawals` with the default `max`) would carry a
 * withdrawal, the state not changing in between. While payloads come out empty, each moves the sweep cursor by
 * MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP, so together they scan `payloads * MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP`
 * validators from the cursor on (every validator at most once): the answer needs no state change and no copy.
 */
export function withdrawalsPending(state: BeaconState, payloads: bigint): boolean {
  const count = state.validators.length;
  if (payloads <= 0n || count === 0) return false;
  const sweep = BigInt(state.preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
  const scanned = payloads * sweep >= BigInt(count) ? count : Number(payloads * sweep);
  for (let k = 0; k < scanned; k++) {
    if (withdrawableNow(state, validatorAt(state, (state.nextWithdrawalValidatorIndex + k) % count))) return true;
  }
  return false;
}

/**
 * Applies `payloads` payloads that carry no withdrawal, as `sweepWithdrawals` repeated would, in O(1) after the check:
 * only the sweep cursor moves. For a simulator catching up on many slots at once.
 *
 * @throws RangeError when one of those payloads would carry a withdrawal (see `withdrawalsPending`).
 */
export function skipEmptyPayloads(state: BeaconState, payloads: bigint): void {
  if (withdrawalsPending(state, payloads)) {
    throw new RangeError(`one of the next ${payloads} payloads would carry a withdrawal: sweep them instead`);
  }
  const count = state.validators.length;
  if (payloads <= 0n || count === 0) return;
  const sweep = BigInt(state.preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
  state.nextWithdrawalValidatorIndex = Number(
    (BigInt(state.nextWithdrawalValidatorIndex) + payloads * sweep) % BigInt(count),
  );
}
