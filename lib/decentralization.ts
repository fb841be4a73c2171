/**
 * How concentrated the pool's validators are among its operators.
 *
 * Every function takes one count of active validators per operator, in any order. An operator is whoever controls
 * the keys: pass a distributed-validator cluster as one operator (its members act together), and sum the counts of
 * registry entries run by the same entity first. The metrics cannot see common control the caller did not merge.
 *
 * All arithmetic is on integers (bigint), so the results are exact at any size; only the HHI is rounded, for display.
 */

/** One count of active validators per operator: non-negative integers. */
export type ValidatorCounts = readonly bigint[] | readonly number[];

const BPS = 10_000n;

/** The metrics of `describeConcentration`, for display. */
export interface Concentration {
  /** Operators with at least one validator. */
  readonly operators: number;
  /** All validators. */
  readonly validators: bigint;
  /** See `nakamotoCoefficient`. */
  readonly nakamotoCoefficient: number;
  /** See `herfindahlHirschmanIndex`. */
  readonly herfindahlHirschmanIndex: number;
  /** See `maxShareBps`. */
  readonly maxShareBps: number;
}

/**
 * The fewest operators whose validators together are strictly more than a third of all validators: how many must
 * collude to stall finality. Exactly a third is not enough. 0 when there are no validators.
 *
 * @throws RangeError when a count is negative or not an integer.
 */
export function nakamotoCoefficient(counts: ValidatorCounts): number {
  const sorted = validatorCounts(counts).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const total = sum(sorted);
  let held = 0n;
  for (const [i, count] of sorted.entries()) {
    held += count;
    if (3n * held > total) return i + 1;
  }
  return 0;
}

/**
 * The Herfindahl-Hirschman index: the sum of the operators' squared percentage shares, from 0 (no validators) or
 * nearly 0 (many small operators) to 10,000 (one operator); n equal operators give 10,000 / n. Computed exactly and
 * rounded half up to 2 decimals, which keeps every comparison between exact values (rounding is monotonic).
 *
 * @throws RangeError when a count is negative or not an integer.
 */
export function herfindahlHirschmanIndex(counts: ValidatorCounts): number {
  const values = validatorCounts(counts);
  const total = sum(values);
  if (total === 0n) return 0;
  const squares = values.reduce((acc, count) => acc + count * count, 0n);
  // HHI = 10,000 * squares / total^2; in hundredths, rounded half up: floor((2 * 10^6 * squares + total^2) / 2 total^2).
  const totalSquared = total * total;
  const hundredths = (2n * 100n * BPS * squares + totalSquared) / (2n * totalSquared);
  return Number(hundredths) / 100;
}

/**
 * The largest operator's share of all validators in basis points, rounded down (a share just under 100% shows 9,999).
 * 0 when there are no validators.
 *
 * @throws RangeError when a count is negative or not an integer.
 */
export function maxShareBps(counts: ValidatorCounts): number {
  const values = validatorCounts(counts);
  const total = sum(values);
  if (total === 0n) return 0;
  const largest = values.reduce((max, count) => (count > max ? count : max), 0n);
  return Number((BPS * largest) / total);
}

/**
 * Every metric at once, for display.
 *
 * @throws RangeError when a count is negative or not an integer.
 */
export function describeConcentration(counts: ValidatorCounts): Concentration {
  const values = validatorCounts(counts);
  return {
    operators: values.filter((count) => count > 0n).length,
    validators: sum(values),
    nakamotoCoefficient: nakamotoCoefficient(values),
    herfindahlHirschmanIndex: herfindahlHirschmanIndex(values),
    maxShareBps: maxShareBps(values),
  };
}

/** The counts as bigints, in a new array the caller may sort. */
function validatorCounts(counts: ValidatorCounts): bigint[] {
  const list: readonly (bigint | number)[] = counts;
  return list.map((count, i) => {
    if (typeof count === "number" && !Number.isSafeInteger(count)) {
      throw new RangeError(`counts[${i}]: expected a non-negative integer, got ${count}`);
    }
    const value = BigInt(count);
    if (value < 0n) {
      throw new RangeError(`counts[${i}]: expected a non-negative integer, got ${count}`);
    }
    return value;
  });
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((acc, value) => acc + value, 0n);
}
