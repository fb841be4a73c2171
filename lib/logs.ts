/**
 * Public RPC endpoints refuse log queries over wide block ranges (often more than 10,000 blocks), so event scans go
 * chunk by chunk.
 */
export const LOG_CHUNK_BLOCKS = 10_000;

/**
 * Runs `query` over [fromBlock, toBlock] in consecutive ranges of at most `chunk` blocks and concatenates the results
 * in block order.
 */
export async function queryInChunks<T>(
  query: (fromBlock: number, toBlock: number) => Promise<T[]>,
  fromBlock: number,
  toBlock: number,
  chunk = LOG_CHUNK_BLOCKS,
): Promise<T[]> {
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new RangeError(`chunk must be a positive whole number, got ${chunk}`);
  const results: T[] = [];
  for (let start = fromBlock; start <= toBlock; start += chunk) {
    results.push(...(await query(start, Math.min(toBlock, start + chunk - 1))));
  }
  return results;
}
