import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, getAddress, getBytes, type Provider, Signature, TypedDataEncoder } from "ethers";

import type { IDepositGuard } from "../typechain-types/contracts/DepositGuard.js";
import type { IOperatorRegistry } from "../typechain-types/contracts/OperatorRegistry.js";
import { computeDepositDataRoot, fromLittleEndian64 } from "./depositData.js";
import { UserInputError } from "./errors.js";
import {
  computeDepositMessageRoot,
  type DepositDataEntry,
  formatDepositProblems,
  VALIDATOR_DEPOSIT_GWEI,
  verifyDepositData,
} from "./keys/depositData.js";
import { rangeProof } from "./merkle.js";
import { type BeaconNetwork, beaconNetwork } from "./networks.js";
import { type CommittedBatch, committedKeys, listOperators, readCommittedBatches } from "./operators.js";
import { queryInChunks } from "./logs.js";
import { findRevertData, nameCustomError } from "./pool.js";
import type { Protocol } from "./protocol.js";

/** The beacon network of the connected execution chain. */
export async function connectedBeaconNetwork(provider: Provider): Promise<Readonly<BeaconNetwork>> {
  const { chainId } = await provider.getNetwork();
  return beaconNetwork(chainId, "the connected chain");
}

/** A `DepositEvent` of the deposit contract. */
export interface DepositLog {
  pubkey: string;
  withdrawalCredentials: string;
  amountGwei: bigint;
  index: bigint;
  blockNumber: number;
}

/**
 * Every deposit the deposit contract logged since the protocol was deployed, up to `toBlock`. Earlier deposits cannot
 * front-run keys that did not exist yet; a key deposited before (elsewhere) shows on the beacon chain, not here.
 */
export async function readDepositLogs(protocol: Protocol, toBlock?: number): Promise<DepositLog[]> {
  const contract = protocol.depositContract;
  const last = toBlock ?? (await contract.runner!.provider!.getBlockNumber());
  const events = await queryInChunks(
    (from, to) => contract.queryFilter(contract.filters.DepositEvent(), from, to),
    protocol.addresses.deployedAtBlock,
    last,
  );
  return events.map((event) => ({
    pubkey: event.args.pubkey.toLowerCase(),
    withdrawalCredentials: event.args.withdrawal_credentials.toLowerCase(),
    amountGwei: fromLittleEndian64(event.args.amount),
    index: fromLittleEndian64(event.args.index),
    blockNumber: event.blockNumber,
  }));
}

/** A deposit-file entry for a committed key, so it can be verified like any deposit. */
function entryFor(pubkey: string, credentials: string, signature: string, network: BeaconNetwork): DepositDataEntry {
  const strip = (hex: string) => hex.slice(2).toLowerCase();
  return {
    pubkey: strip(pubkey),
    withdrawal_credentials: strip(credentials),
    amount: Number(VALIDATOR_DEPOSIT_GWEI),
    signature: strip(signature),
    deposit_message_root: Buffer.from(computeDepositMessageRoot(pubkey, credentials, VALIDATOR_DEPOSIT_GWEI)).toString(
      "hex",
    ),
    deposit_data_root: strip(computeDepositDataRoot(pubkey, credentials, VALIDATOR_DEPOSIT_GWEI, signature)),
    fork_version: strip(network.genesisForkVersion),
    network_name: network.depositCliNetworkName,
    // Not from a file: the field only has to be well-formed.
    deposit_cli_version: "registry",
  };
}

function describeDeposit(log: DepositLog, ours: string): string {
  return log.withdrawalCredentials === ours.toLowerCase()
    ? `already deposited (deposit #${log.index}, block ${log.blockNumber})`
    : `a deposit with other withdrawal credentials ${log.withdrawalCredentials} exists (deposit #${log.index}, ` +
        `block ${log.blockNumber}): the first deposit fixes a validator's credentials, so this key would stake ` +
        `to someone else`;
}

/**
 * Everything `keys submit` refuses a deposit-data file for, one line per problem, naming the deposit and key: the
 * full file verification (BLS signature under the chain's fork, roots, 32 ETH, duplicates) with the protocol's own
 * withdrawal credentials; keys some operator already submitted; keys the deposit contract already saw.
 */
