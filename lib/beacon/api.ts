/**
 * The simulator's Beacon API: a subset of the standard endpoints (https://ethereum.github.io/beacon-APIs/) with their
 * JSON shapes (numbers as decimal strings, byte fields as 0x-prefixed hex), plus a few non-standard control endpoints
 * under /plural/v1/ for tasks that drive a simulator running in another process. Binds 127.0.0.1 only.
 *
 * Standard:
 *   GET  /eth/v1/beacon/genesis
 *   GET  /eth/v1/config/spec
 *   GET  /eth/v1/config/deposit_contract
 *   GET  /eth/v1/node/version
 *   GET  /eth/v1/node/syncing
 *   GET  /eth/v1/node/health
 *   GET  /eth/v1/beacon/headers/{block_id}
 *   GET  /eth/v2/beacon/blocks/{block_id}
 *   GET  /eth/v1/beacon/states/{state_id}/fork
 *   GET  /eth/v1/beacon/states/{state_id}/finality_checkpoints
 *   GET  /eth/v1/beacon/states/{state_id}/validators?id=…&status=…
 *   POST /eth/v1/beacon/states/{state_id}/validators {ids, statuses}
 *   GET  /eth/v1/beacon/states/{state_id}/validators/{validator_id}
 *   POST /eth/v1/beacon/pool/voluntary_exits {message: {epoch, validator_index}, signature}
 * Control (non-standard):
 *   GET  /plural/v1/status
 *   POST /plural/v1/sync
 *   POST /plural/v1/advance {epochs}
 *   POST /plural/v1/slash {validator}          (an index or a 0x pubkey; `index` or `pubkey` also accepted)
 *   POST /plural/v1/penalize {validator, amount_gwei}
 *
 * Block roots, state roots and block signatures are synthetic: deterministic hashes of the slot and its execution
 * block (see `blockRoots`), and the G2 point at infinity for signatures; nothing signs beacon blocks here.
 * Errors have the standard body `{ "code": <status>, "message": "…" }`: 400 for malformed input, 404 for unknown
 * routes, empty slots, unknown validators and states beyond the history kept or in the future, 500 for bugs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { concat, keccak256, toBeHex, toUtf8Bytes } from "ethers";

import type { BeaconState, ValidatorStatus } from "./state.js";
import { validatorStatus } from "./state.js";
import {
  BeaconOperationError,
  type BeaconSimulator,
  type SlotBlock,
  type SyncReport,
  VALIDATOR_STATUSES,
} from "./simulator.js";
import { FORK_NUMBERS, type ForkName, forkVersionOf } from "./signing.js";

/** The `version` /eth/v1/node/version reports. */
export const SIMULATOR_VERSION = "Plural/beacon-simulator/v0.1.0";
/** The G2 point at infinity, compressed: the placeholder signature of every simulated block. */
const EMPTY_SIGNATURE = "0xc0" + "00".repeat(95);
const ZERO_ROOT = "0x" + "00".repeat(32);
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DOMAINS = {
  DOMAIN_BEACON_PROPOSER: "0x00000000",
  DOMAIN_BEACON_ATTESTER: "0x01000000",
  DOMAIN_RANDAO: "0x02000000",
  DOMAIN_DEPOSIT: "0x03000000",
  DOMAIN_VOLUNTARY_EXIT: "0x04000000",
  DOMAIN_SELECTION_PROOF: "0x05000000",
  DOMAIN_AGGREGATE_AND_PROOF: "0x06000000",
  DOMAIN_APPLICATION_MASK: "0x00000001",
} as const;

/** The status filters the API takes: exact statuses and the four groups. */
export const STATUS_GROUPS: Readonly<Record<string, readonly ValidatorStatus[]>> = Object.freeze({
  pending: ["pending_initialized", "pending_queued"],
  active: ["active_ongoing", "active_exiting", "active_slashed"],
  exited: ["exited_unslashed", "exited_slashed"],
  withdrawal: ["withdrawal_possible", "withdrawal_done"],
});

export interface BeaconApiOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Called with every error that became a 500, for logs. */
  onError?: (error: unknown, request: { method: string; url: string }) => void;
}

