import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { checkDepositFile } from "../lib/keys/files.js";
import { generateValidatorFiles, parseCount } from "../lib/keys/generate.js";
import { decryptKeystore, parseKeystore } from "../lib/keys/keystore.js";
import { expectUserError } from "./helpers/protocol.js";

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const PASSWORD = "correct horse battery";
// Tests only: a cheap scrypt. The task always uses the deposit CLI's n = 2^18.
const CHEAP_KDF = { function: "scrypt", n: 2 ** 10 } as const;

describe("generateValidatorFiles (keys generate)", function () {
  let outDir: string;
  beforeEach(function () {
    outDir = mkdtempSync(path.join(tmpdir(), "plural-keys-"));
  });
  afterEach(function () {
    rmSync(outDir, { recursive: true, force: true });
  });

  it("writes keystores and a deposit data file that verifies, in the CLI's names", async function () {
    const result = await generateValidatorFiles({
      mnemonic: MNEMONIC,
      start: 2,
      count: 3,
      chain: "hoodi",
      withdrawalAddress: "0x000000000000000000000000000000000000dEaD",
      outDir,
      keystorePassword: PASSWORD,
      kdf: CHEAP_KDF,
      unixSeconds: 1_700_000_000,
    });
    expect(readdirSync(outDir).sort(), "files").to.deep.equal([
      "deposit_data-1700000000.json",
      "keystore-m_12381_3600_2_0_0-1700000000.json",
      "keystore-m_12381_3600_3_0_0-1700000000.json",
      "keystore-m_12381_3600_4_0_0-1700000000.json",
    ]);
    const check = checkDepositFile({
      file: result.depositDataFile,
      chain: "hoodi",
      withdrawalAddress: "0x000000000000000000000000000000000000dEaD",
    });
    expect(check.problems, "deposit problems").to.deep.equal([]);
    for (const [i, file] of result.keystoreFiles.entries()) {
      const keystore = parseKeystore(readFileSync(file, "utf8"), file);
      expect(keystore.pubkey, "keystore pubkey = deposit pubkey").to.equal(result.deposits[i]!.pubkey);
      expect((await decryptKeystore(keystore, PASSWORD)).length, "secret decrypts").to.equal(32);
    }
  });

  it("writes deposit data only without a password", async function () {
    const result = await generateValidatorFiles({ mnemonic: MNEMONIC, start: 0, count: 2, chain: "local", outDir });
    expect(result.keystoreFiles, "no keystores").to.deep.equal([]);
    expect(readdirSync(outDir), "one file").to.have.length(1);
  });

  it("refuses bad input before writing anything", async function () {
    await expectUserError(
      generateValidatorFiles({ mnemonic: "abandon abandon", start: 0, count: 1, chain: "local", outDir }),
      /mnemonic/,
    );
    await expectUserError(
      generateValidatorFiles({ mnemonic: MNEMONIC, start: 0, count: 1, chain: "goerli", outDir }),
      /--chain "goerli"/,
    );
    await expectUserError(
      generateValidatorFiles({
        mnemonic: MNEMONIC,
        start: 0,
        count: 1,
        chain: "local",
        outDir,
        withdrawalAddress: "0x1",
      }),
      /--withdrawal-address "0x1" is not an address/,
    );
    await expectUserError(
      generateValidatorFiles({
        mnemonic: MNEMONIC,
        start: 0,
        count: 1,
        chain: "local",
        outDir,
        keystorePassword: "short",
      }),
      /shorter than 8 characters/,
    );
    expect(readdirSync(outDir), "nothing written").to.deep.equal([]);
    await expectUserError(() => parseCount("0", "--count", 1, 10), /--count "0" is not a whole number from 1 to 10/);
    await expectUserError(() => parseCount("2.5", "--count", 1, 10), /--count "2.5"/);
  });
});
