/**
 * The execution chain as the beacon simulator sees it: blocks and their timestamps, `DepositEvent` logs, and the few
 * Hardhat methods it drives (automine, balances, time, mining), all over an EIP-1193 provider.
 */
import { AbiCoder, getAddress, id, toQuantity } from "ethers";

import { fromLittleEndian64 } from "../depositData.js";
import { LOG_CHUNK_BLOCKS, queryInChunks } from "../logs.js";

/**
 * The minimal EIP-1193 provider: what Hardhat's `(await network.create()).provider` is. For an ethers
 * `JsonRpcProvider`, pass `{ request: ({ method, params }) => provider.send(method, [...(params ?? [])]) }`.
 */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

/** What the simulator needs of an execution block. */
export interface BlockHeader {
  number: number;
  /** 0x-prefixed, 32 bytes. */
  hash: string;
  /** Unix seconds. */
  timestamp: bigint;
}

/** One `DepositEvent` of the deposit contract, decoded (byte fields 0x-prefixed lowercase hex). */
export interface DepositLog {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  pubkey: string;
  withdrawalCredentials: string;
  amountGwei: bigint;
  signature: string;
  /** The deposit's position in the contract's Merkle tree (the event's little-endian `index`). */
  depositIndex: bigint;
}

/** A run of consecutive blocks whose timestamps fall in the same slot. */
export interface SlotRun {
  /** The slot, or -1 for blocks before genesis. */
  slot: bigint;
  firstBlock: number;
  /** The last block of the run: the slot's execution block, when the run ends the slot. */
  lastBlock: BlockHeader;
}

