/**
 * The operator's side of exit requests: a daemon that watches the registry for `ValidatorExitRequested` events naming
 * its operator and, for each key it holds, signs a voluntary exit and submits it to a Beacon API (a real beacon node or
 * `beacon run`). It decides from the beacon node's state, never from memory: a restart submits nothing twice.
 */
import type { SecretKey } from "@chainsafe/blst";
import type { Provider } from "ethers";

import { formatDuration } from "./amounts.js";
import { BeaconApiError, type BeaconClient, isTransientBeaconError, type ValidatorInfo } from "./beacon/client.js";
import { computeVoluntaryExitDomain, signVoluntaryExit } from "./beacon/signing.js";
import { readBlock } from "./blocks.js";
import { UserInputError } from "./errors.js";
import {
  countExits,
  exitProgressOf,
  exitStarted,
  exitsToStart,
  readExitRequests,
  type RequestedExit,
  validatorsByPubkey,
} from "./exitRequests.js";
import type { SigningKeySet } from "./keys/signingKeys.js";
import { type CommittedKey, committedKeys, readCommittedBatches } from "./operators.js";
import type { Protocol } from "./protocol.js";
import { isoTime, sleep } from "./time.js";

/** What to do about one request now, decided from the beacon node's head state (see `decideExit`). */
export type ExitDecision =
  /** The validator is exiting or has exited: nothing to do, ever. */
  | { kind: "done"; validatorIndex: number; status: string; exitEpoch: bigint }
  /** This daemon holds no key for the validator: the operator must exit it (or another) some other way. */
  | { kind: "noKey" }
  /** The configured delay after the request's block has not passed. */
  | { kind: "delay"; until: bigint }
  /** The beacon node has no validator with this key (its deposit is not processed yet). */
  | { kind: "absent" }
  /** The validator is not active yet: an exit would be refused until it is. */
  | { kind: "notActive"; validatorIndex: number; status: string }
  /** Active for less than SHARD_COMMITTEE_PERIOD epochs: an exit would be refused until `fromEpoch`. */
  | { kind: "tooYoung"; validatorIndex: number; activationEpoch: bigint; fromEpoch: bigint }
  /** Sign and submit `VoluntaryExit { epoch, validatorIndex }`. */
  | { kind: "submit"; validatorIndex: number; epoch: bigint };

export interface ExitDecisionInput {
  /** The validator in the head state; null when the node has none with the key. */
  validator: Pick<ValidatorInfo, "index" | "status" | "activationEpoch" | "exitEpoch"> | null;
  hasKey: boolean;
  /** Unix seconds: the request's block's timestamp. */
  requestTime: bigint;
  delaySeconds: bigint;
  /** Unix seconds: the chain's latest block's timestamp. */
  now: bigint;
  headEpoch: bigint;
  shardCommitteePeriod: bigint;
}

/**
 * What to do about a request, in this order: nothing once the validator's exit has begun; report a key this daemon
 * does not hold; wait out the delay; wait while the validator is unknown, not active yet or active for less than
 * SHARD_COMMITTEE_PERIOD epochs (the conditions a beacon node would refuse the exit for, which time lifts); otherwise
 * submit an exit at the head epoch.
 */
export function decideExit(input: ExitDecisionInput): ExitDecision {
  const { validator } = input;
  const progress = exitProgressOf(validator);
  if (validator !== null && exitStarted(progress)) {
    return { kind: "done", validatorIndex: validator.index, status: validator.status, exitEpoch: validator.exitEpoch };
  }
  if (!input.hasKey) return { kind: "noKey" };
  const until = input.requestTime + input.delaySeconds;
  if (input.now < until) return { kind: "delay", until };
  if (validator === null) return { kind: "absent" };
  if (progress === "pending" || validator.activationEpoch > input.headEpoch) {
    return { kind: "notActive", validatorIndex: validator.index, status: validator.status };
  }
  const fromEpoch = validator.activationEpoch + input.shardCommitteePeriod;
  if (input.headEpoch < fromEpoch) {
    return { kind: "tooYoung", validatorIndex: validator.index, activationEpoch: validator.activationEpoch, fromEpoch };
  }
  return { kind: "submit", validatorIndex: validator.index, epoch: input.headEpoch };
}

