/**
 * The main job: deploys Plural to an in-process Hardhat chain with the Ignition module a deployment uses, under token
 * governance (deploy/parameters/local-governor.json: PLURAL holders vote on the Governor, an operations timelock for
 * routine registry work, a pause guardian), takes deposits, shows the emergency brake (the guardian pauses deposits,
 * the pause ends by itself), brings in independent operators through the operations timelock (one a 3-of-4
 * distributed-validator cluster whose key is made by DKG), submits and vets their keys, has guardians attest and
 * stakes validators: each step through the same library functions the tasks call. Prints the protocol's status and its
 * decentralization figures.
 *
 * Then the beacon chain and the oracle, in the same process: the beacon simulator runs beside the chain on the
 * oracle's clock and serves the Beacon API over HTTP; the validators activate; two oracle members (a quorum) report
 * a frame through that API and the pool applies it (rewards, fees, a higher share rate); one validator is slashed and
 * the next report applies the loss (a lower share rate, a negative APR, the validator counted as exited). A holder
 * requests a withdrawal before the first report, which finalizes it; another requests after the slashing and waits
 * (bunker mode: penalties still pending).
 *
 * Then exits: a large withdrawal needs more ether than the pool holds, so the committee's exit data asks operators to
 * exit validators (the operators with the most validators first, oldest key first). One operator's exit daemon signs
 * voluntary exits and submits them through the Beacon API; another ignores its request, misses its deadline and is
 * penalized (its fees burned), and PLURAL holders vote to force its exit through the withdrawal vault and EIP-7002
 * (propose, vote, queue, wait out the timelock, execute). Once the slashed validator is withdrawable (a second vote
 * accepting the correlated-slashing loss above the bound), bunker mode ends and the next report finalizes every
 * request. The operators claim their fees, the holders their ether, and a
 * ledger shows every wei.
 *
 * All of it within a year of beacon time at a 3 % consensus reward rate: the first report comes a day after the
 * validators activate, the committee then reports once a week (small withdrawals requested on the way, each finalized
 * by the next report) until the slashing half-way through the year; after the story's exits and votes, weekly reports
 * again to the year's end. The share rate after every report goes to demo-output/share-rate.csv and, as a chart, to
 * demo-output/share-rate.svg; a table per operator and one for the protocol close the story.
 *
 *   npm run demo        in-process chain, exits when done
 *   npm run demo:live   (PLURAL_DEMO_LIVE=1) the same story on a `hardhat node` on 127.0.0.1 (PLURAL_LOCALHOST_PORT,
 *                       default 8545) with the Beacon API on PLURAL_BEACON_PORT (default 5052), both left running for
 *                       the tasks until Ctrl-C
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { generateMnemonic } from "@scure/bip39";
import { formatEther, ZeroAddress } from "ethers";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { network } from "hardhat";

import { resolveSigner } from "../lib/accounts.js";
import { formatBps, formatEth, formatPlEth, parseEthAmount } from "../lib/amounts.js";
import { startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient, SimulatorClient } from "../lib/beacon/client.js";
import { formatGwei, readBeaconOverview } from "../lib/beacon/format.js";
import { BeaconSimulator, VALIDATOR_STATUSES } from "../lib/beacon/simulator.js";
import { renderLineChartSvg } from "../lib/chart.js";
import { startDashboard } from "../lib/dashboard/server.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { deploymentDirectory, PROJECT_ROOT } from "../lib/deployment.js";
import { UserInputError } from "../lib/errors.js";
import { installWithdrawalRequestPredeploy } from "../lib/eip7002.js";
import { formatExitStatus, readExitStatus } from "../lib/exitRequests.js";
import { runExitResponder } from "../lib/exitResponder.js";
import { type GovernancePlan, planAcceptLoss, planForceExit } from "../lib/govActions.js";
import { localClock, localDelaySkipper } from "../lib/governance.js";
import {
  castVote,
  delegateVotes,
  describeTally,
  executeProposal,
  governanceFromBlock,
  queueProposal,
  shortProposalId,
  submitPlan,
} from "../lib/governor.js";
import { generateValidatorFiles } from "../lib/keys/generate.js";
import { finishDkg, writeDeal } from "../lib/keys/dkgFiles.js";
import { signingKeysFromMnemonic } from "../lib/keys/signingKeys.js";
import { combineDepositFiles, signDepositShare } from "../lib/keys/thresholdDeposits.js";
import { formatLedger, readLedger } from "../lib/ledger.js";
import { followChain, type LocalNode, requireFreePort, startLocalNode } from "../lib/localNode.js";
import { type FrameOutcome, runOracle } from "../lib/oracle/daemon.js";
import { nextReportableFrame, readFrame, slotStartTime } from "../lib/oracle/frames.js";
import {
  advanceRegistryRequest,
  claimOperatorFees,
  committedKeys,
  formatOperators,
  listOperators,
  operatorConcentration,
  readCommittedBatches,
  type RegistryRequest,
  shareBps,
  sharesByOperator,
} from "../lib/operators.js";
import { deposit } from "../lib/pool.js";
import { connectProtocol } from "../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../lib/staking.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { PAUSE_TARGETS, pauseAsGuardian } from "../lib/pause.js";
import { createProgress } from "../lib/progress.js";
import {
  aprFromReport,
  averageApr,
  formatApr,
  formatPoolStatus,
  getPoolStatus,
  rateAfter,
  readAppliedReports,
} from "../lib/status.js";
import { renderGrid, renderTable, type Row } from "../lib/table.js";
import { isoTime } from "../lib/time.js";
import { claimWithdrawals, getQueueStatus, listWithdrawalRequests, requestWithdrawal } from "../lib/withdrawals.js";

/**
 * Withdrawal requests: one before the first report (finalized by it), one after the slashing (waits it out), one
 * larger than the pool holds (validators must exit for it).
 */
const WITHDRAWALS = [
  { account: "3", plEth: "10" },
  { account: "2", plEth: "1" },
  { account: "16", plEth: "100" },
] as const;
/** How late the demo lets the penalized operator be: past the registry's response time (4 days locally). */
const LATE_DAYS = 5;
/** Epochs in a day on the mainnet preset (a frame). */
const EPOCHS_PER_DAY = 225;
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
/** Two of the committee's three members (deploy/parameters/local.json: #10, #11, #12, quorum 2). */
const ORACLE_MEMBERS = ["10", "11"] as const;
/** Mainnet preset: eligibility, its finalization and the seed lookahead take 6 epochs; 10 leave a margin. */
const ACTIVATION_EPOCHS = 10;
/** The longest the demo waits for the committee to settle a frame (a refused report would otherwise wait forever). */
const ORACLE_TIMEOUT_MS = 60_000;
const ONE_SHARE = 10n ** 18n;
/** deploy/parameters/local-governor.json: PLURAL holders (all delegate to themselves), the operations multisig and the
 * pause guardian. */
