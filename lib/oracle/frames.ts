import { AbiCoder, keccak256 } from "ethers";

import type { AccountingOracle } from "../../typechain-types/index.js";

/** A report as the accounting oracle takes it (`IAccountingOracle.Report`); amounts in wei. */
export interface OracleReport {
  refSlot: bigint;
  beaconValidators: bigint;
  beaconBalance: bigint;
  exitedValidators: bigint;
  withdrawalVaultBalance: bigint;
  elRewardsVaultBalance: bigint;
  /** The newest withdrawal request made by the reference slot's time (0 for none): finalization stops there. */
  lastFinalizableRequestId: bigint;
  /** A counted validator is slashed and not yet withdrawable: penalties may still come, finalization waits. */
  bunkerMode: boolean;
  /** keccak256 of the first page of the frame's exit data (see `lib/oracle/exits.ts`), or the zero hash for none. */
  exitDataHash: string;
}

/** The report's fields in `IAccountingOracle.Report` order: the ABI tuple members vote on. */
const REPORT_TUPLE = "tuple(uint256,uint256,uint256,uint256,uint256,uint256,uint256,bool,bytes32)";

/** keccak256(abi.encode(report)): what members vote for. */
export function reportHash(report: OracleReport): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [REPORT_TUPLE],
      [
        [
          report.refSlot,
          report.beaconValidators,
          report.beaconBalance,
          report.exitedValidators,
          report.withdrawalVaultBalance,
          report.elRewardsVaultBalance,
          report.lastFinalizableRequestId,
          report.bunkerMode,
          report.exitDataHash,
        ],
      ],
    ),
  );
}

/** The oracle's clock and where the current frame stands. Slots and epochs are beacon-chain numbers. */
export interface FrameState {
  genesisTime: bigint;
  secondsPerSlot: bigint;
  slotsPerEpoch: bigint;
  epochsPerFrame: bigint;
  /** The slot of the latest block. */
  currentSlot: bigint;
  /** The current frame's reference slot, and the last slot a report for it is accepted in. */
  refSlot: bigint;
  deadlineSlot: bigint;
  /** The first slot the oracle accepts a report for `refSlot` at: two epochs after it (it can be finalized). */
  reportableSlot: bigint;
  /** The unix time of `reportableSlot`. */
  reportableTime: bigint;
  /** The reference slot of the last report applied; `refSlot` is done when it is not greater. */
  lastProcessedRefSlot: bigint;
}

/** The unix time at which `slot` starts on the beacon chain of `clock`. */
export function slotStartTime(clock: Pick<FrameState, "genesisTime" | "secondsPerSlot">, slot: bigint): bigint {
  return clock.genesisTime + slot * clock.secondsPerSlot;
}

/** Epochs after a frame starts before its reference slot can be finalized (the contract's FINALITY_EPOCHS). */
export const FINALITY_EPOCHS = 2n;

/** Reads the oracle's clock and current frame. */
export async function readFrame(oracle: AccountingOracle, blockTag?: number): Promise<FrameState> {
  const overrides = blockTag === undefined ? {} : { blockTag };
  const [[config], [refSlot, deadlineSlot], currentSlot, lastProcessedRefSlot] = await Promise.all([
    oracle.getFrameConfig(overrides),
    oracle.currentFrame(overrides),
    oracle.currentSlot(overrides),
    oracle.lastProcessedRefSlot(overrides),
  ]);
  const reportableSlot = refSlot + 1n + FINALITY_EPOCHS * config.slotsPerEpoch;
  return {
    genesisTime: config.genesisTime,
    secondsPerSlot: config.secondsPerSlot,
    slotsPerEpoch: config.slotsPerEpoch,
    epochsPerFrame: config.epochsPerFrame,
    currentSlot,
    refSlot,
    deadlineSlot,
    reportableSlot,
    reportableTime: slotStartTime(config, reportableSlot),
    lastProcessedRefSlot,
  };
}

/**
 * The next reference slot still to report and the unix time from which the oracle accepts it: the current frame's
 * if it is not processed yet, otherwise the next frame's.
 */
export function nextReportableFrame(frame: FrameState): { refSlot: bigint; reportableTime: bigint } {
  if (frame.refSlot > frame.lastProcessedRefSlot) {
    return { refSlot: frame.refSlot, reportableTime: frame.reportableTime };
  }
  const frameSlots = frame.epochsPerFrame * frame.slotsPerEpoch;
  return {
    refSlot: frame.refSlot + frameSlots,
    reportableTime: frame.reportableTime + frameSlots * frame.secondsPerSlot,
  };
}
