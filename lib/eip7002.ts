/**
 * EIP-7002, execution-layer triggerable withdrawals: the predeploy's constants and fee, installing our implementation
 * (`WithdrawalRequestPredeploy`) where a local chain lacks the predeploy, reading its fee and queue, and decoding the
 * 76-byte records it logs and returns to the system call.
 *
 * Two encodings of one request, both source (20) ‖ pubkey (48) ‖ amount (8, gwei): the log an added request emits
 * carries the amount as the caller sent it, big-endian; the records the system call returns carry it little-endian,
 * as the consensus layer reads them.
 */
import { readFileSync } from "node:fs";

import { concat, dataLength, dataSlice, getAddress, hexlify, isHexString, toBeHex, toQuantity } from "ethers";

import type { Eip1193Provider } from "./beacon/chain.js";
import { fromLittleEndian64 } from "./depositData.js";
import { UserInputError } from "./errors.js";

/** Where a Prague chain has the withdrawal request contract. */
export const WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS = "0x00000961Ef480Eb55e80D19ad83579A64c007002";
/** The caller of the end-of-block system calls. */
export const SYSTEM_ADDRESS = "0xfffffffffffffffffffffffffffffffffffffffe";
/** The excess until the first system call: the fee cannot be read (nor requests added) while it is set. */
export const EXCESS_INHIBITOR = 2n ** 256n - 1n;
export const MAX_WITHDRAWAL_REQUESTS_PER_BLOCK = 16;
export const TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK = 2n;
export const MIN_WITHDRAWAL_REQUEST_FEE = 1n;
export const WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION = 17n;
/** The amount of a request that asks for a full exit rather than a partial withdrawal. */
export const FULL_EXIT_REQUEST_AMOUNT = 0n;
/** The predeploy's storage: excess, count, queue head and tail, then 3 slots a request from `queue`. */
export const WITHDRAWAL_REQUEST_SLOTS = { excess: 0n, count: 1n, head: 2n, tail: 3n, queue: 4n } as const;
/** Input of an added request: pubkey (48) ‖ amount (8, big-endian). */
export const WITHDRAWAL_REQUEST_INPUT_BYTES = 56;
/** A logged or dequeued request: source (20) ‖ pubkey (48) ‖ amount (8). */
export const WITHDRAWAL_REQUEST_RECORD_BYTES = 76;

const ARTIFACT = new URL(
  "../artifacts/contracts/mocks/WithdrawalRequestPredeploy.sol/WithdrawalRequestPredeploy.json",
  import.meta.url,
);
const UINT64_MAX = 2n ** 64n - 1n;

/** One withdrawal request (byte fields 0x-prefixed). */
export interface WithdrawalRequest {
  /** Checksummed: the address that called the predeploy, which must be the validator's credentials address. */
  sourceAddress: string;
  /** Lowercase, 48 bytes. */
  pubkey: string;
  /** 0 for a full exit. */
  amountGwei: bigint;
}

/** The predeploy's four state slots. */
export interface WithdrawalRequestState {
  /** `EXCESS_INHIBITOR` before the first system call. */
  excess: bigint;
  /** Requests added since the last system call. */
  count: bigint;
  head: bigint;
  tail: bigint;
}

/** The chain has no contract at the predeploy's address. */
export class WithdrawalRequestPredeployMissingError extends UserInputError {
  override name = "WithdrawalRequestPredeployMissingError";
  constructor() {
    super(
      `no EIP-7002 withdrawal request contract at ${WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS} on this chain ` +
        "(a local chain needs installWithdrawalRequestPredeploy, which `beacon run` does)",
    );
  }
}

/** The predeploy refuses to tell its fee: its excess is still the inhibitor (no system call has run yet). */
export class WithdrawalRequestFeeUnavailableError extends Error {
  override name = "WithdrawalRequestFeeUnavailableError";
}

/** Bytes that should hold withdrawal requests do not have their length. */
export class MalformedWithdrawalRequestError extends Error {
  override name = "MalformedWithdrawalRequestError";
}

