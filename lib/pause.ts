import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress } from "ethers";

import type { EmergencyPause } from "../typechain-types/index.js";
import { resolveSigner } from "./accounts.js";
import { formatDuration } from "./amounts.js";
import { readBlock } from "./blocks.js";
import { UserInputError } from "./errors.js";
import { renderTable, type Row } from "./table.js";
import { isoTime } from "./time.js";

/** EmergencyPause's target bits, by the names tasks use. */
export const PAUSE_TARGETS = { deposits: 1n, withdrawals: 2n, staking: 4n } as const;
export type PauseTargetName = keyof typeof PAUSE_TARGETS;
const TARGET_NAMES = Object.keys(PAUSE_TARGETS) as PauseTargetName[];

/**
 * Parses comma-separated pause targets ("deposits,staking") into EmergencyPause's bit mask. Names are
 * case-insensitive; a name given twice counts once.
 *
 * @throws UserInputError naming `argument` for an empty list or an unknown name.
 */
export function parsePauseTargets(text: string, argument = "--targets"): bigint {
  const names = text
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.length === 0) {
    throw new UserInputError(
      `${argument} is empty: expected one or more of ${TARGET_NAMES.join(", ")}, comma-separated`,
    );
  }
  let mask = 0n;
  for (const name of names) {
    if (!Object.hasOwn(PAUSE_TARGETS, name)) {
      throw new UserInputError(
        `${argument} names "${name}": expected one or more of ${TARGET_NAMES.join(", ")}, comma-separated`,
      );
    }
    mask |= PAUSE_TARGETS[name as PauseTargetName];
  }
  return mask;
}

/** The names of the targets in `mask`, in bit order ("deposits, staking"). */
export function describePauseTargets(mask: bigint): string {
  return TARGET_NAMES.filter((name) => (mask & PAUSE_TARGETS[name]) !== 0n).join(", ");
}

const DURATION_UNITS: Record<string, bigint> = {
  s: 1n,
  sec: 1n,
  m: 60n,
  min: 60n,
  h: 3_600n,
  d: 86_400n,
  w: 604_800n,
};

/**
 * Parses a duration: seconds ("3600"), or amounts with units s, m/min, h, d, w, alone or together ("2h", "1d",
 * "1h30m", "1d 12h").
 *
 * @throws UserInputError naming `argument` for anything else or a zero duration.
 */
export function parseDuration(text: string, argument = "--duration"): bigint {
  const expected = `expected seconds or a duration such as 90m, 2h, 1d or 1h30m (units: s, m, h, d, w)`;
  const trimmed = text.trim().toLowerCase();
  let seconds: bigint;
  if (/^\d+$/.test(trimmed)) {
    seconds = BigInt(trimmed);
  } else {
    const compact = trimmed.replace(/\s+/g, "");
    if (!/^(\d+(min|sec|s|m|h|d|w))+$/.test(compact)) {
      throw new UserInputError(`${argument} "${text}" is not a duration: ${expected}`);
    }
    seconds = 0n;
    for (const [, amount, unit] of compact.matchAll(/(\d+)(min|sec|s|m|h|d|w)/g)) {
      seconds += BigInt(amount!) * DURATION_UNITS[unit!]!;
    }
  }
  if (seconds === 0n) throw new UserInputError(`${argument} "${text}" is zero: ${expected}`);
  return seconds;
}

/** Where the emergency pause stands, read at one block. */
export interface PauseStatus {
  address: string;
  guardian: string;
  pauseAvailable: boolean;
  maxPauseDuration: bigint;
  /** Each target's end of pause (unix seconds; in the past or zero when not paused). */
  pausedUntil: Record<PauseTargetName, bigint>;
  /** The block time the state was read at. */
  now: bigint;
}

/** Reads the emergency pause's guardian, grant, bound and each target's pause at the latest block, or at `blockTag`. */
export async function readPauseStatus(emergencyPause: EmergencyPause, blockTag?: number): Promise<PauseStatus> {
  const provider = emergencyPause.runner!.provider!;
  const block = await readBlock(provider, blockTag);
  const state = await emergencyPause.getPauseState({ blockTag: block.number });
  return {
    address: await emergencyPause.getAddress(),
    guardian: state.guardian,
    pauseAvailable: state.pauseAvailable,
    maxPauseDuration: state.maxPauseDuration,
    pausedUntil: {
      deposits: state.depositsPausedUntil,
      withdrawals: state.withdrawalsPausedUntil,
      staking: state.stakingPausedUntil,
    },
    now: BigInt(block.timestamp),
  };
}

