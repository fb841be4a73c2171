import type { AccountingOracle } from "../../typechain-types/index.js";
import { formatBps, formatDuration, formatEth } from "../amounts.js";
import { renderGrid, renderTable, type Row } from "../table.js";
import { type FrameState, nextReportableFrame, readFrame, slotStartTime } from "./frames.js";
import { isoTime } from "../time.js";

/** The committee, the current frame's vote and the sanity bounds, read at one block. */
export interface OracleStatus {
  blockNumber: number;
  oracle: string;
  frame: FrameState;
  quorum: bigint;
  members: { address: string; votedRefSlot: bigint; reportHash: string }[];
  consensus: { refSlot: bigint; hash: string | undefined; support: bigint; processed: boolean };
  bounds: { maxAprBps: bigint; maxLossBps: bigint; maxElRewardsBps: bigint; unseenDepositDeadline: bigint };
  allowedLoss: { amount: bigint; untilRefSlot: bigint };
  /** The last applied report's exit data: its reference slot, pages in, and whether more are due now. */
  exitData: { refSlot: bigint; pagesSubmitted: bigint; pending: boolean; nextPageHash: string };
}

/** Reads the oracle's status at the latest block, or at `blockTag`. */
export async function readOracleStatus(oracle: AccountingOracle, blockTag?: number): Promise<OracleStatus> {
  const blockNumber = blockTag ?? (await oracle.runner!.provider!.getBlockNumber());
  const [
    frame,
    quorum,
    addresses,
    [refSlot, hash, support, processed],
    [bounds, amount, untilRefSlot],
    address,
    exitData,
  ] = await Promise.all([
    readFrame(oracle, blockNumber),
    oracle.quorum({ blockTag: blockNumber }),
    oracle.getMembers({ blockTag: blockNumber }),
    oracle.getConsensusState({ blockTag: blockNumber }),
    oracle.getSanityBounds({ blockTag: blockNumber }),
    oracle.getAddress(),
    oracle.getExitDataState({ blockTag: blockNumber }),
  ]);
  const members = await Promise.all(
    addresses.map(async (member) => {
      const [votedRefSlot, reportHash] = await oracle.getMemberVote(member, { blockTag: blockNumber });
      return { address: member, votedRefSlot, reportHash };
    }),
  );
  return {
    blockNumber,
    oracle: address,
    frame,
    quorum,
    members,
    consensus: { refSlot, hash: BigInt(hash) === 0n ? undefined : hash, support, processed },
    bounds: {
      maxAprBps: bounds.maxAprBps,
      maxLossBps: bounds.maxLossBps,
      maxElRewardsBps: bounds.maxElRewardsBps,
      unseenDepositDeadline: bounds.unseenDepositDeadline,
    },
    allowedLoss: { amount, untilRefSlot },
    exitData: {
      refSlot: exitData.refSlot,
      pagesSubmitted: exitData.pagesSubmitted,
      pending: exitData.pending,
      nextPageHash: exitData.nextPageHash,
    },
  };
}

const short = (hash: string) => `${hash.slice(0, 18)}…`;

/** The status as tables: the frame and its vote, each member's vote, the sanity bounds. */
export function formatOracleStatus(status: OracleStatus, networkName: string): string {
  const { frame, consensus } = status;
  const next = nextReportableFrame(frame);
  const slotTime = (slot: bigint) => slotStartTime(frame, slot);
  const rows: Row[] = [
    ["accounting oracle", status.oracle],
    [
      "frame length",
      `${frame.epochsPerFrame} epochs (${formatDuration(frame.epochsPerFrame * frame.slotsPerEpoch * frame.secondsPerSlot)})`,
    ],
    ["current slot", `${frame.currentSlot} (epoch ${frame.currentSlot / frame.slotsPerEpoch})`],
    ["current frame's ref slot", `${frame.refSlot} (${isoTime(slotTime(frame.refSlot))})`],
    ["last report's ref slot", `${frame.lastProcessedRefSlot}`],
    [
      "next report",
      `ref slot ${next.refSlot}, accepted from ${isoTime(next.reportableTime)} until slot ` +
        `${next.refSlot === frame.refSlot ? frame.deadlineSlot : frame.deadlineSlot + frame.epochsPerFrame * frame.slotsPerEpoch}`,
    ],
    [
      "vote",
      consensus.processed
        ? `applied (ref slot ${consensus.refSlot})`
        : consensus.hash === undefined
          ? `no quorum yet: best support ${consensus.support} of ${status.quorum} needed`
          : `agreed on ${short(consensus.hash)} (support ${consensus.support}), not applied yet`,
    ],
    [
      "exit data",
      status.exitData.refSlot === 0n
        ? "none reported yet"
        : `ref slot ${status.exitData.refSlot}: ${status.exitData.pagesSubmitted} page(s) in` +
          (status.exitData.pending
            ? `, next page ${short(status.exitData.nextPageHash)} due`
            : BigInt(status.exitData.nextPageHash) === 0n
              ? ", complete"
              : ", expired with pages missing"),
    ],
    ["sanity bounds"],
    ["max reward rate", `${formatBps(status.bounds.maxAprBps)} a year`],
    ["max loss per report", `${formatBps(status.bounds.maxLossBps)} of staked ether`],
    ["max EL rewards per report", `${formatBps(status.bounds.maxElRewardsBps)} of pooled ether`],
    ["unseen deposit deadline", formatDuration(status.bounds.unseenDepositDeadline)],
    [
      "extra loss allowed",
      status.allowedLoss.amount === 0n
        ? "none"
        : `${formatEth(status.allowedLoss.amount)} until ref slot ${status.allowedLoss.untilRefSlot}`,
    ],
  ];
  const members = status.members.map((member) => [
    member.address,
    member.votedRefSlot === 0n ? "never" : member.votedRefSlot.toString(),
    member.votedRefSlot === frame.refSlot && BigInt(member.reportHash) !== 0n ? short(member.reportHash) : "-",
  ]);
  return [
    renderTable(`Accounting oracle on ${networkName}, block ${status.blockNumber}`, rows),
    renderGrid(
      `Committee: ${status.members.length} members, quorum ${status.quorum}`,
      ["member", "last voted ref slot", "vote this frame"],
      members,
    ),
  ].join("\n");
}
