import type { Provider } from "ethers";

import type { StakingPool } from "../typechain-types/index.js";
import { formatBps, formatDuration, formatEth, formatPlEth } from "./amounts.js";
import { readBlock } from "./blocks.js";
import { queryInChunks } from "./logs.js";
import { renderTable, type Row } from "./table.js";

const ONE_SHARE = 10n ** 18n;

/** The year APRs are quoted over: 365 days, the contracts' `YEAR`. */
export const SECONDS_PER_YEAR = 365n * 86_400n;

/** APRs are yearly fractions scaled by this: `APR_SCALE` is 100 % a year, `-APR_SCALE / 100n` is -1 %. */
export const APR_SCALE = 10n ** 18n;

/** How many of the latest reports the average APR covers unless told otherwise (a week of daily frames). */
export const DEFAULT_APR_REPORTS = 7;

/** How one report moved the share rate: the `ReportApplied` fields an APR needs. */
export interface RateChange {
  /** Seconds since the previous report's reference slot. */
  timeElapsed: bigint;
  preTotalEther: bigint;
  preTotalShares: bigint;
  postTotalEther: bigint;
  /** Fee shares included. */
  postTotalShares: bigint;
}

/** A report as the pool applied it: its `ReportApplied` and `ReportBreakdown` events, from one transaction. */
export interface AppliedReport extends RateChange {
  refSlot: bigint;
  blockNumber: number;
  txHash: string;
  /** Wei; negative for a loss. */
  beaconDelta: bigint;
  withdrawals: bigint;
  elRewards: bigint;
  writtenOff: bigint;
  /** Fee shares minted to the treasury. */
  treasuryShares: bigint;
  /** Fee shares minted to the operator registry for the operators. */
  operatorShares: bigint;
}

/** The pool's last report, with the block that applied it. */
export interface LastReport {
  refSlot: bigint;
  blockNumber: number;
  /** The applying block's time. */
  timestamp: bigint;
  /** Seconds the report covers: since the previous report's reference slot. */
  timeElapsed: bigint;
  /** See `aprFromReport`; undefined when the pool had no rate before it. */
  apr: bigint | undefined;
}

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
  /** The protocol fee, in basis points of rewards, and who receives the treasury's part. */
  fees: { treasury: string; treasuryFeeBps: bigint; operatorFeeBps: bigint };
  /** Reports the pool has applied since `fromBlock`. */
  reports: number;
  /** Undefined before the first report. */
  lastReport?: LastReport;
  /** `averageApr` over the latest `reports` reports (at most the window asked for); undefined before the first. */
  averageApr?: { reports: number; window: number; period: bigint; apr: bigint | undefined };
  /** Fee shares every report so far minted, and what all of them are worth now. */
  feesMinted: { treasuryShares: bigint; operatorShares: bigint; value: bigint };
  account?: { address: string; shares: bigint; value: bigint };
}

/** Where `getPoolStatus` scans for reports, how many the average APR covers, and at which block it reads. */
export interface PoolStatusOptions {
  /** The deployment's block: report events are looked for from there on (default 0). */
  fromBlock?: number;
  /** Reports the average APR covers (default `DEFAULT_APR_REPORTS`). */
  aprReports?: number;
  /** The block to read at (default: the latest). */
  blockTag?: number;
  /** The reports applied from `fromBlock` to that block, when the caller has read them: saves the event scan. */
  reports?: readonly AppliedReport[];
}

/** Floor division (towards minus infinity) by a positive divisor; bigint `/` truncates towards zero. */
function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n ? quotient - 1n : quotient;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * postRate / preRate − 1 as an exact fraction with a positive denominator, rates being ether per share:
 * (postEther × preShares − preEther × postShares) / (preEther × postShares). Undefined when either rate is not a
 * number (no ether or no shares before, no shares after) or the report covers no time.
 */
function rateGrowth(change: RateChange): { numerator: bigint; denominator: bigint } | undefined {
  if (
    change.timeElapsed <= 0n ||
    change.preTotalEther <= 0n ||
    change.preTotalShares <= 0n ||
    change.postTotalShares <= 0n ||
    change.postTotalEther < 0n
  ) {
    return undefined;
  }
  return {
    numerator: change.postTotalEther * change.preTotalShares - change.preTotalEther * change.postTotalShares,
    denominator: change.preTotalEther * change.postTotalShares,
  };
}

/**
 * The APR one report gave holders: (postRate / preRate − 1) × year / timeElapsed, rates being ether per share, so
 * the fee (minted as shares) is already taken out. Scaled by `APR_SCALE`, computed exactly and rounded down (towards
 * minus infinity), so a loss is always negative and a gain never is. Undefined when the pool had no rate before the
 * report or the report covers no time.
 */
