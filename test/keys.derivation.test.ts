import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { entropyToMnemonic } from "@scure/bip39";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { expect } from "chai";
import fc from "fast-check";
import { hexlify } from "ethers";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { UserInputError } from "../lib/errors.js";
import {
  deriveChildSecretKey,
  deriveMasterSecretKey,
  deriveSecretKeyAtPath,
  deriveValidatorKeys,
  generateMnemonic,
  MAX_KEY_INDEX,
  mnemonicToSeed,
  normalizeMnemonic,
  parseKeyPath,
  parseValidatorKeyPath,
  signingKeyPath,
  withdrawalKeyPath,
} from "../lib/keys/derivation.js";

// Public vectors, kept in the repository so the tests need nothing beside it (test/vectors/*/README.md).
const VECTORS = path.join(PROJECT_ROOT, "test", "vectors");

interface TreeKdfVector {
  seed: string;
  master_SK: string;
  child_index: number;
  child_SK: string;
}

// The secret keys exceed 2**53: quote them before JSON.parse so that no digit is lost.
function readTreeKdfVectors(): TreeKdfVector[] {
  const text = readFileSync(path.join(VECTORS, "eip2333", "tree_kdf.json"), "utf8");
  const quoted = text.replace(/("(?:master_SK|child_SK)"\s*:\s*)(\d+)/g, '$1"$2"');
  return (JSON.parse(quoted) as { kdf_tests: TreeKdfVector[] }).kdf_tests;
}

// [entropy, mnemonic, seed with passphrase "TREZOR", xprv]
function readEnglishMnemonicVectors(): [string, string, string, string][] {
  const vectors = JSON.parse(readFileSync(path.join(VECTORS, "bip39", "mnemonic.json"), "utf8")) as {
    english: [string, string, string, string][];
  };
  return vectors.english;
}

const ABANDON_ABOUT = `${"abandon ".repeat(11)}about`;
// staking-deposit-cli 2.7.0's pubkeys for validators 0, 1 and 2 of this mnemonic (test/vectors/deposit-cli).
const WINDOW_MNEMONIC =
  "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap";
const WINDOW_PUBKEYS = [
  "0x8c239d313e3f4efb1ed937e7560dfaabeb6def6b88001357d5e9a3c33fdb022f7b028085c09451667f06b6b849c71ce8",
  "0x80145bdb454a8f55f7275903108f516ade8747efff0906616febb11c6e307667431ee286d1a1a919ea22739e0e7f6e9a",
  "0xa759ea6450a376507bebc596b8e52981a70467fd7a33c6a66e45b51afb388078eb1dd7e9a751a91d65fba793ab2430fd",
];

function secretKeyInteger(key: { toBytes(): Uint8Array }): bigint {
  return BigInt(hexlify(key.toBytes()));
}

