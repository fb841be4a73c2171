import type { NetworkConnection } from "hardhat/types/network";

import PluralLocalModule from "../deploy/modules/PluralLocal.js";
import { deploymentPlan, optionalAddress, type ProtocolAddresses } from "./deployment.js";

/**
 * Deploys the protocol on a local chain with the same Ignition module (`PluralLocal`) and parameter file
 * (deploy/parameters/local.json) a `hardhat ignition deploy` uses, and returns its addresses.
 */
export async function deployLocalProtocol(
  connection: NetworkConnection,
  options: { parametersFile?: string; deploymentId?: string } = {},
): Promise<ProtocolAddresses> {
  const parameters = options.parametersFile ?? deploymentPlan("hardhat").parametersFile;
  const deployed = await connection.ignition.deploy(PluralLocalModule, {
    parameters,
    displayUi: false,
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
  });
  return {
    module: "PluralLocal",
    pool: await deployed.pool.getAddress(),
    timelock: await deployed.timelock.getAddress(),
    operatorRegistry: await deployed.operatorRegistry.getAddress(),
    depositGuard: await deployed.depositGuard.getAddress(),
    withdrawalVault: await deployed.withdrawalVault.getAddress(),
    executionRewardsVault: await deployed.executionRewardsVault.getAddress(),
    accountingOracle: await deployed.accountingOracle.getAddress(),
    withdrawalQueue: await deployed.withdrawalQueue.getAddress(),
    emergencyPause: await deployed.emergencyPause.getAddress(),
    ...optionalAddress("operationsTimelock", await deployed.operationsTimelock.getAddress()),
    ...optionalAddress("token", await deployed.token.getAddress()),
    ...optionalAddress("governor", await deployed.governor.getAddress()),
    depositContract: await deployed.beaconDeposit.getAddress(),
  };
}
