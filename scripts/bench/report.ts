/**
 * The benchmark's rows and its one table: pure functions, no chain and no clock, so that the status logic, the
 * formatting and the gas-snapshot check are unit-tested (test/bench.test.ts) apart from the measurements.
 */
import { renderGrid, type Row } from "../../lib/table.js";

/** What a row measures: gas from a receipt, wall time, or a speed-up (theirs / ours). */
export type Unit = "gas" | "ms" | "ratio";

/**
 * A target as the issue that set it states it: `atMost` (gas, "<= 70,000"), `below` (time, "under 10 s"), `atLeast`
 * (a speed-up, "3x").
 */
export interface Target {
  kind: "atMost" | "below" | "atLeast";
  value: number;
}

/** The protocols the gas figures are compared with. */
export const ANCHOR_NAMES = ["Lido", "StakeWise", "Rocket Pool"] as const;
export type AnchorName = (typeof ANCHOR_NAMES)[number];

/**
 * A published figure of another protocol: `figure` as printed in the table ("~" when the source only estimates it),
 * `note` what exactly the source measured, printed as a numbered footnote when the figure needs one.
 */
export interface Anchor {
  figure: string;
  note?: string;
}

export interface BenchRow {
  operation: string;
  measured: number;
  unit: Unit;
  /** No target: a reference figure, printed only. */
  target?: Target;
  /**
   * The target is not met yet, for the reason given: printed as MISSED with the reason under the table, and never a
   * failure (the gas check still holds the figure to the snapshot).
   */
  knownMiss?: string;
  anchors?: Partial<Record<AnchorName, Anchor>>;
  /** Gas rows: the figure's name in gas-snapshot.json. */
  snapshotKey?: string;
}

/** A section of the table (gas, then each tool's timings). */
export interface BenchSection {
  title: string;
  rows: readonly BenchRow[];
}

/**
 * A tool's measurements: its rows in the one table, its fixed inputs (a line of the table's header), and the
 * stage-by-stage tables its standalone run prints.
 */
export interface ToolingResult {
  rows: BenchRow[];
  inputs: string;
  details: { title: string; rows: Row[] }[];
}

/** Printed where a figure does not exist: no target, no published anchor, no snapshot. */
export const NONE = "—";

export type Status = "ok" | "MISSED" | "reference";

/** Whether a measured figure meets its target; a row without a target is a reference figure. */
export function statusOf(row: Pick<BenchRow, "measured" | "target">): Status {
  if (row.target === undefined) return "reference";
  const { kind, value } = row.target;
  const met =
    kind === "atMost" ? row.measured <= value : kind === "below" ? row.measured < value : row.measured >= value;
  return met ? "ok" : "MISSED";
}

const whole = (value: number) => Math.round(value).toLocaleString("en");

/** "68,368" for gas; "1,234 ms" for times, with two decimals under 10 ms ("0.61 ms"); "1.48×" for speed-ups. */
export function formatMeasured(value: number, unit: Unit): string {
  switch (unit) {
    case "gas":
      return whole(value);
    case "ms":
      return `${value < 10 ? value.toFixed(2) : whole(value)} ms`;
    case "ratio":
      return `${value.toFixed(2)}×`;
  }
}

/** "≤ 70,000", "< 10,000 ms", "≥ 3.00×"; "—" without a target. */
export function formatTarget(target: Target | undefined, unit: Unit): string {
  if (target === undefined) return NONE;
  const sign = target.kind === "atMost" ? "≤" : target.kind === "below" ? "<" : "≥";
  return `${sign} ${formatMeasured(target.value, unit)}`;
}

/** How far a gas figure moved from the committed snapshot: "+0.13%", "-2.00%", "new"; "—" for rows outside it. */
export function formatSnapshotChange(row: BenchRow, snapshot: Readonly<Record<string, number>>): string {
  if (row.snapshotKey === undefined) return NONE;
  const previous = snapshot[row.snapshotKey];
  if (previous === undefined) return "new";
  const change = ((row.measured - previous) / previous) * 100;
  return `${change >= 0 ? "+" : ""}${change.toFixed(2)}%`;
}

/** The table's columns: "Plural" holds gas in the gas section and wall time or a speed-up in the tooling section. */
export const TABLE_HEADERS = ["operation", "Plural", "target", ...ANCHOR_NAMES, "vs snapshot", "result"] as const;

/** What "—" in an anchor's column means, for each anchor: printed under the table once. */
export type AnchorGaps = Readonly<Record<AnchorName, string>>;

/**
 * The one table: a heading row per section, then a row per figure with its target, the anchors' figures (a numbered
 * footnote where the source needs explaining, "—" where there is none), the change against the snapshot and the
 * result. Under it: the anchors' footnotes, what "—" means in each anchor's column, and the reason of every known miss.
 */
