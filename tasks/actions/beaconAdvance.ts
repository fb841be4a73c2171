import { SimulatorClient } from "../../lib/beacon/client.js";
import { describeSyncSummary } from "../../lib/beacon/format.js";
import { parseBeaconUrl, requiredCount } from "./beaconArguments.js";
import { reportingBeaconErrors } from "./beaconErrors.js";

interface BeaconAdvanceArguments {
  epochs: string;
  url: string;
}

export default async function beaconAdvanceAction(args: BeaconAdvanceArguments) {
  await reportingBeaconErrors(async () => {
    const epochs = requiredCount(args.epochs, "--epochs", 1, 1_000_000);
    const client = new SimulatorClient(parseBeaconUrl(args.url));
    console.log(`advanced ${epochs} epochs: ${describeSyncSummary(await client.advance(epochs))}`);
  });
}
