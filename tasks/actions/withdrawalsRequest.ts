import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { requireAccount, resolveAddress, resolveSigner } from "../../lib/accounts.js";
import { formatPlEth, parseEthAmount } from "../../lib/amounts.js";
import { loadProtocol } from "../../lib/protocol.js";
import { formatRequestReceipt, requestWithdrawal } from "../../lib/withdrawals.js";
import { reportingUserErrors } from "./userErrors.js";

interface WithdrawalsRequestArguments {
  amount: string;
  owner: string;
  from: string;
  noPermit: boolean;
}

export default async function withdrawalsRequestAction(
  args: WithdrawalsRequestArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await reportingUserErrors(async () => {
    const all = args.amount.trim().toLowerCase() === "all";
    const amount = all ? 0n : parseEthAmount(args.amount, "amount", "plETH");
    const { ethers, networkName } = await hre.network.create();
    const signer = await resolveSigner(ethers, args.from, "--from");
    const owner = args.owner.trim() === "" ? signer.address : await resolveAddress(ethers, args.owner, "--owner");
    // The queue reads a zero owner as the sender: refused, since whoever typed it meant someone else.
    requireAccount(owner, "--owner", "expected an account (leave --owner out to own them yourself)");
    const protocol = await loadProtocol(ethers, networkName);
    const shares = all ? await protocol.pool.balanceOf(signer.address) : amount;
    const receipt = await requestWithdrawal(protocol, signer, shares, {
      owner,
      usePermit: !args.noPermit,
      onSubmitted: (txHash) =>
        console.log(
          `Requesting the withdrawal of ${formatPlEth(shares)} from ${signer.address} on ${networkName}: sent ${txHash}...`,
        ),
    });
    console.log(formatRequestReceipt(receipt));
  });
}
