import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../lib/accounts.js";
import { startBeaconApi } from "../../lib/beacon/api.js";
import { describeSimulatorEvent } from "../../lib/beacon/format.js";
import { BeaconSimulator, ChainRevertedError } from "../../lib/beacon/simulator.js";
import { deploymentId, readDeployment } from "../../lib/deployment.js";
import { UserInputError } from "../../lib/errors.js";
import { parseCount } from "../../lib/keys/generate.js";
import { parseGwei, parsePreset } from "./beaconArguments.js";
import { reportingUserErrors } from "./userErrors.js";

interface BeaconRunArguments {
  port: string;
  preset: string;
  rewardRateBps: string;
  elRewardGwei: string;
  feeRecipient: string;
  depositContract: string;
  historyEpochs: string;
}

/** The simulator follows the chain this often. */
const POLL_MS = 1_000;

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

/** The deposit contract of the Plural deployment on `networkName`, or a UserInputError saying to pass one. */
function recordedDepositContract(networkName: string, chainId: bigint): string {
  let recorded: string | undefined;
  try {
    recorded = readDeployment(networkName, deploymentId(chainId)).depositContract;
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    throw new UserInputError(`--deposit-contract is required without a Plural deployment: ${error.message}`);
  }
  if (recorded === undefined) {
    throw new UserInputError(
      `--deposit-contract is required: the Plural deployment on "${networkName}" records no deposit contract`,
    );
  }
  return recorded;
}

export default async function beaconRunAction(args: BeaconRunArguments, hre: HardhatRuntimeEnvironment) {
  await reportingUserErrors(async () => {
    const port = parseCount(args.port, "--port", 0, 65_535);
    const preset = parsePreset(args.preset);
    const rewardRateBps = parseCount(args.rewardRateBps, "--reward-rate-bps", 0, 1_000_000);
    const elRewardPerBlockGwei = parseGwei(args.elRewardGwei, "--el-reward-gwei");
    const historyEpochs = parseCount(args.historyEpochs, "--history-epochs", 3, 100_000);
    const feeRecipient =
      args.feeRecipient.trim() === "" ? undefined : parseAddress(args.feeRecipient, "--fee-recipient");

    const { ethers, networkName, provider } = await hre.network.create();
    const { chainId } = await ethers.provider.getNetwork();
    const depositContract =
      args.depositContract.trim() === ""
        ? recordedDepositContract(networkName, chainId)
        : parseAddress(args.depositContract, "--deposit-contract");
    if (networkName !== "localhost") {
      log(`note: --network ${networkName}; beside \`npx hardhat node --hostname 127.0.0.1\` use --network localhost`);
    }

    const simulator = await BeaconSimulator.create(provider, {
      depositContract,
      preset,
      rewardRateBps,
      elRewardPerBlockGwei,
      ...(feeRecipient === undefined ? {} : { feeRecipient }),
      historyEpochs,
      onEvent: (event) => log(describeSimulatorEvent(event)),
    });
    const api = await startBeaconApi(simulator, {
      port,
      onError: (error, request) =>
        log(`error answering ${request.method} ${request.url}: ${error instanceof Error ? error.message : error}`),
    });
    log(
      `Beacon API at ${api.url} (${preset} preset, chain ${chainId}, deposit contract ${depositContract}, ` +
        `genesis ${new Date(Number(simulator.genesisTime) * 1000).toISOString()}); Ctrl-C to stop`,
    );

    let stopped = false;
    let wake: () => void = () => {};
    const stop = () => {
      stopped = true;
      wake();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    let lastError = "";
    try {
      while (!stopped) {
        try {
          await simulator.sync();
          lastError = "";
        } catch (error) {
          if (error instanceof ChainRevertedError) throw new UserInputError(error.message);
          // The node may be restarting: say so once, not every second.
          const message = error instanceof Error ? error.message : String(error);
          if (message !== lastError) log(`sync failed, retrying every ${POLL_MS / 1000} s: ${message}`);
          lastError = message;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      await api.close();
      log("stopped");
    }
  });
}
