import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionReceipt, Provider } from "ethers";
import { MaxUint256, Signature } from "ethers";

import type { WithdrawalQueue } from "../typechain-types/index.js";
import { formatDuration, formatEth, formatPlEth } from "./amounts.js";
import { readBlock } from "./blocks.js";
import { UserInputError } from "./errors.js";
import { owedExits } from "./exitRequests.js";
import { queryInChunks } from "./logs.js";
import { FINALITY_EPOCHS, nextReportableFrame, readFrame } from "./oracle/frames.js";
import { findRevertData, nameCustomError } from "./pool.js";
import type { Protocol } from "./protocol.js";
import { renderGrid, renderTable, type Row } from "./table.js";
import { isoTime } from "./time.js";

/** The least and the most ether value of one request (`WithdrawalQueue.MIN_REQUEST` / `MAX_REQUEST`). */
export const MIN_REQUEST = 10n ** 14n;
export const MAX_REQUEST = 1000n * 10n ** 18n;
/** Requests per transaction: keeps a large withdrawal well inside a block. */
export const MAX_REQUESTS_PER_TRANSACTION = 100;
/** Lifetime of the permit a request signs, in seconds. */
const PERMIT_LIFETIME = 3600n;
/**
 * Epochs from a validator's exit being initiated until its balance can be withdrawn, on the spec's minimum path:
 * MAX_SEED_LOOKAHEAD + 1 to the exit epoch, then MIN_VALIDATOR_WITHDRAWABILITY_DELAY.
 */
export const EXIT_TO_WITHDRAWABLE_EPOCHS = 4n + 1n + 256n;
/** A validator's stake: what each exit brings, at most (beyond skimmed rewards). */
const VALIDATOR_ETHER = 32n * 10n ** 18n;

/** A request as the queue and the owner see it. */
export interface WithdrawalRequest {
  id: bigint;
  owner: string;
  shares: bigint;
  etherAtRequest: bigint;
  requestedAt: bigint;
  status: "pending" | "finalized" | "claimed";
  /** What a claim pays now: zero unless finalized and not claimed. */
  claimable: bigint;
  /** For a claimed request: what it paid, and to whom. */
  claimedAmount?: bigint;
  receiver?: string;
}

/** A request transaction that went through. */
export interface RequestReceipt {
  txHash: string;
  blockNumber: number;
  gasUsed: bigint;
  usedPermit: boolean;
  requests: { id: bigint; owner: string; shares: bigint; etherValue: bigint }[];
}

/** A claim transaction that went through. */
export interface ClaimReceipt {
  txHash: string;
  blockNumber: number;
  gasUsed: bigint;
  receiver: string;
  claims: { id: bigint; amount: bigint }[];
  total: bigint;
}

/** The queue's state and what a new request can expect. */
export interface QueueStatus {
  lastRequestId: bigint;
  lastFinalizedId: bigint;
  pendingRequests: bigint;
  unfinalizedEther: bigint;
  unfinalizedShares: bigint;
  lockedEther: bigint;
  bufferedEther: bigint;
  vaultEther: bigint;
  /** Exits operators were asked for and still owe: their ether (32 ETH each) is on its way. */
  exitsOwed: bigint;
  /** Demand not covered by the buffer, the vaults and the exits owed: more validators must exit for it. */
  shortfall: bigint;
  validatorsToExit: bigint;
  /** The last report saw slashing penalties still pending: finalization waits until they land. */
  bunkerMode: boolean;
  now: bigint;
  /** When the first report that can finalize a request made now is accepted. */
  nextFinalizingReport: bigint;
  /** Seconds a request made now is expected to wait (see `expectedWaitExplanation`). */
  expectedWait: bigint;
  expectedWaitExplanation: string;
}

/**
 * Splits `shares` into request amounts, each worth at most `MAX_REQUEST` at the current rate and as even as
 * possible, and checks each is worth at least `MIN_REQUEST`.
 *
 * @throws UserInputError naming the amount and the limits.
 */
export async function planRequestAmounts(protocol: Protocol, shares: bigint): Promise<bigint[]> {
  if (shares <= 0n) throw new UserInputError("amount must be more than 0 plETH");
  const amounts = splitRequestAmount(shares, await protocol.pool.convertToShares(MAX_REQUEST));
  const smallest = await protocol.pool.convertToAssets(amounts[amounts.length - 1]!);
  if (smallest < MIN_REQUEST) {
    throw new UserInputError(
      `amount ${formatPlEth(shares)} is worth ${formatEth(await protocol.pool.convertToAssets(shares))}: a request ` +
        `must be worth at least ${formatEth(MIN_REQUEST)}`,
    );
  }
  return amounts;
}

