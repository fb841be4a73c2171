/**
 * What governance can propose, as named actions (set-fee, add-operator, vet-keys, set-oracle-quorum, accept-loss,
 * force-exit, upgrade, grant-pause, resume-pause) or a JSON file of calls: each argument parsed, each action checked
 * against the chain where that is cheap, so that a proposal that would surely fail at execution is refused before it
 * is made, and encoded as the calls the timelock will make.
 */
import { readFileSync } from "node:fs";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type BaseContract,
  dataLength,
  dataSlice,
  FunctionFragment,
  getAddress,
  Interface,
  isHexString,
  ZeroAddress,
} from "ethers";

import { parseAddress, requireAccount, resolveAddress } from "./accounts.js";
import { formatBps, formatDuration, formatEth, parseEthAmount } from "./amounts.js";
import {
  hasWithdrawalRequestPredeploy,
  readWithdrawalRequestFee,
  WithdrawalRequestPredeployMissingError,
} from "./eip7002.js";
import { UserInputError } from "./errors.js";
import type { GovernanceCall } from "./governance.js";
import { committedKeys, parseOperatorId, readCommittedBatches } from "./operators.js";
import {
  describePauseTargets,
  parsePauseTargets,
  PAUSE_TARGETS,
  type PauseTargetName,
  readPauseStatus,
} from "./pause.js";
import { findRevertData, nameCustomError } from "./pool.js";
import type { Protocol } from "./protocol.js";
import type { Row } from "./table.js";
import { isoTime } from "./time.js";

/** The named actions of `gov propose`. */
export const GOVERNANCE_ACTIONS = [
  "set-fee",
  "add-operator",
  "vet-keys",
  "set-oracle-quorum",
  "accept-loss",
  "force-exit",
  "upgrade",
  "grant-pause",
  "resume-pause",
] as const;
export type GovernanceAction = (typeof GOVERNANCE_ACTIONS)[number];

/** The contracts behind UUPS proxies, as `upgrade --contract` names them. */
export const UPGRADEABLE_CONTRACTS = [
  "StakingPool",
  "OperatorRegistry",
  "DepositGuard",
  "WithdrawalVault",
  "ExecutionRewardsVault",
  "AccountingOracle",
  "WithdrawalQueue",
  "EmergencyPause",
] as const;
export type UpgradeableContract = (typeof UPGRADEABLE_CONTRACTS)[number];

/** ERC-1967's implementation slot: where a proxy keeps its implementation's address. */
export const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

/** The registry functions the operations timelock holds roles for (ADD_OPERATOR_ROLE, VET_KEYS_ROLE). */
const OPERATIONS_FUNCTIONS = ["addOperator", "addCluster", "setVettedKeys"] as const;

/** A proposal ready to submit: its calls, the description it gets by default, and what it changes, for people. */
export interface GovernancePlan {
  /** The action's name, or "calls" for a JSON file. */
  action: GovernanceAction | "calls";
  /** The default description. */
  summary: string;
  calls: GovernanceCall[];
  /** Whether every call is one the operations timelock may make (adding operators, vetting keys). */
  operationsAllowed: boolean;
  /** What changes, for the printout (besides the calls, which printouts list). */
  details: Row[];
}

// ---------------------------------------------------------------------------------------------------------------
// Argument parsing (pure)

/** A whole number from user input, naming `argument` and what was expected when it is not one. */
export function parseWholeNumber(text: string, argument: string, expected = "a whole number"): bigint {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new UserInputError(
      trimmed === "" ? `${argument} is required: expected ${expected}` : `${argument} "${text}" is not ${expected}`,
    );
  }
  return BigInt(trimmed);
}

/** Basis points from user input: a whole number from 0 to 10,000. */
export function parseBps(text: string, argument: string): bigint {
  const bps = parseWholeNumber(text, argument, "a whole number of basis points (0 to 10000; 100 bps = 1 %)");
  if (bps > 10_000n) {
    throw new UserInputError(`${argument} ${bps} is above 10,000 basis points (100 %): expected 0 to 10000`);
  }
  return bps;
}

/** Comma-separated validator pubkeys (48 bytes each), lower-cased, none twice. */
export function parsePubkeys(text: string, argument = "--pubkeys"): string[] {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) {
    throw new UserInputError(
      `${argument} is required: expected validator pubkeys (0x + 96 hex digits), comma-separated`,
    );
  }
  const seen = new Set<string>();
  return items.map((item, index) => {
    const pubkey = (item.startsWith("0x") ? item : `0x${item}`).toLowerCase();
    if (!/^0x[0-9a-f]{96}$/.test(pubkey)) {
      throw new UserInputError(
        `${argument} entry ${index + 1} "${item}" is not a validator pubkey: expected 48 bytes, 0x + 96 hex digits`,
      );
    }
    if (seen.has(pubkey)) throw new UserInputError(`${argument} lists ${pubkey} twice`);
    seen.add(pubkey);
    return pubkey;
  });
}

/** An `upgrade --contract` name, matched without regard to case. */
export function parseUpgradeableContract(text: string, argument = "--contract"): UpgradeableContract {
  const found = UPGRADEABLE_CONTRACTS.find((name) => name.toLowerCase() === text.trim().toLowerCase());
  if (found === undefined) {
    throw new UserInputError(
      `${argument} "${text}" is not an upgradeable Plural contract: expected one of ${UPGRADEABLE_CONTRACTS.join(", ")}`,
    );
  }
  return found;
}

/** ETH as `value` in a calls file: a decimal string, zero allowed. */
function parseCallValue(value: unknown, where: string): bigint {
  if (value === undefined) return 0n;
  if (typeof value !== "string") {
    throw new UserInputError(
      `${where}: value ${JSON.stringify(value)} must be ETH written as a string, such as "0.5" (JSON numbers lose precision)`,
    );
  }
  if (/^0*(\.0*)?$/.test(value.trim()) && value.trim() !== "" && value.trim() !== ".") return 0n;
  return parseEthAmount(value, `${where}: value`);
}

