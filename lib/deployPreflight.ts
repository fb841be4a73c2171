import path from "node:path";

import { getAddress, getBytes, Interface, type Provider, ZeroAddress } from "ethers";

import { formatBps, formatDuration, formatEth } from "./amounts.js";
import { readBlock } from "./blocks.js";
import { deploymentDirectory, PROJECT_ROOT, readDeployedAddresses } from "./deployment.js";
import {
  checkParameters,
  type PluralParameters,
  publicNetworkFacts,
  readModuleParameters,
  SEPOLIA_TOKEN_GATED_NOTE,
} from "./deployParameters.js";
import { BEACON_NETWORKS } from "./networks.js";
import { type Row, renderTable } from "./table.js";
import { isoTime } from "./time.js";

/**
 * The check before a deployment of the `Plural` module sends anything: the parameter file (lib/deployParameters.ts)
 * and the chain it is about to go to (chain id, deposit contract, clock, the deployer's balance, an earlier record
 * of the same deployment). `readChainFacts` reads the chain; everything else is pure.
 */

/**
 * Gas of a whole deployment of the `Plural` module (ten contract creations; about 38.6 million measured), with a
 * margin: test/deploy.testnet.test.ts measures it on a local node and keeps this above it.
 */
export const DEPLOYMENT_GAS_ESTIMATE = 50_000_000n;

const DEPOSIT_CONTRACT = new Interface([
  "function get_deposit_count() view returns (bytes)",
  "function get_deposit_root() view returns (bytes32)",
]);

/** What the chain says, read once before deciding anything. */
export interface ChainFacts {
  chainId: bigint;
  blockNumber: number;
  /** The latest block's time, unix seconds. */
  timestamp: bigint;
  /** Ignition's sender (the network's first account) and what it holds; absent when the chain id is wrong. */
  deployer?: { address: string; balance: bigint; nonce: number };
  /** Wei per gas a transaction pays now (EIP-1559 max fee, else the legacy gas price), when the node says. */
  gasPrice?: bigint;
  /** The deposit contract the parameters name: whether it has code and, if it answers like one, its deposit count. */
  depositContract?: { address: string; hasCode: boolean; depositCount?: bigint };
  /** Recorded addresses of the deployment with no code on this chain (a record of another chain or a reset node). */
  recordedWithoutCode: { futureId: string; address: string }[];
}

/**
 * Reads what the checks need. Reads nothing but the chain id when it differs from `expectedChainId`: Hardhat refuses
 * any other request to a network whose configured chain id does not match.
 */
export async function readChainFacts(
  provider: Provider,
  options: {
    expectedChainId?: bigint;
    deployer: () => Promise<string>;
    depositContract?: string;
    recorded?: Readonly<Record<string, string>>;
  },
): Promise<ChainFacts> {
  const { chainId } = await provider.getNetwork();
  if (options.expectedChainId !== undefined && chainId !== options.expectedChainId) {
    return { chainId, blockNumber: 0, timestamp: 0n, recordedWithoutCode: [] };
  }
  const block = await readBlock(provider);
  const address = getAddress(await options.deployer());
  const [balance, nonce, fees] = await Promise.all([
    provider.getBalance(address),
    provider.getTransactionCount(address, "latest"),
    provider.getFeeData(),
  ]);
  const facts: ChainFacts = {
    chainId,
    blockNumber: block.number,
    timestamp: BigInt(block.timestamp),
    deployer: { address, balance, nonce },
    recordedWithoutCode: [],
  };
  const gasPrice = fees.maxFeePerGas ?? fees.gasPrice;
  if (gasPrice !== null) facts.gasPrice = gasPrice;
  if (options.depositContract !== undefined) {
    facts.depositContract = await readDepositContract(provider, options.depositContract);
  }
  // A hardhat node forgets everything when restarted and Ignition then starts over by itself: only a record on a
  // chain that persists must match it.
  if (chainId !== 31_337n) {
    for (const [futureId, recorded] of Object.entries(options.recorded ?? {})) {
      if (recorded === ZeroAddress) continue;
      if ((await provider.getCode(recorded)) === "0x") facts.recordedWithoutCode.push({ futureId, address: recorded });
    }
  }
  return facts;
}