/**
 * Whether a beacon node's refusal names a condition time lifts (too young to exit, not active yet), for nodes whose
 * state this daemon read differently: Lighthouse, Prysm, Teku, Nimbus and Lodestar word them in these terms.
 */
export function refusalMayLift(message: string): boolean {
  return /too.?young|shard.?committee.?period|not (yet )?active|inactive|NotActive/iu.test(message);
}

/** How one request ended up, for the summary. */
export interface ExitOutcome {
  keyIndex: number;
  pubkey: string;
  validatorIndex?: number;
  /** The exit's epoch, for submitted exits. */
  epoch?: bigint;
  /** What the log line said. */
  detail: string;
}

/** What a run did with its operator's requests. */
export interface ExitResponderSummary {
  operatorId: number;
  /** Requests seen (since the deployment). */
  requests: number;
  /** Exits this run signed and the beacon node accepted. */
  submitted: ExitOutcome[];
  /** Validators found exiting or exited already (by an earlier run, another tool, or a slashing). */
  alreadyExiting: ExitOutcome[];
  /** Requested keys this daemon holds no key for. */
  missingKeys: ExitOutcome[];
  /** Requests still waiting: for the delay, for the validator to be active or old enough, or for the node. */
  waiting: ExitOutcome[];
  /** Requests left alone because exits under way (of any of the operator's validators) already meet every request. */
  met: ExitOutcome[];
  /** Exits the beacon node refused for a reason time does not lift (logged with its message). */
  refused: ExitOutcome[];
}

export interface ExitResponderOptions {
  protocol: Protocol;
  beacon: BeaconClient;
  operatorId: number;
  keys: SigningKeySet;
  /** Seconds to wait after a request's block before exiting its validator; default 0. */
  delaySeconds?: number;
  /** How often to look at the chain and the beacon node; default 2 s. */
  pollMs?: number;
  /** The longest wait between tries while something fails; default 60 s. */
  maxBackoffMs?: number;
  /** One pass, then return (errors are thrown instead of retried). */
  once?: boolean;
  signal?: AbortSignal;
  /** One line per action, and a line when something goes wrong. */
  log?: (line: string) => void;
}

/** What exits are signed with: the node's voluntary-exit domain and the spec constants that time exits. */
export interface ExitSigningContext {
  domain: Uint8Array;
  capellaForkVersion: string;
  genesisValidatorsRoot: string;
  slotsPerEpoch: bigint;
  shardCommitteePeriod: bigint;
}

function specValue(spec: Record<string, string>, name: string, url: string, pattern: RegExp): string {
  const value = spec[name];
  if (value === undefined || !pattern.test(value)) {
    throw new UserInputError(
      `the beacon node at ${url} gives ${value === undefined ? "no" : `a malformed (${value})`} ${name} in its ` +
        `spec: cannot sign exits for it`,
    );
  }
  return value;
}

/**
 * Reads the voluntary-exit domain (EIP-7044: DOMAIN_VOLUNTARY_EXIT under CAPELLA_FORK_VERSION and the node's
 * genesis_validators_root) and the epoch constants from the beacon node, and checks that it follows the deployment's
 * deposit contract when its spec names one (exits signed for another network would be refused, or worse, valid there).
 */