const CALL_KEYS = new Set(["target", "value", "signature", "args", "data"]);

/**
 * Parses a calls file: a JSON list of `{ "target", "value"?, "signature", "args" }` (a function signature such as
 * `setFees(uint256,uint256)` and its arguments) or `{ "target", "value"?, "data" }` (call data as hex). A target is an
 * address or one of `targets`' names (the protocol's contracts); `value` is ETH as a string. Every entry is checked
 * and encoded; the first wrong one is named with what is wrong.
 *
 * @param source The file's name, for messages.
 */
export function parseCallsJson(text: string, source: string, targets: ReadonlyMap<string, string>): GovernanceCall[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const shape = `a JSON list of calls, each {"target", "value"?, "signature", "args"} or {"target", "value"?, "data"}`;
  if (!Array.isArray(parsed)) throw new UserInputError(`${source}: expected ${shape}`);
  if (parsed.length === 0) throw new UserInputError(`${source} lists no calls: expected ${shape}`);
  return parsed.map((entry: unknown, index) => parseCallEntry(entry, `${source} entry ${index + 1}`, targets, shape));
}

function parseCallEntry(
  entry: unknown,
  where: string,
  targets: ReadonlyMap<string, string>,
  shape: string,
): GovernanceCall {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new UserInputError(`${where} is not an object: expected ${shape}`);
  }
  const record = entry as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !CALL_KEYS.has(key));
  if (unknownKey !== undefined) {
    throw new UserInputError(`${where} has an unknown field "${unknownKey}": expected ${shape}`);
  }
  const target = parseCallTarget(record.target, where, targets);
  const value = parseCallValue(record.value, where);
  const hasSignature = record.signature !== undefined;
  const hasData = record.data !== undefined;
  if (hasSignature === hasData) {
    throw new UserInputError(
      `${where} has ${hasSignature ? "both a signature and data" : "neither a signature nor data"}: expected one of them`,
    );
  }
  if (hasData) {
    if (record.args !== undefined) throw new UserInputError(`${where} has args with data: args go with a signature`);
    const data = record.data;
    if (typeof data !== "string" || !isHexString(data) || data.length % 2 !== 0) {
      throw new UserInputError(`${where}: data must be hex call data, 0x followed by an even number of hex digits`);
    }
    if (dataLength(data) < 4 && !(data === "0x" && value > 0n)) {
      throw new UserInputError(
        `${where}: data ${data} is shorter than a function selector (4 bytes); "0x" only sends ETH, with a value`,
      );
    }
    return { target, value, data: data.toLowerCase() };
  }
  return { target, value, data: encodeSignatureCall(record.signature, record.args, where) };
}

function parseCallTarget(target: unknown, where: string, targets: ReadonlyMap<string, string>): string {
  const names = [...targets.keys()].join(", ");
  if (typeof target !== "string" || target.trim() === "") {
    throw new UserInputError(`${where}: target is required: an address or one of ${names}`);
  }
  const named = targets.get(target.trim());
  if (named !== undefined) return named;
  if (!/^0x[0-9a-fA-F]{40}$/.test(target.trim())) {
    throw new UserInputError(`${where}: target "${target}" is neither an address nor one of ${names}`);
  }
  return parseAddress(target, `${where}: target`);
}

function encodeSignatureCall(signature: unknown, args: unknown, where: string): string {
  if (typeof signature !== "string" || signature.trim() === "") {
    throw new UserInputError(`${where}: signature must be a function signature such as "setFees(uint256,uint256)"`);
  }
  let fragment: FunctionFragment;
  try {
    fragment = FunctionFragment.from(signature.trim().replace(/^function\s+/, ""));
  } catch {
    throw new UserInputError(
      `${where}: signature "${signature}" is not a function signature: expected name(type,...), e.g. "setFees(uint256,uint256)"`,
    );
  }
  const list = args ?? [];
  if (!Array.isArray(list)) {
    throw new UserInputError(`${where}: args must be a list of the arguments of ${fragment.format()}`);
  }
  if (list.length !== fragment.inputs.length) {
    throw new UserInputError(
      `${where}: ${fragment.format()} takes ${fragment.inputs.length} argument(s), args has ${list.length}`,
    );
  }
  const unsafe = findUnsafeNumber(list);
  if (unsafe !== undefined) {
    throw new UserInputError(`${where}: the number ${unsafe} in args is too large for JSON: write it as a string`);
  }
  try {
    return new Interface([fragment]).encodeFunctionData(fragment, list);
  } catch (error) {
    const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    throw new UserInputError(`${where}: args do not fit ${fragment.format()}: ${reason}`);
  }
}

function findUnsafeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) || !Number.isInteger(value) ? undefined : value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnsafeNumber(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The protocol's contracts, by name

/** The protocol's contracts with the names calls files and printouts use. */
export function protocolContracts(protocol: Protocol): { name: string; contract: BaseContract; address: string }[] {
  const entries: [string, BaseContract | undefined, string | undefined][] = [
    ["StakingPool", protocol.pool, protocol.addresses.pool],
    ["OperatorRegistry", protocol.operatorRegistry, protocol.addresses.operatorRegistry],
    ["DepositGuard", protocol.depositGuard, protocol.addresses.depositGuard],
    ["WithdrawalVault", protocol.withdrawalVault, protocol.addresses.withdrawalVault],
    ["ExecutionRewardsVault", protocol.executionRewardsVault, protocol.addresses.executionRewardsVault],
    ["AccountingOracle", protocol.accountingOracle, protocol.addresses.accountingOracle],
    ["WithdrawalQueue", protocol.withdrawalQueue, protocol.addresses.withdrawalQueue],
    ["EmergencyPause", protocol.emergencyPause, protocol.addresses.emergencyPause],
    ["Timelock", protocol.timelock, protocol.addresses.timelock],
    ["OperationsTimelock", protocol.operationsTimelock, protocol.addresses.operationsTimelock],
    ["PluralGovernor", protocol.governor, protocol.addresses.governor],
    ["PluralToken", protocol.token, protocol.addresses.token],
  ];
  return entries
    .filter((entry): entry is [string, BaseContract, string] => entry[1] !== undefined && entry[2] !== undefined)
    .map(([name, contract, address]) => ({ name, contract, address: getAddress(address) }));
}

/** Names a calls file may use as targets, with their addresses. */
export function callTargets(protocol: Protocol): Map<string, string> {
  return new Map(protocolContracts(protocol).map(({ name, address }) => [name, address]));
}

/** A call for people: "StakingPool.setFees(600, 400)", long arguments shortened, any ETH it carries. */
export function describeCall(protocol: Protocol, call: GovernanceCall): string {
  const known = protocolContracts(protocol).find(({ address }) => address === getAddress(call.target));
  const value = call.value === 0n ? "" : ` with ${formatEth(call.value)}`;
  const parsed = known === undefined ? null : known.contract.interface.parseTransaction({ data: call.data });
  if (known === undefined || parsed === null) {
    const selector = dataLength(call.data) >= 4 ? dataSlice(call.data, 0, 4) : "(no call data)";
    return `${known?.name ?? call.target}: ${selector}${dataLength(call.data) > 4 ? ` + ${dataLength(call.data) - 4} bytes` : ""}${value}`;
  }
  const args = parsed.args.map((arg: unknown) => shorten(String(arg)));
  return `${known.name}.${parsed.name}(${args.join(", ")})${value}`;
}

function shorten(text: string): string {
  return text.length <= 48 ? text : `${text.slice(0, 10)}…${text.slice(-6)} (${(text.length - 2) / 2} bytes)`;
}

/** The contracts whose ABIs name the custom errors a governance call may revert with. */
function errorSources(protocol: Protocol): BaseContract[] {
  return protocolContracts(protocol).map(({ contract }) => contract);
}

// ---------------------------------------------------------------------------------------------------------------
// Named actions: chain checks and encoding

/** A new protocol fee (StakingPool.setFees), within the pool's MAX_FEE_BPS and different from today's. */
export async function planSetFee(
  protocol: Protocol,
  treasuryBps: bigint,
  operatorBps: bigint,
): Promise<GovernancePlan> {
  const { pool } = protocol;
  const [max, state] = await Promise.all([pool.MAX_FEE_BPS(), pool.getReportState()]);
  const total = treasuryBps + operatorBps;
  if (total > max) {
    throw new UserInputError(
      `--treasury-bps ${treasuryBps} + --operator-bps ${operatorBps} = ${total} bps (${formatBps(total)}) is above ` +
        `the pool's hard cap MAX_FEE_BPS, ${max} bps (${formatBps(max)})`,
    );
  }
  if (treasuryBps === state.treasuryFeeBps && operatorBps === state.operatorFeeBps) {
    throw new UserInputError(
      `the fee is already ${treasuryBps} bps for the treasury and ${operatorBps} bps for operators: nothing to change`,
    );
  }
  return {
    action: "set-fee",
    summary:
      `Set the protocol fee to ${formatBps(treasuryBps)} for the treasury and ${formatBps(operatorBps)} for ` +
      `operators (from ${formatBps(state.treasuryFeeBps)} and ${formatBps(state.operatorFeeBps)})`,
    calls: [call(protocol.addresses.pool, pool.interface.encodeFunctionData("setFees", [treasuryBps, operatorBps]))],
    operationsAllowed: false,
    details: [
      ["treasury fee", `${formatBps(state.treasuryFeeBps)} → ${formatBps(treasuryBps)}`],
      ["operator fee", `${formatBps(state.operatorFeeBps)} → ${formatBps(operatorBps)}`],
      ["hard cap (together)", formatBps(max)],
    ],
  };
}

/** A new operator, or a DV cluster with `cluster` (OperatorRegistry.addOperator / addCluster). */
export async function planAddOperator(
  protocol: Protocol,
  operator: {
    name: string;
    manager: string;
    rewardAddress: string;
    cluster?: { threshold: bigint; members: string[] };
  },
): Promise<GovernancePlan> {
  const registry = protocol.operatorRegistry;
  const name = operator.name.trim();
  if (name === "") throw new UserInputError(`--name is required: the operator's display name`);
  requireAccount(operator.manager, "--manager");
  requireAccount(operator.rewardAddress, "--reward-address");
  const [count, maxOperators, maxMembers] = await Promise.all([
    registry.operatorCount(),
    registry.MAX_OPERATORS(),
    registry.MAX_CLUSTER_MEMBERS(),
  ]);
  if (count >= maxOperators) {
    throw new UserInputError(`the registry is full: it holds ${count} operators, its hard limit MAX_OPERATORS`);
  }
  const details: Row[] = [
    ["name", name],
    ["manager", operator.manager],
    ["reward address", operator.rewardAddress],
    ["operator id", count.toString()],
  ];
  if (operator.cluster === undefined) {
    return {
      action: "add-operator",
      summary: `Add operator "${name}" (id ${count}) managed by ${operator.manager}`,
      calls: [
        call(
          protocol.addresses.operatorRegistry,
          registry.interface.encodeFunctionData("addOperator", [name, operator.manager, operator.rewardAddress]),
        ),
      ],
      operationsAllowed: true,
      details,
    };
  }
  const { threshold, members } = operator.cluster;
  const n = BigInt(members.length);
  if (threshold < 2n || threshold > n || n > maxMembers) {
    throw new UserInputError(
      `--threshold ${threshold} with ${n} --members: a cluster needs 2 <= threshold <= members <= ${maxMembers}`,
    );
  }
  if (members.includes(ZeroAddress)) throw new UserInputError(`--members lists the zero address`);
  if (new Set(members).size !== members.length) throw new UserInputError(`--members lists an address twice`);
  return {
    action: "add-operator",
    summary: `Add cluster "${name}" (id ${count}, ${threshold}-of-${n}) managed by ${operator.manager}`,
    calls: [
      call(
        protocol.addresses.operatorRegistry,
        registry.interface.encodeFunctionData("addCluster", [
          name,
          operator.manager,
          operator.rewardAddress,
          threshold,
          members,
        ]),
      ),
    ],
    operationsAllowed: true,
    details: [
      ...details,
      ["cluster", `any ${threshold} of ${n} sign`],
      ...members.map((m, i): Row => [`  member ${i + 1}`, m]),
    ],
  };
}

/** Vets the first `keys` keys of an operator (OperatorRegistry.setVettedKeys), within its keys and the vetting limit. */
export async function planVetKeys(protocol: Protocol, operatorId: number, keys: bigint): Promise<GovernancePlan> {
  const registry = protocol.operatorRegistry;
  const [op, limit] = await Promise.all([registry.getOperator(operatorId), registry.vettingLimit()]);
  if (keys === op.vettedKeys) {
    throw new UserInputError(`operator ${operatorId} (${op.name}) already has ${keys} keys vetted: nothing to change`);
  }
  if (keys < op.depositedKeys || keys > op.totalKeys) {
    throw new UserInputError(
      `--keys ${keys} is out of range for operator ${operatorId} (${op.name}): expected from ${op.depositedKeys} ` +
        `(deposited) to ${op.totalKeys} (submitted)`,
    );
  }
  if (keys > op.vettedKeys && keys - op.depositedKeys > limit) {
    throw new UserInputError(
      `--keys ${keys} would leave ${keys - op.depositedKeys} keys of operator ${operatorId} (${op.name}) vetted and ` +
        `not deposited, above the registry's vetting limit of ${limit}: vet at most ${op.depositedKeys + limit} ` +
        `(${op.depositedKeys} deposited + ${limit})`,
    );
  }
  return {
    action: "vet-keys",
    summary: `Vet ${keys} keys of operator ${operatorId} (${op.name}), from ${op.vettedKeys}`,
    calls: [
      call(
        protocol.addresses.operatorRegistry,
        registry.interface.encodeFunctionData("setVettedKeys", [operatorId, keys]),
      ),
    ],
    operationsAllowed: true,
    details: [
      ["operator", `${operatorId} ${op.name}`],
      ["vetted keys", `${op.vettedKeys} → ${keys}`],
      ["submitted / deposited", `${op.totalKeys} / ${op.depositedKeys}`],
      ["vetting limit", limit.toString()],
    ],
  };
}

/** A new oracle quorum (AccountingOracle.setQuorum): more than half the members, at most all of them. */
export async function planSetOracleQuorum(protocol: Protocol, quorum: bigint): Promise<GovernancePlan> {
  const oracle = protocol.accountingOracle;
  const [members, current] = await Promise.all([oracle.getMembers(), oracle.quorum()]);
  const n = BigInt(members.length);
  if (quorum <= n / 2n || quorum > n) {
    throw new UserInputError(
      `--quorum ${quorum} does not fit the oracle's ${n} members: expected more than half of them and at most all, ` +
        `from ${n / 2n + 1n} to ${n}`,
    );
  }
  if (quorum === current) throw new UserInputError(`the oracle quorum is already ${quorum} of ${n}: nothing to change`);
  return {
    action: "set-oracle-quorum",
    summary: `Set the oracle quorum to ${quorum} of ${n} members (from ${current})`,
    calls: [call(protocol.addresses.accountingOracle, oracle.interface.encodeFunctionData("setQuorum", [quorum]))],
    operationsAllowed: false,
    details: [
      ["quorum", `${current} → ${quorum}`],
      ["members", n.toString()],
    ],
  };
}

const UINT96_MAX = 2n ** 96n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Accepts a loss beyond the bound in one report (AccountingOracle.allowLoss). */
export async function planAcceptLoss(
  protocol: Protocol,
  amount: bigint,
  untilRefSlot: bigint,
): Promise<GovernancePlan> {
  const oracle = protocol.accountingOracle;
  if (amount > UINT96_MAX) throw new UserInputError(`--amount ${formatEth(amount)} is above what the oracle stores`);
  if (untilRefSlot > UINT64_MAX) throw new UserInputError(`--until-ref-slot ${untilRefSlot} is above 2^64 - 1`);
  const [lastProcessed, [currentRefSlot], bounds] = await Promise.all([
    oracle.lastProcessedRefSlot(),
    oracle.currentFrame(),
    oracle.getSanityBounds(),
  ]);
  if (untilRefSlot <= lastProcessed) {
    throw new UserInputError(
      `--until-ref-slot ${untilRefSlot} is not after the last processed reference slot ${lastProcessed}: the ` +
        `allowance is for a report still to come (the current frame's reference slot is ${currentRefSlot})`,
    );
  }
  return {
    action: "accept-loss",
    summary:
      `Accept up to ${formatEth(amount)} of loss beyond the ${formatBps(bounds.bounds.maxLossBps)} bound in the next ` +
      `report for a reference slot up to ${untilRefSlot}`,
    calls: [
      call(
        protocol.addresses.accountingOracle,
        oracle.interface.encodeFunctionData("allowLoss", [amount, untilRefSlot]),
      ),
    ],
    operationsAllowed: false,
    details: [
      ["loss accepted beyond the bound", formatEth(amount)],
      ["for reports up to ref slot", untilRefSlot.toString()],
      ["last processed ref slot", lastProcessed.toString()],
      ["current frame's ref slot", currentRefSlot.toString()],
      [
        "allowance in force now",
        bounds.allowedLoss === 0n ? "none" : `${formatEth(bounds.allowedLoss)} until ${bounds.allowedLossUntilRefSlot}`,
      ],
    ],
  };
}

/**
 * Forced exits through EIP-7002 (WithdrawalVault.forceExits). With `value` zero the vault pays the fees from its own
 * balance (protocol ether, a cost to holders); a nonzero `value` is sent by whoever executes and pays first, any rest
 * going back to the timelock. Each key must be a deposited Plural key; the chain must have the EIP-7002 contract.
 */
export async function planForceExit(
  protocol: Protocol,
  provider: { send(method: string, params: unknown[]): Promise<unknown> },
  pubkeys: readonly string[],
  maxFee: bigint,
  value: bigint,
): Promise<GovernancePlan> {
  const vault = protocol.withdrawalVault;
  const eip1193 = {
    request: ({ method, params }: { method: string; params?: readonly unknown[] }) =>
      provider.send(method, [...(params ?? [])]),
  };
  if (!(await hasWithdrawalRequestPredeploy(eip1193))) throw new WithdrawalRequestPredeployMissingError();
  const vaultCap = await vault.maxExitRequestFee();
  if (vaultCap === 0n) {
    throw new UserInputError(
      `the withdrawal vault's fee cap (maxExitRequestFee) is 0: forced exits are stopped; propose ` +
        `WithdrawalVault.setMaxExitRequestFee first (gov propose --calls)`,
    );
  }
  const cap = maxFee < vaultCap ? maxFee : vaultCap;
  const count = BigInt(pubkeys.length);
  if (value > count * cap) {
    throw new UserInputError(
      `--value ${formatEth(value)} is more than ${count} request(s) can cost at ${formatEth(cap)} each ` +
        `(${formatEth(count * cap)}): the rest would only sit in the timelock`,
    );
  }
  const keys = committedKeys(
    await readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock),
  );
  const byPubkey = new Map(keys.map((key) => [key.pubkey.toLowerCase(), key]));
  const deposited = new Map<number, bigint>();
  for (const [index, pubkey] of pubkeys.entries()) {
    const key = byPubkey.get(pubkey);
    if (key === undefined) {
      throw new UserInputError(
        `--pubkeys entry ${index + 1} (${shorten(pubkey)}) is not a key of any Plural operator: the vault can exit ` +
          `only validators with its withdrawal credentials, and the fee of any other request is lost`,
      );
    }
    if (!deposited.has(key.operatorId)) {
      deposited.set(key.operatorId, (await protocol.operatorRegistry.getOperator(key.operatorId)).depositedKeys);
    }
    if (BigInt(key.index) >= deposited.get(key.operatorId)!) {
      throw new UserInputError(
        `--pubkeys entry ${index + 1} (${shorten(pubkey)}) is key ${key.index} of operator ${key.operatorId}, not ` +
          `deposited yet: there is no validator to exit`,
      );
    }
  }
  let feeNow: bigint | undefined;
  try {
    feeNow = await readWithdrawalRequestFee(eip1193);
  } catch {
    // Before the chain's first system call the fee cannot be read; execution reads it again anyway.
  }
  const vaultBalance = await vault.runner!.provider!.getBalance(protocol.addresses.withdrawalVault);
  if (feeNow !== undefined) {
    if (feeNow > cap) {
      throw new UserInputError(
        `the EIP-7002 fee is ${formatEth(feeNow)} now, above the cap of ${formatEth(cap)} (the lower of --max-fee and ` +
          `the vault's ${formatEth(vaultCap)}): raise --max-fee, or wait for the fee to fall (it halves in minutes)`,
      );
    }
    if (value === 0n && vaultBalance < count * feeNow) {
      throw new UserInputError(
        `the withdrawal vault holds ${formatEth(vaultBalance)}, less than ${count} request(s) at the current fee of ` +
          `${formatEth(feeNow)}: pass --value to have the executor pay the fees`,
      );
    }
  }
  return {
    action: "force-exit",
    summary:
      `Force the exit of ${count} validator(s) through EIP-7002 (${pubkeys.map((key) => key.slice(0, 12)).join(", ")}), ` +
      `at most ${formatEth(maxFee)} a request`,
    calls: [
      {
        target: protocol.addresses.withdrawalVault,
        value,
        data: vault.interface.encodeFunctionData("forceExits", [
          `0x${pubkeys.map((key) => key.slice(2)).join("")}`,
          maxFee,
        ]),
      },
    ],
    operationsAllowed: false,
    details: [
      ...pubkeys.map((pubkey, i): Row => {
        const key = byPubkey.get(pubkey)!;
        return [`validator ${i + 1}`, `${shorten(pubkey)} (operator ${key.operatorId}, key ${key.index})`];
      }),
      ["max fee a request", `${formatEth(maxFee)} (vault cap ${formatEth(vaultCap)})`],
      ["fee now", feeNow === undefined ? "unknown (no system call yet)" : formatEth(feeNow)],
      [
        "fees paid by",
        value === 0n
          ? `the vault's balance (${formatEth(vaultBalance)} now): a cost to holders`
          : `the executor's ${formatEth(value)} first, any rest returned to the timelock`,
      ],
    ],
  };
}

