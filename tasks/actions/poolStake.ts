import { readFileSync } from "node:fs";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { formatEth } from "../../lib/amounts.js";
import { UserInputError } from "../../lib/errors.js";
import { loadProtocol } from "../../lib/protocol.js";
import { parseAttestation, planStake, stake } from "../../lib/staking.js";
import { renderGrid } from "../../lib/table.js";
import { reportingUserErrors } from "./userErrors.js";

interface PoolStakeArguments {
  attestation: string;
  max: string;
  from: string;
}

export default async function poolStakeAction(args: PoolStakeArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (!/^\d+$/.test(args.max.trim()) || Number(args.max) < 1) {
      throw new UserInputError(`--max "${args.max}": expected a whole number of validators, at least 1`);
    }
    if (args.attestation.trim() === "") {
      throw new UserInputError(`--attestation is required: the file "guardian attest" wrote`);
    }
    let text: string;
    try {
      text = readFileSync(args.attestation, "utf8");
    } catch (error) {
      throw new UserInputError(`cannot read --attestation ${args.attestation}: ${(error as Error).message}`);
    }
    const attestation = parseAttestation(text, args.attestation);
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const signer = await resolveSigner(ethers, args.from, "--from");
    const plan = await planStake(protocol, Number(args.max));
    const receipt = await stake(protocol, signer, plan, attestation);
    console.log(
      renderGrid(
        `Staked ${receipt.validators} validators (${formatEth(BigInt(receipt.validators) * 32n * 10n ** 18n)})`,
        ["operator", "validators"],
        plan.allocation.flatMap((count, id) => (count === 0n ? [] : [[String(id), count.toString()]])),
      ),
    );
    console.log(
      `tx ${receipt.txHash}: ${receipt.gasUsed} gas, ${receipt.gasUsed / BigInt(receipt.validators)} a validator`,
    );
  });
}
