import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type {
  AccountingOracle,
  DepositGuard,
  EmergencyPause,
  ExecutionRewardsVault,
  IDepositContract,
  OperatorRegistry,
  PluralGovernor,
  PluralTimelock,
  PluralToken,
  StakingPool,
  WithdrawalQueue,
  WithdrawalVault,
} from "../typechain-types/index.js";
import { deploymentId, type ProtocolAddresses, readDeployment } from "./deployment.js";
import { UserInputError } from "./errors.js";

/** Typed handles on a deployed protocol. */
export interface Protocol {
  addresses: ProtocolAddresses & { depositContract: string; deployedAtBlock: number };
  pool: StakingPool;
  /** The governance timelock: every admin role, every upgrade. */
  timelock: PluralTimelock;
  /** The operations timelock (adds operators, vets keys), when the deployment has one. */
  operationsTimelock?: PluralTimelock;
  /** Token governance, when the Governor proposes to the timelock (absent when a multisig does). */
  governor?: PluralGovernor;
  token?: PluralToken;
  emergencyPause: EmergencyPause;
  depositContract: IDepositContract;
  operatorRegistry: OperatorRegistry;
  depositGuard: DepositGuard;
  withdrawalVault: WithdrawalVault;
  executionRewardsVault: ExecutionRewardsVault;
  accountingOracle: AccountingOracle;
  withdrawalQueue: WithdrawalQueue;
}

/** Attaches typed contracts to known addresses, checking that each one holds code. */
export async function connectProtocol(ethers: HardhatEthers, addresses: ProtocolAddresses): Promise<Protocol> {
  for (const [name, address] of [
    ["StakingPool", addresses.pool],
    ["TimelockController", addresses.timelock],
    ["OperatorRegistry", addresses.operatorRegistry],
    ["DepositGuard", addresses.depositGuard],
    ["WithdrawalVault", addresses.withdrawalVault],
    ["ExecutionRewardsVault", addresses.executionRewardsVault],
    ["AccountingOracle", addresses.accountingOracle],
    ["WithdrawalQueue", addresses.withdrawalQueue],
    ["EmergencyPause", addresses.emergencyPause],
  ] as const) {
    if ((await ethers.provider.getCode(address)) === "0x") {
      throw new UserInputError(
        `the deployment record names ${address} as ${name} but there is no contract there: the chain was reset ` +
          `since the deployment; deploy again (with --reset to replace the old record)`,
      );
    }
  }
  const pool = await ethers.getContractAt("StakingPool", addresses.pool);
  const timelock = await ethers.getContractAt("PluralTimelock", addresses.timelock);
  const depositContractAddress = addresses.depositContract ?? (await pool.depositContract());
  const depositContract = await ethers.getContractAt("IDepositContract", depositContractAddress);
  return {
    addresses: {
      ...addresses,
      depositContract: depositContractAddress,
      deployedAtBlock: addresses.deployedAtBlock ?? 0,
    },
    pool,
    timelock,
    depositContract,
    operatorRegistry: await ethers.getContractAt("OperatorRegistry", addresses.operatorRegistry),
    depositGuard: await ethers.getContractAt("DepositGuard", addresses.depositGuard),
    withdrawalVault: await ethers.getContractAt("WithdrawalVault", addresses.withdrawalVault),
    executionRewardsVault: await ethers.getContractAt("ExecutionRewardsVault", addresses.executionRewardsVault),
    accountingOracle: await ethers.getContractAt("AccountingOracle", addresses.accountingOracle),
    withdrawalQueue: await ethers.getContractAt("WithdrawalQueue", addresses.withdrawalQueue),
    emergencyPause: await ethers.getContractAt("EmergencyPause", addresses.emergencyPause),
    ...(addresses.operationsTimelock === undefined
      ? {}
      : { operationsTimelock: await ethers.getContractAt("PluralTimelock", addresses.operationsTimelock) }),
    ...(addresses.governor === undefined
      ? {}
      : { governor: await ethers.getContractAt("PluralGovernor", addresses.governor) }),
    ...(addresses.token === undefined ? {} : { token: await ethers.getContractAt("PluralToken", addresses.token) }),
  };
}

/** Loads the protocol deployed on the connected chain from Ignition's deployment record. */
export async function loadProtocol(ethers: HardhatEthers, networkName: string): Promise<Protocol> {
  const { chainId } = await ethers.provider.getNetwork();
  return connectProtocol(ethers, readDeployment(networkName, deploymentId(chainId)));
}
