/**
 * The main job: deploys Plural to an in-process Hardhat chain with the Ignition module a deployment uses, takes
 * deposits, brings in independent operators (one a 3-of-4 distributed-validator cluster whose key is made by DKG),
 * submits and vets their keys, has guardians attest and stakes validators: each step through the same library
 * functions the tasks call. Prints the protocol's status and its decentralization figures.
 *
 *   npm run demo
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { network } from "hardhat";

import { resolveSigner } from "../lib/accounts.js";
import { formatEth, formatPlEth, parseEthAmount } from "../lib/amounts.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { localDelaySkipper } from "../lib/governance.js";
import { generateValidatorFiles } from "../lib/keys/generate.js";
import { finishDkg, writeDeal } from "../lib/keys/dkgFiles.js";
import { combineDepositFiles, signDepositShare } from "../lib/keys/thresholdDeposits.js";
import { advanceRegistryRequest, formatOperators, listOperators, type RegistryRequest } from "../lib/operators.js";
import { deposit } from "../lib/pool.js";
import { connectProtocol } from "../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../lib/staking.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { formatPoolStatus, getPoolStatus } from "../lib/status.js";
import { renderTable } from "../lib/table.js";

const DEPOSITS = [
  { account: "2", amount: "1.5" },
  { account: "3", amount: "32" },
  { account: "4", amount: "0.25" },
  { account: "16", amount: "300" },
] as const;
/** Plain operators: name, manager account, keys generated. */
const OPERATORS = [
  { name: "Aurora Staking", manager: "8", keys: 3 },
  { name: "Borealis Nodes", manager: "9", keys: 3 },
  { name: "Cirrus Validators", manager: "10", keys: 3 },
] as const;
/** The distributed-validator cluster: 3-of-4, members are accounts #12-#15, its manager #11. */
const CLUSTER = { name: "Delta DV Cluster", manager: "11", members: ["12", "13", "14", "15"], threshold: 3, keys: 2 };
const GUARDIANS = ["17", "18"] as const;
const GOVERNANCE = "1";
const CHAIN = "local";

const connection = await network.create();
const { ethers } = connection;
const step = (n: number, text: string) => console.log(`\n[${n}/7] ${text}`);

step(1, "Deploying Plural (deploy/modules/PluralLocal.ts with deploy/parameters/local.json)...");
const protocol = await connectProtocol(ethers, await deployLocalProtocol(connection));
console.log(
  renderTable("Deployed contracts", [
    ["StakingPool (plETH)", protocol.addresses.pool],
    ["OperatorRegistry", protocol.addresses.operatorRegistry],
    ["DepositGuard", protocol.addresses.depositGuard],
    ["WithdrawalVault (withdrawal credentials)", protocol.addresses.withdrawalVault],
    ["TimelockController (every admin role)", protocol.addresses.timelock],
    ["BeaconDepositMock", protocol.addresses.depositContract],
  ]),
);

step(2, `Depositing from ${DEPOSITS.length} accounts...`);
const holders: string[] = [];
for (const [index, planned] of DEPOSITS.entries()) {
  const depositor = await resolveSigner(ethers, planned.account);
  const receipt = await deposit(protocol.pool, depositor, parseEthAmount(planned.amount));
  holders.push(depositor.address);
  console.log(
    `  (${index + 1}/${DEPOSITS.length}) ${depositor.address} deposited ${formatEth(receipt.amount)} ` +
      `and received ${formatPlEth(receipt.shares)} (${receipt.gasUsed} gas)`,
  );
}

step(3, "Governance adds 3 operators and a 3-of-4 cluster through the timelock (delay skipped on this local chain)...");
const governance = await resolveSigner(ethers, GOVERNANCE);
const skipDelay = localDelaySkipper(connection.provider, "default", true);
const govern = async (request: RegistryRequest) => {
  const outcome = await advanceRegistryRequest(
    protocol.timelock,
    protocol.operatorRegistry,
    governance,
    request,
    skipDelay,
  );
  console.log(`  ${outcome.operation.description}`);
};
const address = async (account: string) => (await resolveSigner(ethers, account)).address;
for (const operator of OPERATORS) {
  const manager = await address(operator.manager);
  await govern({ kind: "add", name: operator.name, manager, rewardAddress: manager });
}
const clusterMembers = await Promise.all(CLUSTER.members.map(address));
const clusterManager = await address(CLUSTER.manager);
await govern({
  kind: "addCluster",
  name: CLUSTER.name,
  manager: clusterManager,
  rewardAddress: clusterManager,
  threshold: CLUSTER.threshold,
  members: clusterMembers,
});