export async function checkKeySubmission(
  protocol: Protocol,
  network: BeaconNetwork,
  entries: readonly DepositDataEntry[],
): Promise<string[]> {
  const credentials = await protocol.pool.withdrawalCredentials();
  const problems = formatDepositProblems(verifyDepositData(entries, { network, withdrawalCredentials: credentials }));
  const submitted = new Map(
    committedKeys(
      await readCommittedBatches(protocol.operatorRegistry, undefined, protocol.addresses.deployedAtBlock),
    ).map((key) => [key.pubkey.toLowerCase(), key]),
  );
  const deposited = new Map((await readDepositLogs(protocol)).map((log) => [log.pubkey, log]));
  entries.forEach((entry, index) => {
    const pubkey = `0x${entry.pubkey.toLowerCase()}`;
    const label = `deposit ${index} (pubkey 0x${entry.pubkey.slice(0, 12)}…)`;
    const known = submitted.get(pubkey);
    if (known !== undefined) {
      problems.push(`${label}: already submitted as key ${known.index} of operator ${known.operatorId}`);
    }
    const log = deposited.get(pubkey);
    if (log !== undefined) problems.push(`${label}: ${describeDeposit(log, credentials)}`);
  });
  return problems;
}

/** The keys the registry would hand out next, and what a guardian found wrong with them. */
export interface GuardianReport {
  blockNumber: number;
  blockHash: string;
  depositRoot: string;
  registryNonce: bigint;
  /** Vetted keys not deposited yet: what an attestation allows to deposit. */
  checkedKeys: number;
  /** One line per problem, naming the operator, key index and pubkey. */
  problems: string[];
  /** Operators with a problem key: candidates for an unvet. */
  operatorsAtFault: number[];
}

/**
 * Runs every check a guardian makes before attesting, on the chain as of the latest block: each vetted, undeposited
 * key's BLS signature for the protocol's withdrawal credentials and the chain's fork; its uniqueness across every
 * operator's submitted keys; and that the deposit contract has no deposit for it (a deposit with other credentials
 * would be front-running). `blockNumber` pins the check to an earlier block, so that guardians on different machines
 * attest the same state (the guard accepts blocks up to `maxBlockAge` old).
 */
export async function guardianCheck(
  protocol: Protocol,
  network: BeaconNetwork,
  blockNumber?: number,
): Promise<GuardianReport> {
  const provider = protocol.pool.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the protocol's contracts have no provider");
  const block = await provider.getBlock(blockNumber ?? "latest");
  if (block === null || block.hash === null) {
    throw new UserInputError(`--block ${blockNumber}: the chain has no such block yet`);
  }
  const blockTag = block.number;
  const [depositRoot, registryNonce, credentials] = await Promise.all([
    protocol.depositContract.get_deposit_root({ blockTag }),
    protocol.operatorRegistry.nonce({ blockTag }),
    protocol.pool.withdrawalCredentials({ blockTag }),
  ]);
  const batches = await readCommittedBatches(protocol.operatorRegistry, blockTag, protocol.addresses.deployedAtBlock);
  const keys = committedKeys(batches);
  const operators = await listOperators(protocol.operatorRegistry, blockTag);
  const usable = keys.filter((key) => {
    const op = operators[key.operatorId]!;
    return BigInt(key.index) >= op.depositedKeys && BigInt(key.index) < op.vettedKeys;
  });
  const problems: string[] = [];
  const atFault = new Set<number>();
  const name = (key: (typeof keys)[number]) =>
    `operator ${key.operatorId} key ${key.index} (pubkey ${key.pubkey.slice(0, 14)}…)`;
  const reports = verifyDepositData(
    usable.map((key) => entryFor(key.pubkey, credentials, key.signature, network)),
    { network, withdrawalCredentials: credentials },
  );
  for (const report of reports) {
    // Duplicates are reported below by operator and key index, across every submitted key: the file check's
    // "also deposit N of this file" would name a position in a list no guardian sees.
    const found = report.problems.filter((problem) => !problem.startsWith("duplicate pubkey:"));
    if (found.length === 0) continue;
    const key = usable[report.index]!;
    atFault.add(key.operatorId);
    problems.push(`${name(key)}: ${found.join("; ")}`);
  }
  const holders = new Map<string, typeof keys>();
  for (const key of keys) {
    const pubkey = key.pubkey.toLowerCase();
    const list = holders.get(pubkey);
    if (list === undefined) holders.set(pubkey, [key]);
    else list.push(key);
  }
  const deposits = new Map((await readDepositLogs(protocol, blockTag)).map((log) => [log.pubkey, log]));
  for (const key of usable) {
    const others = holders.get(key.pubkey.toLowerCase())!.filter((other) => other !== key);
    if (others.length > 0) {
      atFault.add(key.operatorId);
      problems.push(
        `${name(key)}: also submitted as ${others.map((other) => `operator ${other.operatorId} key ${other.index}`).join(", ")}`,
      );
    }
    const log = deposits.get(key.pubkey.toLowerCase());
    if (log !== undefined) {
      atFault.add(key.operatorId);
      problems.push(`${name(key)}: ${describeDeposit(log, credentials)}`);
    }
  }
  return {
    blockNumber: block.number,
    blockHash: block.hash,
    depositRoot,
    registryNonce,
    checkedKeys: usable.length,
    problems,
    operatorsAtFault: [...atFault].sort((a, b) => a - b),
  };
}

