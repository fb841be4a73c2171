import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { ZeroAddress } from "ethers";

import type { StakingPool } from "../typechain-types/index.js";
import { formatDuration, formatEth } from "./amounts.js";
import { UserInputError } from "./errors.js";

/** A deposit that went through. */
export interface DepositReceipt {
  txHash: string;
  blockNumber: number;
  depositor: string;
  referral: string;
  amount: bigint;
  shares: bigint;
  gasUsed: bigint;
}

/**
 * Checks, against the chain's latest block, everything the pool would refuse a deposit of `amount` wei for, and
 * throws a `UserInputError` that says what is wrong and what would be accepted. Nothing is sent.
 */
export async function checkDeposit(pool: StakingPool, depositor: HardhatEthersSigner, amount: bigint): Promise<void> {
  if (amount <= 0n) throw new UserInputError(`amount must be more than 0 ETH`);
  const provider = depositor.provider;
  if (provider === null) throw new Error("the depositor's signer is not connected to a provider");
  const [latest, pausedUntil, limit, pooledEther, shares, balance] = await Promise.all([
    provider.getBlock("latest"),
    pool.depositsPausedUntil(),
    pool.getStakeLimit(),
    pool.totalPooledEther(),
    pool.convertToShares(amount),
    provider.getBalance(depositor.address),
  ]);
  const now = BigInt(latest?.timestamp ?? 0);
  if (pausedUntil > now) {
    throw new UserInputError(
      `deposits are paused until ${new Date(Number(pausedUntil) * 1000).toISOString()} ` +
        `(${formatDuration(pausedUntil - now)} from the latest block); try again after that`,
    );
  }
  if (limit.enabled && amount > limit.available) {
    throw new UserInputError(
      `amount ${formatEth(amount)} is above the stake limit: at most ${formatEth(limit.available)} can be deposited ` +
        `now (the limit refills to ${formatEth(limit.maxLimit)} over ${formatDuration(limit.refillPeriod)})`,
    );
  }
  if (pooledEther === 0n) {
    throw new UserInputError("the pool accounts for no ether, so a share has no price: deposits are refused");
  }
  if (shares === 0n) {
    throw new UserInputError(
      `amount ${formatEth(amount)} is worth less than one share (1e-18 plETH) at the current rate`,
    );
  }
  if (balance < amount) {
    throw new UserInputError(
      `${depositor.address} holds ${formatEth(balance)}, less than the ${formatEth(amount)} to deposit`,
    );
  }
}

/**
 * Deposits `amount` wei from `depositor` after `checkDeposit`, waits for the receipt and returns what was minted.
 * A revert that slips past the checks (the chain moved in between) is reported by its custom error's name.
 */
export async function deposit(
  pool: StakingPool,
  depositor: HardhatEthersSigner,
  amount: bigint,
  referral: string = ZeroAddress,
  onSubmitted?: (txHash: string) => void,
): Promise<DepositReceipt> {
  await checkDeposit(pool, depositor, amount);
  let receipt: ContractTransactionReceipt | null;
  try {
    const tx = await pool.connect(depositor).deposit(referral, { value: amount });
    onSubmitted?.(tx.hash);
    receipt = await tx.wait();
  } catch (error) {
    throw describeRevert(pool, error) ?? error;
  }
  if (receipt === null) throw new Error("the deposit transaction was dropped");
  for (const log of receipt.logs) {
    const parsed = pool.interface.parseLog(log);
    if (parsed?.name === "Deposited") {
      return {
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        depositor: parsed.args.sender as string,
        referral: parsed.args.referral as string,
        amount: parsed.args.amount as bigint,
        shares: parsed.args.shares as bigint,
        gasUsed: receipt.gasUsed,
      };
    }
  }
  throw new Error(`deposit ${receipt.hash} emitted no Deposited event`);
}

/** A `UserInputError` naming the pool's custom error inside `error`, if there is one. */
export function describeRevert(pool: StakingPool, error: unknown): UserInputError | undefined {
  const data = findRevertData(error);
  const named = data === undefined ? undefined : nameCustomError(data, [pool]);
  return named === undefined ? undefined : new UserInputError(`the pool refused the transaction: ${named.text}`);
}

/** The first of `contracts` whose ABI knows the custom error in revert `data`: its name and "Name(arg, ...)". */
export function nameCustomError(
  data: string,
  contracts: readonly BaseContract[],
): { name: string; text: string } | undefined {
  for (const contract of contracts) {
    const parsed = contract.interface.parseError(data);
    if (parsed !== null) {
      return {
        name: parsed.name,
        text: `${parsed.name}(${parsed.args.map((arg: unknown) => String(arg)).join(", ")})`,
      };
    }
  }
  return undefined;
}

export function findRevertData(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
    current = (current as { error?: unknown; cause?: unknown }).error ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}
