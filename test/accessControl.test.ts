import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type BaseContract, FunctionFragment, Interface, type TransactionResponse } from "ethers";
import { artifacts, network } from "hardhat";

import { computeDepositDataRoot } from "../lib/depositData.js";
import type { Protocol } from "../lib/protocol.js";
import type { BeaconDepositMock, StakingPool, TimelockController } from "../typechain-types/index.js";
import { type Accounts, executeThroughTimelock, pluralFixture, timelockSigner } from "./helpers/protocol.js";

// Promise 5 of the design: "No privileged action happens except through its role; every admin role belongs
// to the timelock". Every state-changing entry point of every contract the deployment puts on chain is listed in
// MATRIX with the rule of who may call it; the suite generates one test per entry, and one failing test per function
// of an ABI without a rule or per rule without a function, so an entry point cannot be added without a decision.

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

// ERC-1967 implementation slot: bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1).
const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
// Not a selector of any StakingPool function (checked in the "fallback()" test).
const UNKNOWN_SELECTOR = "0xdeadbeef";
const ROLE_EVENTS = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
]);

type PoolRole = "DEFAULT_ADMIN_ROLE" | "PAUSE_ROLE" | "RESUME_ROLE" | "STAKE_LIMIT_ROLE";
type TimelockRole = "PROPOSER_ROLE" | "EXECUTOR_ROLE" | "CANCELLER_ROLE";
const POOL_ROLES: readonly PoolRole[] = ["DEFAULT_ADMIN_ROLE", "PAUSE_ROLE", "RESUME_ROLE", "STAKE_LIMIT_ROLE"];
const TIMELOCK_ROLES: readonly TimelockRole[] = ["PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"];

/** A fresh deployment with handles on every contract it put on chain. */
interface Context {
  protocol: Protocol;
  accounts: Accounts;
  pool: StakingPool;
  implementation: StakingPool;
  timelock: TimelockController;
  beaconDeposit: BeaconDepositMock;
  /** The timelock, impersonated: the holder of every pool role. */
  timelockAccount: HardhatEthersSigner;
}

type Rule =
  /** Pool function behind `onlyRole(role)`: the timelock alone holds the role. */
  | { kind: "role"; role: PoolRole }
  /** No access check: bound by balance, signature or payment, not by role. */
  | { kind: "anyone" }
  /** Timelock function only the timelock may call on itself, i.e. through a scheduled and executed operation. */
  | { kind: "timelockSelf"; error: "TimelockUnauthorizedCaller" | "AccessControlUnauthorizedAccount" }
  /** Timelock function behind `onlyRole(role)`: the governance account alone holds the role. */
  | { kind: "timelockRole"; role: TimelockRole }
  /** `renounceRole`: only for the caller's own account. */
  | { kind: "self"; account: "timelock" | "governance" }
  /** `initialize`: nobody, ever again (proxy: done in its constructor; implementation: disabled). */
  | { kind: "initializer" }
  /** `upgradeToAndCall`: DEFAULT_ADMIN_ROLE through the proxy; nobody on the implementation (`onlyProxy`). */
  | { kind: "upgrade" }
  /** Implementation function behind `onlyRole(role)`: nobody, since the implementation never granted a role. */
  | { kind: "noHolder"; role: PoolRole }
  /** Implementation function open to anyone that writes only the implementation's own storage, which nothing reads. */
  | { kind: "isolated" }
  /** Implementation deposits: the uninitialized implementation has no shares to price against, so nobody deposits. */
  | { kind: "unpriced" }
  /** The proxy's own fallback: forwards to the implementation, so an unknown selector reverts without data. */
  | { kind: "delegated" };

const role = (name: PoolRole): Rule => ({ kind: "role", role: name });
const anyone: Rule = { kind: "anyone" };
const timelockSelf = (error: "TimelockUnauthorizedCaller" | "AccessControlUnauthorizedAccount"): Rule => ({
  kind: "timelockSelf",
  error,
});
const timelockRole = (name: TimelockRole): Rule => ({ kind: "timelockRole", role: name });
const self = (account: "timelock" | "governance"): Rule => ({ kind: "self", account });
const initializer: Rule = { kind: "initializer" };
const upgrade: Rule = { kind: "upgrade" };
const noHolder = (name: PoolRole): Rule => ({ kind: "noHolder", role: name });
const isolated: Rule = { kind: "isolated" };
const unpriced: Rule = { kind: "unpriced" };
const delegated: Rule = { kind: "delegated" };

