/**
 * The main job: deploys Plural to an in-process Hardhat chain with the Ignition module a deployment uses, deposits
 * from three accounts through the deposit task's code path (lib/pool.ts) and prints the protocol's status.
 *
 *   npm run demo
 */
import { network } from "hardhat";

import { resolveSigner } from "../lib/accounts.js";
import { formatEth, formatPlEth, parseEthAmount } from "../lib/amounts.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { deposit } from "../lib/pool.js";
import { connectProtocol } from "../lib/protocol.js";
import { formatPoolStatus, getPoolStatus } from "../lib/status.js";
import { renderTable } from "../lib/table.js";

const DEPOSITS = [
  { account: "2", amount: "1.5" },
  { account: "3", amount: "32" },
  { account: "4", amount: "0.25" },
] as const;

const connection = await network.create();
const { ethers } = connection;

console.log("[1/3] Deploying Plural (deploy/modules/PluralLocal.ts with deploy/parameters/local.json)...");
const addresses = await deployLocalProtocol(connection);
const protocol = await connectProtocol(ethers, addresses);
console.log(
  renderTable("Deployed contracts", [
    ["StakingPool (plETH)", protocol.addresses.pool],
    ["TimelockController (every admin role)", protocol.addresses.timelock],
    ["BeaconDepositMock", protocol.addresses.depositContract],
  ]),
);

console.log(`[2/3] Depositing from ${DEPOSITS.length} accounts...`);
const holders: string[] = [];
for (const [index, planned] of DEPOSITS.entries()) {
  const depositor = await resolveSigner(ethers, planned.account);
  const receipt = await deposit(protocol.pool, depositor, parseEthAmount(planned.amount));
  holders.push(depositor.address);
  console.log(
    `  (${index + 1}/${DEPOSITS.length}) ${depositor.address} deposited ${formatEth(receipt.amount)} ` +
      `and received ${formatPlEth(receipt.shares)} (${receipt.gasUsed} gas)`,
  );
}

console.log("[3/3] Protocol status");
console.log(formatPoolStatus(await getPoolStatus(protocol.pool, ethers.provider), "the in-process Hardhat chain"));
const rows = await Promise.all(
  holders.map(async (holder) => {
    const shares = await protocol.pool.balanceOf(holder);
    return [holder, `${formatPlEth(shares)} = ${formatEth(await protocol.pool.convertToAssets(shares))}`] as const;
  }),
);
console.log(renderTable("Holders", rows));