/** The contract behind a proxy, by its upgrade name. */
function upgradeTarget(protocol: Protocol, contract: UpgradeableContract): { address: string; contract: BaseContract } {
  const found = protocolContracts(protocol).find(({ name }) => name === contract);
  if (found === undefined) throw new Error(`no ${contract} in the protocol`);
  return found;
}

/** The implementation a proxy points to, from its ERC-1967 slot. */
export async function readImplementation(
  provider: { getStorage(address: string, slot: string): Promise<string> },
  proxy: string,
): Promise<string> {
  return getAddress(dataSlice(await provider.getStorage(proxy, IMPLEMENTATION_SLOT), 12));
}

/**
 * Upgrades a proxy to `implementation` (upgradeToAndCall(implementation, "0x")): the implementation must hold code,
 * differ from the current one and be a UUPS implementation for the ERC-1967 slot.
 */
export async function planUpgrade(
  protocol: Protocol,
  contract: UpgradeableContract,
  implementation: string,
): Promise<GovernancePlan> {
  const proxy = upgradeTarget(protocol, contract);
  const provider = protocol.pool.runner!.provider!;
  const current = await readImplementation(provider, proxy.address);
  if ((await provider.getCode(implementation)) === "0x") {
    throw new UserInputError(`--implementation ${implementation} holds no contract: deploy it first, or use --deploy`);
  }
  if (implementation === current) {
    throw new UserInputError(`${contract} already runs implementation ${implementation}: nothing to upgrade`);
  }
  const proxiable = new Interface(["function proxiableUUID() view returns (bytes32)"]);
  let uuid: string | undefined;
  try {
    const answer = await provider.call({ to: implementation, data: proxiable.encodeFunctionData("proxiableUUID") });
    uuid = proxiable.decodeFunctionResult("proxiableUUID", answer)[0] as string;
  } catch {
    uuid = undefined;
  }
  if (uuid !== IMPLEMENTATION_SLOT) {
    throw new UserInputError(
      `--implementation ${implementation} is not a UUPS implementation (its proxiableUUID() does not answer the ` +
        `ERC-1967 slot): the proxy would refuse it`,
    );
  }
  return {
    action: "upgrade",
    summary: `Upgrade ${contract} (proxy ${proxy.address}) to implementation ${implementation}`,
    calls: [
      call(
        proxy.address,
        new Interface(["function upgradeToAndCall(address newImplementation, bytes data) payable"]).encodeFunctionData(
          "upgradeToAndCall",
          [implementation, "0x"],
        ),
      ),
    ],
    operationsAllowed: false,
    details: [
      ["proxy", `${contract} ${proxy.address}`],
      ["implementation", `${current} → ${implementation}`],
    ],
  };
}

