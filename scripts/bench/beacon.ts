/**
 * The beacon simulator's core: 10,000 validators deposited at genesis on the mainnet preset, then a year of epochs
 * (225 a day for 365 days) through `advanceEpochs`, which batches rewards analytically and keeps the activation queue
 * exact. Target: under 10 s (deposits and year together). PLURAL_BENCH_VALIDATORS sets another number of validators;
 * PLURAL_BENCH_EXACT=1 also times a day of epochs through `processEpoch` one by one, for comparison.
 *
 * Then the simulator beside an in-process chain: PLURAL_BENCH_SYNC_DEPOSITS (default 1,000) real deposits, signed and
 * sent to BeaconDepositMock (setup, not timed), read by one `sync` (logs, BLS signature checks, deposits), then a day
 * of epochs through `advance` (epoch processing, history snapshots, the withdrawal sweep, the payment block). These
 * figures are reference figures, without a target.
 */
import { network } from "hardhat";

import { mainnet } from "../../lib/beacon/preset.js";
import {
  advanceEpochs,
  applyDeposit,
  createState,
  processEpoch,
  totalBalance,
  validatorStatus,
} from "../../lib/beacon/state.js";
import { checkDepositSignatures } from "../../lib/beacon/signing.js";
import { BeaconSimulator } from "../../lib/beacon/simulator.js";
import { createDepositSigner } from "../../lib/keys/depositData.js";
import { deriveValidatorKeys } from "../../lib/keys/derivation.js";
import { BEACON_NETWORKS } from "../../lib/networks.js";
import type { Row } from "../../lib/table.js";
import type { BenchRow, ToolingResult } from "./report.js";
import { ms, timed, timedAsync } from "./timing.js";

const EPOCHS_PER_DAY = 225;
const DAYS = 365;
const TARGET_MS = 10_000;
const ETH = 1_000_000_000n;
const CREDENTIALS = "0x01" + "00".repeat(11) + "ab".repeat(20);
// Deposits skip gas estimation: the costliest, hashing up 31 levels of the tree, needs ~150k.
const DEPOSIT_GAS = 300_000n;

