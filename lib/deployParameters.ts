import path from "node:path";

import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import { getAddress, ZeroAddress } from "ethers";

import { UserInputError } from "./errors.js";
import { BEACON_NETWORKS, type BeaconNetwork, type BeaconNetworkName } from "./networks.js";
import { isoTime } from "./time.js";

/**
 * The parameters of the Ignition modules that deploy Plural (deploy/protocol.ts), checked before anything is sent:
 * every bound the contracts enforce at initialization, the relations between parameters, and the published facts of
 * the network (its deposit contract, genesis time and slot timing). Pure functions: the chain is read by
 * lib/deployPreflight.ts.
 */

/** The module a public network deploys with (`depositContract` is a parameter) and the local one (a mock instead). */
export type ProtocolModule = "Plural" | "PluralLocal";

const HOUR = 3_600n;
const DAY = 86_400n;
const ETHER = 10n ** 18n;
const UINT32_MAX = 2n ** 32n - 1n;
const UINT48_MAX = 2n ** 48n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const UINT96_MAX = 2n ** 96n - 1n;
const UINT256_MAX = 2n ** 256n - 1n;
/** ERC20Votes checkpoints hold at most 2^208 - 1 votes: a larger supply reverts at mint. */
const MAX_VOTES_SUPPLY = 2n ** 208n - 1n;

/** Bounds the contracts enforce, with the constant that sets each: error messages name it. */
export const LIMITS = {
  timelockDelay: { max: 30n * DAY, source: "PluralTimelock.MAX_DELAY" },
  productionDelay: { min: DAY, source: "PluralTimelock.MIN_PRODUCTION_DELAY" },
  votingDelay: { max: 30n * DAY, source: "PluralGovernor.MAX_VOTING_DELAY" },
  votingPeriod: { min: HOUR, max: 30n * DAY, source: "PluralGovernor.MIN/MAX_VOTING_PERIOD" },
  quorumPercent: { min: 1n, max: 50n, source: "PluralGovernor.MIN/MAX_QUORUM_PERCENT" },
  maxPauseDuration: { min: 1n, max: 14n * DAY, source: "EmergencyPause.MAX_PAUSE_DURATION" },
  vettingLimit: { min: 1n, max: 10_000n, source: "OperatorRegistry.MAX_VETTING_LIMIT" },
  initialDeposit: { min: ETHER / 1_000n, max: UINT96_MAX, source: "StakingPool.MIN_INITIAL_DEPOSIT" },
  shareCapBps: { min: 1n, max: 10_000n, source: "OperatorRegistry: 1 to 10,000 bps" },
  exitResponseTime: { min: HOUR, max: 30n * DAY, source: "OperatorRegistry.MIN/MAX_EXIT_RESPONSE_TIME" },
  guardians: { max: 16n, source: "DepositGuard.MAX_GUARDIANS" },
  maxBlockAge: { min: 1n, max: 256n, source: "DepositGuard: 1 to 256 blocks (BLOCKHASH)" },
  pauseDuration: { min: 1n, max: 3n * DAY, source: "DepositGuard.MAX_PAUSE_DURATION" },
  fees: { max: 2_000n, source: "StakingPool.MAX_FEE_BPS" },
  maxReportAge: { min: HOUR, max: 30n * DAY, source: "StakingPool.MIN/MAX_REPORT_AGE" },
  epochsPerFrame: { min: 1n, max: 6_750n, source: "AccountingOracle.MAX_EPOCHS_PER_FRAME" },
  oracleMembers: { max: 32n, source: "AccountingOracle.MAX_MEMBERS" },
  maxAprBps: { min: 1n, max: 5_000n, source: "AccountingOracle.MAX_APR_BPS_LIMIT" },
  bps: { min: 1n, max: 10_000n, source: "AccountingOracle.MAX_BPS_LIMIT" },
  unseenDepositDeadline: { min: DAY, max: 365n * DAY, source: "AccountingOracle.MIN/MAX_UNSEEN_DEPOSIT_DEADLINE" },
  maxExitRequestFee: { max: ETHER / 10n, source: "WithdrawalVault.MAX_EXIT_REQUEST_FEE_LIMIT" },
} as const;