/**
 * Deploys the current artifact of `contract` as a new implementation, with the constructor arguments the deployed
 * one was built with (the deposit contract for StakingPool and DepositGuard), from `deployer`.
 */
export async function deployImplementation(
  ethers: HardhatEthers,
  protocol: Protocol,
  contract: UpgradeableContract,
  deployer: HardhatEthersSigner,
): Promise<string> {
  const args =
    contract === "StakingPool"
      ? [await protocol.pool.depositContract()]
      : contract === "DepositGuard"
        ? [await protocol.depositGuard.depositContract()]
        : [];
  const deployed = await ethers.deployContract(contract, args, deployer);
  await deployed.waitForDeployment();
  return getAddress(await deployed.getAddress());
}

/** Grants `guardian` one pause (EmergencyPause.grantPause). */
export async function planGrantPause(protocol: Protocol, guardian: string): Promise<GovernancePlan> {
  requireAccount(guardian, "--guardian");
  const status = await readPauseStatus(protocol.emergencyPause);
  if (status.guardian === guardian && status.pauseAvailable) {
    throw new UserInputError(`${guardian} is the pause guardian and its pause is still unused: nothing to grant`);
  }
  const replacing =
    status.guardian === ZeroAddress
      ? "no guardian before"
      : status.guardian === guardian
        ? "its last pause used"
        : `replacing ${status.guardian}`;
  return {
    action: "grant-pause",
    summary: `Grant one emergency pause to ${guardian} (${replacing})`,
    calls: [
      call(
        protocol.addresses.emergencyPause,
        protocol.emergencyPause.interface.encodeFunctionData("grantPause", [guardian]),
      ),
    ],
    operationsAllowed: false,
    details: [
      ["guardian", `${status.guardian === ZeroAddress ? "none" : status.guardian} → ${guardian}`],
      ["max pause duration", formatDuration(status.maxPauseDuration)],
    ],
  };
}