interface Entry {
  rule: Rule;
  /** Sample arguments with which the allowed caller succeeds; may prepare state first (runs once per test). */
  args?: (ctx: Context) => unknown[] | Promise<unknown[]>;
  value?: bigint;
  /** An event the allowed call must emit, from the contract called: proof that it did something. */
  emits?: string;
}

interface DeployedContract {
  /** Artifacts whose ABIs together describe the code at the address. */
  artifacts: readonly string[];
  /** The implementation behind a proxy, called directly: its own storage was never initialized. */
  bareImplementation: boolean;
  at: (ctx: Context) => BaseContract;
}

const CONTRACTS = {
  // The proxy's own ABI adds only its `fallback()`, through which every StakingPool function is reached.
  StakingPool: { artifacts: ["StakingPool", "ERC1967Proxy"], bareImplementation: false, at: (ctx) => ctx.pool },
  StakingPoolImplementation: { artifacts: ["StakingPool"], bareImplementation: true, at: (ctx) => ctx.implementation },
  TimelockController: { artifacts: ["TimelockController"], bareImplementation: false, at: (ctx) => ctx.timelock },
  BeaconDepositMock: { artifacts: ["BeaconDepositMock"], bareImplementation: false, at: (ctx) => ctx.beaconDeposit },
} as const satisfies Record<string, DeployedContract>;

type ContractName = keyof typeof CONTRACTS;

const now = async () => BigInt(await networkHelpers.time.latest());

async function depositFor(ctx: Context, account: HardhatEthersSigner, amount: bigint) {
  await (await ctx.pool.connect(account).deposit(ethers.ZeroAddress, { value: amount })).wait();
}

