import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BeaconClient } from "../../lib/beacon/client.js";
import { UserInputError } from "../../lib/errors.js";
import { checkExitOperator, type ExitResponderSummary, runExitResponder } from "../../lib/exitResponder.js";
import { MAX_KEY_INDEX } from "../../lib/keys/derivation.js";
import { parseCount } from "../../lib/keys/generate.js";
import { type SigningKeySet, signingKeysFromKeystores, signingKeysFromMnemonic } from "../../lib/keys/signingKeys.js";
import { parseOperatorId } from "../../lib/operators.js";
import { createProgress } from "../../lib/progress.js";
import { loadProtocol } from "../../lib/protocol.js";
import { parseBeaconUrl } from "./beaconArguments.js";
import { reportingBeaconErrors } from "./beaconErrors.js";
import { readSecretOption } from "./dkgArguments.js";
import { timestampedLog as log } from "./timestampedLog.js";

interface OperatorsExitDaemonArguments {
  operator: string;
  mnemonicFile: string;
  keyStart: string;
  keyCount: string;
  keystores: string;
  passwordFile: string;
  beaconUrl: string;
  delay: string;
  pollMs: string;
  once: boolean;
}

/** Thirty days: a longer delay than any response time the registry allows would only guarantee a penalty. */
const MAX_DELAY_SECONDS = 30 * 86_400;
const DEFAULT_KEY_COUNT = 100;

/** Where the keys come from, checked before anything is read from the chain (a keystore folder is read later). */
type KeySource =
  | { kind: "mnemonic"; mnemonic: string; start: number; count: number }
  | { kind: "keystores"; folder: string; password: string };

function parseKeySource(args: OperatorsExitDaemonArguments): KeySource {
  const folder = args.keystores.trim();
  if (folder !== "") {
    if (args.mnemonicFile.trim() !== "") {
      throw new UserInputError("expected one of --mnemonic-file and --keystores, not both");
    }
    if (args.keyStart.trim() !== "" || args.keyCount.trim() !== "") {
      throw new UserInputError("--key-start and --key-count apply to --mnemonic-file only, not to --keystores");
    }
    const password = readSecretOption(args.passwordFile, "--password-file", "PLURAL_KEYSTORE_PASSWORD");
    if (password === undefined) {
      throw new UserInputError(
        "no keystore password: expected --password-file <path> or the PLURAL_KEYSTORE_PASSWORD variable",
      );
    }
    return { kind: "keystores", folder, password };
  }
  if (args.passwordFile.trim() !== "") {
    throw new UserInputError("--password-file applies to --keystores only: a mnemonic needs no password here");
  }
  const mnemonic = readSecretOption(args.mnemonicFile, "--mnemonic-file", "PLURAL_MNEMONIC");
  if (mnemonic === undefined) {
    throw new UserInputError(
      "no validator keys: expected --mnemonic-file <path> (or the PLURAL_MNEMONIC variable), or --keystores <folder> " +
        "with --password-file <path>",
    );
  }
  const start = args.keyStart.trim() === "" ? 0 : parseCount(args.keyStart, "--key-start", 0, MAX_KEY_INDEX);
  const count =
    args.keyCount.trim() === ""
      ? Math.min(DEFAULT_KEY_COUNT, MAX_KEY_INDEX - start + 1)
      : parseCount(args.keyCount, "--key-count", 1, Math.min(100_000, MAX_KEY_INDEX - start + 1));
  return { kind: "mnemonic", mnemonic, start, count };
}

async function loadKeys(source: KeySource): Promise<SigningKeySet> {
  if (source.kind === "mnemonic") return signingKeysFromMnemonic(source.mnemonic, source.start, source.count);
  return signingKeysFromKeystores(source.folder, source.password, {
    argument: "--keystores",
    progress: (total) => createProgress(total, "keystores"),
  });
}

function describeSummary(summary: ExitResponderSummary): string {
  return (
    `operator ${summary.operatorId}: ${summary.requests} exit request${summary.requests === 1 ? "" : "s"}; ` +
    `${summary.submitted.length} submitted, ${summary.alreadyExiting.length} already exiting, ` +
    `${summary.missingKeys.length} without a key here, ${summary.waiting.length} waiting, ` +
    `${summary.refused.length} refused`
  );
}

export default async function operatorsExitDaemonAction(
  args: OperatorsExitDaemonArguments,
  hre: HardhatRuntimeEnvironment,
) {
  await reportingBeaconErrors(async () => {
    if (args.operator.trim() === "") {
      throw new UserInputError("--operator is required: the id of the operator whose validators to exit");
    }
    const beaconUrl = parseBeaconUrl(args.beaconUrl, "--beacon-url");
    const delaySeconds = parseCount(args.delay, "--delay", 0, MAX_DELAY_SECONDS);
    const pollMs = parseCount(args.pollMs, "--poll-ms", 100, 600_000);
    const source = parseKeySource(args);

    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const operatorId = await parseOperatorId(protocol.operatorRegistry, args.operator);
    // A cluster is refused before its keystores are decrypted: no key of its could sign anyway.
    await checkExitOperator(protocol, operatorId);
    const keys = await loadKeys(source);
    log(`loaded ${keys.keys.size} signing keys (${keys.source})`);

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    let summary: ExitResponderSummary;
    try {
      summary = await runExitResponder({
        protocol,
        beacon: new BeaconClient(beaconUrl),
        operatorId,
        keys,
        delaySeconds,
        pollMs,
        once: args.once,
        signal: controller.signal,
        log,
      });
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    log(`${args.once ? "done" : "stopped"}: ${describeSummary(summary)}`);
  });
}