async function readDepositContract(provider: Provider, address: string): Promise<ChainFacts["depositContract"]> {
  const hasCode = (await provider.getCode(address)) !== "0x";
  if (!hasCode) return { address, hasCode };
  try {
    const data = await provider.call({ to: address, data: DEPOSIT_CONTRACT.encodeFunctionData("get_deposit_count") });
    const [count] = DEPOSIT_CONTRACT.decodeFunctionResult("get_deposit_count", data) as unknown as [string];
    const bytes = getBytes(count);
    await provider.call({ to: address, data: DEPOSIT_CONTRACT.encodeFunctionData("get_deposit_root") });
    if (bytes.length !== 8) return { address, hasCode };
    // Eight bytes, little-endian, as the official contract returns it.
    const depositCount = bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
    return { address, hasCode, depositCount };
  } catch {
    return { address, hasCode };
  }
}

/** Where a check stands: blocking problems, and notes a deployer should read. */
export interface Findings {
  problems: string[];
  notes: string[];
}

/** The chain id a network must answer: the one Hardhat's config gives it, else the beacon network of that name. */
export function expectedChainId(networkName: string, configuredChainId: number | undefined): bigint | undefined {
  if (configuredChainId !== undefined) return BigInt(configuredChainId);
  const network = Object.values(BEACON_NETWORKS).find((candidate) => candidate.name === networkName);
  return network?.depositContract === undefined ? undefined : network.chainId;
}

/** Judges the chain against the parameters. `parameters` is undefined when the file has problems of its own. */
export function checkChain(
  parameters: PluralParameters | undefined,
  facts: ChainFacts,
  context: { networkName: string; expectedChainId?: bigint; deploymentId: string },
): Findings {
  const problems: string[] = [];
  const notes: string[] = [];
  // Said for the network meant, whatever its RPC answers.
  if ((context.expectedChainId ?? facts.chainId) === BEACON_NETWORKS.sepolia.chainId)
    notes.push(SEPOLIA_TOKEN_GATED_NOTE);
  if (context.expectedChainId !== undefined && facts.chainId !== context.expectedChainId) {
    problems.push(
      `chain id: the RPC of network "${context.networkName}" answers chain id ${facts.chainId}, not ` +
        `${context.expectedChainId}: check its URL`,
    );
    return { problems, notes };
  }
  if (publicNetworkFacts(facts.chainId) === undefined && facts.chainId !== 31_337n) {
    notes.push(
      `chain id ${facts.chainId} is not a network lib/networks.ts knows: the deposit contract and the genesis time ` +
        "are checked against the chain only, not against published values",
    );
  }
  for (const { futureId, address } of facts.recordedWithoutCode) {
    problems.push(
      `record: ${path.relative(PROJECT_ROOT, deploymentDirectory(context.deploymentId))} names ${futureId} at ` +
        `${address}, which has no code on this chain: a record of another chain? Use another --deployment-id`,
    );
  }
  if (parameters === undefined) return { problems, notes };

  const deposit = facts.depositContract;
  if (deposit !== undefined && !deposit.hasCode) {
    problems.push(`depositContract: no contract at ${deposit.address} on this chain`);
  } else if (deposit !== undefined && deposit.depositCount === undefined) {
    problems.push(
      `depositContract: ${deposit.address} does not answer get_deposit_count() and get_deposit_root() as a beacon ` +
        "deposit contract does",
    );
  }
  if (parameters.genesisTime > facts.timestamp) {
    problems.push(
      `genesisTime: ${parameters.genesisTime} (${isoTime(parameters.genesisTime)}) is after the latest block ` +
        `(${isoTime(facts.timestamp)}): the accounting oracle refuses a genesis in the future`,
    );
  } else if (
    publicNetworkFacts(facts.chainId) !== undefined &&
    (facts.timestamp - parameters.genesisTime) % parameters.secondsPerSlot !== 0n
  ) {
    // After the merge every block is a slot: its time is genesis plus a whole number of slots.
    problems.push(
      `genesisTime: the latest block's time ${facts.timestamp} is not genesisTime ${parameters.genesisTime} plus a ` +
        `whole number of ${parameters.secondsPerSlot}-second slots: not this chain's beacon clock`,
    );
  }
  const deployer = facts.deployer;
  if (deployer !== undefined) {
    if (deployer.balance < parameters.initialDeposit) {
      problems.push(
        `deployer: ${deployer.address} holds ${formatEth(deployer.balance)}, less than the initialDeposit ` +
          `${formatEth(parameters.initialDeposit)} the deployment sends`,
      );
    } else if (facts.gasPrice !== undefined) {
      const needed = parameters.initialDeposit + DEPLOYMENT_GAS_ESTIMATE * facts.gasPrice;
      if (deployer.balance < needed) {
        notes.push(
          `deployer: ${deployer.address} holds ${formatEth(deployer.balance, 6)}; the deployment may need about ` +
            `${formatEth(needed, 6)} at today's gas price. If it runs out halfway, fund it and run the same command ` +
            "again: it resumes",
        );
      }
    }
  }
  return { problems, notes };
}