/** Alice's EIP-2612 permit for the stranger to spend `value` of her shares on `token`, as permit's arguments. */
async function permitArgs(ctx: Context, token: StakingPool, value: bigint): Promise<unknown[]> {
  const { alice, stranger } = ctx.accounts;
  const domain = await token.eip712Domain();
  const deadline = (await now()) + 3600n;
  const signature = ethers.Signature.from(
    await alice.signTypedData(
      {
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      },
      {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      { owner: alice.address, spender: stranger.address, value, nonce: await token.nonces(alice), deadline },
    ),
  );
  return [alice.address, stranger.address, value, deadline, signature.v, signature.r, signature.s];
}

/** A timelock operation that sets the pool's stake limit, as (target, value, data, predecessor, salt). */
async function stakeLimitOperation(ctx: Context, salt: string) {
  const data = ctx.pool.interface.encodeFunctionData("setStakeLimit", [ethers.parseEther("10"), 3600n]);
  return [ctx.protocol.addresses.pool, 0n, data, ethers.ZeroHash, ethers.id(salt)] as const;
}

async function scheduleAsGovernance(ctx: Context, operation: Awaited<ReturnType<typeof stakeLimitOperation>>) {
  const timelock = ctx.timelock.connect(ctx.accounts.governance);
  await (await timelock.schedule(...operation, await timelock.getMinDelay())).wait();
}

async function scheduleBatchAsGovernance(ctx: Context, operation: Awaited<ReturnType<typeof stakeLimitOperation>>) {
  const [target, value, data, predecessor, salt] = operation;
  const timelock = ctx.timelock.connect(ctx.accounts.governance);
  await (
    await timelock.scheduleBatch([target], [value], [data], predecessor, salt, await timelock.getMinDelay())
  ).wait();
}

const MATRIX: Record<ContractName, Record<string, Entry>> = {
  StakingPool: {
    "approve(address,uint256)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.bob.address, ethers.parseEther("1")],
      emits: "Approval",
    },
    "deposit(address)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.bob.address],
      value: ethers.parseEther("1"),
      emits: "Deposited",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.pool.PAUSE_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "initialize(address,uint256,uint256)": {
      rule: initializer,
      args: (ctx) => [ctx.accounts.stranger.address, 0n, 0n],
      value: ethers.parseEther("0.001"),
    },
    "pauseDeposits(uint256)": {
      rule: role("PAUSE_ROLE"),
      args: async () => [(await now()) + 3600n],
      emits: "DepositsPaused",
    },
    // Anyone may submit a permit: the owner's signature, not the caller, authorizes it.
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
      rule: anyone,
      args: async (ctx) => {
        await depositFor(ctx, ctx.accounts.alice, ethers.parseEther("1"));
        return permitArgs(ctx, ctx.pool, ethers.parseEther("1"));
      },
      emits: "Approval",
    },
    "removeStakeLimit()": { rule: role("STAKE_LIMIT_ROLE"), emits: "StakeLimitRemoved" },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.pool.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "resumeDeposits()": {
      rule: role("RESUME_ROLE"),
      args: async (ctx) => {
        await (await ctx.pool.connect(ctx.timelockAccount).pauseDeposits((await now()) + 3600n)).wait();
        return [];
      },
      emits: "DepositsResumed",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.pool.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "setStakeLimit(uint256,uint256)": {
      rule: role("STAKE_LIMIT_ROLE"),
      args: () => [ethers.parseEther("10"), 3600n],
      emits: "StakeLimitSet",
    },
    // Bound by the caller's balance: the stranger deposits first.
    "transfer(address,uint256)": {
      rule: anyone,
      args: async (ctx) => {
        await depositFor(ctx, ctx.accounts.stranger, ethers.parseEther("1"));
        return [ctx.accounts.bob.address, ethers.parseEther("0.5")];
      },
      emits: "Transfer",
    },
    // Bound by the owner's allowance: Alice deposits and lets the stranger spend.
    "transferFrom(address,address,uint256)": {
      rule: anyone,
      args: async (ctx) => {
        const { alice, stranger } = ctx.accounts;
        await depositFor(ctx, alice, ethers.parseEther("1"));
        await (await ctx.pool.connect(alice).approve(stranger, ethers.parseEther("1"))).wait();
        return [alice.address, stranger.address, ethers.parseEther("0.5")];
      },
      emits: "Transfer",
    },
    "upgradeToAndCall(address,bytes)": {
      rule: upgrade,
      args: async (ctx) => {
        const next = await ethers.deployContract("StakingPool", [ctx.protocol.addresses.depositContract]);
        return [await next.getAddress(), "0x"];
      },
      emits: "Upgraded",
    },
    "receive()": { rule: anyone, value: ethers.parseEther("1"), emits: "Deposited" },
    "fallback()": { rule: delegated },
  },

  // Called directly, the implementation has its own storage, never initialized: no role holder, no shares.
  StakingPoolImplementation: {
    "approve(address,uint256)": {
      rule: isolated,
      args: (ctx) => [ctx.accounts.bob.address, ethers.parseEther("1")],
      emits: "Approval",
    },
    "deposit(address)": { rule: unpriced, args: (ctx) => [ctx.accounts.bob.address], value: ethers.parseEther("1") },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.implementation.PAUSE_ROLE(), ctx.accounts.stranger.address],
    },
    "initialize(address,uint256,uint256)": {
      rule: initializer,
      args: (ctx) => [ctx.accounts.stranger.address, 0n, 0n],
      value: ethers.parseEther("0.001"),
    },
    "pauseDeposits(uint256)": { rule: noHolder("PAUSE_ROLE"), args: async () => [(await now()) + 3600n] },
    // The implementation's EIP-712 domain (empty name and version) differs from the proxy's: the signature is for it.
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
      rule: isolated,
      args: (ctx) => permitArgs(ctx, ctx.implementation, ethers.parseEther("1")),
      emits: "Approval",
    },
    "removeStakeLimit()": { rule: noHolder("STAKE_LIMIT_ROLE") },
    // Renouncing a role nobody holds: a no-op for the account itself.
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.implementation.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
    },
    "resumeDeposits()": { rule: noHolder("RESUME_ROLE") },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.implementation.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
    },
    "setStakeLimit(uint256,uint256)": {
      rule: noHolder("STAKE_LIMIT_ROLE"),
      args: () => [ethers.parseEther("10"), 3600n],
    },
    // Nobody holds implementation shares (deposits revert), so only zero moves: still a successful call.
    "transfer(address,uint256)": { rule: isolated, args: (ctx) => [ctx.accounts.bob.address, 0n], emits: "Transfer" },
    "transferFrom(address,address,uint256)": {
      rule: isolated,
      args: (ctx) => [ctx.accounts.alice.address, ctx.accounts.stranger.address, 0n],
      emits: "Transfer",
    },
    "upgradeToAndCall(address,bytes)": {
      rule: upgrade,
      args: async (ctx) => {
        const next = await ethers.deployContract("StakingPool", [ctx.protocol.addresses.depositContract]);
        return [await next.getAddress(), "0x"];
      },
    },
    "receive()": { rule: unpriced, value: ethers.parseEther("1") },
  },

  TimelockController: {
    "cancel(bytes32)": {
      rule: timelockRole("CANCELLER_ROLE"),
      args: async (ctx) => {
        const operation = await stakeLimitOperation(ctx, "cancel");
        await scheduleAsGovernance(ctx, operation);
        return [await ctx.timelock.hashOperation(...operation)];
      },
      emits: "Cancelled",
    },
    "execute(address,uint256,bytes,bytes32,bytes32)": {
      rule: timelockRole("EXECUTOR_ROLE"),
      args: async (ctx) => {
        const operation = await stakeLimitOperation(ctx, "execute");
        await scheduleAsGovernance(ctx, operation);
        await networkHelpers.time.increase(await ctx.timelock.getMinDelay());
        return [...operation];
      },
      emits: "CallExecuted",
    },
    "executeBatch(address[],uint256[],bytes[],bytes32,bytes32)": {
      rule: timelockRole("EXECUTOR_ROLE"),
      args: async (ctx) => {
        const operation = await stakeLimitOperation(ctx, "executeBatch");
        await scheduleBatchAsGovernance(ctx, operation);
        await networkHelpers.time.increase(await ctx.timelock.getMinDelay());
        const [target, value, data, predecessor, salt] = operation;
        return [[target], [value], [data], predecessor, salt];
      },
      emits: "CallExecuted",
    },
    // The admin of every timelock role is the timelock's DEFAULT_ADMIN_ROLE, which only the timelock holds.
    "grantRole(bytes32,address)": {
      rule: timelockSelf("AccessControlUnauthorizedAccount"),
      args: async (ctx) => [await ctx.timelock.PROPOSER_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    // ERC-721/1155 receiver hooks: they only return their selector, so the timelock can hold tokens.
    "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.stranger.address, ctx.accounts.stranger.address, [1n], [1n], "0x"],
    },
    "onERC1155Received(address,address,uint256,uint256,bytes)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.stranger.address, ctx.accounts.stranger.address, 1n, 1n, "0x"],
    },
    "onERC721Received(address,address,uint256,bytes)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.stranger.address, ctx.accounts.stranger.address, 1n, "0x"],
    },
    "renounceRole(bytes32,address)": {
      rule: self("governance"),
      args: async (ctx) => [await ctx.timelock.PROPOSER_ROLE(), ctx.accounts.governance.address],
      emits: "RoleRevoked",
    },
    "revokeRole(bytes32,address)": {
      rule: timelockSelf("AccessControlUnauthorizedAccount"),
      args: async (ctx) => [await ctx.timelock.PROPOSER_ROLE(), ctx.accounts.governance.address],
      emits: "RoleRevoked",
    },
    "schedule(address,uint256,bytes,bytes32,bytes32,uint256)": {
      rule: timelockRole("PROPOSER_ROLE"),
      args: async (ctx) => [...(await stakeLimitOperation(ctx, "schedule")), await ctx.timelock.getMinDelay()],
      emits: "CallScheduled",
    },
    "scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256)": {
      rule: timelockRole("PROPOSER_ROLE"),
      args: async (ctx) => {
        const [target, value, data, predecessor, salt] = await stakeLimitOperation(ctx, "scheduleBatch");
        return [[target], [value], [data], predecessor, salt, await ctx.timelock.getMinDelay()];
      },
      emits: "CallScheduled",
    },
    "updateDelay(uint256)": {
      rule: timelockSelf("TimelockUnauthorizedCaller"),
      args: () => [7200n],
      emits: "MinDelayChange",
    },
    // Ether sent to the timelock can only leave through an executed operation.
    "receive()": { rule: anyone, value: 1n },
  },

  BeaconDepositMock: {
    // Like the official contract: anyone deposits for any key; the beacon chain checks the signature.
    "deposit(bytes,bytes,bytes,bytes32)": {
      rule: anyone,
      args: () => {
        const pubkey = ethers.hexlify(new Uint8Array(48).fill(0x11));
        const credentials = ethers.hexlify(new Uint8Array(32).fill(0x01));
        const signature = ethers.hexlify(new Uint8Array(96).fill(0x22));
        return [pubkey, credentials, signature, computeDepositDataRoot(pubkey, credentials, 10n ** 9n, signature)];
      },
      value: ethers.parseEther("1"),
      emits: "DepositEvent",
    },
  },
};

