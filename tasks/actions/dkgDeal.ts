import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { MAX_SESSION_VALIDATORS } from "../../lib/keys/clusterFiles.js";
import { writeDeal } from "../../lib/keys/dkgFiles.js";
import { checkOutDir, parseCluster, requiredNumber } from "./dkgArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface DkgDealArguments {
  member: string;
  threshold: string;
  members: string;
  validators: string;
  outDir: string;
}

export default async function dkgDealAction(args: DkgDealArguments, _hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const { threshold, members } = parseCluster(args);
    const member = requiredNumber(args.member, "--member", 1, members);
    const validators = requiredNumber(args.validators, "--validators", 1, MAX_SESSION_VALIDATORS);
    checkOutDir(args.outDir);
    const dealt = await writeDeal({ member, threshold, members, validators, outDir: args.outDir });
    console.log(
      `Member ${member} dealt ${validators} validator key(s), ${threshold}-of-${members}, into ${args.outDir}:`,
    );
    dealt.dealFiles.forEach((file, i) => {
      const to = i + 1 === member ? "keep (your own deal)" : `send to member ${i + 1} only`;
      console.log(`  ${path.basename(file)}: secret, ${to}`);
    });
    console.log(`  ${path.basename(dealt.commitmentsFile)}: public, send to every member`);
    console.log("Delete each deal file once delivered: threshold of them reveal this member's part of the keys.");
  });
}
