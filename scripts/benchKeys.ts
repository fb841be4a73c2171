/**
 * Benchmark of issue 3's target: 1,000 validator keys with deposit data (derivation, signing, roots; no keystores)
 * in under 10 s. Prints a table and writes nothing; exits non-zero above the target.
 *
 *   npx hardhat run scripts/benchKeys.ts
 *
 * PLURAL_BENCH_KEYS sets another number of keys.
 */
import { performance } from "node:perf_hooks";

import { deriveValidatorKeys, mnemonicToSeed } from "../lib/keys/derivation.js";
import {
  buildDepositData,
  parseDepositDataFile,
  serializeDepositDataFile,
  verifyDepositData,
} from "../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { renderTable } from "../lib/table.js";

const KEYS = Number(process.env.PLURAL_BENCH_KEYS ?? "1000");
const TARGET_MS = (10_000 * KEYS) / 1000;
// A public test mnemonic: the figures must not depend on a secret.
const MNEMONIC = "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap";
const WITHDRAWAL = { kind: "execution", address: "0x0000000000000000000000000000000000000001" } as const;
const network = BEACON_NETWORKS.mainnet;

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

const ms = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 0 })} ms`;
const perKey = (value: number) => `${((value * 1000) / KEYS).toLocaleString("en", { maximumFractionDigits: 0 })} µs`;

const [seed, seedMs] = timed(() => mnemonicToSeed(MNEMONIC));
const [keys, deriveMs] = timed(() => deriveValidatorKeys(seed, 0, KEYS));
const [deposits, signMs] = timed(() => buildDepositData(keys, WITHDRAWAL, { network }));
const [text, serializeMs] = timed(() => serializeDepositDataFile(deposits));
const [problems, verifyMs] = timed(() => verifyDepositData(parseDepositDataFile(text), { network }));
const totalMs = seedMs + deriveMs + signMs;

if (problems.length > 0) throw new Error(`the benchmark's own deposits do not verify: ${problems.length} problems`);

console.log(
  renderTable(`${KEYS.toLocaleString("en")} validator keys with deposit data (mainnet, 0x01 credentials)`, [
    ["mnemonic to seed (PBKDF2, once)", ms(seedMs)],
    ["derive keys (EIP-2333, 3 steps a key) + pubkeys", `${ms(deriveMs)}  (${perKey(deriveMs)} a key)`],
    ["sign deposits (pubkey, roots, BLS signature)", `${ms(signMs)}  (${perKey(signMs)} a key)`],
    [`total (target < ${ms(TARGET_MS)})`, ms(totalMs)],
    ["not in the target"],
    ["serialize deposit_data JSON", `${ms(serializeMs)}  (${(text.length / 1024).toFixed(0)} KiB)`],
    ["read + verify the file (BLS batch)", `${ms(verifyMs)}  (${perKey(verifyMs)} a key)`],
  ]),
);

if (totalMs >= TARGET_MS) {
  console.error(`Above target: ${ms(totalMs)} for ${KEYS} keys, expected under ${ms(TARGET_MS)}.`);
  process.exitCode = 1;
}
