/**
 * EIP-2335 keystores (version 4), written as the official staking-deposit-cli writes them and read from any tool that
 * follows the EIP: scrypt (n = 2^18, r = 8, p = 1) or pbkdf2 (c = 2^18, hmac-sha256) key derivation, AES-128-CTR, a
 * sha256 checksum over the second half of the derived key and the cipher message.
 *
 * Every key derivation and cipher runs in Node's native crypto (OpenSSL), asynchronously: scrypt through
 * `./scrypt.ts` (which runs large scrypt in a helper process on Linux, about 2.5 times faster there), pbkdf2 and
 * AES-128-CTR here.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  pbkdf2,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import bls from "@chainsafe/bls";

import { UserInputError } from "../errors.js";
import { type PythonJson, pythonJsonDumps, toHex } from "./pythonJson.js";
import { SCRYPT_MAX_MEMORY, scryptKey, scryptMemoryBytes } from "./scrypt.js";

/** The deposit CLI's scrypt parameters, which consensus clients expect and `encryptKeystore` uses by default. */
export const SCRYPT_DEFAULTS = { dklen: 32, n: 2 ** 18, r: 8, p: 1 } as const;

/** The deposit CLI's pbkdf2 parameters. */
export const PBKDF2_DEFAULTS = { dklen: 32, c: 2 ** 18, prf: "hmac-sha256" } as const;

/** Bytes of a BLS12-381 secret key, the only secret these keystores hold. */
export const SECRET_LENGTH = 32;

const PUBKEY_LENGTH = 48;
const IV_LENGTH = 16;
const CHECKSUM_LENGTH = 32;
const DEFAULT_SALT_LENGTH = 32;
const MAX_PATH_INDEX = 2 ** 32 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEX = /^(?:[0-9a-f]{2})*$/i;

export interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}

export interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: "hmac-sha256";
  salt: string;
}

export type KdfModule =
  { function: "scrypt"; params: ScryptParams; message: "" } | { function: "pbkdf2"; params: Pbkdf2Params; message: "" };

/** An EIP-2335 keystore as it is written to disk. Hex strings carry no 0x. */
export interface Keystore {
  crypto: {
    kdf: KdfModule;
    checksum: { function: "sha256"; params: Record<string, never>; message: string };
    cipher: { function: "aes-128-ctr"; params: { iv: string }; message: string };
  };
  description: string;
  pubkey: string;
  /** EIP-2334 path of the key, e.g. m/12381/3600/0/0/0, or "" when unknown. */
  path: string;
  uuid: string;
  version: 4;
}

/** Which key derivation to write, with the deposit CLI's parameters unless overridden (tests use a small n). */
export type KdfChoice = { function: "scrypt"; n?: number; r?: number; p?: number } | { function: "pbkdf2"; c?: number };

/** Values normally drawn at random, fixed by tests and test vectors. */
export interface KeystoreRandomness {
  salt?: Uint8Array;
  iv?: Uint8Array;
  /** A version 4 UUID in lower case. */
  uuid?: string;
}

export interface EncryptKeystoreOptions {
  secret: Uint8Array;
  password: string;
  /** EIP-2334 path, e.g. m/12381/3600/0/0/0. */
  path: string;
  description?: string;
  kdf?: KdfChoice;
  random?: KeystoreRandomness;
}

/** The keystore file is not a valid EIP-2335 keystore: a field is missing, of the wrong type or out of range. */
export class KeystoreFormatError extends UserInputError {
  override name = "KeystoreFormatError";
}

/**
 * The checksum does not match: the password is wrong, or the checksum or cipher message was altered (no one can tell
 * these apart without the password: that is what the checksum is for).
 */
export class WrongKeystorePasswordError extends UserInputError {
  override name = "WrongKeystorePasswordError";
}

/** The keystore decrypts (the checksum matches) but to a secret key whose public key is not the keystore's pubkey. */
export class KeystorePubkeyMismatchError extends UserInputError {
  override name = "KeystorePubkeyMismatchError";
}

/**
 * EIP-2335 password processing: NFKD normalization, then the C0 (U+0000-U+001F), Delete (U+007F) and C1
 * (U+0080-U+009F) control code points are removed, then UTF-8. Stripping comes after normalization, as the EIP and the
 * deposit CLI order it.
 *
 * @throws UserInputError when the password holds an unpaired UTF-16 surrogate: it has no UTF-8 encoding, and a
 *   replacement character would give a key no other tool derives.
 */