/** The targets of `mask` paused at `status.now`. */
export function pausedTargets(status: PauseStatus, mask: bigint = 7n): bigint {
  return TARGET_NAMES.reduce(
    (paused, name) =>
      (mask & PAUSE_TARGETS[name]) !== 0n && status.pausedUntil[name] > status.now
        ? paused | PAUSE_TARGETS[name]
        : paused,
    0n,
  );
}

/** The emergency pause's rows for a status table. */
export function pauseRows(status: PauseStatus): Row[] {
  return [
    ["guardian", status.guardian === ZeroAddress ? "none" : status.guardian],
    [
      "pause available",
      status.guardian === ZeroAddress ? "no (no grant)" : status.pauseAvailable ? "yes" : "no (used)",
    ],
    ["max pause duration", formatDuration(status.maxPauseDuration)],
    ...TARGET_NAMES.map((name): Row => {
      const until = status.pausedUntil[name];
      return [
        `${name}`,
        until > status.now
          ? `paused until ${isoTime(until)} (${formatDuration(until - status.now)} left)`
          : "not paused",
      ];
    }),
  ];
}

/** The `gov pause` table. */
export function formatPauseStatus(status: PauseStatus, title = `Emergency pause ${status.address}`): string {
  return renderTable(title, pauseRows(status));
}

/**
 * The guardian's account: `from` when given, otherwise the network's account that is the pause guardian.
 *
 * @throws UserInputError when nobody holds a grant, or no account of this network is the guardian.
 */
export async function resolveGuardian(
  ethers: HardhatEthers,
  emergencyPause: EmergencyPause,
  from: string,
): Promise<HardhatEthersSigner> {
  if (from.trim() !== "") return resolveSigner(ethers, from, "--from");
  const { guardian } = await emergencyPause.getPauseState();
  if (guardian === ZeroAddress) throw new UserInputError(noGrantMessage());
  const signer = (await ethers.getSigners()).find((candidate) => candidate.address === guardian);
  if (signer === undefined) {
    throw new UserInputError(`this network holds no key for the pause guardian ${guardian}: pass --from with it`);
  }
  return signer;
}

function noGrantMessage(): string {
  return "nobody may pause: governance has granted no pause; ask it for one: gov propose grant-pause --guardian <address>";
}

/** A guardian's pause, done. */
export interface PauseReceipt {
  targets: bigint;
  duration: bigint;
  /** The end the guardian asked for; a target already paused for longer keeps its later end. */
  until: bigint;
  txHash: string;
  status: PauseStatus;
}

/**
 * The guardian's instant pause of `targets` for `duration` seconds (EmergencyPause.pause), checked first so that a
 * pause the contract would refuse sends nothing.
 *
 * @throws UserInputError when the signer is not the guardian, the grant was used, or the duration is above the bound.
 */
export async function pauseAsGuardian(
  emergencyPause: EmergencyPause,
  signer: HardhatEthersSigner,
  targets: bigint,
  duration: bigint,
): Promise<PauseReceipt> {
  const before = await readPauseStatus(emergencyPause);
  if (before.guardian === ZeroAddress) throw new UserInputError(noGrantMessage());
  if (signer.address !== before.guardian) {
    throw new UserInputError(
      `${signer.address} is not the pause guardian (${before.guardian}): use --from with the guardian's account`,
    );
  }
  if (!before.pauseAvailable) {
    throw new UserInputError(
      `the guardian ${before.guardian} has used its pause: one pause per grant; ask governance for a new grant: ` +
        `gov propose grant-pause --guardian ${before.guardian}`,
    );
  }
  if (duration > before.maxPauseDuration) {
    throw new UserInputError(
      `--duration ${formatDuration(duration)} is above the longest pause allowed, ${formatDuration(before.maxPauseDuration)} ` +
        `(${before.maxPauseDuration} s)`,
    );
  }
  const receipt = (await (await emergencyPause.connect(signer).pause(targets, duration)).wait())!;
  const address = await emergencyPause.getAddress();
  const paused = receipt.logs
    .filter((log) => log.address === address)
    .map((log) => emergencyPause.interface.parseLog(log))
    .find((parsed) => parsed?.name === "Paused");
  return {
    targets,
    duration,
    until: paused === undefined || paused === null ? 0n : (paused.args.until as bigint),
    txHash: receipt.hash,
    status: await readPauseStatus(emergencyPause),
  };
}

/** What `gov pause` prints. */
export function formatPauseReceipt(receipt: PauseReceipt): string {
  return [
    `Paused ${describePauseTargets(receipt.targets)} for ${formatDuration(receipt.duration)}, until ` +
      `${isoTime(receipt.until)} (tx ${receipt.txHash}); the guardian's grant is used: governance alone resumes early ` +
      `or grants another pause`,
    formatPauseStatus(receipt.status),
  ].join("\n");
}