export async function readExitSigningContext(beacon: BeaconClient, protocol: Protocol): Promise<ExitSigningContext> {
  const [genesis, spec] = await Promise.all([beacon.genesis(), beacon.spec()]);
  const capellaForkVersion = specValue(spec, "CAPELLA_FORK_VERSION", beacon.url, /^0x[0-9a-fA-F]{8}$/u).toLowerCase();
  const slotsPerEpoch = BigInt(specValue(spec, "SLOTS_PER_EPOCH", beacon.url, /^[1-9]\d*$/u));
  const shardCommitteePeriod = BigInt(specValue(spec, "SHARD_COMMITTEE_PERIOD", beacon.url, /^\d+$/u));
  const depositContract = spec.DEPOSIT_CONTRACT_ADDRESS;
  if (
    depositContract !== undefined &&
    depositContract.toLowerCase() !== protocol.addresses.depositContract.toLowerCase()
  ) {
    throw new UserInputError(
      `the beacon node at ${beacon.url} follows the deposit contract ${depositContract}, not the deployment's ` +
        `${protocol.addresses.depositContract}: it is another network's node`,
    );
  }
  return {
    domain: computeVoluntaryExitDomain(capellaForkVersion, genesis.genesisValidatorsRoot),
    capellaForkVersion,
    genesisValidatorsRoot: genesis.genesisValidatorsRoot,
    slotsPerEpoch,
    shardCommitteePeriod,
  };
}

/** The operator a daemon runs for, as the registry has it. */
export interface ExitOperator {
  id: number;
  name: string;
  depositedKeys: number;
}

/**
 * Checks that `operatorId` exists and is not a distributed-validator cluster, whose keys no single party holds.
 *
 * @throws UserInputError naming the problem; for a cluster, what a threshold exit would need.
 */
export async function checkExitOperator(protocol: Protocol, operatorId: number): Promise<ExitOperator> {
  const registry = protocol.operatorRegistry;
  const count = await registry.operatorCount();
  if (!Number.isSafeInteger(operatorId) || operatorId < 0 || BigInt(operatorId) >= count) {
    throw new UserInputError(
      `operator ${operatorId} does not exist: the registry has ${count === 0n ? "no operator yet" : `ids 0 to ${count - 1n}`}`,
    );
  }
  const op = await registry.getOperator(operatorId);
  if (op.clusterThreshold > 0n) {
    const t = op.clusterThreshold;
    throw new UserInputError(
      `operator ${operatorId} (${op.name}) is a ${t}-of-${op.clusterMembers.length} distributed-validator cluster: ` +
        `its validators' signing keys exist only as shares held by its members, so no single key can sign their ` +
        `exits. A voluntary exit needs ${t} members' partial signatures over the exit, combined into one (as for ` +
        `its deposits with keys sign-share and keys combine); this daemon signs with whole keys only and does not ` +
        `collect threshold signatures`,
    );
  }
  return { id: operatorId, name: op.name, depositedKeys: Number(op.depositedKeys) };
}

/**
 * The operator's deposited keys (read from the registry's commitments) and those of them `keys` holds.
 *
 * @throws UserInputError when the operator has no deposited key, or `keys` holds none of them.
 */
export async function matchDepositedKeys(
  protocol: Protocol,
  operator: ExitOperator,
  keys: SigningKeySet,
): Promise<{ deposited: CommittedKey[]; held: CommittedKey[] }> {
  if (operator.depositedKeys === 0) {
    throw new UserInputError(
      `operator ${operator.id} (${operator.name}) has no deposited validator yet: nothing it could be asked to exit`,
    );
  }
  const batches = await readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock);
  const deposited = committedKeys(batches).filter(
    (key) => key.operatorId === operator.id && key.index < operator.depositedKeys,
  );
  const held = deposited.filter((key) => keys.keys.has(key.pubkey.toLowerCase()));
  if (held.length === 0) {
    throw new UserInputError(
      `none of the ${keys.keys.size} keys loaded (${keys.source}) is one of the ${deposited.length} deposited keys ` +
        `of operator ${operator.id} (${operator.name}): check the mnemonic and its key range, or the keystores, ` +
        `and --operator`,
    );
  }
  return { deposited, held };
}

const describeError = (error: unknown) => (error instanceof Error ? error.message.split("\n")[0]! : String(error));

