/**
 * Issue 3's key target: 1,000 validator keys with deposit data (seed, derivation, signing, roots; no keystores) in
 * under 10 s. Reading the file back and verifying every signature is timed beside it, outside the target.
 * PLURAL_BENCH_KEYS sets another number of keys (the target scales with it).
 */
import { deriveValidatorKeys, mnemonicToSeed } from "../../lib/keys/derivation.js";
import {
  buildDepositData,
  parseDepositDataFile,
  serializeDepositDataFile,
  verifyDepositData,
} from "../../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../../lib/networks.js";
import type { ToolingResult } from "./report.js";
import { ms, timed } from "./timing.js";

// A public test mnemonic: the figures must not depend on a secret.
const MNEMONIC = "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap";
const WITHDRAWAL = { kind: "execution", address: "0x0000000000000000000000000000000000000001" } as const;
const network = BEACON_NETWORKS.mainnet;

export function measureKeys(keys = Number(process.env.PLURAL_BENCH_KEYS ?? "1000")): ToolingResult {
  const perKey = (value: number) => `${((value * 1000) / keys).toLocaleString("en", { maximumFractionDigits: 0 })} µs`;
  const [seed, seedMs] = timed(() => mnemonicToSeed(MNEMONIC));
  const [derived, deriveMs] = timed(() => deriveValidatorKeys(seed, 0, keys));
  const [deposits, signMs] = timed(() => buildDepositData(derived, WITHDRAWAL, { network }));
  const [text, serializeMs] = timed(() => serializeDepositDataFile(deposits));
  const [problems, verifyMs] = timed(() => verifyDepositData(parseDepositDataFile(text), { network }));
  if (problems.length > 0) throw new Error(`the benchmark's own deposits do not verify: ${problems.length} problems`);
  const totalMs = seedMs + deriveMs + signMs;
  const count = keys.toLocaleString("en");
  return {
    rows: [
      {
        operation: `keys: generate ${count} with deposit data`,
        measured: totalMs,
        unit: "ms",
        target: { kind: "below", value: (10_000 * keys) / 1000 },
      },
      { operation: "keys: per key (derivation + deposit data)", measured: totalMs / keys, unit: "ms" },
      { operation: "keys: deposit data alone, per key (BLS signature, roots)", measured: signMs / keys, unit: "ms" },
      { operation: `keys: read + verify ${count} deposits (BLS batch)`, measured: verifyMs, unit: "ms" },
    ],
    inputs: `keys: ${count} from a public test mnemonic (EIP-2333/2334), mainnet fork version, 0x01 credentials`,
    details: [
      {
        title: `${count} validator keys with deposit data (mainnet, 0x01 credentials)`,
        rows: [
          ["mnemonic to seed (PBKDF2, once)", ms(seedMs)],
          ["derive keys (EIP-2333, 3 steps a key) + pubkeys", `${ms(deriveMs)}  (${perKey(deriveMs)} a key)`],
          ["sign deposits (pubkey, roots, BLS signature)", `${ms(signMs)}  (${perKey(signMs)} a key)`],
          [`total (target < ${ms((10_000 * keys) / 1000)})`, ms(totalMs)],
          ["not in the target"],
          ["serialize deposit_data JSON", `${ms(serializeMs)}  (${(text.length / 1024).toFixed(0)} KiB)`],
          ["read + verify the file (BLS batch)", `${ms(verifyMs)}  (${perKey(verifyMs)} a key)`],
        ],
      },
    ],
  };
}
