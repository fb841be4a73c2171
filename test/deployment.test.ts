import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { deployedAddressesFile, deploymentId, deploymentPlan, readDeployment } from "../lib/deployment.js";
import { connectProtocol } from "../lib/protocol.js";
import { expectUserError } from "./helpers/protocol.js";

const { ethers } = await network.create();

/**
 * A record as `ignition deploy` writes it for the local module: every contract future, the implementations and the
 * PluralDeployer included, of which the protocol's addresses are the proxies, the timelock and the deposit mock.
 */
const LOCAL_RECORD = {
  "BeaconDepositMock#BeaconDepositMock": "0x0000000000000000000000000000000000000001",
  "PluralLocal#TimelockController": "0x0000000000000000000000000000000000000003",
  "PluralLocal#StakingPoolImplementation": "0x0000000000000000000000000000000000000011",
  "PluralLocal#OperatorRegistryImplementation": "0x0000000000000000000000000000000000000012",
  "PluralLocal#DepositGuardImplementation": "0x0000000000000000000000000000000000000013",
  "PluralLocal#WithdrawalVaultImplementation": "0x0000000000000000000000000000000000000014",
  "PluralLocal#ExecutionRewardsVaultImplementation": "0x0000000000000000000000000000000000000015",
  "PluralLocal#AccountingOracleImplementation": "0x0000000000000000000000000000000000000016",
  "PluralLocal#WithdrawalQueueImplementation": "0x0000000000000000000000000000000000000017",
  "PluralLocal#PluralDeployer": "0x0000000000000000000000000000000000000010",
  "PluralLocal#StakingPool": "0x0000000000000000000000000000000000000002",
  "PluralLocal#OperatorRegistry": "0x0000000000000000000000000000000000000004",
  "PluralLocal#DepositGuard": "0x0000000000000000000000000000000000000005",
  "PluralLocal#WithdrawalVault": "0x0000000000000000000000000000000000000006",
  "PluralLocal#ExecutionRewardsVault": "0x0000000000000000000000000000000000000007",
  "PluralLocal#AccountingOracle": "0x0000000000000000000000000000000000000008",
  "PluralLocal#WithdrawalQueue": "0x0000000000000000000000000000000000000009",
  "PluralLocal#EmergencyPause": "0x000000000000000000000000000000000000000a",
  "PluralLocal#OperationsTimelock": "0x000000000000000000000000000000000000000b",
  // A multisig proposes in the local parameters: no token, no Governor, recorded at the zero address.
  "PluralLocal#PluralToken": "0x0000000000000000000000000000000000000000",
  "PluralLocal#PluralGovernor": "0x0000000000000000000000000000000000000000",
};

describe("deployment records", function () {
  let root: string;
  beforeEach(function () {
    root = mkdtempSync(path.join(tmpdir(), "plural-deployments-"));
  });
  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  function writeRecord(id: string, record: Record<string, string>) {
    const file = deployedAddressesFile(id, root);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(record));
  }

  it("says how to deploy when the network has no deployment", function () {
    return expectUserError(
      () => readDeployment("localhost", "chain-31337", root),
      /no Plural deployment on network "localhost".*npx hardhat ignition deploy deploy\/modules\/PluralLocal\.ts --network localhost --parameters deploy\/parameters\/local\.json/,
    );
  });

  it("points public networks at the Plural module and their own parameter file", function () {
    const plan = deploymentPlan("sepolia");
    expect(path.basename(plan.moduleFile), "module").to.equal("Plural.ts");
    expect(path.basename(plan.parametersFile), "parameters").to.equal("sepolia.json");
  });

  it("refuses a record that holds no protocol module", function () {
    writeRecord("chain-1", { "Other#Thing": "0x0000000000000000000000000000000000000001" });
    return expectUserError(() => readDeployment("localhost", "chain-1", root), /holds no Plural deployment/);
  });

  it("reads the local module's addresses, with the deposit-contract mock", function () {
    writeRecord("chain-31337", LOCAL_RECORD);
    expect(readDeployment("localhost", "chain-31337", root)).to.deep.equal({
      module: "PluralLocal",
      pool: "0x0000000000000000000000000000000000000002",
      timelock: "0x0000000000000000000000000000000000000003",
      operatorRegistry: "0x0000000000000000000000000000000000000004",
      depositGuard: "0x0000000000000000000000000000000000000005",
      withdrawalVault: "0x0000000000000000000000000000000000000006",
      executionRewardsVault: "0x0000000000000000000000000000000000000007",
      accountingOracle: "0x0000000000000000000000000000000000000008",
      withdrawalQueue: "0x0000000000000000000000000000000000000009",
      emergencyPause: "0x000000000000000000000000000000000000000a",
      // The token and the Governor are recorded at the zero address (a multisig proposes): left out.
      operationsTimelock: "0x000000000000000000000000000000000000000b",
      depositContract: "0x0000000000000000000000000000000000000001",
    });
  });

  it("refuses a record of a deployment without the withdrawal queue", function () {
    const { "PluralLocal#WithdrawalQueue": _queue, ...withoutQueue } = LOCAL_RECORD;
    writeRecord("chain-31337", withoutQueue);
    return expectUserError(() => readDeployment("localhost", "chain-31337", root), /holds no Plural deployment/);
  });

  it("takes the block that created the proxies from Ignition's journal, so event scans start there", function () {
    writeRecord("chain-31337", LOCAL_RECORD);
    const journal = path.join(path.dirname(deployedAddressesFile("chain-31337", root)), "journal.jsonl");
    const confirm = (futureId: string, blockNumber: number) =>
      JSON.stringify({ futureId, receipt: { blockNumber, status: "SUCCESS" }, type: "TRANSACTION_CONFIRM" });
    writeFileSync(
      journal,
      [confirm("PluralLocal#TimelockController", 3), confirm("PluralLocal#PluralDeployer", 7)].join("\n"),
    );
    expect(readDeployment("localhost", "chain-31337", root).deployedAtBlock, "the deployer's block").to.equal(7);
    writeFileSync(journal, confirm("PluralLocal#TimelockController", 3));
    expect(readDeployment("localhost", "chain-31337", root), "no deployer in the journal").not.to.have.property(
      "deployedAtBlock",
    );
  });

  it("takes the deployment id from PLURAL_DEPLOYMENT_ID when set", function () {
    expect(deploymentId(31337n, {}), "default").to.equal("chain-31337");
    expect(deploymentId(31337n, { PLURAL_DEPLOYMENT_ID: "it-1" }), "override").to.equal("it-1");
  });

  it("says the chain was reset when the recorded contracts have no code", function () {
    return expectUserError(
      connectProtocol(ethers, {
        module: "PluralLocal",
        pool: "0x0000000000000000000000000000000000000002",
        timelock: "0x0000000000000000000000000000000000000003",
        operatorRegistry: "0x0000000000000000000000000000000000000004",
        depositGuard: "0x0000000000000000000000000000000000000005",
        withdrawalVault: "0x0000000000000000000000000000000000000006",
        executionRewardsVault: "0x0000000000000000000000000000000000000007",
        accountingOracle: "0x0000000000000000000000000000000000000008",
        withdrawalQueue: "0x0000000000000000000000000000000000000009",
        emergencyPause: "0x000000000000000000000000000000000000000a",
      }),
      /no contract there: the chain was reset/,
    );
  });
});