/** A running API server. */
export interface BeaconApiServer {
  /** "http://127.0.0.1:<port>", no trailing slash. */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** An error with its HTTP status: the handler's way to answer 400/404. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A block's synthetic roots. */
export interface BlockRoots {
  root: string;
  stateRoot: string;
  bodyRoot: string;
}

// Roots by block, remembered with the execution block hash they were made from (the head slot's may change).
const rootsCache = new WeakMap<object, { executionHash: string; roots: BlockRoots }>();

/**
 * The synthetic roots of a block: keccak256 of a label ("Plural local beacon block", "… state", "… body"), the slot
 * as 8 big-endian bytes and the execution block hash. Deterministic, distinct per slot and payload.
 */
export function blockRoots(block: Pick<SlotBlock, "slot" | "executionBlock">): BlockRoots {
  const executionHash = block.executionBlock.hash;
  const cached = rootsCache.get(block);
  if (cached?.executionHash === executionHash) return cached.roots;
  const hash = (label: string) =>
    keccak256(concat([toUtf8Bytes(`Plural local beacon ${label}`), toBeHex(block.slot, 8), executionHash]));
  const roots = { root: hash("block"), stateRoot: hash("state"), bodyRoot: hash("body") };
  rootsCache.set(block, { executionHash, roots });
  return roots;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type Query = URLSearchParams;
type Handler = (sim: BeaconSimulator, params: string[], query: Query, body: unknown) => Promise<Json | undefined>;

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  handler: Handler;
}

const dec = (value: bigint | number) => value.toString(10);

// ----- identifiers -----

const SLOT_RE = /^\d{1,20}$/;
const ROOT_RE = /^0x[0-9a-fA-F]{64}$/;
const PUBKEY_RE = /^0x[0-9a-fA-F]{96}$/;
const MAX_UINT64 = 2n ** 64n - 1n;

function parseSlot(text: string, what: string): bigint {
  const value = SLOT_RE.test(text) ? BigInt(text) : -1n;
  if (value < 0n || value > MAX_UINT64) throw new HttpError(400, `Invalid ${what}: ${text}`);
  return value;
}

/** The slot a block or state id names, or a root to look up. */
function namedSlot(sim: BeaconSimulator, id: string, what: "block ID" | "state ID"): bigint | { root: string } {
  const slotsPerEpoch = sim.preset.SLOTS_PER_EPOCH;
  switch (id) {
    case "head":
      return what === "block ID" ? (sim.headBlock()?.slot ?? 0n) : sim.headSlot;
    case "genesis":
      return 0n;
    case "finalized":
      return sim.finalizedEpoch * slotsPerEpoch;
    case "justified":
      return sim.justifiedEpoch * slotsPerEpoch;
  }
  if (ROOT_RE.test(id)) return { root: id.toLowerCase() };
  return parseSlot(id, what);
}

function findByRoot(sim: BeaconSimulator, root: string): { block: SlotBlock; kind: "block" | "state" } | undefined {
  for (const block of sim.keptBlocks()) {
    const roots = blockRoots(block);
    if (roots.root === root) return { block, kind: "block" };
    if (roots.stateRoot === root) return { block, kind: "state" };
  }
  return undefined;
}

/** Whether `slot` is at or before the finalized checkpoint's slot. */
function isFinalized(sim: BeaconSimulator, slot: bigint): boolean {
  return slot <= sim.finalizedEpoch * sim.preset.SLOTS_PER_EPOCH;
}

function resolveBlock(sim: BeaconSimulator, id: string): SlotBlock {
  const named = namedSlot(sim, id, "block ID");
  if (typeof named !== "bigint") {
    const found = findByRoot(sim, named.root);
    if (found?.kind !== "block") throw new HttpError(404, `No block with root ${named.root}`);
    return found.block;
  }
  // Checkpoints name the latest block at or before their first slot, as beacon nodes answer.
  if (id === "finalized" || id === "justified") {
    const block = sim.latestBlockAtOrBefore(named);
    if (block === undefined) throw new HttpError(404, `No ${id} block: no block at or before slot ${named}`);
    return block;
  }
  const lookup = sim.blockAtSlot(named);
  switch (lookup.kind) {
    case "found":
      return lookup.block;
    case "empty":
      throw new HttpError(404, `No block at slot ${named}: the slot is empty`);
    case "future":
      throw new HttpError(404, `No block at slot ${named}: the head slot is ${lookup.headSlot}`);
    case "pruned":
      throw new HttpError(404, `No block at slot ${named}: blocks before slot ${lookup.oldestSlot} are not kept`);
  }
}

interface ResolvedState {
  state: BeaconState;
  epoch: bigint;
  finalized: boolean;
}

function resolveState(sim: BeaconSimulator, id: string): ResolvedState {
  const named = namedSlot(sim, id, "state ID");
  let slot: bigint;
  if (typeof named === "bigint") {
    slot = named;
  } else {
    const found = findByRoot(sim, named.root);
    if (found?.kind !== "state") throw new HttpError(404, `No state with root ${named.root}`);
    slot = found.block.slot;
  }
  const lookup = sim.stateAtSlot(slot);
  switch (lookup.kind) {
    case "found":
      return { state: lookup.state, epoch: lookup.epoch, finalized: isFinalized(sim, slot) };
    case "future":
      throw new HttpError(404, `No state at slot ${slot}: the head slot is ${lookup.headSlot}`);
    case "pruned":
      throw new HttpError(404, `No state at slot ${slot}: states before epoch ${lookup.oldestEpoch} are not kept`);
  }
}

function parseValidatorId(text: string): number | string {
  if (PUBKEY_RE.test(text)) return text.toLowerCase();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  throw new HttpError(400, `Invalid validator ID: ${text} (expected an index or a 0x-prefixed 48-byte pubkey)`);
}

function parseStatus(text: string): readonly ValidatorStatus[] {
  if (Object.hasOwn(STATUS_GROUPS, text)) return STATUS_GROUPS[text]!;
  if ((VALIDATOR_STATUSES as readonly string[]).includes(text)) return [text as ValidatorStatus];
  throw new HttpError(
    400,
    `Invalid validator status: ${text} (expected one of ${[...VALIDATOR_STATUSES, ...Object.keys(STATUS_GROUPS)].join(", ")})`,
  );
}

/** Query values, repeatable and comma-separated: `?id=1,2&id=3`. */
function listParam(query: Query, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, `Invalid ${what}: expected an array of strings`);
  return value.map((item) => {
    if (typeof item === "string") return item.trim();
    if (typeof item === "number" && Number.isSafeInteger(item) && item >= 0) return String(item);
    throw new HttpError(400, `Invalid ${what}: ${JSON.stringify(item)} is not a string`);
  });
}