export function normalizeKeystorePassword(password: string): Uint8Array {
  if (/\p{Cs}/u.test(password)) {
    throw new UserInputError("password contains an unpaired UTF-16 surrogate: expected well-formed Unicode text");
  }
  let kept = "";
  for (const char of password.normalize("NFKD")) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f)) continue;
    kept += char;
  }
  return new Uint8Array(Buffer.from(kept, "utf8"));
}

/**
 * Encrypts a BLS secret key as an EIP-2335 keystore, the way the deposit CLI does: the pubkey is computed from the
 * secret, the uuid is a fresh v4 UUID, salt (32 bytes) and iv (16 bytes) are random unless `random` fixes them.
 *
 * @throws UserInputError when the secret is not a BLS secret key, the path is not an EIP-2334 path, or a parameter or
 *   injected value is out of range.
 */
export async function encryptKeystore(options: EncryptKeystoreOptions): Promise<Keystore> {
  const { secret, password, description = "", random = {} } = options;
  const pubkey = publicKeyOf(secret, "secret");
  checkPath(options.path, "path", (message) => new UserInputError(message));
  const salt = random.salt ?? randomBytes(DEFAULT_SALT_LENGTH);
  if (salt.length === 0) throw new UserInputError("salt is empty: expected at least one byte (32 by default)");
  const iv = random.iv ?? randomBytes(IV_LENGTH);
  if (iv.length !== IV_LENGTH) throw new UserInputError(`iv has ${iv.length} bytes: expected ${IV_LENGTH}`);
  const uuid = random.uuid ?? randomUUID();
  if (!UUID_V4.test(uuid)) throw new UserInputError(`uuid "${uuid}" is not a lower-case version 4 UUID`);

  const kdf = kdfModule(options.kdf ?? { function: "scrypt" }, toHex(salt));
  checkKdfParams(kdf, "kdf", (message) => new UserInputError(message));
  const key = await deriveKey(kdf, normalizeKeystorePassword(password));
  try {
    const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), iv);
    const message = Buffer.concat([cipher.update(secret), cipher.final()]);
    return {
      crypto: {
        kdf,
        checksum: { function: "sha256", params: {}, message: toHex(checksumOf(key, message)) },
        cipher: { function: "aes-128-ctr", params: { iv: toHex(iv) }, message: toHex(message) },
      },
      description,
      pubkey: toHex(pubkey),
      path: options.path,
      uuid,
      version: 4,
    };
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypts a keystore and returns its 32-byte secret key. The checksum is verified before anything is decrypted, and
 * the secret's public key must be the keystore's pubkey.
 *
 * @throws KeystoreFormatError when the keystore is malformed (it is validated again here).
 * @throws WrongKeystorePasswordError when the checksum does not match.
 * @throws KeystorePubkeyMismatchError when the secret does not belong to the keystore's pubkey.
 */
export async function decryptKeystore(keystore: Keystore, password: string): Promise<Uint8Array> {
  const valid = validateKeystore(keystore);
  const { kdf, checksum, cipher } = valid.crypto;
  const message = Buffer.from(cipher.message, "hex");
  const key = await deriveKey(kdf, normalizeKeystorePassword(password));
  try {
    if (!timingSafeEqual(checksumOf(key, message), Buffer.from(checksum.message, "hex"))) {
      throw new WrongKeystorePasswordError(
        `wrong password for keystore ${describeKeystore(valid)}: the checksum does not match ` +
          "(a keystore whose checksum or cipher message was altered fails the same way)",
      );
    }
    const decipher = createDecipheriv("aes-128-ctr", key.subarray(0, 16), Buffer.from(cipher.params.iv, "hex"));
    const plain = Buffer.concat([decipher.update(message), decipher.final()]);
    const secret = new Uint8Array(plain);
    plain.fill(0);
    let actual: Uint8Array;
    try {
      actual = bls.SecretKey.fromBytes(secret).toPublicKey().toBytes();
    } catch {
      secret.fill(0);
      throw new KeystorePubkeyMismatchError(
        `keystore ${describeKeystore(valid)} decrypts to bytes that are no BLS secret key (zero, or not below the ` +
          "curve order), so they cannot belong to its pubkey",
      );
    }
    if (toHex(actual) !== valid.pubkey) {
      secret.fill(0);
      throw new KeystorePubkeyMismatchError(
        `keystore ${describeKeystore(valid)} decrypts to the secret key of 0x${toHex(actual)}, not of its pubkey`,
      );
    }
    return secret;
  } finally {
    key.fill(0);
  }
}

/**
 * Parses keystore JSON and validates it (see `validateKeystore`).
 *
 * @param source Names the keystore in error messages, e.g. its file name.
 * @throws KeystoreFormatError when the text is not JSON or not a valid keystore.
 */