/**
 * Splits `shares` into the fewest parts of at most `maxShares` each, as even as possible (they differ by at most one),
 * larger parts first; they add up to `shares`.
 */
export function splitRequestAmount(shares: bigint, maxShares: bigint): bigint[] {
  if (shares <= 0n || maxShares <= 0n) throw new RangeError("shares and maxShares must be positive");
  const count = (shares + maxShares - 1n) / maxShares;
  const base = shares / count;
  const extra = shares % count;
  return Array.from({ length: Number(count) }, (_, i) => base + (BigInt(i) < extra ? 1n : 0n));
}

/**
 * Requests the withdrawal of `shares` plETH from `signer`: split into requests of at most `MAX_REQUEST` each, whose
 * tokens go to `owner`. When the queue's allowance is short, signs an EIP-2612 permit so the approval and the
 * request are one transaction (`usePermit: false` sends an approval first instead). Checks the balance first and
 * sends nothing when it is short.
 */
export async function requestWithdrawal(
  protocol: Protocol,
  signer: HardhatEthersSigner,
  shares: bigint,
  options: { owner?: string; usePermit?: boolean; onSubmitted?: (txHash: string) => void } = {},
): Promise<RequestReceipt> {
  const { pool, withdrawalQueue: queue } = protocol;
  const owner = options.owner ?? signer.address;
  const balance = await pool.balanceOf(signer.address);
  if (balance < shares) {
    throw new UserInputError(
      `${signer.address} holds ${formatPlEth(balance)}, less than the ${formatPlEth(shares)} to withdraw`,
    );
  }
  const amounts = await planRequestAmounts(protocol, shares);
  if (amounts.length > MAX_REQUESTS_PER_TRANSACTION) {
    throw new UserInputError(
      `amount ${formatPlEth(shares)} needs ${amounts.length} requests of at most ${formatEth(MAX_REQUEST)}: ` +
        `withdraw at most ${MAX_REQUESTS_PER_TRANSACTION * 1000} ETH worth per command`,
    );
  }
  const queueAddress = await queue.getAddress();
  const allowance = await pool.allowance(signer.address, queueAddress);
  const usePermit = allowance < shares && options.usePermit !== false;
  let receipt: ContractTransactionReceipt | null;
  try {
    if (allowance < shares && !usePermit) {
      await (await pool.connect(signer).approve(queueAddress, MaxUint256)).wait();
    }
    const tx = usePermit
      ? await queue
          .connect(signer)
          .requestWithdrawalsWithPermit(amounts, owner, await signPermit(protocol, signer, queueAddress, shares))
      : await queue.connect(signer).requestWithdrawals(amounts, owner);
    options.onSubmitted?.(tx.hash);
    receipt = await tx.wait();
  } catch (error) {
    throw describeQueueRevert(protocol, error) ?? error;
  }
  if (receipt === null) throw new Error("the request transaction was dropped");
  const requests: RequestReceipt["requests"] = [];
  for (const log of receipt.logs) {
    // The pool's ERC-20 events share topics with the queue's ERC-721 ones: only the queue's logs are the queue's.
    if (log.address.toLowerCase() !== queueAddress.toLowerCase()) continue;
    const parsed = queue.interface.parseLog(log);
    if (parsed?.name === "WithdrawalRequested") {
      requests.push({
        id: parsed.args.requestId as bigint,
        owner: parsed.args.owner as string,
        shares: parsed.args.shares as bigint,
        etherValue: parsed.args.etherValue as bigint,
      });
    }
  }
  return {
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    usedPermit: usePermit,
    requests,
  };
}

