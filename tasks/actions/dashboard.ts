import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BeaconClient } from "../../lib/beacon/client.js";
import { startDashboard } from "../../lib/dashboard/server.js";
import { governanceFromBlock } from "../../lib/governor.js";
import { parseCount } from "../../lib/keys/generate.js";
import { loadProtocol } from "../../lib/protocol.js";
import { parseBeaconUrl } from "./beaconArguments.js";
import { timestampedLog as log } from "./timestampedLog.js";
import { reportingUserErrors } from "./userErrors.js";

interface DashboardArguments {
  port: string;
  beaconUrl: string;
  host: string;
  allowRemote: boolean;
  pollMs: string;
}

export default async function dashboardAction(args: DashboardArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const port = parseCount(args.port, "--port", 0, 65_535);
    const pollMs = parseCount(args.pollMs, "--poll-ms", 100, 600_000);
    const beacon = new BeaconClient(parseBeaconUrl(args.beaconUrl, "--beacon-url"));
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const { chainId } = await ethers.provider.getNetwork();
    const dashboard = await startDashboard({
      protocol,
      provider: ethers.provider,
      beacon,
      networkName,
      governanceFromBlock: await governanceFromBlock(protocol.addresses, chainId),
      host: args.host.trim(),
      port,
      allowRemote: args.allowRemote,
      pollMs,
      log,
    });
    log(`Plural dashboard at ${dashboard.url} (network ${networkName}, Beacon API ${beacon.url}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await dashboard.close();
    log("stopped");
  });
}