const PLURAL_HOLDERS = { proposer: "0", second: "5", third: "6" } as const;
const OPERATIONS = "3";
const PAUSE_GUARDIAN = "4";
const PARAMETERS = path.join(PROJECT_ROOT, "deploy", "parameters", "local-governor.json");
const CHAIN = "local";
/** Consensus rewards of the simulated beacon chain, in basis points a year of effective balance: about mainnet's. */
const CONSENSUS_REWARD_BPS = 300;
/**
 * Execution-layer reward of each block our validators propose. This chain has a handful of blocks a day (those the
 * story mines): 0.005 ETH each makes about 0.7 % a year on the staked ether, near mainnet's priority fees and MEV.
 */
const EL_REWARD_PER_BLOCK_GWEI = 5_000_000n;
/** The beacon time the story covers, from the validators' activation. */
const YEAR_DAYS = 365;
/** Live mode: the story on a `hardhat node`, then the node and the Beacon API are left running for the tasks. */
const LIVE = process.env.PLURAL_DEMO_LIVE === "1";
/**
 * Between the story's events the committee reports once a week (frames are a day: the six between go unreported).
 * PLURAL_DEMO_REPORT_DAYS=1 reports every frame: 333 reports instead of 52, about five times the demo's run time
 * (measured: 1.5 to 3 minutes on a shared 2-core machine against 30 seconds).
 */
const REPORT_EVERY_DAYS = reportCadence(process.env.PLURAL_DEMO_REPORT_DAYS, 7);
const CADENCE = REPORT_EVERY_DAYS === 1 ? "every day" : `every ${REPORT_EVERY_DAYS} days`;
/** The slashing comes half-way through the year. */
const SLASHING_DAY = 182;
/** Small withdrawals requested in the quiet weeks, on or after `day`: each is finalized by the next report. */
const YEAR_WITHDRAWALS = [
  { account: "3", plEth: "2", day: 60 },
  { account: "3", plEth: "3", day: 120 },
  { account: "16", plEth: "5", day: 300 },
] as const;
const SECONDS_PER_DAY = 86_400n;
const OUTPUT_DIR = path.join(PROJECT_ROOT, "demo-output");

/** The deployment record the live mode writes (deploy/deployments/demo-live): the tasks find it by this id. */
const LIVE_DEPLOYMENT_ID = "demo-live";
/** The same variable and default as hardhat.config.ts's `localhost` network, so the tasks reach the same node. */
const LOCAL_PORT = Number(process.env.PLURAL_LOCALHOST_PORT ?? "8545");
/** The tasks' default Beacon API (`oracle run --beacon-url`, `beacon status --url`) is on port 5052. */
const BEACON_PORT = Number(process.env.PLURAL_BEACON_PORT ?? "5052");
/** The dashboard's port in live mode (the `dashboard` task's default). */
const DASHBOARD_PORT = Number(process.env.PLURAL_DASHBOARD_PORT ?? "8080");

mkdirSync(OUTPUT_DIR, { recursive: true });
let node: LocalNode | undefined;
if (LIVE) {
  try {
    await requireFreePort(BEACON_PORT, "beacon run", "PLURAL_BEACON_PORT");
    await requireFreePort(DASHBOARD_PORT, "dashboard", "PLURAL_DASHBOARD_PORT");
    node = await startLocalNode({ port: LOCAL_PORT, logFile: path.join(OUTPUT_DIR, "hardhat-node.log") });
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    console.error(`Error: ${error.message}`);
    process.exit(1);
  }
  // A record from an earlier live run names contracts this fresh node does not have.
  rmSync(deploymentDirectory(LIVE_DEPLOYMENT_ID), { recursive: true, force: true });
}
const connection = LIVE ? await network.create("localhost") : await network.create();
const { ethers, networkHelpers } = connection;
const chainName = LIVE ? `hardhat node ${node!.url}` : "the in-process Hardhat chain";
const STEPS = 18;
const step = (n: number, text: string) => console.log(`\n[${n}/${STEPS}] ${text}`);

step(
  1,
  `Deploying Plural (deploy/modules/PluralLocal.ts with deploy/parameters/local-governor.json) to ${chainName}...`,
);
const protocol = await connectProtocol(
  ethers,
  await deployLocalProtocol(connection, {
    parametersFile: PARAMETERS,
    ...(LIVE ? { deploymentId: LIVE_DEPLOYMENT_ID } : {}),
  }),
);
const governor = protocol.governor!;
const token = protocol.token!;
console.log(
  renderTable("Deployed contracts", [
    ["StakingPool (plETH)", protocol.addresses.pool],
    ["OperatorRegistry", protocol.addresses.operatorRegistry],
    ["DepositGuard", protocol.addresses.depositGuard],
    ["WithdrawalVault (withdrawal credentials)", protocol.addresses.withdrawalVault],
    ["WithdrawalQueue (request NFTs)", protocol.addresses.withdrawalQueue],
    ["PluralTimelock (every admin role and upgrade)", protocol.addresses.timelock],
    ["PluralGovernor (the timelock's proposer)", protocol.addresses.governor!],
    ["PluralToken (PLURAL votes)", protocol.addresses.token!],
    ["Operations timelock (adds operators, vets keys)", protocol.addresses.operationsTimelock!],
    ["EmergencyPause (bounded, once per grant)", protocol.addresses.emergencyPause],
    ["BeaconDepositMock", protocol.addresses.depositContract],
  ]),
);
// PLURAL counts in votes once delegated: the holders delegate to themselves before any proposal.
for (const holder of Object.values(PLURAL_HOLDERS)) {
  const signer = await resolveSigner(ethers, holder);
  await delegateVotes(token, signer, signer.address);
}
/** Moves the chain's clock to a time (one block mined there): this local chain's stand-in for waiting. */
const advance = localClock(connection.provider, connection.networkName, true);

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

