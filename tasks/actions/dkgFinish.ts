import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { finishDkg, formatComplaint } from "../../lib/keys/dkgFiles.js";
import { MAX_MEMBERS } from "../../lib/keys/threshold.js";
import { checkOutDir, parseMemberList, requiredNumber } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface DkgFinishArguments {
  member: string;
  files: string[];
  inDir: string;
  outDir: string;
  exclude: string;
}

export default async function dkgFinishAction(args: DkgFinishArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const member = requiredNumber(args.member, "--member", 1, MAX_MEMBERS);
    checkOutDir(args.outDir);
    const outcome = await finishDkg({
      member,
      files: args.files,
      inDir: args.inDir,
      outDir: args.outDir,
      excludedDealers: parseMemberList(args.exclude, "--exclude"),
    });
    if (!outcome.ok) {
      console.error(`Member ${member} complains about ${outcome.complaints.length} deal(s):`);
      for (const complaint of outcome.complaints) console.error(`  ${formatComplaint(complaint)}`);
      throw new UserInputError(
        `member ${member} has complaints, so no share file was written: publish them to the cluster, agree on the ` +
          `dealers to exclude, and every member reruns dkg finish with --exclude <dealers>`,
      );
    }
    const { group } = outcome;
    console.log(`Wrote ${outcome.shareFile} (secret: member ${member}'s shares; keep it, never send it)`);
    console.log(
      `${outcome.wroteGroupFile ? "Wrote" : "Checked"} ${outcome.groupFile}: ${group.threshold}-of-${group.members}, ` +
        `dealers ${group.qualifiedDealers?.join(", ")}; group public key(s):`,
    );
    group.validators.forEach((validator, i) => console.log(`  ${i}: ${validator.groupPublicKey}`));
    console.log("The keys are ready when every member's group-key.json is byte-identical to this one.");
  });
}