/**
 * Ends pauses early (EmergencyPause.resume). At least one of `targets` must be paused, and paused past
 * `earliestExecution` (unix seconds), the first moment the proposal could execute: a pause that ends before then
 * ends by itself, and the resume would revert.
 */
export async function planResumePause(
  protocol: Protocol,
  targets: bigint,
  earliestExecution: bigint,
): Promise<GovernancePlan> {
  const status = await readPauseStatus(protocol.emergencyPause);
  const names = (Object.keys(PAUSE_TARGETS) as PauseTargetName[]).filter(
    (name) => (targets & PAUSE_TARGETS[name]) !== 0n,
  );
  const paused = names.filter((name) => status.pausedUntil[name] > status.now);
  if (paused.length === 0) {
    throw new UserInputError(`--targets ${names.join(",")}: none of them is paused, nothing to resume`);
  }
  const lasting = paused.filter((name) => status.pausedUntil[name] > earliestExecution);
  if (lasting.length === 0) {
    throw new UserInputError(
      `the pause of ${paused.map((name) => `${name} ends at ${isoTime(status.pausedUntil[name])}`).join(", ")}, by ` +
        `itself, before this proposal could execute (at the earliest ${isoTime(earliestExecution)})`,
    );
  }
  return {
    action: "resume-pause",
    summary: `Resume ${describePauseTargets(targets)} early (${paused.map((name) => `${name} paused until ${isoTime(status.pausedUntil[name])}`).join(", ")})`,
    calls: [
      call(
        protocol.addresses.emergencyPause,
        protocol.emergencyPause.interface.encodeFunctionData("resume", [targets]),
      ),
    ],
    operationsAllowed: false,
    details: names.map((name): Row => [
      name,
      status.pausedUntil[name] > status.now ? `paused until ${isoTime(status.pausedUntil[name])}` : "not paused",
    ]),
  };
}

