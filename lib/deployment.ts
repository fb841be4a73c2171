import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { UserInputError } from "./errors.js";

/** The project root (where deploy/ lives), whatever the current directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Ignition module ids that deploy the protocol: `Plural` on public networks, `PluralLocal` on local chains. */
export const PROTOCOL_MODULES = ["PluralLocal", "Plural"] as const;
export type ProtocolModuleId = (typeof PROTOCOL_MODULES)[number];

/** Addresses of a deployed protocol. */
export interface ProtocolAddresses {
  module: ProtocolModuleId;
  pool: string;
  timelock: string;
  operatorRegistry: string;
  depositGuard: string;
  withdrawalVault: string;
  executionRewardsVault: string;
  accountingOracle: string;
  withdrawalQueue: string;
  emergencyPause: string;
  /** The operations timelock, when the deployment has one. */
  operationsTimelock?: string;
  /** The PLURAL token and the Governor, under token governance (absent when a multisig proposes). */
  token?: string;
  governor?: string;
  /** Known from the record only where the module deployed it (`BeaconDepositMock` on local chains). */
  depositContract?: string;
  /** The block that created the protocol's proxies, from Ignition's journal: event scans start there. */
  deployedAtBlock?: number;
}

/** Networks that share the local parameters: the in-process chain and `hardhat node` on 127.0.0.1. */
const LOCAL_NETWORKS = new Set(["default", "hardhat", "localhost"]);

/** Whether `networkName` is a local chain, deployed with `PluralLocal` and the deposit-contract mock. */
export function isLocalNetwork(networkName: string): boolean {
  return LOCAL_NETWORKS.has(networkName);
}

/** The Ignition module a network deploys with and the parameter file it reads. */
export function deploymentPlan(networkName: string): { moduleFile: string; parametersFile: string } {
  if (isLocalNetwork(networkName)) {
    return {
      moduleFile: path.join(PROJECT_ROOT, "deploy", "modules", "PluralLocal.ts"),
      parametersFile: path.join(PROJECT_ROOT, "deploy", "parameters", "local.json"),
    };
  }
  return {
    moduleFile: path.join(PROJECT_ROOT, "deploy", "modules", "Plural.ts"),
    parametersFile: path.join(PROJECT_ROOT, "deploy", "parameters", `${networkName}.json`),
  };
}

/** Ignition's default deployment id for a chain, overridden by the `PLURAL_DEPLOYMENT_ID` environment variable. */
export function deploymentId(chainId: bigint, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PLURAL_DEPLOYMENT_ID?.trim();
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : `chain-${chainId}`;
}

/** The folder where Ignition keeps a deployment's record: its journal, its addresses, its build info. */
export function deploymentDirectory(id: string, root = PROJECT_ROOT): string {
  return path.join(root, "deploy", "deployments", id);
}

/** Where Ignition keeps the addresses of a deployment. */
export function deployedAddressesFile(id: string, root = PROJECT_ROOT): string {
  return path.join(deploymentDirectory(id, root), "deployed_addresses.json");
}

/** The addresses a deployment recorded so far, by future id (`Plural#StakingPool`), or undefined without a record. */
export function readDeployedAddresses(id: string, root = PROJECT_ROOT): Record<string, string> | undefined {
  const file = deployedAddressesFile(id, root);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
}

/** One line of Ignition's journal: what happened to which future (`type` such as "TRANSACTION_SEND"). */
export interface JournalEntry {
  type: string;
  futureId?: string;
  [field: string]: unknown;
}

/**
 * A deployment's journal (deploy/deployments/<id>/journal.jsonl), in order; empty when there is none yet. A last line
 * still being written (read while Ignition runs) is left out.
 */
export function readJournal(id: string, root = PROJECT_ROOT): JournalEntry[] {
  const file = path.join(deploymentDirectory(id, root), "journal.jsonl");
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      if (index < lines.length - 1) throw error;
    }
  });
  return entries;
}

