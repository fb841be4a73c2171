/**
 * Consensus-spec constants for the local beacon simulator, as named presets.
 *
 * Values follow the public consensus specs' `mainnet` and `minimal` presets and configs for the Deneb fork
 * (phase0 + bellatrix + capella + deneb rules). Electra's balance-based churn and consolidations are not modelled,
 * so `MIN_ACTIVATION_BALANCE` equals `MAX_EFFECTIVE_BALANCE` here, as it did before Electra.
 *
 * Amounts are gwei (bigint); epoch-valued constants are bigint so they compose with epochs without conversion;
 * counts of validators or withdrawals are numbers.
 */

const GWEI_PER_ETH = 1_000_000_000n;

/** The spec's 2**64 - 1: "never", kept exact so the Beacon API can print it as the spec does. */
export const FAR_FUTURE_EPOCH = 2n ** 64n - 1n;

export interface Preset {
  readonly name: "mainnet" | "minimal";
  readonly SECONDS_PER_SLOT: bigint;
  readonly SLOTS_PER_EPOCH: bigint;
  readonly MAX_EFFECTIVE_BALANCE: bigint;
  readonly EJECTION_BALANCE: bigint;
  readonly MIN_ACTIVATION_BALANCE: bigint;
  readonly EFFECTIVE_BALANCE_INCREMENT: bigint;
  readonly HYSTERESIS_QUOTIENT: bigint;
  readonly HYSTERESIS_DOWNWARD_MULTIPLIER: bigint;
  readonly HYSTERESIS_UPWARD_MULTIPLIER: bigint;
  readonly MAX_SEED_LOOKAHEAD: bigint;
  readonly MIN_VALIDATOR_WITHDRAWABILITY_DELAY: bigint;
  readonly SHARD_COMMITTEE_PERIOD: bigint;
  readonly EPOCHS_PER_SLASHINGS_VECTOR: bigint;
  readonly MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX: bigint;
  readonly PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX: bigint;
  readonly MIN_PER_EPOCH_CHURN_LIMIT: number;
  readonly CHURN_LIMIT_QUOTIENT: number;
  readonly MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT: number;
  readonly MAX_WITHDRAWALS_PER_PAYLOAD: number;
  readonly MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: number;
  readonly FAR_FUTURE_EPOCH: bigint;
}

export const mainnet: Preset = Object.freeze({
  name: "mainnet",
  SECONDS_PER_SLOT: 12n,
  SLOTS_PER_EPOCH: 32n,
  MAX_EFFECTIVE_BALANCE: 32n * GWEI_PER_ETH,
  EJECTION_BALANCE: 16n * GWEI_PER_ETH,
  MIN_ACTIVATION_BALANCE: 32n * GWEI_PER_ETH,
  EFFECTIVE_BALANCE_INCREMENT: GWEI_PER_ETH,
  HYSTERESIS_QUOTIENT: 4n,
  HYSTERESIS_DOWNWARD_MULTIPLIER: 1n,
  HYSTERESIS_UPWARD_MULTIPLIER: 5n,
  MAX_SEED_LOOKAHEAD: 4n,
  MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 256n,
  SHARD_COMMITTEE_PERIOD: 256n,
  EPOCHS_PER_SLASHINGS_VECTOR: 8192n,
  MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX: 32n,
  PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX: 3n,
  MIN_PER_EPOCH_CHURN_LIMIT: 4,
  CHURN_LIMIT_QUOTIENT: 65_536,
  MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT: 8,
  MAX_WITHDRAWALS_PER_PAYLOAD: 16,
  MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: 16_384,
  FAR_FUTURE_EPOCH,
});

/** The spec's minimal preset: short epochs and small queues so tests reach every state quickly. */
export const minimal: Preset = Object.freeze({
  ...mainnet,
  name: "minimal",
  SECONDS_PER_SLOT: 6n,
  SLOTS_PER_EPOCH: 8n,
  SHARD_COMMITTEE_PERIOD: 64n,
  EPOCHS_PER_SLASHINGS_VECTOR: 64n,
  MIN_PER_EPOCH_CHURN_LIMIT: 2,
  CHURN_LIMIT_QUOTIENT: 32,
  MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT: 4,
  MAX_WITHDRAWALS_PER_PAYLOAD: 4,
  MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: 16,
});

export const PRESETS = Object.freeze({ mainnet, minimal });

/** Whole epochs in a 365-day year; integer so per-epoch rewards stay deterministic (82,125 on mainnet). */
export function epochsPerYear(preset: Preset): bigint {
  return (365n * 86_400n) / (preset.SECONDS_PER_SLOT * preset.SLOTS_PER_EPOCH);
}
