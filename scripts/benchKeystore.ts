/**
 * Benchmark of issue 3's keystore target: ms per EIP-2335 keystore to encrypt and decrypt with the deposit CLI's scrypt
 * parameters (n = 2^18, r = 8, p = 1), ours next to @chainsafe/bls-keystore on the same machine and the same secrets.
 * Prints a table and writes nothing; about 40 s.
 *
 *   npx hardhat run scripts/benchKeystore.ts
 *
 * "one at a time" is the latency of a single keystore. "all at once" starts every keystore together: our async
 * `crypto.scrypt` runs them on a thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), while
 * @chainsafe/bls-keystore calls `crypto.scryptSync` on the main thread, so its keystores always run one after another.
 * The context rows say where the difference comes from: both libraries run the same OpenSSL scrypt; ours runs it in a
 * helper process whose malloc uses transparent huge pages (see lib/keys/scrypt.ts).
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";

import bls from "@chainsafe/bls";
import { create, decrypt, defaultScryptModule } from "@chainsafe/bls-keystore";
import { scryptAsync } from "@noble/hashes/scrypt.js";

import { decryptKeystore, encryptKeystore, normalizeKeystorePassword, SCRYPT_DEFAULTS } from "../lib/keys/keystore.js";
import type { Keystore } from "../lib/keys/keystore.js";
import { scryptHelperProcessEnabled, useScryptHelperProcess } from "../lib/keys/scrypt.js";
import { renderTable } from "../lib/table.js";

const COUNT = 5;
const CONTEXT_COUNT = 2;
const TARGET = 3;
const PASSWORD = "benchmark password";
const secrets = Array.from({ length: COUNT }, () => bls.SecretKey.fromKeygen());
const path = (i: number) => `m/12381/3600/${i}/0/0`;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, performance.now() - start];
}

async function oneAtATime<T>(run: (i: number) => Promise<T>): Promise<[T[], number]> {
  return timed(async () => {
    const results: T[] = [];
    for (let i = 0; i < COUNT; i++) results.push(await run(i));
    return results;
  });
}

function allAtOnce<T>(run: (i: number) => Promise<T>): Promise<[T[], number]> {
  return timed(() => Promise.all(secrets.map((_, i) => run(i))));
}

function checkSecrets(results: Uint8Array[], who: string): void {
  results.forEach((secret, i) => {
    if (Buffer.compare(secret, secrets[i]!.toBytes()) !== 0) throw new Error(`${who}: keystore ${i} decrypts wrongly`);
  });
}

// Load both libraries' code paths before timing (small n: negligible).
await decryptKeystore(
  await encryptKeystore({
    secret: secrets[0]!.toBytes(),
    password: "",
    path: path(0),
    kdf: { function: "scrypt", n: 16 },
  }),
  "",
);
await create("", secrets[0]!.toBytes(), secrets[0]!.toPublicKey().toBytes(), path(0), null, {
  function: "scrypt",
  params: { dklen: 32, n: 16, r: 8, p: 1, salt: "00" },
});

const [theirs, theirEncryptMs] = await oneAtATime((i) =>
  create(PASSWORD, secrets[i]!.toBytes(), secrets[i]!.toPublicKey().toBytes(), path(i), null, defaultScryptModule()),
);
const [theirSecrets, theirDecryptMs] = await oneAtATime((i) => decrypt(theirs[i]!, PASSWORD));
checkSecrets(theirSecrets, "@chainsafe/bls-keystore");

const encryptOurs = (i: number) =>
  encryptKeystore({ secret: secrets[i]!.toBytes(), password: PASSWORD, path: path(i) });
const [ours, ourEncryptMs] = await oneAtATime(encryptOurs);
const decryptOurs = (keystores: Keystore[]) => (i: number) => decryptKeystore(keystores[i]!, PASSWORD);
const [ourSecrets, ourDecryptMs] = await oneAtATime(decryptOurs(ours));
checkSecrets(ourSecrets, "ours, one at a time");
const [oursBatch, ourBatchEncryptMs] = await allAtOnce(encryptOurs);
const [ourBatchSecrets, ourBatchDecryptMs] = await allAtOnce(decryptOurs(oursBatch));
checkSecrets(ourBatchSecrets, "ours, all at once");

// Context 1: ours without the helper process, i.e. OpenSSL's scrypt in this process, as @chainsafe/bls-keystore runs it.
const helper = scryptHelperProcessEnabled();
useScryptHelperProcess(false);
const [, ourInProcessMs] = await timed(async () => {
  for (let i = 0; i < CONTEXT_COUNT; i++) await encryptOurs(i);
});
useScryptHelperProcess(helper);

// Context 2: @chainsafe/bls-keystore in a process started with the helper's glibc tunable.
const THEIRS_WITH_TUNABLE = `
const { create, defaultScryptModule } = require(${JSON.stringify(createRequire(import.meta.url).resolve("@chainsafe/bls-keystore"))});
(async () => {
  const start = performance.now();
  for (let i = 0; i < ${CONTEXT_COUNT}; i++) {
    await create("benchmark password", new Uint8Array(32).fill(1), new Uint8Array(48), "m/12381/3600/0/0/0", null, defaultScryptModule());
  }
  console.log(performance.now() - start);
})();
`;
const tunables = [process.env.GLIBC_TUNABLES, "glibc.malloc.hugetlb=1"].filter(Boolean).join(":");
const { stdout } = await promisify(execFile)(process.execPath, ["-e", THEIRS_WITH_TUNABLE], {
  env: { ...process.env, GLIBC_TUNABLES: tunables, NODE_OPTIONS: "" },
});
const theirTunedMs = Number(stdout.trim());

// Context 3: the same scrypt in pure JavaScript (the browser path of @chainsafe/bls-keystore, not its Node path).
const { n, r, p, dklen } = SCRYPT_DEFAULTS;
const [, pureJsMs] = await timed(() =>
  scryptAsync(normalizeKeystorePassword(PASSWORD), new Uint8Array(32), { N: n, r, p, dkLen: dklen }),
);

const each = (total: number, count = COUNT) => total / count;
const ms = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 0 })} ms`;
const speedUp = (theirMs: number, ourMs: number) => theirMs / ourMs;
const ratio = (value: number) => `${value.toFixed(2)}x`;
const threads = process.env.UV_THREADPOOL_SIZE ?? "4";
const single = Math.min(speedUp(theirEncryptMs, ourEncryptMs), speedUp(theirDecryptMs, ourDecryptMs));
const batch = Math.min(speedUp(theirEncryptMs, ourBatchEncryptMs), speedUp(theirDecryptMs, ourBatchDecryptMs));

console.log(
  renderTable(`EIP-2335 keystores, scrypt n=2^18 r=8 p=1: ms per keystore, mean of ${COUNT}`, [
    ["encrypt"],
    ["@chainsafe/bls-keystore 3.1.0 (crypto.scryptSync)", ms(each(theirEncryptMs))],
    ["ours, one at a time", ms(each(ourEncryptMs))],
    [`ours, ${COUNT} at once`, ms(each(ourBatchEncryptMs))],
    ["decrypt (ours also checks the pubkey)"],
    ["@chainsafe/bls-keystore 3.1.0 (crypto.scryptSync)", ms(each(theirDecryptMs))],
    ["ours, one at a time", ms(each(ourDecryptMs))],
    [`ours, ${COUNT} at once`, ms(each(ourBatchDecryptMs))],
    [`speed-up, theirs / ours (target ${TARGET}x)`],
    ["encrypt, one at a time", ratio(speedUp(theirEncryptMs, ourEncryptMs))],
    ["decrypt, one at a time", ratio(speedUp(theirDecryptMs, ourDecryptMs))],
    [`encrypt, ${COUNT} at once`, ratio(speedUp(theirEncryptMs, ourBatchEncryptMs))],
    [`decrypt, ${COUNT} at once`, ratio(speedUp(theirDecryptMs, ourBatchDecryptMs))],
    [`context: encrypt, mean of ${CONTEXT_COUNT} (scrypt alone for pure JS)`],
    ["ours without the helper process", ms(each(ourInProcessMs, CONTEXT_COUNT))],
    ["@chainsafe/bls-keystore, glibc.malloc.hugetlb=1", ms(each(theirTunedMs, CONTEXT_COUNT))],
    ["scrypt in pure JS (@noble/hashes), 1 run", ms(pureJsMs)],
    ["scrypt helper process", helper ? "on (glibc.malloc.hugetlb=1)" : "off"],
    ["machine", `${os.availableParallelism()} cores, ${threads} pool threads`],
    ["runtime", `Node ${process.versions.node}, OpenSSL ${process.versions.openssl}`],
  ]),
);
console.log(
  `Target ${TARGET}x: one keystore at a time ${ratio(single)} (${single >= TARGET ? "met" : "not met"}), ` +
    `${COUNT} at once ${ratio(batch)} (${batch >= TARGET ? "met" : "not met"}).`,
);
