/**
 * Gas benchmark, measured from receipts (gasUsed) on the pinned hardfork, without access lists, next to the targets
 * and Lido's figures: the deposit path (stake limit on, no referral); committing validator keys (a batch of 100 per
 * transaction, with real BLS keys); staking 50 validators in one transaction over 5 operators; and, for comparison,
 * one direct call to the deposit contract mock.
 *
 *   npm run bench          measure, print, and write gas-snapshot.json
 *   npm run bench:check    measure, print, and fail if a figure is above its target or more than 2% above the
 *                          committed snapshot
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { parseEthAmount } from "../lib/amounts.js";
import { computeDepositDataRoot } from "../lib/depositData.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
import { localDelaySkipper } from "../lib/governance.js";
import { generateDepositData, VALIDATOR_DEPOSIT_GWEI } from "../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { advanceRegistryRequest, type RegistryRequest } from "../lib/operators.js";
import { connectProtocol } from "../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../lib/staking.js";
import { renderTable } from "../lib/table.js";

const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "gas-snapshot.json");
const TOLERANCE = 0.02;
const CHECK = process.env.PLURAL_BENCH_CHECK === "1";

interface Measure {
  name: string;
  /** No target: a reference figure, printed only. */
  target?: number;
  lido: string;
  gas: number;
}

const KEYS_PER_BATCH = 100;
const OPERATORS = 5;
const VALIDATORS_PER_STAKE = 50;
/** Fixed mnemonics, so the benchmark's calldata (and so its gas) is the same on every run. */
const BENCH_MNEMONICS = Array.from({ length: OPERATORS + 1 }, (_, i) =>
  entropyToMnemonic(new Uint8Array(32).fill(i + 1), wordlist),
);

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

// --- Keys and staking: 5 operators, 100 real keys each committed in one batch, then one stake of 50 validators.
const signers = await ethers.getSigners();
const governance = signers[1]!;
const skipDelay = localDelaySkipper(connection.provider, "default", true);
const govern = (request: RegistryRequest) =>
  advanceRegistryRequest(protocol.timelock, protocol.operatorRegistry, governance, request, skipDelay);
const vault = protocol.addresses.withdrawalVault;
const keyGas: number[] = [];
for (let operatorId = 0; operatorId < OPERATORS; operatorId++) {
  const manager = signers[8 + operatorId]!;
  await govern({ kind: "add", name: `bench ${operatorId}`, manager: manager.address, rewardAddress: manager.address });
  const { deposits } = generateDepositData({
    mnemonic: BENCH_MNEMONICS[operatorId]!,
    count: KEYS_PER_BATCH,
    withdrawal: { kind: "execution", address: vault },
    network: BEACON_NETWORKS.local,
  });
  const receipt = await submitKeys(protocol, manager, operatorId, deposits, {
    network: BEACON_NETWORKS.local,
    batchSize: KEYS_PER_BATCH,
  });
  keyGas.push(Number(receipt.batches[0]!.gasUsed));
  await govern({ kind: "vet", operatorId, vettedKeys: BigInt(KEYS_PER_BATCH) });
}
await protocol.pool
  .connect(signers[16]!)
  .deposit(ZeroAddress, { value: parseEthAmount(String(32 * VALIDATORS_PER_STAKE)) });
const report = await guardianCheck(protocol, BEACON_NETWORKS.local);
const attestation = mergeAttestations([
  await signAttestation(protocol, signers[17]!, report),
  await signAttestation(protocol, signers[18]!, report),
]);
const plan = await planStake(protocol, VALIDATORS_PER_STAKE);
if (plan.count !== VALIDATORS_PER_STAKE) throw new Error(`only ${plan.count} validators could be allocated`);
const staked = await stake(protocol, signers[0]!, plan, attestation);

// The same kind of deposit straight to the mock from an account, as a floor for what staking through the pool costs.
const { deposits: direct } = generateDepositData({
  mnemonic: BENCH_MNEMONICS[OPERATORS]!,
  count: 1,
  withdrawal: { kind: "execution", address: vault },
  network: BEACON_NETWORKS.local,
});
const single = direct[0]!;
const directGas = await gasOf(
  protocol.depositContract
    .connect(signers[4]!)
    .deposit(
      `0x${single.pubkey}`,
      `0x${single.withdrawal_credentials}`,
      `0x${single.signature}`,
      computeDepositDataRoot(
        `0x${single.pubkey}`,
        `0x${single.withdrawal_credentials}`,
        VALIDATOR_DEPOSIT_GWEI,
        `0x${single.signature}`,
      ),
      { value: parseEthAmount("32") },
    ),
);

measures.push(
  {
    name: `add keys, per key in a batch of ${KEYS_PER_BATCH}`,
    target: 10_000,
    lido: "~110,000 (keys stored)",
    gas: Math.round(keyGas.reduce((sum, gas) => sum + gas, 0) / keyGas.length / KEYS_PER_BATCH),
  },
  {
    name: `stake, per validator in a batch of ${VALIDATORS_PER_STAKE} (${OPERATORS} operators)`,
    target: 45_000,
    lido: "112,176 (depositor budget)",
    gas: Math.round(Number(staked.gasUsed) / VALIDATORS_PER_STAKE),
  },
  { name: "one direct deposit to the deposit contract mock", lido: "n/a", gas: directGas },
);

const snapshot = readSnapshot();
const failures: string[] = [];
const rows = measures.map((measure) => {
  const previous = snapshot[measure.name];
  const change = previous === undefined ? "new" : `${(((measure.gas - previous) / previous) * 100).toFixed(2)}%`;
  if (measure.target !== undefined && measure.gas > measure.target)
    failures.push(`${measure.name}: ${measure.gas} gas is above the target ${measure.target}`);
  if (CHECK && previous !== undefined && measure.gas > previous * (1 + TOLERANCE)) {
    failures.push(`${measure.name}: ${measure.gas} gas is more than 2% above the snapshot's ${previous}`);
  }
  if (CHECK && previous === undefined) failures.push(`${measure.name}: not in ${path.basename(SNAPSHOT_FILE)}`);
  return [
    measure.name,
    `${measure.gas.toLocaleString("en")} gas (${measure.target === undefined ? "reference" : `target <= ${measure.target.toLocaleString("en")}`}, Lido ${measure.lido}, snapshot ${change})`,
  ] as const;
});
console.log(renderTable("Gas (receipt gasUsed, prague; deposits with the stake limit on and no referral)", rows));

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
