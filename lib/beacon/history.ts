/**
 * Compact copies of past beacon states, for a simulator that must answer queries about recent epochs without keeping
 * a full object graph per epoch: a snapshot holds the per-validator numbers in one typed array (48 bytes and a flag a
 * validator, about 0.5 MB for 10,000 validators) and shares the pubkey and credential strings, which never change.
 */
import type { Preset } from "./preset.js";
import type { BeaconState, Totals, Validator } from "./state.js";

// Per validator, in this order: effective balance, balance, eligibility, activation, exit and withdrawable epochs.
const FIELDS = 6;

/** An immutable copy of a `BeaconState` (see `takeSnapshot`); `restoreSnapshot` turns it back into a state. */
export interface StateSnapshot {
  readonly preset: Preset;
  readonly rewardRateBps: bigint;
  readonly epoch: bigint;
  readonly finalizedEpoch: bigint;
  /** Number of validators; the shared arrays below may be longer (later validators), never shorter. */
  readonly count: number;
  readonly pubkeys: readonly string[];
  readonly withdrawalCredentials: readonly string[];
  readonly numbers: BigUint64Array;
  readonly slashed: Uint8Array;
  readonly slashings: ReadonlyMap<bigint, bigint>;
  readonly nextWithdrawalIndex: bigint;
  readonly nextWithdrawalValidatorIndex: number;
  readonly totals: Readonly<Totals>;
}

/**
 * Takes snapshots of one evolving state. Validators are only ever appended to a state and their pubkeys and
 * credentials never change, so every snapshot shares one append-only list of each.
 */
export class SnapshotTaker {
  private readonly pubkeys: string[] = [];
  private readonly withdrawalCredentials: string[] = [];

  /** A snapshot of `state` as it is now: O(validators), no object per validator. */
  take(state: BeaconState): StateSnapshot {
    const count = state.validators.length;
    for (let i = this.pubkeys.length; i < count; i++) {
      const v = state.validators[i]!;
      this.pubkeys.push(v.pubkey);
      this.withdrawalCredentials.push(v.withdrawalCredentials);
    }
    const numbers = new BigUint64Array(count * FIELDS);
    const slashed = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const v = state.validators[i]!;
      const at = i * FIELDS;
      numbers[at] = v.effectiveBalance;
      numbers[at + 1] = v.balance;
      numbers[at + 2] = v.activationEligibilityEpoch;
      numbers[at + 3] = v.activationEpoch;
      numbers[at + 4] = v.exitEpoch;
      numbers[at + 5] = v.withdrawableEpoch;
      slashed[i] = v.slashed ? 1 : 0;
    }
    return {
      preset: state.preset,
      rewardRateBps: state.rewardRateBps,
      epoch: state.epoch,
      finalizedEpoch: state.finalizedEpoch,
      count,
      pubkeys: this.pubkeys,
      withdrawalCredentials: this.withdrawalCredentials,
      numbers,
      slashed,
      slashings: new Map(state.slashings),
      nextWithdrawalIndex: state.nextWithdrawalIndex,
      nextWithdrawalValidatorIndex: state.nextWithdrawalValidatorIndex,
      totals: { ...state.totals },
    };
  }
}

/** A fresh `BeaconState` equal to the one the snapshot was taken of (the snapshot is left untouched). */
export function restoreSnapshot(snapshot: StateSnapshot): BeaconState {
  const validators: Validator[] = new Array<Validator>(snapshot.count);
  const indexByPubkey = new Map<string, number>();
  const { numbers } = snapshot;
  for (let i = 0; i < snapshot.count; i++) {
    const at = i * FIELDS;
    const pubkey = snapshot.pubkeys[i]!;
    validators[i] = {
      pubkey,
      withdrawalCredentials: snapshot.withdrawalCredentials[i]!,
      effectiveBalance: numbers[at]!,
      balance: numbers[at + 1]!,
      slashed: snapshot.slashed[i] === 1,
      activationEligibilityEpoch: numbers[at + 2]!,
      activationEpoch: numbers[at + 3]!,
      exitEpoch: numbers[at + 4]!,
      withdrawableEpoch: numbers[at + 5]!,
    };
    indexByPubkey.set(pubkey, i);
  }
  return {
    preset: snapshot.preset,
    rewardRateBps: snapshot.rewardRateBps,
    epoch: snapshot.epoch,
    finalizedEpoch: snapshot.finalizedEpoch,
    validators,
    indexByPubkey,
    slashings: new Map(snapshot.slashings),
    nextWithdrawalIndex: snapshot.nextWithdrawalIndex,
    nextWithdrawalValidatorIndex: snapshot.nextWithdrawalValidatorIndex,
    totals: { ...snapshot.totals },
  };
}