/** One guardian's EIP-2098 compact signature. */
export interface GuardianSignature {
  guardian: string;
  r: string;
  vs: string;
}

/** A deposit attestation as guardians exchange it (JSON): the signed fields and the signatures gathered so far. */
export interface AttestationFile {
  chainId: string;
  depositGuard: string;
  depositRoot: string;
  registryNonce: string;
  blockNumber: number;
  blockHash: string;
  signatures: GuardianSignature[];
}

const ATTESTATION_TYPES = {
  DepositAttestation: [
    { name: "depositRoot", type: "bytes32" },
    { name: "registryNonce", type: "uint256" },
    { name: "blockNumber", type: "uint256" },
    { name: "blockHash", type: "bytes32" },
  ],
};

async function guardDomain(protocol: Protocol) {
  const { chainId } = await protocol.depositGuard.runner!.provider!.getNetwork();
  return { name: "Plural DepositGuard", version: "1", chainId, verifyingContract: protocol.addresses.depositGuard };
}

/**
 * Signs a clean guardian report as `guardian` (EIP-712, the digest `DepositGuard.attestationDigest` computes).
 *
 * @throws UserInputError when the report has problems or the signer is not a guardian.
 */
export async function signAttestation(
  protocol: Protocol,
  guardian: HardhatEthersSigner,
  report: GuardianReport,
): Promise<AttestationFile> {
  if (report.problems.length > 0) {
    throw new UserInputError(
      `refusing to attest: ${report.problems.length} problem(s) with the keys the registry would deposit next ` +
        `(${report.problems[0]}${report.problems.length > 1 ? "; ..." : ""})`,
    );
  }
  if (!(await protocol.depositGuard.isGuardian(guardian.address))) {
    throw new UserInputError(`${guardian.address} is not a guardian of ${protocol.addresses.depositGuard}`);
  }
  const domain = await guardDomain(protocol);
  const message = {
    depositRoot: report.depositRoot,
    registryNonce: report.registryNonce,
    blockNumber: report.blockNumber,
    blockHash: report.blockHash,
  };
  const signature = Signature.from(await guardian.signTypedData(domain, ATTESTATION_TYPES, message));
  if (
    TypedDataEncoder.hash(domain, ATTESTATION_TYPES, message) !==
    (await protocol.depositGuard.attestationDigest(
      report.depositRoot,
      report.registryNonce,
      report.blockNumber,
      report.blockHash,
    ))
  ) {
    throw new Error("the EIP-712 digest signed differs from the guard's: wrong domain or types");
  }
  return {
    chainId: domain.chainId.toString(),
    depositGuard: getAddress(protocol.addresses.depositGuard),
    depositRoot: report.depositRoot,
    registryNonce: report.registryNonce.toString(),
    blockNumber: report.blockNumber,
    blockHash: report.blockHash,
    signatures: [{ guardian: getAddress(guardian.address), r: signature.r, vs: signature.yParityAndS }],
  };
}