/**
 * EIP-4844's integer approximation of factor * e ** (numerator / denominator), exact (no 256-bit wrap-around: the
 * predeploy wraps from an excess of about 2,900, far beyond any fee anyone pays).
 */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  if (factor < 0n || numerator < 0n || denominator <= 0n) {
    throw new RangeError(`fakeExponential: expected factor, numerator >= 0 and denominator > 0`);
  }
  let output = 0n;
  let accumulator = factor * denominator;
  for (let i = 1n; accumulator > 0n; i++) {
    output += accumulator;
    accumulator = (accumulator * numerator) / (denominator * i);
  }
  return output / denominator;
}

/** The fee, in wei, of a request added while the predeploy's excess is `excess`. */
export function withdrawalRequestFee(excess: bigint): bigint {
  if (excess === EXCESS_INHIBITOR) {
    throw new WithdrawalRequestFeeUnavailableError("the excess is the inhibitor: no system call has run yet");
  }
  return fakeExponential(MIN_WITHDRAWAL_REQUEST_FEE, excess, WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION);
}

/** The excess after a system call, from the excess before it and the requests added since the previous one. */
export function nextExcess(excess: bigint, count: bigint): bigint {
  const previous = excess === EXCESS_INHIBITOR ? 0n : excess;
  const total = previous + count;
  return total > TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK ? total - TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK : 0n;
}

function pubkeyHex(pubkey: string): string {
  if (!isHexString(pubkey, 48)) throw new TypeError(`pubkey: expected 0x and 48 bytes of hex, got ${pubkey}`);
  return pubkey.toLowerCase();
}

/** The 56-byte input that adds a request: pubkey ‖ amount (big-endian), for a call from the source address. */
export function encodeWithdrawalRequest(pubkey: string, amountGwei: bigint = FULL_EXIT_REQUEST_AMOUNT): string {
  if (amountGwei < 0n || amountGwei > UINT64_MAX)
    throw new RangeError(`amountGwei: expected a uint64, got ${amountGwei}`);
  return concat([pubkeyHex(pubkey), toBeHex(amountGwei, 8)]);
}

function decodeRecord(record: string, amountLittleEndian: boolean): WithdrawalRequest {
  const amount = dataSlice(record, 68, 76);
  return {
    sourceAddress: getAddress(dataSlice(record, 0, 20)),
    pubkey: dataSlice(record, 20, 68).toLowerCase(),
    amountGwei: amountLittleEndian ? fromLittleEndian64(amount) : BigInt(amount),
  };
}

/**
 * The request an added request's log0 carries: source ‖ pubkey ‖ amount (big-endian, as in the input).
 *
 * @throws MalformedWithdrawalRequestError when `data` is not 76 bytes.
 */
export function decodeWithdrawalRequestLog(data: string): WithdrawalRequest {
  const bytes = hexlify(data);
  if (dataLength(bytes) !== WITHDRAWAL_REQUEST_RECORD_BYTES) {
    throw new MalformedWithdrawalRequestError(
      `a withdrawal request log has ${WITHDRAWAL_REQUEST_RECORD_BYTES} bytes of data, got ${dataLength(bytes)}`,
    );
  }
  return decodeRecord(bytes, false);
}

/**
 * The requests a system call returned: concatenated source ‖ pubkey ‖ amount (little-endian) records, in order.
 *
 * @throws MalformedWithdrawalRequestError when the length is not a whole number of records, or more than 16 of them.
 */
export function decodeWithdrawalRequests(data: string): WithdrawalRequest[] {
  const bytes = hexlify(data);
  const length = dataLength(bytes);
  const count = length / WITHDRAWAL_REQUEST_RECORD_BYTES;
  if (!Number.isInteger(count) || count > MAX_WITHDRAWAL_REQUESTS_PER_BLOCK) {
    throw new MalformedWithdrawalRequestError(
      `a system call returns up to ${MAX_WITHDRAWAL_REQUESTS_PER_BLOCK} records of ` +
        `${WITHDRAWAL_REQUEST_RECORD_BYTES} bytes, got ${length} bytes`,
    );
  }
  const requests: WithdrawalRequest[] = [];
  for (let offset = 0; offset < length; offset += WITHDRAWAL_REQUEST_RECORD_BYTES) {
    requests.push(decodeRecord(dataSlice(bytes, offset, offset + WITHDRAWAL_REQUEST_RECORD_BYTES), true));
  }
  return requests;
}

