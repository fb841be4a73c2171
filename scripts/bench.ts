/**
 * The benchmark: every gas figure next to its target and the anchors' figures (Lido, StakeWise, Rocket Pool), then the
 * tooling's timings next to their targets, in one table under the pinned conditions. Progress goes to stderr while it
 * measures; the table to stdout. docs/benchmarks.md explains the rows, the conditions and the anchors' sources.
 *
 *   npm run bench          everything; writes gas-snapshot.json; fails on a target missed without a known reason
 *   npm run bench:check    gas only (CI): also fails on a gas figure more than 2% above gas-snapshot.json or missing
 *                          from it; writes nothing
 *
 * PLURAL_BENCH_ONLY=gas|keys|keystore|beacon runs one part alone (gas writes the snapshot: `npm run bench:gas`); the
 * tooling parts then also print their stage-by-stage tables (and the keystore its context figures).
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import hre from "hardhat";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { renderTable } from "../lib/table.js";
import { ANCHOR_GAPS } from "./bench/anchors.js";
import { measureBeacon } from "./bench/beacon.js";
import { GAS_INPUTS, measureGas } from "./bench/gas.js";
import { measureKeys } from "./bench/keys.js";
import { measureKeystores } from "./bench/keystore.js";
import {
  describeConditions,
  findFailures,
  renderBenchTable,
  snapshotOf,
  type BenchRow,
  type BenchSection,
  type ToolingResult,
} from "./bench/report.js";

const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "gas-snapshot.json");
const PARTS = ["gas", "keys", "keystore", "beacon"] as const;
type Part = (typeof PARTS)[number];

const check = process.env.PLURAL_BENCH_CHECK === "1";
const only = process.env.PLURAL_BENCH_ONLY;
if (only !== undefined && !PARTS.includes(only as Part)) {
  throw new Error(`PLURAL_BENCH_ONLY must be one of ${PARTS.join(", ")}; got "${only}"`);
}
const parts: readonly Part[] = check ? ["gas"] : only !== undefined ? [only as Part] : PARTS;

const started = performance.now();
const loadAtStart = os.loadavg()[0]!;
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const progress = (stage: string) => console.error(`… ${stage} (${elapsed()})`);

const gasRows: BenchRow[] = parts.includes("gas") ? await measureGas(progress) : [];
const tooling: ToolingResult[] = [];
if (parts.includes("keys")) {
  progress("keys: validator keys with deposit data, then reading and verifying them");
  tooling.push(measureKeys());
}
if (parts.includes("keystore")) {
  progress("keystore: 5 EIP-2335 keystores each way, ours and @chainsafe/bls-keystore's");
  tooling.push(await measureKeystores({ context: only === "keystore" }));
}
if (parts.includes("beacon")) tooling.push(await measureBeacon(progress));

if (only !== undefined) {
  for (const detail of tooling.flatMap((result) => result.details)) console.log(renderTable(detail.title, detail.rows));
}

const snapshot = readSnapshot();
const sections: BenchSection[] = [];
if (gasRows.length > 0) sections.push({ title: "gas (receipt gasUsed)", rows: gasRows });
const toolingRows = tooling.flatMap((result) => result.rows);
if (toolingRows.length > 0) sections.push({ title: "tooling (wall time, this machine)", rows: toolingRows });

const compiler = hre.config.solidity.profiles.default!.compilers[0]!;
const defaultNetwork = hre.config.networks.default!;
const hardhatPackage = path.join(PROJECT_ROOT, "node_modules", "hardhat", "package.json");
console.log(
  describeConditions({
    hardhat: (JSON.parse(readFileSync(hardhatPackage, "utf8")) as { version: string }).version,
    hardfork: "hardfork" in defaultNetwork ? defaultNetwork.hardfork : "unknown",
    solc: compiler.version,
    optimizerRuns: (compiler.settings as { optimizer: { runs: number } }).optimizer.runs,
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? "unknown CPU",
    cores: os.availableParallelism(),
    load: loadAtStart,
    inputs: [...(gasRows.length > 0 ? [GAS_INPUTS] : []), ...tooling.map((result) => result.inputs)],
  }),
);
console.log(renderBenchTable("Plural benchmarks", sections, snapshot, ANCHOR_GAPS));
console.error(`Measured in ${elapsed()}.`);

const failures = findFailures([...gasRows, ...toolingRows], snapshot, { check });
if (check) {
  if (failures.length > 0) {
    console.error(
      `Gas check failed:\n  ${failures.join("\n  ")}\nRun npm run bench to update the snapshot if intended.`,
    );
    process.exitCode = 1;
  } else {
    console.log("Gas check passed: every figure within its target and within 2% of the snapshot.");
  }
} else {
  if (gasRows.length > 0) {
    writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(snapshotOf(gasRows), null, 2)}\n`);
    console.log(`Wrote ${path.relative(process.cwd(), SNAPSHOT_FILE)}.`);
  }
  if (failures.length > 0) {
    console.error(`Missed targets:\n  ${failures.join("\n  ")}`);
    process.exitCode = 1;
  }
}

function readSnapshot(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}
