/**
 * Words and tables for people: the simulator's events as log lines, and a Beacon API node's overview (head,
 * finality, validators by status, balances in ETH) as the `beacon status` task prints it.
 */
import { formatEth } from "../amounts.js";
import { renderGrid, renderTable, type Row } from "../table.js";
import type { SimulatorClient, SimulatorStatusInfo, SyncSummary, ValidatorInfo } from "./client.js";
import type { SimulatorEvent } from "./simulator.js";
import { VALIDATOR_STATUSES } from "./simulator.js";

const WEI_PER_GWEI = 1_000_000_000n;

/** Gwei as ETH with its unit ("32.5 ETH"), at most 9 decimals. */
export function formatGwei(gwei: bigint): string {
  return formatEth(gwei * WEI_PER_GWEI, 9);
}

const shortKey = (pubkey: string) => `${pubkey.slice(0, 10)}…`;
const plural = (count: number, word: string, many = `${word}s`) => `${count} ${count === 1 ? word : many}`;

/** One log line for a simulator event. */
export function describeSimulatorEvent(event: SimulatorEvent): string {
  switch (event.type) {
    case "deposit": {
      const what =
        event.result === "created"
          ? `created validator ${event.validatorIndex}`
          : event.result === "toppedUp"
            ? `topped up validator ${event.validatorIndex}`
            : "lost (invalid signature for a new key)";
      return `deposit ${event.depositIndex} (block ${event.blockNumber}): ${formatGwei(event.amountGwei)} for ${shortKey(event.pubkey)}: ${what}`;
    }
    case "epochs": {
      const processed = event.to - event.from;
      const range = processed === 1n ? `epoch ${event.from}` : `epochs ${event.from}-${event.to - 1n}`;
      return `${range} processed: head epoch ${event.to}, finalized ${event.finalizedEpoch}`;
    }
    case "payment": {
      const withdrawn = event.withdrawals.reduce((sum, w) => sum + w.amountGwei, 0n);
      const rewards = event.elRewards.reduce((sum, r) => sum + r.amountGwei, 0n);
      return (
        `block ${event.block.number} (slot ${event.slot}): paid ${plural(event.withdrawals.length, "withdrawal")} ` +
        `(${formatGwei(withdrawn)}) and ${plural(event.elRewards.length, "block reward")} (${formatGwei(rewards)}) ` +
        `to ${plural(event.credits.length, "address", "addresses")}`
      );
    }
    case "slashed":
      return `validator ${event.validatorIndex} slashed at epoch ${event.epoch}`;
    case "exit":
      return `validator ${event.validatorIndex} exits at epoch ${event.exitEpoch}, withdrawable at ${event.withdrawableEpoch}`;
    case "penalized":
      return `validator ${event.validatorIndex} penalized ${formatGwei(event.amountGwei)}`;
    case "withdrawalRequestQueued":
      return (
        `withdrawal request (block ${event.blockNumber}) from ${event.sourceAddress} for ${shortKey(event.pubkey)}: ` +
        `${event.amountGwei === 0n ? "full exit" : formatGwei(event.amountGwei)}, queued`
      );
    case "withdrawalRequest":
      return event.result === "exited"
        ? `withdrawal request (block ${event.blockNumber}) from ${event.sourceAddress}: validator ` +
            `${event.validatorIndex} exits at epoch ${event.exitEpoch}, withdrawable at ${event.withdrawableEpoch}`
        : `withdrawal request (block ${event.blockNumber}) from ${event.sourceAddress} for ${shortKey(event.pubkey)} ` +
            `ignored: ${event.reason}`;
  }
}

/** One line for what an `advance` or `sync` did. */
export function describeSyncSummary(summary: SyncSummary): string {
  const parts = [
    `head slot ${summary.headSlot} (epoch ${summary.headEpoch}), finalized epoch ${summary.finalizedEpoch}`,
    `${summary.epochsProcessed} epochs processed`,
    plural(summary.deposits, "deposit") + " read",
  ];
  if (summary.payment !== undefined) {
    parts.push(
      `paid ${plural(summary.payment.withdrawals, "withdrawal")} (${formatGwei(summary.payment.withdrawnGwei)}) ` +
        `and ${formatGwei(summary.payment.elRewardsGwei)} of block rewards in block ${summary.payment.blockNumber}`,
    );
  }
  return parts.join("; ");
}