export function parseKeystore(json: string, source = "keystore"): Keystore {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new KeystoreFormatError(`${source} is not JSON: ${(error as Error).message}`);
  }
  return validateKeystore(value, source);
}

/**
 * Checks that a value is an EIP-2335 version 4 keystore this module can decrypt, and returns a copy in canonical form
 * (lower-case hex, description "" when absent). Strict on every field it uses: types, kdf and its parameters (scrypt n
 * a power of two, memory within `SCRYPT_MAX_MEMORY`, dklen 32), hex lengths (iv 16 bytes, checksum 32, cipher message
 * 32, pubkey 48), path, uuid, version. Fields it does not use (some tools add a `name`) are ignored.
 *
 * @param source Names the keystore in error messages, e.g. its file name.
 * @throws KeystoreFormatError naming the first field that is wrong and what was expected.
 */
export function validateKeystore(value: unknown, source = "keystore"): Keystore {
  const fail = (message: string) => new KeystoreFormatError(`${source}: ${message}`);
  const root = objectAt(value, "", fail);
  const version = field(root, "version", "", fail);
  if (version !== 4) throw fail(`version is ${JSON.stringify(version)}: expected 4 (EIP-2335)`);
  const crypto = objectAt(field(root, "crypto", "", fail), "crypto", fail);

  const kdfObject = objectAt(field(crypto, "kdf", "crypto", fail), "crypto.kdf", fail);
  const kdfFunction = stringAt(kdfObject, "function", "crypto.kdf", fail);
  const kdfParams = objectAt(field(kdfObject, "params", "crypto.kdf", fail), "crypto.kdf.params", fail);
  const salt = hexAt(kdfParams, "salt", "crypto.kdf.params", undefined, fail);
  if (salt.length === 0) throw fail("crypto.kdf.params.salt is empty: expected hex bytes");
  let kdf: KdfModule;
  if (kdfFunction === "scrypt") {
    const at = "crypto.kdf.params";
    const int = (key: string) => integerAt(kdfParams, key, at, fail);
    kdf = {
      function: "scrypt",
      params: { dklen: int("dklen"), n: int("n"), r: int("r"), p: int("p"), salt },
      message: "",
    };
  } else if (kdfFunction === "pbkdf2") {
    const at = "crypto.kdf.params";
    const prf = stringAt(kdfParams, "prf", at, fail);
    if (prf !== "hmac-sha256") throw fail(`crypto.kdf.params.prf is "${prf}": expected "hmac-sha256"`);
    const int = (key: string) => integerAt(kdfParams, key, at, fail);
    kdf = { function: "pbkdf2", params: { dklen: int("dklen"), c: int("c"), prf, salt }, message: "" };
  } else {
    throw fail(`crypto.kdf.function is "${kdfFunction}": expected "scrypt" or "pbkdf2"`);
  }
  const kdfMessage = stringAt(kdfObject, "message", "crypto.kdf", fail);
  if (kdfMessage !== "") throw fail(`crypto.kdf.message is "${kdfMessage}": expected "" (EIP-2335)`);
  checkKdfParams(kdf, "crypto.kdf.params", fail);

  const checksumObject = objectAt(field(crypto, "checksum", "crypto", fail), "crypto.checksum", fail);
  const checksumFunction = stringAt(checksumObject, "function", "crypto.checksum", fail);
  if (checksumFunction !== "sha256") {
    throw fail(`crypto.checksum.function is "${checksumFunction}": expected "sha256"`);
  }
  objectAt(field(checksumObject, "params", "crypto.checksum", fail), "crypto.checksum.params", fail);
  const checksum = hexAt(checksumObject, "message", "crypto.checksum", CHECKSUM_LENGTH, fail);

  const cipherObject = objectAt(field(crypto, "cipher", "crypto", fail), "crypto.cipher", fail);
  const cipherFunction = stringAt(cipherObject, "function", "crypto.cipher", fail);
  if (cipherFunction !== "aes-128-ctr") {
    throw fail(`crypto.cipher.function is "${cipherFunction}": expected "aes-128-ctr"`);
  }
  const cipherParams = objectAt(field(cipherObject, "params", "crypto.cipher", fail), "crypto.cipher.params", fail);
  const iv = hexAt(cipherParams, "iv", "crypto.cipher.params", IV_LENGTH, fail);
  const cipherMessage = hexAt(cipherObject, "message", "crypto.cipher", SECRET_LENGTH, fail);

  const description = "description" in root ? stringAt(root, "description", "", fail) : "";
  const pubkey = hexAt(root, "pubkey", "", PUBKEY_LENGTH, fail);
  const keyPath = stringAt(root, "path", "", fail);
  checkPath(keyPath, "path", fail);
  const uuid = stringAt(root, "uuid", "", fail);
  if (!UUID.test(uuid)) throw fail(`uuid "${uuid}" is not a UUID: expected 8-4-4-4-12 hex digits`);

  return {
    crypto: {
      kdf,
      checksum: { function: "sha256", params: {}, message: checksum },
      cipher: { function: "aes-128-ctr", params: { iv }, message: cipherMessage },
    },
    description,
    pubkey,
    path: keyPath,
    uuid: uuid.toLowerCase(),
    version: 4,
  };
}

