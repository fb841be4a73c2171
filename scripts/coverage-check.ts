/**
 * Coverage gate: reads the lcov report `hardhat test --coverage` writes and fails when the protocol's contracts are
 * below the floor.
 *
 *   node scripts/coverage-check.ts [--run] [--min 95] [--lcov coverage/lcov.info]
 *
 * With --run it first runs `hardhat test solidity --coverage` itself and also gates statements, which Hardhat reports
 * only in the table it prints (each gated file at or above the floor, so the total is too). The Solidity suite is the
 * one that exercises every contract path (units, fuzzing, invariants); the TypeScript suite's end-to-end tests drive
 * child processes whose calls no coverage run can see, and running it again instrumented would only cost minutes.
 *
 * Counts files under contracts/, except contracts/mocks/ and test files (*.t.sol). Exits 1, naming the files below
 * the floor, when the total of any gated metric is below it.
 *
 * What Hardhat 3.17 writes (coverage/lcov.info, paths relative to the project root): per file `SF:`, one `DA:<line>,
 * <0|1>` per instrumented line, then `LH:`/`LF:` and `end_of_record`. No function records (FN/FNDA/FNF/FNH), no
 * branch records (BRDA/BRF/BRH) — EDR reports no branches, so a branch floor cannot be enforced — and no statement
 * records (lcov has no such record type; Hardhat prints statement % only in its console table). So in practice this
 * gates lines. Function and branch totals are gated too if a later Hardhat writes them.
 *
 * Runs directly on Node 24 (native type stripping): erasable TypeScript only, and no imports of other .ts files.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Hit/found counts of one metric. */
export interface Counts {
  found: number;
  hit: number;
}

/** One `SF:` record of an lcov file. `functions`/`branches` are null when the record has none of them. */
export interface FileCoverage {
  path: string;
  lines: Counts;
  functions: Counts | null;
  branches: Counts | null;
}

export type Metric = "lines" | "functions" | "branches";

export interface CoverageCheck {
  min: number;
  /** The gated files, sorted by path. */
  files: FileCoverage[];
  /** Metrics with records in the gated files; always includes lines. */
  metrics: Metric[];
  totals: Record<Metric, Counts>;
  /** Metrics whose total is below the floor. */
  failedMetrics: Metric[];
  /** Gated files with a gated metric below the floor, sorted by path. */
  filesBelowFloor: string[];
  passed: boolean;
}

export const DEFAULT_MIN = 95;
const DEFAULT_LCOV = "coverage/lcov.info";