/** Beacon genesis times (unix seconds of slot 0) as each network published them. */
export const BEACON_GENESIS_TIMES: Readonly<Partial<Record<BeaconNetworkName, bigint>>> = Object.freeze({
  mainnet: 1_606_824_023n,
  sepolia: 1_655_733_600n,
  holesky: 1_695_902_400n,
  hoodi: 1_742_213_400n,
});

/** The slot timing of every public network (the mainnet preset). */
export const PUBLIC_SLOT_TIMING = Object.freeze({ secondsPerSlot: 12n, slotsPerEpoch: 32n });

/** Where a public network's known facts come from: lib/networks.ts and the genesis times above. */
export interface PublicNetworkFacts {
  network: Readonly<BeaconNetwork>;
  depositContract: string;
  genesisTime: bigint;
}

/** The published facts of the public network with chain id `chainId`, or undefined for any other chain. */
export function publicNetworkFacts(chainId: bigint): PublicNetworkFacts | undefined {
  const network = Object.values(BEACON_NETWORKS).find((candidate) => candidate.chainId === chainId);
  const genesisTime = network === undefined ? undefined : BEACON_GENESIS_TIMES[network.name];
  if (network?.depositContract === undefined || genesisTime === undefined) return undefined;
  return { network, depositContract: network.depositContract, genesisTime };
}

/** Sepolia's deposit contract, unlike mainnet's and Hoodi's, only accepts deposits from holders of its gating token. */
export const SEPOLIA_TOKEN_GATED_NOTE =
  "Sepolia's deposit contract is token-gated: it accepts validator deposits only from accounts the Sepolia " +
  "validator-set operators have given its gating token. Plural deploys there and takes ETH deposits (plETH), but " +
  "`pool stake` (the pool calling the deposit contract) reverts unless that token is arranged for the pool; " +
  "deploy to Hoodi to run the whole flow, staking included.";

/** How a parameter is read. A zero address is refused unless `zero` says what it means. */
type Spec =
  { kind: "uint"; max: bigint } | { kind: "address"; zero?: string } | { kind: "addresses" } | { kind: "uints" };

const uint = (max: bigint): Spec => ({ kind: "uint", max });

/** Every parameter the modules read (deploy/protocol.ts), its shape and the widest value its ABI type holds. */
export const PARAMETER_SPECS = {
  depositContract: { kind: "address" },
  timelockMinDelay: uint(UINT256_MAX),
  timelockProposer: { kind: "address", zero: "token governance: the Governor proposes" },
  timelockExecutor: { kind: "address", zero: "anyone executes ready operations" },
  operationsMinDelay: uint(UINT256_MAX),
  operationsProposer: { kind: "address", zero: "no operations timelock" },
  operationsExecutor: { kind: "address", zero: "anyone executes ready operations" },
  tokenHolders: { kind: "addresses" },
  tokenAmounts: { kind: "uints" },
  votingDelay: uint(UINT48_MAX),
  votingPeriod: uint(UINT32_MAX),
  proposalThreshold: uint(UINT256_MAX),
  quorumPercent: uint(UINT256_MAX),
  pauseGuardian: { kind: "address", zero: "no pause guardian until governance grants one" },
  maxPauseDuration: uint(UINT256_MAX),
  vettingLimit: uint(UINT256_MAX),
  initialDeposit: uint(UINT256_MAX),
  stakeLimitMax: uint(UINT256_MAX),
  stakeLimitRefillPeriod: uint(UINT256_MAX),
  shareCapBps: uint(UINT256_MAX),
  exitResponseTime: uint(UINT256_MAX),
  guardians: { kind: "addresses" },
  guardianQuorum: uint(UINT256_MAX),
  maxBlockAge: uint(UINT256_MAX),
  pauseDuration: uint(UINT256_MAX),
  treasury: { kind: "address" },
  treasuryFeeBps: uint(UINT256_MAX),
  operatorFeeBps: uint(UINT256_MAX),
  maxReportAge: uint(UINT256_MAX),
  genesisTime: uint(UINT256_MAX),
  secondsPerSlot: uint(UINT256_MAX),
  slotsPerEpoch: uint(UINT256_MAX),
  epochsPerFrame: uint(UINT256_MAX),
  oracleMembers: { kind: "addresses" },
  oracleQuorum: uint(UINT256_MAX),
  maxAprBps: uint(UINT256_MAX),
  maxLossBps: uint(UINT256_MAX),
  maxElRewardsBps: uint(UINT256_MAX),
  unseenDepositDeadline: uint(UINT256_MAX),
  maxExitRequestFee: uint(UINT256_MAX),
} as const satisfies Record<string, Spec>;