export async function measureBeacon(progress: (stage: string) => void): Promise<ToolingResult> {
  const validators = Number(process.env.PLURAL_BENCH_VALIDATORS ?? "10000");
  const count = validators.toLocaleString("en");
  progress(`beacon: ${count} genesis deposits, then a year of epochs`);
  const state = createState(mainnet, { rewardRateBps: 300 });
  const [, depositMs] = timed(() => {
    for (let i = 0; i < validators; i++) {
      const pubkey = "0x" + (i + 1).toString(16).padStart(96, "0");
      applyDeposit(state, { pubkey, withdrawalCredentials: CREDENTIALS, amountGwei: 32n * ETH, signatureValid: true });
    }
  });
  const [, yearMs] = timed(() => {
    for (let day = 0; day < DAYS; day++) advanceEpochs(state, EPOCHS_PER_DAY);
  });
  const core: Row[] = [
    [`deposits (${count})`, ms(depositMs)],
    [`epochs (${(EPOCHS_PER_DAY * DAYS).toLocaleString("en")}, advanceEpochs day by day)`, ms(yearMs)],
  ];
  if (process.env.PLURAL_BENCH_EXACT === "1") {
    const [, exactMs] = timed(() => {
      for (let k = 0; k < EPOCHS_PER_DAY; k++) processEpoch(state);
    });
    core.push([`epochs (${EPOCHS_PER_DAY}, processEpoch one by one)`, ms(exactMs)]);
  }
  core.push(["total (deposits + year)", ms(depositMs + yearMs)]);
  const active = state.validators.filter((_, index) => validatorStatus(state, index) === "active_ongoing").length;
  const rewardsEth = Number(state.totals.rewardsGwei / ETH);
  core.push([
    `epoch ${state.epoch}`,
    `${active} active, ${rewardsEth.toLocaleString("en")} ETH of rewards, balance ${totalBalance(state) / ETH} ETH`,
  ]);

  // ----- the simulator beside a chain -----
  const syncDeposits = Number(process.env.PLURAL_BENCH_SYNC_DEPOSITS ?? "1000");
  const syncCount = syncDeposits.toLocaleString("en");
  progress(`beacon: ${syncCount} real deposits to the deposit contract mock (setup), then a sync and a day`);
  const { ethers, provider } = await network.create();
  const [depositor] = await ethers.getSigners();
  const mock = await ethers.deployContract("BeaconDepositMock");
  const sign = createDepositSigner({ network: BEACON_NETWORKS.local });
  const entries = deriveValidatorKeys(new Uint8Array(32).fill(1), 0, syncDeposits).map((keys) =>
    sign(keys.signingKey, CREDENTIALS),
  );
  await provider.request({
    method: "hardhat_setBalance",
    params: [depositor!.address, "0x" + (10n ** 30n).toString(16)],
  });
  // One block a deposit (automine): on the in-process chain this is ten times faster than filling blocks by hand.
  for (const entry of entries) {
    await mock.deposit(
      "0x" + entry.pubkey,
      "0x" + entry.withdrawal_credentials,
      "0x" + entry.signature,
      "0x" + entry.deposit_data_root,
      { value: 32n * ETH * ETH, gasLimit: DEPOSIT_GAS },
    );
  }
  const [, signaturesMs] = timed(() => {
    const valid = checkDepositSignatures(
      entries.map((entry) => ({
        pubkey: "0x" + entry.pubkey,
        withdrawalCredentials: "0x" + entry.withdrawal_credentials,
        amountGwei: 32n * ETH,
        signature: "0x" + entry.signature,
      })),
      BEACON_NETWORKS.local.genesisForkVersion,
    );
    if (!valid.every(Boolean)) throw new Error("a benchmark deposit does not verify");
  });
  const depositContract = await mock.getAddress();
  const [simulator, syncMs] = await timedAsync(() =>
    BeaconSimulator.create(provider, { depositContract, rewardRateBps: 300 }),
  );
  if (simulator.headState().validators.length !== syncDeposits) throw new Error("the sync missed deposits");
  const [report, dayMs] = await timedAsync(() => simulator.advance(EPOCHS_PER_DAY));
  const paid = report.payment?.withdrawals.length ?? 0;

  const rows: BenchRow[] = [
    {
      operation: `beacon: ${count} genesis deposits + a year`,
      measured: depositMs + yearMs,
      unit: "ms",
      target: { kind: "atMost", value: TARGET_MS },
    },
    { operation: `beacon: the year alone (${DAYS} × ${EPOCHS_PER_DAY} epochs)`, measured: yearMs, unit: "ms" },
    { operation: `beacon sync: ${syncCount} deposits read from a chain`, measured: syncMs, unit: "ms" },
    { operation: `beacon: a day beside a chain (${paid} withdrawals)`, measured: dayMs, unit: "ms" },
  ];
  return {
    rows,
    inputs:
      `beacon: ${count} validators at genesis, ${DAYS} × ${EPOCHS_PER_DAY} epochs, mainnet preset, 3% reward ` +
      `rate; ${syncCount} real deposits synced from a chain`,
    details: [
      { title: "Beacon simulator, mainnet preset", rows: core },
      {
        title: "Beacon simulator beside a chain, mainnet preset",
        rows: [
          [`signature checks alone (${syncCount}, batched)`, ms(signaturesMs)],
          [`first sync: ${syncCount} deposits read, checked, applied`, ms(syncMs)],
          ["  per deposit", `${(syncMs / syncDeposits).toFixed(2)} ms`],
          [`advance a day (${EPOCHS_PER_DAY} epochs, ${paid} withdrawals paid)`, ms(dayMs)],
        ],
      },
    ],
  };
}