/** Parses lcov text into one entry per source file. LF/LH win over counting DA lines when both are present. */
export function parseLcov(lcov: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: { path: string; daFound: number; daHit: number; fields: Map<string, number> } | null = null;

  for (const rawLine of lcov.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (line.startsWith("SF:")) {
      current = { path: normalizePath(line.slice(3)), daFound: 0, daHit: 0, fields: new Map() };
      continue;
    }
    if (current === null) continue; // TN: and anything else outside a record
    if (line === "end_of_record") {
      const { fields } = current;
      const optional = (foundKey: string, hitKey: string): Counts | null =>
        fields.has(foundKey) ? { found: fields.get(foundKey) ?? 0, hit: fields.get(hitKey) ?? 0 } : null;
      files.push({
        path: current.path,
        lines: { found: fields.get("LF") ?? current.daFound, hit: fields.get("LH") ?? current.daHit },
        functions: optional("FNF", "FNH"),
        branches: optional("BRF", "BRH"),
      });
      current = null;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (key === "DA") {
      // DA:<line>,<execution count>[,<checksum>]
      const count = Number(value.split(",")[1]);
      current.daFound += 1;
      if (count > 0) current.daHit += 1;
    } else if (["LF", "LH", "FNF", "FNH", "BRF", "BRH"].includes(key)) {
      current.fields.set(key, Number(value));
    }
  }
  return files;
}

/** Whether a file counts towards the gate: protocol contracts, not mocks, not Solidity tests. */
export function isGatedFile(filePath: string): boolean {
  return filePath.startsWith("contracts/") && !filePath.startsWith("contracts/mocks/") && !filePath.endsWith(".t.sol");
}

/** Whether `counts` is below `min` percent. Nothing to cover counts as covered. */
export function isBelow(counts: Counts, min: number): boolean {
  // Cross-multiplied rather than comparing percentages: 57/100 * 100 is 56.99999999999999 in floating point.
  return counts.hit * 100 < min * counts.found;
}

export function percent(counts: Counts): string {
  return counts.found === 0 ? "100.00" : ((counts.hit / counts.found) * 100).toFixed(2);
}

/** Parses `lcov` and checks the gated files against `min` percent (per metric, on totals). */
export function checkCoverage(lcov: string, min: number = DEFAULT_MIN): CoverageCheck {
  const files = parseLcov(lcov)
    .filter((file) => isGatedFile(file.path))
    .sort((a, b) => a.path.localeCompare(b.path));

  const metrics: Metric[] = ["lines"];
  if (files.some((file) => file.functions !== null)) metrics.push("functions");
  if (files.some((file) => file.branches !== null)) metrics.push("branches");

  const totals: Record<Metric, Counts> = {
    lines: { found: 0, hit: 0 },
    functions: { found: 0, hit: 0 },
    branches: { found: 0, hit: 0 },
  };
  for (const file of files) {
    for (const metric of metrics) {
      const counts = file[metric];
      if (counts === null) continue;
      totals[metric].found += counts.found;
      totals[metric].hit += counts.hit;
    }
  }

  const failedMetrics = metrics.filter((metric) => isBelow(totals[metric], min));
  const filesBelowFloor = files
    .filter((file) =>
      metrics.some((metric) => {
        const counts = file[metric];
        return counts !== null && isBelow(counts, min);
      }),
    )
    .map((file) => file.path);

  // An empty report passes nothing: it means coverage did not run or the filter matched no file.
  const passed = files.length > 0 && totals.lines.found > 0 && failedMetrics.length === 0;
  return { min, files, metrics, totals, failedMetrics, filesBelowFloor, passed };
}

/** Statement coverage of one file, as a percentage: Hardhat prints it in its console table but not in the lcov. */
export interface StatementCoverage {
  path: string;
  percent: number;
}

/**
 * Reads the per-file statement percentages from the coverage table `hardhat test --coverage` prints
 * (`║ contracts/X.sol │ <line %> │ <statement %> │ <uncovered lines> ║`), keeping the gated files only.
 */
export function parseStatementTable(output: string): StatementCoverage[] {
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const rows: StatementCoverage[] = [];
  for (const line of plain.split(/\r?\n/)) {
    const cells = line
      .replace(/^\s*║/, "")
      .replace(/║\s*$/, "")
      .split("│")
      .map((cell) => cell.trim());
    const [file, linePercent, statementPercent] = cells;
    if (file === undefined || statementPercent === undefined || !isGatedFile(file)) continue;
    if (!/^\d+(\.\d+)?$/.test(linePercent ?? "") || !/^\d+(\.\d+)?$/.test(statementPercent)) continue;
    rows.push({ path: file, percent: Number(statementPercent) });
  }
  return rows.sort((a, b) => a.path.localeCompare(b.path));
}

/** Files whose statement coverage is below `min` percent. Gating each file keeps the total above `min` too. */
export function statementsBelow(rows: StatementCoverage[], min: number): string[] {
  return rows.filter((row) => row.percent < min).map((row) => row.path);
}

/** The per-file table and the verdict, as printed by the CLI. */
export function formatReport(check: CoverageCheck): string {
  const header = ["File", ...check.metrics.flatMap((metric) => [`${metric} hit/found`, `${metric} %`]), ""];
  const row = (name: string, counts: (Counts | null)[], mark: string): string[] => [
    name,
    ...counts.flatMap((c) => (c === null ? ["-", "-"] : [`${c.hit}/${c.found}`, percent(c)])),
    mark,
  ];
  const rows = check.files.map((file) =>
    row(
      file.path,
      check.metrics.map((metric) => file[metric]),
      check.filesBelowFloor.includes(file.path) ? `below ${check.min}%` : "",
    ),
  );
  const totalRow = row(
    "Total",
    check.metrics.map((metric) => check.totals[metric]),
    check.failedMetrics.length > 0 ? `below ${check.min}%` : "",
  );

  const table = [header, ...rows, totalRow];
  const widths = header.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? "").length)));
  const render = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, width) => sum + width + 2, -2));

  const out = [render(header), rule, ...rows.map(render), rule, render(totalRow), ""];
  if (!check.metrics.includes("branches")) {
    out.push("No branch records in the lcov report: branch coverage is not gated.");
  }
  if (check.files.length === 0 || check.totals.lines.found === 0) {
    out.push(
      "FAIL: no instrumented lines under contracts/ (mocks and tests excluded). Did `hardhat test --coverage` run?",
    );
  } else if (check.passed) {
    out.push(`OK: ${check.metrics.map((m) => `${m} ${percent(check.totals[m])}%`).join(", ")} (floor ${check.min}%).`);
  } else {
    const failed = check.failedMetrics.map((m) => `${m} ${percent(check.totals[m])}%`).join(", ");
    out.push(`FAIL: total ${failed} is below the ${check.min}% floor.`);
    out.push(`Files below ${check.min}%: ${check.filesBelowFloor.join(", ")}`);
  }
  return out.join("\n");
}

