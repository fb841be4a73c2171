/**
 * A small typed client of the standard Beacon API (the subset the simulator serves, which real beacon nodes serve
 * too), and of the simulator's control endpoints. Uses the global `fetch`. Amounts are gwei (bigint), epochs and
 * slots bigint, validator indices numbers.
 */
import type { SignedVoluntaryExit } from "./signing.js";
import type { ValidatorStatus } from "./state.js";

/** The server answered with an error status; `status` and `apiMessage` are the server's. */
export class BeaconApiError extends Error {
  override name = "BeaconApiError";
  constructor(
    readonly url: string,
    readonly status: number,
    readonly apiMessage: string,
  ) {
    super(`${url}: HTTP ${status}: ${apiMessage}`);
  }
}

/** No answer at all: connection refused, DNS failure, timeout. */
export class BeaconConnectionError extends Error {
  override name = "BeaconConnectionError";
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`no beacon node at ${url}: ${describeCause(cause)}`, { cause });
  }
}

/** An answer that is not the JSON the Beacon API specifies. */
export class BeaconResponseError extends Error {
  override name = "BeaconResponseError";
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // fetch wraps the socket error ("fetch failed"); its cause says what happened (ECONNREFUSED 127.0.0.1:5052).
  const inner = cause.cause;
  if (inner instanceof Error) return inner.message;
  if (typeof inner === "object" && inner !== null && "code" in inner) return String((inner as { code: unknown }).code);
  return cause.message;
}

export interface Genesis {
  /** Unix seconds. */
  genesisTime: bigint;
  genesisValidatorsRoot: string;
  genesisForkVersion: string;
}

export interface BlockHeaderInfo {
  root: string;
  slot: bigint;
  proposerIndex: number;
  parentRoot: string;
  stateRoot: string;
  bodyRoot: string;
}

/** What the oracle needs of a beacon block: its slot and its execution payload. */
export interface BeaconBlockInfo {
  slot: bigint;
  proposerIndex: number;
  parentRoot: string;
  stateRoot: string;
  executionBlockNumber: number;
  executionBlockHash: string;
  /** Unix seconds. */
  executionTimestamp: bigint;
  feeRecipient: string;
  withdrawals: { index: bigint; validatorIndex: number; address: string; amountGwei: bigint }[];
}

export interface ValidatorInfo {
  index: number;
  balanceGwei: bigint;
  status: ValidatorStatus;
  pubkey: string;
  withdrawalCredentials: string;
  effectiveBalanceGwei: bigint;
  slashed: boolean;
  activationEligibilityEpoch: bigint;
  activationEpoch: bigint;
  exitEpoch: bigint;
  withdrawableEpoch: bigint;
}

export interface Checkpoint {
  epoch: bigint;
  root: string;
}

export interface FinalityCheckpoints {
  previousJustified: Checkpoint;
  currentJustified: Checkpoint;
  finalized: Checkpoint;
}

export interface SyncingStatus {
  headSlot: bigint;
  syncDistance: bigint;
  isSyncing: boolean;
  isOptimistic: boolean;
}

/** A validator filter: an index, or a 0x-prefixed 48-byte pubkey. */
export type ValidatorId = number | string;

/** A block or state id: "head", "finalized", "justified", "genesis", a slot, or a 0x root. */
export type BlockId = "head" | "finalized" | "justified" | "genesis" | bigint | number | string;

export interface BeaconClientOptions {
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** Ids per validators request. */
export const VALIDATOR_IDS_PER_REQUEST = 100;
// Short id lists go in the query string (cacheable GET); longer ones in a POST body.
const MAX_IDS_IN_URL = 30;

// ----- response parsing -----

type Fields = Record<string, unknown>;

function object(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BeaconResponseError(`${path}: expected an object`);
  }
  return value as Fields;
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string") throw new BeaconResponseError(`${path}: expected a string`);
  return value;
}

