import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { BeaconClient } from "../../lib/beacon/client.js";
import { UserInputError } from "../../lib/errors.js";
import { parseCount } from "../../lib/keys/generate.js";
import { runOracle } from "../../lib/oracle/daemon.js";
import { loadProtocol } from "../../lib/protocol.js";
import { parseBeaconUrl } from "./beaconArguments.js";
import { timestampedLog as log } from "./timestampedLog.js";
import { reportingUserErrors } from "./userErrors.js";

interface OracleRunArguments {
  member: string;
  beaconUrl: string;
  pollMs: string;
  frames: string;
}

export default async function oracleRunAction(args: OracleRunArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const names = args.member
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    if (names.length === 0) {
      throw new UserInputError("--member is required: a committee member's account index or address (comma-separated)");
    }
    const beaconUrl = parseBeaconUrl(args.beaconUrl, "--beacon-url");
    const pollMs = parseCount(args.pollMs, "--poll-ms", 100, 600_000);
    const frames = args.frames.trim() === "" ? undefined : parseCount(args.frames, "--frames", 1, 1_000_000);

    const { ethers, networkName } = await hre.network.create();
    const members = [];
    for (const name of names) members.push(await resolveSigner(ethers, name, "--member"));
    if (new Set(members.map((member) => member.address)).size !== members.length) {
      throw new UserInputError(`--member "${args.member}" names the same account twice`);
    }
    const protocol = await loadProtocol(ethers, networkName);

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await runOracle({
        protocol,
        beacon: new BeaconClient(beaconUrl),
        provider: ethers.provider,
        members,
        pollMs,
        ...(frames === undefined ? {} : { frames }),
        signal: controller.signal,
        log,
      });
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    log("stopped");
  });
}
