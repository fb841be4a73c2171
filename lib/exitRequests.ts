/**
 * Exit requests as operators see them: the registry's `ValidatorExitRequested` events, what each operator still owes
 * (`getExitState`), and, from a Beacon API, which requested validators are already on their way out.
 *
 * Requests are met by exited validators, counted: an operator owes `targetExited - exitedKeys` exits whichever of its
 * validators it exits. The keys named in requests are the oracle's suggestion (oldest first), and what the exit
 * daemon (`./exitResponder.ts`) signs exits for.
 */
import type { Provider } from "ethers";

import type { OperatorRegistry } from "../typechain-types/index.js";
import { formatDuration } from "./amounts.js";
import type { BeaconClient, ValidatorInfo } from "./beacon/client.js";
import type { ValidatorStatus } from "./beacon/state.js";
import { readBlock } from "./blocks.js";
import { queryInChunks } from "./logs.js";
import { committedKeys, listOperators, readCommittedBatches } from "./operators.js";
import type { Protocol } from "./protocol.js";
import { renderGrid, renderTable, type Row } from "./table.js";
import { isoTime } from "./time.js";
import { FAR_FUTURE_EPOCH } from "./beacon/preset.js";

/** One `ValidatorExitRequested` event, with its block's time. */
export interface RequestedExit {
  operatorId: number;
  keyIndex: number;
  /** 0x-prefixed, lower case, 48 bytes. */
  pubkey: string;
  /** Unix seconds by which the request's batch must be met. */
  deadline: bigint;
  blockNumber: number;
  /** Unix seconds: the request's block's timestamp. */
  blockTime: bigint;
  transactionHash: string;
}

/**
 * Where a requested validator stands on the beacon chain: `unknown` without a beacon node to ask, `absent` when the
 * node has no validator with the key, `pending` before activation, `active` while it has not started to exit,
 * `exiting` from its exit's initiation (voluntary or slashed) to its exit epoch, `exited` after.
 */
export type ExitProgress = "unknown" | "absent" | "pending" | "active" | "exiting" | "exited";

/** A request, and its validator as the beacon node's head state has it (when a node was asked). */
export interface ExitRequestInfo extends RequestedExit {
  validatorIndex?: number;
  status?: ValidatorStatus;
  exitEpoch?: bigint;
  progress: ExitProgress;
}

/**
 * The progress of a validator found by pubkey: undefined when no beacon node was asked, null when it has no such
 * validator. The exit epoch decides (a validator that is exiting has one, whatever the node calls its status); the
 * status only tells pending from active, and exiting from exited.
 */
export function exitProgressOf(
  validator: Pick<ValidatorInfo, "status" | "exitEpoch"> | null | undefined,
): ExitProgress {
  if (validator === undefined) return "unknown";
  if (validator === null) return "absent";
  if (validator.exitEpoch !== FAR_FUTURE_EPOCH) return validator.status.startsWith("active") ? "exiting" : "exited";
  return validator.status.startsWith("pending") ? "pending" : "active";
}

/** Whether the validator's exit has begun: nothing is left for its operator to do. */
export function exitStarted(progress: ExitProgress): boolean {
  return progress === "exiting" || progress === "exited";
}

/**
 * The requests still to act on: those whose validator has not started to exit, without repeats (the first request of
 * a key counts), in request order. Without a beacon node (`unknown`) every request is outstanding.
 */
export function outstandingRequests<T extends Pick<ExitRequestInfo, "pubkey" | "progress">>(
  requests: readonly T[],
): T[] {
  const seen = new Set<string>();
  const outstanding: T[] = [];
  for (const request of requests) {
    const key = request.pubkey.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (!exitStarted(request.progress)) outstanding.push(request);
  }
  return outstanding;
}

/** Exits the operator still owes: `targetExited - exitedKeys`, never below zero (an operator may exit more). */
export function owedExits(state: { targetExited: bigint; exitedKeys: bigint }): bigint {
  return state.targetExited > state.exitedKeys ? state.targetExited - state.exitedKeys : 0n;
}

/** An operator's validators whose exit has begun, as the beacon node's head state has them. */
export interface BeaconExitCounts {
  /** Past their exit epoch. */
  exited: number;
  /** Exit initiated, exit epoch still ahead. */
  exiting: number;
}

