import path from "node:path";

import { expect } from "chai";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { checkDepositFile } from "../lib/keys/files.js";
import { expectUserError } from "./helpers/protocol.js";

const HOODI_FILE = path.join(
  PROJECT_ROOT,
  "test/vectors/deposit-cli/ethstaker-deposit-cli-1.2.2/withdrawal_credentials_bls/hoodi/deposit_data-1755000050.json",
);

describe("checkDepositFile (keys verify)", function () {
  it("passes a file the official CLI wrote for the same network", function () {
    const check = checkDepositFile({ file: HOODI_FILE, chain: "hoodi" });
    expect(check.entries, "entries").to.have.length(1);
    expect(check.problems, "problems").to.deep.equal([]);
  });

  it("names each deposit made for another network, and why", function () {
    const check = checkDepositFile({ file: HOODI_FILE, chain: "sepolia" });
    expect(check.problems, "problems").to.have.length(1);
    expect(check.problems[0]).to.match(/^key 0 \(0x8844cebb34d1…\): fork_version 10000910 is not sepolia's/);
    expect(check.problems[0]).to.include("the deposit was made for another network");
  });

  it("requires 0x01 credentials to the given withdrawal address", function () {
    const check = checkDepositFile({
      file: HOODI_FILE,
      chain: "hoodi",
      withdrawalAddress: "0x000000000000000000000000000000000000dEaD",
    });
    expect(check.problems[0]).to.match(/withdrawal_credentials/);
  });

  it("refuses an unknown chain, an unreadable file and a bad address with their reasons", async function () {
    await expectUserError(() => checkDepositFile({ file: HOODI_FILE, chain: "goerli" }), /--chain "goerli"/);
    await expectUserError(
      () => checkDepositFile({ file: "no-such-file.json", chain: "local" }),
      /cannot read deposit data file no-such-file\.json/,
    );
    await expectUserError(
      () => checkDepositFile({ file: HOODI_FILE, chain: "hoodi", withdrawalAddress: "0x12" }),
      /--withdrawal-address "0x12" is not an address/,
    );
  });
});
