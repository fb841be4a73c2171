import { readFileSync } from "node:fs";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { generateValidatorFiles, parseCount } from "../../lib/keys/generate.js";
import { createProgress } from "../../lib/progress.js";
import { checkOutDir } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysGenerateArguments {
  count: string;
  start: string;
  chain: string;
  withdrawalAddress: string;
  outDir: string;
  mnemonicFile: string;
  passwordFile: string;
  noKeystores: boolean;
  depositCliVersion: string;
}

/** A secret from a file (trailing newline dropped) or else an environment variable; never from the command line. */
function readSecret(file: string, option: string, variable: string): string | undefined {
  if (file !== "") {
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new UserInputError(`${option} ${file}: cannot read it (${(error as Error).message})`);
    }
  }
  const value = process.env[variable];
  return value === undefined || value === "" ? undefined : value;
}

export default async function keysGenerateAction(args: KeysGenerateArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const count = parseCount(args.count, "--count", 1, 10_000);
    checkOutDir(args.outDir);
    const start = parseCount(args.start, "--start", 0, 2 ** 32 - 1 - count);
    const mnemonic = readSecret(args.mnemonicFile, "--mnemonic-file", "PLURAL_MNEMONIC");
    if (mnemonic === undefined) {
      throw new UserInputError("no mnemonic: expected --mnemonic-file <path> or the PLURAL_MNEMONIC variable");
    }
    const password = args.noKeystores
      ? undefined
      : readSecret(args.passwordFile, "--password-file", "PLURAL_KEYSTORE_PASSWORD");
    if (!args.noKeystores && password === undefined) {
      throw new UserInputError(
        "no keystore password: expected --password-file <path> or the PLURAL_KEYSTORE_PASSWORD variable " +
          "(or --no-keystores for deposit data only)",
      );
    }
    const result = await generateValidatorFiles({
      mnemonic,
      start,
      count,
      chain: args.chain,
      withdrawalAddress: args.withdrawalAddress,
      outDir: args.outDir,
      ...(password === undefined ? {} : { keystorePassword: password }),
      ...(args.depositCliVersion === "" ? {} : { depositCliVersion: args.depositCliVersion }),
      progress: createProgress(password === undefined ? 0 : count, "keystores"),
    });
    console.log(`Wrote ${result.depositDataFile} (${result.deposits.length} deposits for ${args.chain})`);
    if (result.keystoreFiles.length > 0) {
      console.log(`Wrote ${result.keystoreFiles.length} keystores to ${args.outDir}`);
    }
  });
}