/** Counts the validators (an operator's deposited ones) that have exited or are exiting. */
export function countExits(validators: Iterable<Pick<ValidatorInfo, "status" | "exitEpoch">>): BeaconExitCounts {
  const counts = { exited: 0, exiting: 0 };
  for (const validator of validators) {
    const progress = exitProgressOf(validator);
    if (progress === "exited") counts.exited++;
    else if (progress === "exiting") counts.exiting++;
  }
  return counts;
}

/**
 * Exits the operator still has to start to meet every request: its target less its exited validators (the registry's
 * count, or the beacon node's when the oracle has not reported them yet) and those exiting now, never below zero. The
 * oracle plans with the same count: an exit under way, of any of the operator's validators, meets a request.
 */
export function exitsToStart(state: { targetExited: bigint; exitedKeys: bigint }, counts: BeaconExitCounts): bigint {
  const beaconExited = BigInt(counts.exited);
  const exited = state.exitedKeys > beaconExited ? state.exitedKeys : beaconExited;
  const needed = state.targetExited - exited - BigInt(counts.exiting);
  return needed > 0n ? needed : 0n;
}

/**
 * The registry's exit requests in `[fromBlock, toBlock]`, of one operator or of all, in chain order, each with its
 * block's timestamp. Scans in chunks (see `queryInChunks`).
 */
export async function readExitRequests(
  registry: OperatorRegistry,
  range: { fromBlock: number; toBlock: number; operatorId?: number },
): Promise<RequestedExit[]> {
  const provider = registryProvider(registry);
  const filter = registry.filters.ValidatorExitRequested(range.operatorId);
  const events = await queryInChunks(
    (from, to) => registry.queryFilter(filter, from, to),
    range.fromBlock,
    range.toBlock,
  );
  const times = new Map<number, bigint>();
  for (const blockNumber of new Set(events.map((event) => event.blockNumber))) {
    const block = await provider.getBlock(blockNumber);
    if (block === null) throw new Error(`block ${blockNumber} of an exit request is missing: the node pruned it`);
    times.set(blockNumber, BigInt(block.timestamp));
  }
  return events.map((event) => ({
    operatorId: Number(event.args.operatorId),
    keyIndex: Number(event.args.keyIndex),
    pubkey: event.args.pubkey.toLowerCase(),
    deadline: event.args.deadline,
    blockNumber: event.blockNumber,
    blockTime: times.get(event.blockNumber)!,
    transactionHash: event.transactionHash,
  }));
}

function registryProvider(registry: OperatorRegistry): Provider {
  const provider = registry.runner?.provider;
  if (provider == null) throw new Error("the registry contract has no provider to read the chain with");
  return provider;
}

/** The head-state validators of `pubkeys` by pubkey (lower case); keys the node does not know are left out. */
export async function validatorsByPubkey(
  beacon: BeaconClient,
  pubkeys: readonly string[],
): Promise<Map<string, ValidatorInfo>> {
  const unique = [...new Set(pubkeys.map((pubkey) => pubkey.toLowerCase()))];
  const found = unique.length === 0 ? [] : await beacon.validators("head", unique);
  return new Map(found.map((validator) => [validator.pubkey.toLowerCase(), validator]));
}

/** Adds each request's validator and progress, asking `beacon` when given (one call per 100 keys). */
export async function withValidators(
  requests: readonly RequestedExit[],
  beacon: BeaconClient | undefined,
): Promise<ExitRequestInfo[]> {
  if (beacon === undefined) return requests.map((request) => ({ ...request, progress: "unknown" }));
  const validators = await validatorsByPubkey(
    beacon,
    requests.map((request) => request.pubkey),
  );
  return requests.map((request) => {
    const validator = validators.get(request.pubkey) ?? null;
    return {
      ...request,
      ...(validator === null
        ? {}
        : { validatorIndex: validator.index, status: validator.status, exitEpoch: validator.exitEpoch }),
      progress: exitProgressOf(validator),
    };
  });
}

/**
 * Every exit request since the deployment (of `operatorId` alone when given), as of `blockTag` (default: the latest
 * block), with each validator's index and status now when `beacon` is given: a request whose validator is exiting or
 * exited is done.
 */
