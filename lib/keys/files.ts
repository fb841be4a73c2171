import { readFileSync } from "node:fs";

import { parseAddress } from "../accounts.js";
import { UserInputError } from "../errors.js";
import { beaconNetwork } from "../networks.js";
import {
  type DepositDataEntry,
  executionWithdrawalCredentials,
  formatDepositProblems,
  parseDepositDataFile,
  verifyDepositData,
} from "./depositData.js";

/** The outcome of checking one deposit-data file. */
export interface DepositFileCheck {
  file: string;
  network: string;
  entries: DepositDataEntry[];
  /** One line per deposit with problems; empty when every deposit is valid. */
  problems: string[];
}

/**
 * Reads and fully verifies a `deposit_data-*.json` file for a beacon network: format, BLS signatures under the
 * network's fork version, roots, 32 ETH, duplicates, and (when `withdrawalAddress` is given) 0x01 credentials to that
 * address. Throws a `UserInputError` only when the file cannot be read or parsed; problems with single deposits are
 * returned, every one of them.
 */
export function checkDepositFile(options: {
  file: string;
  chain: string;
  withdrawalAddress?: string;
}): DepositFileCheck {
  const network = beaconNetwork(options.chain, "--chain");
  const entries = readDepositFile(options.file);
  const address =
    options.withdrawalAddress === undefined || options.withdrawalAddress === ""
      ? undefined
      : parseAddress(options.withdrawalAddress, "--withdrawal-address");
  const reports = verifyDepositData(entries, {
    network,
    ...(address === undefined ? {} : { withdrawalCredentials: executionWithdrawalCredentials(address) }),
  });
  return { file: options.file, network: network.name, entries, problems: formatDepositProblems(reports) };
}

/**
 * Reads and parses a `deposit_data-*.json` file.
 *
 * @throws UserInputError when it cannot be read or is not deposit data.
 */
export function readDepositFile(file: string): DepositDataEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read deposit data file ${file}: ${(error as Error).message}`);
  }
  return parseDepositDataFile(text, file);
}
