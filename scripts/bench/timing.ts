/** The bench parts' clock: a call's result and how long it took, and durations as the tables print them. */
import { performance } from "node:perf_hooks";

/** `run`'s result and the milliseconds it took. */
export function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

/** `run`'s awaited result and the milliseconds it took. */
export async function timedAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, performance.now() - start];
}

/** Milliseconds, whole: "1,234 ms". */
export const ms = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 0 })} ms`;