export async function listExitRequests(
  protocol: Protocol,
  options: { operatorId?: number; beacon?: BeaconClient; blockTag?: number } = {},
): Promise<ExitRequestInfo[]> {
  const registry = protocol.operatorRegistry;
  const toBlock = options.blockTag ?? (await registryProvider(registry).getBlockNumber());
  const requests = await readExitRequests(registry, {
    fromBlock: protocol.addresses.deployedAtBlock,
    toBlock,
    ...(options.operatorId === undefined ? {} : { operatorId: options.operatorId }),
  });
  return withValidators(requests, options.beacon);
}

/** What one operator owes in exits. */
export interface OperatorExitStatus {
  id: number;
  name: string;
  clusterThreshold: number;
  clusterMembers: number;
  /** Deposited and not exited. */
  activeValidators: bigint;
  exitedKeys: bigint;
  /** Exit requests made to it since the deployment (events). */
  requested: number;
  /** Exits it still owes: `targetExited - exitedKeys`, at least 0. */
  owed: bigint;
  /** When its oldest unmet requests are due, unix seconds; 0 when every request is met. */
  dueBy: bigint;
  /** When its newest unmet requests are due; 0 when every request is met. */
  targetBy: bigint;
  penalized: boolean;
  /** Its validators exiting or exited on the beacon chain; undefined without a beacon node. */
  beacon?: BeaconExitCounts;
  /**
   * Requested keys still to exit: those whose validators have not started to exit, oldest request first, as many as
   * `exitsToStart` (none once exits under way meet every request); undefined without a beacon node.
   */
  toExit?: ExitRequestInfo[];
}

/** Every operator's exit obligations, read at one block. */
export interface ExitStatus {
  blockNumber: number;
  /** The block's timestamp: "now" for deadlines. */
  timestamp: bigint;
  /** Seconds operators have to meet a batch of requests. */
  responseTime: bigint;
  /** The Beacon API asked, if any. */
  beaconUrl?: string;
  operators: OperatorExitStatus[];
  /** Every request since the deployment, in chain order. */
  requests: ExitRequestInfo[];
}

/**
 * Reads, at the latest block, each operator's active and exited validators, the requests made to it, what it owes and
 * by when, whether it is penalized, and (with `beacon`) the requested keys whose validators are not exiting yet.
 */
export async function readExitStatus(protocol: Protocol, options: { beacon?: BeaconClient } = {}): Promise<ExitStatus> {
  const registry = protocol.operatorRegistry;
  const block = await readBlock(registryProvider(registry));
  const blockTag = block.number;
  const [operators, responseTime, requests] = await Promise.all([
    listOperators(registry, blockTag),
    registry.exitResponseTime({ blockTag }),
    listExitRequests(protocol, { blockTag, ...(options.beacon === undefined ? {} : { beacon: options.beacon }) }),
  ]);
  const states = await Promise.all(operators.map((op) => registry.getExitState(op.id, { blockTag })));
  const counts = new Map<number, BeaconExitCounts>();
  if (options.beacon !== undefined) {
    const deposited = committedKeys(
      await readCommittedBatches(registry, blockTag, protocol.addresses.deployedAtBlock),
    ).filter((key) => BigInt(key.index) < operators[key.operatorId]!.depositedKeys);
    const validators = await validatorsByPubkey(
      options.beacon,
      deposited.map((key) => key.pubkey),
    );
    for (const op of operators) {
      const own = deposited.filter((key) => key.operatorId === op.id);
      counts.set(op.id, countExits(own.flatMap((key) => validators.get(key.pubkey.toLowerCase()) ?? [])));
    }
  }
  return {
    blockNumber: blockTag,
    timestamp: BigInt(block.timestamp),
    responseTime,
    ...(options.beacon === undefined ? {} : { beaconUrl: options.beacon.url }),
    operators: operators.map((op, i) => {
      const state = states[i]!;
      const own = requests.filter((request) => request.operatorId === op.id);
      return {
        id: op.id,
        name: op.name,
        clusterThreshold: op.clusterThreshold,
        clusterMembers: op.clusterMembers.length,
        activeValidators: op.activeValidators,
        exitedKeys: state.exitedKeys,
        requested: own.length,
        owed: owedExits(state),
        dueBy: state.dueBy,
        targetBy: state.targetBy,
        penalized: state.penalized,
        ...(options.beacon === undefined
          ? {}
          : {
              beacon: counts.get(op.id)!,
              toExit: outstandingRequests(own).slice(0, Number(exitsToStart(state, counts.get(op.id)!))),
            }),
      };
    }),
    requests,
  };
}