// ----- JSON shapes -----

function validatorJson(state: BeaconState, index: number): Json {
  const v = state.validators[index]!;
  return {
    index: dec(index),
    balance: dec(v.balance),
    status: validatorStatus(state, index),
    validator: {
      pubkey: v.pubkey,
      withdrawal_credentials: v.withdrawalCredentials,
      effective_balance: dec(v.effectiveBalance),
      slashed: v.slashed,
      activation_eligibility_epoch: dec(v.activationEligibilityEpoch),
      activation_epoch: dec(v.activationEpoch),
      exit_epoch: dec(v.exitEpoch),
      withdrawable_epoch: dec(v.withdrawableEpoch),
    },
  };
}

function validatorsJson(state: BeaconState, ids: readonly string[], statuses: readonly string[]): Json[] {
  const wanted = new Set(statuses.flatMap(parseStatus));
  let indices: number[];
  if (ids.length === 0) {
    indices = state.validators.map((_, index) => index);
  } else {
    // Unknown ids are left out, as beacon nodes do; each validator once, in index order.
    const found = new Set<number>();
    for (const id of ids.map(parseValidatorId)) {
      const index = typeof id === "number" ? id : state.indexByPubkey.get(id);
      if (index !== undefined && index < state.validators.length) found.add(index);
    }
    indices = [...found].sort((a, b) => a - b);
  }
  return indices
    .filter((index) => wanted.size === 0 || wanted.has(validatorStatus(state, index)))
    .map((index) => validatorJson(state, index));
}

function headerJson(sim: BeaconSimulator, block: SlotBlock): Json {
  const roots = blockRoots(block);
  const parent = sim.parentOf(block);
  return {
    root: roots.root,
    canonical: true,
    header: {
      message: {
        slot: dec(block.slot),
        proposer_index: dec(block.proposerIndex ?? 0),
        parent_root: parent === undefined ? ZERO_ROOT : blockRoots(parent).root,
        state_root: roots.stateRoot,
        body_root: roots.bodyRoot,
      },
      signature: EMPTY_SIGNATURE,
    },
  };
}