/** What `beacon status` shows: standard endpoints, plus the simulator's own summary when the node is one. */
export interface BeaconOverview {
  url: string;
  version: string;
  preset: string;
  genesisTime: bigint;
  slotsPerEpoch: bigint;
  headSlot: bigint;
  headBlockSlot: bigint | undefined;
  justifiedEpoch: bigint;
  finalizedEpoch: bigint;
  validators: ValidatorInfo[];
  simulator: SimulatorStatusInfo | null;
}

/** Reads a node's overview through the standard endpoints and `/plural/v1/status` (null on a real node). */
export async function readBeaconOverview(client: SimulatorClient): Promise<BeaconOverview> {
  const [version, spec, genesis, syncing, head, checkpoints, validators, simulator] = await Promise.all([
    client.version(),
    client.spec(),
    client.genesis(),
    client.syncing(),
    client.header("head"),
    client.finalityCheckpoints("head"),
    client.validators("head"),
    client.status(),
  ]);
  return {
    url: client.url,
    version,
    preset: spec.PRESET_BASE ?? "unknown",
    genesisTime: genesis.genesisTime,
    slotsPerEpoch: BigInt(spec.SLOTS_PER_EPOCH ?? "32"),
    headSlot: syncing.headSlot,
    headBlockSlot: head?.slot,
    justifiedEpoch: checkpoints.currentJustified.epoch,
    finalizedEpoch: checkpoints.finalized.epoch,
    validators,
    simulator,
  };
}

/** The overview as tables: the chain, validators by status with their balances, and the simulator's totals. */
export function formatBeaconOverview(overview: BeaconOverview): string {
  const { slotsPerEpoch } = overview;
  const total = overview.validators.reduce((sum, v) => sum + v.balanceGwei, 0n);
  const chain: Row[] = [
    ["node", overview.version],
    ["preset", overview.preset],
    ["genesis time", new Date(Number(overview.genesisTime) * 1000).toISOString()],
    ["head slot", `${overview.headSlot} (epoch ${overview.headSlot / slotsPerEpoch})`],
    ["head block slot", overview.headBlockSlot === undefined ? "none" : String(overview.headBlockSlot)],
    ["justified epoch", String(overview.justifiedEpoch)],
    ["finalized epoch", `${overview.finalizedEpoch} (slot ${overview.finalizedEpoch * slotsPerEpoch})`],
    ["validators", String(overview.validators.length)],
    ["total balance", formatGwei(total)],
  ];
  const out = [renderTable(`Beacon chain at ${overview.url}`, chain)];

  const rows = VALIDATOR_STATUSES.flatMap((status) => {
    const group = overview.validators.filter((v) => v.status === status);
    if (group.length === 0) return [];
    return [[status, String(group.length), formatGwei(group.reduce((sum, v) => sum + v.balanceGwei, 0n))]];
  });
  rows.push(["total", String(overview.validators.length), formatGwei(total)]);
  out.push(renderGrid("Validators by status", ["status", "validators", "balance"], rows));

  const sim = overview.simulator;
  if (sim !== null) {
    out.push(
      renderTable("Simulator", [
        ["deposits read", String(sim.deposits.seen)],
        ["  created / topped up / lost", `${sim.deposits.created} / ${sim.deposits.toppedUp} / ${sim.deposits.lost}`],
        ["deposited", formatGwei(sim.totals.depositedGwei)],
        ["lost (invalid signatures)", formatGwei(sim.totals.lostGwei)],
        ["consensus rewards", formatGwei(sim.totals.rewardsGwei)],
        ["penalties", formatGwei(sim.totals.penaltiesGwei)],
        ["withdrawn (swept)", formatGwei(sim.totals.withdrawnGwei)],
        ["execution-layer rewards", formatGwei(sim.elRewardsGwei)],
        ["owed, not yet credited", formatGwei(sim.owedGwei)],
        ["payment blocks", String(sim.paymentBlocks)],
        ["last execution block read", String(sim.lastExecutionBlock)],
      ]),
    );
  }
  return out.join("\n");
}
