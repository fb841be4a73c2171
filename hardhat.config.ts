import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { taskDefinitions } from "./tasks/index.js";
import { INVARIANT_DEPTH, mochaWorkers, resolveTestProfile } from "./test/helpers/profile.js";

const require = createRequire(import.meta.url);

// Pinned together: the EVM the contracts are compiled for, the EVM the local chain runs and the gas the benchmarks see.
const HARDFORK = "prague";

// The compiler comes from the `solc` npm package (the official WebAssembly build): no compiler can be downloaded here.
const compiler = {
  version: "0.8.30",
  path: require.resolve("solc/soljson.js"),
  settings: {
    evmVersion: HARDFORK,
    // 1,000 runs, not more: the pool (token, deposits, staking and report accounting in one contract) must stay under
    // the 24,576-byte limit of EIP-170.
    optimizer: { enabled: true, runs: 1_000 },
    outputSelection: { "*": { "*": ["storageLayout"] } },
  },
};

// `hardhat node` and the tasks of a second terminal agree on this port; tests pick a free one.
const localPort = process.env.PLURAL_LOCALHOST_PORT ?? "8545";

const testProfile = resolveTestProfile();

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: taskDefinitions,
  solidity: {
    // `coverage`: the coverage gate's instrumented build (scripts/coverage-check.ts), without the optimizer, which
    // takes the WebAssembly compiler minutes per build; coverage counts lines reached, not gas.
    profiles: {
      default: compiler,
      production: compiler,
      coverage: { ...compiler, settings: { ...compiler.settings, optimizer: { enabled: false } } },
    },
    npmFilesToBuild: [
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
      "@openzeppelin/contracts/governance/TimelockController.sol",
    ],
  },
  paths: { ignition: "deploy" },
  typechain: { outDir: "typechain-types" },
  test: {
    // Runs and seed from the profile (test/helpers/profile.ts: `fast` on a workstation, `ci` when CI=true); the
    // coverage gate (scripts/coverage-check.ts) lowers the runs through PLURAL_FUZZ_RUNS and PLURAL_INVARIANT_RUNS.
    solidity: {
      fuzz: { runs: testProfile.fuzzRuns, seed: testProfile.seed },
      invariant: { runs: testProfile.invariantRuns, depth: INVARIANT_DEPTH },
    },
    mocha: {
      timeout: 120_000,
      require: [path.join(import.meta.dirname, "test", "helpers", "fastCheck.ts")],
      ...mochaWorkers(process.env.PLURAL_MOCHA_JOBS),
    },
  },
  // `ignition deploy --verify` and `ignition verify` submit every contract the deployment created to Etherscan (one key
  // for all its chains), Blockscout and Sourcify; the key is read only when verifying, from the keystore or the
  // environment.
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
  networks: {
    default: { type: "edr-simulated", chainType: "l1", hardfork: HARDFORK },
    localhost: { type: "http", chainType: "l1", url: `http://127.0.0.1:${localPort}` },
    sepolia: {
      type: "http",
      chainType: "l1",
      chainId: 11155111,
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_DEPLOYER_KEY")],
    },
    hoodi: {
      type: "http",
      chainType: "l1",
      chainId: 560048,
      url: configVariable("HOODI_RPC_URL"),
      accounts: [configVariable("HOODI_DEPLOYER_KEY")],
    },
  },
});