export function aprFromReport(change: RateChange): bigint | undefined {
  const growth = rateGrowth(change);
  if (growth === undefined) return undefined;
  return floorDiv(growth.numerator * APR_SCALE * SECONDS_PER_YEAR, growth.denominator * change.timeElapsed);
}

/** What one plETH (1e18 shares) was worth once `change` was applied, fee shares included, rounded down as the pool
 * converts; 0 when no shares are left. */
export function rateAfter(change: RateChange): bigint {
  return change.postTotalShares === 0n ? 0n : (change.postTotalEther * ONE_SHARE) / change.postTotalShares;
}

/**
 * The time-weighted APR of the latest `count` reports, simple rather than compound: each report's rate growth is
 * summed and the sum annualized over the time they cover together, Σ(postRateᵢ / preRateᵢ − 1) × year / Σ timeElapsedᵢ.
 * That is the mean of the reports' APRs weighted by the time each covers (a long report counts for more than a
 * short one), so it always lies between the lowest and the highest of them; compounding would add the growth on the
 * growth, under 0.01 % a year at staking rates over a week. Scaled by `APR_SCALE`, exact and rounded down like
 * `aprFromReport`, which it equals for one report. Reports without a rate are left out; undefined when none is left.
 */
export function averageApr(reports: readonly RateChange[], count = DEFAULT_APR_REPORTS): bigint | undefined {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a positive whole number, got ${count}`);
  let numerator = 0n;
  let denominator = 1n;
  let period = 0n;
  for (const report of reports.slice(-count)) {
    const growth = rateGrowth(report);
    if (growth === undefined) continue;
    // numerator / denominator += growth, kept in lowest terms so the numbers stay small.
    numerator = numerator * growth.denominator + growth.numerator * denominator;
    denominator *= growth.denominator;
    const common = gcd(numerator, denominator);
    numerator /= common;
    denominator /= common;
    period += report.timeElapsed;
  }
  if (period === 0n) return undefined;
  return floorDiv(numerator * APR_SCALE * SECONDS_PER_YEAR, denominator * period);
}

/** An APR (scaled by `APR_SCALE`) as a percentage with 2 decimals, rounded half away from zero: "4.50 %", "-1.23 %".
 * A negative APR keeps its sign even when it rounds to zero ("-0.00 %"): a loss never shows as a gain. */
export function formatApr(apr: bigint): string {
  const magnitude = apr < 0n ? -apr : apr;
  const hundredths = (magnitude * 10_000n + APR_SCALE / 2n) / APR_SCALE;
  const whole = (hundredths / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${apr < 0n ? "-" : ""}${whole}.${(hundredths % 100n).toString().padStart(2, "0")} %`;
}

/**
 * Every report the pool applied in [fromBlock, toBlock], oldest first, from its `ReportApplied` and `ReportBreakdown`
 * events. The scan goes in chunks public RPCs accept; start it at the deployment's block.
 */
export async function readAppliedReports(
  pool: StakingPool,
  fromBlock: number,
  toBlock: number,
): Promise<AppliedReport[]> {
  const [applied, breakdowns] = await Promise.all([
    queryInChunks((from, to) => pool.queryFilter(pool.filters.ReportApplied(), from, to), fromBlock, toBlock),
    queryInChunks((from, to) => pool.queryFilter(pool.filters.ReportBreakdown(), from, to), fromBlock, toBlock),
  ]);
  // Both events of a report come from one transaction, which applies one report.
  const breakdownOf = new Map(breakdowns.map((event) => [event.transactionHash, event.args]));
  return applied.map((event) => {
    const breakdown = breakdownOf.get(event.transactionHash);
    if (breakdown === undefined || breakdown.refSlot !== event.args.refSlot) {
      throw new Error(`report ${event.args.refSlot} (tx ${event.transactionHash}) has no ReportBreakdown event`);
    }
    return {
      refSlot: event.args.refSlot,
      blockNumber: event.blockNumber,
      txHash: event.transactionHash,
      timeElapsed: event.args.timeElapsed,
      preTotalEther: event.args.preTotalEther,
      preTotalShares: event.args.preTotalShares,
      postTotalEther: event.args.postTotalEther,
      postTotalShares: event.args.postTotalShares,
      beaconDelta: breakdown.beaconDelta,
      withdrawals: breakdown.withdrawals,
      elRewards: breakdown.elRewards,
      writtenOff: breakdown.writtenOff,
      treasuryShares: breakdown.treasuryShares,
      operatorShares: breakdown.operatorShares,
    };
  });
}

