import { AbiCoder, keccak256, ZeroHash } from "ethers";

import type { ValidatorInfo } from "../beacon/client.js";
import { FAR_FUTURE_EPOCH } from "../beacon/preset.js";

/**
 * The oracle's exit data: each operator's exited validators, and which validators must exit so the withdrawal queue's
 * demand gets paid. It travels beside the accounting report, in pages the report names by hash (see
 * `IAccountingOracle.submitExitData`), so the report costs the same whatever the number of operators.
 */

const WEI_PER_GWEI = 10n ** 9n;
const VALIDATOR_ETHER = 32n * 10n ** 18n;

/** Operators per page: a page is one transaction, and each operator costs the registry some 10,000 to 30,000 gas. */
export const MAX_OPERATORS_PER_PAGE = 25;
/** Exit requests per page (each emits an event with its 48-byte key). */
export const MAX_EXIT_REQUESTS_PER_PAGE = 100;

/** `IOperatorRegistry.ExitUpdate`. */
export interface ExitUpdate {
  operatorId: bigint;
  exitedKeys: bigint;
  keyIndices: bigint[];
  /** 0x-prefixed, 48 bytes per key index, in the same order. */
  pubkeys: string;
}

/** A validator the plan asks to exit. */
export interface ExitRequest {
  operatorId: number;
  keyIndex: number;
  pubkey: string;
  /** Its balance at the reference slot: what its exit brings, in wei. */
  balance: bigint;
}

/** One deposited key of an operator and, if the beacon chain holds it with the pool's credentials, its validator. */
export interface OperatorKey {
  index: number;
  pubkey: string;
  validator: ValidatorInfo | undefined;
}

/** What the plan needs to know of an operator, as of the reference block. */
export interface OperatorExitInput {
  id: number;
  /** Its exited count on chain before this frame's data. */
  exitedKeys: bigint;
  /** `IOperatorRegistry.ExitState`: requests name keys from this index. */
  nextExitIndex: bigint;
  /** The exited count that meets every request so far. */
  targetExited: bigint;
  /** Nonzero while some requests are unmet: the registry must check its deadline every frame. */
  dueBy: bigint;
  /** Its deposited keys, in index order. */
  keys: readonly OperatorKey[];
}

export interface ExitPlanInput {
  /** The reference slot's epoch. */
  refEpoch: bigint;
  /** Epochs a validator must have been active before it may exit (the spec's SHARD_COMMITTEE_PERIOD). */
  shardCommitteePeriod: bigint;
  /** What the unfinalized withdrawal requests were worth when made: the ether the queue still needs, in wei. */
  demand: bigint;
  /** Ether the pool can pay with now: its buffer and both vaults, in wei. */
  available: bigint;
  operators: readonly OperatorExitInput[];
}

export interface ExitPlan {
  /** One per operator that needs the registry's attention this frame, in ascending id order. */
  updates: ExitUpdate[];
  /** The validators asked to exit, in the order they were picked. */
  requests: ExitRequest[];
  /** Ether on its way without new requests: balances of exiting validators and 32 ETH per exit still owed, in wei. */
  expected: bigint;
  /** Demand not covered by `available` and `expected`, in wei: the new requests are for it. */
  shortfall: bigint;
  /** What the new requests bring, in wei (the validators' balances). */
  requested: bigint;
}

const isExiting = (validator: ValidatorInfo) => validator.exitEpoch !== FAR_FUTURE_EPOCH;
const balanceOf = (validator: ValidatorInfo) => validator.balanceGwei * WEI_PER_GWEI;

/**
 * Plans a frame's exit data, deterministically (every member must build the same):
 * - each operator's exited count: its validators whose exit epoch is at or before the reference epoch (never below
 *   the count already on chain);
 * - expected ether: balances of validators already exiting but not yet withdrawn, and 32 ETH per exit an operator
 *   still owes but has not started;
 * - if the demand exceeds what the pool holds plus what is expected, validators to exit until their balances cover
 *   the shortfall: each time from the operator with the most validators left after its owed exits (ties: the lowest
 *   id), which spreads stake more evenly, its oldest key first (lowest index at or above its next exit index) among
 *   validators active, not slashed and active for SHARD_COMMITTEE_PERIOD epochs (younger ones could not exit);
 * - an update for every operator whose count changed, that gets requests, or that still owes exits (so the registry
 *   checks its deadline).
 */