export type ParameterName = keyof typeof PARAMETER_SPECS;

/** The parameters `module` reads: all of them for `Plural`; `PluralLocal` deploys its own deposit contract mock. */
export function parameterNames(module: ProtocolModule): ParameterName[] {
  const names = Object.keys(PARAMETER_SPECS) as ParameterName[];
  return module === "Plural" ? names : names.filter((name) => name !== "depositContract");
}

/** The parameters, typed. `depositContract` is absent for `PluralLocal`. */
export interface PluralParameters {
  depositContract?: string;
  timelockMinDelay: bigint;
  timelockProposer: string;
  timelockExecutor: string;
  operationsMinDelay: bigint;
  operationsProposer: string;
  operationsExecutor: string;
  tokenHolders: string[];
  tokenAmounts: bigint[];
  votingDelay: bigint;
  votingPeriod: bigint;
  proposalThreshold: bigint;
  quorumPercent: bigint;
  pauseGuardian: string;
  maxPauseDuration: bigint;
  vettingLimit: bigint;
  initialDeposit: bigint;
  stakeLimitMax: bigint;
  stakeLimitRefillPeriod: bigint;
  shareCapBps: bigint;
  exitResponseTime: bigint;
  guardians: string[];
  guardianQuorum: bigint;
  maxBlockAge: bigint;
  pauseDuration: bigint;
  treasury: string;
  treasuryFeeBps: bigint;
  operatorFeeBps: bigint;
  maxReportAge: bigint;
  genesisTime: bigint;
  secondsPerSlot: bigint;
  slotsPerEpoch: bigint;
  epochsPerFrame: bigint;
  oracleMembers: string[];
  oracleQuorum: bigint;
  maxAprBps: bigint;
  maxLossBps: bigint;
  maxElRewardsBps: bigint;
  unseenDepositDeadline: bigint;
  maxExitRequestFee: bigint;
}

/** What checking a parameter set found: the typed parameters when nothing is wrong, else every problem, one a line. */
export interface ParameterCheck {
  parameters?: PluralParameters;
  problems: string[];
}