/** One request the daemon follows. */
interface Tracked {
  request: RequestedExit;
  /** Set once nothing more will be done for it in this run. */
  final?: "submitted" | "alreadyExiting" | "refused";
  /** The last state logged (so each state is logged once), and its outcome for the summary. */
  note?: string;
  outcome?: ExitOutcome;
  /** The summary's list for its current state. */
  list?: "missingKeys" | "waiting" | "met";
}

/**
 * Runs the exit daemon for one operator: each poll it reads the operator's new `ValidatorExitRequested` events (at
 * start, all since the deployment), and for each requested key it holds, once `delaySeconds` have passed since the
 * request's block, reads the validator from the beacon node: already exiting or exited, it is done; not there, not
 * active or too young to exit (SHARD_COMMITTEE_PERIOD), it tries again at later polls; otherwise it signs a
 * `VoluntaryExit` at the head epoch under the node's voluntary-exit domain and submits it. It starts no more exits than
 * the operator still needs (`exitsToStart`): an exit under way of any of its validators meets a request as well. A
 * refusal that time may lift is retried; any other is logged once with the node's message. Requested keys it holds no
 * key for are logged once.
 * Returns a summary when `signal` aborts, or after one pass with `once`.
 *
 * @throws UserInputError for a wrong setup (unknown operator, a cluster, keys that are none of the operator's, a
 *   beacon node of another network); with `once`, any error of the pass.
 */
