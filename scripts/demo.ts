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
 *   npm run demo
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { generateMnemonic } from "@scure/bip39";
import { ZeroAddress } from "ethers";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { network } from "hardhat";

import { resolveSigner } from "../lib/accounts.js";
import { formatEth, formatPlEth, parseEthAmount } from "../lib/amounts.js";
import { startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient, SimulatorClient } from "../lib/beacon/client.js";
import { formatGwei, readBeaconOverview } from "../lib/beacon/format.js";
import { BeaconSimulator, VALIDATOR_STATUSES } from "../lib/beacon/simulator.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
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
  queueProposal,
  shortProposalId,
  submitPlan,
} from "../lib/governor.js";
import { generateValidatorFiles } from "../lib/keys/generate.js";
import { finishDkg, writeDeal } from "../lib/keys/dkgFiles.js";
import { signingKeysFromMnemonic } from "../lib/keys/signingKeys.js";
import { combineDepositFiles, signDepositShare } from "../lib/keys/thresholdDeposits.js";
import { formatLedger, readLedger } from "../lib/ledger.js";
import { type FrameOutcome, runOracle } from "../lib/oracle/daemon.js";
import { nextReportableFrame, readFrame } from "../lib/oracle/frames.js";
import {
  advanceRegistryRequest,
  claimOperatorFees,
  committedKeys,
  formatOperators,
  listOperators,
  readCommittedBatches,
  type RegistryRequest,
} from "../lib/operators.js";
import { deposit } from "../lib/pool.js";
import { connectProtocol } from "../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../lib/staking.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { PAUSE_TARGETS, pauseAsGuardian } from "../lib/pause.js";
import { formatPoolStatus, getPoolStatus } from "../lib/status.js";
import { renderGrid, renderTable } from "../lib/table.js";
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

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const STEPS = 16;
const step = (n: number, text: string) => console.log(`\n[${n}/${STEPS}] ${text}`);

step(1, "Deploying Plural (deploy/modules/PluralLocal.ts with deploy/parameters/local-governor.json)...");
const protocol = await connectProtocol(ethers, await deployLocalProtocol(connection, { parametersFile: PARAMETERS }));
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
const advance = localClock(connection.provider, "default", true);

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
const skipDelay = localDelaySkipper(connection.provider, "default", true);
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
    "the in-process Hardhat chain",
  );
console.log("");
console.log(await operatorsTable());
console.log(await poolStatus());

step(9, `The beacon simulator starts on the oracle's clock; validators activate (${ACTIVATION_EPOCHS} epochs)...`);
const [frameConfig] = await protocol.accountingOracle.getFrameConfig();
const simulator = await BeaconSimulator.create(connection.provider, {
  depositContract: protocol.addresses.depositContract,
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
const api = await startBeaconApi(simulator);
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

  /** Runs the two members for one frame; returns once the pool applied the report. */
  const runCommittee = async (): Promise<FrameOutcome> => {
    const [outcome] = await runOracle({
      protocol,
      beacon,
      provider: ethers.provider,
      members,
      frames: 1,
      pollMs: 50,
      signal: AbortSignal.timeout(ORACLE_TIMEOUT_MS),
      log: (line) => console.log(`  ${line}`),
    });
    if (outcome?.processed !== true) {
      throw new Error(`the oracle committee did not get a report applied within ${ORACLE_TIMEOUT_MS / 1000} s`);
    }
    return outcome;
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
  const first = await runCommittee();
  const rateAfterFirst = await shareRate();
  if (rateAfterFirst <= rateBefore) throw new Error("the first report should have raised the share rate");
  console.log(rateLine(rateBefore, rateAfterFirst));
  const [finalized] = await listWithdrawalRequests(protocol, withdrawer.address);
  console.log(
    `  request #${requested.id} ${finalized!.status}: ${formatEth(finalized!.claimable)} claimable, its value when ` +
      `made (the rewards since stay with the holders)`,
  );
  console.log(await poolStatus());

  step(11, "A validator is slashed; the next frame's report applies the loss...");
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
  if (rateAfterSecond >= rateAfterFirst) throw new Error("the slashing should have lowered the share rate");
  if (accounting.exitedValidators !== 1n) {
    throw new Error(`the slashed validator should count as exited: the pool has ${accounting.exitedValidators}`);
  }
  console.log(rateLine(rateAfterFirst, rateAfterSecond));
  console.log(
    `  beacon balance ${formatEth(first.built.report.beaconBalance)} → ${formatEth(second.built.report.beaconBalance)}; ` +
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
    12,
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

  step(13, `Operators run their exit daemons; ${names.get(lateOperator)} ignores its request...`);
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
    14,
    `${LATE_DAYS} days later: the late operator is penalized; PLURAL holders vote to force its exit (EIP-7002)...`,
  );
  await simulator.advance(LATE_DAYS * EPOCHS_PER_DAY);
  await toReportableFrame(await simulator.read((sim) => sim.headSlot));
  await runCommittee();
  const exitStatus = await readExitStatus(protocol, { beacon });
  console.log(formatExitStatus(exitStatus, "the in-process Hardhat chain"));
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

  step(15, "The slashed validator becomes withdrawable: bunker mode ends and the next report pays the queue...");
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
  console.log(formatExitStatus(await readExitStatus(protocol, { beacon }), "the in-process Hardhat chain"));

  step(16, "Operators claim their fees; the holders claim their ether; every wei is accounted for...");
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
        `${formatEth(withdrawal.total)} received, the NFT burned (${withdrawal.gasUsed} gas)`,
    );
  }
  console.log(formatLedger(await readLedger(protocol, simulator), "Every wei since deployment (Promise 1)"));
} finally {
  await api.close();
}

const rows = await Promise.all(
  holders.map(async (holder) => {
    const shares = await protocol.pool.balanceOf(holder);
    return [holder, `${formatPlEth(shares)} = ${formatEth(await protocol.pool.convertToAssets(shares))}`] as const;
  }),
);
console.log(renderTable("Holders", rows));
