/** A line on stdout after the time of day (UTC, hh:mm:ss): how the long-running tasks report as they go. */
export function timestampedLog(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
}