function normalizePath(filePath: string): string {
  const relative = path.isAbsolute(filePath) ? path.relative(process.cwd(), filePath) : filePath;
  return relative.split(path.sep).join("/").replace(/^\.\//, "");
}

function parseMin(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MIN;
  const min = Number(value);
  if (value.trim() === "" || !Number.isFinite(min) || min < 0 || min > 100) {
    throw new Error(`--min expects a percentage between 0 and 100, got "${value}"`);
  }
  return min;
}

/** CLI entry point; returns the exit code. */
export function main(argv: string[]): number {
  let min: number;
  let lcovPath: string;
  let run: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { min: { type: "string" }, lcov: { type: "string" }, run: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    min = parseMin(values.min);
    lcovPath = values.lcov ?? DEFAULT_LCOV;
    run = values.run ?? false;
  } catch (error) {
    console.error(`coverage-check: ${(error as Error).message}`);
    console.error("Usage: node scripts/coverage-check.ts [--run] [--min 95] [--lcov coverage/lcov.info]");
    return 2;
  }

  // With --run, the tests run here so that their console table (the only place Hardhat reports statements) can be
  // read as well as the lcov file.
  let statements: StatementCoverage[] | undefined;
  if (run) {
    const hardhat = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "hardhat", "dist");
    const result = spawnSync(
      process.execPath,
      [path.join(hardhat, "src", "cli.js"), "test", "solidity", "--coverage", "--build-profile", "coverage"],
      {
        stdio: ["inherit", "pipe", "inherit"],
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        // Coverage counts lines reached, which an eighth of the campaigns reach as well: the full fuzz and invariant
        // campaigns run uninstrumented in `npm test`, at a fraction of the cost.
        env: { ...process.env, PLURAL_FUZZ_RUNS: "32", PLURAL_INVARIANT_RUNS: "8" },
      },
    );
    process.stdout.write(result.stdout ?? "");
    if (result.status !== 0) {
      console.error(`coverage-check: the tests failed (exit code ${result.status ?? result.signal}).`);
      return 1;
    }
    statements = parseStatementTable(result.stdout ?? "");
  }

  let lcov: string;
  try {
    lcov = readFileSync(lcovPath, "utf8");
  } catch {
    console.error(`coverage-check: cannot read ${lcovPath}. Run \`npx hardhat test --coverage\` first.`);
    return 1;
  }

  const check = checkCoverage(lcov, min);
  console.log(formatReport(check));
  if (statements === undefined) return check.passed ? 0 : 1;

  if (statements.length === 0) {
    console.error("FAIL: no statement coverage found in Hardhat's coverage table.");
    return 1;
  }
  const below = statementsBelow(statements, min);
  const summary = statements.map((row) => `${row.path} ${row.percent.toFixed(2)}%`).join(", ");
  if (below.length > 0) {
    console.error(`FAIL: statements below ${min}% in ${below.join(", ")} (${summary}).`);
    return 1;
  }
  console.log(`OK: statements at or above ${min}% in every gated file (${summary}).`);
  return check.passed ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