/** The calls of a calls file, each target checked to hold code. */
export async function planCalls(protocol: Protocol, calls: GovernanceCall[]): Promise<GovernancePlan> {
  const provider = protocol.pool.runner!.provider!;
  for (const [index, entry] of calls.entries()) {
    if (entry.data !== "0x" && (await provider.getCode(entry.target)) === "0x") {
      throw new UserInputError(`call ${index + 1}: target ${entry.target} holds no contract to call`);
    }
  }
  const registry = getAddress(protocol.addresses.operatorRegistry);
  const operationsSelectors = OPERATIONS_FUNCTIONS.map(
    (name) => protocol.operatorRegistry.interface.getFunction(name)!.selector,
  );
  const described = calls.map((entry) => describeCall(protocol, entry));
  return {
    action: "calls",
    summary: described.length === 1 ? `Call ${described[0]}` : `${described.length} calls: ${described.join("; ")}`,
    calls,
    operationsAllowed: calls.every(
      (entry) =>
        getAddress(entry.target) === registry &&
        entry.value === 0n &&
        operationsSelectors.includes(dataSlice(entry.data, 0, 4)),
    ),
    // The calls themselves are what changes: printouts list them.
    details: [],
  };
}

function call(target: string, data: string): GovernanceCall {
  return { target: getAddress(target), value: 0n, data };
}

/**
 * Runs each call as `executor` (the timelock that will make it) against the current state, without sending anything,
 * and refuses the plan with the contract's own error when one would revert. Each call runs alone, so a call that
 * needs an earlier one of the same proposal cannot be checked this way; calls carrying ETH are not run (the timelock
 * does not hold it yet).
 */
