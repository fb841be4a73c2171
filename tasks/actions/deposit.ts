import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress, resolveSigner } from "../../lib/accounts.js";
import { formatEth, formatPlEth, parseEthAmount } from "../../lib/amounts.js";
import { deposit } from "../../lib/pool.js";
import { loadProtocol } from "../../lib/protocol.js";
import { reportingUserErrors } from "./userErrors.js";

interface DepositArguments {
  amount: string;
  referral: string;
  from: string;
}

export default async function depositAction(args: DepositArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  await reportingUserErrors(async () => {
    // Validate everything typed before touching the network.
    const amount = parseEthAmount(args.amount, "amount");
    const referral = parseAddress(args.referral, "--referral");
    const { ethers, networkName } = await hre.network.create();
    const depositor = await resolveSigner(ethers, args.from, "--from");
    const { pool } = await loadProtocol(ethers, networkName);

    const receipt = await deposit(pool, depositor, amount, referral, (txHash) =>
      console.log(`Depositing ${formatEth(amount)} from ${depositor.address} on ${networkName}: sent ${txHash}...`),
    );
    console.log(
      `Deposited ${formatEth(receipt.amount)}, received ${formatPlEth(receipt.shares)} ` +
        `(tx ${receipt.txHash}, block ${receipt.blockNumber}, ${receipt.gasUsed} gas)`,
    );
  });
}