export function planExits(input: ExitPlanInput): ExitPlan {
  const { refEpoch, shardCommitteePeriod } = input;
  interface State {
    operator: OperatorExitInput;
    exited: bigint;
    /** Validators left after its owed exits: the priority of new requests. */
    remaining: bigint;
    candidates: OperatorKey[];
    next: number;
    picked: ExitRequest[];
  }
  let expected = 0n;
  const states: State[] = input.operators.map((operator) => {
    let exited = 0n;
    let exiting = 0n;
    for (const { validator } of operator.keys) {
      if (validator === undefined || !isExiting(validator)) continue;
      if (validator.exitEpoch <= refEpoch) exited++;
      else exiting++;
      // Until swept, an exiting or exited validator's balance is ether on its way.
      expected += balanceOf(validator);
    }
    if (exited < operator.exitedKeys) exited = operator.exitedKeys;
    const owed = operator.targetExited - exited - exiting;
    if (owed > 0n) expected += owed * VALIDATOR_ETHER;
    const deposited = BigInt(operator.keys.length);
    const remaining = deposited - exited - exiting - (owed > 0n ? owed : 0n);
    const candidates = operator.keys.filter(
      ({ index, validator }) =>
        BigInt(index) >= operator.nextExitIndex &&
        validator !== undefined &&
        !isExiting(validator) &&
        !validator.slashed &&
        validator.activationEpoch <= refEpoch &&
        validator.activationEpoch + shardCommitteePeriod <= refEpoch,
    );
    return { operator, exited, remaining, candidates, next: 0, picked: [] };
  });

  const covered = input.available + expected;
  const shortfall = input.demand > covered ? input.demand - covered : 0n;
  const requests: ExitRequest[] = [];
  let requested = 0n;
  while (requested < shortfall) {
    let best: State | undefined;
    for (const state of states) {
      if (state.next >= state.candidates.length) continue;
      if (best === undefined || state.remaining > best.remaining) best = state;
    }
    if (best === undefined) break; // nothing left that can exit: the rest waits for validators to age
    const key = best.candidates[best.next++]!;
    const request = {
      operatorId: best.operator.id,
      keyIndex: key.index,
      pubkey: key.pubkey.toLowerCase(),
      balance: balanceOf(key.validator!),
    };
    best.picked.push(request);
    requests.push(request);
    requested += request.balance;
    best.remaining--;
  }

  const updates: ExitUpdate[] = [];
  for (const state of [...states].sort((a, b) => a.operator.id - b.operator.id)) {
    const { operator, exited, picked } = state;
    if (exited === operator.exitedKeys && picked.length === 0 && operator.dueBy === 0n) continue;
    picked.sort((a, b) => a.keyIndex - b.keyIndex);
    updates.push({
      operatorId: BigInt(operator.id),
      exitedKeys: exited,
      keyIndices: picked.map((request) => BigInt(request.keyIndex)),
      pubkeys: "0x" + picked.map((request) => request.pubkey.slice(2)).join(""),
    });
  }
  return { updates, requests, expected, shortfall, requested };
}

const UPDATES_TYPE = "tuple(uint256 operatorId, uint256 exitedKeys, uint256[] keyIndices, bytes pubkeys)[]";

/** One page as `submitExitData` takes it: abi.encode(nextPageHash, updates). */
export function encodeExitPage(nextPageHash: string, updates: readonly ExitUpdate[]): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", UPDATES_TYPE],
    [nextPageHash, updates.map((u) => [u.operatorId, u.exitedKeys, u.keyIndices, u.pubkeys])],
  );
}

/** A page's updates, decoded (for logs and tests). */
export function decodeExitPage(page: string): { nextPageHash: string; updates: ExitUpdate[] } {
  const [nextPageHash, updates] = AbiCoder.defaultAbiCoder().decode(["bytes32", UPDATES_TYPE], page);
  return {
    nextPageHash: nextPageHash as string,
    updates: (updates as unknown as [bigint, bigint, bigint[], string][]).map(
      ([operatorId, exitedKeys, keyIndices, pubkeys]) => ({
        operatorId,
        exitedKeys,
        keyIndices: [...keyIndices],
        pubkeys,
      }),
    ),
  };
}

/** The exit data in pages, and the hash the report carries: that of the first page (the zero hash for none). */
export interface ExitData {
  pages: string[];
  /** keccak256 of each page, in order. */
  hashes: string[];
  hash: string;
}

/**
 * Splits the updates into pages of at most `MAX_OPERATORS_PER_PAGE` operators and `MAX_EXIT_REQUESTS_PER_PAGE`
 * requests (an operator with more requests than that gets a page of its own), each naming the next page's hash; built
 * from the last page back.
 */
export function paginateExitData(updates: readonly ExitUpdate[]): ExitData {
  const groups: ExitUpdate[][] = [];
  let current: ExitUpdate[] = [];
  let requests = 0;
  for (const update of updates) {
    const count = update.keyIndices.length;
    if (
      current.length > 0 &&
      (current.length >= MAX_OPERATORS_PER_PAGE || requests + count > MAX_EXIT_REQUESTS_PER_PAGE)
    ) {
      groups.push(current);
      current = [];
      requests = 0;
    }
    current.push(update);
    requests += count;
  }
  if (current.length > 0) groups.push(current);
  const pages: string[] = new Array(groups.length);
  const hashes: string[] = new Array(groups.length);
  let next = ZeroHash;
  for (let i = groups.length - 1; i >= 0; i--) {
    pages[i] = encodeExitPage(next, groups[i]!);
    hashes[i] = keccak256(pages[i]!);
    next = hashes[i]!;
  }
  return { pages, hashes, hash: next };
}