/** The signatures of every external non-view function, plus `receive()` and `fallback()`, of an ABI. */
async function entryPoints(contractNames: readonly string[]): Promise<Set<string>> {
  const signatures = new Set<string>();
  for (const name of contractNames) {
    const { abi } = await artifacts.readArtifact(name);
    for (const fragment of abi as readonly { type: string; stateMutability?: string }[]) {
      if (fragment.type === "receive" || fragment.type === "fallback") signatures.add(`${fragment.type}()`);
      if (fragment.type === "function" && ["nonpayable", "payable"].includes(fragment.stateMutability ?? "")) {
        signatures.add(FunctionFragment.from(fragment).format("sighash"));
      }
    }
  }
  return signatures;
}

const ENTRY_POINTS = Object.fromEntries(
  await Promise.all(
    Object.entries(CONTRACTS).map(async ([name, contract]) => [name, await entryPoints(contract.artifacts)] as const),
  ),
) as Record<ContractName, Set<string>>;

async function load(): Promise<Context> {
  const { protocol, accounts } = await networkHelpers.loadFixture(deployPlural);
  const slot = await networkHelpers.getStorageAt(protocol.addresses.pool, IMPLEMENTATION_SLOT);
  return {
    protocol,
    accounts,
    pool: protocol.pool,
    implementation: await ethers.getContractAt("StakingPool", ethers.getAddress(ethers.dataSlice(slot, 12))),
    timelock: protocol.timelock,
    beaconDeposit: await ethers.getContractAt("BeaconDepositMock", protocol.addresses.depositContract),
    timelockAccount: await timelockSigner(connection, protocol),
  };
}