describe("key derivation", function () {
  describe("normalizeMnemonic", function () {
    it("accepts every English BIP-39 test vector unchanged", function () {
      for (const [, mnemonic] of readEnglishMnemonicVectors()) {
        expect(normalizeMnemonic(mnemonic), mnemonic).to.equal(mnemonic);
      }
    });

    it("accepts upper case, extra whitespace and four-letter abbreviations, and writes every word out", function () {
      const typed = `  ABANDON\taban  Aban ${"abandon ".repeat(8)}\n abou `;
      expect(normalizeMnemonic(typed)).to.equal(ABANDON_ABOUT);
    });

    it("rejects a word count BIP-39 does not allow, naming the count", function () {
      expect(() => normalizeMnemonic("abandon abandon about")).to.throw(UserInputError, /has 3 words: expected 12, 15/);
      expect(() => normalizeMnemonic("")).to.throw(UserInputError, /has 0 words/);
    });

    it("rejects a word outside the word list, naming its position and suggesting the word", function () {
      const typo = ABANDON_ABOUT.replace(/^abandon abandon abandon/, "abandon abandon abandn");
      expect(() => normalizeMnemonic(typo)).to.throw(
        UserInputError,
        /word 3 "abandn" is not in the BIP-39 English word list \(did you mean "abandon"\?\)/,
      );
      expect(() => normalizeMnemonic(typo, "--mnemonic")).to.throw(/^--mnemonic: word 3/);
    });

    it("rejects a mnemonic in another language, saying only English is supported", function () {
      const vectors = JSON.parse(readFileSync(path.join(VECTORS, "bip39", "mnemonic.json"), "utf8")) as Record<
        string,
        [string, string][]
      >;
      const spanish = vectors.spanish?.[1]?.[1] ?? "";
      expect(() => normalizeMnemonic(spanish)).to.throw(
        UserInputError,
        /word 1 .* only English mnemonics are supported/,
      );
    });

    it("rejects a wrong checksum without repeating the mnemonic", function () {
      const wrong = "abandon ".repeat(12).trim();
      expect(() => normalizeMnemonic(wrong)).to.throw(UserInputError, /checksum does not match/);
      try {
        normalizeMnemonic(wrong);
      } catch (error) {
        expect((error as Error).message).not.to.include("abandon");
      }
    });

    it("accepts a mnemonic with one word replaced exactly when its checksum still matches", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 11 }), fc.constantFrom(...english), (position, word) => {
          const words = ABANDON_ABOUT.split(" ");
          words[position] = word;
          const mnemonic = words.join(" ");
          let accepted: boolean;
          try {
            accepted = normalizeMnemonic(mnemonic) === mnemonic;
          } catch (error) {
            expect((error as Error).message).to.match(/checksum does not match/);
            accepted = false;
          }
          expect(accepted, mnemonic).to.equal(isValidChecksum(mnemonic));
        }),
      );
    });
  });

  describe("mnemonicToSeed", function () {
    it("reproduces the BIP-39 seed of every English vector with the passphrase TREZOR", function () {
      for (const [entropy, mnemonic, seed] of readEnglishMnemonicVectors()) {
        expect(hexlify(mnemonicToSeed(mnemonic, "TREZOR")), mnemonic).to.equal(`0x${seed}`);
        expect(entropyToMnemonic(Buffer.from(entropy, "hex"), english), entropy).to.equal(mnemonic);
      }
    });

    it("uses no passphrase by default and normalizes the passphrase to NFKD", function () {
      // Both values from Python's hashlib.pbkdf2_hmac, independently of @scure/bip39.
      expect(hexlify(mnemonicToSeed(ABANDON_ABOUT))).to.equal(
        "0x5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4",
      );
      expect(hexlify(mnemonicToSeed(ABANDON_ABOUT, "p\u00e4ssw\u00f6rd"))).to.equal(
        "0xf159596e1a257152783ecca3910131fb6496ae4616d76f9b4e060d0e2fead51e2ab2af2c4bb340ce6c683466324af2654b9e31bc05c93ad05025c46a83424485",
      );
    });

    it("gives the seed of the written-out mnemonic to an abbreviated one", function () {
      const abbreviated = `${"aban ".repeat(11)}abou`;
      expect(hexlify(mnemonicToSeed(abbreviated, "TREZOR"))).to.equal(hexlify(mnemonicToSeed(ABANDON_ABOUT, "TREZOR")));
    });

    it("rejects a passphrase that is not well-formed Unicode", function () {
      expect(() => mnemonicToSeed(ABANDON_ABOUT, "\ud800")).to.throw(
        UserInputError,
        /passphrase: expected well-formed/,
      );
    });
  });

  describe("generateMnemonic", function () {
    it("makes a valid 24-word English mnemonic each time", function () {
      const first = generateMnemonic();
      expect(first.split(" ")).to.have.length(24);
      expect(normalizeMnemonic(first)).to.equal(first);
      expect(generateMnemonic()).not.to.equal(first);
    });
  });

  describe("EIP-2333", function () {
    it("reproduces the master and child secret keys of every test vector", function () {
      for (const vector of readTreeKdfVectors()) {
        const master = deriveMasterSecretKey(Buffer.from(vector.seed, "hex"));
        expect(secretKeyInteger(master), `master of ${vector.seed}`).to.equal(BigInt(vector.master_SK));
        const child = deriveChildSecretKey(master, vector.child_index);
        expect(secretKeyInteger(child), `child ${vector.child_index}`).to.equal(BigInt(vector.child_SK));
      }
    });

    it("chains with BIP-39: the TREZOR seed of abandon … about is the first EIP-2333 vector's seed", function () {
      const [first] = readTreeKdfVectors();
      expect(hexlify(mnemonicToSeed(ABANDON_ABOUT, "TREZOR"))).to.equal(`0x${first!.seed}`);
    });

    it("refuses child indexes outside uint32 that the native binding would silently wrap", function () {
      const master = deriveMasterSecretKey(new Uint8Array(32).fill(1));
      for (const index of [2 ** 32, -1, 1.5, Number.NaN]) {
        expect(() => deriveChildSecretKey(master, index), String(index)).to.throw(
          RangeError,
          /index: expected an integer in \[0, 2\*\*32 - 1\]/,
        );
      }
      expect(() => deriveChildSecretKey(master, MAX_KEY_INDEX)).not.to.throw();
    });

    it("refuses a seed shorter than 32 bytes", function () {
      expect(() => deriveMasterSecretKey(new Uint8Array(31))).to.throw(
        RangeError,
        /seed: expected at least 32 bytes, got 31/,
      );
    });
  });

  describe("EIP-2334 paths", function () {
    it("parses a path into its indexes, ignoring spaces as the deposit CLIs do", function () {
      expect(parseKeyPath("m/12381/3600/0/0/0")).to.deep.equal([12381, 3600, 0, 0, 0]);
      expect(parseKeyPath(" m / 12381 / 3600 / 7 / 0 ")).to.deep.equal([12381, 3600, 7, 0]);
      expect(parseKeyPath("m")).to.deep.equal([]);
      expect(parseKeyPath("m/4294967295")).to.deep.equal([MAX_KEY_INDEX]);
    });

    it("rejects a path that does not start with m", function () {
      expect(() => parseKeyPath("12381/3600/0/0/0")).to.throw(UserInputError, /expected it to start with "m"/);
      expect(() => parseKeyPath("")).to.throw(UserInputError, /start with "m"/);
    });

    it("rejects a component that is not a uint32, naming it", function () {
      expect(() => parseKeyPath("m/12381/3600/x/0/0")).to.throw(UserInputError, /component 3 "x" is not an integer/);
      expect(() => parseKeyPath("m/12381//0")).to.throw(UserInputError, /component 2 "" is not an integer/);
      expect(() => parseKeyPath("m/4294967296")).to.throw(UserInputError, /component 1 "4294967296"/);
      expect(() => parseKeyPath("m/-1")).to.throw(UserInputError, /component 1 "-1"/);
    });

    it("writes signing and withdrawal key paths and reads them back for any validator index", function () {
      expect(signingKeyPath(0)).to.equal("m/12381/3600/0/0/0");
      expect(withdrawalKeyPath(3)).to.equal("m/12381/3600/3/0");
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX_KEY_INDEX }), (index) => {
          expect(parseValidatorKeyPath(signingKeyPath(index))).to.deep.equal({
            validatorIndex: index,
            role: "signing",
          });
          expect(parseValidatorKeyPath(withdrawalKeyPath(index))).to.deep.equal({
            validatorIndex: index,
            role: "withdrawal",
          });
        }),
      );
      expect(() => signingKeyPath(-1)).to.throw(RangeError, /validator index/);
    });

    it("rejects paths that are not validator signing or withdrawal keys", function () {
      expect(() => parseValidatorKeyPath("m/44/60/0/0/0")).to.throw(
        UserInputError,
        /not an Ethereum validator key path/,
      );
      expect(() => parseValidatorKeyPath("m/12381/3600")).to.throw(
        UserInputError,
        /not an Ethereum validator key path/,
      );
      expect(() => parseValidatorKeyPath("m/12381/3600/0")).to.throw(
        UserInputError,
        /not a validator signing or withdrawal/,
      );
      expect(() => parseValidatorKeyPath("m/12381/3600/0/1/0")).to.throw(UserInputError, /not a validator signing/);
      expect(() => parseValidatorKeyPath("m/12381/3600/0/0/1")).to.throw(UserInputError, /not a validator signing/);
      expect(() => parseValidatorKeyPath("m/12381/3600/0/0/0/0")).to.throw(UserInputError, /not a validator signing/);
    });
  });

  describe("deriveValidatorKeys", function () {
    const seed = mnemonicToSeed(WINDOW_MNEMONIC);

    it("gives the official deposit CLI's public keys", function () {
      const keys = deriveValidatorKeys(seed, 0, 3);
      expect(keys.map((key) => hexlify(key.publicKey))).to.deep.equal(WINDOW_PUBKEYS);
      expect(keys.map((key) => key.signingKeyPath)).to.deep.equal([
        "m/12381/3600/0/0/0",
        "m/12381/3600/1/0/0",
        "m/12381/3600/2/0/0",
      ]);
    });

    it("derives from a start index the same keys as from 0", function () {
      const fromZero = deriveValidatorKeys(seed, 0, 5);
      const fromTwo = deriveValidatorKeys(seed, 2, 3);
      expect(fromTwo.map((key) => key.index)).to.deep.equal([2, 3, 4]);
      expect(fromTwo.map((key) => hexlify(key.publicKey))).to.deep.equal(
        fromZero.slice(2).map((key) => hexlify(key.publicKey)),
      );
      expect(deriveValidatorKeys(seed, 7, 0)).to.deep.equal([]);
    });

    it("derives the keys at the EIP-2334 signing and withdrawal paths of each validator", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX_KEY_INDEX }), (index) => {
          const [key] = deriveValidatorKeys(seed, index, 1);
          expect(hexlify(key!.signingKey.toBytes())).to.equal(
            hexlify(deriveSecretKeyAtPath(seed, signingKeyPath(index)).toBytes()),
          );
          expect(hexlify(key!.withdrawalKey.toBytes())).to.equal(
            hexlify(deriveSecretKeyAtPath(seed, withdrawalKeyPath(index)).toBytes()),
          );
          expect(hexlify(key!.publicKey)).to.equal(hexlify(key!.signingKey.toPublicKey().toBytes()));
        }),
        { numRuns: 20 },
      );
    });

    it("rejects a bad start index or count, naming it", function () {
      expect(() => deriveValidatorKeys(seed, -1, 1)).to.throw(UserInputError, /start index -1: expected an integer/);
      expect(() => deriveValidatorKeys(seed, 0.5, 1)).to.throw(UserInputError, /start index 0.5/);
      expect(() => deriveValidatorKeys(seed, 0, -2)).to.throw(UserInputError, /count -2: expected a whole number/);
      expect(() => deriveValidatorKeys(seed, 0, 1.5)).to.throw(UserInputError, /count 1.5/);
      expect(() => deriveValidatorKeys(seed, MAX_KEY_INDEX, 2)).to.throw(
        UserInputError,
        /last index .* at most 4294967295/,
      );
      expect(deriveValidatorKeys(seed, MAX_KEY_INDEX, 1)).to.have.length(1);
    });
  });
});

function isValidChecksum(mnemonic: string): boolean {
  // BIP-39 for 12 words, written out here rather than through the library under test: 128 bits of entropy, then the
  // first 4 bits of its SHA-256.
  const bits = mnemonic
    .split(" ")
    .map((word) => english.indexOf(word).toString(2).padStart(11, "0"))
    .join("");
  const entropy = Buffer.from(
    bits
      .slice(0, 128)
      .match(/.{8}/g)!
      .map((byte) => parseInt(byte, 2)),
  );
  const checksum = createHash("sha256").update(entropy).digest()[0]! >> 4;
  return parseInt(bits.slice(128), 2) === checksum;
}
