import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { PROJECT_ROOT } from "../../lib/deployment.js";
import { expectedChainId, preflight, type PreflightReport } from "../../lib/deployPreflight.js";
import { UserInputError } from "../../lib/errors.js";

/** The module whose deployments are checked first: the protocol on a network with a real deposit contract. */
export const PLURAL_MODULE_FILE = path.join(PROJECT_ROOT, "deploy", "modules", "Plural.ts");

const LOCAL_CHAIN_ID = 31_337n;

/** deploy/parameters/<network>.json, from the project root. */
export function defaultParametersFile(networkName: string): string {
  return path.join(PROJECT_ROOT, "deploy", "parameters", `${networkName}.json`);
}

/** The one Ignition command that deploys, and resumes, the deployment a check passed. */
export function ignitionCommand(options: {
  networkName: string;
  parametersFile: string;
  deploymentId: string;
  chainId: bigint;
}): string {
  const parts = [
    "npx hardhat ignition deploy deploy/modules/Plural.ts",
    `--network ${options.networkName}`,
    `--parameters ${path.relative(process.cwd(), path.resolve(options.parametersFile))}`,
  ];
  if (options.deploymentId !== `chain-${options.chainId}`) parts.push(`--deployment-id ${options.deploymentId}`);
  // Explorers do not verify contracts of a local chain.
  if (options.chainId !== LOCAL_CHAIN_ID) parts.push("--verify");
  return parts.join(" ");
}

/**
 * Runs every check of lib/deployPreflight.ts on the network Hardhat was started with, prints the notes, and throws a
 * `UserInputError` listing every problem, so that nothing is sent while one remains.
 *
 * @param options.etherscanKey What a missing ETHERSCAN_API_KEY is on a public network: a problem (`ignition deploy
 * --verify` needs it), a note (`deploy check` cannot know whether --verify will be used) or not looked at.
 */
export async function checkBeforeDeploying(
  hre: HardhatRuntimeEnvironment,
  options: {
    parametersFile?: string;
    deploymentId: (chainId: bigint) => string;
    defaultSender?: string;
    etherscanKey: "problem" | "note" | "skip";
    ignoreRecord?: boolean;
  },
): Promise<{ report: PreflightReport; networkName: string; deploymentId: string; parametersFile: string }> {
  const connection = await hre.network.create();
  const { ethers, networkName } = connection;
  const parametersFile = path.resolve(options.parametersFile ?? defaultParametersFile(networkName));
  const deployer = async () => {
    if (options.defaultSender !== undefined) return options.defaultSender;
    const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
    const first = accounts[0];
    if (first === undefined) {
      throw new UserInputError(`network "${networkName}" has no account to deploy from: configure its deployer key`);
    }
    return first;
  };
  const expected = expectedChainId(networkName, hre.config.networks[networkName]?.chainId);
  const report = await preflight({
    provider: ethers.provider,
    deployer,
    parametersFile,
    networkName,
    ...optionalChainId(expected),
    deploymentId: options.deploymentId,
    ...(options.ignoreRecord === true ? { ignoreRecord: true } : {}),
  });
  const deploymentId = options.deploymentId(report.facts.chainId);

  const etherscan = hre.config.verify.etherscan;
  if (options.etherscanKey !== "skip" && etherscan.enabled && (expected ?? report.facts.chainId) !== LOCAL_CHAIN_ID) {
    try {
      if ((await etherscan.apiKey.get()).trim() === "") throw new Error("empty");
    } catch {
      const text =
        "ETHERSCAN_API_KEY: not set, and --verify needs it for Etherscan: npx hardhat keystore set " +
        "ETHERSCAN_API_KEY (or the environment variable)";
      if (options.etherscanKey === "problem") report.problems.push(text);
      else report.notes.push(text);
    }
  }

  for (const note of report.notes) console.warn(`Note: ${note}`);
  if (report.problems.length > 0) {
    const count = report.problems.length;
    throw new UserInputError(
      `${path.relative(process.cwd(), parametersFile)} on network "${networkName}": ${count} ` +
        `problem${count === 1 ? "" : "s"}, nothing was sent:\n${report.problems.map((line) => `  - ${line}`).join("\n")}`,
    );
  }
  return { report, networkName, deploymentId, parametersFile };
}

function optionalChainId(chainId: bigint | undefined): { expectedChainId?: bigint } {
  return chainId === undefined ? {} : { expectedChainId: chainId };
}