export async function runExitResponder(options: ExitResponderOptions): Promise<ExitResponderSummary> {
  const { protocol, beacon, operatorId, keys, signal } = options;
  const pollMs = options.pollMs ?? 2_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const once = options.once ?? false;
  const log = options.log ?? (() => {});
  const delay = options.delaySeconds ?? 0;
  if (!Number.isSafeInteger(delay) || delay < 0) {
    throw new RangeError(`delaySeconds: expected a whole number of seconds >= 0, got ${delay}`);
  }
  const delaySeconds = BigInt(delay);
  const registry = protocol.operatorRegistry;
  const provider: Provider | null | undefined = registry.runner?.provider;
  if (provider == null) throw new Error("the registry contract has no provider to read the chain with");

  const operator = await checkExitOperator(protocol, operatorId);
  const { deposited, held } = await matchDepositedKeys(protocol, operator, keys);
  const tracked = new Map<string, Tracked>();
  const summary = (): ExitResponderSummary => {
    const result: ExitResponderSummary = {
      operatorId,
      requests: tracked.size,
      submitted: [],
      alreadyExiting: [],
      missingKeys: [],
      waiting: [],
      met: [],
      refused: [],
    };
    for (const entry of tracked.values()) {
      const list = entry.final ?? entry.list ?? "waiting";
      result[list].push(
        entry.outcome ?? {
          keyIndex: entry.request.keyIndex,
          pubkey: entry.request.pubkey,
          detail: "not looked at yet",
        },
      );
    }
    return result;
  };

  let backoffMs = pollMs;
  let lastProblem = "";
  const problem = (text: string) => {
    if (text !== lastProblem) log(`${text}; retrying (up to every ${maxBackoffMs / 1000} s)`);
    lastProblem = text;
  };

  let context: ExitSigningContext | undefined;
  while (context === undefined && !signal?.aborted) {
    try {
      context = await readExitSigningContext(beacon, protocol);
    } catch (error) {
      if (once || !isTransientBeaconError(error)) throw error;
      problem(`beacon node ${beacon.url} unreachable: ${describeError(error)}`);
      await sleep(backoffMs, signal);
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    }
  }
  if (context === undefined) return summary();
  const signing = context;
  log(
    `exit daemon for operator ${operator.id} (${operator.name}): holds the keys of ${held.length} of its ` +
      `${deposited.length} deposited validators (${keys.source}); beacon node ${beacon.url} (voluntary-exit domain of ` +
      `Capella fork version ${signing.capellaForkVersion}, genesis validators root ` +
      `${signing.genesisValidatorsRoot.slice(0, 10)}…); delay ${delay === 0 ? "none" : formatDuration(delaySeconds)}`,
  );

  /** Logs `line` when the request's state changed since the last line logged for it. */
  const note = (entry: Tracked, state: string, line: string, validatorIndex?: number, epoch?: bigint) => {
    entry.outcome = {
      keyIndex: entry.request.keyIndex,
      pubkey: entry.request.pubkey,
      ...(validatorIndex === undefined ? {} : { validatorIndex }),
      ...(epoch === undefined ? {} : { epoch }),
      detail: line,
    };
    if (entry.note === state) return;
    entry.note = state;
    log(line);
  };

  const act = async (
    entry: Tracked,
    decision: ExitDecision | { kind: "met"; why: string },
    headEpoch: bigint,
    retry: boolean,
  ): Promise<void> => {
    const { request } = entry;
    const key = `key #${request.keyIndex} ${request.pubkey}`;
    entry.list = "waiting";
    switch (decision.kind) {
      case "met":
        entry.list = "met";
        note(entry, "met", `${key}: not exited: ${decision.why}`);
        return;
      case "done":
        entry.final = "alreadyExiting";
        note(
          entry,
          "done",
          `validator ${decision.validatorIndex} (${key}) is already ${decision.status} (exit epoch ` +
            `${decision.exitEpoch}): nothing to do`,
          decision.validatorIndex,
        );
        return;
      case "noKey":
        entry.list = "missingKeys";
        note(
          entry,
          "noKey",
          `operator ${operatorId} must exit ${request.pubkey} (key #${request.keyIndex}) but this daemon holds no key for it`,
        );
        return;
      case "delay":
        note(entry, "delay", `${key}: waiting until ${isoTime(decision.until)} (the delay after its request)`);
        return;
      case "absent":
        note(entry, "absent", `${key}: the beacon node has no validator with this key yet; trying again every poll`);
        return;
      case "notActive":
        note(
          entry,
          "notActive",
          `validator ${decision.validatorIndex} (${key}) is not active yet (${decision.status}); trying again every poll`,
          decision.validatorIndex,
        );
        return;
      case "tooYoung":
        note(
          entry,
          "tooYoung",
          `validator ${decision.validatorIndex} (${key}) has been active since epoch ${decision.activationEpoch}: it ` +
            `may exit from epoch ${decision.fromEpoch} (SHARD_COMMITTEE_PERIOD ${signing.shardCommitteePeriod}), the ` +
            `head epoch is ${headEpoch}; trying again every poll`,
          decision.validatorIndex,
        );
        return;
      case "submit":
        break;
    }
    const secretKey = keys.keys.get(request.pubkey)!;
    const signed = signVoluntaryExit(
      secretKey,
      { epoch: decision.epoch, validatorIndex: decision.validatorIndex },
      signing.domain,
    );
    try {
      await beacon.submitVoluntaryExit(signed);
    } catch (error) {
      if (!(error instanceof BeaconApiError) || isTransientBeaconError(error)) throw error;
      // The node refused: read the validator again, the refusal may be one time lifts or an exit that raced this one.
      const fresh = await beacon.validator("head", request.pubkey);
      const again = decideExit({
        validator: fresh,
        hasKey: true,
        // The delay has passed (the decision to submit said so): only the validator's state matters now.
        requestTime: request.blockTime,
        delaySeconds: 0n,
        now: request.blockTime,
        headEpoch,
        shardCommitteePeriod: signing.shardCommitteePeriod,
      });
      if (again.kind !== "submit" && retry) return act(entry, again, headEpoch, false);
      if (refusalMayLift(error.apiMessage)) {
        note(
          entry,
          `refusedForNow:${error.apiMessage}`,
          `the beacon node refused the exit of validator ${decision.validatorIndex} (${key}) for now: ` +
            `${error.apiMessage}; trying again every poll`,
          decision.validatorIndex,
        );
        return;
      }
      entry.final = "refused";
      note(
        entry,
        "refused",
        `the beacon node refused the exit of validator ${decision.validatorIndex} (${key}): ${error.apiMessage}`,
        decision.validatorIndex,
      );
      return;
    }
    entry.final = "submitted";
    const after = await beacon.validator("head", request.pubkey);
    const state = after === null ? "" : `: now ${after.status}, exit epoch ${after.exitEpoch}`;
    note(
      entry,
      "submitted",
      `submitted the voluntary exit of validator ${decision.validatorIndex} (${key}) at epoch ${decision.epoch}${state}`,
      decision.validatorIndex,
      decision.epoch,
    );
  };

  let nextBlock = protocol.addresses.deployedAtBlock;
  const pass = async () => {
    const latest = await readBlock(provider);
    if (latest.number >= nextBlock) {
      const found = await readExitRequests(registry, { fromBlock: nextBlock, toBlock: latest.number, operatorId });
      nextBlock = latest.number + 1;
      for (const request of found) {
        if (tracked.has(request.pubkey)) continue;
        tracked.set(request.pubkey, { request });
        log(
          `exit requested: key #${request.keyIndex} ${request.pubkey} at block ${request.blockNumber} ` +
            `(${isoTime(request.blockTime)}), due by ${isoTime(request.deadline)}`,
        );
      }
    }
    const open = [...tracked.values()].filter((entry) => entry.final === undefined);
    if (open.length === 0) return;
    const [validators, syncing] = await Promise.all([
      validatorsByPubkey(
        beacon,
        open.map((entry) => entry.request.pubkey),
      ),
      beacon.syncing(),
    ]);
    const headEpoch = syncing.headSlot / signing.slotsPerEpoch;
    const decisions = open.map((entry) => ({
      entry,
      decision: decideExit({
        validator: validators.get(entry.request.pubkey) ?? null,
        hasKey: keys.keys.has(entry.request.pubkey),
        requestTime: entry.request.blockTime,
        delaySeconds,
        now: BigInt(latest.timestamp),
        headEpoch,
        shardCommitteePeriod: signing.shardCommitteePeriod,
      }),
    }));
    // Requests are met by exits counted, of any of the operator's validators: exit no more than are still needed.
    let budget = 0n;
    let why = "";
    if (decisions.some(({ decision }) => decision.kind === "submit")) {
      const [state, all] = await Promise.all([
        registry.getExitState(operatorId, { blockTag: latest.number }),
        validatorsByPubkey(
          beacon,
          deposited.map((key) => key.pubkey),
        ),
      ]);
      const counts = countExits(all.values());
      budget = exitsToStart(state, counts);
      why =
        `operator ${operatorId}'s requests are met by exits under way (it must reach ${state.targetExited} exited; ` +
        `${state.exitedKeys} counted by the registry, ${counts.exited} exited and ${counts.exiting} exiting on the ` +
        `beacon chain)`;
    }
    for (const { entry, decision } of decisions) {
      if (signal?.aborted) return;
      if (decision.kind === "submit") {
        if (budget <= 0n) {
          await act(entry, { kind: "met", why }, headEpoch, true);
          continue;
        }
        budget--;
      }
      await act(entry, decision, headEpoch, true);
    }
  };

  backoffMs = pollMs;
  while (!signal?.aborted) {
    let wait = pollMs;
    try {
      await pass();
      backoffMs = pollMs;
      lastProblem = "";
    } catch (error) {
      if (once || error instanceof UserInputError) throw error;
      problem(
        isTransientBeaconError(error)
          ? `beacon node ${beacon.url} unreachable: ${describeError(error)}`
          : `pass failed: ${describeError(error)}`,
      );
      wait = backoffMs;
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    }
    if (once) break;
    await sleep(wait, signal);
  }
  return summary();
}