/** Groups digits in threes: 1000000 → "1,000,000". */
function grouped(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `value` as a whole number: a bigint (Ignition reads "123n" as one) or a safe non-negative integer. */
function readUint(value: unknown): bigint | string {
  if (typeof value === "bigint") return value >= 0n ? value : `${value} is negative`;
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    return `${value} is not a whole number from 0 (write large values as strings like "1000n")`;
  }
  if (typeof value === "string") return `"${value}" is not a whole number: write it as "${value.trim()}n"`;
  return `expected a whole number, got ${describeValue(value)}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/** A checksummed address, or what is wrong with `value`. A zero address is refused unless `zeroAllowed`. */
function readAddress(value: unknown, zeroAllowed: boolean): { address: string } | { problem: string } {
  if (typeof value !== "string") return { problem: `expected a checksummed address, got ${describeValue(value)}` };
  if (!value.startsWith("0x")) return { problem: `"${value}" is not filled in: expected a checksummed address` };
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    return { problem: `"${value}" is not an address: expected 0x followed by 40 hex digits` };
  }
  let checksummed: string;
  try {
    checksummed = getAddress(value);
  } catch {
    return { problem: `${value} has a wrong EIP-55 checksum: a typo?` };
  }
  if (checksummed !== value) return { problem: `${value} is not checksummed: write ${checksummed}` };
  if (checksummed === ZeroAddress && !zeroAllowed) return { problem: "the zero address is not allowed here" };
  return { address: checksummed };
}

/**
 * Reads the parameters of `module` from a parameter file's section (merged with `$global`, as Ignition does) and
 * checks them against the contracts' bounds and, on a public network (by `chainId`), its published facts. Every
 * problem is named; none stops the others from being found.
 */
export function checkParameters(
  section: Readonly<Record<string, unknown>>,
  options: { chainId: bigint; module?: ProtocolModule },
): ParameterCheck {
  const module = options.module ?? "Plural";
  const problems: string[] = [];
  const problem = (name: string, text: string) => problems.push(`${name}: ${text}`);
  const names = parameterNames(module);
  const values: Partial<Record<ParameterName, bigint | string | bigint[] | string[]>> = {};
  /** Parameters with a problem of their own: relations involving them are not checked again. */
  const invalid = new Set<string>();

  for (const key of Object.keys(section)) {
    if (!(names as string[]).includes(key)) problem(key, `the ${module} module reads no such parameter (a typo?)`);
  }
  for (const name of names) {
    const spec: Spec = PARAMETER_SPECS[name];
    const value = section[name];
    const fail = (text: string) => {
      invalid.add(name);
      problem(name, text);
    };
    if (value === undefined) {
      fail(
        `missing: expected ${spec.kind === "uint" ? "a whole number" : spec.kind === "address" ? "an address" : "an array"}`,
      );
      continue;
    }
    if (spec.kind === "uint") {
      const read = readUint(value);
      if (typeof read === "string") fail(read);
      else if (read > spec.max) fail(`${grouped(read)} does not fit its ABI type (at most ${grouped(spec.max)})`);
      else values[name] = read;
    } else if (spec.kind === "address") {
      const read = readAddress(value, spec.zero !== undefined);
      if ("problem" in read) fail(read.problem);
      else values[name] = read.address;
    } else if (!Array.isArray(value)) {
      fail(`expected an array, got ${describeValue(value)}`);
    } else if (spec.kind === "addresses") {
      const list: string[] = [];
      value.forEach((entry: unknown, index) => {
        const read = readAddress(entry, false);
        if ("problem" in read) {
          invalid.add(name);
          problem(`${name}[${index}]`, read.problem);
          list.push(String(entry));
        } else {
          list.push(read.address);
        }
      });
      const seen = new Set<string>();
      for (const address of list) {
        if (seen.has(address.toLowerCase())) fail(`${address} is listed twice`);
        seen.add(address.toLowerCase());
      }
      values[name] = list;
    } else {
      const list: bigint[] = [];
      value.forEach((entry: unknown, index) => {
        const read = readUint(entry);
        if (typeof read === "string") {
          invalid.add(name);
          problem(`${name}[${index}]`, read);
        } else {
          list.push(read);
        }
      });
      if (!invalid.has(name)) values[name] = list;
    }
  }

  const uintOf = (name: ParameterName) => values[name] as bigint | undefined;
  const inRange = (name: ParameterName, bound: { min?: bigint; max?: bigint; source: string }, unit = "") => {
    const value = uintOf(name);
    if (value === undefined) return;
    const min = bound.min ?? 0n;
    if (value < min || (bound.max !== undefined && value > bound.max)) {
      const range = bound.max === undefined ? `at least ${grouped(min)}` : `${grouped(min)} to ${grouped(bound.max)}`;
      problem(name, `${grouped(value)}${unit} is out of bounds: expected ${range}${unit} (${bound.source})`);
      invalid.add(name);
    }
  };

  // Governance: the timelocks, and the token and the Governor under token governance.
  const production = options.chainId === 1n;
  for (const name of ["timelockMinDelay", "operationsMinDelay"] as const) {
    if (name === "operationsMinDelay" && values.operationsProposer === ZeroAddress) continue;
    inRange(name, LIMITS.timelockDelay, " s");
    const delay = uintOf(name);
    if (production && delay !== undefined && delay < LIMITS.productionDelay.min) {
      problem(
        name,
        `${delay} s is below ${LIMITS.productionDelay.min} s on mainnet (${LIMITS.productionDelay.source})`,
      );
    }
  }
  if (values.timelockProposer === ZeroAddress) {
    inRange("votingDelay", LIMITS.votingDelay, " s");
    inRange("votingPeriod", LIMITS.votingPeriod, " s");
    inRange("quorumPercent", LIMITS.quorumPercent, " %");
    const holders = values.tokenHolders as string[] | undefined;
    const amounts = values.tokenAmounts as bigint[] | undefined;
    if (holders !== undefined && amounts !== undefined) {
      if (holders.length === 0) {
        problem("tokenHolders", "token governance (timelockProposer is zero) needs at least one holder");
      } else if (holders.length !== amounts.length) {
        problem("tokenAmounts", `${amounts.length} amounts for ${holders.length} tokenHolders: expected one each`);
      }
      amounts.forEach((amount, index) => {
        if (amount === 0n) problem(`tokenAmounts[${index}]`, "zero: every holder gets some PLURAL");
      });
      const supply = amounts.reduce((sum, amount) => sum + amount, 0n);
      if (supply > MAX_VOTES_SUPPLY) {
        problem("tokenAmounts", `the supply ${grouped(supply)} is above ERC20Votes' 2^208 - 1`);
      }
      const threshold = uintOf("proposalThreshold");
      if (threshold !== undefined && supply > 0n && threshold > supply) {
        problem(
          "proposalThreshold",
          `${grouped(threshold)} is above the whole supply ${grouped(supply)}: nobody could propose`,
        );
      }
    }
  }

  // The protocol's contracts.
  inRange("maxPauseDuration", LIMITS.maxPauseDuration, " s");
  inRange("vettingLimit", LIMITS.vettingLimit);
  inRange("initialDeposit", LIMITS.initialDeposit, " wei");
  const stakeLimitMax = uintOf("stakeLimitMax");
  if (stakeLimitMax !== undefined && stakeLimitMax > UINT96_MAX) {
    problem("stakeLimitMax", `${grouped(stakeLimitMax)} wei is above 2^96 - 1 (0 means no limit)`);
  }
  const refill = uintOf("stakeLimitRefillPeriod");
  if (refill !== undefined && refill > UINT32_MAX) {
    problem("stakeLimitRefillPeriod", `${grouped(refill)} s is above 2^32 - 1`);
  }
  inRange("shareCapBps", LIMITS.shareCapBps, " bps");
  inRange("exitResponseTime", LIMITS.exitResponseTime, " s");
  inRange("maxBlockAge", LIMITS.maxBlockAge, " blocks");
  inRange("pauseDuration", LIMITS.pauseDuration, " s");
  inRange("maxReportAge", LIMITS.maxReportAge, " s");
  inRange("epochsPerFrame", LIMITS.epochsPerFrame);
  inRange("maxAprBps", LIMITS.maxAprBps, " bps");
  inRange("maxLossBps", LIMITS.bps, " bps");
  inRange("maxElRewardsBps", LIMITS.bps, " bps");
  inRange("unseenDepositDeadline", LIMITS.unseenDepositDeadline, " s");
  inRange("maxExitRequestFee", LIMITS.maxExitRequestFee, " wei");
  for (const name of ["secondsPerSlot", "slotsPerEpoch"] as const) {
    inRange(name, { min: 1n, max: UINT32_MAX, source: "AccountingOracle: 1 to 2^32 - 1" });
  }
  inRange("genesisTime", { max: UINT64_MAX, source: "AccountingOracle stores it in 64 bits" });

  const treasuryFee = uintOf("treasuryFeeBps");
  const operatorFee = uintOf("operatorFeeBps");
  if (treasuryFee !== undefined && operatorFee !== undefined && treasuryFee + operatorFee > LIMITS.fees.max) {
    problem(
      "treasuryFeeBps + operatorFeeBps",
      `${grouped(treasuryFee)} + ${grouped(operatorFee)} = ${grouped(treasuryFee + operatorFee)} bps is above ` +
        `${grouped(LIMITS.fees.max)} (${LIMITS.fees.source})`,
    );
  }

  const committee = (
    listName: "guardians" | "oracleMembers",
    quorumName: "guardianQuorum" | "oracleQuorum",
    limit: { max: bigint; source: string },
    majority: boolean,
  ) => {
    const list = values[listName] as string[] | undefined;
    const quorum = uintOf(quorumName);
    if (list === undefined) return;
    const count = BigInt(list.length);
    if (count === 0n) problem(listName, "empty: expected at least one address");
    if (count > limit.max) problem(listName, `${count} addresses is above ${limit.max} (${limit.source})`);
    if (quorum === undefined || count === 0n) return;
    const min = majority ? count / 2n + 1n : 1n;
    if (quorum < min || quorum > count) {
      const what = majority ? "a majority" : "at least one";
      problem(quorumName, `${quorum} of ${count} ${listName} is not ${what}: expected ${min} to ${count}`);
    }
  };
  committee("guardians", "guardianQuorum", LIMITS.guardians, false);
  committee("oracleMembers", "oracleQuorum", LIMITS.oracleMembers, true);

  // A report is due every frame; with a shorter allowed age, deposits would stop before each report arrives.
  const [maxReportAge, epochs, slots, seconds] = [
    uintOf("maxReportAge"),
    uintOf("epochsPerFrame"),
    uintOf("slotsPerEpoch"),
    uintOf("secondsPerSlot"),
  ];
  if (maxReportAge !== undefined && epochs !== undefined && slots !== undefined && seconds !== undefined) {
    const frame = epochs * slots * seconds;
    const clean = ["maxReportAge", "epochsPerFrame", "slotsPerEpoch", "secondsPerSlot"].every((n) => !invalid.has(n));
    if (clean && maxReportAge <= frame) {
      problem(
        "maxReportAge",
        `${grouped(maxReportAge)} s is not longer than a frame (${grouped(frame)} s = epochsPerFrame × slotsPerEpoch ` +
          "× secondsPerSlot): deposits would stop before every report",
      );
    }
  }

  // The published facts of a public network.
  const facts = publicNetworkFacts(options.chainId);
  if (facts !== undefined) {
    const name = facts.network.name;
    if (
      module === "Plural" &&
      values.depositContract !== undefined &&
      values.depositContract !== facts.depositContract
    ) {
      problem(
        "depositContract",
        `${values.depositContract} is not ${name}'s deposit contract ${facts.depositContract}`,
      );
    }
    const genesis = uintOf("genesisTime");
    if (genesis !== undefined && genesis !== facts.genesisTime) {
      problem(
        "genesisTime",
        `${genesis} is not ${name}'s beacon genesis time ${facts.genesisTime} (${isoTime(facts.genesisTime)})`,
      );
    }
    for (const key of ["secondsPerSlot", "slotsPerEpoch"] as const) {
      const value = uintOf(key);
      if (value !== undefined && value !== PUBLIC_SLOT_TIMING[key]) {
        problem(key, `${value} is not ${name}'s ${PUBLIC_SLOT_TIMING[key]}`);
      }
    }
  }

  if (problems.length > 0) return { problems };
  return { parameters: values as unknown as PluralParameters, problems };
}

