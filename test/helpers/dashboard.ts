/**
 * The short scenario the dashboard tests show, on any chain the tests drive (the in-process one or a `hardhat node`):
 * a beacon simulator and its Beacon API beside a staked deployment (helpers/staked.ts), oracle reports by two
 * committee members through that API, a withdrawal request finalized by the next report, the guardian's pause of
 * deposits and an operation waiting on the governance timelock. The beacon world and its frame and oracle helpers
 * also serve the oracle daemon's tests (oracle.daemon.test.ts).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { parseEther } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { type BeaconApiServer, startBeaconApi } from "../../lib/beacon/api.js";
import { BeaconClient } from "../../lib/beacon/client.js";
import { BeaconSimulator } from "../../lib/beacon/simulator.js";
import { advanceOperation } from "../../lib/governance.js";
import { type FrameOutcome, runOracle } from "../../lib/oracle/daemon.js";
import { nextReportableFrame, readFrame } from "../../lib/oracle/frames.js";
import { registryOperation } from "../../lib/operators.js";
import { PAUSE_TARGETS, pauseAsGuardian } from "../../lib/pause.js";
import { deposit } from "../../lib/pool.js";
import type { Protocol } from "../../lib/protocol.js";
import { requestWithdrawal } from "../../lib/withdrawals.js";
import { STAKED_ACCOUNTS } from "./staked.js";

/** Mainnet preset: eligibility, its finalization and the seed lookahead take 6 epochs; 10 leave a margin. */
const ACTIVATION_EPOCHS = 10;
/** deploy/parameters/local.json: the pause guardian is account #4. */
const PAUSE_GUARDIAN = 4;
/** Deposits after the staking, so the buffer can pay a withdrawal. */
const LATE_DEPOSITOR = 5;

export interface BeaconWorld {
  connection: NetworkConnection;
  protocol: Protocol;
  simulator: BeaconSimulator;
  api: BeaconApiServer;
  beacon: BeaconClient;
  /** The first slot by which every staked validator is active: reports before it would see them pending. */
  activeFromSlot: bigint;
}

/**
 * A simulator on the oracle's clock (or on `options.genesisTime`'s) beside the staked deployment, its validators
 * active, and its Beacon API.
 */
export async function startBeaconWorld(
  connection: NetworkConnection,
  protocol: Protocol,
  options: { genesisTime?: bigint } = {},
): Promise<BeaconWorld> {
  const [config] = await protocol.accountingOracle.getFrameConfig();
  const simulator = await BeaconSimulator.create(connection.provider, {
    depositContract: protocol.addresses.depositContract,
    genesisTime: options.genesisTime ?? config.genesisTime,
    feeRecipient: protocol.addresses.executionRewardsVault,
    historyEpochs: 256,
  });
  // Staking happened hours of timelock delays after the deployment, past the first frame's reference slot: the
  // validators become active a few epochs after the deposits.
  await simulator.advance(ACTIVATION_EPOCHS);
  const activeFromSlot = await simulator.read((sim) => sim.headSlot);
  const api = await startBeaconApi(simulator);
  return { connection, protocol, simulator, api, beacon: new BeaconClient(api.url), activeFromSlot };
}

/** The next unreported frame whose reference slot comes after the validators' activation. */
export async function nextFrameAfterActivation({
  protocol,
  activeFromSlot,
}: Pick<BeaconWorld, "protocol" | "activeFromSlot">): Promise<{ refSlot: bigint; reportableTime: bigint }> {
  const frame = await readFrame(protocol.accountingOracle);
  let { refSlot, reportableTime } = nextReportableFrame(frame);
  const frameSlots = frame.epochsPerFrame * frame.slotsPerEpoch;
  while (refSlot < activeFromSlot) {
    refSlot += frameSlots;
    reportableTime += frameSlots * frame.secondsPerSlot;
  }
  return { refSlot, reportableTime };
}

/**
 * Moves the chain to the first moment the next unreported frame whose reference slot comes after the validators'
 * activation can be reported (frames before it are missed), and lets the simulator follow. Returns its reference slot.
 */
export async function toNextReportableFrame(world: BeaconWorld): Promise<bigint> {
  const { refSlot, reportableTime } = await nextFrameAfterActivation(world);
  const { time } = world.connection.networkHelpers;
  if (reportableTime > BigInt(await time.latest())) await time.increaseTo(reportableTime);
  await world.simulator.sync();
  return refSlot;
}

/**
 * Runs the oracle daemon of `members` for one frame, polling fast, until it settles or `signal` aborts; `log`
 * collects its lines.
 */
export function runOracleFrame(
  world: BeaconWorld,
  members: HardhatEthersSigner[],
  signal: AbortSignal,
  log?: string[],
): Promise<FrameOutcome[]> {
  return runOracle({
    protocol: world.protocol,
    beacon: world.beacon,
    provider: world.connection.ethers.provider,
    members,
    pollMs: 20,
    maxBackoffMs: 100,
    frames: 1,
    signal,
    ...(log === undefined ? {} : { log: (line: string) => log.push(line) }),
  });
}

/**
 * Moves the chain to the next frame after the validators' activation (`toNextReportableFrame`) and has two members
 * report it (the second vote applies it).
 */
export async function reportNextFrame(world: BeaconWorld): Promise<FrameOutcome[]> {
  await toNextReportableFrame(world);
  const signers = await world.connection.ethers.getSigners();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    return await runOracleFrame(
      world,
      STAKED_ACCOUNTS.oracleMembers.slice(0, 2).map((index) => signers[index]!),
      controller.signal,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The rest of the scenario after the staking: a report, a 10 ETH deposit left in the buffer, a 5 ETH withdrawal request
 * finalized by a second report, the guardian's one-hour pause of deposits, and governance scheduling an operator's
 * deactivation (left waiting on the timelock).
 */
export async function runDashboardScenario(world: BeaconWorld): Promise<void> {
  const { connection, protocol } = world;
  const signers = await connection.ethers.getSigners();
  await reportNextFrame(world);
  const depositor = signers[STAKED_ACCOUNTS.depositor]!;
  // Every staked ether is on the beacon chain: a later deposit stays in the buffer and pays the request.
  await deposit(protocol.pool, signers[LATE_DEPOSITOR]!, parseEther("10"));
  await requestWithdrawal(protocol, depositor, await protocol.pool.convertToShares(parseEther("5")));
  await reportNextFrame(world);
  await pauseAsGuardian(protocol.emergencyPause, signers[PAUSE_GUARDIAN]!, PAUSE_TARGETS.deposits, 3_600n);
  await advanceOperation(
    protocol.timelock,
    signers[STAKED_ACCOUNTS.governance]!,
    await registryOperation(protocol.timelock, protocol.operatorRegistry, {
      kind: "setActive",
      operatorId: 3,
      active: false,
    }),
  );
}
