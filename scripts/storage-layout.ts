/**
 * Storage layouts of the upgradeable contracts, compared with the last release's.
 *
 * `node scripts/storage-layout.ts` (after `hardhat build`) reads every contract marked `@custom:oz-upgrades` from the
 * build's artifacts, extracts its layout (inherited variables and ERC-7201 namespaces) with OpenZeppelin's
 * upgrades-core, and checks it against `storage-layout.json`, the layouts of the last release: a field that moved,
 * changed type or vanished fails the check with OpenZeppelin's explanation; new fields at the end of a namespace pass.
 * `--write` records the current layouts as the new release's (run it when tagging a release, never to silence a
 * failure).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import upgradesCore from "@openzeppelin/upgrades-core";

const { getContractVersion, getStorageLayout, getStorageUpgradeReport, solcInputOutputDecoder, validate } =
  upgradesCore;
const withValidationDefaults = upgradesCore.withValidationDefaults;

type StorageLayout = ReturnType<typeof getStorageLayout>;

export interface Snapshot {
  release: string;
  layouts: Record<string, StorageLayout>;
}

// Run by plain `node` (type stripping, no import rewriting), so it imports nothing from lib/.
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "storage-layout.json");
const CONTRACTS_DIR = path.join(PROJECT_ROOT, "contracts");

/** Names of the contracts whose NatSpec carries `@custom:oz-upgrades` (the UUPS implementations). */
export function upgradeableContracts(dir = CONTRACTS_DIR): string[] {
  const names: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".sol")) continue;
    const source = readFileSync(path.join(dir, file), "utf8");
    for (const match of source.matchAll(/@custom:oz-upgrades\s*\n\s*contract\s+(\w+)/g)) names.push(match[1]!);
  }
  return names.sort();
}

/** Validation data per build info: validating one takes seconds, and every contract of a build shares it. */
const validations = new Map<string, ReturnType<typeof validate>>();

/** The layout of `name` from its artifact's build info. */
export function currentLayout(name: string): StorageLayout {
  const artifact = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`), "utf8"),
  ) as { buildInfoId: string; inputSourceName: string };
  let data = validations.get(artifact.buildInfoId);
  if (data === undefined) {
    const buildInfoDir = path.join(PROJECT_ROOT, "artifacts", "build-info");
    const buildInfo = JSON.parse(readFileSync(path.join(buildInfoDir, `${artifact.buildInfoId}.json`), "utf8"));
    const { output } = JSON.parse(readFileSync(path.join(buildInfoDir, `${artifact.buildInfoId}.output.json`), "utf8"));
    data = validate(output, solcInputOutputDecoder(buildInfo.input, output), buildInfo.solcVersion, buildInfo.input);
    validations.set(artifact.buildInfoId, data);
  }
  return getStorageLayout(data, getContractVersion(data, `${artifact.inputSourceName}:${name}`));
}

/** The release's layouts as recorded in storage-layout.json. */
export function releasedLayouts(): Snapshot {
  return JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as Snapshot;
}

/** Compares the current build with `snapshot`, printing one line per contract; returns how many would break. */
export function compareWithRelease(snapshot: Snapshot, log: (line: string) => void = console.log): number {
  const names = upgradeableContracts();
  let failed = 0;
  for (const name of names) {
    const original = snapshot.layouts[name];
    if (original === undefined) {
      log(`  new       ${name}: not in release ${snapshot.release}; recorded at the next release`);
      continue;
    }
    const report = getStorageUpgradeReport(original, currentLayout(name), withValidationDefaults({}));
    if (report.ok) {
      log(`  ok        ${name}: compatible with release ${snapshot.release}`);
    } else {
      failed++;
      log(`  BREAKING  ${name}: incompatible with release ${snapshot.release}\n${report.explain(false)}`);
    }
  }
  for (const name of Object.keys(snapshot.layouts)) {
    if (!names.includes(name)) {
      failed++;
      log(`  REMOVED   ${name}: released in ${snapshot.release}, no longer an upgradeable contract`);
    }
  }
  log(failed === 0 ? "Storage layouts: upgrade-safe." : `Storage layouts: ${failed} contract(s) would break.`);
  return failed;
}

function main(): number {
  if (process.argv.includes("--write")) {
    const names = upgradeableContracts();
    const release = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).version as string;
    const snapshot: Snapshot = {
      release,
      layouts: Object.fromEntries(names.map((name) => [name, currentLayout(name)])),
    };
    writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(snapshot, null, 2)}\n`);
    console.log(`Recorded the storage layouts of ${names.join(", ")} as release ${release} in storage-layout.json`);
    return 0;
  }
  return compareWithRelease(releasedLayouts()) === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