function uint(value: unknown, path: string): bigint {
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw new BeaconResponseError(`${path}: expected a decimal string, got ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

function index(value: unknown, path: string): number {
  const parsed = uint(value, path);
  if (parsed > BigInt(Number.MAX_SAFE_INTEGER)) throw new BeaconResponseError(`${path}: ${parsed} is too large`);
  return Number(parsed);
}

function hex(value: unknown, bytes: number | undefined, path: string): string {
  const s = text(value, path);
  if (!/^0x[0-9a-fA-F]*$/.test(s) || s.length % 2 !== 0 || (bytes !== undefined && s.length !== 2 + 2 * bytes)) {
    throw new BeaconResponseError(
      `${path}: expected 0x-prefixed hex${bytes === undefined ? "" : ` of ${bytes} bytes`}`,
    );
  }
  return s.toLowerCase();
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new BeaconResponseError(`${path}: expected an array`);
  return value;
}

function parseValidator(value: unknown, path: string): ValidatorInfo {
  const item = object(value, path);
  const v = object(item.validator, `${path}.validator`);
  return {
    index: index(item.index, `${path}.index`),
    balanceGwei: uint(item.balance, `${path}.balance`),
    status: text(item.status, `${path}.status`) as ValidatorStatus,
    pubkey: hex(v.pubkey, 48, `${path}.validator.pubkey`),
    withdrawalCredentials: hex(v.withdrawal_credentials, 32, `${path}.validator.withdrawal_credentials`),
    effectiveBalanceGwei: uint(v.effective_balance, `${path}.validator.effective_balance`),
    slashed: v.slashed === true,
    activationEligibilityEpoch: uint(v.activation_eligibility_epoch, `${path}.validator.activation_eligibility_epoch`),
    activationEpoch: uint(v.activation_epoch, `${path}.validator.activation_epoch`),
    exitEpoch: uint(v.exit_epoch, `${path}.validator.exit_epoch`),
    withdrawableEpoch: uint(v.withdrawable_epoch, `${path}.validator.withdrawable_epoch`),
  };
}

function parseCheckpoint(value: unknown, path: string): Checkpoint {
  const checkpoint = object(value, path);
  return { epoch: uint(checkpoint.epoch, `${path}.epoch`), root: hex(checkpoint.root, 32, `${path}.root`) };
}

function checkValidatorId(id: ValidatorId): string {
  if (typeof id === "number") {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`validator id: expected an index >= 0, got ${id}`);
    return String(id);
  }
  if (!/^0x[0-9a-fA-F]{96}$/.test(id) && !/^\d+$/.test(id)) {
    throw new RangeError(`validator id: expected an index or a 0x-prefixed 48-byte pubkey, got "${id}"`);
  }
  return id.toLowerCase();
}

function blockIdText(id: BlockId): string {
  return typeof id === "string" ? id : id.toString(10);
}

/** The Beacon API of one node. */
export class BeaconClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  private readonly timeoutMs: number;

  /** @throws TypeError when `url` is not an http(s) URL. */
  constructor(url: string, options: BeaconClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`beacon node URL "${url}": expected an http(s) URL such as http://127.0.0.1:5052`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError(`beacon node URL "${url}": expected http:// or https://, got ${parsed.protocol}`);
    }
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * One request; JSON in and out. A 404 gives null when `notFoundIsNull`.
   *
   * @throws BeaconConnectionError, BeaconApiError, BeaconResponseError.
   */
  protected async request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    notFoundIsNull = false,
  ): Promise<unknown | null> {
    const url = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new BeaconConnectionError(this.url, error);
    }
    const raw = await response.text();
    if (response.status === 404 && notFoundIsNull) return null;
    if (!response.ok) {
      let message = raw.slice(0, 500);
      try {
        const parsed = JSON.parse(raw) as { message?: unknown };
        if (typeof parsed.message === "string") message = parsed.message;
      } catch {
        // Not JSON: keep the text.
      }
      throw new BeaconApiError(`${method} ${url}`, response.status, message || response.statusText);
    }
    if (raw.trim() === "") return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new BeaconResponseError(`${method} ${url}: the answer is not JSON: ${raw.slice(0, 100)}`);
    }
  }

  private async data(path: string, notFoundIsNull = false): Promise<unknown | null> {
    const body = await this.request("GET", path, undefined, notFoundIsNull);
    return body === null ? null : object(body, path).data;
  }

  async genesis(): Promise<Genesis> {
    const data = object(await this.data("/eth/v1/beacon/genesis"), "genesis");
    return {
      genesisTime: uint(data.genesis_time, "genesis.genesis_time"),
      genesisValidatorsRoot: hex(data.genesis_validators_root, 32, "genesis.genesis_validators_root"),
      genesisForkVersion: hex(data.genesis_fork_version, 4, "genesis.genesis_fork_version"),
    };
  }

  /** The node's config, values as strings (e.g. spec.SECONDS_PER_SLOT === "12"). */
  async spec(): Promise<Record<string, string>> {
    const data = object(await this.data("/eth/v1/config/spec"), "spec");
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
  }

  async version(): Promise<string> {
    return text(object(await this.data("/eth/v1/node/version"), "version").version, "version.version");
  }

  async syncing(): Promise<SyncingStatus> {
    const data = object(await this.data("/eth/v1/node/syncing"), "syncing");
    return {
      headSlot: uint(data.head_slot, "syncing.head_slot"),
      syncDistance: uint(data.sync_distance, "syncing.sync_distance"),
      isSyncing: data.is_syncing === true,
      isOptimistic: data.is_optimistic === true,
    };
  }

  /** A block's header, or null when there is none (an empty slot, a slot not reached or no longer kept). */
  async header(blockId: BlockId): Promise<BlockHeaderInfo | null> {
    const raw = await this.data(`/eth/v1/beacon/headers/${encodeURIComponent(blockIdText(blockId))}`, true);
    if (raw === null) return null;
    const data = object(raw, "header");
    const message = object(object(data.header, "header.header").message, "header.header.message");
    return {
      root: hex(data.root, 32, "header.root"),
      slot: uint(message.slot, "header.slot"),
      proposerIndex: index(message.proposer_index, "header.proposer_index"),
      parentRoot: hex(message.parent_root, 32, "header.parent_root"),
      stateRoot: hex(message.state_root, 32, "header.state_root"),
      bodyRoot: hex(message.body_root, 32, "header.body_root"),
    };
  }

  /** A block's slot and execution payload, or null for an empty slot (or one not reached or no longer kept). */
  async block(blockId: BlockId): Promise<BeaconBlockInfo | null> {
    const raw = await this.data(`/eth/v2/beacon/blocks/${encodeURIComponent(blockIdText(blockId))}`, true);
    if (raw === null) return null;
    const message = object(object(raw, "block").message, "block.message");
    const body = object(message.body, "block.message.body");
    const payload = object(body.execution_payload, "block.message.body.execution_payload");
    const path = "block.message.body.execution_payload";
    return {
      slot: uint(message.slot, "block.message.slot"),
      proposerIndex: index(message.proposer_index, "block.message.proposer_index"),
      parentRoot: hex(message.parent_root, 32, "block.message.parent_root"),
      stateRoot: hex(message.state_root, 32, "block.message.state_root"),
      executionBlockNumber: index(payload.block_number, `${path}.block_number`),
      executionBlockHash: hex(payload.block_hash, 32, `${path}.block_hash`),
      executionTimestamp: uint(payload.timestamp, `${path}.timestamp`),
      feeRecipient: hex(payload.fee_recipient, 20, `${path}.fee_recipient`),
      withdrawals: array(payload.withdrawals ?? [], `${path}.withdrawals`).map((value, i) => {
        const w = object(value, `${path}.withdrawals[${i}]`);
        return {
          index: uint(w.index, `${path}.withdrawals[${i}].index`),
          validatorIndex: index(w.validator_index, `${path}.withdrawals[${i}].validator_index`),
          address: hex(w.address, 20, `${path}.withdrawals[${i}].address`),
          amountGwei: uint(w.amount, `${path}.withdrawals[${i}].amount`),
        };
      }),
    };
  }

  /**
   * Validators of a state, in index order, filtered by ids (indices or pubkeys; unknown ones are left out) and
   * statuses (exact statuses or the groups pending, active, exited, withdrawal). Ids go 100 per request, in the query
   * string when few and in a POST body otherwise.
   */
  async validators(
    stateId: BlockId,
    ids: readonly ValidatorId[] = [],
    statuses: readonly string[] = [],
  ): Promise<ValidatorInfo[]> {
    const path = `/eth/v1/beacon/states/${encodeURIComponent(blockIdText(stateId))}/validators`;
    const idTexts = ids.map(checkValidatorId);
    const batches: string[][] = [];
    for (let start = 0; start < idTexts.length; start += VALIDATOR_IDS_PER_REQUEST) {
      batches.push(idTexts.slice(start, start + VALIDATOR_IDS_PER_REQUEST));
    }
    if (batches.length === 0) batches.push([]);
    const byIndex = new Map<number, ValidatorInfo>();
    for (const batch of batches) {
      let body: unknown;
      if (batch.length <= MAX_IDS_IN_URL) {
        const query = new URLSearchParams();
        if (batch.length > 0) query.set("id", batch.join(","));
        if (statuses.length > 0) query.set("status", statuses.join(","));
        const search = query.toString();
        body = await this.request("GET", search === "" ? path : `${path}?${search}`);
      } else {
        body = await this.request("POST", path, { ids: batch, statuses });
      }
      array(object(body, path).data, `${path} data`).forEach((value, i) => {
        const validator = parseValidator(value, `validators[${i}]`);
        byIndex.set(validator.index, validator);
      });
    }
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }

  /** One validator of a state, or null when the state has none with that index or pubkey. */
  async validator(stateId: BlockId, id: ValidatorId): Promise<ValidatorInfo | null> {
    const raw = await this.data(
      `/eth/v1/beacon/states/${encodeURIComponent(blockIdText(stateId))}/validators/${checkValidatorId(id)}`,
      true,
    );
    return raw === null ? null : parseValidator(raw, "validator");
  }

  async finalityCheckpoints(stateId: BlockId = "head"): Promise<FinalityCheckpoints> {
    const path = `/eth/v1/beacon/states/${encodeURIComponent(blockIdText(stateId))}/finality_checkpoints`;
    const data = object(await this.data(path), "finality_checkpoints");
    return {
      previousJustified: parseCheckpoint(data.previous_justified, "previous_justified"),
      currentJustified: parseCheckpoint(data.current_justified, "current_justified"),
      finalized: parseCheckpoint(data.finalized, "finalized"),
    };
  }

  /**
   * Submits a signed voluntary exit to the node's pool.
   *
   * @throws BeaconApiError (status 400) with the node's reason when it refuses the exit.
   */
  async submitVoluntaryExit(signed: SignedVoluntaryExit): Promise<void> {
    await this.request("POST", "/eth/v1/beacon/pool/voluntary_exits", {
      message: { epoch: signed.message.epoch.toString(10), validator_index: String(signed.message.validatorIndex) },
      signature: signed.signature,
    });
  }
}

