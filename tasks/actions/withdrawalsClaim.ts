import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { requireAccount, resolveAddress, resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { loadProtocol } from "../../lib/protocol.js";
import { claimWithdrawals, formatClaimReceipt, listWithdrawalRequests } from "../../lib/withdrawals.js";
import { reportingUserErrors } from "./userErrors.js";

interface WithdrawalsClaimArguments {
  ids: string[];
  all: boolean;
  receiver: string;
  from: string;
}

/** Request ids from the command line: whole numbers from 1. */
export function parseRequestIds(inputs: readonly string[]): bigint[] {
  return inputs.map((input) => {
    const text = input.trim();
    if (!/^\d+$/.test(text) || BigInt(text) === 0n) {
      throw new UserInputError(`request id "${input}" is not valid: expected a whole number from 1, e.g. 3`);
    }
    return BigInt(text);
  });
}

export default async function withdrawalsClaimAction(
  args: WithdrawalsClaimArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await reportingUserErrors(async () => {
    if (args.all && args.ids.length > 0) throw new UserInputError("name request ids or use --all, not both");
    if (!args.all && args.ids.length === 0) throw new UserInputError("name the request ids to claim, or use --all");
    const named = parseRequestIds(args.ids);
    const { ethers, networkName } = await hre.network.create();
    const signer = await resolveSigner(ethers, args.from, "--from");
    const receiver =
      args.receiver.trim() === "" ? signer.address : await resolveAddress(ethers, args.receiver, "--receiver");
    requireAccount(receiver, "--receiver");
    const protocol = await loadProtocol(ethers, networkName);
    let ids = named;
    if (args.all) {
      const requests = await listWithdrawalRequests(protocol, signer.address);
      ids = requests.filter((request) => request.status === "finalized").map((request) => request.id);
      if (ids.length === 0) {
        const pending = requests.filter((request) => request.status === "pending").length;
        throw new UserInputError(
          `${signer.address} has no finalized request to claim` +
            (pending > 0 ? ` (${pending} pending: see withdrawals status for the expected wait)` : ""),
        );
      }
    }
    const receipt = await claimWithdrawals(protocol, signer, ids, receiver, (txHash) =>
      console.log(`Claiming ${ids.length} request(s) for ${signer.address} on ${networkName}: sent ${txHash}...`),
    );
    console.log(formatClaimReceipt(receipt));
  });
}