/**
 * The keystore as the deposit CLI writes it: Python's `json.dumps` (separators ", " and ": ", non-ASCII escaped as
 * \uXXXX), keys in the CLI's order (scrypt params dklen, n, r, p, salt; pbkdf2 params c, dklen, prf, salt), one line,
 * no trailing newline.
 */
export function serializeKeystore(keystore: Keystore): string {
  const { kdf, checksum, cipher } = keystore.crypto;
  const kdfParams: PythonJson =
    kdf.function === "scrypt"
      ? { dklen: kdf.params.dklen, n: kdf.params.n, r: kdf.params.r, p: kdf.params.p, salt: kdf.params.salt }
      : { c: kdf.params.c, dklen: kdf.params.dklen, prf: kdf.params.prf, salt: kdf.params.salt };
  return pythonJsonDumps({
    crypto: {
      kdf: { function: kdf.function, params: kdfParams, message: kdf.message },
      checksum: { function: checksum.function, params: {}, message: checksum.message },
      cipher: { function: cipher.function, params: { iv: cipher.params.iv }, message: cipher.message },
    },
    description: keystore.description,
    pubkey: keystore.pubkey,
    path: keystore.path,
    uuid: keystore.uuid,
    version: keystore.version,
  });
}

/** The deposit CLI's keystore file name: `keystore-m_12381_3600_<i>_0_0-<unix seconds>.json`. */
export function keystoreFileName(keyPath: string, unixSeconds: number): string {
  checkPath(keyPath, "path", (message) => new UserInputError(message));
  if (keyPath === "") throw new UserInputError("path is empty: a keystore file is named after its key's path");
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new UserInputError(`unix time ${unixSeconds} is not a whole number of seconds since 1970`);
  }
  return `keystore-${keyPath.replaceAll("/", "_")}-${unixSeconds}.json`;
}

/**
 * Writes a keystore into `folder` under its CLI file name, read-only for owner and group (0440) as the CLI leaves it,
 * and returns the file's path.
 *
 * @throws UserInputError when the file already exists: a keystore is never overwritten.
 */