/**
 * Merges attestations of the same fields into one, each guardian once, signatures sorted by guardian address as the
 * guard requires.
 *
 * @throws UserInputError when the attestations sign different fields.
 */
export function mergeAttestations(attestations: readonly AttestationFile[]): AttestationFile {
  const [first, ...rest] = attestations;
  if (first === undefined) throw new UserInputError("no attestation to merge");
  const fields = (a: AttestationFile) =>
    JSON.stringify([a.chainId, a.depositGuard, a.depositRoot, a.registryNonce, a.blockNumber, a.blockHash]);
  const byGuardian = new Map<string, GuardianSignature>();
  for (const attestation of [first, ...rest]) {
    if (fields(attestation) !== fields(first)) {
      throw new UserInputError(
        `attestations sign different states (block ${first.blockNumber} nonce ${first.registryNonce} vs block ` +
          `${attestation.blockNumber} nonce ${attestation.registryNonce}): every guardian must attest the same block`,
      );
    }
    for (const signature of attestation.signatures) byGuardian.set(getAddress(signature.guardian), signature);
  }
  const signatures = [...byGuardian.values()].sort((a, b) =>
    BigInt(a.guardian) < BigInt(b.guardian) ? -1 : BigInt(a.guardian) > BigInt(b.guardian) ? 1 : 0,
  );
  return { ...first, signatures };
}

/** Reads an attestation JSON file's text. */
export function parseAttestation(text: string, source: string): AttestationFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const a = value as Partial<AttestationFile>;
  const hex32 = (x: unknown) => typeof x === "string" && /^0x[0-9a-fA-F]{64}$/.test(x);
  if (
    typeof a !== "object" ||
    a === null ||
    typeof a.chainId !== "string" ||
    typeof a.depositGuard !== "string" ||
    !hex32(a.depositRoot) ||
    typeof a.registryNonce !== "string" ||
    typeof a.blockNumber !== "number" ||
    !hex32(a.blockHash) ||
    !Array.isArray(a.signatures) ||
    !a.signatures.every((s) => typeof s?.guardian === "string" && hex32(s.r) && hex32(s.vs))
  ) {
    throw new UserInputError(
      `${source} is not a Plural attestation: expected chainId, depositGuard, depositRoot, registryNonce, ` +
        `blockNumber, blockHash and signatures [{guardian, r, vs}] as "guardian attest" writes them`,
    );
  }
  return a as AttestationFile;
}

/** The attestation as the pool takes it. */
export function attestationStruct(file: AttestationFile): IDepositGuard.AttestationStruct {
  const merged = mergeAttestations([file]);
  return {
    depositRoot: merged.depositRoot,
    registryNonce: BigInt(merged.registryNonce),
    blockNumber: BigInt(merged.blockNumber),
    blockHash: merged.blockHash,
    signatures: merged.signatures.map(({ r, vs }) => ({ r, vs })),
  };
}

/** The validators a stake would deposit. */
export interface StakePlan {
  count: number;
  /** Validators per operator id. */
  allocation: bigint[];
  segments: IOperatorRegistry.KeySegmentStruct[];
}

/** Most validators in one `depositValidators` call by default (about 2 million gas at ~38,000 a validator). */
export const DEFAULT_MAX_VALIDATORS_PER_STAKE = 50;

/**
 * The largest stake the pool can make now, up to `maxValidators`: as many 32 ETH as the buffer holds, and no more
 * than the registry can allocate in full (within vetted keys and the share cap; since the cap is measured after the
 * deposit, a smaller count can fail where a larger one fits, so counts are tried from the top down).
 *
 * @throws UserInputError saying why nothing can be staked.
 */
