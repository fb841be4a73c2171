/**
 * A local beacon chain beside a Hardhat chain: it reads the deposit contract's `DepositEvent`s, runs the validator
 * lifecycle of `state.ts` on the execution chain's clock, and pays withdrawals and execution-layer rewards on chain.
 *
 * Model (the choices a reader of its Beacon API must know):
 * - Clock: the chain's. slot = (block.timestamp - genesisTime) / SECONDS_PER_SLOT, head = the slot of the latest
 *   block read. Epochs are processed when a block of a later epoch appears (the chain's clock stands still between
 *   blocks); `advance` moves the chain's time and mines.
 * - Blocks: a slot has a beacon block when the execution chain has a block whose timestamp falls in it; its execution
 *   payload is the latest such block. Other slots are empty (the Beacon API answers 404 for them).
 * - Deposits apply in log order in the epoch of their block (no follow distance, no pending-deposit queue). The
 *   first deposit for a pubkey with a valid BLS signature creates the validator; earlier invalid ones are lost; later
 *   ones top up whatever their signature, as in the spec.
 * - Withdrawals: one sweep (up to MAX_WITHDRAWALS_PER_PAYLOAD) per elapsed slot, run when the simulator next pays,
 *   on the state of the payment block's epoch. The simulator pays in a block it mines itself, with automine off so
 *   that it is the only block producer: it mines the block, then credits each recipient with `hardhat_setBalance`
 *   (which Hardhat applies to the latest block's state in place), so payments appear from that block on, in its slot.
 * - Withdrawal requests (EIP-7002), when the chain has the request contract at its predeploy address (`beacon run`
 *   installs ours): every payment block carries the end-of-block system call, sent from SYSTEM_ADDRESS (impersonated,
 *   given its gas for the call and set back after) as the block's last transaction (no priority fee), so the contract's
 *   queue and excess evolve as on a chain whose blocks all run it; the records the call returned (read back with
 *   `debug_traceTransaction`, at most 16) are applied in order with Electra's process_withdrawal_request on the state
 *   of the block's epoch, after its withdrawals; requests the consensus layer ignores are dropped, with an event
 *   naming the reason. A payment is also due while the contract needs a system call (before the first one, while
 *   requests wait or were added, while the excess is above zero, so the fee decays as it would). The request logs are
 *   read like deposits, for events and counts.
 * - Execution-layer rewards: `elRewardPerBlockGwei` for each slot with a block, to the fee recipient of its proposer,
 *   a deterministic pick (keccak256 of the slot) among the validators active in that epoch. No active validator, no
 *   configured fee recipient or a zero reward: nobody is paid.
 * - History: the state at a slot is the state at the end of that slot's epoch (the head state for the current epoch);
 *   snapshots of the last `historyEpochs` epochs and of epoch 0 are kept. Reads at the last slot of an epoch and at
 *   that slot's execution block are therefore consistent: same deposits, same withdrawals.
 * - Finality: the core's, perfect participation: finalized = head epoch - 2, justified = head epoch - 1.
 * - The state lives in memory. A new simulator on the same chain is a new beacon chain that replays every deposit:
 *   do not run two against one chain, nor restart one against a chain it has already paid on. A revert of the
 *   execution chain below the last block read (`evm_revert`, a reorg) stops it with a `ChainRevertedError`.
 */
import { concat, getAddress, keccak256, toBeHex, toQuantity, toUtf8Bytes, ZeroAddress } from "ethers";

import {
  decodeWithdrawalRequestLog,
  decodeWithdrawalRequests,
  readWithdrawalRequestState,
  SYSTEM_ADDRESS,
  type WithdrawalRequest,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
} from "../eip7002.js";
import { UserInputError } from "../errors.js";
import { queryInChunks } from "../logs.js";
import { beaconNetwork } from "../networks.js";
import { type BlockHeader, type DepositLog, type Eip1193Provider, ExecutionChain } from "./chain.js";
import { restoreSnapshot, SnapshotTaker, type StateSnapshot } from "./history.js";
import { type Preset, PRESETS } from "./preset.js";
import {
  applyDeposit,
  advanceEpochs,
  type BeaconState,
  createState,
  ExitNotAllowedError,
  NotSlashableError,
  penalize,
  processEpoch,
  processWithdrawalRequest,
  skipEmptyPayloads,
  slash,
  sweepWithdrawals,
  totalBalance,
  type Totals,
  validatorStatus,
  type ValidatorStatus,
  voluntaryExit,
  type Withdrawal,
  type WithdrawalRequestIgnoredReason,
  withdrawalsPending,
} from "./state.js";
import {
  checkDepositSignatures,
  computeVoluntaryExitDomain,
  forkVersionOf,
  LOCAL_GENESIS_VALIDATORS_ROOT,
  type SignedVoluntaryExit,
  verifyVoluntaryExit,
} from "./signing.js";

export type { Eip1193Provider } from "./chain.js";

const WEI_PER_GWEI = 1_000_000_000n;
/** Gas of the withdrawal request system call: dequeuing 16 requests (48 cold slots) takes about 200,000. */
const SYSTEM_CALL_GAS = 1_000_000n;
const PROPOSER_LABEL = toUtf8Bytes("Plural local beacon chain: proposer");
const STATUSES: readonly ValidatorStatus[] = [
  "pending_initialized",
  "pending_queued",
  "active_ongoing",
  "active_exiting",
  "active_slashed",
  "exited_unslashed",
  "exited_slashed",
  "withdrawal_possible",
  "withdrawal_done",
];

/** Default reward rate: 3 % a year on effective balances. */
export const DEFAULT_REWARD_RATE_BPS = 300;
/** Default execution-layer reward: 0.01 ETH a block, paid only where a fee recipient is configured. */
export const DEFAULT_EL_REWARD_PER_BLOCK_GWEI = 10_000_000n;
/** Default number of past epochs whose states are kept (at least 3: finalized and justified must be in it). */
export const DEFAULT_HISTORY_EPOCHS = 64;

export type PresetName = Preset["name"];

