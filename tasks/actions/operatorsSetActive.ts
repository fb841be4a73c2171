import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../lib/errors.js";
import { parseOperatorId } from "../../lib/operators.js";
import { runRegistryRequest } from "./governanceRequest.js";
import { reportingUserErrors } from "./userErrors.js";

interface OperatorsSetActiveArguments {
  operator: string;
  from: string;
  skipDelay: boolean;
}

function action(active: boolean) {
  return async (args: OperatorsSetActiveArguments, hre: HardhatRuntimeEnvironment) => {
    await reportingUserErrors(async () => {
      await runRegistryRequest(hre, args, async ({ operatorRegistry }) => {
        const operatorId = await parseOperatorId(operatorRegistry, args.operator, "operator");
        if ((await operatorRegistry.getOperator(operatorId)).active === active) {
          throw new UserInputError(`operator ${operatorId} is already ${active ? "active" : "inactive"}`);
        }
        return { kind: "setActive", operatorId, active };
      });
    });
  };
}

export const activate = action(true);
export const deactivate = action(false);
