import type { BeaconSimulator } from "./beacon/simulator.js";
import { formatEth } from "./amounts.js";
import type { Protocol } from "./protocol.js";
import { queryInChunks } from "./logs.js";
import { renderTable } from "./table.js";

const WEI_PER_GWEI = 10n ** 9n;

/**
 * Every wei of a local Plural deployment beside the beacon simulator: what came in (deposits, beacon rewards net of
 * penalties, block rewards) against where it is now (the pool's buffer, the vaults, the queue, the beacon chain) or
 * where it went (claims paid, forced-exit fees the vault paid, deposits the beacon chain never accepted). Promise 1
 * of DESIGN.md, checked on the real contracts and the simulator's own totals.
 */
export interface Ledger {
  /** The initial deposit behind the dead shares and every `Deposited`. */
  deposits: bigint;
  beaconRewards: bigint;
  beaconPenalties: bigint;
  /** Execution-layer rewards the simulator paid to fee recipients (the execution-rewards vault). */
  elRewards: bigint;
  pool: bigint;
  withdrawalVault: bigint;
  rewardsVault: bigint;
  queue: bigint;
  /** Validators' balances on the beacon chain now. */
  beaconBalance: bigint;
  /** Paid to withdrawal requests' receivers. */
  claimed: bigint;
  /** EIP-7002 fees the withdrawal vault paid from its own balance (fees sent with the call came from outside). */
  exitFeesPaid: bigint;
  /** Deposits the beacon chain skipped (invalid signatures): their ether stays in the deposit contract. */
  lostDeposits: bigint;
  cameIn: bigint;
  accountedFor: bigint;
}

/** A ledger needs every validator of the simulator to be the pool's: its totals are the beacon chain's. */
export class ForeignValidatorsError extends Error {
  override name = "ForeignValidatorsError";
}

/**
 * Reads the ledger at the latest block. The simulator must have paid everything it owes (call it after a `sync`).
 *
 * @throws ForeignValidatorsError when a validator of the simulator has other withdrawal credentials than the pool's.
 */
export async function readLedger(protocol: Protocol, simulator: BeaconSimulator): Promise<Ledger> {
  const { pool, withdrawalQueue: queue, withdrawalVault } = protocol;
  const provider = pool.runner!.provider!;
  const head = await provider.getBlockNumber();
  const from = protocol.addresses.deployedAtBlock;
  const credentials = (await pool.withdrawalCredentials()).toLowerCase();
  const beacon = await simulator.read((sim) => {
    const foreign = sim.headState().validators.filter((v) => v.withdrawalCredentials.toLowerCase() !== credentials);
    return { status: sim.status(), foreign: foreign.length };
  });
  if (beacon.foreign > 0) {
    throw new ForeignValidatorsError(
      `${beacon.foreign} validator(s) of the simulator are not the pool's: the beacon totals are not Plural's alone`,
    );
  }
  if (beacon.status.owedGwei !== 0n) throw new Error("the simulator owes payments: sync it before reading the ledger");
  const [deposited, claims, forced] = await Promise.all([
    queryInChunks((a, b) => pool.queryFilter(pool.filters.Deposited(), a, b), from, head),
    queryInChunks((a, b) => queue.queryFilter(queue.filters.WithdrawalClaimed(), a, b), from, head),
    queryInChunks((a, b) => withdrawalVault.queryFilter(withdrawalVault.filters.ExitsForced(), a, b), from, head),
  ]);
  const balance = (address: string) => provider.getBalance(address, head);
  const { totals } = beacon.status;
  const ledger = {
    // The initial deposit minted the dead shares one for one, without a Deposited event.
    deposits:
      (await pool.balanceOf(await pool.DEAD_SHARES_HOLDER(), { blockTag: head })) +
      deposited.reduce((sum, event) => sum + event.args.amount, 0n),
    beaconRewards: totals.rewardsGwei * WEI_PER_GWEI,
    beaconPenalties: totals.penaltiesGwei * WEI_PER_GWEI,
    elRewards: beacon.status.elRewardsGwei * WEI_PER_GWEI,
    pool: await balance(protocol.addresses.pool),
    withdrawalVault: await balance(protocol.addresses.withdrawalVault),
    rewardsVault: await balance(protocol.addresses.executionRewardsVault),
    queue: await balance(protocol.addresses.withdrawalQueue),
    beaconBalance: beacon.status.totalBalanceGwei * WEI_PER_GWEI,
    claimed: claims.reduce((sum, event) => sum + event.args.amount, 0n),
    exitFeesPaid: forced.reduce((sum, event) => sum + event.args.paidFromVault, 0n),
    lostDeposits: totals.lostGwei * WEI_PER_GWEI,
  };
  return {
    ...ledger,
    cameIn: ledger.deposits + ledger.beaconRewards - ledger.beaconPenalties + ledger.elRewards,
    accountedFor:
      ledger.pool +
      ledger.withdrawalVault +
      ledger.rewardsVault +
      ledger.queue +
      ledger.beaconBalance +
      ledger.claimed +
      ledger.exitFeesPaid +
      ledger.lostDeposits,
  };
}

/** The ledger as a table, ending with the difference (zero when every wei is accounted for). */
export function formatLedger(ledger: Ledger, title = "Every wei"): string {
  const wei = (value: bigint) => `${formatEth(value, 18)}`;
  return renderTable(title, [
    ["came in: deposits", wei(ledger.deposits)],
    ["  + beacon rewards", wei(ledger.beaconRewards)],
    ["  - beacon penalties", wei(ledger.beaconPenalties)],
    ["  + execution-layer rewards", wei(ledger.elRewards)],
    ["is now: pool buffer", wei(ledger.pool)],
    ["  + withdrawal vault", wei(ledger.withdrawalVault)],
    ["  + execution-rewards vault", wei(ledger.rewardsVault)],
    ["  + withdrawal queue (finalized, unclaimed)", wei(ledger.queue)],
    ["  + validators' balances", wei(ledger.beaconBalance)],
    ["  + claimed by holders", wei(ledger.claimed)],
    ["  + EIP-7002 fees paid by the vault", wei(ledger.exitFeesPaid)],
    ["  + deposits the beacon chain refused", wei(ledger.lostDeposits)],
    ["difference", `${ledger.cameIn - ledger.accountedFor} wei`],
  ]);
}
