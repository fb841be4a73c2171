import type { Provider } from "ethers";

import type { StakingPool } from "../typechain-types/index.js";
import { formatDuration, formatEth, formatPlEth } from "./amounts.js";
import { renderTable, type Row } from "./table.js";

const ONE_SHARE = 10n ** 18n;

/** A snapshot of the pool, and optionally of one holder, at one block. */
export interface PoolStatus {
  blockNumber: number;
  timestamp: bigint;
  pool: string;
  totalPooledEther: bigint;
  totalShares: bigint;
  /** Wei that one whole plETH (1e18 shares) is worth, rounded down. */
  shareRate: bigint;
  bufferedEther: bigint;
  beaconBalance: bigint;
  transientEther: bigint;
  depositedValidators: bigint;
  beaconValidators: bigint;
  stakeLimit: { enabled: boolean; maxLimit: bigint; refillPeriod: bigint; available: bigint };
  depositsPausedUntil: bigint;
  account?: { address: string; shares: bigint; value: bigint };
}

/** Reads the pool's status at the latest block, with `account`'s plETH when given. */
export async function getPoolStatus(pool: StakingPool, provider: Provider, account?: string): Promise<PoolStatus> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("the node returned no latest block");
  const blockTag = block.number;
  const [accounting, limit, pausedUntil, shareRate, address] = await Promise.all([
    pool.getAccounting({ blockTag }),
    pool.getStakeLimit({ blockTag }),
    pool.depositsPausedUntil({ blockTag }),
    pool.convertToAssets(ONE_SHARE, { blockTag }),
    pool.getAddress(),
  ]);
  const status: PoolStatus = {
    blockNumber: block.number,
    timestamp: BigInt(block.timestamp),
    pool: address,
    totalPooledEther: accounting.totalPooledEther,
    totalShares: accounting.totalShares,
    shareRate,
    bufferedEther: accounting.bufferedEther,
    beaconBalance: accounting.beaconBalance,
    transientEther: accounting.transientEther,
    depositedValidators: accounting.depositedValidators,
    beaconValidators: accounting.beaconValidators,
    stakeLimit: {
      enabled: limit.enabled,
      maxLimit: limit.maxLimit,
      refillPeriod: limit.refillPeriod,
      available: limit.available,
    },
    depositsPausedUntil: pausedUntil,
  };
  if (account !== undefined) {
    const shares = await pool.balanceOf(account, { blockTag });
    status.account = { address: account, shares, value: await pool.convertToAssets(shares, { blockTag }) };
  }
  return status;
}

/** The status as a table, every amount in ETH or plETH with its unit. */
export function formatPoolStatus(status: PoolStatus, networkName: string): string {
  const limit = status.stakeLimit;
  const paused = status.depositsPausedUntil > status.timestamp;
  const rows: Row[] = [
    ["pool (plETH)", status.pool],
    ["total pooled ether", formatEth(status.totalPooledEther)],
    ["share rate", `${formatEth(status.shareRate)} per plETH`],
    ["plETH supply", formatPlEth(status.totalShares)],
    ["buffered ether", formatEth(status.bufferedEther)],
    ["validators deposited / seen", `${status.depositedValidators} / ${status.beaconValidators}`],
    ["beacon balance", formatEth(status.beaconBalance)],
    ["in flight to the beacon chain", formatEth(status.transientEther)],
    [
      "stake limit left",
      limit.enabled
        ? `${formatEth(limit.available, 6)} of ${formatEth(limit.maxLimit, 6)} (refills over ${formatDuration(limit.refillPeriod)})`
        : "no limit",
    ],
    ["deposits", paused ? `paused until ${new Date(Number(status.depositsPausedUntil) * 1000).toISOString()}` : "open"],
  ];
  if (status.account !== undefined) {
    rows.push([`account ${status.account.address}`]);
    rows.push(["plETH", formatPlEth(status.account.shares)]);
    rows.push(["value", formatEth(status.account.value)]);
  }
  return renderTable(`Plural on ${networkName}, block ${status.blockNumber}`, rows);
}
