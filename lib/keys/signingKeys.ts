/**
 * Validator signing keys held by an operator's tooling, by public key: derived from the mnemonic (EIP-2333/2334) or
 * decrypted from EIP-2335 keystores. What the exit daemon signs voluntary exits with.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

import { SecretKey } from "@chainsafe/blst";
import { hexlify } from "ethers";

import { UserInputError } from "../errors.js";
import type { Progress } from "../progress.js";
import { deriveValidatorKeys, mnemonicToSeed } from "./derivation.js";
import { decryptKeystore, readKeystoreFile } from "./keystore.js";

/** Signing keys by their public key (0x-prefixed, lower case), and where they came from, for messages. */
export interface SigningKeySet {
  keys: Map<string, SecretKey>;
  /** E.g. "mnemonic indices 0 to 99" or "3 keystores in validator_keys". */
  source: string;
}

/** Keystore files as the deposit CLI and `keys generate` name them. */
const KEYSTORE_FILE = /^keystore.*\.json$/iu;

/**
 * The signing keys of validator indices `[start, start + count)` of a mnemonic (m/12381/3600/i/0/0).
 *
 * @throws UserInputError when the mnemonic is not a valid BIP-39 English mnemonic or the range is out of bounds.
 */
export function signingKeysFromMnemonic(
  mnemonic: string,
  start: number,
  count: number,
  passphrase = "",
): SigningKeySet {
  if (!Number.isInteger(count) || count < 1) {
    throw new UserInputError(`key count ${count}: expected a whole number of keys from 1`);
  }
  const derived = deriveValidatorKeys(mnemonicToSeed(mnemonic, passphrase), start, count);
  return {
    keys: new Map(derived.map((key) => [hexlify(key.publicKey), key.signingKey])),
    source: `mnemonic indices ${start} to ${start + count - 1}`,
  };
}

export interface KeystoreLoadOptions {
  /**
   * Makes the progress report once the keystores are counted; ticked once per keystore decrypted (scrypt at the
   * deposit CLI's cost takes about a second each).
   */
  progress?: (total: number) => Progress;
  /** Keystores decrypted at once; default 2. */
  concurrency?: number;
  /** Names the folder in messages; default "keystore folder". */
  argument?: string;
}

/**
 * Decrypts every `keystore*.json` of `folder` with `password` and returns their signing keys.
 *
 * @throws UserInputError when the folder cannot be read or holds no keystore, and the keystore module's errors (a
 *   malformed file, a wrong password) prefixed with the file's name.
 */
export async function signingKeysFromKeystores(
  folder: string,
  password: string,
  options: KeystoreLoadOptions = {},
): Promise<SigningKeySet> {
  const argument = options.argument ?? "keystore folder";
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => KEYSTORE_FILE.test(name)).sort();
  } catch (error) {
    throw new UserInputError(`${argument} ${folder}: cannot read it (${(error as Error).message})`);
  }
  if (names.length === 0) {
    throw new UserInputError(
      `${argument} ${folder} holds no keystore*.json file: expected the folder the deposit CLI (or keys generate) ` +
        `wrote its keystores to`,
    );
  }
  const keys = new Map<string, SecretKey>();
  const progress = options.progress?.(names.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < names.length) {
      const name = names[next++]!;
      try {
        const keystore = await readKeystoreFile(path.join(folder, name));
        const secret = await decryptKeystore(keystore, password);
        const key = SecretKey.fromBytes(secret);
        secret.fill(0);
        keys.set(`0x${keystore.pubkey}`, key);
      } catch (error) {
        // The other workers stop after their current keystore: the load has failed.
        failed = true;
        if (error instanceof UserInputError) {
          // Same error type (a wrong password stays a WrongKeystorePasswordError), its message naming the file.
          error.message = `${name}: ${error.message}`;
          throw error;
        }
        throw new UserInputError(`${argument} ${folder}: cannot read ${name} (${(error as Error).message})`);
      }
      progress?.tick();
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 2, names.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  progress?.finish();
  return { keys, source: `${names.length} keystore${names.length === 1 ? "" : "s"} in ${folder}` };
}