/** An EIP-2612 permit from `signer` for `spender` over `value` plETH, valid for an hour. */
async function signPermit(protocol: Protocol, signer: HardhatEthersSigner, spender: string, value: bigint) {
  const { pool } = protocol;
  const provider = signer.provider;
  if (provider === null) throw new Error("the signer is not connected to a provider");
  const [domain, nonce, latest, { chainId }] = await Promise.all([
    pool.eip712Domain(),
    pool.nonces(signer.address),
    provider.getBlock("latest"),
    provider.getNetwork(),
  ]);
  const deadline = BigInt(latest?.timestamp ?? 0) + PERMIT_LIFETIME;
  const signature = Signature.from(
    await signer.signTypedData(
      { name: domain.name, version: domain.version, chainId, verifyingContract: domain.verifyingContract },
      {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      { owner: signer.address, spender, value, nonce, deadline },
    ),
  );
  return { value, deadline, v: signature.v, r: signature.r, s: signature.s };
}

/**
 * The checkpoint that finalized each request (0 for one not finalized), in the order given: one binary search over
 * all checkpoints, done by the queue's view.
 */
export async function findHints(queue: WithdrawalQueue, ids: readonly bigint[]): Promise<bigint[]> {
  if (ids.length === 0) return [];
  const { lastCheckpointIndex } = await queue.getQueueState();
  if (lastCheckpointIndex === 0n) return ids.map(() => 0n);
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hints = await queue.findCheckpointHints(sorted, 1n, lastCheckpointIndex);
  const byId = new Map(sorted.map((id, i) => [id, hints[i]!]));
  return ids.map((id) => byId.get(id)!);
}

/**
 * Claims finalized requests of `signer` to `receiver` in one transaction. Checks every id first (exists, owned by
 * the signer, finalized, not claimed) and sends nothing if any is not claimable, naming each problem.
 */
export async function claimWithdrawals(
  protocol: Protocol,
  signer: HardhatEthersSigner,
  ids: readonly bigint[],
  receiver: string = signer.address,
  onSubmitted?: (txHash: string) => void,
): Promise<ClaimReceipt> {
  const queue = protocol.withdrawalQueue;
  if (ids.length === 0) throw new UserInputError("no request to claim: name request ids, or use --all");
  if (new Set(ids).size !== ids.length) throw new UserInputError("a request id is named twice");
  const { lastRequestId } = await queue.getQueueState();
  const unknown = ids.filter((id) => id < 1n || id > lastRequestId);
  if (unknown.length > 0) {
    throw new UserInputError(
      `no request ${unknown.join(", ")}: request ids run from 1 to ${lastRequestId}` +
        (lastRequestId === 0n ? " (there are none yet)" : ""),
    );
  }
  const statuses = await queue.getRequestStatus([...ids]);
  const problems: string[] = [];
  statuses.forEach((status, i) => {
    const id = ids[i]!;
    if (status.claimed) problems.push(`request ${id} was already claimed`);
    else if (status.owner !== signer.address)
      problems.push(`request ${id} belongs to ${status.owner}, not ${signer.address}`);
    else if (!status.finalized)
      problems.push(`request ${id} is not finalized yet (see withdrawals status for the expected wait)`);
  });
  if (problems.length > 0) throw new UserInputError(`nothing was claimed: ${problems.join("; ")}`);
  const hints = await findHints(queue, ids);
  let receipt: ContractTransactionReceipt | null;
  try {
    const tx =
      ids.length === 1
        ? await queue.connect(signer).claimWithdrawal(ids[0]!, hints[0]!, receiver)
        : await queue.connect(signer).claimWithdrawals([...ids], hints, receiver);
    onSubmitted?.(tx.hash);
    receipt = await tx.wait();
  } catch (error) {
    throw describeQueueRevert(protocol, error) ?? error;
  }
  if (receipt === null) throw new Error("the claim transaction was dropped");
  const claims: ClaimReceipt["claims"] = [];
  const queueAddress = (await queue.getAddress()).toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== queueAddress) continue;
    const parsed = queue.interface.parseLog(log);
    if (parsed?.name === "WithdrawalClaimed") {
      claims.push({ id: parsed.args.requestId as bigint, amount: parsed.args.amount as bigint });
    }
  }
  return {
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    receiver,
    claims,
    total: claims.reduce((sum, claim) => sum + claim.amount, 0n),
  };
}

/**
 * Every request ever made, or those `owner` holds or claimed: from the queue's events since the deployment, with
 * each one's state and claimable ether read from the queue.
 */
