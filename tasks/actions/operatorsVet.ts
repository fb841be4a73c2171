import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { checkVettedKeys, parseOperatorId } from "../../lib/operators.js";
import { runRegistryRequest } from "./governanceRequest.js";
import { reportingUserErrors } from "./userErrors.js";

interface OperatorsVetArguments {
  operator: string;
  keys: string;
  from: string;
  skipDelay: boolean;
}

export default async function operatorsVetAction(args: OperatorsVetArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    if (!/^\d+$/.test(args.keys.trim())) {
      throw new UserInputError(`--keys "${args.keys}" is not a key count: expected a whole number (the first N keys)`);
    }
    const vettedKeys = BigInt(args.keys.trim());
    await runRegistryRequest(hre, args, async ({ operatorRegistry }) => {
      const operatorId = await parseOperatorId(operatorRegistry, args.operator);
      await checkVettedKeys(operatorRegistry, operatorId, vettedKeys);
      return { kind: "vet", operatorId, vettedKeys };
    });
  });
}