/** Calls `signature` on `contract` as `signer`; `receive()` and `fallback()` become plain transfers. */
function send(
  contract: BaseContract,
  signer: HardhatEthersSigner,
  signature: string,
  args: unknown[],
  value: bigint | undefined,
): Promise<TransactionResponse> {
  if (signature === "receive()" || signature === "fallback()") {
    const data = signature === "receive()" ? "0x" : UNKNOWN_SELECTOR;
    return signer.sendTransaction({ to: contract.target, data, value: value ?? 0n });
  }
  const method = (contract.connect(signer) as BaseContract).getFunction(signature);
  return method(...args, value === undefined ? {} : { value }) as Promise<TransactionResponse>;
}

async function expectSuccess(contract: BaseContract, call: Promise<TransactionResponse>, emits: string | undefined) {
  const response = await call;
  const receipt = await response.wait();
  expect(receipt?.status, "the allowed call succeeds").to.equal(1);
  if (emits !== undefined) await expect(response, `emits ${emits}`).to.emit(contract, emits);
  return receipt;
}

async function roleId(contract: BaseContract, name: PoolRole | TimelockRole): Promise<string> {
  return (await contract.getFunction(name).staticCall()) as string;
}

/**
 * Every account holding a role of the contract at `address`, by role: the RoleGranted minus the RoleRevoked events
 * since block 0, in order. Exhaustive, unlike a `hasRole` check over known accounts.
 */
async function holdersFromEvents(address: string): Promise<Map<string, Set<string>>> {
  const logs = await ethers.provider.getLogs({
    address,
    fromBlock: 0,
    toBlock: "latest",
    topics: [[ROLE_EVENTS.getEvent("RoleGranted")!.topicHash, ROLE_EVENTS.getEvent("RoleRevoked")!.topicHash]],
  });
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const holders = new Map<string, Set<string>>();
  for (const log of logs) {
    const event = ROLE_EVENTS.parseLog(log)!;
    const role = event.args.role as string;
    const accounts = holders.get(role) ?? new Set<string>();
    if (event.name === "RoleGranted") accounts.add(event.args.account as string);
    else accounts.delete(event.args.account as string);
    holders.set(role, accounts);
  }
  return holders;
}

