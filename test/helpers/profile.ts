/**
 * Test profiles, shared by hardhat.config.ts (Solidity fuzz and invariant campaigns) and test/helpers/fastCheck.ts
 * (fast-check properties). `fast`, the default on a workstation, keeps `npm test` quick; `ci`, the default when
 * CI=true (as in `.ci/run`), runs each Solidity fuzz test 256 times and each invariant 64 times (sequences of 32
 * calls): over 25,000 runs in all (89 fuzz tests, 46 invariants), counts `.ci/run` prints. Twice the fast profile's,
 * and no more, because CI's 15 minutes are shared with a clean optimized build by the WebAssembly compiler (5 minutes
 * of one core), the coverage run's own build and the mocha suite: `PLURAL_INVARIANT_RUNS` runs longer campaigns on
 * demand. Every campaign uses one fixed seed, so a failure found in CI replays on a workstation with
 * `PLURAL_TEST_PROFILE=ci`.
 *
 * Overrides: PLURAL_TEST_PROFILE (fast | ci), PLURAL_FUZZ_RUNS, PLURAL_INVARIANT_RUNS, PLURAL_FUZZ_SEED.
 */

export interface TestProfile {
  name: "fast" | "ci";
  /** Runs of each Solidity `testFuzz_`. */
  fuzzRuns: number;
  /** Call sequences (of `INVARIANT_DEPTH` calls) per Solidity `invariant_`. */
  invariantRuns: number;
  /** Runs of a fast-check property that does not set its own. */
  propertyRuns: number;
  /** The seed of every campaign, Solidity and fast-check. */
  seed: string;
}

export const TEST_PROFILES = {
  fast: { fuzzRuns: 128, invariantRuns: 32, propertyRuns: 50 },
  ci: { fuzzRuns: 256, invariantRuns: 64, propertyRuns: 100 },
} as const;

export const INVARIANT_DEPTH = 32;

/** "plural" in hex. */
export const DEFAULT_SEED = "0x706c7572616c";

/** A positive run count from the environment variable `name`, or `fallback` when it is unset. */
function runsFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error(`${name}="${value}": expected a whole number of runs from 1`);
  return Number(value);
}

/** The profile the environment asks for; a wrong variable is named with what was expected. */
export function resolveTestProfile(env: NodeJS.ProcessEnv = process.env): TestProfile {
  const name = env.PLURAL_TEST_PROFILE || (env.CI === "true" ? "ci" : "fast");
  if (name !== "fast" && name !== "ci") {
    throw new Error(`PLURAL_TEST_PROFILE="${name}": expected ${Object.keys(TEST_PROFILES).join(" or ")}`);
  }
  const seed = env.PLURAL_FUZZ_SEED || DEFAULT_SEED;
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(seed)) {
    throw new Error(`PLURAL_FUZZ_SEED="${seed}": expected a hex number of up to 32 bytes, like ${DEFAULT_SEED}`);
  }
  const base = TEST_PROFILES[name];
  return {
    name,
    fuzzRuns: runsFromEnv(env, "PLURAL_FUZZ_RUNS", base.fuzzRuns),
    invariantRuns: runsFromEnv(env, "PLURAL_INVARIANT_RUNS", base.invariantRuns),
    propertyRuns: base.propertyRuns,
    seed,
  };
}

/**
 * Mocha's worker processes: PLURAL_MOCHA_JOBS test files run at once, each in its own process (default 2, the cores of
 * the machines this runs on; 1 runs every file in the one process). Most mocha tests wait on a `hardhat node` or a
 * child `hardhat` process, so two workers keep both cores busy where one leaves them half idle.
 */
export function mochaWorkers(value: string | undefined): { parallel?: boolean; jobs?: number } {
  if (value === undefined || value === "") return { parallel: true, jobs: 2 };
  if (!/^[1-9]\d?$/.test(value))
    throw new Error(`PLURAL_MOCHA_JOBS="${value}": expected a whole number of workers from 1`);
  const jobs = Number(value);
  return jobs === 1 ? {} : { parallel: true, jobs };
}
