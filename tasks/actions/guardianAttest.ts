import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { resolveSigner } from "../../lib/accounts.js";
import { UserInputError } from "../../lib/errors.js";
import { loadProtocol } from "../../lib/protocol.js";
import {
  connectedBeaconNetwork,
  guardianCheck,
  mergeAttestations,
  parseAttestation,
  signAttestation,
} from "../../lib/staking.js";
import { reportingUserErrors } from "./userErrors.js";

interface GuardianAttestArguments {
  guardian: string;
  block: string;
  out: string;
}

export default async function guardianAttestAction(args: GuardianAttestArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (args.block.trim() !== "" && !/^\d+$/.test(args.block.trim())) {
      throw new UserInputError(`--block "${args.block}" is not a block number: expected a whole number`);
    }
    // The file is written after signing: a path that cannot be one is refused first.
    if (existsSync(args.out) && statSync(args.out).isDirectory()) {
      throw new UserInputError(`--out ${args.out} is a folder: expected the attestation file's path`);
    }
    if (!existsSync(path.dirname(path.resolve(args.out)))) {
      throw new UserInputError(`--out ${args.out}: its folder does not exist`);
    }
    const guardianInputs = args.guardian.split(",").map((value) => value.trim());
    const { ethers, networkName } = await hre.network.create();
    const guardians = await Promise.all(guardianInputs.map((value) => resolveSigner(ethers, value, "--guardian")));
    const protocol = await loadProtocol(ethers, networkName);
    for (const guardian of guardians) {
      if (!(await protocol.depositGuard.isGuardian(guardian.address))) {
        throw new UserInputError(`${guardian.address} is not a guardian of ${protocol.addresses.depositGuard}`);
      }
    }
    const network = await connectedBeaconNetwork(ethers.provider);
    const report = await guardianCheck(protocol, network, args.block.trim() === "" ? undefined : Number(args.block));
    console.log(
      `Checked ${report.checkedKeys} vetted, undeposited keys at block ${report.blockNumber} (deposit root ` +
        `${report.depositRoot}, registry nonce ${report.registryNonce}) for ${network.name}`,
    );
    if (report.problems.length > 0) {
      for (const problem of report.problems) console.error(`  ${problem}`);
      throw new UserInputError(
        `not attesting: ${report.problems.length} problem(s); a guardian quorum should unvet operator(s) ` +
          `${report.operatorsAtFault.join(", ")} (DepositGuard.unvetKeys)`,
      );
    }
    const signed = [];
    for (const guardian of guardians) signed.push(await signAttestation(protocol, guardian, report));
    const existing = existsSync(args.out) ? [parseAttestation(readFileSync(args.out, "utf8"), args.out)] : [];
    const merged = mergeAttestations([...existing, ...signed]);
    writeFileSync(args.out, `${JSON.stringify(merged, null, 2)}\n`);
    const quorum = await protocol.depositGuard.quorum();
    console.log(
      `Signed by ${guardians.map((g) => g.address).join(", ")}; ${args.out} holds ${merged.signatures.length} of the ` +
        `${quorum} signatures needed${BigInt(merged.signatures.length) >= quorum ? ": ready for pool stake" : ""}`,
    );
  });
}