/** An address shortened for the plan: 0x1234…abcd. */
function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

function list(addresses: readonly string[]): string {
  return addresses.map(short).join(", ");
}

/** Whole PLURAL (18 decimals) for the plan, thousands grouped. */
function plural(wei: bigint): string {
  return formatEth(wei).replace(/ ETH$/, " PLURAL");
}

/** The plan of a deployment that passed every check, as rows of `renderTable`. */
export function planRows(
  parameters: PluralParameters,
  facts: ChainFacts,
  context: { networkName: string; deploymentId: string; recorded?: Readonly<Record<string, string>> },
): Row[] {
  const known = publicNetworkFacts(facts.chainId);
  const p = parameters;
  const rows: Row[] = [];
  if (facts.deployer !== undefined) {
    rows.push(["deployer", `${facts.deployer.address} (${formatEth(facts.deployer.balance, 4)})`]);
  }
  const deposit = facts.depositContract;
  if (deposit !== undefined) {
    const whose = known === undefined ? "" : `${known.network.name}'s, `;
    rows.push(["deposit contract", `${deposit.address} (${whose}${deposit.depositCount ?? "?"} deposits)`]);
  }
  if (known !== undefined) {
    rows.push(["deposit data", `fork version ${known.network.genesisForkVersion} (${known.network.name})`]);
  }
  rows.push(["beacon genesis", `${p.genesisTime} (${isoTime(p.genesisTime)})`]);
  const frame = p.epochsPerFrame * p.slotsPerEpoch * p.secondsPerSlot;
  rows.push(["report frame", `${p.epochsPerFrame} epochs (${formatDuration(frame)})`]);

  rows.push(["Governance"]);
  if (p.timelockProposer === ZeroAddress) {
    const supply = p.tokenAmounts.reduce((sum, amount) => sum + amount, 0n);
    rows.push(["proposes", "the Governor (token governance)"]);
    rows.push(["PLURAL supply", `${plural(supply)} to ${p.tokenHolders.length} holders`]);
    p.tokenHolders.forEach((holder, index) => {
      const amount = p.tokenAmounts[index]!;
      rows.push([`  ${short(holder)}`, `${plural(amount)} (${formatBps((amount * 10_000n) / supply)})`]);
    });
    rows.push([
      "voting",
      `delay ${formatDuration(p.votingDelay)}, period ${formatDuration(p.votingPeriod)}, quorum ${p.quorumPercent} %`,
    ]);
    rows.push(["proposal threshold", plural(p.proposalThreshold)]);
  } else {
    rows.push(["proposes", `${p.timelockProposer} (a multisig; no token, no Governor)`]);
  }
  const executor = (address: string) => (address === ZeroAddress ? "anyone" : short(address));
  rows.push([
    "timelock",
    `delay ${formatDuration(p.timelockMinDelay)}, executor ${executor(p.timelockExecutor)}, admin itself`,
  ]);
  rows.push([
    "operations timelock",
    p.operationsProposer === ZeroAddress
      ? "none"
      : `delay ${formatDuration(p.operationsMinDelay)}, proposer ${short(p.operationsProposer)}, executor ` +
        executor(p.operationsExecutor),
  ]);
  rows.push([
    "pause guardian",
    `${p.pauseGuardian === ZeroAddress ? "none yet" : p.pauseGuardian}, pauses up to ${formatDuration(p.maxPauseDuration)}`,
  ]);

  rows.push(["Protocol"]);
  rows.push(["deposit guardians", `${p.guardianQuorum} of ${p.guardians.length}: ${list(p.guardians)}`]);
  rows.push(["oracle members", `${p.oracleQuorum} of ${p.oracleMembers.length}: ${list(p.oracleMembers)}`]);
  rows.push([
    "fees",
    `treasury ${formatBps(p.treasuryFeeBps)}, operators ${formatBps(p.operatorFeeBps)}, to ${short(p.treasury)}`,
  ]);
  rows.push([
    "stake limit",
    p.stakeLimitMax === 0n
      ? "none"
      : `${formatEth(p.stakeLimitMax)} refilled over ${formatDuration(p.stakeLimitRefillPeriod)}`,
  ]);
  rows.push(["share cap", `${formatBps(p.shareCapBps)} of validators per operator`]);
  rows.push(["initial deposit", formatEth(p.initialDeposit)]);

  const recorded = Object.keys(context.recorded ?? {}).filter((futureId) => futureId.startsWith("Plural#")).length;
  rows.push(["Deployment"]);
  rows.push([
    "record",
    `${path.relative(PROJECT_ROOT, deploymentDirectory(context.deploymentId))}: ` +
      (recorded === 0 ? "new" : `${recorded} addresses of Plural recorded, the command resumes from there`),
  ]);
  return rows;
}