export async function listWithdrawalRequests(protocol: Protocol, owner?: string): Promise<WithdrawalRequest[]> {
  const queue = protocol.withdrawalQueue;
  const provider = queue.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the queue is not connected to a provider");
  const head = await provider.getBlockNumber();
  const from = protocol.addresses.deployedAtBlock;
  const claimed = await queryInChunks(
    (fromBlock, toBlock) => queue.queryFilter(queue.filters.WithdrawalClaimed(), fromBlock, toBlock),
    from,
    head,
  );
  const claims = new Map(claimed.map((event) => [event.args.requestId, event.args]));
  const { lastRequestId } = await queue.getQueueState();
  const ids = Array.from({ length: Number(lastRequestId) }, (_, i) => BigInt(i + 1));
  const requests: WithdrawalRequest[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const [statuses, hints] = await Promise.all([queue.getRequestStatus(chunk), findHints(queue, chunk)]);
    const claimable = await queue.getClaimableEther(chunk, hints);
    statuses.forEach((status, i) => {
      const claim = claims.get(chunk[i]!);
      const holder = status.claimed ? (claim?.owner ?? status.owner) : status.owner;
      if (owner !== undefined && holder.toLowerCase() !== owner.toLowerCase()) return;
      requests.push({
        id: chunk[i]!,
        owner: holder,
        shares: status.shares,
        etherAtRequest: status.etherAtRequest,
        requestedAt: status.timestamp,
        status: status.claimed ? "claimed" : status.finalized ? "finalized" : "pending",
        claimable: claimable[i]!,
        ...(claim === undefined ? {} : { claimedAmount: claim.amount, receiver: claim.receiver }),
      });
    });
  }
  return requests;
}

/**
 * The queue's totals at the latest block (or `blockTag`) and the wait a request made then can expect:
 * - it is finalized by the first report whose reference slot is after it (the next frame's);
 * - if the buffer and the vaults cannot pay everything queued before it, validators must exit first, and their ether
 *   arrives at least MAX_SEED_LOOKAHEAD + 1 + MIN_VALIDATOR_WITHDRAWABILITY_DELAY epochs later, then waits for a report;
 * - in bunker mode (slashing penalties pending) nothing is finalized until the oracle sees the penalties applied.
 */
export async function getQueueStatus(protocol: Protocol, provider: Provider, blockTag?: number): Promise<QueueStatus> {
  const { pool, withdrawalQueue: queue, accountingOracle } = protocol;
  const block = await readBlock(provider, blockTag);
  const at = { blockTag: block.number };
  const [state, accounting, withdrawalVault, rewardsVault, frame, breakdowns, exitsOwed] = await Promise.all([
    queue.getQueueState(at),
    pool.getAccounting(at),
    provider.getBalance(protocol.addresses.withdrawalVault, block.number),
    provider.getBalance(protocol.addresses.executionRewardsVault, block.number),
    readFrame(accountingOracle, block.number),
    queryInChunks(
      (fromBlock, toBlock) => pool.queryFilter(pool.filters.ReportBreakdown(), fromBlock, toBlock),
      protocol.addresses.deployedAtBlock,
      block.number,
    ),
    countExitsOwed(protocol, block.number),
  ]);
  const bunkerMode = breakdowns.at(-1)?.args.bunkerMode ?? false;
  const now = BigInt(block.timestamp);
  const vaultEther = withdrawalVault + rewardsVault;
  const available = accounting.bufferedEther + vaultEther + exitsOwed * VALIDATOR_ETHER;
  const shortfall = state.unfinalizedEther > available ? state.unfinalizedEther - available : 0n;
  const validatorsToExit = (shortfall + VALIDATOR_ETHER - 1n) / VALIDATOR_ETHER;
  // A request made now is after the current frame's reference slot: the next frame's report finalizes it.
  const next = nextReportableFrame({ ...frame, lastProcessedRefSlot: frame.refSlot });
  const frameSeconds = frame.epochsPerFrame * frame.slotsPerEpoch * frame.secondsPerSlot;
  let expectedWait = next.reportableTime > now ? next.reportableTime - now : 0n;
  let explanation = `the next frame's report (reference slot ${next.refSlot}, accepted ${FINALITY_EPOCHS} epochs after it)`;
  if (shortfall > 0n || exitsOwed > 0n) {
    expectedWait += EXIT_TO_WITHDRAWABLE_EPOCHS * frame.slotsPerEpoch * frame.secondsPerSlot + frameSeconds;
    explanation +=
      ` + ${EXIT_TO_WITHDRAWABLE_EPOCHS} epochs for ${validatorsToExit + exitsOwed} validator(s) to exit and become withdrawable` +
      ` + one frame for the report after (the beacon exit queue and withdrawal sweep can add more)`;
  }
  if (bunkerMode) explanation += "; bunker mode: nothing is finalized until pending penalties land";
  return {
    lastRequestId: state.lastRequestId,
    lastFinalizedId: state.lastFinalizedId,
    pendingRequests: state.lastRequestId - state.lastFinalizedId,
    unfinalizedEther: state.unfinalizedEther,
    unfinalizedShares: state.unfinalizedShares,
    lockedEther: state.lockedEther,
    bufferedEther: accounting.bufferedEther,
    vaultEther,
    exitsOwed,
    shortfall,
    validatorsToExit,
    bunkerMode,
    now,
    nextFinalizingReport: next.reportableTime,
    expectedWait,
    expectedWaitExplanation: explanation,
  };
}

