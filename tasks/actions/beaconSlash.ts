import { SimulatorClient } from "../../lib/beacon/client.js";
import { parseBeaconUrl, parseValidator } from "./beaconArguments.js";
import { reportingBeaconErrors } from "./beaconErrors.js";

interface BeaconSlashArguments {
  validator: string;
  url: string;
}

export default async function beaconSlashAction(args: BeaconSlashArguments) {
  await reportingBeaconErrors(async () => {
    const validator = parseValidator(args.validator);
    const client = new SimulatorClient(parseBeaconUrl(args.url));
    const { index, status } = await client.slash(validator);
    console.log(`validator ${index} slashed: now ${status}`);
  });
}
