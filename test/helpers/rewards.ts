/**
 * Rewards the way the protocol earns them, on any chain the tests drive (the in-process one or a `hardhat node`):
 * operators with keys, validators staked on a guardian quorum, then oracle reports that see them with a beacon
 * balance grown (or shrunk) at a chosen yearly rate, within the oracle's sanity bounds.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { parseEther, ZeroHash } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { nextReportableFrame, type OracleReport, readFrame } from "../../lib/oracle/frames.js";
import { lastRequestMadeBy } from "../../lib/oracle/report.js";
import type { Protocol } from "../../lib/protocol.js";
import { stakeThroughOperators } from "./staked.js";

const VALIDATOR_ETHER = parseEther("32");
const YEAR = 365n * 86_400n;
const BPS = 10_000n;

/**
 * Account indices (deploy/parameters/local.json: #1 governance, #10-#12 oracle members with a quorum of 2, #16 the
 * treasury, #17-#19 guardians). Each operator's fees go to a reward address that is not its manager.
 */
export const ROLES = {
  depositor: 0,
  governance: 1,
  managers: [2, 3, 4, 5],
  rewardAddresses: [6, 7, 8, 9],
  oracleMembers: [10, 11],
  guardians: [17, 18],
} as const;

/** One operator per manager: the share cap (30 %) needs four of them for every validator to fit. */
export const OPERATOR_NAMES = ["Aurora Staking", "Borealis Nodes", "Cirrus Validators", "Delta Nodes"] as const;

async function signer(connection: NetworkConnection, index: number): Promise<HardhatEthersSigner> {
  const found = (await connection.ethers.getSigners())[index];
  if (found === undefined) throw new Error(`tests need account #${index}`);
  return found;
}

/**
 * Governance adds the four operators through the timelock, each submits one key (real BLS deposit data for the
 * vault's credentials) and has it vetted; 128 ETH are deposited and the four validators staked on two guardians'
 * attestation.
 */
export async function stakeOneValidatorPerOperator(connection: NetworkConnection, protocol: Protocol): Promise<void> {
  const operators = OPERATOR_NAMES.map((name, id) => ({
    name,
    manager: ROLES.managers[id]!,
    rewardAddress: ROLES.rewardAddresses[id]!,
  }));
  await stakeThroughOperators(connection, protocol, operators, 1, ROLES.depositor);
}

/** A report the committee applied, with what the pool was told about its timing. */
export interface SubmittedReport {
  report: OracleReport;
  /** Seconds since the previous report's reference slot: the `timeElapsed` the pool sees. */
  timeElapsed: bigint;
  /** The beacon side's change, wei (negative for a loss). */
  beaconDelta: bigint;
}

/**
 * Waits `waitSeconds`, then until the oracle takes the next frame's report, and has two members submit one that sees
 * every deposited validator with the beacon balance changed at `aprBps` a year (negative: a loss, as slashing) over
 * the time since the last report. The sanity bound allows gains up to `maxAprBps` (1,000 locally) and losses up to
 * `maxLossBps` (2 %) of the beacon balance per report. The second vote applies the report.
 */
export async function submitBeaconReport(
  connection: NetworkConnection,
  protocol: Protocol,
  aprBps: bigint,
  waitSeconds = 0n,
): Promise<SubmittedReport> {
  const { networkHelpers } = connection;
  if (waitSeconds > 0n) await networkHelpers.time.increase(waitSeconds);
  const frame = await readFrame(protocol.accountingOracle);
  const { refSlot, reportableTime } = nextReportableFrame(frame);
  if (reportableTime > BigInt(await networkHelpers.time.latest())) await networkHelpers.time.increaseTo(reportableTime);
  const timeElapsed = (refSlot - frame.lastProcessedRefSlot) * frame.secondsPerSlot;
  const accounting = await protocol.pool.getAccounting();
  // What the pool counts the beacon side at before the report: its balance plus 32 ETH per newly seen validator.
  const beaconBefore =
    accounting.beaconBalance + (accounting.depositedValidators - accounting.beaconValidators) * VALIDATOR_ETHER;
  const beaconDelta = (beaconBefore * aprBps * timeElapsed) / (YEAR * BPS);
  const report: OracleReport = {
    refSlot,
    beaconValidators: accounting.depositedValidators,
    beaconBalance: beaconBefore + beaconDelta,
    exitedValidators: accounting.exitedValidators,
    withdrawalVaultBalance: 0n,
    elRewardsVaultBalance: 0n,
    lastFinalizableRequestId: await lastRequestMadeBy(
      protocol.withdrawalQueue,
      frame.genesisTime + refSlot * frame.secondsPerSlot,
      "latest",
    ),
    bunkerMode: false,
    exitDataHash: ZeroHash,
  };
  for (const index of ROLES.oracleMembers) {
    await (await protocol.accountingOracle.connect(await signer(connection, index)).submitReport(report)).wait();
  }
  return { report, timeElapsed, beaconDelta };
}