step(4, "Operators make validator keys: mnemonics for three, distributed key generation for the cluster...");
const vault = protocol.addresses.withdrawalVault;
const workDir = mkdtempSync(path.join(tmpdir(), "plural-demo-"));
try {
  const depositFiles: {
    operatorId: number;
    manager: string;
    deposits: Awaited<ReturnType<typeof generateValidatorFiles>>["deposits"];
  }[] = [];
  for (const [operatorId, operator] of OPERATORS.entries()) {
    const generated = await generateValidatorFiles({
      mnemonic: generateMnemonic(wordlist, 256),
      start: 0,
      count: operator.keys,
      chain: CHAIN,
      withdrawalAddress: vault,
      outDir: path.join(workDir, `operator-${operatorId}`),
    });
    depositFiles.push({ operatorId, manager: operator.manager, deposits: generated.deposits });
    console.log(`  ${operator.name}: ${operator.keys} keys, ${path.basename(generated.depositDataFile)}`);
  }
  // DKG: every member deals, every member checks what it received and keeps only its share; then any 3 sign.
  const dkgDir = path.join(workDir, "cluster");
  const n = CLUSTER.members.length;
  for (let member = 1; member <= n; member++) {
    await writeDeal({ member, threshold: CLUSTER.threshold, members: n, validators: CLUSTER.keys, outDir: dkgDir });
  }
  const shareFiles: string[] = [];
  for (let member = 1; member <= n; member++) {
    const outcome = await finishDkg({ member, inDir: dkgDir, outDir: dkgDir });
    if (!outcome.ok) throw new Error(`DKG complaints: ${JSON.stringify(outcome.complaints)}`);
    shareFiles.push(outcome.shareFile);
  }
  const signers = [1, 2, 4];
  const partialFiles = [];
  for (const member of signers) {
    partialFiles.push(
      (await signDepositShare({ shareFile: shareFiles[member - 1]!, withdrawalAddress: vault, chain: CHAIN })).file,
    );
  }
  const combined = await combineDepositFiles({
    partialFiles,
    withdrawalAddress: vault,
    chain: CHAIN,
    outDir: path.join(dkgDir, "deposit"),
  });
  depositFiles.push({ operatorId: OPERATORS.length, manager: CLUSTER.manager, deposits: combined.deposits });
  console.log(
    `  ${CLUSTER.name}: ${CLUSTER.keys} group keys by DKG among ${n} members (no machine held a whole key); ` +
      `deposits signed by members ${signers.join(", ")} and combined`,
  );

  step(5, "Operators submit keys (fully verified first); governance vets them...");
  for (const file of depositFiles) {
    const manager = await resolveSigner(ethers, file.manager);
    const receipt = await submitKeys(protocol, manager, file.operatorId, file.deposits, {
      network: BEACON_NETWORKS.local,
    });
    const gas = receipt.batches.reduce((sum, batch) => sum + batch.gasUsed, 0n);
    console.log(
      `  operator ${file.operatorId}: ${receipt.keys} keys committed (${gas / BigInt(receipt.keys)} gas a key)`,
    );
    await govern({ kind: "vet", operatorId: file.operatorId, vettedKeys: BigInt(receipt.keys) });
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

step(6, "Guardians check every key about to be deposited and attest...");
const report = await guardianCheck(protocol, BEACON_NETWORKS.local);
const attestations = [];
for (const guardian of GUARDIANS)
  attestations.push(await signAttestation(protocol, await resolveSigner(ethers, guardian), report));
const attestation = mergeAttestations(attestations);
console.log(
  `  ${report.checkedKeys} keys checked at block ${report.blockNumber}: BLS signatures for our credentials, unique ` +
    `across operators, not on the deposit contract; ${attestation.signatures.length} guardians signed`,
);

step(7, "Staking buffered ETH: 32 ETH per validator to the beacon deposit contract...");
const plan = await planStake(protocol);
const staked = await stake(protocol, await resolveSigner(ethers, "0"), plan, attestation);
console.log(
  `  ${staked.validators} validators deposited in one transaction (${staked.gasUsed} gas, ` +
    `${staked.gasUsed / BigInt(staked.validators)} a validator)`,
);

console.log("");
console.log(
  formatOperators(await listOperators(protocol.operatorRegistry), await protocol.operatorRegistry.shareCapBps()),
);
console.log(formatPoolStatus(await getPoolStatus(protocol.pool, ethers.provider), "the in-process Hardhat chain"));
const rows = await Promise.all(
  holders.map(async (holder) => {
    const shares = await protocol.pool.balanceOf(holder);
    return [holder, `${formatPlEth(shares)} = ${formatEth(await protocol.pool.convertToAssets(shares))}`] as const;
  }),
);
console.log(renderTable("Holders", rows));