export async function writeKeystoreFile(
  folder: string,
  keystore: Keystore,
  unixSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  const file = path.join(folder, keystoreFileName(keystore.path, unixSeconds));
  try {
    await writeFile(file, serializeKeystore(keystore), { flag: "wx", mode: 0o440 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserInputError(`${file} already exists: expected a new file name (keystores are never overwritten)`);
    }
    throw error;
  }
  return file;
}

/** Reads and validates a keystore file; messages name the file. */
export async function readKeystoreFile(file: string): Promise<Keystore> {
  return parseKeystore(await readFile(file, "utf8"), path.basename(file));
}

function describeKeystore(keystore: Keystore): string {
  return keystore.path === "" ? `0x${keystore.pubkey}` : `0x${keystore.pubkey} (${keystore.path})`;
}

function publicKeyOf(secret: Uint8Array, argument: string): Uint8Array {
  if (secret.length !== SECRET_LENGTH) {
    throw new UserInputError(`${argument} has ${secret.length} bytes: expected a ${SECRET_LENGTH}-byte BLS secret key`);
  }
  try {
    return bls.SecretKey.fromBytes(secret).toPublicKey().toBytes();
  } catch {
    throw new UserInputError(`${argument} is no BLS secret key: expected a non-zero integer below the curve order`);
  }
}

function kdfModule(choice: KdfChoice, salt: string): KdfModule {
  if (choice.function === "scrypt") {
    const { n = SCRYPT_DEFAULTS.n, r = SCRYPT_DEFAULTS.r, p = SCRYPT_DEFAULTS.p } = choice;
    return { function: "scrypt", params: { dklen: SCRYPT_DEFAULTS.dklen, n, r, p, salt }, message: "" };
  }
  const { c = PBKDF2_DEFAULTS.c } = choice;
  return {
    function: "pbkdf2",
    params: { c, dklen: PBKDF2_DEFAULTS.dklen, prf: PBKDF2_DEFAULTS.prf, salt },
    message: "",
  };
}

function checkKdfParams(kdf: KdfModule, at: string, fail: (message: string) => Error): void {
  // dklen 32 exactly: the cipher key is bytes 0-15 and the checksum uses bytes 16-31; every writer uses 32.
  if (kdf.params.dklen !== 32) throw fail(`${at}.dklen is ${kdf.params.dklen}: expected 32`);
  if (kdf.function === "pbkdf2") {
    if (!isPositiveInteger(kdf.params.c)) throw fail(`${at}.c is ${kdf.params.c}: expected a positive integer`);
    return;
  }
  const { n, r, p } = kdf.params;
  if (!isPositiveInteger(n) || n < 2 || (n & (n - 1)) !== 0 || n > 2 ** 30) {
    throw fail(`${at}.n is ${n}: expected a power of two from 2 to 2^30 (the deposit CLI uses 2^18)`);
  }
  if (!isPositiveInteger(r)) throw fail(`${at}.r is ${r}: expected a positive integer (the deposit CLI uses 8)`);
  if (!isPositiveInteger(p)) throw fail(`${at}.p is ${p}: expected a positive integer (the deposit CLI uses 1)`);
  const memory = scryptMemoryBytes(n, r, p);
  if (memory > SCRYPT_MAX_MEMORY) {
    throw fail(
      `scrypt with n=${n}, r=${r}, p=${p} needs ${(memory / 2 ** 20).toFixed(1)} MiB: ` +
        `expected at most ${SCRYPT_MAX_MEMORY / 2 ** 20} MiB (the deposit CLI's parameters need just over 256 MiB)`,
    );
  }
}

async function deriveKey(kdf: KdfModule, password: Uint8Array): Promise<Buffer> {
  const salt = Buffer.from(kdf.params.salt, "hex");
  if (kdf.function === "pbkdf2") {
    return new Promise((resolve, reject) =>
      pbkdf2(password, salt, kdf.params.c, kdf.params.dklen, "sha256", (error, key) =>
        error === null ? resolve(key) : reject(error),
      ),
    );
  }
  const { n, r, p, dklen } = kdf.params;
  return scryptKey(password, salt, { n, r, p, dklen });
}

function checksumOf(key: Buffer, cipherMessage: Uint8Array): Buffer {
  return createHash("sha256").update(key.subarray(16, 32)).update(cipherMessage).digest();
}

function checkPath(keyPath: string, at: string, fail: (message: string) => Error): void {
  if (keyPath === "") return;
  const indexes = keyPath.split("/");
  const valid =
    indexes[0] === "m" &&
    indexes.slice(1).every((index) => /^(0|[1-9]\d{0,9})$/.test(index) && Number(index) <= MAX_PATH_INDEX);
  if (!valid) {
    throw fail(`${at} "${keyPath}" is not an EIP-2334 path: expected e.g. m/12381/3600/0/0/0 (indexes below 2^32)`);
  }
}

function objectAt(value: unknown, at: string, fail: (message: string) => Error): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail(`${at === "" ? "the keystore" : at} is ${describeValue(value)}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function field(object: Record<string, unknown>, key: string, at: string, fail: (message: string) => Error): unknown {
  if (!Object.hasOwn(object, key)) throw fail(`missing field ${join(at, key)}`);
  return object[key];
}

function stringAt(object: Record<string, unknown>, key: string, at: string, fail: (message: string) => Error) {
  const value = field(object, key, at, fail);
  if (typeof value !== "string") throw fail(`${join(at, key)} is ${describeValue(value)}: expected a string`);
  return value;
}

function integerAt(object: Record<string, unknown>, key: string, at: string, fail: (message: string) => Error) {
  const value = field(object, key, at, fail);
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw fail(`${join(at, key)} is ${describeValue(value)}: expected an integer`);
  }
  return value;
}

function hexAt(
  object: Record<string, unknown>,
  key: string,
  at: string,
  bytes: number | undefined,
  fail: (message: string) => Error,
): string {
  const value = stringAt(object, key, at, fail);
  const name = join(at, key);
  if (value.startsWith("0x")) throw fail(`${name} starts with 0x: expected plain hex, as EIP-2335 writes it`);
  if (!HEX.test(value)) throw fail(`${name} is not hex: expected an even number of hex digits`);
  if (bytes !== undefined && value.length !== bytes * 2) {
    throw fail(`${name} has ${value.length} hex digits: expected ${bytes * 2} (${bytes} bytes)`);
  }
  return value.toLowerCase();
}

function join(at: string, key: string): string {
  return at === "" ? key : `${at}.${key}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
