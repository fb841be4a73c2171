import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { UserInputError } from "../errors.js";
import { beaconNetwork } from "../networks.js";
import type { Progress } from "../progress.js";
import {
  DEFAULT_DEPOSIT_CLI_VERSION,
  type DepositDataEntry,
  depositDataFileName,
  generateDepositData,
  parseWithdrawalAddress,
  serializeDepositDataFile,
  type WithdrawalTarget,
} from "./depositData.js";
import { signingKeyPath } from "./derivation.js";
import { encryptKeystore, type KdfChoice, writeKeystoreFile } from "./keystore.js";

/** What `keys generate` makes, as the official deposit CLI's `existing-mnemonic` command does. */
export interface GenerateValidatorFilesOptions {
  mnemonic: string;
  passphrase?: string;
  start: number;
  count: number;
  /** Beacon network name or chain id (`--chain`). */
  chain: string;
  /** 0x01 credentials to this address; empty for 0x00 credentials from the withdrawal key, the CLI's default. */
  withdrawalAddress?: string;
  outDir: string;
  /** Keystore password; `undefined` writes the deposit data only. */
  keystorePassword?: string;
  depositCliVersion?: string;
  /** Lower scrypt cost for tests only; the default is the CLI's n = 2^18. */
  kdf?: KdfChoice;
  progress?: Progress;
  /** Keystores encrypted at once (scrypt runs on libuv's thread pool, four threads by default). */
  concurrency?: number;
  unixSeconds?: number;
}

export interface GeneratedValidatorFiles {
  depositDataFile: string;
  keystoreFiles: string[];
  deposits: DepositDataEntry[];
}

/** Parses a whole number option such as `--count`, naming it when it is not one. */
export function parseCount(value: string, option: string, min: number, max: number): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UserInputError(`${option} "${value}" is not a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/**
 * Derives validator keys from a mnemonic and writes their deposit data file and (with a password) their EIP-2335
 * keystores into `outDir`, in the official CLI's names and formats. Everything is checked before the first file is
 * written; deposit data is written last, so a directory holding it holds every keystore too.
 */
export async function generateValidatorFiles(options: GenerateValidatorFilesOptions): Promise<GeneratedValidatorFiles> {
  const network = beaconNetwork(options.chain, "--chain");
  const withdrawal: WithdrawalTarget =
    options.withdrawalAddress === undefined || options.withdrawalAddress.trim() === ""
      ? { kind: "bls" }
      : { kind: "execution", address: parseWithdrawalAddress(options.withdrawalAddress, "--withdrawal-address") };
  if (options.keystorePassword !== undefined && options.keystorePassword.length < 8) {
    throw new UserInputError("the keystore password is shorter than 8 characters, the deposit CLI's minimum");
  }
  const { keys, deposits } = generateDepositData({
    mnemonic: options.mnemonic,
    passphrase: options.passphrase ?? "",
    start: options.start,
    count: options.count,
    withdrawal,
    network,
    depositCliVersion: options.depositCliVersion ?? DEFAULT_DEPOSIT_CLI_VERSION,
  });
  const unixSeconds = options.unixSeconds ?? Math.floor(Date.now() / 1000);
  await mkdir(options.outDir, { recursive: true });

  const keystoreFiles: string[] = [];
  if (options.keystorePassword !== undefined) {
    const password = options.keystorePassword;
    const concurrency = Math.max(1, options.concurrency ?? 4);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const keystore = await encryptKeystore({
          secret: key.signingKey.toBytes(),
          password,
          path: signingKeyPath(key.index),
          ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
        });
        keystoreFiles.push(await writeKeystoreFile(options.outDir, keystore, unixSeconds));
        options.progress?.tick();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
    keystoreFiles.sort();
  }
  options.progress?.finish();

  const depositDataFile = path.join(options.outDir, depositDataFileName(unixSeconds));
  await writeFile(depositDataFile, serializeDepositDataFile(deposits), { flag: "wx" }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserInputError(`${depositDataFile} already exists: expected a new file (never overwritten)`);
    }
    throw error;
  });
  return { depositDataFile, keystoreFiles, deposits };
}
