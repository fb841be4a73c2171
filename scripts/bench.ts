/**
 * Gas benchmark, measured from receipts (gasUsed) on the pinned hardfork, without access lists, next to the targets
 * and Lido's figures: the deposit path (stake limit on, no referral); committing validator keys (a batch of 100 per
 * transaction, with real BLS keys); staking 50 validators in one transaction over 5 operators; for comparison, one
 * direct call to the deposit contract mock; oracle reports (a member's vote, and the vote that reaches the quorum
 * and applies the report with both vaults swept and fees minted) with 1 and with 200 operators; withdrawals (a request,
 * a claim, and what finalizing 1, 10 and 1,000 requests adds to a report).
 *
 *   npm run bench          measure, print, and write gas-snapshot.json
 *   npm run bench:check    measure, print, and fail if a figure is above its target or more than 2% above the
 *                          committed snapshot
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { MaxUint256, ZeroAddress, ZeroHash } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { parseEthAmount } from "../lib/amounts.js";
import { computeDepositDataRoot } from "../lib/depositData.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { deploymentPlan, PROJECT_ROOT } from "../lib/deployment.js";
import { localDelaySkipper } from "../lib/governance.js";
import { generateDepositData, VALIDATOR_DEPOSIT_GWEI } from "../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import {
  installWithdrawalRequestPredeploy,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
} from "../lib/eip7002.js";
import { advanceRegistryRequest, committedKeys, readCommittedBatches, type RegistryRequest } from "../lib/operators.js";
import { paginateExitData } from "../lib/oracle/exits.js";
import { nextReportableFrame, readFrame } from "../lib/oracle/frames.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../lib/staking.js";
import { renderTable } from "../lib/table.js";

const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "gas-snapshot.json");
const TOLERANCE = 0.02;
const CHECK = process.env.PLURAL_BENCH_CHECK === "1";

interface Measure {
  name: string;
  /** No target: a reference figure, printed only. */
  target?: number;
  /**
   * The target is not met yet, for the reason given: printed as MISSED, and the check still holds the figure to the
   * snapshot (no regression) without failing on the target itself.
   */
  knownMiss?: string;
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
const vault = protocol.addresses.withdrawalVault;

/** Proposes a registry change through the timelock and, the chain being local, executes it at once. */
function governor(where: NetworkConnection, deployed: Protocol, governance: HardhatEthersSigner) {
  const skipDelay = localDelaySkipper(where.provider, "default", true);
  return (request: RegistryRequest) =>
    advanceRegistryRequest(deployed.timelock, deployed.operatorRegistry, governance, request, skipDelay);
}

/**
 * Governance adds `operators` operators, each committing `keys` real keys in one batch, all vetted; a depositor funds
 * `validators` validators and one stake, attested by two guardians, deposits them all. Returns each batch's gas and
 * the stake's.
 */
async function stakeThroughOperators(
  where: NetworkConnection,
  deployed: Protocol,
  { operators, keys, validators }: { operators: number; keys: number; validators: number },
): Promise<{ batchGas: number[]; stakeGas: bigint }> {
  const accounts = await where.ethers.getSigners();
  const govern = governor(where, deployed, accounts[1]!);
  const batchGas: number[] = [];
  for (let operatorId = 0; operatorId < operators; operatorId++) {
    const manager = accounts[8 + operatorId]!;
    await govern({
      kind: "add",
      name: `bench ${operatorId}`,
      manager: manager.address,
      rewardAddress: manager.address,
    });
    const { deposits } = generateDepositData({
      mnemonic: BENCH_MNEMONICS[operatorId]!,
      count: keys,
      withdrawal: { kind: "execution", address: deployed.addresses.withdrawalVault },
      network: BEACON_NETWORKS.local,
    });
    const receipt = await submitKeys(deployed, manager, operatorId, deposits, {
      network: BEACON_NETWORKS.local,
      batchSize: KEYS_PER_BATCH,
    });
    batchGas.push(Number(receipt.batches[0]!.gasUsed));
    await govern({ kind: "vet", operatorId, vettedKeys: BigInt(keys) });
  }
  await deployed.pool.connect(accounts[16]!).deposit(ZeroAddress, { value: parseEthAmount(String(32 * validators)) });
  const report = await guardianCheck(deployed, BEACON_NETWORKS.local);
  const attestation = mergeAttestations([
    await signAttestation(deployed, accounts[17]!, report),
    await signAttestation(deployed, accounts[18]!, report),
  ]);
  const plan = await planStake(deployed, validators);
  if (plan.count !== validators) throw new Error(`only ${plan.count} validators could be allocated`);
  return { batchGas, stakeGas: (await stake(deployed, accounts[0]!, plan, attestation)).gasUsed };
}