function blockJson(sim: BeaconSimulator, block: SlotBlock): Json {
  const header = headerJson(sim, block) as { header: { message: Record<string, Json> } };
  const { body_root: _bodyRoot, ...message } = header.header.message;
  const parent = sim.parentOf(block);
  const execution = block.executionBlock;
  return {
    message: {
      ...message,
      body: {
        randao_reveal: EMPTY_SIGNATURE,
        eth1_data: { deposit_root: ZERO_ROOT, deposit_count: "0", block_hash: execution.hash },
        graffiti: ZERO_ROOT,
        proposer_slashings: [],
        attester_slashings: [],
        attestations: [],
        deposits: [],
        voluntary_exits: [],
        sync_aggregate: { sync_committee_bits: "0x" + "00".repeat(64), sync_committee_signature: EMPTY_SIGNATURE },
        execution_payload: {
          parent_hash: parent?.executionBlock.hash ?? ZERO_ROOT,
          fee_recipient: block.feeRecipient,
          state_root: ZERO_ROOT,
          receipts_root: ZERO_ROOT,
          logs_bloom: "0x" + "00".repeat(256),
          prev_randao: ZERO_ROOT,
          block_number: dec(execution.number),
          gas_limit: "0",
          gas_used: "0",
          timestamp: dec(execution.timestamp),
          extra_data: "0x",
          base_fee_per_gas: "0",
          block_hash: execution.hash,
          transactions: [],
          withdrawals: block.withdrawals.map((w) => ({
            index: dec(w.index),
            validator_index: dec(w.validatorIndex),
            address: w.address,
            amount: dec(w.amountGwei),
          })),
          blob_gas_used: "0",
          excess_blob_gas: "0",
        },
        bls_to_execution_changes: [],
        blob_kzg_commitments: [],
      },
    },
    signature: EMPTY_SIGNATURE,
  };
}

function checkpointJson(sim: BeaconSimulator, epoch: bigint): Json {
  const block = sim.latestBlockAtOrBefore(epoch * sim.preset.SLOTS_PER_EPOCH);
  return { epoch: dec(epoch), root: block === undefined ? ZERO_ROOT : blockRoots(block).root };
}

function specJson(sim: BeaconSimulator): Json {
  const spec: Record<string, string> = {
    CONFIG_NAME: "plural-local",
    PRESET_BASE: sim.preset.name,
    MIN_GENESIS_TIME: dec(sim.genesisTime),
    GENESIS_DELAY: "0",
    GENESIS_FORK_VERSION: sim.genesisForkVersion,
  };
  for (const fork of Object.keys(FORK_NUMBERS) as ForkName[]) {
    if (fork === "genesis") continue;
    spec[`${fork.toUpperCase()}_FORK_VERSION`] = forkVersionOf(sim.genesisForkVersion, fork);
    spec[`${fork.toUpperCase()}_FORK_EPOCH`] = "0";
  }
  spec.ELECTRA_FORK_EPOCH = dec(sim.preset.FAR_FUTURE_EPOCH);
  for (const [name, value] of Object.entries(sim.preset)) {
    if (name !== "name") spec[name] = String(value);
  }
  Object.assign(spec, DOMAINS);
  spec.DEPOSIT_CHAIN_ID = dec(sim.chainId);
  spec.DEPOSIT_NETWORK_ID = dec(sim.chainId);
  spec.DEPOSIT_CONTRACT_ADDRESS = sim.depositContract;
  return spec;
}

function syncReportJson(report: SyncReport): Json {
  return {
    head_slot: dec(report.headSlot),
    head_epoch: dec(report.headEpoch),
    finalized_epoch: dec(report.finalizedEpoch),
    epochs_processed: dec(report.epochsProcessed),
    deposits: report.deposits.map((d) => ({
      block_number: dec(d.blockNumber),
      deposit_index: dec(d.depositIndex),
      pubkey: d.pubkey,
      amount: dec(d.amountGwei),
      result: d.result,
      validator_index: d.validatorIndex === undefined ? undefined : dec(d.validatorIndex),
    })),
    payment:
      report.payment === undefined
        ? undefined
        : {
            block_number: dec(report.payment.block.number),
            slot: dec(report.payment.slot),
            withdrawals: dec(report.payment.withdrawals.length),
            withdrawn: dec(report.payment.withdrawals.reduce((sum, w) => sum + w.amountGwei, 0n)),
            el_rewards: dec(report.payment.elRewards.reduce((sum, r) => sum + r.amountGwei, 0n)),
            credits: report.payment.credits.map((c) => ({ address: c.address, amount: dec(c.amountGwei) })),
            withdrawal_requests: report.payment.withdrawalRequests.map((r) => ({
              source_address: r.sourceAddress,
              validator_pubkey: r.pubkey,
              amount: dec(r.amountGwei),
              result: r.result,
              reason: r.reason,
              validator_index: r.validatorIndex === undefined ? undefined : dec(r.validatorIndex),
            })),
          },
  };
}

