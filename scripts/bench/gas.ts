/**
 * Gas, measured from receipts (gasUsed) on the pinned hardfork, without access lists: the deposit path (stake limit
 * on, no referral); committing validator keys (a batch of 100 per transaction, with real BLS keys); staking 50
 * validators in one transaction over 5 operators; for comparison, one direct call to the deposit contract mock; oracle
 * reports (a member's vote, and the vote that reaches the quorum and applies the report with both vaults swept and
 * fees minted) with 1 and with 200 operators; withdrawals (a request, a claim, and what finalizing 1, 10 and 1,000
 * requests adds to a report); exits (one page of exit data, one forced exit).
 *
 * The transactions run in a fixed order on fresh in-process chains with fixed keys, so every figure is the same on
 * every run: gas-snapshot.json holds them, and CI fails on a figure more than 2 % above it. Changing the order changes
 * which slots are warm or fresh, so the figures.
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

import { parseEthAmount } from "../../lib/amounts.js";
import { computeDepositDataRoot } from "../../lib/depositData.js";
import { deployLocalProtocol } from "../../lib/deploy.js";
import { deploymentPlan } from "../../lib/deployment.js";
import { localDelaySkipper } from "../../lib/governance.js";
import { generateDepositData, VALIDATOR_DEPOSIT_GWEI } from "../../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../../lib/networks.js";
import {
  installWithdrawalRequestPredeploy,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
} from "../../lib/eip7002.js";
import {
  advanceRegistryRequest,
  committedKeys,
  readCommittedBatches,
  type RegistryRequest,
} from "../../lib/operators.js";
import { paginateExitData } from "../../lib/oracle/exits.js";
import { nextReportableFrame, readFrame } from "../../lib/oracle/frames.js";
import { connectProtocol, type Protocol } from "../../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../../lib/staking.js";
import { ANCHORS } from "./anchors.js";
import type { BenchRow, Target } from "./report.js";

const KEYS_PER_BATCH = 100;
const OPERATORS = 5;
const VALIDATORS_PER_STAKE = 50;
/** Fixed mnemonics, so the benchmark's calldata (and so its gas) is the same on every run. */
const BENCH_MNEMONICS = Array.from({ length: OPERATORS + 1 }, (_, i) =>
  entropyToMnemonic(new Uint8Array(32).fill(i + 1), wordlist),
);

/** The fixed inputs, as the table's header states them. */
export const GAS_INPUTS =
  `gas: the local deployment (deploy/parameters/local.json), deposits of 1 ETH after another account's (stake limit ` +
  `on, no referral), ${OPERATORS} operators × ${KEYS_PER_BATCH} real keys from fixed mnemonics, one stake of ` +
  `${VALIDATORS_PER_STAKE}, reports voted by 2 members`;

const atMost = (value: number): Target => ({ kind: "atMost", value });

/**
 * A gas row. `snapshotKey` is the figure's name in gas-snapshot.json: the full description of what is measured,
 * unchanged since the figure was first recorded, while `operation` is the table's short label.
 */
function gasRow(
  operation: string,
  snapshotKey: string,
  gas: number,
  extra: Pick<BenchRow, "target" | "knownMiss" | "anchors"> = {},
): BenchRow {
  return { operation, snapshotKey, measured: gas, unit: "gas", ...extra };
}

async function gasOf(send: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await send).wait();
  if (receipt === null) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

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

/**
 * Moves the chain into the next frame's reporting window; two members report rewards and vault balances. Returns the
 * first member's vote and the second's, which reaches the quorum and applies the report.
 */
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

