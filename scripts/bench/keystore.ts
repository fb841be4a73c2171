/**
 * Issue 3's keystore target: EIP-2335 keystores with the deposit CLI's scrypt parameters (n = 2^18, r = 8, p = 1)
 * encrypted and decrypted 3× as fast as @chainsafe/bls-keystore on the same machine and the same secrets. The speed-up
 * counted is the smaller of encryption's and decryption's.
 *
 * "one at a time" is the latency of a single keystore. "5 at once" starts every keystore together: our async
 * `crypto.scrypt` runs them on a thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), while
 * @chainsafe/bls-keystore calls `crypto.scryptSync` on the main thread, so its keystores always run one after another.
 * With `context`, three more figures say where the difference comes from: both libraries run the same OpenSSL scrypt;
 * ours runs it in a helper process whose malloc uses transparent huge pages (see lib/keys/scrypt.ts).
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import { promisify } from "node:util";

import bls from "@chainsafe/bls";
import { create, decrypt, defaultScryptModule } from "@chainsafe/bls-keystore";
import { scryptAsync } from "@noble/hashes/scrypt.js";

import {
  decryptKeystore,
  encryptKeystore,
  normalizeKeystorePassword,
  SCRYPT_DEFAULTS,
} from "../../lib/keys/keystore.js";
import type { Keystore } from "../../lib/keys/keystore.js";
import { scryptHelperProcessEnabled, useScryptHelperProcess } from "../../lib/keys/scrypt.js";
import type { Row } from "../../lib/table.js";
import type { Target, ToolingResult } from "./report.js";
import { ms, timedAsync } from "./timing.js";

const COUNT = 5;
const CONTEXT_COUNT = 2;
const TARGET: Target = { kind: "atLeast", value: 3 };
const PASSWORD = "benchmark password";
const keyPath = (i: number) => `m/12381/3600/${i}/0/0`;

/**
 * Why the 3× target is not met: both sides run the same OpenSSL scrypt, so ours can only win what it does around it.
 * An earlier closing measured 1.10× one at a time and 1.48× five at once on an otherwise idle 2-core machine; with
 * other work on the cores the figures fall, below 1× (0.8× and 0.65× when the one-table benchmark was written).
 */
const KNOWN_MISS =
  "both libraries run the same OpenSSL scrypt: ours gains only what the helper process's huge pages save and, five " +
  "at once, what the thread pool runs side by side on 2 cores (1.10× and 1.48× measured on an idle machine), and " +
  "less when other work shares the cores";

const ratio = (value: number) => `${value.toFixed(2)}x`;