function statusJson(sim: BeaconSimulator): Json {
  const s = sim.status();
  return {
    preset: s.preset,
    chain_id: dec(s.chainId),
    deposit_contract: s.depositContract,
    genesis_time: dec(s.genesisTime),
    genesis_fork_version: s.genesisForkVersion,
    head_slot: dec(s.headSlot),
    head_epoch: dec(s.headEpoch),
    finalized_epoch: dec(s.finalizedEpoch),
    justified_epoch: dec(s.justifiedEpoch),
    last_execution_block: dec(s.lastBlock),
    validators: dec(s.validators),
    validators_by_status: Object.fromEntries(Object.entries(s.validatorsByStatus).map(([k, n]) => [k, dec(n)])),
    total_balance: dec(s.totalBalanceGwei),
    deposits: {
      seen: dec(s.deposits.seen),
      created: dec(s.deposits.created),
      topped_up: dec(s.deposits.toppedUp),
      lost: dec(s.deposits.lost),
    },
    totals: {
      deposited: dec(s.totals.depositedGwei),
      lost: dec(s.totals.lostGwei),
      rewards: dec(s.totals.rewardsGwei),
      penalties: dec(s.totals.penaltiesGwei),
      withdrawn: dec(s.totals.withdrawnGwei),
    },
    el_rewards: dec(s.elRewardsGwei),
    owed: dec(s.owedGwei),
    payment_blocks: dec(s.paymentBlocks),
    oldest_epoch: dec(s.oldestEpoch),
    withdrawal_requests: {
      predeploy: s.withdrawalRequests.predeploy,
      queued: dec(s.withdrawalRequests.queued),
      processed: dec(s.withdrawalRequests.processed),
      exited: dec(s.withdrawalRequests.exited),
      ignored: Object.fromEntries(Object.entries(s.withdrawalRequests.ignored).map(([k, n]) => [k, dec(n)])),
    },
  };
}

// ----- request bodies -----

function record(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, `Invalid ${what}: expected a JSON object`);
  }
  return body as Record<string, unknown>;
}

function decimalField(value: unknown, what: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,20}$/.test(value) && BigInt(value) <= MAX_UINT64) return BigInt(value);
  throw new HttpError(400, `${what}: expected a decimal string, got ${JSON.stringify(value) ?? "nothing"}`);
}

/** The validator a control body names: `validator`, `index` or `pubkey`. */
function validatorField(body: Record<string, unknown>): number | string {
  const value = body.validator ?? body.index ?? body.pubkey;
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string") {
    throw new HttpError(400, "Invalid body: expected {validator} with an index or a 0x-prefixed 48-byte pubkey");
  }
  return parseValidatorId(text);
}

function operationError(error: unknown, unknownStatus: number): never {
  if (error instanceof BeaconOperationError) {
    throw new HttpError(error.code === "unknown_validator" ? unknownStatus : 400, error.message);
  }
  throw error;
}

// ----- routes -----