export async function planStake(
  protocol: Protocol,
  maxValidators = DEFAULT_MAX_VALIDATORS_PER_STAKE,
): Promise<StakePlan> {
  const { bufferedEther } = await protocol.pool.getAccounting();
  const byBuffer = Number(bufferedEther / 32_000_000_000_000_000_000n);
  if (byBuffer === 0) {
    throw new UserInputError(`the buffer holds less than 32 ETH: nothing to stake`);
  }
  const registry = protocol.operatorRegistry;
  let count = Math.min(byBuffer, maxValidators);
  let allocation: bigint[] = [];
  for (; count > 0; count--) {
    const [perOperator, allocated] = await registry.allocate(count);
    if (allocated === BigInt(count)) {
      allocation = [...perOperator];
      break;
    }
  }
  if (count === 0) {
    const cap = await registry.shareCapBps();
    throw new UserInputError(
      `no validator can be allocated: operators need vetted, undeposited keys, and no operator may end above the ` +
        `share cap of ${Number(cap) / 100} % of active validators (a cap below 100 % needs keys from several operators)`,
    );
  }
  const batches = await readCommittedBatches(registry, undefined, protocol.addresses.deployedAtBlock);
  const credentials = await protocol.pool.withdrawalCredentials();
  const segments: IOperatorRegistry.KeySegmentStruct[] = [];
  for (const [operatorId, amount] of allocation.entries()) {
    if (amount === 0n) continue;
    let next = Number((await registry.getOperator(operatorId)).depositedKeys);
    const end = next + Number(amount);
    while (next < end) {
      const batch = batchHolding(batches, operatorId, next);
      const stop = Math.min(end, batch.end);
      segments.push(segmentOf(batch, next, stop - next, credentials));
      next = stop;
    }
  }
  return { count, allocation, segments };
}

function batchHolding(batches: readonly CommittedBatch[], operatorId: number, index: number): CommittedBatch {
  const batch = batches.find((b) => b.operatorId === operatorId && b.firstIndex <= index && index < b.end);
  if (batch === undefined) throw new Error(`no batch of operator ${operatorId} holds key ${index}`);
  return batch;
}

function segmentOf(
  batch: CommittedBatch,
  firstIndex: number,
  count: number,
  credentials: string,
): IOperatorRegistry.KeySegmentStruct {
  const from = firstIndex - batch.firstIndex;
  const pubkeys = batch.pubkeys.slice(from, from + count);
  const signatures = batch.signatures.slice(from, from + count);
  return {
    operatorId: batch.operatorId,
    batchIndex: batch.batchIndex,
    pubkeys: `0x${pubkeys.map((p) => p.slice(2)).join("")}`,
    signatures: `0x${signatures.map((s) => s.slice(2)).join("")}`,
    depositDataRoots: pubkeys.map((pubkey, i) =>
      computeDepositDataRoot(pubkey, credentials, VALIDATOR_DEPOSIT_GWEI, signatures[i]!),
    ),
    proof: rangeProof(batch.leaves, from, count),
  };
}

/** A stake that went through. */
export interface StakeReceipt {
  txHash: string;
  validators: number;
  gasUsed: bigint;
}

/**
 * Deposits the planned validators with the attestation. The call is simulated first, so a refusal (a deposit or key
 * change since the guardians attested, a pause, too few signatures) is reported by name and nothing is sent.
 */
export async function stake(
  protocol: Protocol,
  signer: HardhatEthersSigner,
  plan: StakePlan,
  attestation: AttestationFile,
): Promise<StakeReceipt> {
  const { chainId } = await signer.provider!.getNetwork();
  if (
    attestation.chainId !== chainId.toString() ||
    getAddress(attestation.depositGuard) !== getAddress(protocol.addresses.depositGuard)
  ) {
    throw new UserInputError(
      `the attestation is for guard ${attestation.depositGuard} on chain ${attestation.chainId}, not this ` +
        `deployment's ${protocol.addresses.depositGuard} on chain ${chainId}`,
    );
  }
  const pool = protocol.pool.connect(signer);
  const args = [plan.segments, attestationStruct(attestation)] as const;
  try {
    // In the pending block, like the transaction: a call at "latest" runs in the attested block itself, whose hash the
    // chain does not know yet.
    await pool.depositValidators.staticCall(...args, { blockTag: "pending" });
  } catch (error) {
    throw explainRefusal(error, [protocol.pool, protocol.depositGuard, protocol.operatorRegistry]) ?? error;
  }
  const receipt = await (await pool.depositValidators(...args)).wait();
  if (receipt === null) throw new Error("the stake transaction was dropped");
  return { txHash: receipt.hash, validators: plan.count, gasUsed: receipt.gasUsed };
}