/** Runs every gas measurement, reporting each stage through `progress`; returns the rows in the table's order. */
export async function measureGas(progress: (stage: string) => void): Promise<BenchRow[]> {
  progress("gas: deploying the protocol (Ignition) and measuring deposits");
  const connection = await network.create();
  const { ethers } = connection;
  const protocol = await connectProtocol(ethers, await deployLocalProtocol(connection));
  const [, , earlyUser, holder] = await ethers.getSigners();
  if (earlyUser === undefined || holder === undefined) throw new Error("the benchmark needs 4 accounts");
  const limit = await protocol.pool.getStakeLimit();
  if (!limit.enabled) throw new Error("the benchmark expects the stake limit on (deploy/parameters/local.json)");

  // The pool is in use: another account has deposited, so no slot the measured deposits touch is fresh.
  await protocol.pool.connect(earlyUser).deposit(ZeroAddress, { value: parseEthAmount("10") });
  const depositNew = await gasOf(protocol.pool.connect(holder).deposit(ZeroAddress, { value: parseEthAmount("1") }));
  const depositExisting = await gasOf(
    protocol.pool.connect(holder).deposit(ZeroAddress, { value: parseEthAmount("1") }),
  );
  const receiveGas = await gasOf(holder.sendTransaction({ to: protocol.addresses.pool, value: parseEthAmount("1") }));

  // --- Keys and staking: 5 operators, 100 real keys each committed in one batch, then one stake of 50 validators.
  progress(
    `gas: ${OPERATORS} operators committing ${KEYS_PER_BATCH} real keys each, one stake of ${VALIDATORS_PER_STAKE}`,
  );
  const signers = await ethers.getSigners();
  const staking = await stakeThroughOperators(connection, protocol, {
    operators: OPERATORS,
    keys: KEYS_PER_BATCH,
    validators: VALIDATORS_PER_STAKE,
  });

  // The same kind of deposit straight to the mock from an account, as a floor for what staking through the pool costs.
  const { deposits: direct } = generateDepositData({
    mnemonic: BENCH_MNEMONICS[OPERATORS]!,
    count: 1,
    withdrawal: { kind: "execution", address: protocol.addresses.withdrawalVault },
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

  // --- Oracle reports. Steady state: the second report of each chain is measured, once every slot it writes exists.
  progress("gas: oracle reports with 5 operators");
  // The first report covers only the moments since deployment: no rewards fit under the cap.
  await reportFrame(connection, protocol, 0n);
  const fiveOperators = await reportFrame(connection, protocol, parseEthAmount("0.1"));

  // A second chain with one operator and one validator, then 199 more operators.
  // One operator can only take every validator with a share cap of 100 %: the local parameters, with that cap.
  progress("gas: oracle reports with 1, then 200 operators (a second chain)");
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

  // --- Withdrawals, on the five-operator chain. Steady state: the requester already holds a request NFT and has
  // approved the queue once; finalization is measured as the extra gas of a report that finalizes N requests over the
  // same report finalizing none (both sweep the vaults and mint fees).
  progress("gas: withdrawal requests, finalizing 1, 10 and 1,000 of them, a claim");
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
  progress("gas: one page of exit data, one forced exit through EIP-7002");
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

  // Targets as the issues set them; the 200-operator report may cost at most 5 % more than the 1-operator one, and
  // finalizing 10 or 1,000 requests at most 2 % more than finalizing 1.
  return [
    gasRow("deposit, new holder", "deposit, new holder", depositNew, {
      target: atMost(70_000),
      anchors: ANCHORS.depositNewHolder,
    }),
    gasRow("deposit, existing holder", "deposit, existing holder", depositExisting, {
      target: atMost(52_000),
      anchors: ANCHORS.depositExistingHolder,
    }),
    gasRow("receive() transfer, existing holder", "plain transfer to the pool (receive), existing holder", receiveGas, {
      target: atMost(52_000),
    }),
    gasRow(
      `add keys, per key (batch of ${KEYS_PER_BATCH})`,
      `add keys, per key in a batch of ${KEYS_PER_BATCH}`,
      Math.round(staking.batchGas.reduce((sum, gas) => sum + gas, 0) / staking.batchGas.length / KEYS_PER_BATCH),
      { target: atMost(10_000), anchors: ANCHORS.addKeysPerKey },
    ),
    gasRow(
      `stake, per validator (${VALIDATORS_PER_STAKE} a call, ${OPERATORS} operators)`,
      `stake, per validator in a batch of ${VALIDATORS_PER_STAKE} (${OPERATORS} operators)`,
      Math.round(Number(staking.stakeGas) / VALIDATORS_PER_STAKE),
      { target: atMost(45_000), anchors: ANCHORS.stakePerValidator },
    ),
    gasRow("deposit contract mock, one direct deposit", "one direct deposit to the deposit contract mock", directGas),
    gasRow(
      "oracle: a member's vote, no quorum yet",
      "oracle: a member's vote (submitReport, no quorum yet)",
      fiveOperators.vote,
      { target: atMost(60_000), anchors: ANCHORS.oracleVote },
    ),
    gasRow(
      "oracle: quorum vote applying a report, 5 operators",
      "oracle: the quorum vote applying the report (5 operators, both vaults swept, fees minted)",
      fiveOperators.apply,
      { target: atMost(250_000), anchors: ANCHORS.oracleApply },
    ),
    gasRow(
      "oracle: quorum vote applying a report, 1 operator",
      "oracle: the quorum vote applying the report, 1 operator",
      oneOperator.apply,
      { target: atMost(250_000) },
    ),
    gasRow(
      "oracle: the same, 200 operators (1.05× 1 operator)",
      "oracle: the quorum vote applying the report, 200 operators",
      twoHundredOperators.apply,
      { target: atMost(Math.floor(oneOperator.apply * 1.05)) },
    ),
    gasRow(
      "withdrawal request (holder has a request NFT)",
      "withdrawal request, one, steady state (requester already holds a request NFT)",
      requestGas,
      {
        target: atMost(110_000),
        anchors: ANCHORS.withdrawalRequest,
        knownMiss:
          "two new slots (request totals 22,100, NFT owner 20,000 after the mint's read), two UUPS proxies (9,400), " +
          "the plETH transfer and the rate read (~19,000) leave no room under 110,000 with OpenZeppelin's ERC-721 " +
          "storage",
      },
    ),
    gasRow(
      "withdrawal claim (request NFT burned)",
      "withdrawal claim, one (existing receiver, request NFT burned)",
      claimGas,
      { target: atMost(65_000), anchors: ANCHORS.withdrawalClaim },
    ),
    gasRow(
      `oracle exit data: one page, ${OPERATORS} operators`,
      `oracle exit data: one page, ${OPERATORS} operators each with an exited count and an exit request`,
      exitPageGas,
    ),
    gasRow(
      "forced exit: one EIP-7002 request via the vault",
      "forced exit: one EIP-7002 request through the withdrawal vault (fee 1 wei, sent with the call)",
      forceExitGas,
    ),
    ...[1, 10, 1000].map((count) =>
      gasRow(
        `finalizing ${count.toLocaleString("en")} request${count === 1 ? "" : "s"}, added to a report`,
        `report: gas finalization adds, ${count} request${count === 1 ? "" : "s"}`,
        finalization[count]!,
        { target: atMost(count === 1 ? 60_000 : Math.min(60_000, Math.floor(finalization[1]! * 1.02))) },
      ),
    ),
  ];
}