/** Exits the operators were asked for and have not made yet, over all operators (the registry's exit states). */
async function countExitsOwed(protocol: Protocol, blockTag: number): Promise<bigint> {
  const registry = protocol.operatorRegistry;
  const count = Number(await registry.operatorCount({ blockTag }));
  const states = await Promise.all(Array.from({ length: count }, (_, id) => registry.getExitState(id, { blockTag })));
  return states.reduce((sum, state) => sum + owedExits(state), 0n);
}

/** A `UserInputError` naming the queue's or the pool's custom error inside `error`, if there is one. */
export function describeQueueRevert(protocol: Protocol, error: unknown): UserInputError | undefined {
  const data = findRevertData(error);
  const named = data === undefined ? undefined : nameCustomError(data, [protocol.withdrawalQueue, protocol.pool]);
  return named === undefined ? undefined : new UserInputError(`the withdrawal queue refused: ${named.text}`);
}

export function formatRequestReceipt(receipt: RequestReceipt): string {
  const lines = receipt.requests.map(
    (request) =>
      `  request ${request.id}: ${formatPlEth(request.shares)} worth ${formatEth(request.etherValue)}, owner ${request.owner}`,
  );
  return [
    `Requested ${receipt.requests.length} withdrawal(s)${receipt.usedPermit ? " with a permit" : ""} ` +
      `(tx ${receipt.txHash}, block ${receipt.blockNumber}, ${receipt.gasUsed} gas):`,
    ...lines,
    "A report finalizes them at min(value now, value then); claim with: npx hardhat withdrawals claim <id>",
  ].join("\n");
}

export function formatClaimReceipt(receipt: ClaimReceipt): string {
  return [
    `Claimed ${formatEth(receipt.total)} to ${receipt.receiver} (tx ${receipt.txHash}, block ${receipt.blockNumber}, ` +
      `${receipt.gasUsed} gas):`,
    ...receipt.claims.map((claim) => `  request ${claim.id}: ${formatEth(claim.amount)}`),
  ].join("\n");
}

export function formatRequestList(requests: readonly WithdrawalRequest[], title: string): string {
  if (requests.length === 0) return `${title}: no withdrawal requests`;
  return renderGrid(
    title,
    ["id", "owner", "plETH", "value at request", "requested at", "status", "claimable / paid"],
    requests.map((request) => [
      request.id.toString(),
      request.owner,
      formatPlEth(request.shares, 6),
      formatEth(request.etherAtRequest, 6),
      isoTime(request.requestedAt),
      request.status,
      request.status === "claimed"
        ? formatEth(request.claimedAmount ?? 0n, 6)
        : request.status === "finalized"
          ? formatEth(request.claimable, 6)
          : "-",
    ]),
  );
}

export function formatQueueStatus(status: QueueStatus, networkName: string): string {
  const rows: Row[] = [
    ["requests made", status.lastRequestId.toString()],
    ["finalized up to", status.lastFinalizedId.toString()],
    ["pending requests", status.pendingRequests.toString()],
    ["unfinalized demand", formatEth(status.unfinalizedEther)],
    ["plETH locked by pending requests", formatPlEth(status.unfinalizedShares)],
    ["ETH locked for finalized requests", formatEth(status.lockedEther)],
    ["buffered ETH", formatEth(status.bufferedEther)],
    ["ETH in the vaults (swept by the next report)", formatEth(status.vaultEther)],
    ["exits owed by operators (32 ETH each on its way)", status.exitsOwed.toString()],
    ["shortfall (needs more validator exits)", formatEth(status.shortfall)],
    ["validators to exit for it", status.validatorsToExit.toString()],
    ["bunker mode (at the last report)", status.bunkerMode ? "on: finalization waits" : "off"],
    ["next report finalizing new requests", isoTime(status.nextFinalizingReport)],
    ["expected wait for a request made now", formatDuration(status.expectedWait)],
    [`  = ${status.expectedWaitExplanation}`],
  ];
  return renderTable(`Plural withdrawal queue on ${networkName}`, rows);
}