/** A `UserInputError` naming the custom error (of any of `contracts`) inside `error`. */
export function explainRefusal(error: unknown, contracts: readonly BaseContract[]): UserInputError | undefined {
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  const named = nameCustomError(data, contracts);
  if (named !== undefined) {
    return new UserInputError(`the transaction would revert: ${named.text}${HINTS[named.name] ?? ""}`);
  }
  if (getBytes(data).length >= 4) return new UserInputError(`the transaction would revert (data ${data})`);
  return undefined;
}

const HINTS: Record<string, string> = {
  DepositRootChanged: ": a deposit happened since the guardians attested; they must check and attest again",
  RegistryNonceChanged: ": the operators' keys changed since the guardians attested; they must attest again",
  AttestationTooOld: ": the guardians must attest a more recent block",
  UnknownBlockHash: ": the attested block is not on this chain (or too old)",
  NotEnoughSignatures: ": gather more guardian signatures (guardian attest --append)",
  StakingIsPaused: ": a guardian paused staking",
};

/** Keys sent to the registry. */
export interface SubmissionReceipt {
  operatorId: number;
  keys: number;
  batches: { txHash: string; firstIndex: number; count: number; gasUsed: bigint }[];
}

/** Default keys per `addKeys` transaction (about 600,000 gas). */
export const DEFAULT_KEYS_PER_BATCH = 100;

/**
 * Submits verified deposit data as the operator's next keys, `batchSize` keys a transaction. Refuses, before sending
 * anything, when the signer is not the operator's manager, the operator is inactive, or `checkKeySubmission` finds
 * any problem (all of them listed in the error).
 */
export async function submitKeys(
  protocol: Protocol,
  manager: HardhatEthersSigner,
  operatorId: number,
  entries: readonly DepositDataEntry[],
  options: { network: BeaconNetwork; batchSize?: number; onBatch?: (done: number, total: number) => void },
): Promise<SubmissionReceipt> {
  const batchSize = options.batchSize ?? DEFAULT_KEYS_PER_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    throw new UserInputError(`--batch-size ${batchSize}: expected a whole number from 1 to 1000`);
  }
  if (entries.length === 0) throw new UserInputError("the deposit data file holds no deposits");
  const registry = protocol.operatorRegistry;
  const operator = await registry.getOperator(operatorId);
  if (getAddress(operator.manager) !== getAddress(manager.address)) {
    throw new UserInputError(
      `${manager.address} is not the manager of operator ${operatorId} (${operator.manager} is): use --from`,
    );
  }
  if (!operator.active) throw new UserInputError(`operator ${operatorId} is inactive: governance must activate it`);
  const problems = await checkKeySubmission(protocol, options.network, entries);
  if (problems.length > 0) {
    throw new UserInputError(
      `nothing was submitted: ${problems.length} problem(s) in the deposit data:\n  ${problems.join("\n  ")}`,
    );
  }
  const receipt: SubmissionReceipt = { operatorId, keys: entries.length, batches: [] };
  const asManager = registry.connect(manager);
  for (let start = 0; start < entries.length; start += batchSize) {
    const chunk = entries.slice(start, start + batchSize);
    const tx = await asManager.addKeys(
      operatorId,
      `0x${chunk.map((entry) => entry.pubkey).join("")}`,
      `0x${chunk.map((entry) => entry.signature).join("")}`,
    );
    const mined = await tx.wait();
    if (mined === null) throw new Error(`addKeys ${tx.hash} was dropped`);
    // The registry's own record of where the batch went, rather than a read before sending that could be stale.
    const added = mined.logs
      .map((log) => registry.interface.parseLog(log))
      .find((parsed) => parsed?.name === "KeysAdded");
    if (added === undefined || added === null) throw new Error(`addKeys ${mined.hash} emitted no KeysAdded event`);
    const firstIndex = Number(added.args.firstIndex);
    receipt.batches.push({ txHash: mined.hash, firstIndex, count: chunk.length, gasUsed: mined.gasUsed });
    options.onBatch?.(start + chunk.length, entries.length);
  }
  return receipt;
}