/** What `/plural/v1/status` reports (amounts in gwei). */
export interface SimulatorStatusInfo {
  preset: string;
  chainId: bigint;
  depositContract: string;
  genesisTime: bigint;
  headSlot: bigint;
  headEpoch: bigint;
  finalizedEpoch: bigint;
  justifiedEpoch: bigint;
  lastExecutionBlock: number;
  validators: number;
  validatorsByStatus: Record<string, number>;
  totalBalanceGwei: bigint;
  deposits: { seen: number; created: number; toppedUp: number; lost: number };
  totals: {
    depositedGwei: bigint;
    lostGwei: bigint;
    rewardsGwei: bigint;
    penaltiesGwei: bigint;
    withdrawnGwei: bigint;
  };
  elRewardsGwei: bigint;
  owedGwei: bigint;
  paymentBlocks: number;
}

/** What `/plural/v1/advance` and `/plural/v1/sync` report. */
export interface SyncSummary {
  headSlot: bigint;
  headEpoch: bigint;
  finalizedEpoch: bigint;
  epochsProcessed: bigint;
  deposits: number;
  payment?: { blockNumber: number; withdrawals: number; withdrawnGwei: bigint; elRewardsGwei: bigint };
}

function parseSyncSummary(value: unknown): SyncSummary {
  const data = object(value, "sync");
  const payment = data.payment === undefined ? undefined : object(data.payment, "sync.payment");
  return {
    headSlot: uint(data.head_slot, "sync.head_slot"),
    headEpoch: uint(data.head_epoch, "sync.head_epoch"),
    finalizedEpoch: uint(data.finalized_epoch, "sync.finalized_epoch"),
    epochsProcessed: uint(data.epochs_processed, "sync.epochs_processed"),
    deposits: array(data.deposits, "sync.deposits").length,
    ...(payment === undefined
      ? {}
      : {
          payment: {
            blockNumber: index(payment.block_number, "sync.payment.block_number"),
            withdrawals: index(payment.withdrawals, "sync.payment.withdrawals"),
            withdrawnGwei: uint(payment.withdrawn, "sync.payment.withdrawn"),
            elRewardsGwei: uint(payment.el_rewards, "sync.payment.el_rewards"),
          },
        }),
  };
}