const staking = await stakeThroughOperators(connection, protocol, {
  operators: OPERATORS,
  keys: KEYS_PER_BATCH,
  validators: VALIDATORS_PER_STAKE,
});

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
    gas: Math.round(staking.batchGas.reduce((sum, gas) => sum + gas, 0) / staking.batchGas.length / KEYS_PER_BATCH),
  },
  {
    name: `stake, per validator in a batch of ${VALIDATORS_PER_STAKE} (${OPERATORS} operators)`,
    target: 45_000,
    lido: "112,176 (depositor budget)",
    gas: Math.round(Number(staking.stakeGas) / VALIDATORS_PER_STAKE),
  },
  { name: "one direct deposit to the deposit contract mock", lido: "n/a", gas: directGas },
);

// --- Oracle reports. Steady state: the second report of each chain is measured, once every slot it writes exists.
/** Moves the chain into the next frame's reporting window; two members report rewards and vault balances. */
async function reportFrame(
  where: NetworkConnection,
  deployed: Protocol,
  rewards: bigint,
  finalizeUpTo = 0n,
  exitDataHash = ZeroHash,
): Promise<{ vote: number; apply: number }> {
  const next = nextReportableFrame(await readFrame(deployed.accountingOracle));
  if (next.reportableTime > BigInt(await where.networkHelpers.time.latest())) {
    await where.networkHelpers.time.increaseTo(next.reportableTime);
  }
  const members = await where.ethers.getSigners();
  const accounting = await deployed.pool.getAccounting();
  // A skim to the withdrawal vault and block rewards to the execution-rewards vault, both swept by the report.
  const skim = rewards / 2n;
  const vaultBalance = (await where.ethers.provider.getBalance(deployed.addresses.withdrawalVault)) + skim;
  await where.networkHelpers.setBalance(deployed.addresses.withdrawalVault, vaultBalance);
  const elBalance = (await where.ethers.provider.getBalance(deployed.addresses.executionRewardsVault)) + rewards / 10n;
  await where.networkHelpers.setBalance(deployed.addresses.executionRewardsVault, elBalance);
  const report = {
    refSlot: next.refSlot,
    beaconValidators: accounting.depositedValidators,
    beaconBalance:
      accounting.beaconBalance +
      (accounting.depositedValidators - accounting.beaconValidators) * parseEthAmount("32") +
      rewards -
      skim,
    exitedValidators: accounting.exitedValidators,
    withdrawalVaultBalance: vaultBalance,
    elRewardsVaultBalance: elBalance,
    lastFinalizableRequestId: finalizeUpTo,
    bunkerMode: false,
    exitDataHash,
  };
  return {
    vote: await gasOf(deployed.accountingOracle.connect(members[10]!).submitReport(report)),
    apply: await gasOf(deployed.accountingOracle.connect(members[11]!).submitReport(report)),
  };
}

// The first report covers only the moments since deployment: no rewards fit under the cap.
await reportFrame(connection, protocol, 0n);
const fiveOperators = await reportFrame(connection, protocol, parseEthAmount("0.1"));

// A second chain with one operator and one validator, then 199 more operators.
// One operator can only take every validator with a share cap of 100 %: the local parameters, with that cap.
const soloParameters = path.join(mkdtempSync(path.join(tmpdir(), "plural-bench-")), "solo.json");
const localParameters = JSON.parse(readFileSync(deploymentPlan("hardhat").parametersFile, "utf8")) as {
  PluralLocal: Record<string, unknown>;
};
localParameters.PluralLocal.shareCapBps = "10000n";
writeFileSync(soloParameters, JSON.stringify(localParameters));
const small = await network.create();
const smallProtocol = await connectProtocol(
  small.ethers,
  await deployLocalProtocol(small, { parametersFile: soloParameters }),
);
await stakeThroughOperators(small, smallProtocol, { operators: 1, keys: 1, validators: 1 });
await reportFrame(small, smallProtocol, 0n);
const oneOperator = await reportFrame(small, smallProtocol, parseEthAmount("0.002"));
const smallSigners = await small.ethers.getSigners();
const smallGovern = governor(small, smallProtocol, smallSigners[1]!);
// Operators without keys: the report's cost must not depend on them.
const extraManager = smallSigners[8]!.address;
for (let i = 1; i < 200; i++) {
  await smallGovern({ kind: "add", name: `operator ${i}`, manager: extraManager, rewardAddress: extraManager });
}
const twoHundredOperators = await reportFrame(small, smallProtocol, parseEthAmount("0.002"));

