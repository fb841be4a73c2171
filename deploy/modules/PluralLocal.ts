import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { buildProtocol } from "../protocol.js";
import BeaconDepositMockModule from "./BeaconDepositMock.js";

/** The protocol on a local chain, with `BeaconDepositMock` in place of the beacon deposit contract. */
export default buildModule("PluralLocal", (m) => {
  const { beaconDeposit } = m.useModule(BeaconDepositMockModule);
  return { ...buildProtocol(m, beaconDeposit), beaconDeposit };
});
