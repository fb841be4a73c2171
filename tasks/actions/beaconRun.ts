import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../lib/accounts.js";
import { startBeaconApi } from "../../lib/beacon/api.js";
import { describeSimulatorEvent } from "../../lib/beacon/format.js";
import { BeaconSimulator, ChainRevertedError } from "../../lib/beacon/simulator.js";
import { deploymentId, type ProtocolAddresses, readDeployment } from "../../lib/deployment.js";
import { installWithdrawalRequestPredeploy, WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS } from "../../lib/eip7002.js";
import { UserInputError } from "../../lib/errors.js";
import { parseCount } from "../../lib/keys/generate.js";
import { parseGwei, parsePreset } from "./beaconArguments.js";
import { timestampedLog as log } from "./timestampedLog.js";
import { reportingUserErrors } from "./userErrors.js";

interface BeaconRunArguments {
  port: string;
  preset: string;
  rewardRateBps: string;
  elRewardGwei: string;
  feeRecipient: string;
  depositContract: string;
  historyEpochs: string;
  genesisTime: string;
}

/** The simulator follows the chain this often. */
const POLL_MS = 1_000;

/** The Plural deployment recorded for `networkName`, or undefined (and why) when there is none. */
function recordedDeployment(networkName: string, chainId: bigint): { addresses?: ProtocolAddresses; why?: string } {
  try {
    return { addresses: readDeployment(networkName, deploymentId(chainId)) };
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    return { why: error.message };
  }
}

/** The deposit contract of the Plural deployment, or a UserInputError saying to pass one. */
function recordedDepositContract(networkName: string, deployment: ReturnType<typeof recordedDeployment>): string {
  if (deployment.addresses === undefined) {
    throw new UserInputError(`--deposit-contract is required without a Plural deployment: ${deployment.why}`);
  }
  const recorded = deployment.addresses.depositContract;
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
    const givenGenesisTime =
      args.genesisTime.trim() === "" ? undefined : BigInt(parseCount(args.genesisTime, "--genesis-time", 0, 2 ** 40));

    const { ethers, networkName, provider } = await hre.network.create();
    const { chainId } = await ethers.provider.getNetwork();
    const deployment = recordedDeployment(networkName, chainId);
    const depositContract =
      args.depositContract.trim() === ""
        ? recordedDepositContract(networkName, deployment)
        : parseAddress(args.depositContract, "--deposit-contract");
    // Beside a Plural deployment the simulator runs on its oracle's clock and pays its execution-rewards vault.
    const plural =
      deployment.addresses !== undefined &&
      (await ethers.provider.getCode(deployment.addresses.accountingOracle)) !== "0x"
        ? deployment.addresses
        : undefined;
    const genesisTime =
      givenGenesisTime ??
      (plural === undefined
        ? undefined
        : (await (await ethers.getContractAt("AccountingOracle", plural.accountingOracle)).getFrameConfig())[0]
            .genesisTime);
    const feeRecipient =
      args.feeRecipient.trim() === ""
        ? plural?.executionRewardsVault
        : parseAddress(args.feeRecipient, "--fee-recipient");
    if (networkName !== "localhost") {
      log(`note: --network ${networkName}; beside \`npx hardhat node --hostname 127.0.0.1\` use --network localhost`);
    }

    // A local chain lacks EIP-7002's request contract: install ours, so the vault can force exits and the simulator
    // can run the system call that hands the requests to the beacon chain.
    if (await installWithdrawalRequestPredeploy(provider)) {
      log(`installed the EIP-7002 withdrawal request contract at ${WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS}`);
    }
    const simulator = await BeaconSimulator.create(provider, {
      depositContract,
      preset,
      rewardRateBps,
      elRewardPerBlockGwei,
      ...(feeRecipient === undefined ? {} : { feeRecipient }),
      historyEpochs,
      ...(genesisTime === undefined ? {} : { genesisTime }),
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