/** Every address the suite knows: all local signers and every contract of the deployment. */
async function knownAccounts(ctx: Context): Promise<string[]> {
  const signers = await ethers.getSigners();
  return [
    ...signers.map((signer) => signer.address),
    ctx.protocol.addresses.pool,
    await ctx.implementation.getAddress(),
    ctx.protocol.addresses.timelock,
    ctx.protocol.addresses.depositContract,
  ];
}

/** Asserts that exactly `expected` hold `role` on `contract`: from the events, and by `hasRole` on known accounts. */
async function expectHolders(
  ctx: Context,
  contract: StakingPool | TimelockController,
  role: string,
  expected: string[],
) {
  const fromEvents = (await holdersFromEvents(await contract.getAddress())).get(role) ?? new Set<string>();
  expect([...fromEvents].sort(), `holders of ${role} (RoleGranted minus RoleRevoked)`).to.deep.equal(
    [...expected].sort(),
  );
  for (const account of await knownAccounts(ctx)) {
    expect(await contract.hasRole(role, account), `hasRole(${role}, ${account})`).to.equal(expected.includes(account));
  }
}

/** What the proxy's state looks like to anyone: for checking that a call elsewhere changed none of it. */
async function poolState(ctx: Context): Promise<string> {
  const { pool } = ctx;
  const named = Object.values(ctx.accounts).map((account) => account.address);
  const roles = await Promise.all(POOL_ROLES.map((name) => roleId(pool, name)));
  const state = {
    implementation: await networkHelpers.getStorageAt(ctx.protocol.addresses.pool, IMPLEMENTATION_SLOT),
    ether: await ethers.provider.getBalance(pool),
    code: await ethers.provider.getCode(pool),
    accounting: [...(await pool.getAccounting())],
    stakeLimit: [...(await pool.getStakeLimit())],
    pausedUntil: await pool.depositsPausedUntil(),
    balances: await Promise.all(named.map((account) => pool.balanceOf(account))),
    nonces: await Promise.all(named.map((account) => pool.nonces(account))),
    allowances: await Promise.all(named.flatMap((owner) => named.map((spender) => pool.allowance(owner, spender)))),
    roles: await Promise.all(roles.flatMap((role) => named.map((account) => pool.hasRole(role, account)))),
  };
  return JSON.stringify(state, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

function describeRule(rule: Rule, bareImplementation: boolean): string {
  switch (rule.kind) {
    case "role":
    case "timelockRole":
      return `only ${rule.role}`;
    case "anyone":
      return "anyone";
    case "timelockSelf":
      return "only the timelock itself, through a scheduled operation";
    case "self":
      return "only the account itself";
    case "initializer":
      return bareImplementation ? "nobody: initializers disabled" : "nobody: initialized in the proxy's constructor";
    case "upgrade":
      return bareImplementation ? "nobody: only through a proxy" : "only DEFAULT_ADMIN_ROLE";
    case "noHolder":
      return `nobody: ${rule.role} has no holder on the implementation`;
    case "isolated":
      return "anyone, on the implementation's own storage only";
    case "unpriced":
      return "nobody: the uninitialized implementation prices no share";
    case "delegated":
      return "forwards to the implementation: unknown selectors revert";
  }
}

async function checkRule(ctx: Context, contractName: ContractName, signature: string, entry: Entry) {
  const { rule, value, emits } = entry;
  const { bareImplementation } = CONTRACTS[contractName];
  const contract: BaseContract = CONTRACTS[contractName].at(ctx);
  const { stranger, governance, deployer } = ctx.accounts;
  const args = (await entry.args?.(ctx)) ?? [];
  const call = (signer: HardhatEthersSigner) => send(contract, signer, signature, args, value);

  switch (rule.kind) {
    case "role": {
      const id = await roleId(ctx.pool, rule.role);
      await expectHolders(ctx, ctx.pool, id, [ctx.protocol.addresses.timelock]);
      await expect(call(stranger), "a stranger is refused")
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, id);
      await expectSuccess(contract, call(ctx.timelockAccount), emits);
      return;
    }
    case "anyone":
      await expectSuccess(contract, call(stranger), emits);
      return;
    case "timelockSelf": {
      const admin = await ctx.timelock.DEFAULT_ADMIN_ROLE();
      if (rule.error === "AccessControlUnauthorizedAccount") {
        await expectHolders(ctx, ctx.timelock, admin, [ctx.protocol.addresses.timelock]);
      }
      for (const [who, signer] of [
        ["a stranger", stranger],
        ["the governance account", governance],
        ["the deployer", deployer],
      ] as const) {
        const refused = expect(call(signer), `${who} is refused`).to.be.revertedWithCustomError(contract, rule.error);
        await (rule.error === "TimelockUnauthorizedCaller"
          ? refused.withArgs(signer.address)
          : refused.withArgs(signer.address, admin));
      }
      const data = contract.interface.encodeFunctionData(signature, args);
      await expectSuccess(
        contract,
        executeThroughTimelock(connection, ctx.protocol, governance, ctx.protocol.addresses.timelock, data),
        emits,
      );
      return;
    }
    case "timelockRole": {
      const id = await roleId(ctx.timelock, rule.role);
      await expectHolders(ctx, ctx.timelock, id, [governance.address]);
      await expect(call(stranger), "a stranger is refused")
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, id);
      await expectSuccess(contract, call(governance), emits);
      return;
    }
    case "self": {
      const account = rule.account === "timelock" ? ctx.timelockAccount : governance;
      expect(args[1], "the sample renounces for the rule's account").to.equal(account.address);
      await expect(call(stranger), "a stranger cannot renounce for another account").to.be.revertedWithCustomError(
        contract,
        "AccessControlBadConfirmation",
      );
      await expectSuccess(contract, call(account), emits);
      return;
    }
    case "initializer":
      for (const signer of [stranger, ctx.timelockAccount]) {
        await expect(call(signer), `${signer.address} cannot initialize`).to.be.revertedWithCustomError(
          contract,
          "InvalidInitialization",
        );
      }
      return;
    case "upgrade":
      if (!bareImplementation) {
        const admin = await ctx.pool.DEFAULT_ADMIN_ROLE();
        await expectHolders(ctx, ctx.pool, admin, [ctx.protocol.addresses.timelock]);
        await expect(call(stranger), "a stranger is refused")
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, admin);
        await expectSuccess(contract, call(ctx.timelockAccount), emits);
      } else {
        for (const signer of [stranger, ctx.timelockAccount]) {
          await expect(
            call(signer),
            `${signer.address} cannot upgrade the implementation`,
          ).to.be.revertedWithCustomError(contract, "UUPSUnauthorizedCallContext");
        }
      }
      return;
    case "noHolder": {
      const id = await roleId(contract, rule.role);
      const grants = await holdersFromEvents(await contract.getAddress());
      expect(grants.size, "roles the implementation ever granted").to.equal(0);
      for (const signer of [stranger, deployer, governance, ctx.timelockAccount]) {
        await expect(call(signer), `${signer.address} is refused`)
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(signer.address, id);
      }
      return;
    }
    case "isolated": {
      const address = await contract.getAddress();
      const code = await ethers.provider.getCode(address);
      const before = await poolState(ctx);
      const receipt = await expectSuccess(contract, call(stranger), emits);
      for (const log of receipt?.logs ?? [])
        expect(log.address, "every event comes from the implementation").to.equal(address);
      expect(await poolState(ctx), "the proxy's state").to.equal(before);
      expect(await ethers.provider.getCode(address), "the implementation's code").to.equal(code);
      return;
    }
    case "unpriced":
      for (const signer of [stranger, ctx.timelockAccount]) {
        // The uninitialized implementation accounts for no ether: no share has a price there.
        await expect(call(signer), `${signer.address} cannot deposit`).to.be.revertedWithCustomError(
          ctx.pool,
          "NoPooledEther",
        );
      }
      expect(await ethers.provider.getBalance(contract), "ether held by the implementation").to.equal(0n);
      return;
    case "delegated": {
      expect((ctx.pool.interface as Interface).getFunction(UNKNOWN_SELECTOR), "the probe selector is unused").to.equal(
        null,
      );
      await expect(call(stranger), "an unknown selector").to.be.revertedWithoutReason(ethers);
      return;
    }
  }
}

