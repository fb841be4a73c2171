/**
 * Loaded by mocha before the tests (hardhat.config.ts, `test.mocha.require`): every fast-check property runs from the
 * profile's fixed seed (test/helpers/profile.ts), and those that do not set their own run count take the profile's.
 * A failure prints its seed and path; `PLURAL_FUZZ_SEED=<seed>` replays the whole suite from it.
 */
import fc from "fast-check";

import { resolveTestProfile } from "./profile.js";

const profile = resolveTestProfile();
fc.configureGlobal({ seed: Number(BigInt(profile.seed) % 2n ** 31n), numRuns: profile.propertyRuns });