/** An RPC call the execution client refused or failed, named with its method. */
export class ExecutionRpcError extends Error {
  override name = "ExecutionRpcError";
  constructor(
    readonly method: string,
    cause: unknown,
  ) {
    super(`${method} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A `DepositEvent` whose fields do not have the official contract's lengths: the address is not a deposit contract. */
export class MalformedDepositEventError extends Error {
  override name = "MalformedDepositEventError";
}

/** keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)"): topic 0 of the deposit contract's only event. */
export const DEPOSIT_EVENT_TOPIC = id("DepositEvent(bytes,bytes,bytes,bytes,bytes)");

const DEPOSIT_EVENT_FIELDS = [
  ["pubkey", 48],
  ["withdrawal_credentials", 32],
  ["amount", 8],
  ["signature", 96],
  ["index", 8],
] as const;

// Enough for the blocks of a few epochs' binary searches; the map forgets its oldest entries past this.
const BLOCK_CACHE_SIZE = 4096;

interface RawBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions?: unknown[];
}

interface RawLog {
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
  data: string;
  removed?: boolean;
}

const abi = AbiCoder.defaultAbiCoder();

/** Typed access to one execution chain; block headers are cached by number (they never change without a reorg). */
export class ExecutionChain {
  private readonly blocks = new Map<number, BlockHeader>();

  constructor(readonly provider: Eip1193Provider) {}

  /** Calls `method`; failures become `ExecutionRpcError`s naming it. */
  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    try {
      return (await this.provider.request({ method, params })) as T;
    } catch (error) {
      throw new ExecutionRpcError(method, error);
    }
  }

  async chainId(): Promise<bigint> {
    return BigInt(await this.call<string>("eth_chainId"));
  }

  private header(raw: RawBlock | null, tag: string): BlockHeader {
    if (raw === null) throw new ExecutionRpcError("eth_getBlockByNumber", `no block ${tag}`);
    return { number: Number(BigInt(raw.number)), hash: raw.hash.toLowerCase(), timestamp: BigInt(raw.timestamp) };
  }

  /** The latest block, never cached. */
  async latestBlock(): Promise<BlockHeader> {
    return this.header(await this.call<RawBlock | null>("eth_getBlockByNumber", ["latest", false]), "latest");
  }

  /** Block `number` as the chain has it now, bypassing the cache (to detect reverts). */
  async freshBlock(number: number): Promise<BlockHeader | undefined> {
    const raw = await this.call<RawBlock | null>("eth_getBlockByNumber", [toQuantity(number), false]);
    return raw === null ? undefined : this.header(raw, String(number));
  }

  /** Block `number`, cached. */
  async block(number: number): Promise<BlockHeader> {
    const cached = this.blocks.get(number);
    if (cached !== undefined) return cached;
    const header = this.header(
      await this.call<RawBlock | null>("eth_getBlockByNumber", [toQuantity(number), false]),
      String(number),
    );
    if (this.blocks.size >= BLOCK_CACHE_SIZE) this.blocks.delete(this.blocks.keys().next().value!);
    this.blocks.set(number, header);
    return header;
  }

  /** Forgets cached blocks from `number` on (after a revert). */
  forgetFrom(number: number): void {
    for (const key of [...this.blocks.keys()]) if (key >= number) this.blocks.delete(key);
  }

  /** The timestamp and transaction count the next block would have now (Hardhat's "pending" block). */
  async pendingBlock(): Promise<{ timestamp: bigint; transactions: number }> {
    const raw = await this.call<RawBlock | null>("eth_getBlockByNumber", ["pending", false]);
    if (raw === null) throw new ExecutionRpcError("eth_getBlockByNumber", "no pending block");
    return { timestamp: BigInt(raw.timestamp), transactions: raw.transactions?.length ?? 0 };
  }

  async getBalance(address: string): Promise<bigint> {
    return BigInt(await this.call<string>("eth_getBalance", [address, "latest"]));
  }

  async getCode(address: string): Promise<string> {
    return this.call<string>("eth_getCode", [address, "latest"]);
  }

  /** Hardhat's `hardhat_setBalance`: applies to the latest block's state at once (no block is mined). */
  async setBalance(address: string, wei: bigint): Promise<void> {
    await this.call("hardhat_setBalance", [address, toQuantity(wei)]);
  }

  async getAutomine(): Promise<boolean> {
    return this.call<boolean>("hardhat_getAutomine");
  }

  async setAutomine(enabled: boolean): Promise<void> {
    await this.call("evm_setAutomine", [enabled]);
  }

  async increaseTime(seconds: bigint): Promise<void> {
    await this.call("evm_increaseTime", [toQuantity(seconds)]);
  }

  async setNextBlockTimestamp(timestamp: bigint): Promise<void> {
    await this.call("evm_setNextBlockTimestamp", [toQuantity(timestamp)]);
  }

  async mine(): Promise<void> {
    await this.call("evm_mine");
  }

  /**
   * The `DepositEvent`s of `contract` in blocks [fromBlock, toBlock], in log order, read in chunks of `chunk` blocks.
   *
   * @throws MalformedDepositEventError when an event's fields do not have the official lengths.
   */
  async depositLogs(
    contract: string,
    fromBlock: number,
    toBlock: number,
    chunk = LOG_CHUNK_BLOCKS,
  ): Promise<DepositLog[]> {
    const address = getAddress(contract);
    const raw = await queryInChunks(
      (from, to) =>
        this.call<RawLog[]>("eth_getLogs", [
          { address, topics: [DEPOSIT_EVENT_TOPIC], fromBlock: toQuantity(from), toBlock: toQuantity(to) },
        ]),
      fromBlock,
      toBlock,
      chunk,
    );
    return raw.filter((log) => log.removed !== true).map(decodeDepositLog);
  }

  /**
   * Splits blocks [fromBlock, toBlock] into runs of the same slot, in order, fetching only O(log n) blocks per run
   * (galloping, then bisecting): a chain with long gaps in time or with thousands of blocks in a slot costs little.
   *
   * @param slotOf The slot of a timestamp, -1 before genesis. Timestamps never decrease along the chain.
   */
  async slotRuns(fromBlock: number, toBlock: number, slotOf: (timestamp: bigint) => bigint): Promise<SlotRun[]> {
    const runs: SlotRun[] = [];
    let first = fromBlock;
    while (first <= toBlock) {
      const slot = slotOf((await this.block(first)).timestamp);
      // Gallop: double the step while the block `step` ahead is still in the same slot.
      let inside = first;
      let outside: number | undefined;
      for (let step = 1; outside === undefined && inside < toBlock; step *= 2) {
        const probe = Math.min(toBlock, inside + step);
        if (slotOf((await this.block(probe)).timestamp) === slot) inside = probe;
        else outside = probe;
      }
      // Bisect between the last block known inside and the first known outside.
      while (outside !== undefined && outside - inside > 1) {
        const middle = inside + Math.floor((outside - inside) / 2);
        if (slotOf((await this.block(middle)).timestamp) === slot) inside = middle;
        else outside = middle;
      }
      runs.push({ slot, firstBlock: first, lastBlock: await this.block(inside) });
      first = inside + 1;
    }
    return runs;
  }
}

function decodeDepositLog(log: RawLog): DepositLog {
  const where = `DepositEvent in block ${BigInt(log.blockNumber)} (log ${BigInt(log.logIndex)})`;
  let fields: string[];
  try {
    fields = abi.decode(["bytes", "bytes", "bytes", "bytes", "bytes"], log.data).toArray() as string[];
  } catch (error) {
    throw new MalformedDepositEventError(`${where}: data does not decode as five byte strings`, { cause: error });
  }
  DEPOSIT_EVENT_FIELDS.forEach(([name, bytes], i) => {
    const length = (fields[i]!.length - 2) / 2;
    if (length !== bytes) {
      throw new MalformedDepositEventError(`${where}: ${name} has ${length} bytes, expected ${bytes}`);
    }
  });
  const [pubkey, withdrawalCredentials, amount, signature, index] = fields as [string, string, string, string, string];
  return {
    blockNumber: Number(BigInt(log.blockNumber)),
    logIndex: Number(BigInt(log.logIndex)),
    transactionHash: log.transactionHash,
    pubkey: pubkey.toLowerCase(),
    withdrawalCredentials: withdrawalCredentials.toLowerCase(),
    amountGwei: fromLittleEndian64(amount),
    signature: signature.toLowerCase(),
    depositIndex: fromLittleEndian64(index),
  };
}