measures.push(
  {
    name: "oracle: a member's vote (submitReport, no quorum yet)",
    target: 60_000,
    lido: "~80,000 (HashConsensus.submitReport)",
    gas: fiveOperators.vote,
  },
  {
    name: "oracle: the quorum vote applying the report (5 operators, both vaults swept, fees minted)",
    target: 250_000,
    lido: "~600,000 (submitReportData, 1 module)",
    gas: fiveOperators.apply,
  },
  {
    name: "oracle: the quorum vote applying the report, 1 operator",
    target: 250_000,
    lido: "n/a",
    gas: oneOperator.apply,
  },
  {
    name: "oracle: the quorum vote applying the report, 200 operators",
    target: Math.floor(oneOperator.apply * 1.05),
    lido: "n/a",
    gas: twoHundredOperators.apply,
  },
);

// --- Withdrawals, on the five-operator chain. Steady state: the requester already holds a request NFT and has
// approved the queue once; finalization is measured as the extra gas of a report that finalizes N requests over the
// same report finalizing none (both sweep the vaults and mint fees).
const queue = protocol.withdrawalQueue;
const requester = (await ethers.getSigners())[15]!;
await (await protocol.pool.connect(requester).deposit(ZeroAddress, { value: parseEthAmount("100") })).wait();
await (await protocol.pool.connect(requester).approve(await queue.getAddress(), MaxUint256)).wait();
const requestShares = await protocol.pool.convertToShares(parseEthAmount("0.05"));
async function requestMany(count: number): Promise<bigint> {
  for (let made = 0; made < count; made += 100) {
    const batch = Array.from({ length: Math.min(100, count - made) }, () => requestShares);
    await (await queue.connect(requester).requestWithdrawals(batch, requester.address)).wait();
  }
  return (await queue.getQueueState()).lastRequestId;
}
await requestMany(1);
const requestGas = await gasOf(queue.connect(requester).requestWithdrawals([requestShares], requester.address));
// Warm up: the first finalization writes the queue's first checkpoint and locked-ether slot.
await reportFrame(connection, protocol, parseEthAmount("0.1"), (await queue.getQueueState()).lastRequestId);
const finalization: Record<number, number> = {};
for (const count of [1, 10, 1000]) {
  const last = await requestMany(count);
  const withRequests = await reportFrame(connection, protocol, parseEthAmount("0.1"), last);
  if ((await queue.getQueueState()).lastFinalizedId !== last) throw new Error(`the report did not finalize ${count}`);
  const without = await reportFrame(connection, protocol, parseEthAmount("0.1"), last);
  finalization[count] = withRequests.apply - without.apply;
}
const claimId = (await queue.getQueueState()).lastFinalizedId;
const [claimHint] = await queue.findCheckpointHints([claimId], 1n, (await queue.getQueueState()).lastCheckpointIndex);
const claimGas = await gasOf(queue.connect(requester).claimWithdrawal(claimId, claimHint!, requester.address));

