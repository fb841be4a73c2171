/**
 * Gas benchmark of the deposit path, measured from receipts (gasUsed) on the pinned hardfork, without access lists,
 * with the stake limit on and no referral, next to the targets and Lido's `submit`.
 *
 *   npm run bench          measure, print, and write gas-snapshot.json
 *   npm run bench:check    measure, print, and fail if a figure is above its target or more than 2% above the
 *                          committed snapshot
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { parseEthAmount } from "../lib/amounts.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
import { connectProtocol } from "../lib/protocol.js";
import { renderTable } from "../lib/table.js";

const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "gas-snapshot.json");
const TOLERANCE = 0.02;
const CHECK = process.env.PLURAL_BENCH_CHECK === "1";

interface Measure {
  name: string;
  target: number;
  lido: string;
  gas: number;
}

const connection = await network.create();
const { ethers } = connection;
const protocol = await connectProtocol(ethers, await deployLocalProtocol(connection));
const [, , earlyUser, holder] = await ethers.getSigners();
if (earlyUser === undefined || holder === undefined) throw new Error("the benchmark needs 4 accounts");
const limit = await protocol.pool.getStakeLimit();
if (!limit.enabled) throw new Error("the benchmark expects the stake limit on (deploy/parameters/local.json)");

async function gasOf(send: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await send).wait();
  if (receipt === null) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

// The pool is in use: another account has deposited, so no slot the measured deposits touch is fresh.
await protocol.pool.connect(earlyUser).deposit(ZeroAddress, { value: parseEthAmount("10") });

const measures: Measure[] = [
  {
    name: "deposit, new holder",
    target: 70_000,
    lido: "90,180",
    gas: await gasOf(protocol.pool.connect(holder).deposit(ZeroAddress, { value: parseEthAmount("1") })),
  },
  {
    name: "deposit, existing holder",
    target: 52_000,
    lido: "73,080",
    gas: await gasOf(protocol.pool.connect(holder).deposit(ZeroAddress, { value: parseEthAmount("1") })),
  },
  {
    name: "plain transfer to the pool (receive), existing holder",
    target: 52_000,
    lido: "n/a",
    gas: await gasOf(holder.sendTransaction({ to: protocol.addresses.pool, value: parseEthAmount("1") })),
  },
];

const snapshot = readSnapshot();
const failures: string[] = [];
const rows = measures.map((measure) => {
  const previous = snapshot[measure.name];
  const change = previous === undefined ? "new" : `${(((measure.gas - previous) / previous) * 100).toFixed(2)}%`;
  if (measure.gas > measure.target)
    failures.push(`${measure.name}: ${measure.gas} gas is above the target ${measure.target}`);
  if (CHECK && previous !== undefined && measure.gas > previous * (1 + TOLERANCE)) {
    failures.push(`${measure.name}: ${measure.gas} gas is more than 2% above the snapshot's ${previous}`);
  }
  if (CHECK && previous === undefined) failures.push(`${measure.name}: not in ${path.basename(SNAPSHOT_FILE)}`);
  return [
    measure.name,
    `${measure.gas.toLocaleString("en")} gas (target <= ${measure.target.toLocaleString("en")}, Lido ${measure.lido}, snapshot ${change})`,
  ] as const;
});
console.log(renderTable("Gas per call (receipt gasUsed, prague, stake limit on, no referral)", rows));

if (CHECK) {
  if (failures.length > 0) {
    console.error(
      `Gas check failed:\n  ${failures.join("\n  ")}\nRun npm run bench to update the snapshot if intended.`,
    );
    process.exitCode = 1;
  } else {
    console.log("Gas check passed: every figure within its target and within 2% of the snapshot.");
  }
} else {
  writeFileSync(
    SNAPSHOT_FILE,
    `${JSON.stringify(Object.fromEntries(measures.map((m) => [m.name, m.gas])), null, 2)}\n`,
  );
  console.log(`Wrote ${path.relative(process.cwd(), SNAPSHOT_FILE)}.`);
  if (failures.length > 0) {
    console.error(`Above target:\n  ${failures.join("\n  ")}`);
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