const id = "([^/]+)";
const routes: Route[] = [
  {
    method: "GET",
    pattern: /^\/eth\/v1\/beacon\/genesis$/,
    handler: async (sim) => ({
      data: {
        genesis_time: dec(sim.genesisTime),
        genesis_validators_root: sim.genesisValidatorsRoot,
        genesis_fork_version: sim.genesisForkVersion,
      },
    }),
  },
  { method: "GET", pattern: /^\/eth\/v1\/config\/spec$/, handler: async (sim) => ({ data: specJson(sim) }) },
  {
    method: "GET",
    pattern: /^\/eth\/v1\/config\/deposit_contract$/,
    handler: async (sim) => ({ data: { chain_id: dec(sim.chainId), address: sim.depositContract } }),
  },
  {
    method: "GET",
    pattern: /^\/eth\/v1\/node\/version$/,
    handler: async () => ({ data: { version: SIMULATOR_VERSION } }),
  },
  { method: "GET", pattern: /^\/eth\/v1\/node\/health$/, handler: async () => undefined },
  {
    method: "GET",
    pattern: /^\/eth\/v1\/node\/syncing$/,
    handler: (sim) =>
      sim.read(() => ({
        data: {
          head_slot: dec(sim.headSlot),
          sync_distance: "0",
          is_syncing: false,
          is_optimistic: false,
          el_offline: false,
        },
      })),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v1/beacon/headers/${id}$`),
    handler: (sim, [blockId]) =>
      sim.read(() => {
        const block = resolveBlock(sim, blockId!);
        return {
          execution_optimistic: false,
          finalized: isFinalized(sim, block.slot),
          data: headerJson(sim, block),
        };
      }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v2/beacon/blocks/${id}$`),
    handler: (sim, [blockId]) =>
      sim.read(() => {
        const block = resolveBlock(sim, blockId!);
        return {
          version: "deneb",
          execution_optimistic: false,
          finalized: isFinalized(sim, block.slot),
          data: blockJson(sim, block),
        };
      }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v1/beacon/states/${id}/fork$`),
    handler: (sim, [stateId]) =>
      sim.read(() => {
        const { finalized } = resolveState(sim, stateId!);
        return {
          execution_optimistic: false,
          finalized,
          data: {
            previous_version: forkVersionOf(sim.genesisForkVersion, "capella"),
            current_version: forkVersionOf(sim.genesisForkVersion, "deneb"),
            epoch: "0",
          },
        };
      }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v1/beacon/states/${id}/finality_checkpoints$`),
    handler: (sim, [stateId]) =>
      sim.read(() => {
        const { state, finalized } = resolveState(sim, stateId!);
        const justified = state.epoch - 1n > state.finalizedEpoch ? state.epoch - 1n : state.finalizedEpoch;
        return {
          execution_optimistic: false,
          finalized,
          data: {
            previous_justified: checkpointJson(sim, state.finalizedEpoch),
            current_justified: checkpointJson(sim, justified),
            finalized: checkpointJson(sim, state.finalizedEpoch),
          },
        };
      }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v1/beacon/states/${id}/validators$`),
    handler: (sim, [stateId], query) =>
      sim.read(() => {
        const { state, finalized } = resolveState(sim, stateId!);
        return {
          execution_optimistic: false,
          finalized,
          data: validatorsJson(state, listParam(query, "id"), listParam(query, "status")),
        };
      }),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/eth/v1/beacon/states/${id}/validators$`),
    handler: (sim, [stateId], _query, body) => {
      const fields = body === undefined ? {} : record(body, "body");
      const ids = stringList(fields.ids, "ids");
      const statuses = stringList(fields.statuses, "statuses");
      return sim.read(() => {
        const { state, finalized } = resolveState(sim, stateId!);
        return { execution_optimistic: false, finalized, data: validatorsJson(state, ids, statuses) };
      });
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/eth/v1/beacon/states/${id}/validators/${id}$`),
    handler: (sim, [stateId, validatorId]) =>
      sim.read(() => {
        const { state, finalized } = resolveState(sim, stateId!);
        const parsed = parseValidatorId(validatorId!);
        const index = typeof parsed === "number" ? parsed : state.indexByPubkey.get(parsed);
        if (index === undefined || state.validators[index] === undefined) {
          throw new HttpError(404, `Validator not found: ${validatorId}`);
        }
        return { execution_optimistic: false, finalized, data: validatorJson(state, index) };
      }),
  },
  {
    method: "POST",
    pattern: /^\/eth\/v1\/beacon\/pool\/voluntary_exits$/,
    handler: async (sim, _params, _query, body) => {
      const fields = record(body, "voluntary exit");
      const message = record(fields.message, "voluntary exit message");
      const epoch = decimalField(message.epoch, "message.epoch");
      const validatorIndex = decimalField(message.validator_index, "message.validator_index");
      if (typeof fields.signature !== "string" || !/^0x[0-9a-fA-F]{192}$/.test(fields.signature)) {
        throw new HttpError(400, "signature: expected 0x and 96 bytes of hex");
      }
      if (validatorIndex > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new HttpError(400, `Invalid voluntary exit: no validator at index ${validatorIndex}`);
      }
      try {
        await sim.voluntaryExit({
          message: { epoch, validatorIndex: Number(validatorIndex) },
          signature: fields.signature,
        });
      } catch (error) {
        if (error instanceof BeaconOperationError) {
          throw new HttpError(400, `Invalid voluntary exit: ${error.message}`);
        }
        throw error;
      }
      return undefined;
    },
  },
  { method: "GET", pattern: /^\/plural\/v1\/status$/, handler: (sim) => sim.read(() => ({ data: statusJson(sim) })) },
  {
    method: "POST",
    pattern: /^\/plural\/v1\/sync$/,
    handler: async (sim) => ({ data: syncReportJson(await sim.sync()) }),
  },
  {
    method: "POST",
    pattern: /^\/plural\/v1\/advance$/,
    handler: async (sim, _params, _query, body) => {
      const epochs = decimalField(record(body, "body").epochs, "epochs");
      if (epochs < 1n || epochs > 1_000_000n) throw new HttpError(400, `epochs: expected 1 to 1000000, got ${epochs}`);
      return { data: syncReportJson(await sim.advance(Number(epochs))) };
    },
  },
  {
    method: "POST",
    pattern: /^\/plural\/v1\/slash$/,
    handler: async (sim, _params, _query, body) => {
      const validator = validatorField(record(body, "body"));
      try {
        const { index, status } = await sim.slash(validator);
        return { data: { index: dec(index), status } };
      } catch (error) {
        operationError(error, 404);
      }
    },
  },
  {
    method: "POST",
    pattern: /^\/plural\/v1\/penalize$/,
    handler: async (sim, _params, _query, body) => {
      const fields = record(body, "body");
      const validator = validatorField(fields);
      const amount = decimalField(fields.amount_gwei, "amount_gwei");
      try {
        const { index, balanceGwei } = await sim.penalize(validator, amount);
        return { data: { index: dec(index), balance: dec(balanceGwei) } };
      } catch (error) {
        operationError(error, 404);
      }
    },
  },
];

// ----- server -----

function send(response: ServerResponse, status: number, body: Json | undefined): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `Invalid JSON body: ${(error as Error).message}`);
  }
}

async function handle(
  sim: BeaconSimulator,
  request: IncomingMessage,
  response: ServerResponse,
  onError: BeaconApiOptions["onError"],
): Promise<void> {
  const method = request.method ?? "GET";
  const rawUrl = request.url ?? "/";
  try {
    const url = new URL(rawUrl, "http://127.0.0.1");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const matching = routes.filter((route) => route.pattern.test(path));
    if (matching.length === 0) throw new HttpError(404, `Route ${method} ${path} not found`);
    const route = matching.find((candidate) => candidate.method === method);
    if (route === undefined) {
      throw new HttpError(
        405,
        `Method ${method} not allowed on ${path}: use ${matching.map((r) => r.method).join(" or ")}`,
      );
    }
    const params = route.pattern
      .exec(path)!
      .slice(1)
      .map((param) => {
        try {
          return decodeURIComponent(param);
        } catch {
          throw new HttpError(400, `Invalid URL: ${param} is not well-formed percent-encoding`);
        }
      });
    const body = method === "POST" ? await readBody(request) : undefined;
    send(response, 200, await route.handler(sim, params, url.searchParams, body));
  } catch (error) {
    if (error instanceof HttpError) {
      send(response, error.status, { code: error.status, message: error.message });
      return;
    }
    onError?.(error, { method, url: rawUrl });
    const message = error instanceof Error ? error.message : String(error);
    send(response, 500, { code: 500, message: `Internal error: ${message}` });
  }
}

/**
 * Serves `simulator` on 127.0.0.1:`port` (0 picks a free port). Reads wait for any sync in progress, so every answer
 * reflects a whole sync.
 */
export async function startBeaconApi(
  simulator: BeaconSimulator,
  options: BeaconApiOptions = {},
): Promise<BeaconApiServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port: expected an integer from 0 to 65535, got ${port}`);
  }
  const server: Server = createServer((request, response) => {
    handle(simulator, request, response, options.onError).catch((error: unknown) => {
      // Only a failure to write the response itself lands here: the client is gone.
      options.onError?.(error, { method: request.method ?? "GET", url: request.url ?? "/" });
      response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
