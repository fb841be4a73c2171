import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BeaconClient } from "../../lib/beacon/client.js";
import { formatExitStatus, readExitStatus } from "../../lib/exitRequests.js";
import { parseOperatorId } from "../../lib/operators.js";
import { loadProtocol } from "../../lib/protocol.js";
import { parseBeaconUrl } from "./beaconArguments.js";
import { reportingBeaconErrors } from "./beaconErrors.js";

interface OperatorsExitsArguments {
  operator: string;
  beaconUrl: string;
}

export default async function operatorsExitsAction(args: OperatorsExitsArguments, hre: HardhatRuntimeEnvironment) {
  await reportingBeaconErrors(async () => {
    const beaconUrl = args.beaconUrl.trim() === "" ? undefined : parseBeaconUrl(args.beaconUrl, "--beacon-url");
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const operatorId =
      args.operator.trim() === "" ? undefined : await parseOperatorId(protocol.operatorRegistry, args.operator);
    const status = await readExitStatus(
      protocol,
      beaconUrl === undefined ? {} : { beacon: new BeaconClient(beaconUrl) },
    );
    console.log(formatExitStatus(status, networkName, operatorId));
  });
}