export async function measureKeystores({ context }: { context: boolean }): Promise<ToolingResult> {
  const secrets = Array.from({ length: COUNT }, () => bls.SecretKey.fromKeygen());
  const oneAtATime = <T>(run: (i: number) => Promise<T>): Promise<[T[], number]> =>
    timedAsync(async () => {
      const results: T[] = [];
      for (let i = 0; i < COUNT; i++) results.push(await run(i));
      return results;
    });
  const allAtOnce = <T>(run: (i: number) => Promise<T>): Promise<[T[], number]> =>
    timedAsync(() => Promise.all(secrets.map((_, i) => run(i))));
  const checkSecrets = (results: Uint8Array[], who: string) =>
    results.forEach((secret, i) => {
      if (Buffer.compare(secret, secrets[i]!.toBytes()) !== 0) {
        throw new Error(`${who}: keystore ${i} decrypts wrongly`);
      }
    });

  // Load both libraries' code paths before timing (small n: negligible).
  await decryptKeystore(
    await encryptKeystore({
      secret: secrets[0]!.toBytes(),
      password: "",
      path: keyPath(0),
      kdf: { function: "scrypt", n: 16 },
    }),
    "",
  );
  await create("", secrets[0]!.toBytes(), secrets[0]!.toPublicKey().toBytes(), keyPath(0), null, {
    function: "scrypt",
    params: { dklen: 32, n: 16, r: 8, p: 1, salt: "00" },
  });

  const [theirs, theirEncryptMs] = await oneAtATime((i) =>
    create(
      PASSWORD,
      secrets[i]!.toBytes(),
      secrets[i]!.toPublicKey().toBytes(),
      keyPath(i),
      null,
      defaultScryptModule(),
    ),
  );
  const [theirSecrets, theirDecryptMs] = await oneAtATime((i) => decrypt(theirs[i]!, PASSWORD));
  checkSecrets(theirSecrets, "@chainsafe/bls-keystore");

  const encryptOurs = (i: number) =>
    encryptKeystore({ secret: secrets[i]!.toBytes(), password: PASSWORD, path: keyPath(i) });
  const decryptOurs = (keystores: Keystore[]) => (i: number) => decryptKeystore(keystores[i]!, PASSWORD);
  const [ours, ourEncryptMs] = await oneAtATime(encryptOurs);
  const [ourSecrets, ourDecryptMs] = await oneAtATime(decryptOurs(ours));
  checkSecrets(ourSecrets, "ours, one at a time");
  const [oursBatch, ourBatchEncryptMs] = await allAtOnce(encryptOurs);
  const [ourBatchSecrets, ourBatchDecryptMs] = await allAtOnce(decryptOurs(oursBatch));
  checkSecrets(ourBatchSecrets, "ours, all at once");

  const each = (total: number, count = COUNT) => total / count;
  const single = Math.min(theirEncryptMs / ourEncryptMs, theirDecryptMs / ourDecryptMs);
  const batch = Math.min(theirEncryptMs / ourBatchEncryptMs, theirDecryptMs / ourBatchDecryptMs);
  const details: Row[] = [
    ["encrypt"],
    ["@chainsafe/bls-keystore 3.1.0 (crypto.scryptSync)", ms(each(theirEncryptMs))],
    ["ours, one at a time", ms(each(ourEncryptMs))],
    [`ours, ${COUNT} at once`, ms(each(ourBatchEncryptMs))],
    ["decrypt (ours also checks the pubkey)"],
    ["@chainsafe/bls-keystore 3.1.0 (crypto.scryptSync)", ms(each(theirDecryptMs))],
    ["ours, one at a time", ms(each(ourDecryptMs))],
    [`ours, ${COUNT} at once`, ms(each(ourBatchDecryptMs))],
    [`speed-up, theirs / ours (target ${TARGET.value}x)`],
    ["encrypt, one at a time", ratio(theirEncryptMs / ourEncryptMs)],
    ["decrypt, one at a time", ratio(theirDecryptMs / ourDecryptMs)],
    [`encrypt, ${COUNT} at once`, ratio(theirEncryptMs / ourBatchEncryptMs)],
    [`decrypt, ${COUNT} at once`, ratio(theirDecryptMs / ourBatchDecryptMs)],
  ];

  const helper = scryptHelperProcessEnabled();
  if (context) {
    // Context 1: ours without the helper process, i.e. OpenSSL's scrypt in this process, as @chainsafe/bls-keystore
    // runs it.
    useScryptHelperProcess(false);
    const [, ourInProcessMs] = await timedAsync(async () => {
      for (let i = 0; i < CONTEXT_COUNT; i++) await encryptOurs(i);
    });
    useScryptHelperProcess(helper);

    // Context 2: @chainsafe/bls-keystore in a process started with the helper's glibc tunable.
    const theirsWithTunable = `
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
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", theirsWithTunable], {
      env: { ...process.env, GLIBC_TUNABLES: tunables, NODE_OPTIONS: "" },
    });
    const theirTunedMs = Number(stdout.trim());

    // Context 3: the same scrypt in pure JavaScript (the browser path of @chainsafe/bls-keystore, not its Node path).
    const { n, r, p, dklen } = SCRYPT_DEFAULTS;
    const [, pureJsMs] = await timedAsync(() =>
      scryptAsync(normalizeKeystorePassword(PASSWORD), new Uint8Array(32), { N: n, r, p, dkLen: dklen }),
    );
    details.push(
      [`context: encrypt, mean of ${CONTEXT_COUNT} (scrypt alone for pure JS)`],
      ["ours without the helper process", ms(each(ourInProcessMs, CONTEXT_COUNT))],
      ["@chainsafe/bls-keystore, glibc.malloc.hugetlb=1", ms(each(theirTunedMs, CONTEXT_COUNT))],
      ["scrypt in pure JS (@noble/hashes), 1 run", ms(pureJsMs)],
    );
  }
  details.push(
    ["scrypt helper process", helper ? "on (glibc.malloc.hugetlb=1)" : "off"],
    ["machine", `${os.availableParallelism()} cores, ${process.env.UV_THREADPOOL_SIZE ?? "4"} pool threads`],
    ["runtime", `Node ${process.versions.node}, OpenSSL ${process.versions.openssl}`],
  );

  return {
    rows: [
      { operation: "keystore: encrypt one (ms a keystore)", measured: each(ourEncryptMs), unit: "ms" },
      {
        operation: `keystore: encrypt ${COUNT} at once (ms a keystore)`,
        measured: each(ourBatchEncryptMs),
        unit: "ms",
      },
      { operation: "keystore: decrypt one (ms a keystore)", measured: each(ourDecryptMs), unit: "ms" },
      {
        operation: "keystore: @chainsafe/bls-keystore, encrypt one",
        measured: each(theirEncryptMs),
        unit: "ms",
      },
      {
        operation: "keystore: @chainsafe/bls-keystore, decrypt one",
        measured: each(theirDecryptMs),
        unit: "ms",
      },
      {
        operation: "keystore: speed-up over @chainsafe, one at a time",
        measured: single,
        unit: "ratio",
        target: TARGET,
        knownMiss: KNOWN_MISS,
      },
      {
        operation: `keystore: speed-up over @chainsafe, ${COUNT} at once`,
        measured: batch,
        unit: "ratio",
        target: TARGET,
        knownMiss: KNOWN_MISS,
      },
    ],
    inputs:
      `keystores: ${COUNT} fresh secrets, EIP-2335 scrypt n=2^18 r=8 p=1, beside @chainsafe/bls-keystore 3.1.0 on ` +
      `the same secrets; scrypt helper process ${helper ? "on" : "off"}, ` +
      `${process.env.UV_THREADPOOL_SIZE ?? "4"} libuv pool threads`,
    details: [{ title: `EIP-2335 keystores, scrypt n=2^18 r=8 p=1: ms per keystore, mean of ${COUNT}`, rows: details }],
  };
}
