/**
 * Validator keys from a mnemonic, as the official deposit CLIs derive them: BIP-39 seed (English word list, optional
 * passphrase), EIP-2333 key tree, EIP-2334 paths `m/12381/3600/i/0/0` (signing) and `m/12381/3600/i/0` (withdrawal).
 */
import { SecretKey } from "@chainsafe/blst";
import { generateMnemonic as generateBip39Mnemonic, mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";

import { UserInputError } from "../errors.js";

/** EIP-2334: the purpose and coin type of every Ethereum validator key path. */
export const EIP2334_PURPOSE = 12381;
export const EIP2334_COIN_TYPE = 3600;

/** EIP-2333: a seed shorter than this is refused (the spec's `assert(len(seed) >= 32)`). */
export const MIN_SEED_LENGTH = 32;

/** EIP-2333 indexes are uint32. */
export const MAX_KEY_INDEX = 2 ** 32 - 1;

const MNEMONIC_WORD_COUNTS = [12, 15, 18, 21, 24] as const;
const WORDS = new Set(english);
// BIP-39 makes the first four letters of every English word unique; the deposit CLIs accept these abbreviations.
const BY_ABBREVIATION = new Map(english.filter((word) => word.length > 4).map((word) => [word.slice(0, 4), word]));

/**
 * Checks a BIP-39 English mnemonic and returns it in canonical form: lower case, single spaces, and every word
 * written out in full (the deposit CLIs also accept each word's first four letters, and so does this).
 *
 * Messages name the offending word and its position, never the whole mnemonic: it is the operator's master secret.
 *
 * @param argument Names the input in error messages.
 * @throws UserInputError when the word count, a word or the checksum is wrong.
 */
export function normalizeMnemonic(mnemonic: string, argument = "mnemonic"): string {
  const words = mnemonic
    .normalize("NFKD")
    .toLowerCase()
    .split(/\s+/u)
    .filter((word) => word !== "");
  if (!(MNEMONIC_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new UserInputError(`${argument} has ${words.length} words: expected 12, 15, 18, 21 or 24 words`);
  }
  const full = words.map((word, i) => {
    if (WORDS.has(word)) return word;
    const expanded = word.length === 4 ? BY_ABBREVIATION.get(word) : undefined;
    if (expanded !== undefined) return expanded;
    const guess = BY_ABBREVIATION.get(word.slice(0, 4));
    const hint = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
    throw new UserInputError(
      `${argument}: word ${i + 1} "${word}" is not in the BIP-39 English word list${hint}; only English mnemonics are supported`,
    );
  });
  const canonical = full.join(" ");
  if (!validateMnemonic(canonical, english)) {
    throw new UserInputError(
      `${argument}: the checksum does not match: a word is wrong, missing or out of order (every word is in the word list)`,
    );
  }
  return canonical;
}

/**
 * The BIP-39 seed of a mnemonic (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase, both NFKD): what
 * the deposit CLIs feed to EIP-2333. Validates the mnemonic first (see `normalizeMnemonic`).
 *
 * @param passphrase The optional BIP-39 passphrase ("mnemonic password" in the deposit CLIs); empty for none.
 * @returns 64 bytes.
 */
export function mnemonicToSeed(mnemonic: string, passphrase = ""): Uint8Array {
  const canonical = normalizeMnemonic(mnemonic);
  try {
    return mnemonicToSeedSync(canonical, passphrase);
  } catch (error) {
    // The only input @scure/bip39 still refuses here is a passphrase that is not well-formed Unicode.
    throw new UserInputError(`passphrase: expected well-formed Unicode text (${(error as Error).message})`);
  }
}

/** A new random 24-word English mnemonic (256 bits of entropy, the deposit CLIs' default). */
export function generateMnemonic(): string {
  return generateBip39Mnemonic(english, 256);
}

function assertKeyIndex(index: number, name: string): void {
  // The native binding casts to uint32 silently: 2**32 would become 0 and 1.5 would become 1.
  if (!Number.isInteger(index) || index < 0 || index > MAX_KEY_INDEX) {
    throw new RangeError(`${name}: expected an integer in [0, 2**32 - 1], got ${index}`);
  }
}

/**
 * EIP-2333 master secret key of a seed.
 *
 * @throws RangeError when the seed is shorter than 32 bytes (blst itself would accept it).
 */
export function deriveMasterSecretKey(seed: Uint8Array): SecretKey {
  if (seed.length < MIN_SEED_LENGTH) {
    throw new RangeError(`seed: expected at least ${MIN_SEED_LENGTH} bytes, got ${seed.length}`);
  }
  return SecretKey.deriveMasterEip2333(seed);
}

/**
 * EIP-2333 child secret key at `index`.
 *
 * @throws RangeError when `index` is not a uint32.
 */
export function deriveChildSecretKey(parent: SecretKey, index: number): SecretKey {
  assertKeyIndex(index, "index");
  return parent.deriveChildEip2333(index);
}

/**
 * Parses an EIP-2334 path ("m/12381/3600/0/0/0") into its indexes, as the deposit CLIs do (spaces ignored).
 *
 * @throws UserInputError naming the path and the component that is wrong.
 */
export function parseKeyPath(path: string): number[] {
  const components = path.replace(/\s+/gu, "").split("/");
  if (components[0] !== "m") {
    throw new UserInputError(`key path "${path}": expected it to start with "m", as in m/12381/3600/0/0/0`);
  }
  return components.slice(1).map((component, i) => {
    const index = /^\d{1,10}$/u.test(component) ? Number(component) : Number.NaN;
    if (!(index <= MAX_KEY_INDEX)) {
      throw new UserInputError(
        `key path "${path}": component ${i + 1} "${component}" is not an integer in [0, 2**32 - 1]`,
      );
    }
    return index;
  });
}

/** Derives the secret key at an EIP-2334 path ("m" is the master key) from a seed. */
export function deriveSecretKeyAtPath(seed: Uint8Array, path: string): SecretKey {
  return parseKeyPath(path).reduce(deriveChildSecretKey, deriveMasterSecretKey(seed));
}

/** EIP-2334 path of validator `index`'s signing key: `m/12381/3600/index/0/0`. */
export function signingKeyPath(index: number): string {
  assertKeyIndex(index, "validator index");
  return `m/${EIP2334_PURPOSE}/${EIP2334_COIN_TYPE}/${index}/0/0`;
}

/** EIP-2334 path of validator `index`'s withdrawal key: `m/12381/3600/index/0`. */
export function withdrawalKeyPath(index: number): string {
  assertKeyIndex(index, "validator index");
  return `m/${EIP2334_PURPOSE}/${EIP2334_COIN_TYPE}/${index}/0`;
}

/**
 * Reads a validator key path: which validator, and whether it is the signing or the withdrawal key.
 *
 * @throws UserInputError when the path is not `m/12381/3600/i/0/0` or `m/12381/3600/i/0`.
 */
export function parseValidatorKeyPath(path: string): { validatorIndex: number; role: "signing" | "withdrawal" } {
  const [purpose, coinType, validatorIndex, account, signing, ...rest] = parseKeyPath(path);
  const expected = "expected m/12381/3600/<validator index>/0/0 (signing key) or m/12381/3600/<validator index>/0";
  if (purpose !== EIP2334_PURPOSE || coinType !== EIP2334_COIN_TYPE || validatorIndex === undefined) {
    throw new UserInputError(`key path "${path}" is not an Ethereum validator key path: ${expected}`);
  }
  if (account !== 0 || (signing !== undefined && signing !== 0) || rest.length > 0) {
    throw new UserInputError(`key path "${path}" is not a validator signing or withdrawal key path: ${expected}`);
  }
  return { validatorIndex, role: signing === undefined ? "withdrawal" : "signing" };
}

/** One validator's keys, derived as the deposit CLIs derive them. */
export interface ValidatorKeys {
  /** The validator index `i` in the paths (the deposit CLIs' "validator start index" counts these). */
  index: number;
  signingKeyPath: string;
  signingKey: SecretKey;
  /** The signing key's compressed public key, 48 bytes: the deposit's `pubkey`. */
  publicKey: Uint8Array;
  withdrawalKeyPath: string;
  /** Only needed for 0x00 (BLS) withdrawal credentials. */
  withdrawalKey: SecretKey;
}

/**
 * Derives `count` validators' keys starting at validator index `start`.
 *
 * Walks the tree once: m/12381/3600 is derived once, then each validator's withdrawal key m/12381/3600/i/0 and its
 * child, the signing key: three EIP-2333 derivations a validator instead of five.
 *
 * @throws UserInputError when `start` or `count` is not a non-negative integer or the last index exceeds 2**32 - 1.
 */
export function deriveValidatorKeys(seed: Uint8Array, start: number, count: number): ValidatorKeys[] {
  if (!Number.isInteger(start) || start < 0 || start > MAX_KEY_INDEX) {
    throw new UserInputError(`start index ${start}: expected an integer from 0 to ${MAX_KEY_INDEX}`);
  }
  if (!Number.isInteger(count) || count < 0 || start + count - 1 > MAX_KEY_INDEX) {
    throw new UserInputError(
      `count ${count}: expected a whole number of validators, with the last index (start + count - 1) at most ${MAX_KEY_INDEX}`,
    );
  }
  const coinTypeKey = deriveMasterSecretKey(seed)
    .deriveChildEip2333(EIP2334_PURPOSE)
    .deriveChildEip2333(EIP2334_COIN_TYPE);
  const keys: ValidatorKeys[] = [];
  for (let index = start; index < start + count; index++) {
    const withdrawalKey = coinTypeKey.deriveChildEip2333(index).deriveChildEip2333(0);
    const signingKey = withdrawalKey.deriveChildEip2333(0);
    keys.push({
      index,
      signingKeyPath: signingKeyPath(index),
      signingKey,
      publicKey: signingKey.toPublicKey().toBytes(),
      withdrawalKeyPath: withdrawalKeyPath(index),
      withdrawalKey,
    });
  }
  return keys;
}
