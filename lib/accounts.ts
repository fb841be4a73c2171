import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { getAddress, ZeroAddress } from "ethers";

import { UserInputError } from "./errors.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * A checksummed address from user input; empty input gives `fallback`. Rejects malformed addresses and mixed-case
 * addresses whose checksum is wrong (a typo), naming `option`.
 */
export function parseAddress(input: string, option: string, fallback: string = ZeroAddress): string {
  const text = input.trim();
  if (text === "") return fallback;
  if (!ADDRESS.test(text)) {
    throw new UserInputError(`${option} "${input}" is not an address: expected 0x followed by 40 hex digits`);
  }
  try {
    return getAddress(text);
  } catch {
    throw new UserInputError(`${option} "${input}" has a wrong checksum: check it for typos, or type it in lower case`);
  }
}

/**
 * Refuses the zero address where an account is meant (a manager, a receiver, an owner, a delegate): contracts would
 * take it and leave the role, the ether or the votes with nobody. `hint` ends the message.
 */
export function requireAccount(address: string, option: string, hint = "expected an account"): void {
  if (address === ZeroAddress) throw new UserInputError(`${option} is the zero address: ${hint}`);
}

/**
 * The signer for `from`: empty for the network's first account, an account index ("2"), or an address the network
 * holds a key for. Names `option` in every error.
 */
export async function resolveSigner(
  ethers: HardhatEthers,
  from: string,
  option = "--from",
): Promise<HardhatEthersSigner> {
  const signers = await ethers.getSigners();
  if (signers.length === 0) {
    throw new UserInputError(`this network has no accounts to send from: configure "accounts" for it`);
  }
  const text = from.trim();
  if (text === "") return signers[0]!;
  if (/^\d+$/.test(text)) {
    const signer = signers[Number(text)];
    if (signer === undefined) {
      throw new UserInputError(
        `${option} ${text}: this network has ${signers.length} accounts, expected an index from 0 to ${signers.length - 1}`,
      );
    }
    return signer;
  }
  const address = parseAddress(text, option);
  const signer = signers.find((candidate) => candidate.address === address);
  if (signer === undefined) {
    throw new UserInputError(`${option} ${address}: this network holds no key for that address`);
  }
  return signer;
}

/** An address from user input: an account index ("8") names one of the network's accounts, else an address. */
export async function resolveAddress(ethers: HardhatEthers, input: string, option: string): Promise<string> {
  return /^\d+$/.test(input.trim())
    ? (await resolveSigner(ethers, input, option)).address
    : parseAddress(input, option, "");
}
