import { UserInputError } from "../../lib/errors.js";
import { parseCount } from "../../lib/keys/generate.js";
import type { PresetName } from "../../lib/beacon/simulator.js";

/** `--url`: an http(s) base URL such as http://127.0.0.1:5052, without its trailing slash. */
export function parseBeaconUrl(value: string, option = "--url"): string {
  const text = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UserInputError(
      `${option} "${value}" is not a URL: expected http://host:port, e.g. http://127.0.0.1:5052`,
    );
  }
  return text.replace(/\/+$/, "");
}

/** `--preset`: mainnet or minimal. */
export function parsePreset(value: string, option = "--preset"): PresetName {
  const text = value.trim().toLowerCase();
  if (text !== "mainnet" && text !== "minimal") {
    throw new UserInputError(`${option} "${value}": expected mainnet or minimal`);
  }
  return text;
}

/** A non-negative whole number of gwei, as a bigint. */
export function parseGwei(value: string, option: string): bigint {
  const text = value.trim();
  if (!/^\d{1,20}$/.test(text) || BigInt(text) >= 2n ** 64n) {
    throw new UserInputError(`${option} "${value}" is not a whole number of gwei (0 or more, below 2**64)`);
  }
  return BigInt(text);
}

/** A required whole number such as `--epochs`, naming the option when it is missing or out of range. */
export function requiredCount(value: string, option: string, min: number, max: number): number {
  if (value.trim() === "")
    throw new UserInputError(`${option} is required: expected a whole number from ${min} to ${max}`);
  return parseCount(value, option, min, max);
}

/** A validator: its index, or its 0x-prefixed 48-byte public key (lower-cased). */
export function parseValidator(value: string, argument = "validator"): number | string {
  const text = value.trim();
  if (/^0x[0-9a-fA-F]{96}$/.test(text)) return text.toLowerCase();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  throw new UserInputError(
    `${argument} "${value}": expected a validator index such as 12 or a 0x-prefixed 48-byte public key (96 hex digits)`,
  );
}