export interface BeaconSimulatorOptions {
  /** The deposit contract (the official one or `BeaconDepositMock`) whose `DepositEvent`s make validators. */
  depositContract: string;
  /** Spec constants; default "mainnet". */
  preset?: PresetName | Preset;
  /** 0x-prefixed, 4 bytes; default: the network of the chain id (`beaconNetwork`), 0x00007a69 on 31337. */
  genesisForkVersion?: string;
  /** Unix seconds; default: the latest block's timestamp when the simulator is created. */
  genesisTime?: bigint | number;
  /** Consensus rewards, in basis points a year of effective balance; default 300. */
  rewardRateBps?: number;
  /** Execution-layer reward of each proposed block, in gwei; default 0.01 ETH. */
  elRewardPerBlockGwei?: bigint;
  /** Fee recipient of every validator not in `feeRecipients`; default none (their blocks pay nobody). */
  feeRecipient?: string;
  /** Fee recipients by validator pubkey (0x-prefixed, 48 bytes). */
  feeRecipients?: ReadonlyMap<string, string>;
  /** Past epochs whose states are kept for queries; default 64, at least 3. */
  historyEpochs?: number;
  /** First execution block to read deposits from; default 0. */
  fromBlock?: number;
  /** Blocks per `eth_getLogs` request; default 10,000. */
  logChunkBlocks?: number;
  /** Called synchronously for each thing that happens, for logs. */
  onEvent?: (event: SimulatorEvent) => void;
}

/** What the simulator reports as it goes (amounts in gwei). */
export type SimulatorEvent =
  | ({ type: "deposit" } & DepositOutcome)
  | { type: "epochs"; from: bigint; to: bigint; finalizedEpoch: bigint }
  | ({ type: "payment" } & Payment)
  | { type: "slashed"; validatorIndex: number; epoch: bigint }
  | { type: "exit"; validatorIndex: number; exitEpoch: bigint; withdrawableEpoch: bigint }
  | { type: "penalized"; validatorIndex: number; amountGwei: bigint }
  | ({ type: "withdrawalRequestQueued" } & QueuedWithdrawalRequest)
  | ({ type: "withdrawalRequest" } & WithdrawalRequestOutcome);

