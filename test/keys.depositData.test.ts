import { readFileSync } from "node:fs";
import path from "node:path";

import { bls12_381 } from "@noble/curves/bls12-381.js";
import { expect } from "chai";
import fc from "fast-check";
import { hexlify } from "ethers";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { UserInputError } from "../lib/errors.js";
import { deriveValidatorKeys, mnemonicToSeed } from "../lib/keys/derivation.js";
import {
  blsWithdrawalCredentials,
  buildDepositData,
  computeDepositDomain,
  computeDepositMessageRoot,
  computeSigningRoot,
  createDepositSigner,
  DEPOSIT_DATA_KEYS,
  depositDataFileName,
  executionWithdrawalCredentials,
  formatDepositProblems,
  generateDepositData,
  parseDepositDataFile,
  serializeDepositDataFile,
  verifyDepositData,
  withdrawalCredentialsOf,
} from "../lib/keys/depositData.js";
import type { DepositDataEntry, DepositNetwork, WithdrawalTarget } from "../lib/keys/depositData.js";
import { BEACON_NETWORK_NAMES, BEACON_NETWORKS, beaconNetwork } from "../lib/networks.js";

const VECTORS = path.join(PROJECT_ROOT, "test", "vectors", "deposit-cli");

// The vectors of staking-deposit-cli 2.7.0 are for Goerli, which Plural does not support: the fork is given directly.
const GOERLI: DepositNetwork = { genesisForkVersion: "0x00001020", depositCliNetworkName: "goerli" };

const MNEMONICS = {
  window: "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap",
  ski: "ski interest capable knee usual ugly duty exercise tattoo subway delay upper bid forget say",
  satisfy: "satisfy suit expire castle fluid must electric genuine aim clock such under basic rabbit method",
};

interface VectorCase {
  file: string;
  /** Whether the file is the CLI's own bytes (one line) or was pretty-printed upstream (values only). */
  exactBytes: boolean;
  mnemonic: string;
  start: number;
  count: number;
  withdrawal: WithdrawalTarget;
  network: DepositNetwork;
  depositCliVersion: string;
}