/**
 * The section of `module` in an Ignition parameter file, merged over the values of its `$global` section that the
 * module reads (a module's own value wins, as in Ignition). Read with Ignition's own reader, so "123n" strings are bigints exactly as it deploys them.
 *
 * @throws UserInputError when the file is missing or unreadable, or has no section for `module`.
 */
export async function readModuleParameters(file: string, module: ProtocolModule): Promise<Record<string, unknown>> {
  let content: unknown;
  try {
    content = await readDeploymentParameters(path.resolve(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UserInputError(`cannot read the parameter file ${file}: ${reason}`);
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    throw new UserInputError(`${file} is not an Ignition parameter file: expected an object of module sections`);
  }
  const sections = content as Record<string, unknown>;
  const own = sections[module];
  if (typeof own !== "object" || own === null || Array.isArray(own)) {
    throw new UserInputError(`${file} has no "${module}" section: the ${module} module reads its parameters there`);
  }
  // `$global` values serve every module: only those this module reads are taken, so that the others are not
  // mistaken for typos.
  const global = sections.$global;
  const shared = typeof global === "object" && global !== null && !Array.isArray(global) ? global : {};
  const names: string[] = parameterNames(module);
  return {
    ...Object.fromEntries(Object.entries(shared).filter(([name]) => names.includes(name))),
    ...(own as Record<string, unknown>),
  };
}