describe("access control", function () {
  for (const contractName of Object.keys(CONTRACTS) as ContractName[]) {
    describe(contractName, function () {
      const rules = MATRIX[contractName];
      const abi = ENTRY_POINTS[contractName];
      const { bareImplementation } = CONTRACTS[contractName];

      for (const signature of [...abi].sort()) {
        const entry = rules[signature];
        if (entry === undefined) {
          it(`${signature}: no rule`, function () {
            expect.fail(`${contractName}.${signature} has no access rule: add one to the matrix`);
          });
          continue;
        }
        it(`${signature}: ${describeRule(entry.rule, bareImplementation)}`, async function () {
          await checkRule(await load(), contractName, signature, entry);
        });
      }

      for (const signature of Object.keys(rules).filter((signature) => !abi.has(signature))) {
        it(`${signature}: not in the ABI`, function () {
          expect.fail(
            `${contractName}.${signature} has an access rule but no such function: remove it from the matrix`,
          );
        });
      }
    });
  }

  describe("Promise 5 on this deployment", function () {
    it("gives every StakingPool role to the timelock alone, administered by DEFAULT_ADMIN_ROLE", async function () {
      const ctx = await load();
      const roles = await Promise.all(POOL_ROLES.map((name) => roleId(ctx.pool, name)));
      const holders = await holdersFromEvents(ctx.protocol.addresses.pool);
      expect([...holders.keys()].sort(), "roles ever granted").to.deep.equal([...roles].sort());
      for (const id of roles) {
        await expectHolders(ctx, ctx.pool, id, [ctx.protocol.addresses.timelock]);
        expect(await ctx.pool.getRoleAdmin(id), `admin of ${id}`).to.equal(ethers.ZeroHash);
      }
    });

    it("leaves the timelock its own only admin, with the governance account alone proposing, cancelling and executing", async function () {
      const ctx = await load();
      const admin = await ctx.timelock.DEFAULT_ADMIN_ROLE();
      const roles = await Promise.all(TIMELOCK_ROLES.map((name) => roleId(ctx.timelock, name)));
      const holders = await holdersFromEvents(ctx.protocol.addresses.timelock);
      expect([...holders.keys()].sort(), "roles ever granted").to.deep.equal([admin, ...roles].sort());
      await expectHolders(ctx, ctx.timelock, admin, [ctx.protocol.addresses.timelock]);
      expect(await ctx.timelock.getRoleAdmin(admin), "admin of DEFAULT_ADMIN_ROLE").to.equal(admin);
      for (const id of roles) {
        // Exactly the governance account: in particular not address(0), which would open the role to everybody.
        await expectHolders(ctx, ctx.timelock, id, [ctx.accounts.governance.address]);
        expect(await ctx.timelock.getRoleAdmin(id), `admin of ${id}`).to.equal(admin);
      }
    });

    it("leaves the implementation without any role holder", async function () {
      const ctx = await load();
      const holders = await holdersFromEvents(await ctx.implementation.getAddress());
      expect(holders.size, "roles the implementation ever granted").to.equal(0);
    });

    it("has a matrix entry for every contract the deployment put on chain, whose code is the artifact's", async function () {
      const ctx = await load();
      const expected = new Map<string, string>([
        [ctx.protocol.addresses.pool, "ERC1967Proxy"],
        [await ctx.implementation.getAddress(), "StakingPool"],
        [ctx.protocol.addresses.timelock, "TimelockController"],
        [ctx.protocol.addresses.depositContract, "BeaconDepositMock"],
      ]);
      const created: string[] = [];
      const latest = await ethers.provider.getBlockNumber();
      for (let number = 0; number <= latest; number++) {
        const block = await ethers.provider.getBlock(number, true);
        for (const transaction of block?.prefetchedTransactions ?? []) {
          if (transaction.to !== null) continue;
          const receipt = await ethers.provider.getTransactionReceipt(transaction.hash);
          if (receipt?.contractAddress != null) created.push(receipt.contractAddress);
        }
      }
      expect(created.sort(), "contracts created by transactions").to.deep.equal([...expected.keys()].sort());
      for (const [address, artifactName] of expected) {
        // A contract's nonce counts the contracts it created, plus one: none was created from inside.
        expect(await ethers.provider.getTransactionCount(address), `${artifactName} created nothing`).to.equal(1);
        const artifact = await artifacts.readArtifact(artifactName);
        const mask = (code: string) => {
          const bytes = ethers.getBytes(code);
          for (const references of Object.values(artifact.immutableReferences ?? {})) {
            for (const { start, length } of references) bytes.fill(0, start, start + length);
          }
          return ethers.hexlify(bytes);
        };
        expect(mask(await ethers.provider.getCode(address)), `code at ${address}`).to.equal(
          mask(artifact.deployedBytecode),
        );
      }
    });
  });
});
