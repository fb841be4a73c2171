import { readFile } from "node:fs/promises";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { decryptKeystore, readKeystoreFile } from "../../lib/keys/keystore.js";
import { parseSecretKeyLines, splitKeyFiles } from "../../lib/keys/thresholdDeposits.js";
import { checkOutDir, parseCluster, readSecretOption } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysSplitArguments {
  threshold: string;
  members: string;
  secretKeyFile: string;
  keystore: string;
  passwordFile: string;
  outDir: string;
}

/** The keys to split: hex keys from `--secret-key-file`, or the one key of `--keystore`. */
async function readSecretKeys(args: KeysSplitArguments): Promise<(string | Uint8Array)[]> {
  if ((args.secretKeyFile === "") === (args.keystore === "")) {
    throw new UserInputError("expected exactly one of --secret-key-file <path> and --keystore <path>");
  }
  if (args.secretKeyFile !== "") {
    let text: string;
    try {
      text = await readFile(args.secretKeyFile, "utf8");
    } catch (error) {
      throw new UserInputError(`--secret-key-file ${args.secretKeyFile}: cannot read it (${(error as Error).message})`);
    }
    return parseSecretKeyLines(text, `--secret-key-file ${args.secretKeyFile}`);
  }
  const password = readSecretOption(args.passwordFile, "--password-file", "PLURAL_KEYSTORE_PASSWORD");
  if (password === undefined) {
    throw new UserInputError(
      "no keystore password: expected --password-file <path> or the PLURAL_KEYSTORE_PASSWORD variable",
    );
  }
  const keystore = await readKeystoreFile(args.keystore).catch((error: unknown) => {
    if (error instanceof UserInputError) throw error;
    throw new UserInputError(`--keystore ${args.keystore}: cannot read it (${(error as Error).message})`);
  });
  return [await decryptKeystore(keystore, password)];
}

export default async function keysSplitAction(args: KeysSplitArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { threshold, members } = parseCluster(args);
    checkOutDir(args.outDir);
    const secretKeys = await readSecretKeys(args);
    const split = await splitKeyFiles({ secretKeys, threshold, members, outDir: args.outDir });
    console.log(
      `Split ${secretKeys.length} key(s) ${threshold}-of-${members} (trusted dealer: this machine held them whole)`,
    );
    split.shareFiles.forEach((file, i) => console.log(`  ${file}: secret, send to member ${i + 1} only`));
    console.log(`  ${split.groupFile}: public, send to every member`);
    console.log("Destroy every other copy of the keys, and each share file once delivered.");
  });
}
