import { createCipheriv, createHash, scryptSync } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import bls from "@chainsafe/bls";
import {
  Keystore as ChainsafeKeystore,
  create as chainsafeCreate,
  decrypt as chainsafeDecrypt,
} from "@chainsafe/bls-keystore";
import { normalizePassword as chainsafeNormalizePassword } from "@chainsafe/bls-keystore/lib/password.js";
import { expect } from "chai";
import fc from "fast-check";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { UserInputError } from "../lib/errors.js";
import {
  KeystoreFormatError,
  KeystorePubkeyMismatchError,
  WrongKeystorePasswordError,
  decryptKeystore,
  encryptKeystore,
  keystoreFileName,
  normalizeKeystorePassword,
  parseKeystore,
  readKeystoreFile,
  serializeKeystore,
  validateKeystore,
  writeKeystoreFile,
} from "../lib/keys/keystore.js";
import {
  SCRYPT_MAX_MEMORY,
  scryptHelperProcessEnabled,
  scryptMemoryBytes,
  useScryptHelperProcess,
} from "../lib/keys/scrypt.js";
import type { EncryptKeystoreOptions, KdfChoice, Keystore } from "../lib/keys/keystore.js";

const VECTORS = path.join(PROJECT_ROOT, "test", "vectors", "eip2335");
const VECTOR_PASSWORD = "𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑";
const VECTOR_SECRET = hex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
// Fast parameters for everything but the tests of the defaults: 128 KiB of scrypt memory instead of 257 MiB.
const FAST_SCRYPT: KdfChoice = { function: "scrypt", n: 2 ** 10, r: 8, p: 1 };
const FAST_PBKDF2: KdfChoice = { function: "pbkdf2", c: 2 ** 10 };
const PATH = "m/12381/3600/0/0/0";
const SALT = hex("d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
const IV = hex("264daa3f303d7259501c93d997d84fe6");
const UUID = "1d85ae20-35c5-4611-98e8-aa14a633906f";

function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "hex"));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function secretOf(scalar: bigint): Uint8Array {
  return hex(scalar.toString(16).padStart(64, "0"));
}

function readVector(file: string): Keystore {
  return JSON.parse(readFileSync(path.join(VECTORS, file), "utf8")) as Keystore;
}

function clone(keystore: Keystore): Keystore {
  return structuredClone(keystore);
}

async function expectRejection<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
  message?: RegExp,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error, "error type").to.be.instanceOf(type);
    if (message !== undefined) expect((error as Error).message, "error message").to.match(message);
    return error as T;
  }
  expect.fail(`expected a ${type.name}`);
}

async function fastKeystore(secret = secretOf(7n), password = "correct horse"): Promise<Keystore> {
  return encryptKeystore({
    secret,
    password,
    path: PATH,
    kdf: FAST_SCRYPT,
    random: { salt: SALT, iv: IV, uuid: UUID },
  });
}

