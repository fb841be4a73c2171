import { readFileSync, statSync } from "node:fs";

import { UserInputError } from "../../lib/errors.js";
import { parseCount } from "../../lib/keys/generate.js";
import { MAX_MEMBERS } from "../../lib/keys/threshold.js";

/** A required whole-number option such as `--member`, naming it when it is missing or out of range. */
export function requiredNumber(value: string, option: string, min: number, max: number): number {
  if (value.trim() === "")
    throw new UserInputError(`${option} is required: expected a whole number from ${min} to ${max}`);
  return parseCount(value, option, min, max);
}

/** `--threshold` and `--members`: 2 <= threshold <= members <= 255. */
export function parseCluster(args: { threshold: string; members: string }): { threshold: number; members: number } {
  const members = requiredNumber(args.members, "--members", 2, MAX_MEMBERS);
  const threshold = requiredNumber(args.threshold, "--threshold", 2, members);
  return { threshold, members };
}

/** `--exclude 2,4`: member numbers; empty for none. */
export function parseMemberList(value: string, option: string): number[] {
  const text = value.trim();
  if (text === "") return [];
  if (!/^\d+(?:\s*,\s*\d+)*$/u.test(text)) {
    throw new UserInputError(`${option} "${value}": expected member numbers separated by commas, e.g. 2,4`);
  }
  return text.split(",").map((item) => parseCount(item, option, 1, MAX_MEMBERS));
}

/** A secret from a file (trailing newline dropped) or else an environment variable; never from the command line. */
export function readSecretOption(file: string, option: string, variable: string): string | undefined {
  if (file !== "") {
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/u, "");
    } catch (error) {
      throw new UserInputError(`${option} ${file}: cannot read it (${(error as Error).message})`);
    }
  }
  const value = process.env[variable];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * `--out-dir`: a folder, created when missing. An existing file of that name is refused before anything is derived
 * or written (mkdir would fail only after the work, with a system error).
 */
export function checkOutDir(value: string, option = "--out-dir"): void {
  if (value.trim() === "") return;
  let isFolder: boolean;
  try {
    isFolder = statSync(value).isDirectory();
  } catch {
    return;
  }
  if (!isFolder) throw new UserInputError(`${option} ${value} is a file: expected a folder (created when missing)`);
}
