import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { taskDefinitions } from "./tasks/index.js";

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

/** A positive run count from the environment variable `name`, or `fallback` when it is unset. */
function runsFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error(`${name}="${value}": expected a whole number of runs from 1`);
  return Number(value);
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: taskDefinitions,
  solidity: {
    profiles: { default: compiler, production: compiler },
    npmFilesToBuild: [
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
      "@openzeppelin/contracts/governance/TimelockController.sol",
    ],
  },
  paths: { ignition: "deploy" },
  typechain: { outDir: "typechain-types" },
  test: {
    // The coverage gate (scripts/coverage-check.ts) lowers the runs through these variables; `npm test` runs them all.
    solidity: {
      fuzz: { runs: runsFromEnv("PLURAL_FUZZ_RUNS", 256) },
      invariant: { runs: runsFromEnv("PLURAL_INVARIANT_RUNS", 64), depth: 32 },
    },
    mocha: { timeout: 120_000 },
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
