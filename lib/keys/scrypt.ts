/**
 * Scrypt for keystores, in Node's native crypto (OpenSSL) and asynchronous (libuv's thread pool): the event loop stays
 * free and several keystores derive at once.
 *
 * At the deposit CLI's parameters (n = 2^18, r = 8, p = 1) OpenSSL fills a fresh 256 MiB buffer for every call. On the
 * project's Linux VMs (2 cores) faulting in its 65,536 pages costs more than the hashing: about 0.8 s of 1.35 s, nearly
 * all of it in the kernel. With glibc's `glibc.malloc.hugetlb=1` tunable malloc asks for transparent huge pages for
 * such a buffer (128 faults instead of 65,536) and a keystore takes about 0.55 s. A glibc tunable only takes effect when
 * a process starts, so on Linux large scrypt runs in one helper Node process started with it; elsewhere, or when the
 * helper fails, it runs here. @chainsafe/bls-keystore calls the same OpenSSL scrypt (`crypto.scryptSync`) in-process.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { scrypt } from "node:crypto";

/**
 * The memory scrypt may use. Node's default `maxmem` is 32 MiB, and OpenSSL needs 128·r·(n + 2) + 128·r·p bytes:
 * 268,438,528 at the defaults, just above 256 MiB, so even a 256 MiB limit fails ("memory limit exceeded"). 512 MiB
 * admits every parameter set the deposit CLIs and clients write, and still refuses a file whose parameters would have
 * this process allocate gigabytes.
 */
export const SCRYPT_MAX_MEMORY = 512 * 1024 * 1024;

/** Bytes OpenSSL allocates for scrypt (its `Blen + Vlen`), checked against `maxmem` before it starts. */
export function scryptMemoryBytes(n: number, r: number, p: number): number {
  return 128 * r * (n + 2) + 128 * r * p;
}

export interface ScryptCost {
  n: number;
  r: number;
  p: number;
  dklen: number;
}

/**
 * Derives a scrypt key. Parameters must have been validated (power-of-two n, memory within `SCRYPT_MAX_MEMORY`).
 */
export async function scryptKey(password: Uint8Array, salt: Uint8Array, cost: ScryptCost): Promise<Buffer> {
  const { n, r, p, dklen } = cost;
  if (scryptHelper.enabled && scryptMemoryBytes(n, r, p) >= HELPER_MIN_MEMORY) {
    try {
      return await scryptHelper.run({ password: toHex(password), salt: toHex(salt), n, r, p, dklen });
    } catch {
      // Parameters were validated, so only the helper itself can have failed: derive here instead (the same key,
      // at in-process speed) and stop using it.
      scryptHelper.enabled = false;
    }
  }
  return new Promise((resolve, reject) =>
    scrypt(password, salt, dklen, { N: n, r, p, maxmem: SCRYPT_MAX_MEMORY }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    ),
  );
}

/**
 * Turns the scrypt helper process on or off (on by default on Linux, where it applies; elsewhere it is off). Off, every
 * scrypt runs in this process, as fast as @chainsafe/bls-keystore's.
 */
export function useScryptHelperProcess(enabled: boolean): void {
  scryptHelper.enabled = enabled;
  if (!enabled) scryptHelper.stop();
}

/** Whether scrypt with the deposit CLI's parameters currently runs in the helper process. */
export function scryptHelperProcessEnabled(): boolean {
  return scryptHelper.enabled;
}

// Only scrypt this large pays for a round trip to the helper: below it, page faults cost little.
const HELPER_MIN_MEMORY = 32 * 2 ** 20;
const HELPER_TUNABLE = "glibc.malloc.hugetlb=1";
// The helper: plain CommonJS given to `node -e`, so that it needs no file and no TypeScript loader. It only ever sees
// processed password bytes and returns the derived key, over the private IPC socket pair of the two processes.
const HELPER_SOURCE = `
const { scrypt } = require("node:crypto");
process.on("message", (job) => {
  const password = Buffer.from(job.password, "hex");
  const options = { N: job.n, r: job.r, p: job.p, maxmem: ${SCRYPT_MAX_MEMORY} };
  scrypt(password, Buffer.from(job.salt, "hex"), job.dklen, options, (error, key) => {
    password.fill(0);
    process.send(error ? { id: job.id, error: String(error.message) } : { id: job.id, key: key.toString("hex") });
    if (key) key.fill(0);
  });
});
process.on("disconnect", () => process.exit(0));
`;

interface ScryptJob {
  password: string;
  salt: string;
  n: number;
  r: number;
  p: number;
  dklen: number;
}

type ScryptReply = { id: number; key: string } | { id: number; error: string };

/** One long-lived helper process, started on first use; it never keeps this process alive while idle. */
class ScryptHelper {
  enabled = process.platform === "linux";
  #child: ChildProcess | undefined;
  #pending = new Map<number, { resolve: (key: Buffer) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  run(job: ScryptJob): Promise<Buffer> {
    const child = this.#child ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) ScryptHelper.#hold(child, true);
      child.send({ id, ...job }, (error) => {
        if (error !== null) this.#fail(child, error);
      });
    });
  }

  stop(): void {
    if (this.#child !== undefined) this.#fail(this.#child, new Error("the scrypt helper process was stopped"));
  }

  #start(): ChildProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, HELPER_TUNABLE].filter(Boolean).join(":"),
    };
    // The helper needs none of this process's loaders or flags.
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ["-e", HELPER_SOURCE], {
      env,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    child.on("message", (reply: ScryptReply) => {
      const waiting = this.#pending.get(reply.id);
      if (waiting === undefined) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) ScryptHelper.#hold(child, false);
      if ("key" in reply) waiting.resolve(Buffer.from(reply.key, "hex"));
      else waiting.reject(new Error(`scrypt failed in the helper process: ${reply.error}`));
    });
    child.on("error", (error) => this.#fail(child, error));
    child.on("exit", (code, signal) => this.#fail(child, new Error(`the scrypt helper exited (${signal ?? code})`)));
    ScryptHelper.#hold(child, false);
    this.#child = child;
    return child;
  }

  #fail(child: ChildProcess, error: Error): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    if (child.connected) child.disconnect();
    for (const { reject } of waiting) reject(error);
  }

  // Referenced only while a derivation is in flight: an idle helper must not keep this process from exiting.
  static #hold(child: ChildProcess, hold: boolean): void {
    if (hold) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }
}

const scryptHelper = new ScryptHelper();

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