/** The beacon simulator's Beacon API plus its control endpoints (/plural/v1/). */
export class SimulatorClient extends BeaconClient {
  /** The simulator's own summary; null when the node is not a Plural simulator (no such endpoint). */
  async status(): Promise<SimulatorStatusInfo | null> {
    const body = await this.request("GET", "/plural/v1/status", undefined, true);
    if (body === null) return null;
    const data = object(object(body, "status").data, "status.data");
    const deposits = object(data.deposits, "status.deposits");
    const totals = object(data.totals, "status.totals");
    const byStatus = object(data.validators_by_status, "status.validators_by_status");
    return {
      preset: text(data.preset, "status.preset"),
      chainId: uint(data.chain_id, "status.chain_id"),
      depositContract: text(data.deposit_contract, "status.deposit_contract"),
      genesisTime: uint(data.genesis_time, "status.genesis_time"),
      headSlot: uint(data.head_slot, "status.head_slot"),
      headEpoch: uint(data.head_epoch, "status.head_epoch"),
      finalizedEpoch: uint(data.finalized_epoch, "status.finalized_epoch"),
      justifiedEpoch: uint(data.justified_epoch, "status.justified_epoch"),
      lastExecutionBlock: index(data.last_execution_block, "status.last_execution_block"),
      validators: index(data.validators, "status.validators"),
      validatorsByStatus: Object.fromEntries(
        Object.entries(byStatus).map(([status, count]) => [status, index(count, `status.${status}`)]),
      ),
      totalBalanceGwei: uint(data.total_balance, "status.total_balance"),
      deposits: {
        seen: index(deposits.seen, "status.deposits.seen"),
        created: index(deposits.created, "status.deposits.created"),
        toppedUp: index(deposits.topped_up, "status.deposits.topped_up"),
        lost: index(deposits.lost, "status.deposits.lost"),
      },
      totals: {
        depositedGwei: uint(totals.deposited, "status.totals.deposited"),
        lostGwei: uint(totals.lost, "status.totals.lost"),
        rewardsGwei: uint(totals.rewards, "status.totals.rewards"),
        penaltiesGwei: uint(totals.penalties, "status.totals.penalties"),
        withdrawnGwei: uint(totals.withdrawn, "status.totals.withdrawn"),
      },
      elRewardsGwei: uint(data.el_rewards, "status.el_rewards"),
      owedGwei: uint(data.owed, "status.owed"),
      paymentBlocks: index(data.payment_blocks, "status.payment_blocks"),
    };
  }