describe("keystore (EIP-2335)", function () {
  describe("EIP-2335 test vectors", function () {
    for (const [file, kdf] of [
      ["test0.json", "pbkdf2"],
      ["test1.json", "scrypt"],
    ] as const) {
      it(`decrypts the ${kdf} vector (${file}, default parameters) to the published secret`, async function () {
        const vector = readVector(file);
        expect(vector.crypto.kdf.function, "vector kdf").to.equal(kdf);
        const secret = await decryptKeystore(parseKeystore(JSON.stringify(vector), file), VECTOR_PASSWORD);
        expect(toHex(secret), "secret").to.equal(toHex(VECTOR_SECRET));
      });

      it(`reproduces the ${kdf} vector exactly from its salt, iv and uuid`, async function () {
        const vector = readVector(file);
        const keystore = await encryptKeystore({
          secret: VECTOR_SECRET,
          password: VECTOR_PASSWORD,
          path: vector.path,
          description: vector.description,
          kdf: { function: kdf },
          random: {
            salt: hex(vector.crypto.kdf.params.salt),
            iv: hex(vector.crypto.cipher.params.iv),
            uuid: vector.uuid,
          },
        });
        expect(keystore.crypto.checksum.message, "checksum").to.equal(vector.crypto.checksum.message);
        expect(keystore.crypto.cipher.message, "cipher message").to.equal(vector.crypto.cipher.message);
        expect(keystore, "whole keystore").to.deep.equal(vector);
      });
    }
  });

  describe("normalizeKeystorePassword", function () {
    const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

    it("encodes the EIP-2335 vector password as its published bytes", function () {
      expect(toHex(normalizeKeystorePassword(VECTOR_PASSWORD))).to.equal("7465737470617373776f7264f09f9491");
    });

    it("strips C0 control codes like the deposit CLI's vectors", function () {
      // staking-deposit-cli tests/test_key_handling/test_keystore.py::test_process_password
      for (const [password, processed] of [
        ["\x07", ""],
        ["\b", ""],
        ["\t", ""],
        ["a", "a"],
        ["abc", "abc"],
        ["a\bc", "ac"],
      ]) {
        expect(utf8(normalizeKeystorePassword(password!)), JSON.stringify(password)).to.equal(processed);
      }
    });

    it("strips C0, C1 and Delete but keeps spaces", function () {
      // Teku's PasswordUtilsTest vector.
      const password = "\u0000\u001F\u0080\u009Ftest \n\f\tpass\u007Fword\n";
      expect(utf8(normalizeKeystorePassword(password))).to.equal("test password");
    });

    it("normalizes to NFKD before stripping", function () {
      expect(toHex(normalizeKeystorePassword("\u00e9")), "é decomposes").to.equal("65cc81");
      expect(utf8(normalizeKeystorePassword("\ufb01")), "ligature fi").to.equal("fi");
      // U+00A0 is not a C1 code (those end at U+009F): NFKD turns it into a space, which is kept.
      expect(toHex(normalizeKeystorePassword("a\u00a0b")), "no-break space").to.equal("612062");
      expect(toHex(normalizeKeystorePassword("\u00a0\u009f")), "C1 boundary").to.equal("20");
    });

    it("refuses an unpaired surrogate", function () {
      expect(() => normalizeKeystorePassword("pass\ud800word")).to.throw(UserInputError, /surrogate/);
    });

    it("agrees with @chainsafe/bls-keystore on every well-formed string", function () {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (password) => {
          expect(toHex(normalizeKeystorePassword(password))).to.equal(toHex(chainsafeNormalizePassword(password)));
        }),
        { numRuns: 500 },
      );
    });
  });

  describe("encryptKeystore", function () {
    it("writes the deposit CLI's JSON: key order, separators, no trailing newline", async function () {
      const keystore = await fastKeystore();
      const pubkey = toHex(bls.SecretKey.fromBytes(secretOf(7n)).toPublicKey().toBytes());
      expect(serializeKeystore(keystore)).to.equal(
        '{"crypto": {"kdf": {"function": "scrypt", "params": {"dklen": 32, "n": 1024, "r": 8, "p": 1, "salt": ' +
          `"${toHex(SALT)}"}, "message": ""}, "checksum": {"function": "sha256", "params": {}, "message": ` +
          `"${keystore.crypto.checksum.message}"}, "cipher": {"function": "aes-128-ctr", "params": {"iv": ` +
          `"${toHex(IV)}"}, "message": "${keystore.crypto.cipher.message}"}}, "description": "", "pubkey": ` +
          `"${pubkey}", "path": "${PATH}", "uuid": "${UUID}", "version": 4}`,
      );
    });

    it("writes pbkdf2 parameters in the CLI's order", async function () {
      const keystore = await encryptKeystore({ secret: secretOf(7n), password: "pw", path: PATH, kdf: FAST_PBKDF2 });
      expect(serializeKeystore(keystore)).to.contain(
        `"kdf": {"function": "pbkdf2", "params": {"c": 1024, "dklen": 32, "prf": "hmac-sha256", "salt": "`,
      );
    });

    it("escapes non-ASCII text as Python's json.dumps does", async function () {
      const keystore = await encryptKeystore({
        secret: secretOf(7n),
        password: "pw",
        path: PATH,
        description: 'clé "🔑"\n\x7f',
        kdf: FAST_SCRYPT,
      });
      const json = serializeKeystore(keystore);
      expect(json).to.contain(String.raw`"description": "cl\u00e9 \"\ud83d\udd11\"\n\u007f"`);
      expect(parseKeystore(json).description, "round trip").to.equal(keystore.description);
    });

    it("draws a fresh salt, iv and v4 uuid for each keystore", async function () {
      const options = { secret: secretOf(7n), password: "pw", path: PATH, kdf: FAST_SCRYPT };
      const [a, b] = await Promise.all([encryptKeystore(options), encryptKeystore(options)]);
      expect(a!.crypto.kdf.params.salt, "salt").to.have.length(64).and.not.equal(b!.crypto.kdf.params.salt);
      expect(a!.crypto.cipher.params.iv, "iv").to.have.length(32).and.not.equal(b!.crypto.cipher.params.iv);
      expect(a!.uuid, "uuid").to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a!.uuid, "uuid differs").to.not.equal(b!.uuid);
    });

    it("uses the deposit CLI's scrypt parameters by default", async function () {
      const keystore = await encryptKeystore({ secret: secretOf(7n), password: "pw", path: PATH });
      const { salt: _salt, ...params } = keystore.crypto.kdf.params;
      expect(params).to.deep.equal({ dklen: 32, n: 262144, r: 8, p: 1 });
      expect(toHex(await decryptKeystore(keystore, "pw")), "round trip").to.equal(toHex(secretOf(7n)));
    });

    const base = { secret: secretOf(1n), password: "", path: PATH, kdf: FAST_SCRYPT };
    const refusals: [string, EncryptKeystoreOptions, RegExp][] = [
      ["a 31-byte secret", { ...base, secret: new Uint8Array(31) }, /secret has 31 bytes/],
      ["a zero secret", { ...base, secret: new Uint8Array(32) }, /secret is no BLS secret key/],
      ["the curve order as secret", { ...base, secret: secretOf(CURVE_ORDER) }, /secret is no BLS secret key/],
      ["a path that is no EIP-2334 path", { ...base, path: "m/12381/x" }, /not an EIP-2334 path/],
      ["a path index of 2^32", { ...base, path: "m/12381/4294967296" }, /not an EIP-2334 path/],
      ["a 15-byte iv", { ...base, random: { iv: new Uint8Array(15) } }, /iv has 15 bytes: expected 16/],
      ["an empty salt", { ...base, random: { salt: new Uint8Array() } }, /salt is empty/],
      ["a v1 uuid", { ...base, random: { uuid: UUID.replace("-4", "-1") } }, /not a lower-case version 4 UUID/],
      ["an n that is no power of two", { ...base, kdf: { function: "scrypt", n: 1000 } }, /power of two/],
      ["scrypt above the memory limit", { ...base, kdf: { function: "scrypt", n: 2 ** 20 } }, /needs 1024\.0 MiB/],
      ["pbkdf2 with c = 0", { ...base, kdf: { function: "pbkdf2", c: 0 } }, /kdf\.c is 0/],
    ];
    for (const [what, options, message] of refusals) {
      it(`refuses ${what}`, async function () {
        await expectRejection(encryptKeystore(options), UserInputError, message);
      });
    }
  });

  describe("decryptKeystore", function () {
    it("refuses a wrong password, naming the keystore's pubkey and path", async function () {
      const keystore = await fastKeystore();
      const error = await expectRejection(decryptKeystore(keystore, "wrong"), WrongKeystorePasswordError);
      expect(error.message).to.contain(`wrong password for keystore 0x${keystore.pubkey} (${PATH})`);
    });

    it("refuses a tampered checksum as a wrong password (the two cannot be told apart)", async function () {
      const keystore = clone(await fastKeystore());
      const checksum = keystore.crypto.checksum.message;
      keystore.crypto.checksum.message = (checksum[0] === "0" ? "1" : "0") + checksum.slice(1);
      await expectRejection(decryptKeystore(keystore, "correct horse"), WrongKeystorePasswordError);
    });

    it("refuses a tampered cipher message as a wrong password", async function () {
      const keystore = clone(await fastKeystore());
      const message = keystore.crypto.cipher.message;
      keystore.crypto.cipher.message = message.slice(0, -1) + (message.endsWith("0") ? "1" : "0");
      await expectRejection(decryptKeystore(keystore, "correct horse"), WrongKeystorePasswordError);
    });

    it("refuses a keystore whose pubkey is another key's", async function () {
      const keystore = clone(await fastKeystore());
      const other = toHex(bls.SecretKey.fromBytes(secretOf(8n)).toPublicKey().toBytes());
      keystore.pubkey = other;
      const error = await expectRejection(decryptKeystore(keystore, "correct horse"), KeystorePubkeyMismatchError);
      expect(error.message, "names the real key").to.contain(
        toHex(bls.SecretKey.fromBytes(secretOf(7n)).toPublicKey().toBytes()),
      );
    });

    it("refuses a keystore whose checksum matches but whose secret is no BLS key", async function () {
      // Someone who knows the password re-encrypts 32 zero bytes and recomputes the checksum.
      const keystore = clone(await fastKeystore());
      const key = scryptSync(normalizeKeystorePassword("correct horse"), SALT, 32, { N: 2 ** 10, r: 8, p: 1 });
      const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), IV);
      const message = Buffer.concat([cipher.update(new Uint8Array(32)), cipher.final()]);
      keystore.crypto.cipher.message = message.toString("hex");
      keystore.crypto.checksum.message = createHash("sha256").update(key.subarray(16)).update(message).digest("hex");
      await expectRejection(decryptKeystore(keystore, "correct horse"), KeystorePubkeyMismatchError, /no BLS/);
    });

    it("accepts the password with control codes added or in another normalization form", async function () {
      const keystore = await encryptKeystore({ secret: secretOf(9n), password: "café", path: PATH, kdf: FAST_SCRYPT });
      for (const password of ["cafe\u0301", "\tcaf\u00e9\n", "ca\u007ff\u0085é"]) {
        expect(toHex(await decryptKeystore(keystore, password)), JSON.stringify(password)).to.equal(
          toHex(secretOf(9n)),
        );
      }
    });
  });

  describe("validateKeystore", function () {
    let valid: Keystore;
    before(async function () {
      valid = await fastKeystore();
    });

    const DELETE = Symbol("delete");
    const pbkdf2 = (params: object) => ({ function: "pbkdf2", params, message: "" });
    // [what, field path, new value (or a function of the old one, or DELETE), expected message]
    const mutations: [string, string, unknown, RegExp][] = [
      ["a missing crypto", "crypto", DELETE, /missing field crypto$/],
      ["a missing salt", "crypto.kdf.params.salt", DELETE, /missing field crypto\.kdf\.params\.salt/],
      ["a missing pubkey", "pubkey", DELETE, /missing field pubkey/],
      ["a missing uuid", "uuid", DELETE, /missing field uuid/],
      ["version 3", "version", 3, /version is 3: expected 4/],
      ["an unknown kdf", "crypto.kdf.function", "argon2id", /crypto\.kdf\.function is "argon2id"/],
      ["a sha512 checksum", "crypto.checksum.function", "sha512", /crypto\.checksum\.function is "sha512"/],
      ["an AES-GCM cipher", "crypto.cipher.function", "aes-128-gcm", /expected "aes-128-ctr"/],
      [
        "a pbkdf2 prf other than hmac-sha256",
        "crypto.kdf",
        pbkdf2({ dklen: 32, c: 1024, prf: "hmac-sha512", salt: "00" }),
        /prf is "hmac-sha512"/,
      ],
      [
        "a missing pbkdf2 c",
        "crypto.kdf",
        pbkdf2({ dklen: 32, prf: "hmac-sha256", salt: "00" }),
        /missing field crypto\.kdf\.params\.c/,
      ],
      ["n as a string", "crypto.kdf.params.n", "1024", /crypto\.kdf\.params\.n is "1024": expected an integer/],
      ["n not a power of two", "crypto.kdf.params.n", 1000, /n is 1000: expected a power of two/],
      ["a fractional r", "crypto.kdf.params.r", 8.5, /r is 8\.5: expected an integer/],
      ["scrypt needing 1 GiB", "crypto.kdf.params.n", 2 ** 20, /needs 1024\.0 MiB: expected at most 512 MiB/],
      ["dklen 16", "crypto.kdf.params.dklen", 16, /dklen is 16: expected 32/],
      ["a kdf message", "crypto.kdf.message", "00", /crypto\.kdf\.message is "00": expected ""/],
      ["a 15-byte iv", "crypto.cipher.params.iv", "00".repeat(15), /iv has 30 hex digits: expected 32 \(16/],
      ["a 31-byte checksum", "crypto.checksum.message", "00".repeat(31), /checksum\.message has 62 hex digits/],
      ["a 48-byte cipher message", "crypto.cipher.message", "00".repeat(48), /cipher\.message has 96 hex digits/],
      ["a 47-byte pubkey", "pubkey", (old: string) => old.slice(2), /pubkey has 94 hex digits: expected 96/],
      ["a 0x pubkey", "pubkey", (old: string) => `0x${old}`, /pubkey starts with 0x/],
      ["a non-hex salt", "crypto.kdf.params.salt", "zz", /salt is not hex/],
      ["an odd-length salt", "crypto.kdf.params.salt", "abc", /salt is not hex/],
      ["an empty salt", "crypto.kdf.params.salt", "", /salt is empty/],
      ["a bad path", "path", "m/12381/3600/-1", /path "m\/12381\/3600\/-1" is not an EIP-2334 path/],
      ["a bad uuid", "uuid", "not-a-uuid", /uuid "not-a-uuid" is not a UUID/],
      ["crypto as an array", "crypto", [], /crypto is an array: expected a JSON object/],
      ["checksum params as null", "crypto.checksum.params", null, /checksum\.params is null: expected a JSON object/],
      ["a numeric description", "description", 1, /description is 1: expected a string/],
    ];
    for (const [what, fieldPath, value, message] of mutations) {
      it(`refuses ${what}`, function () {
        const keystore: Record<string, unknown> = clone(valid) as unknown as Record<string, unknown>;
        const keys = fieldPath.split(".");
        const last = keys.pop()!;
        const parent = keys.reduce((object, key) => object[key] as Record<string, unknown>, keystore);
        if (value === DELETE) delete parent[last];
        else parent[last] = typeof value === "function" ? (value as (old: unknown) => unknown)(parent[last]) : value;
        expect(() => validateKeystore(keystore, "k.json"))
          .to.throw(KeystoreFormatError, message)
          .with.property("message")
          .that.match(/^k\.json: /);
      });
    }

    it("refuses text that is not JSON or not an object", function () {
      expect(() => parseKeystore("{", "k.json")).to.throw(KeystoreFormatError, /^k\.json is not JSON/);
      expect(() => parseKeystore("[]", "k.json")).to.throw(KeystoreFormatError, /the keystore is an array/);
    });

    it("accepts a keystore without description and ignores unknown fields", function () {
      const { description: _description, ...rest } = clone(valid);
      const parsed = validateKeystore({ ...rest, name: "validator 0" });
      expect(parsed).to.deep.equal(valid);
    });

    it("reads hex in upper case and returns it in lower case", function () {
      const keystore = clone(valid);
      keystore.pubkey = keystore.pubkey.toUpperCase();
      expect(validateKeystore(keystore).pubkey).to.equal(valid.pubkey);
    });
  });

  describe("interoperability with @chainsafe/bls-keystore", function () {
    it("our default scrypt keystore passes its schema and decrypts with it", async function () {
      const secret = bls.SecretKey.fromKeygen().toBytes();
      const ours = await encryptKeystore({ secret, password: VECTOR_PASSWORD, path: PATH });
      const theirs = ChainsafeKeystore.parse(serializeKeystore(ours));
      expect(toHex(await theirs.decrypt(VECTOR_PASSWORD))).to.equal(toHex(secret));
    });

    it("our pbkdf2 keystore (default c) decrypts with it", async function () {
      const secret = bls.SecretKey.fromKeygen().toBytes();
      const ours = await encryptKeystore({ secret, password: "pässword", path: PATH, kdf: { function: "pbkdf2" } });
      expect(toHex(await chainsafeDecrypt(ours, "pässword"))).to.equal(toHex(secret));
    });

    it("its scrypt and pbkdf2 keystores decrypt with ours", async function () {
      for (const kdf of [
        { function: "scrypt", params: { dklen: 32, n: 1024, r: 8, p: 1, salt: toHex(SALT) } },
        { function: "pbkdf2", params: { dklen: 32, c: 1024, prf: "hmac-sha256", salt: toHex(SALT) } },
      ] as const) {
        const secretKey = bls.SecretKey.fromKeygen();
        const theirs = await chainsafeCreate(
          "pass\tword",
          secretKey.toBytes(),
          secretKey.toPublicKey().toBytes(),
          PATH,
          null,
          kdf,
        );
        const parsed = parseKeystore(JSON.stringify(theirs), `chainsafe ${kdf.function}`);
        expect(toHex(await decryptKeystore(parsed, "password")), kdf.function).to.equal(toHex(secretKey.toBytes()));
      }
    });
  });

  describe("keystore files", function () {
    let folder: string;
    beforeEach(async function () {
      folder = await mkdtemp(path.join(os.tmpdir(), "plural-keystore-"));
    });
    afterEach(async function () {
      await rm(folder, { recursive: true, force: true });
    });

    it("names files as the deposit CLI does", function () {
      expect(keystoreFileName("m/12381/3600/7/0/0", 1_700_000_000)).to.equal(
        "keystore-m_12381_3600_7_0_0-1700000000.json",
      );
      expect(() => keystoreFileName("", 1), "empty path").to.throw(UserInputError);
      expect(() => keystoreFileName(PATH, 1.5), "fractional time").to.throw(UserInputError);
    });

    it("writes a read-only file with the CLI's bytes, reads it back and never overwrites", async function () {
      const keystore = await fastKeystore();
      const file = await writeKeystoreFile(folder, keystore, 1_700_000_000);
      expect(path.basename(file), "name").to.equal("keystore-m_12381_3600_0_0_0-1700000000.json");
      expect(await readFile(file, "utf8"), "bytes").to.equal(serializeKeystore(keystore));
      expect((await stat(file)).mode & 0o777, "mode").to.equal(0o440 & ~process.umask());
      expect(await readKeystoreFile(file), "read back").to.deep.equal(keystore);
      await expectRejection(writeKeystoreFile(folder, keystore, 1_700_000_000), UserInputError, /already exists/);
    });

    it("names the file in validation messages", async function () {
      const keystore = clone(await fastKeystore());
      keystore.crypto.cipher.params.iv = "00";
      const file = await writeKeystoreFile(folder, keystore, 1);
      await expectRejection(readKeystoreFile(file), KeystoreFormatError, /^keystore-m_12381_3600_0_0_0-1\.json: /);
    });
  });

  describe("properties (scrypt n = 2^10)", function () {
    const secrets = fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }).map(secretOf);

    it("decrypts what it encrypts, through its JSON, for any secret, password and path", async function () {
      await fc.assert(
        fc.asyncProperty(
          secrets,
          fc.string({ unit: "binary", maxLength: 24 }),
          fc.nat({ max: 2 ** 32 - 1 }),
          fc.constantFrom<KdfChoice>(FAST_SCRYPT, FAST_PBKDF2),
          async (secret, password, index, kdf) => {
            const keystore = await encryptKeystore({ secret, password, path: `m/12381/3600/${index}/0/0`, kdf });
            const parsed = parseKeystore(serializeKeystore(keystore));
            expect(parsed, "JSON round trip").to.deep.equal(keystore);
            expect(toHex(await decryptKeystore(parsed, password)), "secret").to.equal(toHex(secret));
          },
        ),
        { numRuns: 40 },
      );
    });

    it("refuses every password that processes to different bytes", async function () {
      await fc.assert(
        fc.asyncProperty(
          secrets,
          fc.string({ unit: "binary", maxLength: 12 }),
          fc.string({ unit: "binary", maxLength: 12 }),
          async (secret, password, other) => {
            fc.pre(toHex(normalizeKeystorePassword(password)) !== toHex(normalizeKeystorePassword(other)));
            const keystore = await encryptKeystore({ secret, password, path: PATH, kdf: FAST_SCRYPT });
            await expectRejection(decryptKeystore(keystore, other), WrongKeystorePasswordError);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe("scrypt (lib/keys/scrypt.ts)", function () {
    it("sets maxmem above what OpenSSL needs at the deposit CLI's parameters", function () {
      // Node's default maxmem (32 MiB) and even 256 MiB are below it: OpenSSL refuses with "memory limit exceeded".
      expect(scryptMemoryBytes(2 ** 18, 8, 1), "bytes at the defaults").to.equal(268_438_528);
      expect(scryptMemoryBytes(2 ** 18, 8, 1), "above 256 MiB").to.be.greaterThan(256 * 2 ** 20);
      expect(SCRYPT_MAX_MEMORY, "limit").to.equal(512 * 2 ** 20);
    });

    it("decrypts the scrypt vector the same with and without the helper process", async function () {
      const vector = parseKeystore(readFileSync(path.join(VECTORS, "test1.json"), "utf8"));
      const enabled = scryptHelperProcessEnabled();
      expect(enabled, "on by default on Linux only").to.equal(process.platform === "linux");
      try {
        for (const helper of [false, true]) {
          useScryptHelperProcess(helper);
          const secret = await decryptKeystore(vector, VECTOR_PASSWORD);
          expect(toHex(secret), helper ? "helper" : "in process").to.equal(toHex(VECTOR_SECRET));
        }
      } finally {
        useScryptHelperProcess(enabled);
      }
    });
  });
});