/** A deadline against `now`: "2026-01-02T03:04:05Z (in 3 days 4 h)" or "… (passed 2 h ago)". */
export function formatDeadline(deadline: bigint, now: bigint): string {
  if (deadline === 0n) return "-";
  const when = isoTime(deadline);
  if (deadline >= now) return `${when} (in ${formatDuration(deadline - now)})`;
  return `${when} (passed ${formatDuration(now - deadline)} ago)`;
}

/** How a request's validator stands, in words for the tables and logs. */
export function describeProgress(request: Pick<ExitRequestInfo, "progress" | "status" | "exitEpoch">): string {
  switch (request.progress) {
    case "unknown":
      return "unknown (no beacon node asked)";
    case "absent":
      return "not on the beacon chain";
    case "pending":
      return `not active yet (${request.status})`;
    case "active":
      return `to exit (${request.status})`;
    case "exiting":
      return `exiting (${request.status}, exit epoch ${request.exitEpoch})`;
    case "exited":
      return `exited (${request.status})`;
  }
}

/**
 * The `operators exits` tables: one row per operator (active, exited, requested, owed, due by, penalized, keys still to
 * exit), the registry's response time, and with `operatorId` the requests made to that operator with their
 * validators' state.
 */
export function formatExitStatus(status: ExitStatus, networkName: string, operatorId?: number): string {
  const shown = operatorId === undefined ? status.operators : status.operators.filter((op) => op.id === operatorId);
  const rows = shown.map((op) => [
    `${op.id} ${op.name}${op.clusterThreshold > 0 ? ` (cluster ${op.clusterThreshold}-of-${op.clusterMembers})` : ""}`,
    op.activeValidators.toString(),
    op.exitedKeys.toString(),
    op.beacon === undefined ? "?" : op.beacon.exiting.toString(),
    op.requested.toString(),
    op.owed.toString(),
    formatDeadline(op.dueBy, status.timestamp),
    op.penalized ? "yes: fees burned" : "no",
    op.toExit === undefined ? "?" : op.toExit.length.toString(),
  ]);
  const sections = [
    renderGrid(
      `Exit requests on ${networkName}, block ${status.blockNumber} (${isoTime(status.timestamp)})`,
      ["operator", "active", "exited", "exiting", "requested", "owed", "due by", "penalized", "keys to exit"],
      rows,
    ),
  ];
  const notes: Row[] = [
    ["response time", formatDuration(status.responseTime)],
    ["requests since the deployment", status.requests.length.toString()],
    [
      "validator states from",
      status.beaconUrl ?? "no beacon node (--beacon-url shows which requested keys are not exiting yet)",
    ],
    ["A request is met by any of the operator's validators exiting, counted: the keys named are the oldest."],
    ["exited and owed are the registry's counts (from the oracle's reports); exiting and keys to exit come"],
    ["from the beacon node: exits under way, and the requested keys still to exit to meet every request."],
  ];
  sections.push(renderTable("Exit rules", notes));
  if (operatorId !== undefined) {
    const op = shown[0];
    const own = status.requests.filter((request) => request.operatorId === operatorId);
    const title = `Requests to operator ${operatorId}${op === undefined ? "" : ` (${op.name})`}`;
    sections.push(
      own.length === 0
        ? `${title}: none`
        : renderGrid(
            title,
            ["key", "pubkey", "requested", "deadline", "validator", "state"],
            own.map((request) => [
              request.keyIndex.toString(),
              request.pubkey,
              `${isoTime(request.blockTime)} (block ${request.blockNumber})`,
              isoTime(request.deadline),
              request.validatorIndex === undefined ? "-" : request.validatorIndex.toString(),
              describeProgress(request),
            ]),
          ),
    );
  }
  return sections.join("\n");
}