  /** Moves the simulator's chain forward by `epochs` epochs and syncs. */
  async advance(epochs: number): Promise<SyncSummary> {
    const body = await this.request("POST", "/plural/v1/advance", { epochs: String(epochs) });
    return parseSyncSummary(object(body, "advance").data);
  }

  /** Syncs the simulator with its chain now. */
  async sync(): Promise<SyncSummary> {
    const body = await this.request("POST", "/plural/v1/sync", {});
    return parseSyncSummary(object(body, "sync").data);
  }

  /** Slashes a validator (by index or pubkey); returns its index and new status. */
  async slash(validator: ValidatorId): Promise<{ index: number; status: string }> {
    const body = await this.request("POST", "/plural/v1/slash", { validator: checkValidatorId(validator) });
    const data = object(object(body, "slash").data, "slash.data");
    return { index: index(data.index, "slash.index"), status: text(data.status, "slash.status") };
  }

  /** Takes `amountGwei` from a validator's balance; returns its index and new balance. */
  async penalize(validator: ValidatorId, amountGwei: bigint): Promise<{ index: number; balanceGwei: bigint }> {
    const body = await this.request("POST", "/plural/v1/penalize", {
      validator: checkValidatorId(validator),
      amount_gwei: amountGwei.toString(10),
    });
    const data = object(object(body, "penalize").data, "penalize.data");
    return { index: index(data.index, "penalize.index"), balanceGwei: uint(data.balance, "penalize.balance") };
  }
}

export interface RetryOptions {
  /** Total tries, at least 1. */
  attempts: number;
  /** Delay before the second try; doubles each time. */
  baseDelayMs: number;
  /** Cap on one delay; default 30 s. */
  maxDelayMs?: number;
  /** Called before each new try. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Which errors are worth another try; default `isTransientBeaconError`. */
  retryIf?: (error: unknown) => boolean;
}

/**
 * Whether an error may go away by itself: no connection, a timeout, a 5xx or 429 answer. A 4xx answer or a malformed
 * response will not change by retrying.
 */
export function isTransientBeaconError(error: unknown): boolean {
  if (error instanceof BeaconConnectionError) return true;
  if (error instanceof BeaconApiError) return error.status >= 500 || error.status === 429;
  return false;
}

/**
 * Runs `fn` until it succeeds, at most `attempts` times, waiting `baseDelayMs`, then twice as long each time (capped
 * at `maxDelayMs`) between tries, for errors `retryIf` accepts; the last error is thrown as is.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, baseDelayMs } = options;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts: expected an integer >= 1, got ${attempts}`);
  }
  if (!(baseDelayMs >= 0)) throw new RangeError(`baseDelayMs: expected >= 0, got ${baseDelayMs}`);
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const retryIf = options.retryIf ?? isTransientBeaconError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryIf(error)) throw error;
      const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