export function renderBenchTable(
  title: string,
  sections: readonly BenchSection[],
  snapshot: Readonly<Record<string, number>>,
  gaps: AnchorGaps,
): string {
  const notes: string[] = [];
  const marker = (note: string) => {
    let index = notes.indexOf(note);
    if (index === -1) index = notes.push(note) - 1;
    return `[${index + 1}]`;
  };
  // Known misses by reason: rows that miss for the same reason share one line.
  const misses = new Map<string, string[]>();
  const blank = TABLE_HEADERS.slice(1).map(() => "");
  const grid: string[][] = [];
  for (const section of sections) {
    grid.push([section.title, ...blank]);
    for (const row of section.rows) {
      const status = statusOf(row);
      if (status === "MISSED" && row.knownMiss !== undefined) {
        misses.set(row.knownMiss, [...(misses.get(row.knownMiss) ?? []), row.operation]);
      }
      const anchors = ANCHOR_NAMES.map((name) => {
        const anchor = row.anchors?.[name];
        if (anchor === undefined) return NONE;
        return anchor.note === undefined ? anchor.figure : `${anchor.figure} ${marker(`${name}: ${anchor.note}`)}`;
      });
      grid.push([
        `  ${row.operation}`,
        formatMeasured(row.measured, row.unit),
        formatTarget(row.target, row.unit),
        ...anchors,
        formatSnapshotChange(row, snapshot),
        status,
      ]);
    }
  }
  const lines = [renderGrid(title, TABLE_HEADERS, grid)];
  notes.forEach((note, index) => lines.push(`[${index + 1}] ${note}`));
  for (const name of ANCHOR_NAMES) lines.push(`${NONE} under ${name}: ${gaps[name]}`);
  if (misses.size > 0) lines.push("MISSED, known (not a failure):");
  for (const [reason, operations] of misses) lines.push(`  ${operations.join("; ")}: ${reason}`);
  return lines.join("\n");
}

/** The conditions every figure was measured under, printed above the table. */
export interface BenchConditions {
  hardhat: string;
  hardfork: string;
  solc: string;
  optimizerRuns: number;
  node: string;
  cpuModel: string;
  cores: number;
  /** The one-minute load average when the run started: timings stretch when other work shares the cores. */
  load: number;
  /** The fixed inputs of each part that ran, one line each ("gas: ...", "keys: ..."). */
  inputs: readonly string[];
}

export function describeConditions(conditions: BenchConditions): string {
  return [
    "Pinned conditions",
    `  chain     Hardhat ${conditions.hardhat}, in-process network, hardfork ${conditions.hardfork}; ` +
      "gas = receipt gasUsed, no access lists",
    `  compiler  solc ${conditions.solc}, optimizer ${conditions.optimizerRuns.toLocaleString("en")} runs, ` +
      `EVM ${conditions.hardfork}`,
    `  machine   Node ${conditions.node}, ${conditions.cpuModel.trim()}, ${conditions.cores} cores, ` +
      `load ${conditions.load.toFixed(2)} at the start (timings stretch under load; gas does not)`,
    ...conditions.inputs.map((line, index) => `  ${index === 0 ? "inputs   " : "         "} ${line}`),
  ].join("\n");
}

/** The gas check's tolerance over the committed snapshot. */
export const SNAPSHOT_TOLERANCE = 0.02;

/**
 * The failures of a run: every figure above its target without a known reason; with `check` (CI), also every gas
 * figure more than 2 % above the snapshot or missing from it.
 */
export function findFailures(
  rows: readonly BenchRow[],
  snapshot: Readonly<Record<string, number>>,
  { check }: { check: boolean },
): string[] {
  const failures: string[] = [];
  for (const row of rows) {
    if (statusOf(row) === "MISSED" && row.knownMiss === undefined) {
      failures.push(
        `${row.operation}: ${formatMeasured(row.measured, row.unit)} misses the target ${formatTarget(row.target, row.unit)}`,
      );
    }
    if (!check || row.snapshotKey === undefined) continue;
    const previous = snapshot[row.snapshotKey];
    if (previous === undefined) {
      failures.push(`${row.operation}: not in the snapshot (as "${row.snapshotKey}")`);
    } else if (row.measured > previous * (1 + SNAPSHOT_TOLERANCE)) {
      failures.push(
        `${row.operation}: ${formatMeasured(row.measured, row.unit)} gas is more than 2% above the snapshot's ` +
          formatMeasured(previous, row.unit),
      );
    }
  }
  return failures;
}

/** gas-snapshot.json's content: each gas row's figure under its snapshot key, in the table's order. */
export function snapshotOf(rows: readonly BenchRow[]): Record<string, number> {
  return Object.fromEntries(
    rows.filter((row) => row.snapshotKey !== undefined).map((row) => [row.snapshotKey!, row.measured]),
  );
}