/** A request the withdrawal request contract logged as added (queued until a system call dequeues it). */
export interface QueuedWithdrawalRequest extends WithdrawalRequest {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

/** A request a payment block's system call dequeued, and what the consensus layer did with it. */
export interface WithdrawalRequestOutcome extends WithdrawalRequest {
  /** The payment block whose system call dequeued it. */
  blockNumber: number;
  slot: bigint;
  /** The epoch whose state it was applied to. */
  epoch: bigint;
  result: "exited" | "ignored";
  /** Why it was ignored. */
  reason?: WithdrawalRequestIgnoredReason;
  /** The validator of its pubkey, when there is one. */
  validatorIndex?: number;
  /** When it exited the validator. */
  exitEpoch?: bigint;
  withdrawableEpoch?: bigint;
}

/** A deposit read from the chain and what it did. */
export interface DepositOutcome {
  blockNumber: number;
  depositIndex: bigint;
  pubkey: string;
  amountGwei: bigint;
  result: "created" | "toppedUp" | "lost";
  /** The validator created or topped up. */
  validatorIndex?: number;
}

/** An execution-layer reward owed for a proposed slot. */
export interface ElReward {
  slot: bigint;
  proposerIndex: number;
  /** Checksummed. */
  feeRecipient: string;
  amountGwei: bigint;
}

/** One payment block: what the beacon chain swept and owed, and what was credited on chain. */
export interface Payment {
  block: BlockHeader;
  slot: bigint;
  withdrawals: Withdrawal[];
  /** Rewards of the slots proposed since the previous payment. */
  elRewards: ElReward[];
  /** Per address (checksummed), what `hardhat_setBalance` added, in gwei. */
  credits: { address: string; amountGwei: bigint }[];
  /** The requests the block's system call dequeued, in order; empty without the request contract. */
  withdrawalRequests: WithdrawalRequestOutcome[];
}

/** What one `sync` (or `advance`) did. */
export interface SyncReport {
  headSlot: bigint;
  headEpoch: bigint;
  finalizedEpoch: bigint;
  /** Epochs processed (state transitions) during this sync. */
  epochsProcessed: bigint;
  deposits: DepositOutcome[];
  /** Withdrawal requests logged in the blocks read. */
  withdrawalRequestsQueued: QueuedWithdrawalRequest[];
  /** Absent when nothing was owed. */
  payment?: Payment;
}

/** A slot with a beacon block: its execution payload and what the simulator did in it. */
export interface SlotBlock {
  readonly slot: bigint;
  /** The latest execution block whose timestamp is in the slot. */
  executionBlock: BlockHeader;
  /** Undefined when no validator was active. */
  readonly proposerIndex: number | undefined;
  /** Checksummed; the zero address when nobody was paid. */
  readonly feeRecipient: string;
  readonly elRewardGwei: bigint;
  /** Withdrawals swept in this block (a payment block carries every payload since the previous one). */
  readonly withdrawals: Withdrawal[];
}

/** A state the simulator can serve, or why not. */
export type StateLookup =
  | { kind: "found"; state: BeaconState; epoch: bigint }
  | { kind: "future"; headSlot: bigint }
  | { kind: "pruned"; oldestEpoch: bigint };

/** A block the simulator can serve, or why not. */
export type BlockLookup =
  | { kind: "found"; block: SlotBlock }
  | { kind: "empty" }
  | { kind: "future"; headSlot: bigint }
  | { kind: "pruned"; oldestSlot: bigint };

/** The simulator's summary (amounts in gwei). */
export interface SimulatorStatus {
  preset: PresetName;
  chainId: bigint;
  depositContract: string;
  genesisTime: bigint;
  genesisForkVersion: string;
  headSlot: bigint;
  headEpoch: bigint;
  finalizedEpoch: bigint;
  justifiedEpoch: bigint;
  /** The last execution block read. */
  lastBlock: number;
  validators: number;
  validatorsByStatus: Record<ValidatorStatus, number>;
  totalBalanceGwei: bigint;
  deposits: { seen: number; created: number; toppedUp: number; lost: number };
  /** The core's running totals: deposited, lost, rewards, penalties, withdrawn (swept). */
  totals: Totals;
  elRewardsGwei: bigint;
  /** Swept or earned but not credited on chain yet (a payment that failed half-way); normally zero. */
  owedGwei: bigint;
  paymentBlocks: number;
  /** Oldest epoch whose state can still be queried (besides epoch 0). */
  oldestEpoch: bigint;
  /** EIP-7002 requests: logged, dequeued by system calls, and what became of them. */
  withdrawalRequests: WithdrawalRequestCounts;
}

/** What the simulator saw of EIP-7002 withdrawal requests. */
export interface WithdrawalRequestCounts {
  /** Whether the chain has the request contract. */
  predeploy: boolean;
  /** Logged as added. */
  queued: number;
  /** Dequeued by the simulator's system calls and applied. */
  processed: number;
  /** Processed and exited their validator. */
  exited: number;
  /** Processed and ignored, by reason. */
  ignored: Partial<Record<WithdrawalRequestIgnoredReason, number>>;
}

/** Why an operation (exit, slashing, penalty) was refused. */
export type OperationFailure =
  | "unknown_validator"
  | "invalid_signature"
  | "future_epoch"
  | "not_active"
  | "already_exiting"
  | "too_young"
  | "not_slashable"
  | "invalid_amount";

/** An operation the beacon chain refuses, with the reason as a code and a sentence naming the problem. */
export class BeaconOperationError extends Error {
  override name = "BeaconOperationError";
  constructor(
    readonly code: OperationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The execution chain no longer has the blocks the simulator read: it was reverted (`evm_revert`) or reorganised. */
export class ChainRevertedError extends Error {
  override name = "ChainRevertedError";
  constructor(readonly block: number) {
    super(
      `the execution chain no longer has block ${block} as the beacon simulator read it (evm_revert or a reorg): ` +
        `its beacon state cannot follow; create a new simulator`,
    );
  }
}

/** The withdrawal request system call sent for a payment block, and the system account's balance before it. */
interface SystemCall {
  hash: string;
  balance: bigint;
}

interface RawRequestLog {
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
  data: string;
  removed?: boolean;
}

/** Another process mined while the simulator held automine off: its payment block is not the one it asked for. */
export class PaymentRaceError extends Error {
  override name = "PaymentRaceError";
}

function toPreset(preset: PresetName | Preset | undefined): Preset {
  if (preset === undefined) return PRESETS.mainnet;
  if (typeof preset !== "string") return preset;
  const found = (PRESETS as Record<string, Preset>)[preset];
  if (found === undefined) throw new RangeError(`preset: expected "mainnet" or "minimal", got "${preset}"`);
  return found;
}

const checksummed = (address: string, what: string) => {
  try {
    return getAddress(address);
  } catch {
    throw new TypeError(`${what}: expected an address (0x and 40 hex digits), got "${address}"`);
  }
};

/**
 * The local beacon chain. Create it with `BeaconSimulator.create`; every operation is serialized (one at a time), and
 * readers that need a consistent view go through `read`.
 */
export class BeaconSimulator {
  readonly preset: Preset;
  readonly chainId: bigint;
  /** Checksummed. */
  readonly depositContract: string;
  /** Unix seconds. */
  readonly genesisTime: bigint;
  readonly genesisForkVersion: string;
  /** The fork version of voluntary exits' domain (EIP-7044): see `forkVersionOf`. */
  readonly capellaForkVersion: string;
  /** `LOCAL_GENESIS_VALIDATORS_ROOT`. */
  readonly genesisValidatorsRoot: string;
  readonly historyEpochs: number;
  readonly elRewardPerBlockGwei: bigint;

  private readonly chain: ExecutionChain;
  private readonly state: BeaconState;
  private readonly snapshots = new SnapshotTaker();
  /** End-of-epoch states by epoch: the last `historyEpochs` epochs, and epoch 0. */
  private readonly history = new Map<bigint, StateSnapshot>();
  private restored: { epoch: bigint; state: BeaconState } | undefined;
  /** Proposed slots in increasing order: those of the history window, the last one before it, and slot 0's. */
  private readonly blocks: SlotBlock[] = [];
  private readonly blockBySlot = new Map<bigint, SlotBlock>();
  /** Blocks of slots from this one on are all kept (besides slot 0's): a slot there without one is empty. */
  private knownFromSlot = 0n;
  private readonly exitDomain: Uint8Array;
  private readonly feeRecipient: string | undefined;
  private readonly feeRecipients: ReadonlyMap<string, string>;
  private readonly fromBlock: number;
  private readonly logChunkBlocks: number | undefined;
  private readonly onEvent: (event: SimulatorEvent) => void;

  private lastBlock: number;
  private lastBlockHash = "";
  private headSlotValue = 0n;
  private lastSweptSlot = 0n;
  private nextDepositIndex: bigint | undefined;
  private active: { epoch: bigint; indices: number[] } | undefined;
  /** Gwei swept or earned but not yet credited, by lowercase address. */
  private readonly owed = new Map<string, bigint>();
  private readonly credited = new Map<string, bigint>();
  private pendingElRewards: ElReward[] = [];
  private elRewardsGwei = 0n;
  private paymentBlocks = 0;
  private readonly depositCounts = { seen: 0, created: 0, toppedUp: 0, lost: 0 };
  /** The request contract, once seen at its address (it is installed, never removed). */
  private predeployPresent = false;
  private systemAccountImpersonated = false;
  private readonly requestCounts: Omit<WithdrawalRequestCounts, "predeploy"> = {
    queued: 0,
    processed: 0,
    exited: 0,
    ignored: {},
  };
  /** The chain's RPC as an EIP-1193 provider whose failures are `ExecutionRpcError`s, for lib/eip7002.ts. */
  private readonly rpc: Eip1193Provider = {
    request: ({ method, params }) => this.chain.call(method, params ?? []),
  };
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    chain: ExecutionChain,
    chainId: bigint,
    genesisTime: bigint,
    genesisForkVersion: string,
    options: BeaconSimulatorOptions,
  ) {
    this.chain = chain;
    this.chainId = chainId;
    this.preset = toPreset(options.preset);
    this.depositContract = checksummed(options.depositContract, "depositContract");
    this.genesisTime = genesisTime;
    this.genesisForkVersion = forkVersionOf(genesisForkVersion, "genesis");
    this.capellaForkVersion = forkVersionOf(genesisForkVersion, "capella");
    this.genesisValidatorsRoot = LOCAL_GENESIS_VALIDATORS_ROOT;
    this.exitDomain = computeVoluntaryExitDomain(this.capellaForkVersion, this.genesisValidatorsRoot);

    const rewardRateBps = options.rewardRateBps ?? DEFAULT_REWARD_RATE_BPS;
    if (!Number.isSafeInteger(rewardRateBps) || rewardRateBps < 0) {
      throw new RangeError(`rewardRateBps: expected a non-negative integer, got ${rewardRateBps}`);
    }
    this.state = createState(this.preset, { rewardRateBps });
    this.historyEpochs = options.historyEpochs ?? DEFAULT_HISTORY_EPOCHS;
    if (!Number.isSafeInteger(this.historyEpochs) || this.historyEpochs < 3) {
      throw new RangeError(`historyEpochs: expected an integer of at least 3, got ${this.historyEpochs}`);
    }
    this.elRewardPerBlockGwei = options.elRewardPerBlockGwei ?? DEFAULT_EL_REWARD_PER_BLOCK_GWEI;
    if (this.elRewardPerBlockGwei < 0n) {
      throw new RangeError(`elRewardPerBlockGwei: expected >= 0, got ${this.elRewardPerBlockGwei}`);
    }
    this.feeRecipient =
      options.feeRecipient === undefined ? undefined : checksummed(options.feeRecipient, "feeRecipient");
    this.feeRecipients = new Map(
      [...(options.feeRecipients ?? new Map<string, string>())].map(([pubkey, address]) => {
        if (!/^0x[0-9a-fA-F]{96}$/.test(pubkey)) {
          throw new TypeError(`feeRecipients: key "${pubkey}" is not a pubkey (0x and 96 hex digits)`);
        }
        return [pubkey.toLowerCase(), checksummed(address, `feeRecipients[${pubkey}]`)];
      }),
    );
    this.fromBlock = options.fromBlock ?? 0;
    if (!Number.isSafeInteger(this.fromBlock) || this.fromBlock < 0) {
      throw new RangeError(`fromBlock: expected a block number, got ${this.fromBlock}`);
    }
    this.logChunkBlocks = options.logChunkBlocks;
    this.onEvent = options.onEvent ?? (() => {});
    this.lastBlock = this.fromBlock - 1;
    if (this.fromBlock === 0) this.nextDepositIndex = 0n;
  }

  /**
   * Creates a simulator beside the chain of `provider` and reads the chain once (a first `sync`).
   *
   * @throws UserInputError when the chain id has no known fork version and none is given, or when there is no
   *   contract at `depositContract`.
   */
  static async create(provider: Eip1193Provider, options: BeaconSimulatorOptions): Promise<BeaconSimulator> {
    const chain = new ExecutionChain(provider);
    const chainId = await chain.chainId();
    const latest = await chain.latestBlock();
    const genesisForkVersion =
      options.genesisForkVersion ?? beaconNetwork(chainId, "the execution chain's id").genesisForkVersion;
    const genesisTime = options.genesisTime === undefined ? latest.timestamp : BigInt(options.genesisTime);
    if (genesisTime < 0n) throw new RangeError(`genesisTime: expected Unix seconds, got ${genesisTime}`);
    const depositContract = checksummed(options.depositContract, "depositContract");
    if ((await chain.getCode(depositContract)) === "0x") {
      throw new UserInputError(`no contract at depositContract ${depositContract} on chain ${chainId}`);
    }
    const simulator = new BeaconSimulator(chain, chainId, genesisTime, genesisForkVersion, options);
    await simulator.sync();
    return simulator;
  }

  // ----- clock -----

  /** The slot of a timestamp (Unix seconds), -1 before genesis. */
  slotOfTimestamp(timestamp: bigint): bigint {
    if (timestamp < this.genesisTime) return -1n;
    return (timestamp - this.genesisTime) / this.preset.SECONDS_PER_SLOT;
  }

  /** The epoch of a slot (epoch 0 for -1, before genesis). */
  epochOfSlot(slot: bigint): bigint {
    return slot < 0n ? 0n : slot / this.preset.SLOTS_PER_EPOCH;
  }

  /** The head slot: that of the latest execution block read (or of the simulator's own payment block). */
  get headSlot(): bigint {
    return this.headSlotValue;
  }

  get headEpoch(): bigint {
    return this.state.epoch;
  }

  get finalizedEpoch(): bigint {
    return this.state.finalizedEpoch;
  }

  /** With perfect participation the previous epoch is justified once the head is past it. */
  get justifiedEpoch(): bigint {
    const previous = this.state.epoch - 1n;
    return previous > this.state.finalizedEpoch ? previous : this.state.finalizedEpoch;
  }

  // ----- operations -----

  /** Runs `body` after every operation queued before it, alone. */
  private exclusive<T>(body: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(body);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs `read` on a consistent view: no sync or operation is half-done while it runs. */
  read<T>(read: (simulator: this) => T): Promise<T> {
    return this.exclusive(() => read(this));
  }

  /**
   * Reads the chain from the last block read: applies new deposits, processes epochs up to the chain's current
   * epoch, and pays what is owed (withdrawals of the elapsed slots, execution-layer rewards) in a block it mines.
   * Pays nothing twice: a sync with nothing new mines nothing.
   *
   * @throws ChainRevertedError when the chain was reverted below the last block read.
   */
  sync(): Promise<SyncReport> {
    return this.exclusive(() => this.syncAlone());
  }

  /**
   * Moves the chain's clock forward by `epochs` epochs (`evm_increaseTime` and one mined block), then syncs.
   *
   * @param epochs A positive integer, at most 1,000,000.
   */
  async advance(epochs: number): Promise<SyncReport> {
    if (!Number.isSafeInteger(epochs) || epochs < 1 || epochs > 1_000_000) {
      throw new RangeError(`epochs: expected an integer from 1 to 1,000,000, got ${epochs}`);
    }
    return this.exclusive(async () => {
      await this.chain.increaseTime(BigInt(epochs) * this.preset.SLOTS_PER_EPOCH * this.preset.SECONDS_PER_SLOT);
      await this.chain.mine();
      return this.syncAlone();
    });
  }

  /**
   * Slashes a validator at the head epoch (after a sync), as `slash_validator` does.
   *
   * @param validator An index or a 0x-prefixed pubkey.
   * @throws BeaconOperationError "unknown_validator" or "not_slashable".
   */
  slash(validator: number | string): Promise<{ index: number; status: ValidatorStatus }> {
    return this.exclusive(async () => {
      await this.syncAlone();
      const index = this.indexOf(validator);
      try {
        slash(this.state, index);
      } catch (error) {
        if (!(error instanceof NotSlashableError)) throw error;
        throw new BeaconOperationError(
          "not_slashable",
          `validator ${index} cannot be slashed at epoch ${this.state.epoch}: it is ${validatorStatus(this.state, index)}`,
        );
      }
      this.onEvent({ type: "slashed", validatorIndex: index, epoch: this.state.epoch });
      return { index, status: validatorStatus(this.state, index) };
    });
  }

  /**
   * Takes `amountGwei` from a validator's balance (floored at zero): missed duties, an inactivity leak.
   *
   * @throws BeaconOperationError "unknown_validator" or "invalid_amount".
   */
  async penalize(validator: number | string, amountGwei: bigint): Promise<{ index: number; balanceGwei: bigint }> {
    if (amountGwei < 0n) {
      throw new BeaconOperationError("invalid_amount", `penalty: expected gwei >= 0, got ${amountGwei}`);
    }
    return this.exclusive(async () => {
      await this.syncAlone();
      const index = this.indexOf(validator);
      penalize(this.state, index, amountGwei);
      this.onEvent({ type: "penalized", validatorIndex: index, amountGwei });
      return { index, balanceGwei: this.state.validators[index]!.balance };
    });
  }

  /**
   * Applies a signed voluntary exit at the head epoch (after a sync), with `process_voluntary_exit`'s checks and its
   * signature under EIP-7044's domain (`capellaForkVersion`, `genesisValidatorsRoot`).
   *
   * @throws BeaconOperationError naming the problem: unknown validator, future epoch, invalid signature, not active,
   *   already exiting, or not active for SHARD_COMMITTEE_PERIOD epochs yet.
   */
  voluntaryExit(signed: SignedVoluntaryExit): Promise<{ index: number; exitEpoch: bigint; withdrawableEpoch: bigint }> {
    return this.exclusive(async () => {
      await this.syncAlone();
      const { state } = this;
      const index = signed.message.validatorIndex;
      const validator = state.validators[index];
      if (validator === undefined) {
        throw new BeaconOperationError("unknown_validator", `no validator at index ${index}`);
      }
      if (signed.message.epoch > state.epoch) {
        throw new BeaconOperationError(
          "future_epoch",
          `exit epoch ${signed.message.epoch} is after the current epoch ${state.epoch}`,
        );
      }
      if (!verifyVoluntaryExit(validator.pubkey, signed, this.exitDomain)) {
        throw new BeaconOperationError(
          "invalid_signature",
          `the signature is not validator ${index}'s over this exit in the voluntary-exit domain ` +
            `(fork version ${this.capellaForkVersion}, genesis validators root ${this.genesisValidatorsRoot})`,
        );
      }
      try {
        voluntaryExit(state, index);
      } catch (error) {
        if (!(error instanceof ExitNotAllowedError)) throw error;
        throw new BeaconOperationError(error.reason, this.explainExitRefusal(index, error.reason));
      }
      const event = { index, exitEpoch: validator.exitEpoch, withdrawableEpoch: validator.withdrawableEpoch };
      this.onEvent({ type: "exit", validatorIndex: index, ...event });
      return event;
    });
  }

  private explainExitRefusal(index: number, reason: ExitNotAllowedError["reason"]): string {
    const v = this.state.validators[index]!;
    switch (reason) {
      case "not_active":
        return `validator ${index} is not active (status ${validatorStatus(this.state, index)})`;
      case "already_exiting":
        return `validator ${index} is already exiting (exit epoch ${v.exitEpoch})`;
      case "too_young":
        return (
          `validator ${index} has been active since epoch ${v.activationEpoch}: it may exit from epoch ` +
          `${v.activationEpoch + this.preset.SHARD_COMMITTEE_PERIOD} (SHARD_COMMITTEE_PERIOD ` +
          `${this.preset.SHARD_COMMITTEE_PERIOD}), the current epoch is ${this.state.epoch}`
        );
    }
  }

  private indexOf(validator: number | string): number {
    if (typeof validator === "number") {
      if (!Number.isSafeInteger(validator) || this.state.validators[validator] === undefined) {
        throw new BeaconOperationError("unknown_validator", `no validator at index ${validator}`);
      }
      return validator;
    }
    const index = this.state.indexByPubkey.get(validator.toLowerCase());
    if (index === undefined)
      throw new BeaconOperationError("unknown_validator", `no validator with pubkey ${validator}`);
    return index;
  }

  // ----- sync -----

  private async syncAlone(): Promise<SyncReport> {
    const epochBefore = this.state.epoch;
    const report: SyncReport = {
      headSlot: 0n,
      headEpoch: 0n,
      finalizedEpoch: 0n,
      epochsProcessed: 0n,
      deposits: [],
      withdrawalRequestsQueued: [],
    };
    const latest = await this.chain.latestBlock();
    await this.checkContinuity(latest);
    await this.ingest(latest, report);
    if (this.paymentDue() || (await this.withdrawalRequestsDue())) {
      await this.pay(report);
    } else if (this.headSlotValue > this.lastSweptSlot) {
      // Nothing to sweep in any slot since the last sweep: only the sweep cursor moves, as empty payloads move it.
      skipEmptyPayloads(this.state, this.headSlotValue - this.lastSweptSlot);
      this.lastSweptSlot = this.headSlotValue;
    }
    report.headSlot = this.headSlotValue;
    report.headEpoch = this.state.epoch;
    report.finalizedEpoch = this.state.finalizedEpoch;
    report.epochsProcessed = this.state.epoch - epochBefore;
    return report;
  }

  private async checkContinuity(latest: BlockHeader): Promise<void> {
    if (this.lastBlock < this.fromBlock) return;
    if (latest.number < this.lastBlock) throw new ChainRevertedError(this.lastBlock);
    const seen = latest.number === this.lastBlock ? latest : await this.chain.freshBlock(this.lastBlock);
    if (seen === undefined || seen.hash !== this.lastBlockHash) {
      this.chain.forgetFrom(this.lastBlock);
      throw new ChainRevertedError(this.lastBlock);
    }
  }

  /** Reads blocks (lastBlock, latest], applies them in order and processes epochs up to the latest one's. */
  private async ingest(latest: BlockHeader, report: SyncReport): Promise<void> {
    const from = this.lastBlock + 1;
    if (latest.number >= from) {
      // Every read happens before the first change: a failed read leaves the state as it was.
      const logs = await this.chain.depositLogs(this.depositContract, from, latest.number, this.logChunkBlocks);
      const requestLogs = await this.withdrawalRequestLogs(from, latest.number);
      const runs = await this.chain.slotRuns(from, latest.number, (timestamp) => this.slotOfTimestamp(timestamp));
      this.checkDepositIndexes(logs);
      const valid = this.checkSignatures(logs);
      let next = 0;
      for (const run of runs) {
        this.processTo(this.epochOfSlot(run.slot));
        if (run.slot >= 0n) this.recordBlock(run.slot, run.lastBlock);
        for (; next < logs.length && logs[next]!.blockNumber <= run.lastBlock.number; next++) {
          this.applyDepositLog(logs[next]!, valid[next]!, report);
        }
      }
      for (const request of requestLogs) {
        this.requestCounts.queued++;
        report.withdrawalRequestsQueued.push(request);
        this.onEvent({ type: "withdrawalRequestQueued", ...request });
      }
      this.lastBlock = latest.number;
      this.lastBlockHash = latest.hash;
    }
    const slot = this.slotOfTimestamp(latest.timestamp);
    if (slot > this.headSlotValue) this.headSlotValue = slot;
    this.processTo(this.epochOfSlot(this.headSlotValue));
  }

  private checkDepositIndexes(logs: readonly DepositLog[]): void {
    let expected = this.nextDepositIndex ?? logs[0]?.depositIndex;
    for (const log of logs) {
      if (log.depositIndex !== expected) {
        throw new Error(
          `deposit index ${log.depositIndex} in block ${log.blockNumber}: expected ${expected}; deposits are missing ` +
            `(does fromBlock ${this.fromBlock} start after the deposit contract's first deposit?)`,
        );
      }
      expected = log.depositIndex + 1n;
    }
  }

  /** Signature validity of the deposits that may create a validator; top-ups of known keys need none. */
  private checkSignatures(logs: readonly DepositLog[]): boolean[] {
    const candidates = logs
      .map((log, position) => ({ log, position }))
      .filter(({ log }) => !this.state.indexByPubkey.has(log.pubkey));
    const checked = checkDepositSignatures(
      candidates.map(({ log }) => log),
      this.genesisForkVersion,
    );
    const valid = logs.map(() => false);
    candidates.forEach(({ position }, i) => (valid[position] = checked[i]!));
    return valid;
  }

  private applyDepositLog(log: DepositLog, signatureValid: boolean, report: SyncReport): void {
    const result = applyDeposit(this.state, {
      pubkey: log.pubkey,
      withdrawalCredentials: log.withdrawalCredentials,
      amountGwei: log.amountGwei,
      signatureValid,
    });
    this.nextDepositIndex = log.depositIndex + 1n;
    this.depositCounts.seen++;
    this.depositCounts[result.kind]++;
    const outcome: DepositOutcome = {
      blockNumber: log.blockNumber,
      depositIndex: log.depositIndex,
      pubkey: log.pubkey,
      amountGwei: log.amountGwei,
      result: result.kind,
      ...(result.kind === "lost" ? {} : { validatorIndex: result.index }),
    };
    report.deposits.push(outcome);
    this.onEvent({ type: "deposit", ...outcome });
  }

  /**
   * Processes epochs until the state is at `target`, keeping end-of-epoch snapshots of the last `historyEpochs`
   * epochs and of epoch 0. Epochs that would fall out of the window at once are processed in one batch.
   */
  private processTo(target: bigint): void {
    const { state } = this;
    const from = state.epoch;
    if (target <= from) return;
    const window = BigInt(this.historyEpochs);
    while (state.epoch < target) {
      const remaining = target - state.epoch;
      if (state.epoch > 0n && remaining > window) {
        advanceEpochs(state, remaining - window);
        continue;
      }
      this.history.set(state.epoch, this.snapshots.take(state));
      processEpoch(state);
    }
    const oldest = this.oldestEpoch();
    for (const epoch of this.history.keys()) if (epoch !== 0n && epoch < oldest) this.history.delete(epoch);
    this.pruneBlocks();
    this.onEvent({ type: "epochs", from, to: state.epoch, finalizedEpoch: state.finalizedEpoch });
  }

  private oldestEpoch(): bigint {
    const oldest = this.state.epoch - BigInt(this.historyEpochs);
    return oldest > 0n ? oldest : 0n;
  }

  /**
   * Drops blocks before the history window, keeping slot 0's and the last one before the window (a checkpoint's
   * block may be that one). Every block from `knownFromSlot` on is kept.
   */
  private pruneBlocks(): void {
    const oldestSlot = this.oldestEpoch() * this.preset.SLOTS_PER_EPOCH;
    const first = this.blocks[0]?.slot === 0n ? 1 : 0;
    let keepFrom = first;
    while (keepFrom + 1 < this.blocks.length && this.blocks[keepFrom + 1]!.slot <= oldestSlot) keepFrom++;
    if (keepFrom === first) return;
    const removed = this.blocks.splice(first, keepFrom - first);
    for (const block of removed) this.blockBySlot.delete(block.slot);
    this.knownFromSlot = removed[removed.length - 1]!.slot + 1n;
  }

  private activeIndices(): number[] {
    const epoch = this.state.epoch;
    if (this.active?.epoch !== epoch) {
      const indices: number[] = [];
      this.state.validators.forEach((v, index) => {
        if (v.activationEpoch <= epoch && epoch < v.exitEpoch) indices.push(index);
      });
      // The active set of an epoch cannot change during it: activations and exits take effect in later epochs.
      this.active = { epoch, indices };
    }
    return this.active.indices;
  }

  /** The proposer of `slot` among the validators active now, or undefined when none is. */
  private proposerOf(slot: bigint): number | undefined {
    const active = this.activeIndices();
    if (active.length === 0) return undefined;
    const draw = BigInt(keccak256(concat([PROPOSER_LABEL, toBeHex(slot, 8)])));
    return active[Number(draw % BigInt(active.length))];
  }

  private feeRecipientOf(index: number): string | undefined {
    return this.feeRecipients.get(this.state.validators[index]!.pubkey) ?? this.feeRecipient;
  }

  /** Records that `slot` has a block (the latest execution block in it so far); a new slot earns its EL reward. */
  private recordBlock(slot: bigint, executionBlock: BlockHeader): SlotBlock {
    const known = this.blockBySlot.get(slot);
    if (known !== undefined) {
      if (executionBlock.number > known.executionBlock.number) known.executionBlock = executionBlock;
      return known;
    }
    const proposerIndex = this.proposerOf(slot);
    const recipient = proposerIndex === undefined ? undefined : this.feeRecipientOf(proposerIndex);
    const reward = recipient === undefined ? 0n : this.elRewardPerBlockGwei;
    const block: SlotBlock = {
      slot,
      executionBlock,
      proposerIndex,
      feeRecipient: reward > 0n ? recipient! : ZeroAddress,
      elRewardGwei: reward,
      withdrawals: [],
    };
    this.blocks.push(block);
    this.blockBySlot.set(slot, block);
    if (reward > 0n) {
      this.owe(recipient!, reward);
      this.elRewardsGwei += reward;
      this.pendingElRewards.push({ slot, proposerIndex: proposerIndex!, feeRecipient: recipient!, amountGwei: reward });
    }
    return block;
  }

  private owe(address: string, gwei: bigint): void {
    const key = address.toLowerCase();
    this.owed.set(key, (this.owed.get(key) ?? 0n) + gwei);
  }

  private paymentDue(): boolean {
    if (this.owed.size > 0) return true;
    return withdrawalsPending(this.state, this.headSlotValue - this.lastSweptSlot);
  }

  /** Sweeps one payload per slot in (lastSweptSlot, slot], on the current state. */
  private sweepTo(slot: bigint): Withdrawal[] {
    const swept: Withdrawal[] = [];
    let payloads = slot - this.lastSweptSlot;
    while (payloads > 0n) {
      if (!withdrawalsPending(this.state, payloads)) {
        skipEmptyPayloads(this.state, payloads);
        break;
      }
      swept.push(...sweepWithdrawals(this.state));
      payloads--;
    }
    if (slot > this.lastSweptSlot) this.lastSweptSlot = slot;
    return swept;
  }

  /**
   * Mines the payment block with automine off (the simulator is then the only block producer), brings the state to
   * its epoch, sweeps, and credits every recipient in that block's state. Automine is restored whatever happens; a
   * transaction that arrived in the meantime is mined right after.
   */
  private async pay(report: SyncReport): Promise<void> {
    const { chain } = this;
    const automine = await chain.getAutomine();
    await chain.setAutomine(false);
    let systemCall: SystemCall | undefined;
    try {
      const latest = await chain.latestBlock();
      if (latest.number !== this.lastBlock) {
        await this.checkContinuity(latest);
        await this.ingest(latest, report);
      }
      const pending = await chain.pendingBlock();
      const timestamp = pending.timestamp > latest.timestamp ? pending.timestamp : latest.timestamp + 1n;
      await chain.setNextBlockTimestamp(timestamp);
      if (await this.detectPredeploy()) systemCall = await this.sendSystemCall();
      await chain.mine();
      const block = await chain.latestBlock();
      if (block.number !== latest.number + 1 || block.timestamp !== timestamp) {
        throw new PaymentRaceError(
          `expected the payment block ${latest.number + 1} at ${timestamp}, found block ${block.number} at ` +
            `${block.timestamp}: another process mines while the beacon simulator pays`,
        );
      }
      const requests = systemCall === undefined ? [] : await this.readSystemCall(systemCall, block);
      systemCall = undefined;
      // The block's own transactions (and deposits) are read by the next sync, like any block.
      const slot = this.slotOfTimestamp(timestamp);
      const withdrawals: Withdrawal[] = [];
      if (slot >= 0n) {
        if (slot > this.headSlotValue) this.headSlotValue = slot;
        this.processTo(this.epochOfSlot(slot));
        const slotBlock = this.recordBlock(slot, block);
        withdrawals.push(...this.sweepTo(slot));
        slotBlock.withdrawals.push(...withdrawals);
        for (const w of withdrawals) this.owe(w.address, w.amountGwei);
      }
      // Electra processes a block's execution requests after its withdrawals.
      const withdrawalRequests = requests.map((request) => this.applyWithdrawalRequest(request, block.number, slot));
      const payment: Payment = {
        block,
        slot,
        withdrawals,
        elRewards: this.pendingElRewards,
        credits: [],
        withdrawalRequests,
      };
      this.pendingElRewards = [];
      this.paymentBlocks++;
      report.payment = payment;
      for (const [address, gwei] of [...this.owed]) {
        const balance = await chain.getBalance(address);
        await chain.setBalance(address, balance + gwei * WEI_PER_GWEI);
        // Forgotten only once credited: a failure half-way leaves the rest owed for the next payment, never paid twice.
        this.owed.delete(address);
        this.credited.set(address, (this.credited.get(address) ?? 0n) + gwei);
        payment.credits.push({ address: getAddress(address), amountGwei: gwei });
      }
      this.onEvent({ type: "payment", ...payment });
    } catch (error) {
      // A system call still pending would be mined later in a block the simulator never reads back: drop it.
      if (systemCall !== undefined) await this.dropSystemCall(systemCall);
      throw error;
    } finally {
      await chain.setAutomine(automine);
      if (automine && (await chain.pendingBlock()).transactions > 0) await chain.mine();
    }
  }

  // ----- withdrawal requests (EIP-7002) -----

  /** Whether the chain has the request contract; once seen, it is not looked up again. */
  private async detectPredeploy(): Promise<boolean> {
    if (!this.predeployPresent) {
      this.predeployPresent = (await this.chain.getCode(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS)) !== "0x";
    }
    return this.predeployPresent;
  }

  /** The request contract's logs in blocks [fromBlock, toBlock], decoded, in log order. */
  private async withdrawalRequestLogs(fromBlock: number, toBlock: number): Promise<QueuedWithdrawalRequest[]> {
    if (!(await this.detectPredeploy())) return [];
    const raw = await queryInChunks(
      (from, to) =>
        this.chain.call<RawRequestLog[]>("eth_getLogs", [
          { address: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
        ]),
      fromBlock,
      toBlock,
      this.logChunkBlocks,
    );
    return raw
      .filter((log) => log.removed !== true)
      .map((log) => ({
        blockNumber: Number(BigInt(log.blockNumber)),
        logIndex: Number(BigInt(log.logIndex)),
        transactionHash: log.transactionHash,
        ...decodeWithdrawalRequestLog(log.data),
      }));
  }

  /**
   * Whether the request contract needs a system call: before the first one (the excess is the inhibitor), while
   * requests wait or were added since the last one, and while the excess is above zero (each call lowers it by 2).
   */
  private async withdrawalRequestsDue(): Promise<boolean> {
    if (!(await this.detectPredeploy())) return false;
    const { excess, count, head, tail } = await readWithdrawalRequestState(this.rpc);
    return excess !== 0n || count !== 0n || head !== tail;
  }

  /**
   * Queues the end-of-block system call for the block about to be mined: from SYSTEM_ADDRESS, with no priority fee so
   * that it comes after every other transaction of the block, funded for its gas (the balance is set back after).
   */
  private async sendSystemCall(): Promise<SystemCall> {
    const { chain } = this;
    if (!this.systemAccountImpersonated) {
      await chain.call("hardhat_impersonateAccount", [SYSTEM_ADDRESS]);
      this.systemAccountImpersonated = true;
    }
    const pending = await chain.call<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["pending", false]);
    const baseFee = BigInt(pending?.baseFeePerGas ?? 0);
    const balance = await chain.getBalance(SYSTEM_ADDRESS);
    await chain.setBalance(SYSTEM_ADDRESS, balance + SYSTEM_CALL_GAS * baseFee);
    const hash = await chain.call<string>("eth_sendTransaction", [
      {
        from: SYSTEM_ADDRESS,
        to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
        gas: toQuantity(SYSTEM_CALL_GAS),
        maxFeePerGas: toQuantity(baseFee),
        maxPriorityFeePerGas: "0x0",
        value: "0x0",
        data: "0x",
      },
    ]);
    return { hash, balance };
  }

  /** The requests the system call returned, read back from its trace once mined in `block`. */
  private async readSystemCall(call: SystemCall, block: BlockHeader): Promise<WithdrawalRequest[]> {
    const { chain } = this;
    const receipt = await chain.call<{ blockNumber: string; status: string } | null>("eth_getTransactionReceipt", [
      call.hash,
    ]);
    if (receipt === null || Number(BigInt(receipt.blockNumber)) !== block.number) {
      throw new Error(
        `the withdrawal request system call ${call.hash} is not in payment block ${block.number}: ` +
          `the block had no room for it, or another process mined it`,
      );
    }
    if (BigInt(receipt.status) !== 1n) {
      throw new Error(`the withdrawal request system call ${call.hash} failed in block ${block.number}`);
    }
    const trace = await chain.call<{ returnValue?: string }>("debug_traceTransaction", [
      call.hash,
      { disableStorage: true, disableMemory: true, disableStack: true },
    ]);
    const output = trace.returnValue ?? "";
    const requests = decodeWithdrawalRequests(output.startsWith("0x") ? output : `0x${output}`);
    await chain.setBalance(SYSTEM_ADDRESS, call.balance);
    return requests;
  }

  private async dropSystemCall(call: SystemCall): Promise<void> {
    try {
      await this.chain.call("hardhat_dropTransaction", [call.hash]);
      await this.chain.setBalance(SYSTEM_ADDRESS, call.balance);
    } catch {
      // Best effort on a path that is already failing: the original error says what went wrong.
    }
  }

  /** Applies one dequeued request to the state of the payment block's epoch, counts it and reports it. */
  private applyWithdrawalRequest(
    request: WithdrawalRequest,
    blockNumber: number,
    slot: bigint,
  ): WithdrawalRequestOutcome {
    const result = processWithdrawalRequest(this.state, request);
    const outcome: WithdrawalRequestOutcome = {
      blockNumber,
      slot,
      epoch: this.state.epoch,
      ...request,
      result: result.kind,
    };
    this.requestCounts.processed++;
    if (result.kind === "exited") {
      const v = this.state.validators[result.index]!;
      this.requestCounts.exited++;
      Object.assign(outcome, {
        validatorIndex: result.index,
        exitEpoch: v.exitEpoch,
        withdrawableEpoch: v.withdrawableEpoch,
      });
    } else {
      const { ignored } = this.requestCounts;
      ignored[result.reason] = (ignored[result.reason] ?? 0) + 1;
      outcome.reason = result.reason;
      if (result.index !== undefined) outcome.validatorIndex = result.index;
    }
    this.onEvent({ type: "withdrawalRequest", ...outcome });
    return outcome;
  }

  // ----- queries (call them inside `read` for a consistent view) -----

  /** The live head state. Read it, never change it. */
  headState(): BeaconState {
    return this.state;
  }

  /** The state at `slot`: the state at the end of its epoch, or the head state in the current epoch. */
  stateAtSlot(slot: bigint): StateLookup {
    if (slot > this.headSlotValue) return { kind: "future", headSlot: this.headSlotValue };
    const epoch = this.epochOfSlot(slot);
    if (epoch >= this.state.epoch) return { kind: "found", state: this.state, epoch: this.state.epoch };
    const snapshot = this.history.get(epoch);
    if (snapshot === undefined) return { kind: "pruned", oldestEpoch: this.oldestEpoch() };
    // Snapshots never change: the last one restored serves repeated queries (a report reads one epoch many times).
    if (this.restored?.epoch === epoch) return { kind: "found", state: this.restored.state, epoch };
    const state = restoreSnapshot(snapshot);
    this.restored = { epoch, state };
    return { kind: "found", state, epoch };
  }

  /** The block of `slot`, or why there is none. */
  blockAtSlot(slot: bigint): BlockLookup {
    if (slot > this.headSlotValue) return { kind: "future", headSlot: this.headSlotValue };
    const block = this.blockBySlot.get(slot);
    if (block !== undefined) return { kind: "found", block };
    if (slot !== 0n && slot < this.knownFromSlot) return { kind: "pruned", oldestSlot: this.knownFromSlot };
    return { kind: "empty" };
  }

  /** The latest block at or before `slot` (a checkpoint's block), if kept. */
  latestBlockAtOrBefore(slot: bigint): SlotBlock | undefined {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.blocks[middle]!.slot <= slot) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : this.blocks[low - 1];
  }

  /** The head block: the latest slot with a block. */
  headBlock(): SlotBlock | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  /** The block before `block`, if kept. */
  parentOf(block: SlotBlock): SlotBlock | undefined {
    return this.latestBlockAtOrBefore(block.slot - 1n);
  }

  /** Blocks kept, in slot order. */
  keptBlocks(): readonly SlotBlock[] {
    return this.blocks;
  }

  /** Gwei credited on chain to `address` so far (withdrawals and EL rewards). */
  creditedTo(address: string): bigint {
    return this.credited.get(address.toLowerCase()) ?? 0n;
  }

  /** A summary of the head state and of what the simulator has done. */
  status(): SimulatorStatus {
    const { state } = this;
    const validatorsByStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
      ValidatorStatus,
      number
    >;
    state.validators.forEach((_, index) => validatorsByStatus[validatorStatus(state, index)]++);
    let owedGwei = 0n;
    for (const gwei of this.owed.values()) owedGwei += gwei;
    return {
      preset: this.preset.name,
      chainId: this.chainId,
      depositContract: this.depositContract,
      genesisTime: this.genesisTime,
      genesisForkVersion: this.genesisForkVersion,
      headSlot: this.headSlotValue,
      headEpoch: state.epoch,
      finalizedEpoch: state.finalizedEpoch,
      justifiedEpoch: this.justifiedEpoch,
      lastBlock: this.lastBlock,
      validators: state.validators.length,
      validatorsByStatus,
      totalBalanceGwei: totalBalance(state),
      deposits: { ...this.depositCounts },
      totals: { ...state.totals },
      elRewardsGwei: this.elRewardsGwei,
      owedGwei,
      paymentBlocks: this.paymentBlocks,
      oldestEpoch: this.oldestEpoch(),
      withdrawalRequests: {
        predeploy: this.predeployPresent,
        ...this.requestCounts,
        ignored: { ...this.requestCounts.ignored },
      },
    };
  }
}

/** Every validator status the Beacon API knows, in lifecycle order. */
export const VALIDATOR_STATUSES = STATUSES;
