import { UserInputError } from "../../lib/errors.js";

/**
 * Runs a task body so that a `UserInputError` prints as one line on stderr with a non-zero exit code, while any other
 * error keeps Hardhat's full report.
 */
export async function reportingUserErrors(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    console.error(`Error: ${error.message}`);
    process.exitCode = 1;
  }
}
