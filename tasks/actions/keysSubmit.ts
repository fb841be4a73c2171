import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { readDepositFile } from "../../lib/keys/files.js";
import { parseOperatorId } from "../../lib/operators.js";
import { createProgress } from "../../lib/progress.js";
import { loadProtocol } from "../../lib/protocol.js";
import { connectedBeaconNetwork, submitKeys } from "../../lib/staking.js";
import { reportingUserErrors } from "./userErrors.js";

interface KeysSubmitArguments {
  file: string;
  operator: string;
  from: string;
  batchSize: string;
}

export default async function keysSubmitAction(args: KeysSubmitArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (!/^\d+$/.test(args.batchSize.trim())) {
      throw new UserInputError(`--batch-size "${args.batchSize}": expected a whole number from 1 to 1000`);
    }
    const entries = readDepositFile(args.file);
    const { ethers, networkName } = await hre.network.create();
    const protocol = await loadProtocol(ethers, networkName);
    const operatorId = await parseOperatorId(protocol.operatorRegistry, args.operator);
    const manager = await resolveSigner(ethers, args.from, "--from");
    const network = await connectedBeaconNetwork(ethers.provider);
    const progress = createProgress(entries.length, "keys submitted");
    let reported = 0;
    const receipt = await submitKeys(protocol, manager, operatorId, entries, {
      network,
      batchSize: Number(args.batchSize),
      onBatch: (done) => {
        progress.tick(done - reported);
        reported = done;
      },
    });
    progress.finish();
    for (const batch of receipt.batches) {
      console.log(
        `  keys ${batch.firstIndex}..${batch.firstIndex + batch.count - 1}: tx ${batch.txHash}, ${batch.gasUsed} gas ` +
          `(${batch.gasUsed / BigInt(batch.count)} a key)`,
      );
    }
    console.log(
      `Submitted ${receipt.keys} keys for operator ${operatorId} on ${networkName}; governance vets them with ` +
        `"operators vet --operator ${operatorId} --keys <count>"`,
    );
  });
}
