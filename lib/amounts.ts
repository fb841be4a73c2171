import { UserInputError } from "./errors.js";

const WEI_PER_ETH = 10n ** 18n;
const ETH_DECIMALS = 18;

/**
 * Parses a user-typed ETH amount ("1.5", "0.01", "32") into wei (or a plETH amount into shares, naming `unit`). Rejects anything that is not a plain positive
 * decimal with at most 18 decimals, naming `argument` and what was expected.
 */
export function parseEthAmount(input: string, argument = "amount", unit = "ETH"): bigint {
  const text = input.trim();
  const expected = `expected a positive number of ${unit} such as 1.5, with at most 18 decimals`;
  if (text.startsWith("-")) {
    throw new UserInputError(`${argument} "${input}" is negative: ${expected}`);
  }
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null || text === "" || text === "." || (match[1] === "" && (match[2] ?? "") === "")) {
    throw new UserInputError(`${argument} "${input}" is not a number: ${expected}`);
  }
  const whole = match[1] ?? "";
  const fraction = match[2] ?? "";
  if (fraction.length > ETH_DECIMALS) {
    throw new UserInputError(`${argument} "${input}" has ${fraction.length} decimals: ${expected}`);
  }
  const wei = BigInt(whole === "" ? "0" : whole) * WEI_PER_ETH + BigInt(fraction.padEnd(ETH_DECIMALS, "0") || "0");
  if (wei === 0n) {
    throw new UserInputError(`${argument} "${input}" is zero: ${expected}`);
  }
  return wei;
}

/**
 * Formats wei as ETH with its unit: every significant decimal, none more ("1.5 ETH", "0.000000000000000001 ETH"),
 * thousands grouped. `maxDecimals` rounds down for display (rounding never shows more than there is).
 */
export function formatEth(wei: bigint, maxDecimals = ETH_DECIMALS): string {
  return `${formatUnits18(wei, maxDecimals)} ETH`;
}

/** Formats plETH shares (18 decimals) with their unit. */
export function formatPlEth(shares: bigint, maxDecimals = ETH_DECIMALS): string {
  return `${formatUnits18(shares, maxDecimals)} plETH`;
}

function formatUnits18(value: bigint, maxDecimals: number): string {
  const sign = value < 0n ? "-" : "";
  const magnitude = value < 0n ? -value : value;
  const whole = (magnitude / WEI_PER_ETH).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (magnitude % WEI_PER_ETH)
    .toString()
    .padStart(ETH_DECIMALS, "0")
    .slice(0, maxDecimals)
    .replace(/0+$/, "");
  return `${sign}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** Formats a duration in seconds for people: "1 day", "2 h 30 min", "45 s". */
export function formatDuration(seconds: bigint): string {
  if (seconds <= 0n) return "0 s";
  const parts: string[] = [];
  const units: [bigint, string][] = [
    [86_400n, "day"],
    [3_600n, "h"],
    [60n, "min"],
    [1n, "s"],
  ];
  let rest = seconds;
  for (const [size, name] of units) {
    const count = rest / size;
    if (count === 0n) continue;
    rest %= size;
    parts.push(name === "day" ? `${count} day${count === 1n ? "" : "s"}` : `${count} ${name}`);
  }
  return parts.slice(0, 2).join(" ");
}

/** Basis points as a percentage with 2 decimals: 500 → "5.00 %". */
export function formatBps(bps: bigint): string {
  return `${bps / 100n}.${(bps % 100n).toString().padStart(2, "0")} %`;
}