const ONE = { kind: "execution", address: "0x0000000000000000000000000000000000000001" } as const;
const EXECUTION = { kind: "execution", address: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F" } as const;
const BLS = { kind: "bls" } as const;
const { hoodi, sepolia } = BEACON_NETWORKS;

// See test/vectors/deposit-cli/README.md for where each file comes from and how it was made.
const VECTOR_CASES: VectorCase[] = [
  ...(
    [
      ["multiple_validators/deposit_data-1670231001.json", MNEMONICS.window, 0, 3, ONE],
      ["regenerate_from_seed_index/deposit_data-1670927040.json", MNEMONICS.window, 1, 2, ONE],
      ["withdrawal_credentials_bls/deposit_data-1668613231.json", MNEMONICS.ski, 0, 1, BLS],
      ["withdrawal_credentials_execution/deposit_data-1669709160.json", MNEMONICS.satisfy, 0, 1, EXECUTION],
    ] as const
  ).map(([file, mnemonic, start, count, withdrawal]) => ({
    file: `staking-deposit-cli-2.7.0/${file}`,
    exactBytes: true,
    mnemonic,
    start,
    count,
    withdrawal,
    network: GOERLI,
    depositCliVersion: "2.7.0",
  })),
  ...(
    [
      [
        "withdrawal_credentials_execution/hoodi/deposit_data-1755073089.json",
        true,
        MNEMONICS.satisfy,
        1,
        EXECUTION,
        hoodi,
      ],
      [
        "withdrawal_credentials_execution/sepolia/deposit_data-1755072599.json",
        false,
        MNEMONICS.satisfy,
        1,
        EXECUTION,
        sepolia,
      ],
      ["withdrawal_credentials_bls/hoodi/deposit_data-1755000050.json", false, MNEMONICS.ski, 1, BLS, hoodi],
      ["withdrawal_credentials_bls/sepolia/deposit_data-1755012899.json", false, MNEMONICS.ski, 1, BLS, sepolia],
      ["multiple_validators/hoodi/deposit_data-1755071454.json", false, MNEMONICS.window, 3, ONE, hoodi],
      ["multiple_validators/sepolia/deposit_data-1755013393.json", false, MNEMONICS.window, 3, ONE, sepolia],
    ] as const
  ).map(([file, exactBytes, mnemonic, count, withdrawal, network]) => ({
    file: `ethstaker-deposit-cli-1.2.2/${file}`,
    exactBytes,
    mnemonic,
    start: 0,
    count,
    withdrawal,
    network,
    depositCliVersion: "1.2.2",
  })),
];

function readVector(file: string): string {
  return readFileSync(path.join(VECTORS, file), "utf8");
}

// Keys and a valid file shared by the tests that tamper with one.
const WINDOW_KEYS = deriveValidatorKeys(mnemonicToSeed(MNEMONICS.window), 0, 4);
const MAINNET = BEACON_NETWORKS.mainnet;
const VALID = buildDepositData(WINDOW_KEYS, ONE, { network: MAINNET });

function withField(entries: readonly DepositDataEntry[], index: number, change: Partial<DepositDataEntry>) {
  return entries.map((entry, i) => (i === index ? { ...entry, ...change } : entry));
}

function flipByte(hex: string, byte: number, mask: number): string {
  const bytes = Buffer.from(hex, "hex");
  bytes[byte] = bytes[byte]! ^ mask;
  return bytes.toString("hex");
}

function problemsOf(entries: readonly DepositDataEntry[], network: DepositNetwork = MAINNET, options = {}) {
  return verifyDepositData(entries, { network, ...options });
}

describe("deposit data", function () {
  describe("beaconNetwork", function () {
    it("holds each network's fork version, deposit contract, chain id and deposit CLI name", function () {
      const table = BEACON_NETWORK_NAMES.map((name) => {
        const network = BEACON_NETWORKS[name];
        return [
          name,
          network.genesisForkVersion,
          network.depositContract,
          network.chainId,
          network.depositCliNetworkName,
        ];
      });
      expect(table).to.deep.equal([
        ["mainnet", "0x00000000", "0x00000000219ab540356cBB839Cbe05303d7705Fa", 1n, "mainnet"],
        ["sepolia", "0x90000069", "0x7f02C3E3c98b133055B8B348B2Ac625669Ed295D", 11_155_111n, "sepolia"],
        ["holesky", "0x01017000", "0x4242424242424242424242424242424242424242", 17_000n, "holesky"],
        ["hoodi", "0x10000910", "0x00000000219ab540356cBB839Cbe05303d7705Fa", 560_048n, "hoodi"],
        ["local", "0x00007a69", undefined, 31_337n, "local"],
      ]);
    });

    it("gives the local chain a fork version no public network uses, so its deposits replay nowhere", function () {
      const publicForks = BEACON_NETWORK_NAMES.filter((name) => name !== "local").map(
        (name) => BEACON_NETWORKS[name].genesisForkVersion,
      );
      expect(publicForks).not.to.include(BEACON_NETWORKS.local.genesisForkVersion);
    });

    it("finds a network by name in any case, or by chain id as a number, bigint or string", function () {
      expect(beaconNetwork("Hoodi")).to.equal(hoodi);
      expect(beaconNetwork(" mainnet ")).to.equal(MAINNET);
      expect(beaconNetwork(11155111)).to.equal(sepolia);
      expect(beaconNetwork(17000n)).to.equal(BEACON_NETWORKS.holesky);
      expect(beaconNetwork("31337")).to.equal(BEACON_NETWORKS.local);
    });

    it("rejects an unknown name or chain id, listing the known networks", function () {
      expect(() => beaconNetwork("goerli")).to.throw(
        UserInputError,
        /network "goerli" is not a supported beacon network: expected one of mainnet \(chain id 1\), sepolia .*local \(chain id 31337\)/,
      );
      expect(() => beaconNetwork(5, "--chain")).to.throw(UserInputError, /^--chain "5" is not a supported/);
    });
  });

  describe("signing domain and roots", function () {
    it("matches staking-deposit-cli's own tests for the domain, fork data root and signing root", function () {
      // tests/test_utils/test_ssz.py of ethereum/staking-deposit-cli, fork version 0x12121212.
      expect(hexlify(computeDepositDomain("0x12121212"))).to.equal(
        "0x030000000d66608af557f4fadbfce248ac37f6e7639ce371100c43d15aad05cb",
      );
      const messageRoot = computeDepositMessageRoot(new Uint8Array(48).fill(0x12), new Uint8Array(32).fill(0x12), 100n);
      expect(hexlify(computeSigningRoot(messageRoot, new Uint8Array(32).fill(0x12)))).to.equal(
        "0x67a3330ff87bdb46bb7b80ca7a641e398d6ac4e87a6856527cacc829fb61896f",
      );
    });

    it("gives mainnet's well-known deposit domain", function () {
      expect(hexlify(computeDepositDomain(MAINNET.genesisForkVersion))).to.equal(
        "0x03000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9",
      );
    });

    it("rejects a fork version that is not 4 bytes and an amount outside uint64", function () {
      expect(() => computeDepositDomain("0x121212")).to.throw(
        RangeError,
        /genesisForkVersion: expected 4 bytes, got 3/,
      );
      expect(() => computeDepositMessageRoot(new Uint8Array(48), new Uint8Array(32), 2n ** 64n)).to.throw(
        RangeError,
        /amountGwei: expected an integer in \[0, 2\*\*64 - 1\]/,
      );
      expect(() => computeDepositMessageRoot(new Uint8Array(47), new Uint8Array(32), 1n)).to.throw(
        RangeError,
        /pubkey: expected 48 bytes, got 47/,
      );
    });

    it("computes roots of amounts above 2**53 gwei without losing precision", function () {
      const pubkey = new Uint8Array(48);
      const credentials = new Uint8Array(32);
      const big = computeDepositMessageRoot(pubkey, credentials, 2n ** 53n + 1n);
      expect(hexlify(big)).not.to.equal(hexlify(computeDepositMessageRoot(pubkey, credentials, 2n ** 53n)));
    });
  });

  describe("withdrawal credentials", function () {
    it("writes 0x01 credentials as 0x01, 11 zero bytes and the address, as the official CLI does", function () {
      expect(executionWithdrawalCredentials(EXECUTION.address)).to.equal(
        "0x01000000000000000000000071c7656ec7ab88b098defb751b7401b5f6d8976f",
      );
    });

    it("writes 0x00 credentials from the withdrawal key, as the official CLI does", function () {
      const [key] = deriveValidatorKeys(mnemonicToSeed(MNEMONICS.ski), 0, 1);
      expect(blsWithdrawalCredentials(key!.withdrawalKey.toPublicKey().toBytes())).to.equal(
        "0x0045b91b2f60b88e7392d49ae1364b55e713d06f30e563f9f99e10994b26221d",
      );
      expect(withdrawalCredentialsOf(key!, BLS)).to.equal(
        "0x0045b91b2f60b88e7392d49ae1364b55e713d06f30e563f9f99e10994b26221d",
      );
    });

    it("rejects an empty, malformed, mis-checksummed or zero withdrawal address, naming it", function () {
      expect(() => executionWithdrawalCredentials(" ")).to.throw(UserInputError, /withdrawal address is empty/);
      expect(() => executionWithdrawalCredentials("0x1234", "--withdrawal-address")).to.throw(
        UserInputError,
        /--withdrawal-address "0x1234" is not an address/,
      );
      expect(() => executionWithdrawalCredentials("0x71C7656EC7ab88b098defB751B7401B5f6d8976f")).to.throw(
        UserInputError,
        /wrong checksum/,
      );
      expect(() => executionWithdrawalCredentials("0x0000000000000000000000000000000000000000")).to.throw(
        UserInputError,
        /withdrawal address is the zero address/,
      );
      expect(() => blsWithdrawalCredentials(new Uint8Array(32))).to.throw(
        RangeError,
        /withdrawalPublicKey: expected 48/,
      );
    });
  });

  describe("official deposit CLI files", function () {
    for (const vector of VECTOR_CASES) {
      const what = vector.exactBytes ? "byte for byte" : "entry by entry (the file was reformatted upstream)";
      it(`reproduces ${vector.file} ${what}`, function () {
        const { deposits } = generateDepositData({ ...vector });
        const recorded = readVector(vector.file);
        if (vector.exactBytes) {
          expect(serializeDepositDataFile(deposits)).to.equal(recorded);
        } else {
          expect(deposits).to.deep.equal(parseDepositDataFile(recorded));
        }
      });
    }

    it("verifies every recorded file under its own network without a problem", function () {
      for (const vector of VECTOR_CASES) {
        const entries = parseDepositDataFile(readVector(vector.file), vector.file);
        expect(verifyDepositData(entries, { network: vector.network }), vector.file).to.deep.equal([]);
      }
    });

    it("writes back the CLI's own files byte for byte after reading them", function () {
      for (const vector of VECTOR_CASES.filter((candidate) => candidate.exactBytes)) {
        const recorded = readVector(vector.file);
        expect(serializeDepositDataFile(parseDepositDataFile(recorded)), vector.file).to.equal(recorded);
      }
    });
  });

  describe("createDepositSigner", function () {
    it("signs 32 ETH deposits marked deposit CLI 2.8.0 for the network by default", function () {
      const [entry] = VALID;
      expect(Object.keys(entry!)).to.deep.equal([...DEPOSIT_DATA_KEYS]);
      expect(entry).to.include({
        amount: 32_000_000_000,
        fork_version: "00000000",
        network_name: "mainnet",
        deposit_cli_version: "2.8.0",
        withdrawal_credentials: "0100000000000000000000000000000000000000000000000000000000000001",
      });
    });

    it("takes another amount and deposit CLI version", function () {
      const sign = createDepositSigner({ network: hoodi, amountGwei: 1_000_000_000n, depositCliVersion: "1.2.2" });
      const entry = sign(WINDOW_KEYS[0]!.signingKey, executionWithdrawalCredentials(ONE.address));
      expect(entry).to.include({ amount: 1_000_000_000, deposit_cli_version: "1.2.2", fork_version: "10000910" });
      expect(problemsOf([entry], hoodi, { amountGwei: 1_000_000_000n })).to.deep.equal([]);
    });

    it("refuses an amount below the deposit contract's 1 ETH minimum", function () {
      expect(() => createDepositSigner({ network: MAINNET, amountGwei: 999_999_999n })).to.throw(
        UserInputError,
        /amount 999999999 gwei: expected at least 1000000000 gwei \(1 ETH/,
      );
    });

    it("refuses withdrawal credentials that are not 32 bytes", function () {
      const sign = createDepositSigner({ network: MAINNET });
      expect(() => sign(WINDOW_KEYS[0]!.signingKey, "0x01")).to.throw(
        RangeError,
        /withdrawalCredentials: expected 32 bytes, got 1/,
      );
    });

    it("makes a deposit that verifies for any validator, network and withdrawal address", function () {
      const seed = mnemonicToSeed(MNEMONICS.window);
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.constantFrom(...BEACON_NETWORK_NAMES),
          fc.uint8Array({ minLength: 20, maxLength: 20 }).filter((bytes) => bytes.some((byte) => byte !== 0)),
          (index, name, address) => {
            const network = BEACON_NETWORKS[name];
            const withdrawal = { kind: "execution", address: hexlify(address) } as const;
            const entries = buildDepositData(deriveValidatorKeys(seed, index, 1), withdrawal, { network });
            const expected = executionWithdrawalCredentials(withdrawal.address);
            expect(verifyDepositData(entries, { network, withdrawalCredentials: expected })).to.deep.equal([]);
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe("generateDepositData", function () {
    it("derives with the passphrase and from the start index, as the CLI's existing-mnemonic does", function () {
      const { keys, deposits } = generateDepositData({
        mnemonic: MNEMONICS.window,
        passphrase: "TREZOR",
        start: 5,
        count: 2,
        withdrawal: BLS,
        network: hoodi,
      });
      const expected = deriveValidatorKeys(mnemonicToSeed(MNEMONICS.window, "TREZOR"), 5, 2);
      expect(keys.map((key) => key.index)).to.deep.equal([5, 6]);
      expect(deposits.map((entry) => `0x${entry.pubkey}`)).to.deep.equal(expected.map((key) => hexlify(key.publicKey)));
      const withoutPassphrase = deriveValidatorKeys(mnemonicToSeed(MNEMONICS.window), 5, 1);
      expect(deposits[0]!.pubkey).not.to.equal(hexlify(withoutPassphrase[0]!.publicKey).slice(2));
      expect(deposits[0]!.withdrawal_credentials).to.equal(withdrawalCredentialsOf(expected[0]!, BLS).slice(2));
    });

    it("rejects a bad mnemonic, address or count with the argument's name", function () {
      const base = { mnemonic: MNEMONICS.window, count: 1, withdrawal: ONE, network: MAINNET } as const;
      expect(() => generateDepositData({ ...base, mnemonic: "window lottery" })).to.throw(
        UserInputError,
        /mnemonic has 2 words/,
      );
      expect(() => generateDepositData({ ...base, withdrawal: { kind: "execution", address: "0x12" } })).to.throw(
        UserInputError,
        /withdrawal address "0x12" is not an address/,
      );
      expect(() => generateDepositData({ ...base, count: -1 })).to.throw(UserInputError, /count -1/);
    });
  });

  describe("serializeDepositDataFile", function () {
    it("writes Python's json.dump separators and the CLI's key order whatever the objects' key order", function () {
      const entry = VALID[0]!;
      const reversed = Object.fromEntries(Object.entries(entry).reverse()) as unknown as DepositDataEntry;
      const text = serializeDepositDataFile([reversed, entry]);
      const one =
        `{"pubkey": "${entry.pubkey}", "withdrawal_credentials": "${entry.withdrawal_credentials}", ` +
        `"amount": 32000000000, "signature": "${entry.signature}", ` +
        `"deposit_message_root": "${entry.deposit_message_root}", "deposit_data_root": "${entry.deposit_data_root}", ` +
        `"fork_version": "00000000", "network_name": "mainnet", "deposit_cli_version": "2.8.0"}`;
      expect(text).to.equal(`[${one}, ${one}]`);
      expect(serializeDepositDataFile([])).to.equal("[]");
    });

    it("escapes text as Python's json.dumps does (ASCII only)", function () {
      const entry = { ...VALID[0]!, network_name: 'é"\\\n\r\t\b\f\u0000\u001f\u007f~ 😀 ü' };
      // The expected text is Python 3's json.dumps of the same string.
      const python = String.raw`"\u00e9\"\\\n\r\t\b\f\u0000\u001f\u007f~ \ud83d\ude00 \u00fc"`;
      expect(serializeDepositDataFile([entry])).to.include(`"network_name": ${python},`);
    });

    it("names files deposit_data-<whole unix seconds>.json", function () {
      expect(depositDataFileName(1670231001.9)).to.equal("deposit_data-1670231001.json");
      expect(() => depositDataFileName(-1)).to.throw(RangeError, /unixSeconds: expected a non-negative number/);
      expect(() => depositDataFileName(Number.NaN)).to.throw(RangeError, /unixSeconds/);
    });
  });

  describe("parseDepositDataFile", function () {
    const hexOf = (bytes: number) =>
      fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((array) => Buffer.from(array).toString("hex"));
    const anyEntry = fc.record({
      pubkey: hexOf(48),
      withdrawal_credentials: hexOf(32),
      amount: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      signature: hexOf(96),
      deposit_message_root: hexOf(32),
      deposit_data_root: hexOf(32),
      fork_version: hexOf(4),
      network_name: fc.string({ minLength: 1, unit: "binary" }),
      deposit_cli_version: fc.string({ minLength: 1 }),
    });

    it("reads back whatever the serializer writes", function () {
      fc.assert(
        fc.property(fc.array(anyEntry, { minLength: 1, maxLength: 4 }), (entries) => {
          expect(parseDepositDataFile(serializeDepositDataFile(entries))).to.deep.equal(entries);
        }),
      );
    });

    it("accepts any key order, upper-case hex, indentation and a byte-order mark", function () {
      const entry = VALID[0]!;
      const reordered = { ...Object.fromEntries(Object.entries(entry).reverse()), pubkey: entry.pubkey.toUpperCase() };
      const text = `\uFEFF${JSON.stringify([reordered], null, 2)}\n`;
      expect(parseDepositDataFile(text)).to.deep.equal([entry]);
    });

    const entry = VALID[0]!;
    const badFiles: [what: string, text: string, message: RegExp][] = [
      ["text that is not JSON", "[{", /deposit data file is not valid JSON/],
      ["JSON that is not an array", "{}", /expected a JSON array of deposits, got an object/],
      ["an empty array", "[]", /holds no deposits: expected at least one/],
      ["an entry that is not an object", "[42]", /deposit 0: expected an object with the keys pubkey, .*got number 42/],
      ["a missing key", JSON.stringify([{ ...entry, signature: undefined }]), /deposit 0: missing key "signature"/],
      ["an unknown key", JSON.stringify([entry, { ...entry, index: 1 }]), /deposit 1: unknown key "index"/],
      [
        "hex with 0x",
        JSON.stringify([{ ...entry, pubkey: `0x${entry.pubkey}` }]),
        /pubkey: starts with 0x: expected 96 hex digits without 0x/,
      ],
      [
        "hex that is not hex",
        JSON.stringify([{ ...entry, signature: "zz".repeat(96) }]),
        /signature: "zzzz.*" is not hex/,
      ],
      [
        "hex of the wrong length",
        JSON.stringify([{ ...entry, deposit_data_root: "00" }]),
        /deposit_data_root: expected 64 hex digits \(32 bytes\), got 2/,
      ],
      [
        "a fork version of the wrong length",
        JSON.stringify([{ ...entry, fork_version: "000000" }]),
        /fork_version: expected 8 hex digits/,
      ],
      [
        "a number where hex is expected",
        JSON.stringify([{ ...entry, withdrawal_credentials: 1 }]),
        /withdrawal_credentials: expected a string of 64 hex digits, got number 1/,
      ],
      [
        "an amount as a string",
        JSON.stringify([{ ...entry, amount: "32000000000" }]),
        /amount: expected a positive whole number of gwei .*got the string "32000000000"/,
      ],
      ["a fractional amount", JSON.stringify([{ ...entry, amount: 1.5 }]), /amount: .*got number 1.5/],
      ["a zero amount", JSON.stringify([{ ...entry, amount: 0 }]), /amount: .*got number 0/],
      [
        "an amount beyond 2**53",
        JSON.stringify([{ ...entry, amount: 2 ** 60 }]),
        /amount: .*got number 1152921504606847000/,
      ],
      [
        "an empty network name",
        JSON.stringify([{ ...entry, network_name: "" }]),
        /network_name: expected a non-empty string/,
      ],
      [
        "a version that is not a string",
        JSON.stringify([{ ...entry, deposit_cli_version: null }]),
        /deposit_cli_version: expected a non-empty string, got null/,
      ],
    ];
    for (const [what, text, message] of badFiles) {
      it(`rejects ${what}, naming the problem`, function () {
        expect(() => parseDepositDataFile(text)).to.throw(UserInputError, message);
      });
    }

    it("names the file and lists the first 10 problems and how many more", function () {
      const broken = Array.from({ length: 12 }, () => ({ ...entry, amount: -1 }));
      expect(() => parseDepositDataFile(JSON.stringify(broken), "deposit_data-1.json")).to.throw(
        UserInputError,
        /^deposit_data-1\.json is malformed: deposit 0: amount.*deposit 9: amount[^;]*; and 2 more$/,
      );
    });
  });

  describe("verifyDepositData", function () {
    it("finds no problem in a file it made", function () {
      expect(problemsOf(VALID)).to.deep.equal([]);
      expect(problemsOf([])).to.deep.equal([]);
    });

    it("reports the key whose signature, pubkey or withdrawal credentials had any byte flipped, and only it", function () {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: VALID.length - 1 }),
          fc.constantFrom("signature", "pubkey", "withdrawal_credentials"),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (index, field, position, mask) => {
            const value = VALID[index]![field];
            const tampered = withField(VALID, index, { [field]: flipByte(value, position % (value.length / 2), mask) });
            const reports = problemsOf(tampered);
            expect(reports.map((report) => report.index)).to.deep.equal([index]);
            expect(reports[0]!.problems.join("; ")).to.match(/signature|pubkey|root/);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("says the signature does not verify under the network's fork, and that it does under the file's", function () {
      const sepoliaFile = buildDepositData(WINDOW_KEYS.slice(0, 1), ONE, { network: sepolia });
      const [report] = problemsOf(sepoliaFile);
      expect(report!.problems).to.deep.equal([
        "fork_version 90000069 is not mainnet's genesis fork version 00000000",
        'network_name "sepolia" is not "mainnet"',
        "signature does not verify under fork 00000000 (it verifies under the file's fork_version 90000069: the " +
          "deposit was made for another network)",
      ]);
    });

    it("reports a signature by another key as not verifying", function () {
      const tampered = withField(VALID, 2, { signature: VALID[1]!.signature });
      const [report] = problemsOf(tampered);
      expect(report!.index).to.equal(2);
      expect(report!.problems).to.include("signature does not verify under fork 00000000");
      expect(report!.problems.join("; ")).to.match(/deposit_data_root [0-9a-f]{64} does not match the deposit/);
    });

    it("reports an amount other than the expected one", function () {
      const oneEther = buildDepositData(WINDOW_KEYS.slice(0, 1), ONE, { network: MAINNET, amountGwei: 10n ** 9n });
      expect(problemsOf(oneEther)[0]!.problems).to.deep.equal([
        "amount 1000000000 gwei is not the expected 32000000000 gwei",
      ]);
    });

    it("reports withdrawal credentials other than the expected ones", function () {
      const expected = executionWithdrawalCredentials(EXECUTION.address);
      const reports = problemsOf(VALID, MAINNET, { withdrawalCredentials: expected });
      expect(reports.map((report) => report.index)).to.deep.equal([0, 1, 2, 3]);
      expect(reports[0]!.problems).to.deep.equal([
        `withdrawal_credentials ${VALID[0]!.withdrawal_credentials} are not the expected ${expected.slice(2)}`,
      ]);
    });

    it("reports withdrawal credentials with an unknown prefix or a malformed address part", function () {
      for (const [credentials, message] of [
        [`03${"00".repeat(31)}`, /unknown prefix 0x03: expected 0x00, 0x01 or 0x02/],
        [`0101${"00".repeat(30)}`, /bytes 1 to 11 of 0x01 credentials must be zero/],
      ] as const) {
        // Signed properly: the credentials are the only problem.
        const entry = createDepositSigner({ network: MAINNET })(WINDOW_KEYS[0]!.signingKey, `0x${credentials}`);
        expect(problemsOf([entry])[0]!.problems).to.have.length(1);
        expect(problemsOf([entry])[0]!.problems[0]).to.match(message);
      }
    });

    it("reports a pubkey that appears twice, at its second place", function () {
      const reports = problemsOf([...VALID, VALID[1]!]);
      expect(reports).to.deep.equal([
        { index: 4, pubkey: VALID[1]!.pubkey, problems: ["duplicate pubkey: also deposit 1 of this file"] },
      ]);
    });

    it("reports roots that do not match the deposit", function () {
      const reports = problemsOf(
        withField(withField(VALID, 0, { deposit_message_root: "00".repeat(32) }), 3, {
          deposit_data_root: "11".repeat(32),
        }),
      );
      expect(reports.map((report) => report.index)).to.deep.equal([0, 3]);
      expect(reports[0]!.problems[0]).to.match(
        /^deposit_message_root 0{64} does not match the pubkey, withdrawal_credentials and amount \(expected [0-9a-f]{64}\)$/,
      );
      expect(reports[1]!.problems[0]).to.match(
        /^deposit_data_root 1{64} does not match .*the deposit contract would refuse it$/,
      );
    });

    it("rejects the points at infinity and points outside the subgroups", function () {
      // On the curves but outside the prime-order subgroups: y^2 = x^3 + 4 has a solution for x = 4 (G1) and
      // y^2 = x^3 + 4(1 + i) for x = 2 (G2); compressed encodings carry only x and the 0x80 flag.
      const { Fp, Fp2 } = bls12_381.fields;
      expect(Fp.eql(Fp.sqr(Fp.sqrt(Fp.add(Fp.pow(4n, 3n), 4n))), Fp.add(Fp.pow(4n, 3n), 4n))).to.equal(true);
      const x2 = Fp2.fromBigTuple([2n, 0n]);
      const rhs2 = Fp2.add(Fp2.mul(Fp2.sqr(x2), x2), Fp2.fromBigTuple([4n, 4n]));
      expect(Fp2.eql(Fp2.sqr(Fp2.sqrt(rhs2)), rhs2)).to.equal(true);
      const g1OutsideSubgroup = `80${"00".repeat(46)}04`;
      const g2OutsideSubgroup = `80${"00".repeat(94)}02`;
      const g1Infinity = `c0${"00".repeat(47)}`;
      const g2Infinity = `c0${"00".repeat(95)}`;

      const cases: [Partial<DepositDataEntry>, RegExp][] = [
        [{ pubkey: g1Infinity }, /pubkey is not a valid BLS public key \(the point at infinity\)/],
        [{ pubkey: g1OutsideSubgroup }, /pubkey is not a valid BLS public key \(point not in group\)/],
        [{ pubkey: "ff".repeat(48) }, /pubkey is not a valid BLS public key \(invalid encoding\)/],
        [{ signature: g2Infinity }, /signature is not a valid BLS signature \(the point at infinity\)/],
        [{ signature: g2OutsideSubgroup }, /signature is not a valid BLS signature \(point not in group\)/],
      ];
      for (const [change, message] of cases) {
        const reports = problemsOf(withField(VALID, 1, change));
        expect(
          reports.map((report) => report.index),
          message.source,
        ).to.deep.equal([1]);
        expect(reports[0]!.problems.join("; ")).to.match(message);
      }
    });

    it("reports malformed entries made in code instead of throwing", function () {
      const reports = problemsOf(withField(VALID, 2, { pubkey: "abc", amount: -5 }));
      expect(reports[0]!.index).to.equal(2);
      expect(reports[0]!.problems).to.deep.equal([
        "pubkey: expected 96 hex digits (48 bytes), got 3",
        "amount: expected a positive whole number of gwei such as 32000000000, got number -5",
      ]);
    });

    it("reports every problem of every key rather than stopping at the first", function () {
      const tampered = withField(withField(VALID, 0, { amount: 1 }), 3, { network_name: "hoodi" });
      const reports = problemsOf(tampered);
      expect(reports.map((report) => report.index)).to.deep.equal([0, 3]);
      expect(reports[0]!.problems.length).to.be.greaterThan(2);
    });
  });

  describe("formatDepositProblems", function () {
    it("prints one line a key with its index, the start of its pubkey and its problems", function () {
      const tampered = withField(VALID, 3, { fork_version: "90000069" });
      expect(formatDepositProblems(problemsOf(tampered))).to.deep.equal([
        `key 3 (0x${VALID[3]!.pubkey.slice(0, 12)}…): fork_version 90000069 is not mainnet's genesis fork version 00000000`,
      ]);
    });
  });
});