export async function simulateCalls(
  protocol: Protocol,
  executor: string,
  calls: readonly GovernanceCall[],
): Promise<void> {
  const provider = protocol.pool.runner!.provider!;
  for (const [index, entry] of calls.entries()) {
    if (entry.value !== 0n) continue;
    try {
      await provider.call({ from: executor, to: entry.target, data: entry.data });
    } catch (error) {
      const data = findRevertData(error);
      const named = data === undefined ? undefined : nameCustomError(data, errorSources(protocol));
      const later =
        calls.length > 1 && index > 0
          ? ` (each call is tried alone on today's state: if it needs an earlier call of this proposal, pass --no-simulate)`
          : "";
      throw new UserInputError(
        `${calls.length > 1 ? `call ${index + 1}, ` : ""}${describeCall(protocol, entry)}, would revert if executed ` +
          `now: ${named?.text ?? (data === undefined ? "no reason given" : `revert data ${data}`)}${later}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// From task arguments to a plan

/** `gov propose`'s arguments as typed on the command line. */
export interface ProposeArguments {
  action: string;
  treasuryBps: string;
  operatorBps: string;
  name: string;
  manager: string;
  rewardAddress: string;
  threshold: string;
  members: string;
  operator: string;
  keys: string;
  quorum: string;
  amount: string;
  untilRefSlot: string;
  pubkeys: string;
  maxFee: string;
  value: string;
  contract: string;
  implementation: string;
  deploy: boolean;
  guardian: string;
  targets: string;
  calls: string;
}

/** Which options each action reads: any other one given is a mistake worth saying. */
const ACTION_OPTIONS: Record<GovernanceAction | "calls", (keyof ProposeArguments)[]> = {
  "set-fee": ["treasuryBps", "operatorBps"],
  "add-operator": ["name", "manager", "rewardAddress", "threshold", "members"],
  "vet-keys": ["operator", "keys"],
  "set-oracle-quorum": ["quorum"],
  "accept-loss": ["amount", "untilRefSlot"],
  "force-exit": ["pubkeys", "maxFee", "value"],
  upgrade: ["contract", "implementation", "deploy"],
  "grant-pause": ["guardian"],
  "resume-pause": ["targets"],
  calls: ["calls"],
};

/** Every action's options. */
const ACTION_KEYS = [...new Set(Object.values(ACTION_OPTIONS).flat())];

const kebab = (name: string) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** Empty `ProposeArguments`: every option unset. */
export function noProposeArguments(): ProposeArguments {
  return {
    action: "",
    treasuryBps: "",
    operatorBps: "",
    name: "",
    manager: "",
    rewardAddress: "",
    threshold: "",
    members: "",
    operator: "",
    keys: "",
    quorum: "",
    amount: "",
    untilRefSlot: "",
    pubkeys: "",
    maxFee: "",
    value: "",
    contract: "",
    implementation: "",
    deploy: false,
    guardian: "",
    targets: "",
    calls: "",
  };
}

/** The action `args` names: a named action, or "calls" for `--calls file.json` alone. */
export function parseAction(args: Pick<ProposeArguments, "action" | "calls">): GovernanceAction | "calls" {
  const action = args.action.trim().toLowerCase();
  if (action === "") {
    if (args.calls.trim() !== "") return "calls";
    throw new UserInputError(`no action: expected one of ${GOVERNANCE_ACTIONS.join(", ")}, or --calls file.json`);
  }
  if (args.calls.trim() !== "") {
    throw new UserInputError(`both an action (${action}) and --calls were given: a proposal is one or the other`);
  }
  const found = GOVERNANCE_ACTIONS.find((name) => name === action);
  if (found === undefined) {
    throw new UserInputError(
      `unknown action "${args.action}": expected one of ${GOVERNANCE_ACTIONS.join(", ")}, or --calls file.json`,
    );
  }
  return found;
}

/** What planning needs besides the arguments. */
export interface PlanContext {
  ethers: HardhatEthers;
  /** Deploys the implementation for `upgrade --deploy`. */
  deployer: HardhatEthersSigner;
  /** The earliest time the proposal could execute (unix seconds), for `resume-pause`. */
  earliestExecution: bigint;
  /** For the operations timelock: only adding operators and vetting keys. */
  operations?: boolean;
  /** Try each call as this address (the timelock that will make it) and refuse one that would revert. */
  simulateAs?: string;
}

/**
 * Refuses `--operations` for a deployment without the operations timelock, or for what it may not run: it holds only
 * the registry's ADD_OPERATOR_ROLE and VET_KEYS_ROLE.
 */
export function checkOperationsPlan(
  protocol: Protocol,
  plan: Pick<GovernancePlan, "action" | "operationsAllowed">,
): void {
  if (protocol.operationsTimelock === undefined) {
    throw new UserInputError(`--operations: this deployment has no operations timelock (operationsProposer was zero)`);
  }
  if (!plan.operationsAllowed) {
    throw new UserInputError(
      `--operations cannot run ${plan.action === "calls" ? "these calls" : plan.action}: the operations timelock holds ` +
        `only ADD_OPERATOR_ROLE and VET_KEYS_ROLE on the operator registry (add-operator, vet-keys); propose it to ` +
        `governance instead (without --operations)`,
    );
  }
}

/**
 * Turns `gov propose`'s arguments into a plan: the action's options parsed and checked, the chain consulted, the
 * calls encoded and, with `simulateAs`, tried. Options that the action does not read are refused, naming them.
 */
export async function planFromArguments(
  protocol: Protocol,
  args: ProposeArguments,
  context: PlanContext,
): Promise<GovernancePlan> {
  const action = parseAction(args);
  const allowed = new Set(ACTION_OPTIONS[action]);
  for (const key of ACTION_KEYS) {
    if (!allowed.has(key) && args[key] !== "" && args[key] !== false) {
      throw new UserInputError(
        `${kebab(key)} does not apply to ${action === "calls" ? "--calls" : action}, which reads ` +
          `${ACTION_OPTIONS[action].map(kebab).join(", ")}`,
      );
    }
  }
  if (context.operations === true) {
    // Refused before anything is read or deployed; a calls file is judged once parsed.
    checkOperationsPlan(protocol, {
      action,
      operationsAllowed: action === "add-operator" || action === "vet-keys" || action === "calls",
    });
  }
  const plan = await planAction(protocol, action, args, context);
  if (context.operations === true) checkOperationsPlan(protocol, plan);
  if (context.simulateAs !== undefined) await simulateCalls(protocol, context.simulateAs, plan.calls);
  return plan;
}

async function planAction(
  protocol: Protocol,
  action: GovernanceAction | "calls",
  args: ProposeArguments,
  context: PlanContext,
): Promise<GovernancePlan> {
  const { ethers } = context;
  switch (action) {
    case "set-fee":
      return planSetFee(
        protocol,
        parseBps(args.treasuryBps, "--treasury-bps"),
        parseBps(args.operatorBps, "--operator-bps"),
      );
    case "add-operator": {
      const manager = await requiredAddress(ethers, args.manager, "--manager", "the address that will submit its keys");
      const rewardAddress =
        args.rewardAddress.trim() === ""
          ? manager
          : await resolveAddress(ethers, args.rewardAddress, "--reward-address");
      const members =
        args.members.trim() === ""
          ? []
          : args.members.split(",").map((member, i) => parseAddress(member, `--members entry ${i + 1}`, ""));
      if (members.includes(""))
        throw new UserInputError(`--members has an empty entry: expected addresses, comma-separated`);
      const clustered = members.length > 0 || args.threshold.trim() !== "";
      return planAddOperator(protocol, {
        name: args.name,
        manager,
        rewardAddress,
        ...(clustered
          ? {
              cluster: {
                threshold: parseWholeNumber(args.threshold, "--threshold", "a whole number of signers"),
                members,
              },
            }
          : {}),
      });
    }
    case "vet-keys": {
      const operatorId = await parseOperatorId(protocol.operatorRegistry, args.operator);
      return planVetKeys(protocol, operatorId, parseWholeNumber(args.keys, "--keys", "a key count (the first N keys)"));
    }
    case "set-oracle-quorum":
      return planSetOracleQuorum(protocol, parseWholeNumber(args.quorum, "--quorum", "a number of oracle members"));
    case "accept-loss": {
      if (args.amount.trim() === "") throw new UserInputError(`--amount is required: ETH of loss to accept, e.g. 20`);
      return planAcceptLoss(
        protocol,
        parseEthAmount(args.amount, "--amount"),
        parseWholeNumber(args.untilRefSlot, "--until-ref-slot", "a beacon slot number"),
      );
    }
    case "force-exit": {
      if (args.maxFee.trim() === "") {
        throw new UserInputError(`--max-fee is required: the most ETH to pay per exit request, e.g. 0.001`);
      }
      return planForceExit(
        protocol,
        ethers.provider,
        parsePubkeys(args.pubkeys),
        parseEthAmount(args.maxFee, "--max-fee"),
        args.value.trim() === "" ? 0n : parseEthAmount(args.value, "--value"),
      );
    }
    case "upgrade": {
      if (args.contract.trim() === "") {
        throw new UserInputError(`--contract is required: one of ${UPGRADEABLE_CONTRACTS.join(", ")}`);
      }
      const contract = parseUpgradeableContract(args.contract);
      if (args.deploy === (args.implementation.trim() !== "")) {
        throw new UserInputError(
          `upgrade needs either --implementation <address> or --deploy (to deploy the current ${contract} artifact), ` +
            `not ${args.deploy ? "both" : "neither"}`,
        );
      }
      const implementation = args.deploy
        ? await deployImplementation(ethers, protocol, contract, context.deployer)
        : parseAddress(args.implementation, "--implementation");
      return planUpgrade(protocol, contract, implementation);
    }
    case "grant-pause":
      return planGrantPause(
        protocol,
        await requiredAddress(ethers, args.guardian, "--guardian", "the account that may pause once"),
      );
    case "resume-pause":
      return planResumePause(protocol, parsePauseTargets(args.targets), context.earliestExecution);
    case "calls": {
      let text: string;
      try {
        text = readFileSync(args.calls, "utf8");
      } catch (error) {
        throw new UserInputError(`--calls ${args.calls} cannot be read: ${(error as Error).message}`);
      }
      return planCalls(protocol, parseCallsJson(text, args.calls, callTargets(protocol)));
    }
  }
}

async function requiredAddress(ethers: HardhatEthers, text: string, argument: string, what: string): Promise<string> {
  if (text.trim() === "") throw new UserInputError(`${argument} is required: ${what}`);
  return resolveAddress(ethers, text, argument);
}
