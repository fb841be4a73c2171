import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The local stand-in for the beacon deposit contract. Never deployed to a public network. */
export default buildModule("BeaconDepositMock", (m) => {
  const beaconDeposit = m.contract("BeaconDepositMock");
  return { beaconDeposit };
});