/**
 * Reads a protocol's addresses from Ignition's deployment record. Throws a `UserInputError` that says how to deploy
 * when there is no record, or when the record holds no protocol module.
 */
export function readDeployment(networkName: string, id: string, root = PROJECT_ROOT): ProtocolAddresses {
  const file = deployedAddressesFile(id, root);
  const plan = deploymentPlan(networkName);
  const howToDeploy =
    `deploy first: npx hardhat ignition deploy ${path.relative(PROJECT_ROOT, plan.moduleFile)} ` +
    `--network ${networkName} --parameters ${path.relative(PROJECT_ROOT, plan.parametersFile)}`;
  if (!existsSync(file)) {
    throw new UserInputError(
      `no Plural deployment on network "${networkName}": expected ${path.relative(root, file)}; ${howToDeploy}`,
    );
  }
  const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  for (const module of PROTOCOL_MODULES) {
    const pool = record[`${module}#StakingPool`];
    const timelock = record[`${module}#TimelockController`];
    const operatorRegistry = record[`${module}#OperatorRegistry`];
    const depositGuard = record[`${module}#DepositGuard`];
    const withdrawalVault = record[`${module}#WithdrawalVault`];
    const executionRewardsVault = record[`${module}#ExecutionRewardsVault`];
    const accountingOracle = record[`${module}#AccountingOracle`];
    const withdrawalQueue = record[`${module}#WithdrawalQueue`];
    const emergencyPause = record[`${module}#EmergencyPause`];
    if (
      pool !== undefined &&
      timelock !== undefined &&
      operatorRegistry !== undefined &&
      depositGuard !== undefined &&
      withdrawalVault !== undefined &&
      executionRewardsVault !== undefined &&
      accountingOracle !== undefined &&
      withdrawalQueue !== undefined &&
      emergencyPause !== undefined
    ) {
      const depositContract = record["BeaconDepositMock#BeaconDepositMock"];
      const deployedAtBlock = journalBlockOf(
        path.join(path.dirname(file), "journal.jsonl"),
        `${module}#PluralDeployer`,
      );
      return {
        ...(deployedAtBlock === undefined ? {} : { deployedAtBlock }),
        module,
        pool,
        timelock,
        operatorRegistry,
        depositGuard,
        withdrawalVault,
        executionRewardsVault,
        accountingOracle,
        withdrawalQueue,
        emergencyPause,
        ...optionalAddress("operationsTimelock", record[`${module}#OperationsTimelock`]),
        ...optionalAddress("token", record[`${module}#PluralToken`]),
        ...optionalAddress("governor", record[`${module}#PluralGovernor`]),
        ...(depositContract === undefined ? {} : { depositContract }),
      };
    }
  }
  throw new UserInputError(`${path.relative(root, file)} holds no Plural deployment; ${howToDeploy}`);
}

/** `{ [key]: address }` when the record holds a nonzero address for it (Ignition records a zero address for a contract
 * the deployment chose not to create), else `{}`. */
export function optionalAddress<K extends string>(key: K, address: string | undefined): Partial<Record<K, string>> {
  return address === undefined || /^0x0{40}$/.test(address) ? {} : ({ [key]: address } as Record<K, string>);
}

/** The block in which Ignition's journal saw the transaction of `futureId` confirmed, if the journal has it. */
export function journalBlockOf(journalFile: string, futureId: string): number | undefined {
  if (!existsSync(journalFile)) return undefined;
  for (const line of readFileSync(journalFile, "utf8").split("\n")) {
    if (!line.includes(futureId) || !line.includes('"TRANSACTION_CONFIRM"')) continue;
    const entry = JSON.parse(line) as { futureId?: string; type?: string; receipt?: { blockNumber?: unknown } };
    if (entry.futureId === futureId && entry.type === "TRANSACTION_CONFIRM") {
      const block = entry.receipt?.blockNumber;
      if (typeof block === "number" && Number.isInteger(block) && block >= 0) return block;
    }
  }
  return undefined;
}