/**
 * Reads the pool's status at the latest block (or `options.blockTag`), with `account`'s plETH when given: accounting, stake limit, fee
 * settings, and from the report events since `options.fromBlock` the last report, the APRs and the fees minted.
 */
export async function getPoolStatus(
  pool: StakingPool,
  provider: Provider,
  account?: string,
  options: PoolStatusOptions = {},
): Promise<PoolStatus> {
  const window = options.aprReports ?? DEFAULT_APR_REPORTS;
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`aprReports must be a positive whole number, got ${window}`);
  }
  const block = await readBlock(provider, options.blockTag);
  const blockTag = block.number;
  const [accounting, limit, pausedUntil, shareRate, reportState, address, reports] = await Promise.all([
    pool.getAccounting({ blockTag }),
    pool.getStakeLimit({ blockTag }),
    pool.depositsPausedUntil({ blockTag }),
    pool.convertToAssets(ONE_SHARE, { blockTag }),
    pool.getReportState({ blockTag }),
    pool.getAddress(),
    options.reports === undefined ? readAppliedReports(pool, options.fromBlock ?? 0, blockTag) : [...options.reports],
  ]);
  const treasuryShares = reports.reduce((sum, report) => sum + report.treasuryShares, 0n);
  const operatorShares = reports.reduce((sum, report) => sum + report.operatorShares, 0n);
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
    fees: {
      treasury: reportState.treasury,
      treasuryFeeBps: reportState.treasuryFeeBps,
      operatorFeeBps: reportState.operatorFeeBps,
    },
    reports: reports.length,
    feesMinted: {
      treasuryShares,
      operatorShares,
      value: await pool.convertToAssets(treasuryShares + operatorShares, { blockTag }),
    },
  };
  const last = reports.at(-1);
  if (last !== undefined) {
    const applied = await readBlock(provider, last.blockNumber);
    status.lastReport = {
      refSlot: last.refSlot,
      blockNumber: last.blockNumber,
      timestamp: BigInt(applied.timestamp),
      timeElapsed: last.timeElapsed,
      apr: aprFromReport(last),
    };
    const recent = reports.slice(-window);
    status.averageApr = {
      reports: recent.length,
      window,
      period: recent.reduce((sum, report) => sum + report.timeElapsed, 0n),
      apr: averageApr(recent, window),
    };
  }
  if (account !== undefined) {
    const shares = await pool.balanceOf(account, { blockTag });
    status.account = { address: account, shares, value: await pool.convertToAssets(shares, { blockTag }) };
  }
  return status;
}

const NO_REPORT = "no report yet";

/** The status as a table, every amount in ETH or plETH with its unit, percentages with 2 decimals. */
export function formatPoolStatus(status: PoolStatus, networkName: string): string {
  const limit = status.stakeLimit;
  const paused = status.depositsPausedUntil > status.timestamp;
  const feesMinted = status.feesMinted.treasuryShares + status.feesMinted.operatorShares;
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
    ["rewards and fees"],
    ["treasury fee", `${formatBps(status.fees.treasuryFeeBps)} of rewards`],
    ["operator fee", `${formatBps(status.fees.operatorFeeBps)} of rewards`],
    ["treasury", status.fees.treasury],
    ["fees minted so far", `${formatPlEth(feesMinted)} (${formatEth(status.feesMinted.value)} now)`],
  ];
  const last = status.lastReport;
  const average = status.averageApr;
  if (last === undefined || average === undefined) {
    rows.push(["last report", NO_REPORT], ["APR", NO_REPORT]);
  } else {
    const age = status.timestamp - last.timestamp;
    rows.push(
      ["reports applied", status.reports.toString()],
      ["last report", `ref slot ${last.refSlot}, block ${last.blockNumber}`],
      [
        "last report applied",
        `${new Date(Number(last.timestamp) * 1000).toISOString()} (${age > 0n ? `${formatDuration(age)} ago` : "this block"})`,
      ],
      ["last report covers", formatDuration(last.timeElapsed)],
      ["APR, last report", last.apr === undefined ? "n/a (no rate before it)" : formatApr(last.apr)],
      [
        `APR, last ${average.window} reports`,
        `${average.apr === undefined ? "n/a" : formatApr(average.apr)} (${average.reports} ` +
          `report${average.reports === 1 ? "" : "s"} over ${formatDuration(average.period)}, time-weighted)`,
      ],
    );
  }
  if (status.account !== undefined) {
    rows.push([`account ${status.account.address}`]);
    rows.push(["plETH", formatPlEth(status.account.shares)]);
    rows.push(["value", formatEth(status.account.value)]);
  }
  return renderTable(`Plural on ${networkName}, block ${status.blockNumber}`, rows);
}