// --- Exits, on the five-operator chain: one page of exit data naming every operator with a new exited count and one
// exit request each (keys 0 exited, keys 1 asked to exit), submitted after the report that names its hash; then a
// forced exit of one validator through the withdrawal vault and the EIP-7002 contract (our implementation on this
// chain), called as the timelock.
const committed = committedKeys(
  await readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock),
);
const exitUpdates = Array.from({ length: OPERATORS }, (_, operatorId) => ({
  operatorId: BigInt(operatorId),
  exitedKeys: 1n,
  keyIndices: [1n],
  pubkeys: committed.find((key) => key.operatorId === operatorId && key.index === 1)!.pubkey,
}));
const exitData = paginateExitData(exitUpdates);
await reportFrame(
  connection,
  protocol,
  parseEthAmount("0.1"),
  (await queue.getQueueState()).lastFinalizedId,
  exitData.hash,
);
const exitPageGas = await gasOf(protocol.accountingOracle.connect(requester).submitExitData(exitData.pages[0]!));
await installWithdrawalRequestPredeploy(connection.provider);
// The end-of-block system call every block of a real chain makes: it lifts the fee's deployment inhibitor.
await connection.networkHelpers.impersonateAccount(SYSTEM_ADDRESS);
await connection.networkHelpers.setBalance(SYSTEM_ADDRESS, parseEthAmount("1"));
await (
  await (
    await ethers.getSigner(SYSTEM_ADDRESS)
  ).sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: "0x" })
).wait();
await connection.networkHelpers.impersonateAccount(protocol.addresses.timelock);
await connection.networkHelpers.setBalance(protocol.addresses.timelock, parseEthAmount("1"));
const timelockSigner = await ethers.getSigner(protocol.addresses.timelock);
const forcedKey = committed.find((key) => key.operatorId === 0 && key.index === 2)!.pubkey;
const forceExitGas = await gasOf(
  protocol.withdrawalVault.connect(timelockSigner).forceExits(forcedKey, 1n, { value: 1n }),
);

measures.push(
  {
    name: "withdrawal request, one, steady state (requester already holds a request NFT)",
    target: 110_000,
    lido: "176,669",
    gas: requestGas,
    knownMiss:
      "two new slots (request totals 22,100, NFT owner 20,000 after the mint's read), two UUPS proxies (9,400), the " +
      "plETH transfer and the rate read (~19,000) leave no room under 110,000 with OpenZeppelin's ERC-721 storage",
  },
  {
    name: "withdrawal claim, one (existing receiver, request NFT burned)",
    target: 65_000,
    lido: "94,389",
    gas: claimGas,
  },
  {
    name: `oracle exit data: one page, ${OPERATORS} operators each with an exited count and an exit request`,
    lido: "n/a",
    gas: exitPageGas,
  },
  {
    name: "forced exit: one EIP-7002 request through the withdrawal vault (fee 1 wei, sent with the call)",
    lido: "n/a",
    gas: forceExitGas,
  },
  ...[1, 10, 1000].map((count) => ({
    name: `report: gas finalization adds, ${count} request${count === 1 ? "" : "s"}`,
    target: count === 1 ? 60_000 : Math.min(60_000, Math.floor(finalization[1]! * 1.02)),
    lido: "n/a",
    gas: finalization[count]!,
  })),
);

const snapshot = readSnapshot();
const failures: string[] = [];
const knownMisses: string[] = [];
const rows = measures.map((measure) => {
  const previous = snapshot[measure.name];
  const change = previous === undefined ? "new" : `${(((measure.gas - previous) / previous) * 100).toFixed(2)}%`;
  const missed = measure.target !== undefined && measure.gas > measure.target;
  if (missed && measure.knownMiss === undefined)
    failures.push(`${measure.name}: ${measure.gas} gas is above the target ${measure.target}`);
  if (missed && measure.knownMiss !== undefined) knownMisses.push(`${measure.name}: ${measure.knownMiss}`);
  if (CHECK && previous !== undefined && measure.gas > previous * (1 + TOLERANCE)) {
    failures.push(`${measure.name}: ${measure.gas} gas is more than 2% above the snapshot's ${previous}`);
  }
  if (CHECK && previous === undefined) failures.push(`${measure.name}: not in ${path.basename(SNAPSHOT_FILE)}`);
  return [
    measure.name,
    `${missed ? "MISSED " : ""}${measure.gas.toLocaleString("en")} gas (${measure.target === undefined ? "reference" : `target <= ${measure.target.toLocaleString("en")}`}, Lido ${measure.lido}, snapshot ${change})`,
  ] as const;
});
console.log(renderTable("Gas (receipt gasUsed, prague; deposits with the stake limit on and no referral)", rows));
if (knownMisses.length > 0) console.log(`MISSED targets (known, not yet met):\n  ${knownMisses.join("\n  ")}`);

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
