import { SimulatorClient } from "../../lib/beacon/client.js";
import { formatBeaconOverview, readBeaconOverview } from "../../lib/beacon/format.js";
import { parseBeaconUrl } from "./beaconArguments.js";
import { reportingBeaconErrors } from "./beaconErrors.js";

interface BeaconStatusArguments {
  url: string;
}

export default async function beaconStatusAction(args: BeaconStatusArguments) {
  await reportingBeaconErrors(async () => {
    const client = new SimulatorClient(parseBeaconUrl(args.url));
    console.log(formatBeaconOverview(await readBeaconOverview(client)));
  });
}