/** Everything `deploy check` and the guard of `ignition deploy` found, and the plan when nothing blocks. */
export interface PreflightReport extends Findings {
  parameters?: PluralParameters;
  facts: ChainFacts;
  plan?: string;
}

/**
 * Checks the `Plural` section of `parametersFile` and the chain behind `provider` before a deployment sends
 * anything. Problems are returned, not thrown, so that all are shown at once.
 */
export async function preflight(options: {
  provider: Provider;
  deployer: () => Promise<string>;
  parametersFile: string;
  networkName: string;
  expectedChainId?: bigint;
  deploymentId: (chainId: bigint) => string;
  /** `ignition deploy --reset` wipes the record first: an earlier record is then not looked at. */
  ignoreRecord?: boolean;
  root?: string;
}): Promise<PreflightReport> {
  const section = await readModuleParameters(options.parametersFile, "Plural");
  const { chainId } = await options.provider.getNetwork();
  const deploymentId = options.deploymentId(chainId);
  const recorded = options.ignoreRecord === true ? {} : (readDeployedAddresses(deploymentId, options.root) ?? {});
  const depositContract = typeof section.depositContract === "string" ? section.depositContract : undefined;
  const facts = await readChainFacts(options.provider, {
    ...(options.expectedChainId === undefined ? {} : { expectedChainId: options.expectedChainId }),
    deployer: options.deployer,
    ...(depositContract !== undefined && /^0x[0-9a-fA-F]{40}$/.test(depositContract) ? { depositContract } : {}),
    recorded,
  });
  // The parameters are judged for the network they are meant for, even when its RPC answers another chain.
  const { parameters, problems } = checkParameters(section, { chainId: options.expectedChainId ?? chainId });
  const chain = checkChain(parameters, facts, { ...options, deploymentId });
  // The chain's problems first: a wrong chain id explains the rest.
  const report: PreflightReport = { facts, problems: [...chain.problems, ...problems], notes: chain.notes };
  if (parameters !== undefined) report.parameters = parameters;
  if (parameters !== undefined && report.problems.length === 0) {
    const title = `Plural on ${options.networkName} (chain ${chainId}): deployment plan`;
    report.plan = renderTable(title, planRows(parameters, facts, { ...options, deploymentId, recorded }));
  }
  return report;
}
