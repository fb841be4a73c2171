/**
 * Benchmark of the beacon simulator's core: 10,000 validators deposited at genesis on the mainnet preset, then a
 * year of epochs (225 a day for 365 days) through `advanceEpochs`, which batches rewards analytically and keeps the
 * activation queue exact. Target: under 10 s. Prints a table and writes nothing; exits non-zero above the target.
 *
 *   npx hardhat run scripts/benchBeacon.ts
 *
 * PLURAL_BENCH_VALIDATORS sets another number of validators; PLURAL_BENCH_EXACT=1 also times a day of epochs
 * through `processEpoch` one by one, for comparison.
 */
import { performance } from "node:perf_hooks";

import { mainnet } from "../lib/beacon/preset.js";
import {
  advanceEpochs,
  applyDeposit,
  createState,
  processEpoch,
  totalBalance,
  validatorStatus,
} from "../lib/beacon/state.js";
import { renderTable } from "../lib/table.js";

const VALIDATORS = Number(process.env.PLURAL_BENCH_VALIDATORS ?? "10000");
const EPOCHS_PER_DAY = 225;
const DAYS = 365;
const TARGET_MS = 10_000;
const ETH = 1_000_000_000n;
const CREDENTIALS = "0x01" + "00".repeat(11) + "ab".repeat(20);

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const ms = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 0 })} ms`;

const state = createState(mainnet, { rewardRateBps: 300 });
const depositMs = timed(() => {
  for (let i = 0; i < VALIDATORS; i++) {
    const pubkey = "0x" + (i + 1).toString(16).padStart(96, "0");
    applyDeposit(state, { pubkey, withdrawalCredentials: CREDENTIALS, amountGwei: 32n * ETH, signatureValid: true });
  }
});
const yearMs = timed(() => {
  for (let day = 0; day < DAYS; day++) advanceEpochs(state, EPOCHS_PER_DAY);
});

const rows: [string, string][] = [
  [`deposits (${VALIDATORS.toLocaleString("en")})`, ms(depositMs)],
  [`epochs (${(EPOCHS_PER_DAY * DAYS).toLocaleString("en")}, advanceEpochs day by day)`, ms(yearMs)],
];
if (process.env.PLURAL_BENCH_EXACT === "1") {
  const exactMs = timed(() => {
    for (let k = 0; k < EPOCHS_PER_DAY; k++) processEpoch(state);
  });
  rows.push([`epochs (${EPOCHS_PER_DAY}, processEpoch one by one)`, ms(exactMs)]);
}
const totalMs = depositMs + yearMs;
rows.push(["total (deposits + year)", ms(totalMs)]);
console.log(renderTable("Beacon simulator, mainnet preset", rows));

const active = state.validators.filter((_, index) => validatorStatus(state, index) === "active_ongoing").length;
const rewardsEth = Number(state.totals.rewardsGwei / ETH);
console.log(
  `epoch ${state.epoch}: ${active} active, ${rewardsEth.toLocaleString("en")} ETH of rewards, balance ${totalBalance(state) / ETH} ETH`,
);
if (totalMs > TARGET_MS) {
  console.error(`above the ${ms(TARGET_MS)} target`);
  process.exitCode = 1;
}