step(3, "The emergency brake: the pause guardian stops deposits for an hour; the pause ends by itself...");
const guardian = await resolveSigner(ethers, PAUSE_GUARDIAN);
const paused = await pauseAsGuardian(protocol.emergencyPause, guardian, PAUSE_TARGETS.deposits, 3_600n);
console.log(
  `  ${guardian.address} paused deposits until ${new Date(Number(paused.until) * 1000).toISOString()} ` +
    `(its one pause of this grant; only governance may resume early or grant another)`,
);
const lateDepositor = await resolveSigner(ethers, DEPOSITS[0].account);
try {
  await deposit(protocol.pool, lateDepositor, parseEthAmount("0.5"));
  throw new Error("a deposit should be refused while deposits are paused");
} catch (error) {
  if (!(error instanceof Error) || !/paused/.test(error.message)) throw error;
  console.log(`  a deposit of 0.5 ETH is refused before anything is sent: ${error.message}`);
}
await advance(paused.until);
const afterPause = await deposit(protocol.pool, lateDepositor, parseEthAmount("0.5"));
console.log(
  `  an hour later the pause has ended by itself: the same deposit mints ${formatPlEth(afterPause.shares)} ` +
    `(${afterPause.gasUsed} gas)`,
);

step(4, "The operations multisig adds 3 operators and a 3-of-4 cluster through the operations timelock...");
const operationsAccount = await resolveSigner(ethers, OPERATIONS);
const skipDelay = localDelaySkipper(connection.provider, connection.networkName, true);
/** Routine registry work: scheduled on the operations timelock, executed after its delay (skipped here). */
const govern = async (request: RegistryRequest) => {
  const outcome = await advanceRegistryRequest(
    protocol.operationsTimelock!,
    protocol.operatorRegistry,
    operationsAccount,
    request,
    skipDelay,
  );
  console.log(`  ${outcome.operation.description} (operations timelock, 10-minute delay skipped on this chain)`);
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

step(5, "Operators make validator keys: mnemonics for three, distributed key generation for the cluster...");
const vault = protocol.addresses.withdrawalVault;
/** The plain operators' mnemonics: their exit daemons derive the signing keys from them. */
const mnemonics: string[] = [];
const workDir = mkdtempSync(path.join(tmpdir(), "plural-demo-"));
try {
  const depositFiles: {
    operatorId: number;
    manager: string;
    deposits: Awaited<ReturnType<typeof generateValidatorFiles>>["deposits"];
  }[] = [];
  for (const [operatorId, operator] of OPERATORS.entries()) {
    mnemonics[operatorId] = generateMnemonic(wordlist, 256);
    const generated = await generateValidatorFiles({
      mnemonic: mnemonics[operatorId],
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

  step(6, "Operators submit keys (fully verified first); the operations timelock vets them...");
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

step(7, "Guardians check every key about to be deposited and attest...");
const report = await guardianCheck(protocol, BEACON_NETWORKS.local);
const attestations = [];
for (const guardian of GUARDIANS)
  attestations.push(await signAttestation(protocol, await resolveSigner(ethers, guardian), report));
const attestation = mergeAttestations(attestations);
console.log(
  `  ${report.checkedKeys} keys checked at block ${report.blockNumber}: BLS signatures for our credentials, unique ` +
    `across operators, not on the deposit contract; ${attestation.signatures.length} guardians signed`,
);

step(8, "Staking buffered ETH: 32 ETH per validator to the beacon deposit contract...");
const plan = await planStake(protocol);
const staked = await stake(protocol, await resolveSigner(ethers, "0"), plan, attestation);
console.log(
  `  ${staked.validators} validators deposited in one transaction (${staked.gasUsed} gas, ` +
    `${staked.gasUsed / BigInt(staked.validators)} a validator)`,
);

const operatorsTable = async () =>
  formatOperators(await listOperators(protocol.operatorRegistry), await protocol.operatorRegistry.shareCapBps());
const poolStatus = async () =>
  formatPoolStatus(
    await getPoolStatus(protocol.pool, ethers.provider, undefined, { fromBlock: protocol.addresses.deployedAtBlock }),
    chainName,
  );
console.log("");
console.log(await operatorsTable());
console.log(await poolStatus());

step(9, `The beacon simulator starts on the oracle's clock; validators activate (${ACTIVATION_EPOCHS} epochs)...`);
const [frameConfig] = await protocol.accountingOracle.getFrameConfig();
/** Day 0 of the year of beacon time: the share rate's first point. */
const yearStart = {
  timestamp: BigInt(await networkHelpers.time.latest()),
  block: await ethers.provider.getBlockNumber(),
};
const simulator = await BeaconSimulator.create(connection.provider, {
  depositContract: protocol.addresses.depositContract,
  rewardRateBps: CONSENSUS_REWARD_BPS,
  elRewardPerBlockGwei: EL_REWARD_PER_BLOCK_GWEI,
  // The oracle refuses a beacon node on another clock.
  genesisTime: frameConfig.genesisTime,
  // Execution-layer rewards of our validators' blocks go to the vault the pool sweeps on reports.
  feeRecipient: protocol.addresses.executionRewardsVault,
  // A frame is 225 epochs: its reference slot's state must still be kept when the report is built.
  historyEpochs: 256,
  fromBlock: protocol.addresses.deployedAtBlock,
});
// This chain has no EIP-7002 contract (forced exits): ours goes at its address; the simulator's blocks run its
// end-of-block system call, as a real chain's do.
await installWithdrawalRequestPredeploy(connection.provider);
const api = await startBeaconApi(simulator, LIVE ? { port: BEACON_PORT } : {});
try {
  // The oracle reads the beacon chain over HTTP, as it would a real beacon node.
  const beacon = new BeaconClient(api.url);
  const beaconNode = new SimulatorClient(api.url);
  const members = await Promise.all(ORACLE_MEMBERS.map((account) => resolveSigner(ethers, account)));
  const shareRate = () => protocol.pool.convertToAssets(ONE_SHARE);
  const rateLine = (before: bigint, after: bigint) =>
    `  share rate: ${formatEth(before)} → ${formatEth(after)} per plETH ` +
    `(${after >= before ? "+" : "-"}${formatEth(after >= before ? after - before : before - after)})`;

  /** Validators by status and their balances, from the Beacon API. */
  const beaconStatus = async () => {
    const overview = await readBeaconOverview(beaconNode);
    const rows = VALIDATOR_STATUSES.flatMap((status) => {
      const group = overview.validators.filter((v) => v.status === status);
      if (group.length === 0) return [];
      return [[status, String(group.length), formatGwei(group.reduce((sum, v) => sum + v.balanceGwei, 0n))]];
    });
    const total = overview.validators.reduce((sum, v) => sum + v.balanceGwei, 0n);
    rows.push(["total", String(overview.validators.length), formatGwei(total)]);
    return renderGrid(
      `Beacon chain: head epoch ${overview.headSlot / overview.slotsPerEpoch}, finalized ${overview.finalizedEpoch}`,
      ["status", "validators", "balance"],
      rows,
    );
  };

  /** The next unreported frame whose reference slot is at or after `fromSlot` (earlier frames are skipped). */
  const firstFrameFrom = async (fromSlot: bigint) => {
    const frame = await readFrame(protocol.accountingOracle);
    let { refSlot, reportableTime } = nextReportableFrame(frame);
    const frameSlots = frame.epochsPerFrame * frame.slotsPerEpoch;
    while (refSlot < fromSlot) {
      refSlot += frameSlots;
      reportableTime += frameSlots * frame.secondsPerSlot;
    }
    return { refSlot, reportableTime };
  };

  /**
   * Moves the chain to the first moment the oracle accepts a report for the next unreported frame whose reference
   * slot is at or after `fromSlot` (earlier frames are skipped), and lets the simulator follow. Returns that slot.
   */
  const toReportableFrame = async (fromSlot: bigint) => {
    const { refSlot, reportableTime } = await firstFrameFrom(fromSlot);
    if (reportableTime > BigInt(await networkHelpers.time.latest())) {
      await networkHelpers.time.increaseTo(reportableTime);
    }
    await simulator.sync();
    return refSlot;
  };

  /** Runs the two members for one frame; returns once the pool applied the report. Quiet: no line a report. */
  const runCommittee = async (quiet = false): Promise<FrameOutcome> => {
    const [outcome] = await runOracle({
      protocol,
      beacon,
      provider: ethers.provider,
      members,
      frames: 1,
      pollMs: 50,
      signal: AbortSignal.timeout(ORACLE_TIMEOUT_MS),
      log: quiet ? () => {} : (line) => console.log(`  ${line}`),
    });
    if (outcome?.processed !== true) {
      throw new Error(`the oracle committee did not get a report applied within ${ORACLE_TIMEOUT_MS / 1000} s`);
    }
    return outcome;
  };

  const slotTime = (slot: bigint) => slotStartTime(frameConfig, slot);
  /** Days since day 0 of the year (`yearStart`). */
  const dayOf = (timestamp: bigint) => Number(timestamp - yearStart.timestamp) / Number(SECONDS_PER_DAY);
  const yearWithdrawals = [...YEAR_WITHDRAWALS];
  /**
   * Quiet times: the committee reports the frame REPORT_EVERY_DAYS after the last report's, again and again while its
   * reference slot comes before day `untilDay`; a withdrawal of YEAR_WITHDRAWALS is requested before the first report on or
   * after its day, which finalizes it. A progress bar while it runs, then one line.
   */
  const reportPeriodically = async (untilDay: number) => {
    const periodSlots = frameConfig.epochsPerFrame * frameConfig.slotsPerEpoch * BigInt(REPORT_EVERY_DAYS);
    const untilTime = yearStart.timestamp + BigInt(untilDay) * SECONDS_PER_DAY;
    const targets: bigint[] = [];
    const last = (await readFrame(protocol.accountingOracle)).lastProcessedRefSlot;
    for (let slot = last + periodSlots; slotTime(slot) <= untilTime; slot += periodSlots) targets.push(slot);
    const rateFrom = await shareRate();
    const requested: { owner: string; id: bigint }[] = [];
    const progress = createProgress(targets.length, `reports to day ${untilDay}`);
    for (const target of targets) {
      while (yearWithdrawals.length > 0 && yearWithdrawals[0]!.day <= dayOf(slotTime(target))) {
        const planned = yearWithdrawals.shift()!;
        const owner = await resolveSigner(ethers, planned.account);
        const made = await requestWithdrawal(protocol, owner, parseEthAmount(planned.plEth));
        requested.push({ owner: owner.address, id: made.requests[0]!.id });
      }
      await toReportableFrame(target);
      await runCommittee(true);
      progress.tick();
    }
    progress.finish();
    for (const { owner, id } of requested) {
      const request = (await listWithdrawalRequests(protocol, owner)).find((r) => r.id === id);
      if (request?.status !== "finalized") throw new Error(`request #${id} should have been finalized`);
    }
    const reports = await readAppliedReports(
      protocol.pool,
      protocol.addresses.deployedAtBlock ?? 0,
      await ethers.provider.getBlockNumber(),
    );
    const apr = averageApr(reports.slice(-targets.length), targets.length);
    console.log(
      `  ${targets.length} reports (${CADENCE}), day ${dayOf(slotTime(targets[0]!)).toFixed(0)} to ` +
        `${dayOf(slotTime(targets[targets.length - 1]!)).toFixed(0)}: share rate ${formatEth(rateFrom)} → ` +
        `${formatEth(await shareRate())} per plETH (${apr === undefined ? "n/a" : formatApr(apr)} a year to ` +
        `holders, after fees); ${requested.length === 0 ? "no withdrawal requested" : `withdrawal request(s) #${requested.map((r) => r.id).join(", #")} finalized by the next report`}`,
    );
  };

  const voters = await Promise.all(
    [PLURAL_HOLDERS.proposer, PLURAL_HOLDERS.second, PLURAL_HOLDERS.third].map((holder) =>
      resolveSigner(ethers, holder),
    ),
  );
  /**
   * Token governance, start to end: the largest holder proposes, the three holders vote (for, against, abstain), the
   * proposal is queued on the timelock and executed after its delay; the clock moves to each step (10 minutes of
   * voting delay, an hour of vote, an hour of timelock delay) and the beacon chain follows.
   */
  const passByVote = async (planned: GovernancePlan, description: string) => {
    const proposal = await submitPlan(protocol, voters[0]!, planned, { description, operations: false });
    if (proposal.kind !== "proposal") throw new Error("token governance should make a Governor proposal");
    const id = shortProposalId(proposal.id);
    console.log(`  proposal ${id}: "${description}"`);
    await castVote(governor, token, voters[0]!, proposal.id, "for", { advance });
    await castVote(governor, token, voters[1]!, proposal.id, "against");
    const last = await castVote(governor, token, voters[2]!, proposal.id, "abstain");
    const queued = await queueProposal(governor, voters[0]!, proposal.id, { advance });
    console.log(
      `  votes: ${describeTally(last.proposal)}; ${queued.proposal.state.toLowerCase()} on the timelock until ` +
        `${new Date(Number(queued.proposal.eta) * 1000).toISOString()}`,
    );
    const executed = await executeProposal(governor, voters[0]!, proposal.id, { advance });
    await simulator.sync();
    return executed;
  };

  const activation = await simulator.advance(ACTIVATION_EPOCHS);
  const { deposits } = await simulator.read((sim) => sim.status());
  console.log(
    `  Beacon API on ${api.url}, genesis ${new Date(Number(simulator.genesisTime) * 1000).toISOString()} (the ` +
      `oracle's); ${deposits.seen} deposits read, ${deposits.created} validators created; ${ACTIVATION_EPOCHS} epochs ` +
      `later, head epoch ${activation.headEpoch}:`,
  );
  console.log(await beaconStatus());

  step(10, "A holder requests a withdrawal; the oracle committee's next report applies rewards and finalizes it...");
  const withdrawer = await resolveSigner(ethers, WITHDRAWALS[0].account);
  const firstRequest = await requestWithdrawal(protocol, withdrawer, parseEthAmount(WITHDRAWALS[0].plEth));
  const requested = firstRequest.requests[0]!;
  console.log(
    `  ${withdrawer.address} requested ${formatPlEth(requested.shares)} (worth ${formatEth(requested.etherValue)}) in ` +
      `one transaction with a permit: request NFT #${requested.id}, ${firstRequest.gasUsed} gas`,
  );
  const refSlot = await toReportableFrame(activation.headSlot);
  console.log(`  chain time moved to the frame's first reportable moment: reference slot ${refSlot} is final`);
  const rateBefore = await shareRate();
  await runCommittee();
  const rateAfterFirst = await shareRate();
  if (rateAfterFirst <= rateBefore) throw new Error("the first report should have raised the share rate");
  console.log(rateLine(rateBefore, rateAfterFirst));
  const [finalized] = await listWithdrawalRequests(protocol, withdrawer.address);
  console.log(
    `  request #${requested.id} ${finalized!.status}: ${formatEth(finalized!.claimable)} claimable, its value when ` +
      `made (the rewards since stay with the holders)`,
  );
  console.log(await poolStatus());

  step(
    11,
    `Beacon time runs to day ${SLASHING_DAY}: the committee reports ${CADENCE}, withdrawals are requested on the way...`,
  );
  await reportPeriodically(SLASHING_DAY);

  const slashingDay = dayOf(BigInt(await networkHelpers.time.latest())).toFixed(0);
  step(
    12,
    `Day ${slashingDay}, half-way through the year: a validator is slashed; the next report applies the loss...`,
  );
  const rateBeforeSlashing = await shareRate();
  const balanceBeforeSlashing = (await protocol.pool.getAccounting()).beaconBalance;
  const [operators, batches] = await Promise.all([
    listOperators(protocol.operatorRegistry),
    readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock),
  ]);
  // Keys are deposited in index order: an operator's first `depositedKeys` keys are staked.
  const victim = committedKeys(batches).find((key) => BigInt(key.index) < operators[key.operatorId]!.depositedKeys);
  if (victim === undefined) throw new Error("no staked key to slash");
  const slashed = await simulator.slash(victim.pubkey);
  console.log(
    `  validator ${slashed.index} (${victim.pubkey.slice(0, 12)}…, key ${victim.index} of operator ` +
      `${victim.operatorId} ${operators[victim.operatorId]!.name}) slashed: now ${slashed.status}`,
  );
  const secondWithdrawer = await resolveSigner(ethers, WITHDRAWALS[1].account);
  const secondRequest = await requestWithdrawal(protocol, secondWithdrawer, parseEthAmount(WITHDRAWALS[1].plEth));
  console.log(
    `  ${secondWithdrawer.address} requests ${formatPlEth(secondRequest.requests[0]!.shares)} right after the ` +
      `slashing: request NFT #${secondRequest.requests[0]!.id}`,
  );
  const slashedAtSlot = await simulator.read((sim) => sim.headSlot);
  await toReportableFrame(slashedAtSlot + 1n);
  const second = await runCommittee();
  const rateAfterSecond = await shareRate();
  const accounting = await protocol.pool.getAccounting();
  if (rateAfterSecond >= rateBeforeSlashing) throw new Error("the slashing should have lowered the share rate");
  if (accounting.exitedValidators !== 1n) {
    throw new Error(`the slashed validator should count as exited: the pool has ${accounting.exitedValidators}`);
  }
  console.log(rateLine(rateBeforeSlashing, rateAfterSecond));
  console.log(
    `  beacon balance ${formatEth(balanceBeforeSlashing)} → ${formatEth(second.built.report.beaconBalance)}; ` +
      `${second.built.slashedValidators} slashed validator, counted as exited (report: ` +
      `${second.built.report.exitedValidators}, pool: ${accounting.exitedValidators})`,
  );
  console.log(await beaconStatus());
  console.log(await poolStatus());
  const queue = await getQueueStatus(protocol, ethers.provider);
  console.log(
    `  withdrawal queue: bunker mode ${queue.bunkerMode ? "on" : "off"} (the slashed validator's penalties are not all ` +
      `applied yet), request #${secondRequest.requests[0]!.id} waits: ${queue.pendingRequests} pending, ` +
      `${formatEth(queue.unfinalizedEther)} of demand`,
  );

  step(
    13,
    "A holder asks for more than the pool holds: the committee's exit data asks operators to exit validators...",
  );
  const large = await resolveSigner(ethers, WITHDRAWALS[2].account);
  const largeRequest = await requestWithdrawal(protocol, large, parseEthAmount(WITHDRAWALS[2].plEth));
  console.log(
    `  ${large.address} requests ${formatPlEth(largeRequest.requests[0]!.shares)} (worth ` +
      `${formatEth(largeRequest.requests[0]!.etherValue)}): request NFT #${largeRequest.requests[0]!.id}`,
  );
  await toReportableFrame((await simulator.read((sim) => sim.headSlot)) + 1n);
  const third = await runCommittee();
  const exitPlan = third.built.exitPlan;
  if (exitPlan.requests.length === 0) throw new Error("the report should have asked for exits");
  console.log(
    `  demand ${formatEth((await getQueueStatus(protocol, ethers.provider)).unfinalizedEther)}: the buffer and the ` +
      `vaults, plus ${formatEth(exitPlan.expected)} on its way (the slashed validator's balance), leave a ` +
      `${formatEth(exitPlan.shortfall)} shortfall; the report's exit data (${third.exitData.pages} page, sent after it) ` +
      `asks for ${exitPlan.requests.length} exits:`,
  );
  const names = new Map((await listOperators(protocol.operatorRegistry)).map((op) => [op.id, op.name]));
  console.log(
    renderGrid(
      "Exit requests (operators with the most validators left first, oldest key first)",
      ["operator", "key", "pubkey", "balance"],
      exitPlan.requests.map((request) => [
        `${request.operatorId} ${names.get(request.operatorId)}`,
        String(request.keyIndex),
        `${request.pubkey.slice(0, 14)}…`,
        formatEth(request.balance, 6),
      ]),
    ),
  );
  const asked = [...new Set(exitPlan.requests.map((request) => request.operatorId))];
  // The operator of the last request ignores it (a cluster could not exit with one key anyway); the others comply.
  const lateOperator = asked[asked.length - 1]!;
  const compliant = asked.filter((id) => id !== lateOperator && id < OPERATORS.length);

  step(14, `Operators run their exit daemons; ${names.get(lateOperator)} ignores its request...`);
  for (const operatorId of compliant) {
    const summary = await runExitResponder({
      protocol,
      beacon,
      operatorId,
      keys: signingKeysFromMnemonic(mnemonics[operatorId]!, 0, OPERATORS[operatorId]!.keys),
      once: true,
      log: (line) => console.log(`  ${names.get(operatorId)}: ${line}`),
    });
    if (summary.submitted.length === 0) throw new Error(`${names.get(operatorId)} should have exited validators`);
  }
  await simulator.sync();
  console.log(await beaconStatus());

  step(
    15,
    `${LATE_DAYS} days later: the late operator is penalized; PLURAL holders vote to force its exit (EIP-7002)...`,
  );
  await simulator.advance(LATE_DAYS * EPOCHS_PER_DAY);
  await toReportableFrame(await simulator.read((sim) => sim.headSlot));
  await runCommittee();
  const exitStatus = await readExitStatus(protocol, { beacon });
  console.log(formatExitStatus(exitStatus, chainName));
  if (!exitStatus.operators[lateOperator]!.penalized) throw new Error("the late operator should be penalized");
  const lateKeys = (exitStatus.operators[lateOperator]!.toExit ?? []).map((request) => request.pubkey);
  const forced = await passByVote(
    await planForceExit(protocol, ethers.provider, lateKeys, parseEthAmount("0.001"), 0n),
    `Force the exit of ${lateKeys.length} validator(s) of ${names.get(lateOperator)}, late past its deadline (EIP-7002)`,
  );
  const forcedReceipt = await ethers.provider.getTransactionReceipt(forced.txHash);
  const exitsForced = forcedReceipt!.logs
    .filter((log) => log.address.toLowerCase() === protocol.addresses.withdrawalVault.toLowerCase())
    .map((log) => protocol.withdrawalVault.interface.parseLog(log))
    .find((parsed) => parsed?.name === "ExitsForced");
  console.log(
    `  executed through the timelock: ${exitsForced?.args.count} request(s) to the EIP-7002 contract, fee ` +
      `${exitsForced?.args.totalFee} wei paid by the vault (a cost the next report shows)`,
  );
  const applied = await simulator.sync();
  console.log(
    `  the beacon chain takes the request in its next block (the end-of-block system call dequeues it): ` +
      `${lateKeys.map((key) => key.slice(0, 14) + "…").join(", ")} now ` +
      `${(await Promise.all(lateKeys.map(async (key) => (await beacon.validator("head", key))?.status))).join(", ")} ` +
      `(head slot ${applied.headSlot})`,
  );

  await toReportableFrame(applied.headSlot + 1n);
  await runCommittee();
  const forfeited = await protocol.operatorRegistry.queryFilter(protocol.operatorRegistry.filters.FeesForfeited());
  const burned = forfeited.reduce((sum, event) => sum + event.args.shares, 0n);
  if (burned === 0n || (await protocol.operatorRegistry.getExitState(lateOperator)).penalized) {
    throw new Error("the late operator's fees while penalized should be burned, and its penalty lifted");
  }
  console.log(
    `  the next report sees the validator exited: ${names.get(lateOperator)} has caught up and its penalty is ` +
      `lifted; what it earned while penalized, ${formatPlEth(burned, 9)}, was burned (every holder's share gains)`,
  );

  step(16, "The slashed validator becomes withdrawable: bunker mode ends and the next report pays the queue...");
  const withdrawableEpoch = await simulator.read(
    (sim) => sim.headState().validators.find((v) => v.pubkey === victim.pubkey.toLowerCase())!.withdrawableEpoch,
  );
  // The beacon chain runs until the slashed validator is withdrawable and swept into the vault...
  const headEpoch = await simulator.read((sim) => sim.headEpoch);
  await simulator.advance(Number(withdrawableEpoch - headEpoch) + 2);
  // ...and the first frame whose reference slot comes after that is reported.
  const { refSlot: paidRefSlot } = await firstFrameFrom(await simulator.read((sim) => sim.headSlot));
  // The correlation penalty of the slashing (a third of the validator's balance with this few validators) is above
  // the 2 % loss bound: holders vote to accept it explicitly, for the next report (its frame, or the one after if the
  // vote outlasts it).
  const frameSlots = frameConfig.epochsPerFrame * frameConfig.slotsPerEpoch;
  await passByVote(
    await planAcceptLoss(protocol, parseEthAmount("20"), paidRefSlot + frameSlots),
    `Accept up to 20 ETH of slashing losses in the next report (reference slot up to ${paidRefSlot + frameSlots})`,
  );
  await toReportableFrame(paidRefSlot);
  const fifth = await runCommittee();
  const queueAfter = await getQueueStatus(protocol, ethers.provider);
  if (fifth.built.report.bunkerMode || queueAfter.pendingRequests !== 0n) {
    throw new Error("the report after the slashed validator's withdrawal should finalize every request");
  }
  console.log(
    `  ${fifth.built.report.exitedValidators} validators exited, bunker mode off: every request finalized, ` +
      `${formatEth(queueAfter.lockedEther)} locked in the queue for them`,
  );
  console.log(formatExitStatus(await readExitStatus(protocol, { beacon }), chainName));

  step(17, `The rest of the year: the committee reports ${CADENCE} to day ${YEAR_DAYS}...`);
  await reportPeriodically(YEAR_DAYS);

  step(18, "Operators claim their fees; the holders claim their ether; every wei is accounted for...");
  console.log(await operatorsTable());
  const managers = [...OPERATORS.map((operator) => operator.manager), CLUSTER.manager];
  const claims = [];
  for (const operator of await listOperators(protocol.operatorRegistry)) {
    if (operator.claimableFees === 0n) continue;
    const signer = await resolveSigner(ethers, managers[operator.id]!);
    claims.push(await claimOperatorFees(protocol, operator.id, signer));
  }
  console.log(
    renderGrid(
      `Fees claimed (${claims.length} operators)`,
      ["operator", "sent to (reward address)", "plETH", "worth now"],
      claims.map((claim) => [
        `${claim.operatorId} ${claim.name}`,
        claim.rewardAddress,
        formatPlEth(claim.shares, 9),
        formatEth(claim.value, 9),
      ]),
    ),
  );
  for (const [index, planned] of WITHDRAWALS.entries()) {
    const owner = await resolveSigner(ethers, planned.account);
    const ids = (await listWithdrawalRequests(protocol, owner.address))
      .filter((request) => request.status === "finalized")
      .map((request) => request.id);
    const withdrawal = await claimWithdrawals(protocol, owner, ids);
    console.log(
      `  (${index + 1}/${WITHDRAWALS.length}) ${owner.address} claims request(s) #${ids.join(", #")}: ` +
        `${formatEth(withdrawal.total)} received, the NFT${ids.length > 1 ? "s" : ""} burned (${withdrawal.gasUsed} gas)`,
    );
  }
  console.log(formatLedger(await readLedger(protocol, simulator), "Every wei since deployment (Promise 1)"));

  const holderRows = await Promise.all(
    holders.map(async (holder) => {
      const shares = await protocol.pool.balanceOf(holder);
      return [holder, `${formatPlEth(shares)} = ${formatEth(await protocol.pool.convertToAssets(shares))}`] as const;
    }),
  );
  console.log(renderTable("Holders", holderRows));

  // ----- The year in figures: a table per operator, one for the protocol, the share rate as a chart -----
  const latestBlock = await ethers.provider.getBlockNumber();
  const appliedReports = await readAppliedReports(protocol.pool, protocol.addresses.deployedAtBlock ?? 0, latestBlock);
  const series = [
    {
      day: 0,
      time: yearStart.timestamp,
      block: yearStart.block,
      refSlot: undefined as bigint | undefined,
      rate: await protocol.pool.convertToAssets(ONE_SHARE, { blockTag: yearStart.block }),
    },
  ];
  for (const report of appliedReports) {
    series.push({
      day: dayOf(slotTime(report.refSlot)),
      time: slotTime(report.refSlot),
      block: report.blockNumber,
      refSlot: report.refSlot,
      // The rate holders saw right after the report, from the report's own totals.
      rate: rateAfter(report),
    });
  }
  const firstPoint = series[0]!;
  const lastPoint = series[series.length - 1]!;

  const [finalOperators, shareCapBps, finalStatus] = await Promise.all([
    listOperators(protocol.operatorRegistry),
    protocol.operatorRegistry.shareCapBps(),
    getPoolStatus(protocol.pool, ethers.provider, undefined, {
      fromBlock: protocol.addresses.deployedAtBlock,
      reports: appliedReports,
    }),
  ]);
  // No keys were submitted since the batches were read for the slashing.
  const operatorOf = new Map(committedKeys(batches).map((key) => [key.pubkey.toLowerCase(), key.operatorId]));
  const slashedBy = new Map<number, number>();
  for (const validator of await simulator.read((sim) => sim.headState().validators)) {
    const operatorId = operatorOf.get(validator.pubkey);
    if (validator.slashed && operatorId !== undefined) slashedBy.set(operatorId, (slashedBy.get(operatorId) ?? 0) + 1);
  }
  const feeEvents = async (filter: "FeesClaimed" | "FeesForfeited") =>
    protocol.operatorRegistry.queryFilter(
      protocol.operatorRegistry.filters[filter](),
      protocol.addresses.deployedAtBlock ?? 0,
      latestBlock,
    );
  const [claimedEvents, forfeitedEvents] = await Promise.all([feeEvents("FeesClaimed"), feeEvents("FeesForfeited")]);
  const claimedShares = sharesByOperator(claimedEvents);
  const forfeitedShares = sharesByOperator(forfeitedEvents);
  const activeTotal = finalOperators.reduce((sum, op) => sum + op.activeValidators, 0n);
  console.log(
    renderGrid(
      `Operators after ${YEAR_DAYS} days (fees at the final share rate)`,
      ["operator", "validators", "active", "exited", "slashed", "share of stake", "fees earned", "fees burned"],
      await Promise.all(
        finalOperators.map(async (op) => [
          `${op.id} ${op.name}${op.clusterThreshold > 0 ? ` (${op.clusterThreshold}-of-${op.clusterMembers.length} DV)` : ""}`,
          String(op.depositedKeys),
          String(op.activeValidators),
          String(op.exitedKeys),
          String(slashedBy.get(op.id) ?? 0),
          formatBps(shareBps(op.activeValidators, activeTotal)),
          formatEth(await protocol.pool.convertToAssets((claimedShares.get(op.id) ?? 0n) + op.claimableFees), 6),
          formatEth(await protocol.pool.convertToAssets(forfeitedShares.get(op.id) ?? 0n), 6),
        ]),
      ),
    ),
  );

  const concentration = operatorConcentration(finalOperators);
  const elapsed = lastPoint.time - firstPoint.time;
  const realizedApr = aprFromReport({
    timeElapsed: elapsed,
    preTotalEther: firstPoint.rate,
    preTotalShares: ONE_SHARE,
    postTotalEther: lastPoint.rate,
    postTotalShares: ONE_SHARE,
  });
  // Rewards alone: the reports that did not lower the rate (all but the slashing's), time-weighted.
  const gains = appliedReports.filter(
    (r) => r.postTotalEther * r.preTotalShares >= r.preTotalEther * r.postTotalShares,
  );
  const rewardsApr = averageApr(gains, Math.max(gains.length, 1));
  const deposited = finalOperators.reduce((sum, op) => sum + op.depositedKeys, 0n);
  const exited = finalOperators.reduce((sum, op) => sum + op.exitedKeys, 0n);
  const slashedTotal = [...slashedBy.values()].reduce((sum, count) => sum + count, 0);
  const queueClaims = await protocol.withdrawalQueue.queryFilter(
    protocol.withdrawalQueue.filters.WithdrawalClaimed(),
    protocol.addresses.deployedAtBlock ?? 0,
    latestBlock,
  );
  const fees = finalStatus.fees;
  const protocolRows: Row[] = [
    ["TVL (total pooled ether)", formatEth(finalStatus.totalPooledEther, 6)],
    ["plETH supply", formatPlEth(finalStatus.totalShares, 6)],
    ["share rate", `${formatEth(firstPoint.rate, 6)} → ${formatEth(lastPoint.rate, 6)} per plETH`],
    [
      "realized APR to holders, after fees",
      `${realizedApr === undefined ? "n/a" : formatApr(realizedApr)} over ${dayOf(lastPoint.time).toFixed(0)} days ` +
        `(share rate; slashing included)`,
    ],
    [
      "APR to holders from rewards alone",
      `${rewardsApr === undefined ? "n/a" : formatApr(rewardsApr)} (the ${gains.length} reports without a loss)`,
    ],
    ["consensus reward rate (simulator)", `${formatBps(BigInt(CONSENSUS_REWARD_BPS))} a year on staked ether`],
    [
      "protocol fee",
      `${formatBps(fees.treasuryFeeBps + fees.operatorFeeBps)} of rewards (treasury ${formatBps(fees.treasuryFeeBps)}, ` +
        `operators ${formatBps(fees.operatorFeeBps)})`,
    ],
    [
      "fees minted",
      `${formatPlEth(finalStatus.feesMinted.treasuryShares + finalStatus.feesMinted.operatorShares, 6)} ` +
        `(${formatEth(finalStatus.feesMinted.value, 6)} now)`,
    ],
    ["oracle reports applied", String(appliedReports.length)],
    [
      "withdrawals paid",
      `${queueClaims.length} requests, ${formatEth(
        queueClaims.reduce((sum, event) => sum + event.args.amount, 0n),
        6,
      )}`,
    ],
    ["validators", `${deposited} deposited, ${deposited - exited} active, ${exited} exited (${slashedTotal} slashed)`],
    ["decentralization"],
    ["operators with validators", String(concentration.operators)],
    [
      "largest share of stake",
      `${formatBps(BigInt(concentration.maxShareBps))} (cap ${formatBps(shareCapBps)}, on new deposits)`,
    ],
    ["Nakamoto coefficient (> 1/3)", String(concentration.nakamotoCoefficient)],
    ["Herfindahl-Hirschman index (0-10,000)", concentration.herfindahlHirschmanIndex.toFixed(2)],
  ];
  console.log(renderTable(`Protocol after ${YEAR_DAYS} days of beacon time`, protocolRows));

  const csvFile = path.join(OUTPUT_DIR, "share-rate.csv");
  const svgFile = path.join(OUTPUT_DIR, "share-rate.svg");
  writeFileSync(
    csvFile,
    ["day,time_utc,block,ref_slot,eth_per_pleth"]
      .concat(
        series.map((point) =>
          [point.day.toFixed(3), isoTime(point.time), point.block, point.refSlot ?? "", formatEther(point.rate)].join(
            ",",
          ),
        ),
      )
      .join("\n") + "\n",
  );
  writeFileSync(
    svgFile,
    renderLineChartSvg(
      series.map((point) => ({ x: point.day, y: Number(formatEther(point.rate)) })),
      {
        title: `plETH share rate over ${YEAR_DAYS} days (${appliedReports.length} oracle reports)`,
        xLabel: "days since the validators activated",
        yLabel: "ETH per plETH",
      },
    ),
  );
  console.log(`\n  share rate after every report: ${path.relative(process.cwd(), csvFile)} (${series.length} rows)`);
  console.log(`  chart: ${path.relative(process.cwd(), svgFile)} (open it in a browser)`);

  if (LIVE) await keepExploring(simulator, api.url);
} finally {
  await api.close();
  if (node !== undefined) {
    await node.stop();
    console.log("Stopped.");
  }
}

/**
 * Live mode: the node and the Beacon API stay up, the simulator follows the chain as the tasks mine, until Ctrl-C
 * (SIGINT) or SIGTERM.
 */
async function keepExploring(simulator: BeaconSimulator, beaconUrl: string): Promise<void> {
  const dashboard = await startDashboard({
    protocol,
    provider: ethers.provider,
    beacon: new BeaconClient(beaconUrl),
    networkName: connection.networkName,
    governanceFromBlock: await governanceFromBlock(protocol.addresses, (await ethers.provider.getNetwork()).chainId),
    port: DASHBOARD_PORT,
  });
  const env = `PLURAL_DEPLOYMENT_ID=${LIVE_DEPLOYMENT_ID}${LOCAL_PORT === 8545 ? "" : ` PLURAL_LOCALHOST_PORT=${LOCAL_PORT}`}`;
  const beaconFlag = BEACON_PORT === 5052 ? "" : ` --beacon-url ${beaconUrl}`;
  const urlFlag = BEACON_PORT === 5052 ? "" : ` --url ${beaconUrl}`;
  console.log(
    renderTable("Live: still running for you to explore (Ctrl-C stops them)", [
      ["dashboard (open it in a browser)", dashboard.url],
      ["JSON-RPC (hardhat node)", node!.url],
      ["Beacon API (simulator)", beaconUrl],
      ["deployment record", path.relative(process.cwd(), deploymentDirectory(LIVE_DEPLOYMENT_ID))],
      ["node log", path.relative(process.cwd(), path.join(OUTPUT_DIR, "hardhat-node.log"))],
      ["In another terminal:"],
      [`export ${env}`],
      ["npx hardhat pool status --network localhost"],
      ["npx hardhat operators list --network localhost"],
      ["npx hardhat pool deposit 1.5 --network localhost"],
      [`npx hardhat beacon advance --epochs 225${urlFlag}`],
      [`npx hardhat oracle run --member 10,11 --frames 1 --network localhost${beaconFlag}`],
      ["npx hardhat withdrawals status --network localhost"],
      ["npx hardhat gov status --network localhost"],
      [`npx hardhat beacon status${urlFlag}`],
    ]),
  );
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await followChain(simulator, stopped.signal, { log: (line) => console.log(`  ${line}`) });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await dashboard.close();
  }
  console.log("\nStopping: the dashboard, the Beacon API and the hardhat node...");
}

/** PLURAL_DEMO_REPORT_DAYS: days between reports in the quiet times, a whole number from 1 to 30. */
function reportCadence(value: string | undefined, byDefault: number): number {
  if (value === undefined || value.trim() === "") return byDefault;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 30) {
    console.error(`Error: PLURAL_DEMO_REPORT_DAYS "${value}": expected a whole number of days from 1 to 30`);
    process.exit(1);
  }
  return days;
}
