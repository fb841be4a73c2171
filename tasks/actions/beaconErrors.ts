import { BeaconApiError, BeaconConnectionError, BeaconResponseError } from "../../lib/beacon/client.js";
import { UserInputError } from "../../lib/errors.js";
import { reportingUserErrors } from "./userErrors.js";

/**
 * Runs a task body that talks to a Beacon API: a node that is not there, refuses the request or answers nonsense is
 * reported in one line (with the URL and the HTTP status), like a user error, not as a stack trace.
 */
export async function reportingBeaconErrors(body: () => Promise<void>): Promise<void> {
  await reportingUserErrors(async () => {
    try {
      await body();
    } catch (error) {
      if (error instanceof BeaconConnectionError) {
        throw new UserInputError(`${error.message} (is \`npx hardhat beacon run --network localhost\` running?)`);
      }
      if (error instanceof BeaconApiError || error instanceof BeaconResponseError) {
        throw new UserInputError(error.message);
      }
      throw error;
    }
  });
}