const rpc = <T>(provider: Eip1193Provider, method: string, params: unknown[]) =>
  provider.request({ method, params }) as Promise<T>;

/** The predeploy's runtime code, from the compiled `WithdrawalRequestPredeploy` artifact. */
export function withdrawalRequestPredeployCode(): string {
  let artifact: { deployedBytecode?: unknown };
  try {
    artifact = JSON.parse(readFileSync(ARTIFACT, "utf8")) as { deployedBytecode?: unknown };
  } catch (error) {
    throw new UserInputError(
      `cannot read the WithdrawalRequestPredeploy artifact (${ARTIFACT.pathname}): run \`npx hardhat build\` first`,
      { cause: error },
    );
  }
  const code = artifact.deployedBytecode;
  if (typeof code !== "string" || !isHexString(code) || code.length <= 2) {
    throw new UserInputError(`the WithdrawalRequestPredeploy artifact has no runtime code: rebuild it`);
  }
  return code;
}

/**
 * Installs our withdrawal request contract at the predeploy's address when the chain has no code there, as its
 * deployment would leave it: the runtime code and the excess set to the inhibitor (so the fee is unreadable until the
 * first system call). Needs Hardhat's `hardhat_setCode` and `hardhat_setStorageAt`.
 *
 * @returns Whether it installed anything (false when the address already has code).
 */
export async function installWithdrawalRequestPredeploy(
  provider: Eip1193Provider,
  runtimeCode: string = withdrawalRequestPredeployCode(),
): Promise<boolean> {
  const existing = await rpc<string>(provider, "eth_getCode", [WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, "latest"]);
  if (existing !== "0x") return false;
  await rpc(provider, "hardhat_setCode", [WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, runtimeCode]);
  await rpc(provider, "hardhat_setStorageAt", [
    WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
    toQuantity(WITHDRAWAL_REQUEST_SLOTS.excess),
    toBeHex(EXCESS_INHIBITOR, 32),
  ]);
  return true;
}

/** Whether the chain has code at the predeploy's address. */
export async function hasWithdrawalRequestPredeploy(provider: Eip1193Provider, blockTag = "latest"): Promise<boolean> {
  return (await rpc<string>(provider, "eth_getCode", [WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, blockTag])) !== "0x";
}

/** The predeploy's excess, count, head and tail at `blockTag`, from its storage. */
export async function readWithdrawalRequestState(
  provider: Eip1193Provider,
  blockTag = "latest",
): Promise<WithdrawalRequestState> {
  const slot = (index: bigint) =>
    rpc<string>(provider, "eth_getStorageAt", [WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, toQuantity(index), blockTag]).then(
      BigInt,
    );
  const [excess, count, head, tail] = await Promise.all([
    slot(WITHDRAWAL_REQUEST_SLOTS.excess),
    slot(WITHDRAWAL_REQUEST_SLOTS.count),
    slot(WITHDRAWAL_REQUEST_SLOTS.head),
    slot(WITHDRAWAL_REQUEST_SLOTS.tail),
  ]);
  return { excess, count, head, tail };
}

/**
 * The fee a request pays now, in wei, as the predeploy answers it (a call with empty input).
 *
 * @throws WithdrawalRequestPredeployMissingError when there is no contract there;
 *   WithdrawalRequestFeeUnavailableError when it refuses (before its first system call).
 */
export async function readWithdrawalRequestFee(provider: Eip1193Provider, blockTag = "latest"): Promise<bigint> {
  if (!(await hasWithdrawalRequestPredeploy(provider, blockTag))) throw new WithdrawalRequestPredeployMissingError();
  let answer: string;
  try {
    answer = await rpc<string>(provider, "eth_call", [
      { to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: "0x" },
      blockTag,
    ]);
  } catch (error) {
    throw new WithdrawalRequestFeeUnavailableError(
      "the withdrawal request contract refused to tell its fee: its excess is still the inhibitor, no system call " +
        "has run yet (on a local chain, the beacon simulator's first payment block runs one)",
      { cause: error },
    );
  }
  if (dataLength(answer) !== 32) {
    throw new MalformedWithdrawalRequestError(`the fee read answered ${dataLength(answer)} bytes, expected 32`);
  }
  return BigInt(answer);
}
