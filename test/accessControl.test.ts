import path from "node:path";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type BaseContract, FunctionFragment, Interface, type Provider, type TransactionResponse } from "ethers";
import { artifacts, network } from "hardhat";

import { computeDepositDataRoot } from "../lib/depositData.js";
import {
  installWithdrawalRequestPredeploy,
  MIN_WITHDRAWAL_REQUEST_FEE,
  readWithdrawalRequestFee,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
} from "../lib/eip7002.js";
import { keyLeaf, rangeProof } from "../lib/merkle.js";
import { nextReportableFrame, type OracleReport, readFrame, reportHash } from "../lib/oracle/frames.js";
import { encodeExitPage } from "../lib/oracle/exits.js";
import { lastRequestMadeBy } from "../lib/oracle/report.js";
import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import { findHints } from "../lib/withdrawals.js";
import type {
  AccountingOracle,
  BeaconDepositMock,
  DepositGuard,
  EmergencyPause,
  ExecutionRewardsVault,
  GovernanceDeployer,
  OperatorRegistry,
  PluralDeployer,
  PluralGovernor,
  PluralTimelock,
  PluralToken,
  StakingPool,
  WithdrawalQueue,
  WithdrawalVault,
} from "../typechain-types/index.js";
import { type Accounts, executeThroughTimelock, pluralFixture, timelockSigner } from "./helpers/protocol.js";

// Promise 5 of the design: "No privileged action happens except through its role; every admin role belongs
// to the timelock". Every state-changing entry point of every contract the deployment puts on chain is listed in
// MATRIX with the rule of who may call it; the suite generates one test per entry, and one failing test per function
// of an ABI without a rule or per rule without a function, so an entry point cannot be added without a decision.
// The local parameters deploy multisig governance (a named account proposes to the timelock) with an operations
// timelock and a pause guardian; the PLURAL token and the Governor, deployed only under token governance, have a
// matrix of their own (GOVERNANCE_MATRIX) on a second chain deployed with deploy/parameters/local-governor.json.

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

// ERC-1967 implementation slot: bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1).
const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
// Not a selector of any function behind a proxy (checked in the "fallback()" tests).
const UNKNOWN_SELECTOR = "0xdeadbeef";
const ROLE_EVENTS = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
]);
// From the artifacts: the contracts they name are compared with those each deployer created, in order.
const DEPLOYER_EVENTS = new Interface((await artifacts.readArtifact("PluralDeployer")).abi);
const GOVERNANCE_EVENTS = new Interface((await artifacts.readArtifact("GovernanceDeployer")).abi);

type Role =
  | "DEFAULT_ADMIN_ROLE"
  | "PAUSE_ROLE"
  | "RESUME_ROLE"
  | "STAKE_LIMIT_ROLE"
  | "MANAGE_ACCOUNTING_ROLE"
  | "MANAGE_OPERATORS_ROLE"
  | "ADD_OPERATOR_ROLE"
  | "VET_KEYS_ROLE"
  | "UNVET_KEYS_ROLE"
  | "REPORT_EXITS_ROLE"
  | "MANAGE_MEMBERS_ROLE"
  | "MANAGE_CONFIG_ROLE"
  | "ALLOW_LOSS_ROLE"
  | "FORCE_EXIT_ROLE"
  | "PROPOSER_ROLE"
  | "EXECUTOR_ROLE"
  | "CANCELLER_ROLE";
const POOL_ROLES: readonly Role[] = [
  "DEFAULT_ADMIN_ROLE",
  "PAUSE_ROLE",
  "RESUME_ROLE",
  "STAKE_LIMIT_ROLE",
  "MANAGE_ACCOUNTING_ROLE",
];

/** EmergencyPause targets: the pool's deposits, the queue's requests and claims, the guard's staking. */
const DEPOSITS = 1n;
const WITHDRAWALS = 2n;
const STAKING = 4n;
const ALL_TARGETS = DEPOSITS | WITHDRAWALS | STAKING;
/** A pause within the deployed longest pause. */
const PAUSE_DURATION = 3600n;

/** The operator the fixture adds through the timelock, managed by `Context.manager`. */
const OPERATOR_ID = 0n;
/** Its committed keys, one batch (batch 0) of two; the first is vetted. The registry checks no BLS signature. */
const KEYS = [0, 1].map((i) => ({
  pubkey: ethers.hexlify(new Uint8Array(48).fill(0xa0 + i)),
  signature: ethers.hexlify(new Uint8Array(96).fill(0xb0 + i)),
}));
const VALIDATOR_DEPOSIT = ethers.parseEther("32");
/** An exit response time within the registry's bounds, other than the deployed one. */
const EXIT_RESPONSE_TIME = 2n * 24n * 3600n;
/** A cap on the withdrawal vault's exit request fee within its 0.1 ether limit, other than the deployed one. */
const MAX_EXIT_REQUEST_FEE = ethers.parseEther("0.05");
/** The ether deposited for each sample withdrawal request, all of whose shares the request takes. */
const REQUEST_ETHER = ethers.parseEther("1");

/** A fresh deployment with handles on every contract it put on chain. */
interface Context {
  protocol: Protocol;
  /** The fixture's named accounts, except `stranger`: an account that is neither named nor a guardian. */
  accounts: Accounts;
  pool: StakingPool;
  poolImplementation: StakingPool;
  registry: OperatorRegistry;
  registryImplementation: OperatorRegistry;
  guard: DepositGuard;
  guardImplementation: DepositGuard;
  vault: WithdrawalVault;
  vaultImplementation: WithdrawalVault;
  rewardsVault: ExecutionRewardsVault;
  rewardsVaultImplementation: ExecutionRewardsVault;
  oracle: AccountingOracle;
  oracleImplementation: AccountingOracle;
  queue: WithdrawalQueue;
  queueImplementation: WithdrawalQueue;
  emergencyPause: EmergencyPause;
  emergencyPauseImplementation: EmergencyPause;
  /** The PluralDeployer, which created the eight proxies in its constructor. */
  pluralDeployer: PluralDeployer;
  /** The GovernanceDeployer, which created both timelocks in its constructor. */
  governanceDeployer: GovernanceDeployer;
  /** The governance timelock. */
  timelock: PluralTimelock;
  /** The operations timelock: adds operators and vets keys, administered by the governance timelock. */
  operationsTimelock: PluralTimelock;
  beaconDeposit: BeaconDepositMock;
  /** The deposit guard's guardians, by ascending address (the order their signatures must come in). */
  guardians: HardhatEthersSigner[];
  /** The accounting oracle's committee members. */
  oracleMembers: HardhatEthersSigner[];
  /** The manager of operator OPERATOR_ID. */
  manager: HardhatEthersSigner;
  /** The EmergencyPause's guardian, granted one pause at deployment. */
  pauseGuardian: HardhatEthersSigner;
  /** The operations account: the operations timelock's proposer, canceller and executor. */
  operations: HardhatEthersSigner;
  /** The timelock, impersonated: the holder of every admin role. */
  timelockAccount: HardhatEthersSigner;
}

/**
 * Who holds a role, by construction: the timelock; a contract of the deployment that acts on the role itself (the
 * deposit guard, for its guardian quorum; the accounting oracle, for its committee's exit data; the emergency pause,
 * for its guardian's pause; the operations timelock, for routine operator administration); or, on a timelock, the
 * account that proposes to it. A new holder is one line in HOLDERS and its name here.
 */
type Holder =
  | "timelock"
  | "operationsTimelock"
  | "emergencyPause"
  | "depositGuard"
  | "accountingOracle"
  | "governance"
  | "operations"
  | "pauseGuardian";

/**
 * Each holder's name in test titles, its address in the deployment and how the suite acts as it: accounts sign,
 * contracts are impersonated (the timelock as `timelockAccount`).
 */
const HOLDERS: Record<
  Holder,
  { name: string; address: (ctx: Context) => string; signer: (ctx: Context) => Promise<HardhatEthersSigner> }
> = {
  timelock: {
    name: "the timelock",
    address: (ctx) => ctx.protocol.addresses.timelock,
    signer: (ctx) => Promise.resolve(ctx.timelockAccount),
  },
  operationsTimelock: {
    name: "the operations timelock",
    address: (ctx) => ctx.protocol.addresses.operationsTimelock!,
    signer: (ctx) => impersonate(ctx.protocol.addresses.operationsTimelock!),
  },
  emergencyPause: {
    name: "the EmergencyPause",
    address: (ctx) => ctx.protocol.addresses.emergencyPause,
    signer: (ctx) => impersonate(ctx.protocol.addresses.emergencyPause),
  },
  depositGuard: {
    name: "the DepositGuard",
    address: (ctx) => ctx.protocol.addresses.depositGuard,
    signer: (ctx) => impersonate(ctx.protocol.addresses.depositGuard),
  },
  accountingOracle: {
    name: "the AccountingOracle",
    address: (ctx) => ctx.protocol.addresses.accountingOracle,
    signer: (ctx) => impersonate(ctx.protocol.addresses.accountingOracle),
  },
  governance: {
    name: "the governance account",
    address: (ctx) => ctx.accounts.governance.address,
    signer: (ctx) => Promise.resolve(ctx.accounts.governance),
  },
  operations: {
    name: "the operations account",
    address: (ctx) => ctx.operations.address,
    signer: (ctx) => Promise.resolve(ctx.operations),
  },
  pauseGuardian: {
    name: "the pause guardian",
    address: (ctx) => ctx.pauseGuardian.address,
    signer: (ctx) => Promise.resolve(ctx.pauseGuardian),
  },
};

interface Signature {
  r: string;
  vs: string;
}

/** Returns the call's arguments with guardian signatures by `signers` (any accounts) over the message in them. */
type Sign = (ctx: Context, args: unknown[], signers: HardhatEthersSigner[]) => Promise<unknown[]>;

/** Makes the call of a `due` rule's sample arguments something to do, as the protocol would. */
type Prepare = (ctx: Context, args: unknown[]) => Promise<void>;

/** The error arguments of a `due` rule's call before it is due: from the call's arguments, or read from the chain. */
type DueErrorArgs = (args: unknown[], ctx: Context) => unknown[] | Promise<unknown[]>;

/**
 * Who, besides a withdrawal request's owner, the owner may let act on it: the account approved for that token, or an
 * operator of all the owner's tokens (ERC-721's `approve` and `setApprovalForAll`).
 */
type Delegate = "approved" | "operator";

/** The error arguments a withdrawal-request function reverts with for `caller`, on `owner`'s request `requestId`. */
type RequestErrorArgs = (caller: string, owner: string, requestId: bigint) => unknown[];

type Rule =
  /**
   * Function behind `onlyRole(role)`: exactly the role's holders in ROLE_HOLDERS hold it, each of them succeeds and
   * every other holder of the deployment is refused. A timelock's holding of a role on itself is used through an
   * operation it schedules and executes on itself.
   */
  | { kind: "role"; role: Role }
  /** No access check: bound by balance, signature or payment, not by role. */
  | { kind: "anyone" }
  /**
   * No access check, but nothing to do on the fixture's state: a stranger's call reverts with the called contract's
   * `error` (with `errorArgs` of the call's arguments and the state before `prepare`) until `prepare` makes it due,
   * then succeeds.
   */
  | { kind: "due"; error: string; errorArgs: DueErrorArgs; prepare: Prepare }
  /** Anyone, but only with a quorum of the deposit guard's guardians' signatures over the call's message. */
  | { kind: "quorum"; sign: Sign }
  /** Only a guardian of the deposit guard. */
  | { kind: "guardian" }
  /** Only the manager of the operator (`args[0]`); `orRole`: also MANAGE_OPERATORS_ROLE. */
  | { kind: "manager"; orRole: boolean }
  /** Only the staking pool; anyone else is refused with `error` (the caller). */
  | { kind: "poolOnly"; error: "CallerNotPool" | "UnexpectedEther" }
  /** Only the withdrawal vault or the execution-rewards vault, passing ether on to the pool. */
  | { kind: "vaultOnly" }
  /** Only the accounting oracle, handing the pool its committee's report. */
  | { kind: "oracleOnly" }
  /** Only a member of the accounting oracle's committee. */
  | { kind: "member" }
  /**
   * Only the owner of the withdrawal request `requestId(args)` and the `delegates` it named for it; anyone else,
   * the other delegates included, is refused with the queue's `error`.
   */
  | {
      kind: "requestOwner";
      requestId: (args: unknown[]) => bigint;
      delegates: readonly Delegate[];
      error: string;
      errorArgs: RequestErrorArgs;
    }
  /** Timelock function only the timelock may call on itself, i.e. through an operation scheduled and executed on it. */
  | { kind: "timelockSelf" }
  /** `updateDelay` of a timelock created with an administrator: nobody, itself included (`DelayIsFixed`). */
  | { kind: "fixedDelay" }
  /** `EmergencyPause.pause`: only the pause guardian, once per grant of governance. */
  | { kind: "pauseGuardian" }
  /** `renounceRole`: only for the caller's own account. */
  | { kind: "self"; account: Holder }
  /** `initialize`: nobody, ever again (proxy: done in its constructor; implementation: disabled). */
  | { kind: "initializer" }
  /** `upgradeToAndCall`: DEFAULT_ADMIN_ROLE through the proxy; nobody on the implementation (`onlyProxy`). */
  | { kind: "upgrade" }
  /** Implementation function behind `onlyRole(role)`: nobody, since the implementation never granted a role. */
  | { kind: "noHolder"; role: Role }
  /** Implementation function for an operator's manager: nobody, since the implementation has no operator. */
  | { kind: "noOperator" }
  /** Implementation function for the pool: nobody, since the implementation knows no pool (address zero). */
  | { kind: "noPool"; error: "CallerNotPool" | "UnexpectedEther" }
  /** Implementation withdrawal request: nobody, since the implementation knows no pool whose plETH it could lock. */
  | { kind: "unpooled" }
  /** Implementation function on a withdrawal request: nobody, since the implementation has none (`error`). */
  | { kind: "noRequest"; error: string; errorArgs: (args: unknown[]) => unknown[] }
  /** Implementation pool function for the vaults: nobody, since the implementation knows no vault. */
  | { kind: "noVault" }
  /** Implementation pool function for the oracle: nobody, since the implementation knows no oracle. */
  | { kind: "noOracle" }
  /** Implementation oracle vote: nobody, since the implementation has no committee. */
  | { kind: "noMember" }
  /**
   * Implementation oracle `applyReport` and `submitExitData`: nobody, since the implementation has no beacon clock to
   * find a frame by.
   */
  | { kind: "noClock" }
  /** Implementation `pauseStaking`: nobody, since the implementation has no guardian. */
  | { kind: "noGuardian" }
  /** Implementation `EmergencyPause.pause`: nobody, since the implementation granted no pause. */
  | { kind: "noPauseGuardian" }
  /** Implementation guard's quorum function: nobody, since it has no guardian, quorum or registry, and no block age. */
  | { kind: "unconfigured" }
  /** Implementation `depositValidators`: nobody, since the implementation buffers no ether. */
  | { kind: "unfunded" }
  /** Implementation function open to anyone that writes only the implementation's own storage, which nothing reads. */
  | { kind: "isolated" }
  /** Implementation deposits: the uninitialized implementation has no shares to price against, so nobody deposits. */
  | { kind: "unpriced" }
  /** The proxy's own fallback: forwards to the implementation, so an unknown selector reverts without data. */
  | { kind: "delegated" };

const role = (name: Role): Rule => ({ kind: "role", role: name });
const anyone: Rule = { kind: "anyone" };
const due = (error: string, errorArgs: DueErrorArgs, prepare: Prepare): Rule => ({
  kind: "due",
  error,
  errorArgs,
  prepare,
});
const quorum = (sign: Sign): Rule => ({ kind: "quorum", sign });
const guardian: Rule = { kind: "guardian" };
const manager = (orRole: boolean): Rule => ({ kind: "manager", orRole });
const poolOnly: Rule = { kind: "poolOnly", error: "CallerNotPool" };
/** `receive()` of a contract that takes ether from the pool alone. */
const poolEtherOnly: Rule = { kind: "poolOnly", error: "UnexpectedEther" };
const vaultOnly: Rule = { kind: "vaultOnly" };
const oracleOnly: Rule = { kind: "oracleOnly" };
const member: Rule = { kind: "member" };
const requestOwner = (
  requestId: (args: unknown[]) => bigint,
  delegates: readonly Delegate[],
  error: string,
  errorArgs: RequestErrorArgs,
): Rule => ({ kind: "requestOwner", requestId, delegates, error, errorArgs });
const timelockSelf: Rule = { kind: "timelockSelf" };
const pauseGuardian: Rule = { kind: "pauseGuardian" };
const fixedDelay: Rule = { kind: "fixedDelay" };
const self = (account: Holder): Rule => ({ kind: "self", account });
const initializer: Rule = { kind: "initializer" };
const upgrade: Rule = { kind: "upgrade" };
const noHolder = (name: Role): Rule => ({ kind: "noHolder", role: name });
const noOperator: Rule = { kind: "noOperator" };
const noPool: Rule = { kind: "noPool", error: "CallerNotPool" };
const noPoolEther: Rule = { kind: "noPool", error: "UnexpectedEther" };
const unpooled: Rule = { kind: "unpooled" };
const noRequest = (error: string, errorArgs: (args: unknown[]) => unknown[]): Rule => ({
  kind: "noRequest",
  error,
  errorArgs,
});
const noVault: Rule = { kind: "noVault" };
const noOracle: Rule = { kind: "noOracle" };
const noMember: Rule = { kind: "noMember" };
const noClock: Rule = { kind: "noClock" };
const noGuardian: Rule = { kind: "noGuardian" };
const noPauseGuardian: Rule = { kind: "noPauseGuardian" };
const unconfigured: Rule = { kind: "unconfigured" };
const unfunded: Rule = { kind: "unfunded" };
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
  /** The artifact whose deployed bytecode is at the address. */
  code: string;
  /** The implementation behind a proxy, called directly: its own storage was never initialized. */
  bareImplementation: boolean;
  at: (ctx: Context) => BaseContract;
}

// A proxy's own ABI adds only its `fallback()`, through which every function of its implementation is reached.
const CONTRACTS = {
  StakingPool: {
    artifacts: ["StakingPool", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.pool,
  },
  StakingPoolImplementation: {
    artifacts: ["StakingPool"],
    code: "StakingPool",
    bareImplementation: true,
    at: (ctx) => ctx.poolImplementation,
  },
  OperatorRegistry: {
    artifacts: ["OperatorRegistry", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.registry,
  },
  OperatorRegistryImplementation: {
    artifacts: ["OperatorRegistry"],
    code: "OperatorRegistry",
    bareImplementation: true,
    at: (ctx) => ctx.registryImplementation,
  },
  DepositGuard: {
    artifacts: ["DepositGuard", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.guard,
  },
  DepositGuardImplementation: {
    artifacts: ["DepositGuard"],
    code: "DepositGuard",
    bareImplementation: true,
    at: (ctx) => ctx.guardImplementation,
  },
  WithdrawalVault: {
    artifacts: ["WithdrawalVault", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.vault,
  },
  WithdrawalVaultImplementation: {
    artifacts: ["WithdrawalVault"],
    code: "WithdrawalVault",
    bareImplementation: true,
    at: (ctx) => ctx.vaultImplementation,
  },
  ExecutionRewardsVault: {
    artifacts: ["ExecutionRewardsVault", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.rewardsVault,
  },
  ExecutionRewardsVaultImplementation: {
    artifacts: ["ExecutionRewardsVault"],
    code: "ExecutionRewardsVault",
    bareImplementation: true,
    at: (ctx) => ctx.rewardsVaultImplementation,
  },
  AccountingOracle: {
    artifacts: ["AccountingOracle", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.oracle,
  },
  AccountingOracleImplementation: {
    artifacts: ["AccountingOracle"],
    code: "AccountingOracle",
    bareImplementation: true,
    at: (ctx) => ctx.oracleImplementation,
  },
  WithdrawalQueue: {
    artifacts: ["WithdrawalQueue", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.queue,
  },
  WithdrawalQueueImplementation: {
    artifacts: ["WithdrawalQueue"],
    code: "WithdrawalQueue",
    bareImplementation: true,
    at: (ctx) => ctx.queueImplementation,
  },
  EmergencyPause: {
    artifacts: ["EmergencyPause", "ERC1967Proxy"],
    code: "ERC1967Proxy",
    bareImplementation: false,
    at: (ctx) => ctx.emergencyPause,
  },
  EmergencyPauseImplementation: {
    artifacts: ["EmergencyPause"],
    code: "EmergencyPause",
    bareImplementation: true,
    at: (ctx) => ctx.emergencyPauseImplementation,
  },
  // Their constructors are all they do: no function is left to call once deployed.
  PluralDeployer: {
    artifacts: ["PluralDeployer"],
    code: "PluralDeployer",
    bareImplementation: false,
    at: (ctx) => ctx.pluralDeployer,
  },
  GovernanceDeployer: {
    artifacts: ["GovernanceDeployer"],
    code: "GovernanceDeployer",
    bareImplementation: false,
    at: (ctx) => ctx.governanceDeployer,
  },
  // Named as in the deployment record: `PluralLocal#TimelockController` and `PluralLocal#OperationsTimelock`.
  TimelockController: {
    artifacts: ["PluralTimelock"],
    code: "PluralTimelock",
    bareImplementation: false,
    at: (ctx) => ctx.timelock,
  },
  OperationsTimelock: {
    artifacts: ["PluralTimelock"],
    code: "PluralTimelock",
    bareImplementation: false,
    at: (ctx) => ctx.operationsTimelock,
  },
  BeaconDepositMock: {
    artifacts: ["BeaconDepositMock"],
    code: "BeaconDepositMock",
    bareImplementation: false,
    at: (ctx) => ctx.beaconDeposit,
  },
} as const satisfies Record<string, DeployedContract>;

type ContractName = keyof typeof CONTRACTS;

/**
 * Every role of every AccessControl contract and its holders: the timelock, except where another contract of the
 * deployment or a timelock's proposer needs a role. Two timelocks administer the operations timelock: the governance
 * timelock and, as every TimelockController does, the operations timelock itself.
 */
const ROLE_HOLDERS: Partial<Record<ContractName, Partial<Record<Role, readonly Holder[]>>>> = {
  StakingPool: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    PAUSE_ROLE: ["emergencyPause"],
    RESUME_ROLE: ["timelock", "emergencyPause"],
    STAKE_LIMIT_ROLE: ["timelock"],
    MANAGE_ACCOUNTING_ROLE: ["timelock"],
  },
  OperatorRegistry: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    MANAGE_OPERATORS_ROLE: ["timelock"],
    ADD_OPERATOR_ROLE: ["timelock", "operationsTimelock"],
    VET_KEYS_ROLE: ["timelock", "operationsTimelock"],
    UNVET_KEYS_ROLE: ["depositGuard"],
    REPORT_EXITS_ROLE: ["accountingOracle"],
  },
  DepositGuard: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    PAUSE_ROLE: ["emergencyPause"],
    RESUME_ROLE: ["timelock", "emergencyPause"],
  },
  WithdrawalVault: { DEFAULT_ADMIN_ROLE: ["timelock"], FORCE_EXIT_ROLE: ["timelock"] },
  ExecutionRewardsVault: { DEFAULT_ADMIN_ROLE: ["timelock"] },
  AccountingOracle: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    MANAGE_MEMBERS_ROLE: ["timelock"],
    MANAGE_CONFIG_ROLE: ["timelock"],
    ALLOW_LOSS_ROLE: ["timelock"],
  },
  WithdrawalQueue: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    PAUSE_ROLE: ["emergencyPause"],
    RESUME_ROLE: ["timelock", "emergencyPause"],
  },
  EmergencyPause: { DEFAULT_ADMIN_ROLE: ["timelock"] },
  // Exactly the governance account: in particular not address(0), which would open a role to everybody.
  TimelockController: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    PROPOSER_ROLE: ["governance"],
    EXECUTOR_ROLE: ["governance"],
    CANCELLER_ROLE: ["governance"],
  },
  // Administered by the governance timelock alone: it does not administer itself, so its proposer cannot schedule
  // grants or revocations on it. The pause guardian's veto acts at once, before governance's cancel could.
  OperationsTimelock: {
    DEFAULT_ADMIN_ROLE: ["timelock"],
    PROPOSER_ROLE: ["operations"],
    EXECUTOR_ROLE: ["operations"],
    CANCELLER_ROLE: ["operations", "timelock", "pauseGuardian"],
  },
};

const now = async () => BigInt(await networkHelpers.time.latest());

async function latestBlock() {
  const block = await ethers.provider.getBlock("latest");
  if (block?.hash == null) throw new Error("no latest block");
  return { number: BigInt(block.number), hash: block.hash };
}

/** Sends the next transactions as `address` (a contract of the deployment), giving it ether for gas. */
async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await networkHelpers.setBalance(address, (await ethers.provider.getBalance(address)) + ethers.parseEther("1"));
  return ethers.getImpersonatedSigner(address);
}

function holderAddress(ctx: Context, holder: Holder): string {
  return HOLDERS[holder].address(ctx);
}

/** The holder as a signer: the timelock impersonated as everywhere, a holding contract impersonated, or an account. */
function holderSigner(ctx: Context, holder: Holder): Promise<HardhatEthersSigner> {
  return HOLDERS[holder].signer(ctx);
}

async function depositFor(ctx: Context, account: HardhatEthersSigner, amount: bigint) {
  await (await ctx.pool.connect(account).deposit(ethers.ZeroAddress, { value: amount })).wait();
}

/** `owner`'s EIP-2612 signature letting `spender` spend `value` of its shares on `token`, valid for an hour. */
async function signPermit(token: StakingPool, owner: HardhatEthersSigner, spender: string, value: bigint) {
  const domain = await token.eip712Domain();
  const deadline = (await now()) + 3600n;
  const signature = ethers.Signature.from(
    await owner.signTypedData(
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
      { owner: owner.address, spender, value, nonce: await token.nonces(owner), deadline },
    ),
  );
  return { value, deadline, v: signature.v, r: signature.r, s: signature.s };
}

/** Alice's EIP-2612 permit for the stranger to spend `value` of her shares on `token`, as permit's arguments. */
async function permitArgs(ctx: Context, token: StakingPool, value: bigint): Promise<unknown[]> {
  const { alice, stranger } = ctx.accounts;
  const { deadline, v, r, s } = await signPermit(token, alice, stranger.address, value);
  return [alice.address, stranger.address, value, deadline, v, r, s];
}

/** Deposits `amount` for `account` and requests a withdrawal of all the shares it got; returns the request's id. */
async function requestFor(ctx: Context, account: HardhatEthersSigner, amount: bigint): Promise<bigint> {
  const before = await ctx.pool.balanceOf(account);
  await depositFor(ctx, account, amount);
  const shares = (await ctx.pool.balanceOf(account)) - before;
  await (await ctx.pool.connect(account).approve(ctx.queue, shares)).wait();
  await (await ctx.queue.connect(account).requestWithdrawals([shares], account.address)).wait();
  return (await ctx.queue.getQueueState()).lastRequestId;
}

/**
 * Finalizes every request made so far as the protocol does: committee reports, each naming the newest request made by
 * its reference slot, until one names the last. The first may be for a frame that began before the requests.
 */
async function finalizeRequests(ctx: Context) {
  const { lastRequestId } = await ctx.queue.getQueueState();
  for (let reports = 0; reports < 2; reports++) {
    const refSlot = await reportableRefSlot(ctx);
    const [config] = await ctx.oracle.getFrameConfig();
    const refTime = config.genesisTime + refSlot * config.secondsPerSlot;
    const lastFinalizableRequestId = await lastRequestMadeBy(ctx.queue, refTime, "latest");
    await reportByQuorum(ctx, { ...emptyReport(refSlot), lastFinalizableRequestId });
    if (lastFinalizableRequestId === lastRequestId) break;
  }
  expect((await ctx.queue.getQueueState()).lastFinalizedId, "requests finalized").to.equal(lastRequestId);
}

/** ERC-721 transfers of a request: by its owner, the account approved for it or an operator of all the owner's. */
const moveRequest = requestOwner(
  ([, , requestId]) => requestId as bigint,
  ["approved", "operator"],
  "ERC721InsufficientApproval",
  (caller, _, requestId) => [caller, requestId],
);

/** A new request of Alice's moved to the stranger, as `transferFrom(from, to, requestId)` takes it, then `extra`. */
const moveRequestArgs =
  (...extra: unknown[]) =>
  async (ctx: Context) => [
    ctx.accounts.alice.address,
    ctx.accounts.stranger.address,
    await requestFor(ctx, ctx.accounts.alice, REQUEST_ETHER),
    ...extra,
  ];

/** Alice's request, finalized, as `claimWithdrawal(requestId, hint, receiver)` takes it, paying the stranger. */
async function finalizedRequestArgs(ctx: Context): Promise<[bigint, bigint, string]> {
  const requestId = await requestFor(ctx, ctx.accounts.alice, REQUEST_ETHER);
  await finalizeRequests(ctx);
  const [hint] = await findHints(ctx.queue, [requestId]);
  return [requestId, hint!, ctx.accounts.stranger.address];
}

/** A timelock operation: (target, value, data, predecessor, salt). */
type Operation = readonly [target: string, value: bigint, data: string, predecessor: string, salt: string];

/** A governance timelock operation that sets the pool's stake limit. */
function stakeLimitOperation(ctx: Context, salt: string): Operation {
  const data = ctx.pool.interface.encodeFunctionData("setStakeLimit", [ethers.parseEther("10"), 3600n]);
  return [ctx.protocol.addresses.pool, 0n, data, ethers.ZeroHash, ethers.id(salt)];
}

/** An operations timelock operation, within its powers: it adds an operator. */
function addOperatorOperation(ctx: Context, salt: string): Operation {
  const { bob } = ctx.accounts;
  const data = ctx.registry.interface.encodeFunctionData("addOperator", [
    "Operations' operator",
    bob.address,
    bob.address,
  ]);
  return [ctx.protocol.addresses.operatorRegistry, 0n, data, ethers.ZeroHash, ethers.id(salt)];
}

type TimelockName = "TimelockController" | "OperationsTimelock";

/** Each timelock, the holder that schedules and executes on it, and a sample operation within its powers. */
const TIMELOCKS: Record<
  TimelockName,
  { at: (ctx: Context) => PluralTimelock; proposer: Holder; operation: (ctx: Context, salt: string) => Operation }
> = {
  TimelockController: { at: (ctx) => ctx.timelock, proposer: "governance", operation: stakeLimitOperation },
  OperationsTimelock: { at: (ctx) => ctx.operationsTimelock, proposer: "operations", operation: addOperatorOperation },
};

async function scheduleOn(ctx: Context, name: TimelockName, operation: Operation) {
  const timelock = TIMELOCKS[name].at(ctx).connect(await holderSigner(ctx, TIMELOCKS[name].proposer));
  await (await timelock.schedule(...operation, await timelock.getMinDelay())).wait();
}

async function scheduleBatchOn(ctx: Context, name: TimelockName, operation: Operation) {
  const [target, value, data, predecessor, salt] = operation;
  const timelock = TIMELOCKS[name].at(ctx).connect(await holderSigner(ctx, TIMELOCKS[name].proposer));
  await (
    await timelock.scheduleBatch([target], [value], [data], predecessor, salt, await timelock.getMinDelay())
  ).wait();
}

/** Runs `data` on `target` through timelock `name` as its proposer does: schedule, wait the delay, execute. */
async function executeOn(ctx: Context, name: TimelockName, target: string, data: string) {
  const operation: Operation = [target, 0n, data, ethers.ZeroHash, ethers.id(`${target}:${data}:${Math.random()}`)];
  await scheduleOn(ctx, name, operation);
  const timelock = TIMELOCKS[name].at(ctx).connect(await holderSigner(ctx, TIMELOCKS[name].proposer));
  await networkHelpers.time.increase(await timelock.getMinDelay());
  return timelock.execute(...operation);
}

/** The pause guardian pauses `targets` through the EmergencyPause, as in an emergency, using its grant. */
async function pauseByGuardian(ctx: Context, targets: bigint) {
  await (await ctx.emergencyPause.connect(ctx.pauseGuardian).pause(targets, PAUSE_DURATION)).wait();
}

/** Sample arguments of a resume function: none, once the guardian paused `targets`. */
function guardianPauses(targets: bigint) {
  return async (ctx: Context) => {
    await pauseByGuardian(ctx, targets);
    return [];
  };
}

/** The first key of operator OPERATOR_ID as a deposit presents it, with credentials for `pool`'s vault. */
async function firstKeySegment(pool: StakingPool) {
  const [key] = KEYS as [(typeof KEYS)[number]];
  const leaves = KEYS.map((each, index) => keyLeaf(OPERATOR_ID, BigInt(index), each.pubkey, each.signature));
  const credentials = await pool.withdrawalCredentials();
  return {
    operatorId: OPERATOR_ID,
    batchIndex: 0n,
    pubkeys: key.pubkey,
    signatures: key.signature,
    depositDataRoots: [computeDepositDataRoot(key.pubkey, credentials, VALIDATOR_DEPOSIT / 10n ** 9n, key.signature)],
    proof: rangeProof(leaves, 0, 1),
  };
}

/**
 * Makes one validator deposit possible: 32 ether in the buffer, and a share cap that lets the only operator take it
 * (30% of one validator rounds down to none). Returns the segments of that deposit.
 */
async function prepareValidatorDeposit(ctx: Context) {
  await depositFor(ctx, ctx.accounts.alice, VALIDATOR_DEPOSIT);
  await (await ctx.registry.connect(ctx.timelockAccount).setShareCap(10_000n)).wait();
  return [await firstKeySegment(ctx.pool)];
}

const SIGNED_TYPES = {
  DepositAttestation: [
    { name: "depositRoot", type: "bytes32" },
    { name: "registryNonce", type: "uint256" },
    { name: "blockNumber", type: "uint256" },
    { name: "blockHash", type: "bytes32" },
  ],
  UnvetKeys: [
    { name: "operatorId", type: "uint256" },
    { name: "registryNonce", type: "uint256" },
    { name: "blockNumber", type: "uint256" },
    { name: "blockHash", type: "bytes32" },
  ],
} as const;

/** EIP-2098 signatures by `signers` over a deposit guard message, in their order (not sorted here). */
async function guardSignatures(
  ctx: Context,
  signers: HardhatEthersSigner[],
  type: keyof typeof SIGNED_TYPES,
  message: Record<string, unknown>,
): Promise<Signature[]> {
  const domain = await ctx.guard.eip712Domain();
  const fields = SIGNED_TYPES[type];
  const value = Object.fromEntries(fields.map(({ name }) => [name, message[name]]));
  return Promise.all(
    signers.map(async (signer) => {
      const signature = ethers.Signature.from(
        await signer.signTypedData(
          {
            name: domain.name,
            version: domain.version,
            chainId: domain.chainId,
            verifyingContract: domain.verifyingContract,
          },
          { [type]: [...fields] },
          value,
        ),
      );
      return { r: signature.r, vs: signature.yParityAndS };
    }),
  );
}

/** `depositValidators(segments, attestation)` with the attestation signed by `signers`. */
const signAttestation: Sign = async (ctx, [segments, attestation], signers) => {
  const message = attestation as Record<string, unknown>;
  return [segments, { ...message, signatures: await guardSignatures(ctx, signers, "DepositAttestation", message) }];
};

/** `unvetKeys(operatorId, registryNonce, blockNumber, blockHash, signatures)` signed by `signers`. */
const signUnvet: Sign = async (ctx, [operatorId, registryNonce, blockNumber, blockHash], signers) => {
  const message = { operatorId, registryNonce, blockNumber, blockHash };
  return [operatorId, registryNonce, blockNumber, blockHash, await guardSignatures(ctx, signers, "UnvetKeys", message)];
};

/** An attestation of the current deposit root and registry nonce at the latest block, not signed yet. */
async function unsignedAttestation(ctx: Context) {
  const block = await latestBlock();
  return {
    depositRoot: await ctx.beaconDeposit.get_deposit_root(),
    registryNonce: await ctx.registry.nonce(),
    blockNumber: block.number,
    blockHash: block.hash,
    signatures: [] as Signature[],
  };
}

/** Deposits the first key of operator OPERATOR_ID to the beacon chain, on the attestation of a guardian quorum. */
async function depositValidator(ctx: Context) {
  const segments = await prepareValidatorDeposit(ctx);
  const signers = ctx.guardians.slice(ctx.guardians.length - Number(await ctx.guard.quorum()));
  const args = await signAttestation(ctx, [segments, await unsignedAttestation(ctx)], signers);
  await (await ctx.pool.connect(ctx.accounts.bob).getFunction(DEPOSIT_VALIDATORS)(...args)).wait();
}

/** Operator OPERATOR_ID's first key asked to exit, as `IOperatorRegistry.ExitUpdate`: once deposited, a valid request. */
const EXIT_REQUEST = { operatorId: OPERATOR_ID, exitedKeys: 0n, keyIndices: [0n], pubkeys: KEYS[0]!.pubkey };
/** Exit data of one page, the last: EXIT_REQUEST. */
const EXIT_PAGE = encodeExitPage(ethers.ZeroHash, [EXIT_REQUEST]);

/** The committee's report sees the deposited validator and names EXIT_PAGE as its exit data: the page is then due. */
async function reportExitData(ctx: Context) {
  await depositValidator(ctx);
  await reportByQuorum(ctx, {
    ...emptyReport(await reportableRefSlot(ctx)),
    beaconValidators: 1n,
    beaconBalance: VALIDATOR_DEPOSIT,
    exitDataHash: ethers.keccak256(EXIT_PAGE),
  });
}

/** The report of a pool without validators and with empty vaults, which every sanity bound accepts. */
const emptyReport = (refSlot: bigint): OracleReport => ({
  refSlot,
  beaconValidators: 0n,
  beaconBalance: 0n,
  exitedValidators: 0n,
  withdrawalVaultBalance: 0n,
  elRewardsVaultBalance: 0n,
  lastFinalizableRequestId: 0n,
  bunkerMode: false,
  exitDataHash: ethers.ZeroHash,
});

/**
 * The reference slot the committee can report for next: the current frame's, or the next frame's when the current
 * one's was processed. Moves the chain's time until the oracle takes votes for it, two epochs into its frame.
 */
async function reportableRefSlot(ctx: Context): Promise<bigint> {
  const { refSlot, reportableTime } = nextReportableFrame(await readFrame(ctx.oracle));
  if ((await now()) < reportableTime) await networkHelpers.time.increaseTo(reportableTime);
  expect((await ctx.oracle.currentFrame()).refSlot, "the frame being reported").to.equal(refSlot);
  return refSlot;
}

/** A quorum of the committee votes for `report` by its hash only, leaving it to be applied. */
async function agreeOn(ctx: Context, report: OracleReport) {
  const quorum = Number(await ctx.oracle.quorum());
  for (const signer of ctx.oracleMembers.slice(0, quorum)) {
    await (await ctx.oracle.connect(signer).submitReportHash(report.refSlot, reportHash(report))).wait();
  }
}

/**
 * Earns operator OPERATOR_ID fees the way the protocol does: a validator deposit on a guardian quorum, then a
 * committee report that sees the validator and takes `elRewards` from the execution-rewards vault as rewards, on
 * which the pool mints the operators' fee to the registry.
 */
async function earnOperatorFees(ctx: Context, elRewards: bigint) {
  await depositValidator(ctx);
  await (await ctx.accounts.alice.sendTransaction({ to: ctx.rewardsVault, value: elRewards })).wait();
  const report: OracleReport = {
    ...emptyReport(await reportableRefSlot(ctx)),
    beaconValidators: 1n,
    beaconBalance: VALIDATOR_DEPOSIT,
    elRewardsVaultBalance: elRewards,
  };
  await reportByQuorum(ctx, report);
}

/** A quorum of the committee submits `report`; the vote that completes the quorum applies it. */
async function reportByQuorum(ctx: Context, report: OracleReport) {
  const quorum = Number(await ctx.oracle.quorum());
  for (const signer of ctx.oracleMembers.slice(0, quorum)) {
    await (await ctx.oracle.connect(signer).submitReport(report)).wait();
  }
}

/** What the oracle hands the pool for an empty report of the current frame, within the deployed bounds. */
async function poolReportArgs(ctx: Context) {
  const [config] = await ctx.oracle.getFrameConfig();
  const [refSlot] = await ctx.oracle.currentFrame();
  const [bounds] = await ctx.oracle.getSanityBounds();
  const report = {
    ...emptyReport(refSlot),
    timestamp: config.genesisTime + refSlot * config.secondsPerSlot,
    timeElapsed: (refSlot - (await ctx.oracle.lastProcessedRefSlot())) * config.secondsPerSlot,
  };
  const limits = {
    maxAprBps: bounds.maxAprBps,
    maxLossBps: bounds.maxLossBps,
    maxElRewardsBps: bounds.maxElRewardsBps,
    unseenDepositDeadline: bounds.unseenDepositDeadline,
    extraLossAllowed: 0n,
  };
  return [report, limits];
}

/** Sends `amount` to `vault` as beacon withdrawals or block rewards would; returns withdrawToPool's arguments. */
async function fundVault(ctx: Context, vault: BaseContract, amount: bigint) {
  await (await ctx.accounts.alice.sendTransaction({ to: vault, value: amount })).wait();
  return [amount];
}

/**
 * Installs our EIP-7002 request contract, which the local chain lacks, at the predeploy's address, and runs the
 * end-of-block system call a Prague chain would have run since: the fee, unreadable before it, is then the minimum.
 */
async function installExitRequestContract() {
  expect(await installWithdrawalRequestPredeploy(connection.provider), "the request contract installed").to.equal(true);
  const system = await impersonate(SYSTEM_ADDRESS);
  await (await system.sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: "0x" })).wait();
  expect(await readWithdrawalRequestFee(connection.provider), "the fee at zero excess").to.equal(
    MIN_WITHDRAWAL_REQUEST_FEE,
  );
}

async function nextRegistryImplementation() {
  const next = await ethers.deployContract("OperatorRegistry");
  return [await next.getAddress(), "0x"];
}

async function nextGuardImplementation(ctx: Context) {
  const next = await ethers.deployContract("DepositGuard", [ctx.protocol.addresses.depositContract]);
  return [await next.getAddress(), "0x"];
}

async function nextVaultImplementation() {
  const next = await ethers.deployContract("WithdrawalVault");
  return [await next.getAddress(), "0x"];
}

async function nextRewardsVaultImplementation() {
  const next = await ethers.deployContract("ExecutionRewardsVault");
  return [await next.getAddress(), "0x"];
}

async function nextOracleImplementation() {
  const next = await ethers.deployContract("AccountingOracle");
  return [await next.getAddress(), "0x"];
}

async function nextPauseImplementation() {
  const next = await ethers.deployContract("EmergencyPause");
  return [await next.getAddress(), "0x"];
}

async function nextQueueImplementation() {
  const next = await ethers.deployContract("WithdrawalQueue");
  return [await next.getAddress(), "0x"];
}

async function nextPoolImplementation(ctx: Context) {
  const next = await ethers.deployContract("StakingPool", [ctx.protocol.addresses.depositContract]);
  return [await next.getAddress(), "0x"];
}

/**
 * The signature of the one function called `name` in `contractName`'s ABI. Functions that take structs are named
 * this way, so that a field added to a struct keeps the function's rule; an overloaded name throws, since each
 * overload is an entry point of its own and needs its own rule.
 */
async function signatureOf(contractName: string, name: string): Promise<string> {
  const fragment = new Interface((await artifacts.readArtifact(contractName)).abi).getFunction(name);
  if (fragment === null) throw new Error(`${contractName} has no function ${name}: update the matrix`);
  return fragment.format("sighash");
}

const DEPOSIT_VALIDATORS = await signatureOf("StakingPool", "depositValidators");
const POOL_INITIALIZE = await signatureOf("StakingPool", "initialize");
const HANDLE_ORACLE_REPORT = await signatureOf("StakingPool", "handleOracleReport");
const GUARD_UNVET_KEYS = await signatureOf("DepositGuard", "unvetKeys");
const ORACLE_INITIALIZE = await signatureOf("AccountingOracle", "initialize");
const SUBMIT_REPORT = await signatureOf("AccountingOracle", "submitReport");
const APPLY_REPORT = await signatureOf("AccountingOracle", "applyReport");
const SET_SANITY_BOUNDS = await signatureOf("AccountingOracle", "setSanityBounds");
const SUBMIT_EXIT_DATA = await signatureOf("AccountingOracle", "submitExitData");
const APPLY_EXIT_UPDATES = await signatureOf("OperatorRegistry", "applyExitUpdates");
const REQUEST_WITH_PERMIT = await signatureOf("WithdrawalQueue", "requestWithdrawalsWithPermit");

/** Sanity bounds within every hard limit, other than the deployed ones. */
const SANITY_BOUNDS = {
  maxAprBps: 500n,
  maxLossBps: 100n,
  maxElRewardsBps: 50n,
  unseenDepositDeadline: 7n * 24n * 3600n,
};

/** Arguments for the pool's `initialize` that would pass every check but the initializer lock. */
const poolInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  0n,
  0n,
  [
    ctx.protocol.addresses.operatorRegistry,
    ctx.protocol.addresses.depositGuard,
    ctx.protocol.addresses.withdrawalVault,
    ctx.protocol.addresses.executionRewardsVault,
    ctx.protocol.addresses.accountingOracle,
    ctx.protocol.addresses.withdrawalQueue,
  ],
  [ctx.accounts.stranger.address, 500n, 500n, 2n * 24n * 3600n],
  ctx.accounts.stranger.address,
];
const registryInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  ctx.accounts.stranger.address,
  ctx.accounts.stranger.address,
  ctx.accounts.stranger.address,
  3000n,
  EXIT_RESPONSE_TIME,
  ctx.accounts.stranger.address,
  100n,
];
const guardInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  ctx.protocol.addresses.operatorRegistry,
  [ctx.accounts.stranger.address],
  1n,
  64n,
  3600n,
  ctx.accounts.stranger.address,
];
const vaultInitializeArgs = (ctx: Context) => [ctx.accounts.stranger.address, ctx.accounts.stranger.address];
const withdrawalVaultInitializeArgs = (ctx: Context) => [...vaultInitializeArgs(ctx), MAX_EXIT_REQUEST_FEE];
const queueInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  ctx.protocol.addresses.pool,
  ctx.accounts.stranger.address,
];
const oracleInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  ctx.protocol.addresses.pool,
  [0n, 12n, 32n, 225n],
  [ctx.accounts.stranger.address],
  1n,
  SANITY_BOUNDS,
];
const pauseInitializeArgs = (ctx: Context) => [
  ctx.accounts.stranger.address,
  ctx.protocol.addresses.pool,
  ctx.protocol.addresses.withdrawalQueue,
  ctx.protocol.addresses.depositGuard,
  ctx.accounts.stranger.address,
  PAUSE_DURATION,
];

type PoolVaultContract = WithdrawalVault | ExecutionRewardsVault;

/**
 * The rules of a PoolVault proxy: the timelock administers and upgrades, only the pool takes ether out. Each vault adds
 * its own initializer, whose signature differs.
 */
function poolVaultEntries(
  vault: (ctx: Context) => PoolVaultContract,
  nextImplementation: () => Promise<unknown[]>,
): Record<string, Entry> {
  return {
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await vault(ctx).DEFAULT_ADMIN_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await vault(ctx).DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await vault(ctx).DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextImplementation, emits: "Upgraded" },
    // The pool asks for what a report counted; the vault pays through the pool's receiveVaultEther().
    "withdrawToPool(uint256)": {
      rule: poolOnly,
      args: (ctx) => fundVault(ctx, vault(ctx), ethers.parseEther("1")),
      emits: "TransferredToPool",
    },
    "receive()": { rule: anyone, value: ethers.parseEther("1") },
    "fallback()": { rule: delegated },
  };
}

/**
 * The rules of a bare PoolVault implementation: no role holder, no pool, and ether sent there stays there. Each vault
 * adds its own initializer.
 */
function poolVaultImplementationEntries(
  implementation: (ctx: Context) => PoolVaultContract,
  nextImplementation: () => Promise<unknown[]>,
): Record<string, Entry> {
  return {
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await implementation(ctx).DEFAULT_ADMIN_ROLE(), ctx.accounts.stranger.address],
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await implementation(ctx).DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await implementation(ctx).DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextImplementation },
    "withdrawToPool(uint256)": { rule: noPool, args: () => [0n] },
    // No validator names an implementation (in its credentials or as fee recipient), and nothing takes ether out.
    "receive()": { rule: isolated, value: ethers.parseEther("1") },
  };
}

/**
 * The rules of a timelock: its proposer schedules, its executor executes, its cancellers cancel; the holders of its
 * DEFAULT_ADMIN_ROLE (always itself, through an operation) administer its roles; only itself changes its delay.
 * `delay` is a new minimum delay within its limits.
 */
function timelockEntries(name: TimelockName, delay: bigint): Record<string, Entry> {
  const { at, proposer, operation } = TIMELOCKS[name];
  return {
    "cancel(bytes32)": {
      rule: role("CANCELLER_ROLE"),
      args: async (ctx) => {
        const scheduled = operation(ctx, "cancel");
        await scheduleOn(ctx, name, scheduled);
        return [await at(ctx).hashOperation(...scheduled)];
      },
      emits: "Cancelled",
    },
    "execute(address,uint256,bytes,bytes32,bytes32)": {
      rule: role("EXECUTOR_ROLE"),
      args: async (ctx) => {
        const scheduled = operation(ctx, "execute");
        await scheduleOn(ctx, name, scheduled);
        await networkHelpers.time.increase(await at(ctx).getMinDelay());
        return [...scheduled];
      },
      emits: "CallExecuted",
    },
    "executeBatch(address[],uint256[],bytes[],bytes32,bytes32)": {
      rule: role("EXECUTOR_ROLE"),
      args: async (ctx) => {
        const scheduled = operation(ctx, "executeBatch");
        await scheduleBatchOn(ctx, name, scheduled);
        await networkHelpers.time.increase(await at(ctx).getMinDelay());
        const [target, value, data, predecessor, salt] = scheduled;
        return [[target], [value], [data], predecessor, salt];
      },
      emits: "CallExecuted",
    },
    // The admin of every timelock role is its DEFAULT_ADMIN_ROLE.
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await at(ctx).PROPOSER_ROLE(), ctx.accounts.alice.address],
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
      rule: self(proposer),
      args: async (ctx) => [await at(ctx).PROPOSER_ROLE(), holderAddress(ctx, proposer)],
      emits: "RoleRevoked",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await at(ctx).PROPOSER_ROLE(), holderAddress(ctx, proposer)],
      emits: "RoleRevoked",
    },
    "schedule(address,uint256,bytes,bytes32,bytes32,uint256)": {
      rule: role("PROPOSER_ROLE"),
      args: async (ctx) => [...operation(ctx, "schedule"), await at(ctx).getMinDelay()],
      emits: "CallScheduled",
    },
    "scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256)": {
      rule: role("PROPOSER_ROLE"),
      args: async (ctx) => {
        const [target, value, data, predecessor, salt] = operation(ctx, "scheduleBatch");
        return [[target], [value], [data], predecessor, salt, await at(ctx).getMinDelay()];
      },
      emits: "CallScheduled",
    },
    "updateDelay(uint256)":
      name === "OperationsTimelock"
        ? { rule: fixedDelay, args: () => [delay] }
        : { rule: timelockSelf, args: () => [delay], emits: "MinDelayChange" },
    // Ether sent to a timelock can only leave through an executed operation.
    "receive()": { rule: anyone, value: 1n },
  };
}

const MATRIX: Record<ContractName, Record<string, Entry>> = {
  StakingPool: {
    "approve(address,uint256)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.bob.address, ethers.parseEther("1")],
      emits: "Approval",
    },
    // Bound by the caller's balance: it destroys its own plETH, whose ether stays pooled for every other holder.
    "burn(uint256)": {
      rule: anyone,
      args: async (ctx) => {
        await depositFor(ctx, ctx.accounts.stranger, ethers.parseEther("1"));
        return [ethers.parseEther("0.5")];
      },
      emits: "Transfer",
    },
    "deposit(address)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.bob.address],
      value: ethers.parseEther("1"),
      emits: "Deposited",
    },
    // Anyone may push buffered ether to validators, but only on a guardian quorum's attestation of the current
    // deposit root and registry nonce; the keys are the registry's, the credentials the vault's.
    [DEPOSIT_VALIDATORS]: {
      rule: quorum(signAttestation),
      args: async (ctx) => [await prepareValidatorDeposit(ctx), await unsignedAttestation(ctx)],
      emits: "ValidatorsDeposited",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.pool.PAUSE_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    // The committee's agreed report, within the oracle's bounds: the only way the pool's accounting moves.
    [HANDLE_ORACLE_REPORT]: { rule: oracleOnly, args: poolReportArgs, emits: "ReportApplied" },
    [POOL_INITIALIZE]: { rule: initializer, args: poolInitializeArgs, value: ethers.parseEther("0.001") },
    // The EmergencyPause's, used on its guardian's pause (EmergencyPause.pause), which bounds its length.
    "pauseDeposits(uint256)": {
      rule: role("PAUSE_ROLE"),
      args: async () => [(await now()) + PAUSE_DURATION],
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
    // The vaults pay through it in withdrawToPool, during a report that already counted the ether.
    "receiveVaultEther()": { rule: vaultOnly, value: ethers.parseEther("0.1") },
    "removeStakeLimit()": { rule: role("STAKE_LIMIT_ROLE"), emits: "StakeLimitRemoved" },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.pool.RESUME_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    // The guardian's pause, which governance or the EmergencyPause on its behalf ends early.
    "resumeDeposits()": { rule: role("RESUME_ROLE"), args: guardianPauses(DEPOSITS), emits: "DepositsResumed" },
    // Governance can take the pause away from the EmergencyPause.
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.pool.PAUSE_ROLE(), ctx.protocol.addresses.emergencyPause],
      emits: "RoleRevoked",
    },
    "setFees(uint256,uint256)": { rule: role("MANAGE_ACCOUNTING_ROLE"), args: () => [600n, 400n], emits: "FeesSet" },
    "setMaxReportAge(uint256)": {
      rule: role("MANAGE_ACCOUNTING_ROLE"),
      args: () => [24n * 3600n],
      emits: "MaxReportAgeSet",
    },
    "setStakeLimit(uint256,uint256)": {
      rule: role("STAKE_LIMIT_ROLE"),
      args: () => [ethers.parseEther("10"), 3600n],
      emits: "StakeLimitSet",
    },
    "setTreasury(address)": {
      rule: role("MANAGE_ACCOUNTING_ROLE"),
      args: (ctx) => [ctx.accounts.bob.address],
      emits: "TreasurySet",
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
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextPoolImplementation, emits: "Upgraded" },
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
    // Nobody holds shares of the implementation: burning none writes nothing.
    "burn(uint256)": { rule: isolated, args: () => [0n], emits: "Transfer" },
    "deposit(address)": { rule: unpriced, args: (ctx) => [ctx.accounts.bob.address], value: ethers.parseEther("1") },
    [DEPOSIT_VALIDATORS]: {
      rule: unfunded,
      args: async (ctx) => [[await firstKeySegment(ctx.poolImplementation)], await unsignedAttestation(ctx)],
    },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.poolImplementation.PAUSE_ROLE(), ctx.accounts.stranger.address],
    },
    [HANDLE_ORACLE_REPORT]: { rule: noOracle, args: poolReportArgs },
    [POOL_INITIALIZE]: { rule: initializer, args: poolInitializeArgs, value: ethers.parseEther("0.001") },
    "pauseDeposits(uint256)": { rule: noHolder("PAUSE_ROLE"), args: async () => [(await now()) + 3600n] },
    // The implementation's EIP-712 domain (empty name and version) differs from the proxy's: the signature is for it.
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
      rule: isolated,
      args: (ctx) => permitArgs(ctx, ctx.poolImplementation, ethers.parseEther("1")),
      emits: "Approval",
    },
    "receiveVaultEther()": { rule: noVault, value: ethers.parseEther("0.1") },
    "removeStakeLimit()": { rule: noHolder("STAKE_LIMIT_ROLE") },
    // Renouncing a role nobody holds: a no-op for the account itself.
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.poolImplementation.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
    },
    "resumeDeposits()": { rule: noHolder("RESUME_ROLE") },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.poolImplementation.PAUSE_ROLE(), ctx.protocol.addresses.timelock],
    },
    "setFees(uint256,uint256)": { rule: noHolder("MANAGE_ACCOUNTING_ROLE"), args: () => [600n, 400n] },
    "setMaxReportAge(uint256)": { rule: noHolder("MANAGE_ACCOUNTING_ROLE"), args: () => [24n * 3600n] },
    "setStakeLimit(uint256,uint256)": {
      rule: noHolder("STAKE_LIMIT_ROLE"),
      args: () => [ethers.parseEther("10"), 3600n],
    },
    "setTreasury(address)": { rule: noHolder("MANAGE_ACCOUNTING_ROLE"), args: (ctx) => [ctx.accounts.bob.address] },
    // Nobody holds implementation shares (deposits revert), so only zero moves: still a successful call.
    "transfer(address,uint256)": { rule: isolated, args: (ctx) => [ctx.accounts.bob.address, 0n], emits: "Transfer" },
    "transferFrom(address,address,uint256)": {
      rule: isolated,
      args: (ctx) => [ctx.accounts.alice.address, ctx.accounts.stranger.address, 0n],
      emits: "Transfer",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextPoolImplementation },
    "receive()": { rule: unpriced, value: ethers.parseEther("1") },
  },

  OperatorRegistry: {
    "addCluster(string,address,address,uint256,address[])": {
      rule: role("ADD_OPERATOR_ROLE"),
      args: (ctx) => [
        "Cluster",
        ctx.manager.address,
        ctx.manager.address,
        2n,
        [ctx.accounts.alice.address, ctx.accounts.bob.address],
      ],
      emits: "ClusterMembersSet",
    },
    "addKeys(uint256,bytes,bytes)": {
      rule: manager(false),
      args: () => [OPERATOR_ID, ethers.hexlify(new Uint8Array(48).fill(0xc0)), ethers.hexlify(new Uint8Array(96))],
      emits: "KeysAdded",
    },
    "addOperator(string,address,address)": {
      rule: role("ADD_OPERATOR_ROLE"),
      args: (ctx) => ["Operator", ctx.accounts.bob.address, ctx.accounts.bob.address],
      emits: "OperatorAdded",
    },
    // The oracle's role, used on its committee's agreed exit data (AccountingOracle.submitExitData); the request is of
    // the deposited key.
    [APPLY_EXIT_UPDATES]: {
      rule: role("REPORT_EXITS_ROLE"),
      args: async (ctx) => {
        await depositValidator(ctx);
        return [[EXIT_REQUEST]];
      },
      emits: "ValidatorExitRequested",
    },
    // Anyone may have an operator's fees paid out: they go to its reward address, whoever calls.
    "claimFees(uint256)": {
      rule: due(
        "NoFeesToClaim",
        ([operatorId]) => [operatorId],
        (ctx) => earnOperatorFees(ctx, ethers.parseEther("0.1")),
      ),
      args: () => [OPERATOR_ID],
      emits: "FeesClaimed",
    },
    // The pool mints the operators' fee to the registry and says how much; the validator deposit gives it a taker.
    "distributeFees(uint256)": {
      rule: poolOnly,
      args: async (ctx) => {
        await depositValidator(ctx);
        return [ethers.parseEther("0.01")];
      },
      emits: "FeesDistributed",
    },
    // Governance can pull keys an operator's manager would not.
    "dropKeys(uint256,uint256)": { rule: manager(true), args: () => [OPERATOR_ID, 1n], emits: "KeysDropped" },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.registry.VET_KEYS_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "initialize(address,address,address,address,uint256,uint256,address,uint256)": {
      rule: initializer,
      args: registryInitializeArgs,
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.registry.MANAGE_OPERATORS_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.registry.UNVET_KEYS_ROLE(), ctx.protocol.addresses.depositGuard],
      emits: "RoleRevoked",
    },
    "setExitResponseTime(uint256)": {
      rule: role("MANAGE_OPERATORS_ROLE"),
      args: () => [EXIT_RESPONSE_TIME],
      emits: "ExitResponseTimeSet",
    },
    "setManager(uint256,address)": {
      rule: manager(false),
      args: (ctx) => [OPERATOR_ID, ctx.accounts.bob.address],
      emits: "ManagerSet",
    },
    "setOperatorActive(uint256,bool)": {
      rule: role("MANAGE_OPERATORS_ROLE"),
      args: () => [OPERATOR_ID, false],
      emits: "OperatorActiveSet",
    },
    "setRewardAddress(uint256,address)": {
      rule: role("MANAGE_OPERATORS_ROLE"),
      args: (ctx) => [OPERATOR_ID, ctx.accounts.bob.address],
      emits: "RewardAddressSet",
    },
    "setShareCap(uint256)": { rule: role("MANAGE_OPERATORS_ROLE"), args: () => [5000n], emits: "ShareCapSet" },
    // Within the vetting limit: both keys, none deposited.
    "setVettedKeys(uint256,uint256)": {
      rule: role("VET_KEYS_ROLE"),
      args: () => [OPERATOR_ID, 2n],
      emits: "VettedKeysSet",
    },
    "setVettingLimit(uint256)": { rule: role("MANAGE_OPERATORS_ROLE"), args: () => [10n], emits: "VettingLimitSet" },
    // The guard's role, used on its guardians' quorum (DepositGuard.unvetKeys): the timelock vets, it does not unvet.
    "unvetKeys(uint256)": { rule: role("UNVET_KEYS_ROLE"), args: () => [OPERATOR_ID], emits: "VettedKeysSet" },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextRegistryImplementation, emits: "Upgraded" },
    "useKeys((uint256,uint256,bytes,bytes,bytes32[],bytes32[])[])": {
      rule: poolOnly,
      args: async (ctx) => [await prepareValidatorDeposit(ctx)],
      emits: "KeysDeposited",
    },
    "fallback()": { rule: delegated },
  },

  OperatorRegistryImplementation: {
    "addCluster(string,address,address,uint256,address[])": {
      rule: noHolder("ADD_OPERATOR_ROLE"),
      args: (ctx) => [
        "Cluster",
        ctx.manager.address,
        ctx.manager.address,
        2n,
        [ctx.accounts.alice.address, ctx.accounts.bob.address],
      ],
    },
    "addKeys(uint256,bytes,bytes)": {
      rule: noOperator,
      args: () => [OPERATOR_ID, KEYS[0]!.pubkey, KEYS[0]!.signature],
    },
    "addOperator(string,address,address)": {
      rule: noHolder("ADD_OPERATOR_ROLE"),
      args: (ctx) => ["Operator", ctx.accounts.bob.address, ctx.accounts.bob.address],
    },
    [APPLY_EXIT_UPDATES]: { rule: noHolder("REPORT_EXITS_ROLE"), args: () => [[EXIT_REQUEST]] },
    "claimFees(uint256)": { rule: noOperator, args: () => [OPERATOR_ID] },
    "distributeFees(uint256)": { rule: noPool, args: () => [ethers.parseEther("0.01")] },
    "dropKeys(uint256,uint256)": { rule: noOperator, args: () => [OPERATOR_ID, 0n] },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.registryImplementation.VET_KEYS_ROLE(), ctx.accounts.stranger.address],
    },
    "initialize(address,address,address,address,uint256,uint256,address,uint256)": {
      rule: initializer,
      args: registryInitializeArgs,
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.registryImplementation.MANAGE_OPERATORS_ROLE(), ctx.protocol.addresses.timelock],
    },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.registryImplementation.UNVET_KEYS_ROLE(), ctx.protocol.addresses.depositGuard],
    },
    "setExitResponseTime(uint256)": { rule: noHolder("MANAGE_OPERATORS_ROLE"), args: () => [EXIT_RESPONSE_TIME] },
    "setManager(uint256,address)": { rule: noOperator, args: (ctx) => [OPERATOR_ID, ctx.accounts.stranger.address] },
    "setOperatorActive(uint256,bool)": { rule: noHolder("MANAGE_OPERATORS_ROLE"), args: () => [OPERATOR_ID, false] },
    "setRewardAddress(uint256,address)": {
      rule: noHolder("MANAGE_OPERATORS_ROLE"),
      args: (ctx) => [OPERATOR_ID, ctx.accounts.bob.address],
    },
    "setShareCap(uint256)": { rule: noHolder("MANAGE_OPERATORS_ROLE"), args: () => [5000n] },
    "setVettedKeys(uint256,uint256)": { rule: noHolder("VET_KEYS_ROLE"), args: () => [OPERATOR_ID, 0n] },
    "setVettingLimit(uint256)": { rule: noHolder("MANAGE_OPERATORS_ROLE"), args: () => [10n] },
    "unvetKeys(uint256)": { rule: noHolder("UNVET_KEYS_ROLE"), args: () => [OPERATOR_ID] },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextRegistryImplementation },
    "useKeys((uint256,uint256,bytes,bytes,bytes32[],bytes32[])[])": {
      rule: noPool,
      args: async (ctx) => [[await firstKeySegment(ctx.pool)]],
    },
  },

  DepositGuard: {
    "addGuardian(address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: (ctx) => [ctx.accounts.alice.address],
      emits: "GuardianAdded",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.guard.DEFAULT_ADMIN_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "initialize(address,address,address[],uint256,uint256,uint256,address)": {
      rule: initializer,
      args: guardInitializeArgs,
    },
    "pauseStaking()": { rule: guardian, emits: "StakingPaused" },
    // The EmergencyPause's, used on its guardian's pause (EmergencyPause.pause), which bounds its length.
    "pauseStakingUntil(uint256)": {
      rule: role("PAUSE_ROLE"),
      args: async () => [(await now()) + PAUSE_DURATION],
      emits: "StakingPaused",
    },
    // Three guardians for a quorum of two: one can go.
    "removeGuardian(address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: (ctx) => [ctx.guardians[0]!.address],
      emits: "GuardianRemoved",
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.guard.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "resumeStaking()": {
      rule: role("RESUME_ROLE"),
      args: async (ctx) => {
        await (await ctx.guard.connect(ctx.guardians[0]!).pauseStaking()).wait();
        return [];
      },
      emits: "StakingResumed",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.guard.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "setMaxBlockAge(uint256)": { rule: role("DEFAULT_ADMIN_ROLE"), args: () => [128n], emits: "MaxBlockAgeSet" },
    "setPauseDuration(uint256)": { rule: role("DEFAULT_ADMIN_ROLE"), args: () => [3600n], emits: "PauseDurationSet" },
    "setQuorum(uint256)": { rule: role("DEFAULT_ADMIN_ROLE"), args: () => [3n], emits: "QuorumSet" },
    // Anyone may submit the guardians' unvetting; the guard then uses its UNVET_KEYS_ROLE on the registry.
    [GUARD_UNVET_KEYS]: {
      rule: quorum(signUnvet),
      args: async (ctx) => {
        const block = await latestBlock();
        return [OPERATOR_ID, await ctx.registry.nonce(), block.number, block.hash, []];
      },
      emits: "KeysUnvetted",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextGuardImplementation, emits: "Upgraded" },
    "fallback()": { rule: delegated },
  },

  DepositGuardImplementation: {
    "addGuardian(address)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: (ctx) => [ctx.accounts.alice.address] },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.guardImplementation.DEFAULT_ADMIN_ROLE(), ctx.accounts.stranger.address],
    },
    "initialize(address,address,address[],uint256,uint256,uint256,address)": {
      rule: initializer,
      args: guardInitializeArgs,
    },
    "pauseStaking()": { rule: noGuardian },
    "pauseStakingUntil(uint256)": { rule: noHolder("PAUSE_ROLE"), args: async () => [(await now()) + PAUSE_DURATION] },
    "removeGuardian(address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: (ctx) => [ctx.guardians[0]!.address],
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.guardImplementation.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "resumeStaking()": { rule: noHolder("RESUME_ROLE") },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.guardImplementation.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "setMaxBlockAge(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [128n] },
    "setPauseDuration(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [3600n] },
    "setQuorum(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [1n] },
    // Signed for the proxy, which is what guardians sign for: the implementation refuses before reading signatures.
    [GUARD_UNVET_KEYS]: {
      rule: unconfigured,
      args: async (ctx) => {
        const block = await latestBlock();
        const args = [OPERATOR_ID, await ctx.registry.nonce(), block.number, block.hash, []];
        return signUnvet(ctx, args, ctx.guardians);
      },
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextGuardImplementation },
  },

  // The withdrawal and execution-rewards vaults are the same PoolVault under two addresses. Withdrawals and
  // priority fees arrive without a call, MEV payments and donations as plain transfers: rewards of the next report.
  // The withdrawal vault, as the validators' credentials address, also exits them through EIP-7002.
  WithdrawalVault: {
    ...poolVaultEntries((ctx) => ctx.vault, nextVaultImplementation),
    "initialize(address,address,uint256)": { rule: initializer, args: withdrawalVaultInitializeArgs },
    // Governance's forced exit, paying the fee from the call's value. The sample key is operator OPERATOR_ID's first,
    // not deposited: the consensus layer would drop the request, but the vault's part, the request queued and paid
    // for, is the same.
    "forceExits(bytes,uint256)": {
      rule: role("FORCE_EXIT_ROLE"),
      args: async () => {
        await installExitRequestContract();
        return [KEYS[0]!.pubkey, MIN_WITHDRAWAL_REQUEST_FEE];
      },
      value: MIN_WITHDRAWAL_REQUEST_FEE,
      emits: "ExitsForced",
    },
    "setMaxExitRequestFee(uint256)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: () => [MAX_EXIT_REQUEST_FEE],
      emits: "MaxExitRequestFeeSet",
    },
  },
  WithdrawalVaultImplementation: {
    ...poolVaultImplementationEntries((ctx) => ctx.vaultImplementation, nextVaultImplementation),
    "initialize(address,address,uint256)": { rule: initializer, args: withdrawalVaultInitializeArgs },
    // The role check comes first: no request contract is needed to be refused.
    "forceExits(bytes,uint256)": { rule: noHolder("FORCE_EXIT_ROLE"), args: () => [KEYS[0]!.pubkey, 1n] },
    "setMaxExitRequestFee(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [MAX_EXIT_REQUEST_FEE] },
  },
  ExecutionRewardsVault: {
    ...poolVaultEntries((ctx) => ctx.rewardsVault, nextRewardsVaultImplementation),
    "initialize(address,address)": { rule: initializer, args: vaultInitializeArgs },
  },
  ExecutionRewardsVaultImplementation: {
    ...poolVaultImplementationEntries((ctx) => ctx.rewardsVaultImplementation, nextRewardsVaultImplementation),
    "initialize(address,address)": { rule: initializer, args: vaultInitializeArgs },
  },

  AccountingOracle: {
    "addMember(address,uint256)": {
      rule: role("MANAGE_MEMBERS_ROLE"),
      args: (ctx) => [ctx.accounts.alice.address, 3n],
      emits: "MemberAdded",
    },
    "allowLoss(uint256,uint256)": {
      rule: role("ALLOW_LOSS_ROLE"),
      args: async (ctx) => [ethers.parseEther("1"), (await ctx.oracle.currentFrame()).deadlineSlot],
      emits: "LossAllowed",
    },
    // Anyone may hand the pool the report a quorum agreed on by its hash: the data must match the hash.
    [APPLY_REPORT]: {
      rule: due(
        "NoConsensus",
        ([report]) => [(report as OracleReport).refSlot],
        (ctx, [report]) => agreeOn(ctx, report as OracleReport),
      ),
      args: async (ctx) => [emptyReport(await reportableRefSlot(ctx))],
      emits: "ReportProcessed",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.oracle.MANAGE_MEMBERS_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    [ORACLE_INITIALIZE]: { rule: initializer, args: oracleInitializeArgs },
    "removeMember(address,uint256)": {
      rule: role("MANAGE_MEMBERS_ROLE"),
      args: (ctx) => [ctx.oracleMembers[0]!.address, 2n],
      emits: "MemberRemoved",
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.oracle.ALLOW_LOSS_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.oracle.MANAGE_CONFIG_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "setEpochsPerFrame(uint256)": { rule: role("MANAGE_CONFIG_ROLE"), args: () => [450n], emits: "FrameConfigSet" },
    "setQuorum(uint256)": { rule: role("MANAGE_MEMBERS_ROLE"), args: () => [3n], emits: "QuorumSet" },
    [SET_SANITY_BOUNDS]: { rule: role("MANAGE_CONFIG_ROLE"), args: () => [SANITY_BOUNDS], emits: "SanityBoundsSet" },
    // Anyone may submit the pages of the exit data the committee's last report named, in its frame: the page must hash to
    // what was agreed. Until a report names some, none is due.
    [SUBMIT_EXIT_DATA]: {
      rule: due(
        "NoExitDataPending",
        async (_, ctx) => [await ctx.oracle.lastProcessedRefSlot()],
        (ctx) => reportExitData(ctx),
      ),
      args: () => [EXIT_PAGE],
      emits: "ExitDataSubmitted",
    },
    // One member's vote: short of the quorum, so it only counts.
    [SUBMIT_REPORT]: {
      rule: member,
      args: async (ctx) => [emptyReport(await reportableRefSlot(ctx))],
      emits: "ReportSubmitted",
    },
    "submitReportHash(uint256,bytes32)": {
      rule: member,
      args: async (ctx) => {
        const refSlot = await reportableRefSlot(ctx);
        return [refSlot, reportHash(emptyReport(refSlot))];
      },
      emits: "ReportSubmitted",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextOracleImplementation, emits: "Upgraded" },
    "fallback()": { rule: delegated },
  },

  AccountingOracleImplementation: {
    "addMember(address,uint256)": {
      rule: noHolder("MANAGE_MEMBERS_ROLE"),
      args: (ctx) => [ctx.accounts.alice.address, 1n],
    },
    "allowLoss(uint256,uint256)": { rule: noHolder("ALLOW_LOSS_ROLE"), args: () => [ethers.parseEther("1"), 1n] },
    [APPLY_REPORT]: { rule: noClock, args: () => [emptyReport(0n)] },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.oracleImplementation.MANAGE_MEMBERS_ROLE(), ctx.accounts.stranger.address],
    },
    [ORACLE_INITIALIZE]: { rule: initializer, args: oracleInitializeArgs },
    "removeMember(address,uint256)": {
      rule: noHolder("MANAGE_MEMBERS_ROLE"),
      args: (ctx) => [ctx.oracleMembers[0]!.address, 0n],
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.oracleImplementation.ALLOW_LOSS_ROLE(), ctx.protocol.addresses.timelock],
    },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.oracleImplementation.MANAGE_CONFIG_ROLE(), ctx.protocol.addresses.timelock],
    },
    "setEpochsPerFrame(uint256)": { rule: noHolder("MANAGE_CONFIG_ROLE"), args: () => [450n] },
    "setQuorum(uint256)": { rule: noHolder("MANAGE_MEMBERS_ROLE"), args: () => [1n] },
    [SET_SANITY_BOUNDS]: { rule: noHolder("MANAGE_CONFIG_ROLE"), args: () => [SANITY_BOUNDS] },
    [SUBMIT_EXIT_DATA]: { rule: noClock, args: () => [EXIT_PAGE] },
    [SUBMIT_REPORT]: { rule: noMember, args: () => [emptyReport(1n)] },
    "submitReportHash(uint256,bytes32)": { rule: noMember, args: () => [1n, reportHash(emptyReport(1n))] },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextOracleImplementation },
  },

  // Withdrawal requests are ERC-721 tokens: their owner, and whom it approves, move them; the owner alone claims.
  WithdrawalQueue: {
    // The owner, or an operator of all its requests, names who may move one: not the account approved for it.
    "approve(address,uint256)": {
      rule: requestOwner(
        ([, requestId]) => requestId as bigint,
        ["operator"],
        "ERC721InvalidApprover",
        (caller) => [caller],
      ),
      args: async (ctx) => [ctx.accounts.stranger.address, await requestFor(ctx, ctx.accounts.alice, REQUEST_ETHER)],
      emits: "Approval",
    },
    // The owner names the receiver: whoever may move a request must become its owner before claiming it.
    "claimWithdrawal(uint256,uint256,address)": {
      rule: requestOwner(
        ([requestId]) => requestId as bigint,
        [],
        "NotRequestOwner",
        (caller, owner) => [caller, owner],
      ),
      args: finalizedRequestArgs,
      emits: "WithdrawalClaimed",
    },
    "claimWithdrawals(uint256[],uint256[],address)": {
      rule: requestOwner(
        ([requestIds]) => (requestIds as bigint[])[0]!,
        [],
        "NotRequestOwner",
        (caller, owner) => [caller, owner],
      ),
      args: async (ctx) => {
        const [requestId, hint, receiver] = await finalizedRequestArgs(ctx);
        return [[requestId], [hint], receiver];
      },
      emits: "WithdrawalClaimed",
    },
    // Inside a report, the pool hands over its totals and buffer (and then the ether); Alice's request is due.
    "finalize(uint256,uint256,bool,uint256,uint256,uint256)": {
      rule: poolOnly,
      args: async (ctx) => {
        const requestId = await requestFor(ctx, ctx.accounts.alice, REQUEST_ETHER);
        const { totalPooledEther, totalShares, bufferedEther } = await ctx.pool.getAccounting();
        return [requestId, await now(), false, totalPooledEther, totalShares, bufferedEther];
      },
      emits: "WithdrawalsFinalized",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.queue.DEFAULT_ADMIN_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "initialize(address,address,address)": { rule: initializer, args: queueInitializeArgs },
    // The EmergencyPause's, used on its guardian's pause (EmergencyPause.pause), which bounds its length.
    "pauseWithdrawals(uint256)": {
      rule: role("PAUSE_ROLE"),
      args: async () => [(await now()) + PAUSE_DURATION],
      emits: "WithdrawalsPaused",
    },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.queue.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    // Bound by the caller's plETH: the stranger deposits and lets the queue take its shares.
    "requestWithdrawals(uint256[],address)": {
      rule: anyone,
      args: async (ctx) => {
        const { stranger } = ctx.accounts;
        await depositFor(ctx, stranger, REQUEST_ETHER);
        const shares = await ctx.pool.balanceOf(stranger);
        await (await ctx.pool.connect(stranger).approve(ctx.queue, shares)).wait();
        return [[shares], ethers.ZeroAddress];
      },
      emits: "WithdrawalRequested",
    },
    // Bound by the caller's plETH, which its own permit lets the queue take.
    [REQUEST_WITH_PERMIT]: {
      rule: anyone,
      args: async (ctx) => {
        const { stranger } = ctx.accounts;
        await depositFor(ctx, stranger, REQUEST_ETHER);
        const shares = await ctx.pool.balanceOf(stranger);
        return [
          [shares],
          ethers.ZeroAddress,
          await signPermit(ctx.pool, stranger, await ctx.queue.getAddress(), shares),
        ];
      },
      emits: "WithdrawalRequested",
    },
    // The guardian's pause, which governance or the EmergencyPause on its behalf ends early.
    "resumeWithdrawals()": {
      rule: role("RESUME_ROLE"),
      args: guardianPauses(WITHDRAWALS),
      emits: "WithdrawalsResumed",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.queue.PAUSE_ROLE(), ctx.protocol.addresses.emergencyPause],
      emits: "RoleRevoked",
    },
    // Moving a request moves the right to claim it: the owner, the account approved for it or an operator.
    "safeTransferFrom(address,address,uint256)": {
      rule: moveRequest,
      args: moveRequestArgs(),
      emits: "Transfer",
    },
    "safeTransferFrom(address,address,uint256,bytes)": {
      rule: moveRequest,
      args: moveRequestArgs("0x"),
      emits: "Transfer",
    },
    // Anyone names operators of its own requests, and of no one else's.
    "setApprovalForAll(address,bool)": {
      rule: anyone,
      args: (ctx) => [ctx.accounts.bob.address, true],
      emits: "ApprovalForAll",
    },
    "transferFrom(address,address,uint256)": {
      rule: moveRequest,
      args: moveRequestArgs(),
      emits: "Transfer",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextQueueImplementation, emits: "Upgraded" },
    // The ether of the requests a report finalizes, from the pool; anyone else's would be counted nowhere.
    "receive()": { rule: poolEtherOnly, value: REQUEST_ETHER },
    "fallback()": { rule: delegated },
  },

  // No request was ever made on the implementation, and it knows no pool whose plETH it could take.
  WithdrawalQueueImplementation: {
    "approve(address,uint256)": {
      rule: noRequest("ERC721NonexistentToken", ([, requestId]) => [requestId]),
      args: (ctx) => [ctx.accounts.stranger.address, 1n],
    },
    "claimWithdrawal(uint256,uint256,address)": {
      rule: noRequest("RequestNotFound", ([requestId]) => [requestId]),
      args: (ctx) => [1n, 1n, ctx.accounts.stranger.address],
    },
    "claimWithdrawals(uint256[],uint256[],address)": {
      rule: noRequest("RequestNotFound", ([requestIds]) => [(requestIds as bigint[])[0]]),
      args: (ctx) => [[1n], [1n], ctx.accounts.stranger.address],
    },
    "finalize(uint256,uint256,bool,uint256,uint256,uint256)": {
      rule: noPool,
      args: async () => [1n, await now(), false, REQUEST_ETHER, REQUEST_ETHER, REQUEST_ETHER],
    },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.queueImplementation.DEFAULT_ADMIN_ROLE(), ctx.accounts.stranger.address],
    },
    "initialize(address,address,address)": { rule: initializer, args: queueInitializeArgs },
    "pauseWithdrawals(uint256)": { rule: noHolder("PAUSE_ROLE"), args: async () => [(await now()) + PAUSE_DURATION] },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.queueImplementation.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "requestWithdrawals(uint256[],address)": { rule: unpooled, args: () => [[REQUEST_ETHER], ethers.ZeroAddress] },
    // Signed for the implementation, whose pool would be the token: there is none to submit it to.
    [REQUEST_WITH_PERMIT]: {
      rule: unpooled,
      args: async (ctx) => [
        [REQUEST_ETHER],
        ethers.ZeroAddress,
        await signPermit(ctx.pool, ctx.accounts.stranger, await ctx.queueImplementation.getAddress(), REQUEST_ETHER),
      ],
    },
    "resumeWithdrawals()": { rule: noHolder("RESUME_ROLE") },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.queueImplementation.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
    },
    "safeTransferFrom(address,address,uint256)": {
      rule: noRequest("ERC721NonexistentToken", ([, , requestId]) => [requestId]),
      args: (ctx) => [ctx.accounts.alice.address, ctx.accounts.stranger.address, 1n],
    },
    "safeTransferFrom(address,address,uint256,bytes)": {
      rule: noRequest("ERC721NonexistentToken", ([, , requestId]) => [requestId]),
      args: (ctx) => [ctx.accounts.alice.address, ctx.accounts.stranger.address, 1n, "0x"],
    },
    "setApprovalForAll(address,bool)": {
      rule: isolated,
      args: (ctx) => [ctx.accounts.bob.address, true],
      emits: "ApprovalForAll",
    },
    "transferFrom(address,address,uint256)": {
      rule: noRequest("ERC721NonexistentToken", ([, , requestId]) => [requestId]),
      args: (ctx) => [ctx.accounts.alice.address, ctx.accounts.stranger.address, 1n],
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextQueueImplementation },
    "receive()": { rule: noPoolEther, value: REQUEST_ETHER },
  },

  // The guardian stops deposits, withdrawals and staking at once, for a bounded time, once per grant; governance
  // alone ends a pause early, grants another or changes the bound.
  EmergencyPause: {
    "grantPause(address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: (ctx) => [ctx.accounts.alice.address],
      emits: "PauseGranted",
    },
    "grantRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.emergencyPause.DEFAULT_ADMIN_ROLE(), ctx.accounts.alice.address],
      emits: "RoleGranted",
    },
    "initialize(address,address,address,address,address,uint256)": { rule: initializer, args: pauseInitializeArgs },
    "pause(uint256,uint256)": { rule: pauseGuardian, args: () => [ALL_TARGETS, PAUSE_DURATION], emits: "Paused" },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [await ctx.emergencyPause.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "resume(uint256)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => {
        await pauseByGuardian(ctx, ALL_TARGETS);
        return [ALL_TARGETS];
      },
      emits: "Resumed",
    },
    "revokeRole(bytes32,address)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.emergencyPause.DEFAULT_ADMIN_ROLE(), ctx.protocol.addresses.timelock],
      emits: "RoleRevoked",
    },
    "setMaxPauseDuration(uint256)": {
      rule: role("DEFAULT_ADMIN_ROLE"),
      args: () => [2n * 24n * 3600n],
      emits: "MaxPauseDurationSet",
    },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextPauseImplementation, emits: "Upgraded" },
    "fallback()": { rule: delegated },
  },

  EmergencyPauseImplementation: {
    "grantPause(address)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: (ctx) => [ctx.accounts.alice.address] },
    "grantRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [await ctx.emergencyPauseImplementation.DEFAULT_ADMIN_ROLE(), ctx.accounts.stranger.address],
    },
    "initialize(address,address,address,address,address,uint256)": { rule: initializer, args: pauseInitializeArgs },
    "pause(uint256,uint256)": { rule: noPauseGuardian, args: () => [ALL_TARGETS, PAUSE_DURATION] },
    "renounceRole(bytes32,address)": {
      rule: self("timelock"),
      args: async (ctx) => [
        await ctx.emergencyPauseImplementation.DEFAULT_ADMIN_ROLE(),
        ctx.protocol.addresses.timelock,
      ],
    },
    "resume(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [ALL_TARGETS] },
    "revokeRole(bytes32,address)": {
      rule: noHolder("DEFAULT_ADMIN_ROLE"),
      args: async (ctx) => [
        await ctx.emergencyPauseImplementation.DEFAULT_ADMIN_ROLE(),
        ctx.protocol.addresses.timelock,
      ],
    },
    "setMaxPauseDuration(uint256)": { rule: noHolder("DEFAULT_ADMIN_ROLE"), args: () => [2n * 24n * 3600n] },
    "upgradeToAndCall(address,bytes)": { rule: upgrade, args: nextPauseImplementation },
  },

  PluralDeployer: {},
  GovernanceDeployer: {},

  TimelockController: timelockEntries("TimelockController", 7200n),
  OperationsTimelock: timelockEntries("OperationsTimelock", 1200n),

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

async function implementationOf(proxy: string): Promise<string> {
  const slot = await networkHelpers.getStorageAt(proxy, IMPLEMENTATION_SLOT);
  return ethers.getAddress(ethers.dataSlice(slot, 12));
}

/**
 * The deployment, plus what the operator-facing rules need: operator OPERATOR_ID added through the timelock with its
 * own manager, its two keys committed by the manager, the first vetted through the timelock.
 */
async function deployWithOperator(): Promise<Omit<Context, "timelockAccount">> {
  const { protocol, accounts } = await deployPlural();
  const { operatorRegistry: registry, depositGuard: guard, accountingOracle: oracle, addresses } = protocol;
  const guardianAddresses = [...(await guard.guardians())].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const memberAddresses = [...(await oracle.getMembers())];
  if (addresses.operationsTimelock === undefined) throw new Error("the local parameters name an operations proposer");
  const operationsTimelock = await ethers.getContractAt("PluralTimelock", addresses.operationsTimelock);
  const proposers = (await holdersFromEvents(addresses.operationsTimelock)).get(
    await operationsTimelock.PROPOSER_ROLE(),
  );
  const [operationsProposer, ...others] = proposers ?? [];
  if (operationsProposer === undefined || others.length !== 0) throw new Error("expected one operations proposer");
  const { guardian: pauseGuardianAddress } = await protocol.emergencyPause.getPauseState();
  // The fixture's `stranger` is the first guardian of the local parameters: not a stranger to the guard.
  const taken = new Set([
    ...Object.values(accounts).map((account) => account.address),
    ...guardianAddresses,
    ...memberAddresses,
    operationsProposer,
    pauseGuardianAddress,
  ]);
  const [operatorManager, stranger] = (await ethers.getSigners()).filter((signer) => !taken.has(signer.address));
  if (operatorManager === undefined || stranger === undefined) throw new Error("tests need 2 more accounts");

  const { governance } = accounts;
  const governs = async (data: string) =>
    (await executeThroughTimelock(connection, protocol, governance, addresses.operatorRegistry, data)).wait();
  await governs(
    registry.interface.encodeFunctionData("addOperator", [
      "Operator",
      operatorManager.address,
      operatorManager.address,
    ]),
  );
  const pubkeys = ethers.concat(KEYS.map((key) => key.pubkey));
  const signatures = ethers.concat(KEYS.map((key) => key.signature));
  await (await registry.connect(operatorManager).addKeys(OPERATOR_ID, pubkeys, signatures)).wait();
  await governs(registry.interface.encodeFunctionData("setVettedKeys", [OPERATOR_ID, 1n]));

  const deployer = async (events: Interface, name: string) => {
    const logs = await ethers.provider.getLogs({
      fromBlock: 0,
      toBlock: "latest",
      topics: [events.getEvent(name)!.topicHash],
    });
    if (logs.length !== 1) throw new Error(`expected one ${name} event, got ${logs.length}`);
    return logs[0]!.address;
  };
  const getAt = <T>(name: string, address: string) => ethers.getContractAt(name, address) as Promise<T>;
  return {
    protocol,
    accounts: { ...accounts, stranger },
    pool: protocol.pool,
    poolImplementation: await getAt<StakingPool>("StakingPool", await implementationOf(addresses.pool)),
    registry,
    registryImplementation: await getAt<OperatorRegistry>(
      "OperatorRegistry",
      await implementationOf(addresses.operatorRegistry),
    ),
    guard,
    guardImplementation: await getAt<DepositGuard>("DepositGuard", await implementationOf(addresses.depositGuard)),
    vault: protocol.withdrawalVault,
    vaultImplementation: await getAt<WithdrawalVault>(
      "WithdrawalVault",
      await implementationOf(addresses.withdrawalVault),
    ),
    rewardsVault: protocol.executionRewardsVault,
    rewardsVaultImplementation: await getAt<ExecutionRewardsVault>(
      "ExecutionRewardsVault",
      await implementationOf(addresses.executionRewardsVault),
    ),
    oracle,
    oracleImplementation: await getAt<AccountingOracle>(
      "AccountingOracle",
      await implementationOf(addresses.accountingOracle),
    ),
    queue: protocol.withdrawalQueue,
    queueImplementation: await getAt<WithdrawalQueue>(
      "WithdrawalQueue",
      await implementationOf(addresses.withdrawalQueue),
    ),
    emergencyPause: protocol.emergencyPause,
    emergencyPauseImplementation: await getAt<EmergencyPause>(
      "EmergencyPause",
      await implementationOf(addresses.emergencyPause),
    ),
    pluralDeployer: await getAt<PluralDeployer>("PluralDeployer", await deployer(DEPLOYER_EVENTS, "ProtocolDeployed")),
    governanceDeployer: await getAt<GovernanceDeployer>(
      "GovernanceDeployer",
      await deployer(GOVERNANCE_EVENTS, "GovernanceDeployed"),
    ),
    timelock: protocol.timelock,
    operationsTimelock,
    beaconDeposit: await getAt<BeaconDepositMock>("BeaconDepositMock", addresses.depositContract),
    guardians: await Promise.all(guardianAddresses.map((address) => ethers.getSigner(address))),
    oracleMembers: await Promise.all(memberAddresses.map((address) => ethers.getSigner(address))),
    manager: operatorManager,
    pauseGuardian: await ethers.getSigner(pauseGuardianAddress),
    operations: await ethers.getSigner(operationsProposer),
  };
}

async function load(): Promise<Context> {
  const fixture = await networkHelpers.loadFixture(deployWithOperator);
  return { ...fixture, timelockAccount: await timelockSigner(connection, fixture.protocol) };
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

async function roleId(contract: BaseContract, name: Role): Promise<string> {
  return (await contract.getFunction(name).staticCall()) as string;
}

/** The ids of every role constant (`X_ROLE()` returning bytes32) in `contract`'s ABI. */
async function roleConstants(contract: BaseContract): Promise<string[]> {
  const names: string[] = [];
  contract.interface.forEachFunction((fragment) => {
    const returnsId = fragment.outputs.length === 1 && fragment.outputs[0]!.type === "bytes32";
    if (fragment.name.endsWith("_ROLE") && fragment.inputs.length === 0 && returnsId) names.push(fragment.name);
  });
  return Promise.all(names.map(async (name) => (await contract.getFunction(name).staticCall()) as string));
}

/**
 * Every account holding a role of the contract at `address`, by role: the RoleGranted minus the RoleRevoked events
 * since block 0, in order, on `provider`'s chain. Exhaustive, unlike a `hasRole` check over known accounts.
 */
async function holdersFromEvents(
  address: string,
  provider: Provider = ethers.provider,
): Promise<Map<string, Set<string>>> {
  const logs = await provider.getLogs({
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
  const contracts = await Promise.all(Object.values(CONTRACTS).map((contract) => contract.at(ctx).getAddress()));
  return [...signers.map((signer) => signer.address), ...contracts];
}

type AccessControlled = Pick<StakingPool, "hasRole" | "getRoleAdmin" | "getAddress">;

/** Asserts that exactly `expected` hold `role` on `contract`: from the events, and by `hasRole` on known accounts. */
async function expectHolders(ctx: Context, contract: AccessControlled, role: string, expected: string[]) {
  const fromEvents = (await holdersFromEvents(await contract.getAddress())).get(role) ?? new Set<string>();
  expect([...fromEvents].sort(), `holders of ${role} (RoleGranted minus RoleRevoked)`).to.deep.equal(
    [...expected].sort(),
  );
  for (const account of await knownAccounts(ctx)) {
    expect(await contract.hasRole(role, account), `hasRole(${role}, ${account})`).to.equal(expected.includes(account));
  }
}

/** The holders ROLE_HOLDERS gives `role` on `contractName`, failing the test when it gives none. */
function expectedHolders(contractName: ContractName, role: Role): readonly Holder[] {
  const holders = ROLE_HOLDERS[contractName]?.[role];
  expect(holders, `${contractName}.${role} has holders in ROLE_HOLDERS`).to.not.equal(undefined);
  expect(holders!.length, `${contractName}.${role} holders`).to.be.greaterThan(0);
  return holders!;
}

/** "the timelock", "the timelock and the EmergencyPause": holders' names in test titles. */
function holderNames(holders: readonly Holder[]): string {
  const names = holders.map((holder) => HOLDERS[holder].name);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)!}`;
}

/** What the proxies' state looks like to anyone: for checking that a call elsewhere changed none of it. */
async function protocolState(ctx: Context): Promise<string> {
  const { pool, registry, guard, vault, rewardsVault, oracle, queue, emergencyPause } = ctx;
  const named = Object.values(ctx.accounts).map((account) => account.address);
  const roles = await Promise.all(POOL_ROLES.map((name) => roleId(pool, name)));
  const proxies = [pool, registry, guard, vault, rewardsVault, oracle, queue, emergencyPause];
  const state = {
    implementations: await Promise.all(proxies.map(async (proxy) => implementationOf(await proxy.getAddress()))),
    ether: await Promise.all(proxies.map((proxy) => ethers.provider.getBalance(proxy))),
    code: await Promise.all(proxies.map((proxy) => ethers.provider.getCode(proxy))),
    accounting: [...(await pool.getAccounting())],
    reportState: [...(await pool.getReportState())],
    stakeLimit: [...(await pool.getStakeLimit())],
    pausedUntil: await pool.depositsPausedUntil(),
    balances: await Promise.all(named.map((account) => pool.balanceOf(account))),
    nonces: await Promise.all(named.map((account) => pool.nonces(account))),
    allowances: await Promise.all(named.flatMap((owner) => named.map((spender) => pool.allowance(owner, spender)))),
    roles: await Promise.all(roles.flatMap((role) => named.map((account) => pool.hasRole(role, account)))),
    registry: [
      await registry.nonce(),
      await registry.operatorCount(),
      [...(await registry.getOperator(OPERATOR_ID))],
      await registry.claimableFees(OPERATOR_ID),
    ],
    guard: [await guard.guardians(), await guard.quorum(), await guard.stakingPausedUntil()],
    vaults: [await vault.pool(), await rewardsVault.pool(), await vault.maxExitRequestFee()],
    queue: [
      await queue.pool(),
      await queue.withdrawalsPausedUntil(),
      [...(await queue.getQueueState())],
      await Promise.all(named.map((account) => queue.balanceOf(account))),
      await Promise.all(named.flatMap((owner) => named.map((operator) => queue.isApprovedForAll(owner, operator)))),
    ],
    oracle: [
      await oracle.getMembers(),
      await oracle.quorum(),
      await oracle.lastProcessedRefSlot(),
      [...(await oracle.getConsensusState())],
      [...(await oracle.getMemberVote(ctx.oracleMembers[0]!))],
    ],
    emergencyPause: [...(await emergencyPause.getPauseState())],
  };
  return JSON.stringify(state, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

function describeRule(rule: Rule, contractName: ContractName): string {
  const { bareImplementation } = CONTRACTS[contractName];
  switch (rule.kind) {
    case "role": {
      const holders = ROLE_HOLDERS[contractName]?.[rule.role];
      return holders === undefined || (holders.length === 1 && holders[0] === "timelock")
        ? `only ${rule.role}`
        : `only ${rule.role}: ${holderNames(holders)}`;
    }
    case "anyone":
      return "anyone";
    case "due":
      return `anyone, once due (until then ${rule.error})`;
    case "quorum":
      return "anyone, with a guardian quorum's signatures";
    case "guardian":
      return "only a guardian";
    case "manager":
      return rule.orRole ? "only the operator's manager or MANAGE_OPERATORS_ROLE" : "only the operator's manager";
    case "poolOnly":
      return "only the staking pool";
    case "vaultOnly":
      return "only the withdrawal vault or the execution-rewards vault";
    case "oracleOnly":
      return "only the accounting oracle";
    case "member":
      return "only a member of the oracle committee";
    case "requestOwner": {
      const names = [
        "the request's owner",
        ...rule.delegates.map((delegate) => (delegate === "approved" ? "the account it approved" : "its operator")),
      ];
      return `only ${names.slice(0, -1).join(", ")}${names.length > 1 ? " or " : ""}${names.at(-1)!}`;
    }
    case "timelockSelf":
      return "only the timelock itself, through a scheduled operation";
    case "fixedDelay":
      return "nobody, the timelock itself included: its delay is fixed";
    case "pauseGuardian":
      return "only the pause guardian, once per grant";
    case "self":
      return "only the account itself";
    case "initializer":
      return bareImplementation ? "nobody: initializers disabled" : "nobody: initialized in the proxy's constructor";
    case "upgrade":
      return bareImplementation ? "nobody: only through a proxy" : "only DEFAULT_ADMIN_ROLE";
    case "noHolder":
      return `nobody: ${rule.role} has no holder on the implementation`;
    case "noOperator":
      return "nobody: the implementation has no operator";
    case "noPool":
      return "nobody: the implementation knows no pool";
    case "unpooled":
      return "nobody: the implementation knows no plETH to take";
    case "noRequest":
      return "nobody: the implementation has no request";
    case "noVault":
      return "nobody: the implementation knows no vault";
    case "noOracle":
      return "nobody: the implementation knows no oracle";
    case "noMember":
      return "nobody: the implementation has no committee";
    case "noClock":
      return "nobody: the implementation has no beacon clock";
    case "noGuardian":
      return "nobody: the implementation has no guardian";
    case "noPauseGuardian":
      return "nobody: the implementation granted no pause";
    case "unconfigured":
      return "nobody: the implementation has no guardian, registry or block age";
    case "unfunded":
      return "nobody: the implementation buffers no ether";
    case "isolated":
      return "anyone, on the implementation's own storage only";
    case "unpriced":
      return "nobody: the uninitialized implementation prices no share";
    case "delegated":
      return "forwards to the implementation: unknown selectors revert";
  }
}

/**
 * Checks that exactly the holders ROLE_HOLDERS gives `roleName` hold it, that everyone else the deployment knows is
 * refused (the timelock administers every role but holds only those given to it: it cannot act for the guard or the
 * EmergencyPause), and that each holder succeeds, from the same state.
 */
async function checkRole(
  ctx: Context,
  contractName: ContractName,
  signature: string,
  roleName: Role,
  args: unknown[],
  { value, emits }: Entry,
) {
  const contract: BaseContract = CONTRACTS[contractName].at(ctx);
  const address = await contract.getAddress();
  const id = await roleId(contract, roleName);
  const holders = expectedHolders(contractName, roleName);
  await expectHolders(
    ctx,
    contract as unknown as AccessControlled,
    id,
    holders.map((holder) => holderAddress(ctx, holder)),
  );
  const { stranger, deployer } = ctx.accounts;
  const others = (Object.keys(HOLDERS) as Holder[]).filter((holder) => !holders.includes(holder));
  const refused = [stranger, deployer, ...(await Promise.all(others.map((o) => holderSigner(ctx, o))))];
  for (const signer of refused) {
    await expect(send(contract, signer, signature, args, value), `${signer.address} is refused`)
      .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
      .withArgs(signer.address, id);
  }
  for (const holder of holders) {
    const snapshot = await networkHelpers.takeSnapshot();
    // A timelock acts on itself through an operation it schedules and executes, as governance would.
    const call =
      holderAddress(ctx, holder) === address
        ? executeOn(ctx, contractName as TimelockName, address, contract.interface.encodeFunctionData(signature, args))
        : send(contract, await holderSigner(ctx, holder), signature, args, value);
    await expectSuccess(contract, call, emits);
    await snapshot.restore();
  }
}

async function checkRule(ctx: Context, contractName: ContractName, signature: string, entry: Entry) {
  const { rule, value, emits } = entry;
  const { bareImplementation } = CONTRACTS[contractName];
  const contract: BaseContract = CONTRACTS[contractName].at(ctx);
  const { stranger, governance, deployer } = ctx.accounts;
  const args = (await entry.args?.(ctx)) ?? [];
  const call = (signer: HardhatEthersSigner, callArgs = args) => send(contract, signer, signature, callArgs, value);
  const expectRefused = async (signers: HardhatEthersSigner[], error: string, errorArgs: (s: string) => unknown[]) => {
    for (const signer of signers) {
      await expect(call(signer), `${signer.address} is refused`)
        .to.be.revertedWithCustomError(contract, error)
        .withArgs(...errorArgs(signer.address));
    }
  };

  switch (rule.kind) {
    case "role":
      await checkRole(ctx, contractName, signature, rule.role, args, entry);
      return;
    case "anyone":
      await expectSuccess(contract, call(stranger), emits);
      return;
    case "due":
      await expect(call(stranger), "a stranger's call before it is due")
        .to.be.revertedWithCustomError(contract, rule.error)
        .withArgs(...(await rule.errorArgs(args, ctx)));
      await rule.prepare(ctx, args);
      await expectSuccess(contract, call(stranger), emits);
      return;
    case "quorum": {
      const required = await ctx.guard.quorum();
      expect(required, "the guard's quorum").to.be.greaterThan(1n);
      expect(await ctx.guard.isGuardian(stranger), "the stranger is a guardian").to.equal(false);
      const signed = (signers: HardhatEthersSigner[]) => rule.sign(ctx, args, signers);
      const [first] = ctx.guardians;
      const fewer = ctx.guardians.slice(0, Number(required) - 1);
      await expect(call(stranger, await signed(fewer)), "fewer guardians than the quorum")
        .to.be.revertedWithCustomError(ctx.guard, "NotEnoughSignatures")
        .withArgs(fewer.length, required);
      const outsiders = [stranger, deployer, governance, ctx.manager]
        .slice(0, Number(required))
        .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      await expect(call(stranger, await signed(outsiders)), "a quorum of non-guardians")
        .to.be.revertedWithCustomError(ctx.guard, "NotAGuardian")
        .withArgs(outsiders[0]!.address);
      const repeated = Array.from({ length: Number(required) }, () => first!);
      await expect(call(stranger, await signed(repeated)), "one guardian signing for a quorum")
        .to.be.revertedWithCustomError(ctx.guard, "SignersNotSorted")
        .withArgs(first!.address, first!.address);
      const quorumOfGuardians = ctx.guardians.slice(ctx.guardians.length - Number(required));
      await expectSuccess(contract, call(stranger, await signed(quorumOfGuardians)), emits);
      return;
    }
    case "guardian": {
      const guardianAddresses = ctx.guardians.map((signer) => signer.address).sort();
      expect([...(await ctx.guard.guardians())].sort(), "the guardians").to.deep.equal(guardianAddresses);
      await expectRefused([stranger, ctx.timelockAccount, deployer], "NotAGuardian", (account) => [account]);
      await expectSuccess(contract, call(ctx.guardians[0]!), emits);
      return;
    }
    case "manager": {
      const operatorId = args[0] as bigint;
      const operator = await ctx.registry.getOperator(operatorId);
      expect(operator.manager, "the operator's manager").to.equal(ctx.manager.address);
      const refused = rule.orRole ? [stranger] : [stranger, ctx.timelockAccount];
      await expectRefused(refused, "NotOperatorManager", (account) => [operatorId, account]);
      if (rule.orRole) {
        const id = await ctx.registry.MANAGE_OPERATORS_ROLE();
        await expectHolders(ctx, ctx.registry, id, [ctx.protocol.addresses.timelock]);
        const snapshot = await networkHelpers.takeSnapshot();
        await expectSuccess(contract, call(ctx.timelockAccount), emits);
        await snapshot.restore();
      }
      await expectSuccess(contract, call(ctx.manager), emits);
      return;
    }
    case "poolOnly": {
      const poolAddress = ctx.protocol.addresses.pool;
      expect(await contract.getFunction("pool").staticCall(), "the pool it knows").to.equal(poolAddress);
      await expectRefused([stranger, ctx.timelockAccount], rule.error, (account) => [account]);
      await expectSuccess(contract, call(await impersonate(poolAddress)), emits);
      return;
    }
    case "vaultOnly": {
      const { withdrawalVault, executionRewardsVault, accountingOracle } = ctx.protocol.addresses;
      const known = await ctx.pool.stakingContracts();
      expect([known.withdrawalVault, known.executionRewardsVault], "the vaults the pool knows").to.deep.equal([
        withdrawalVault,
        executionRewardsVault,
      ]);
      const oracle = await impersonate(accountingOracle);
      await expectRefused([stranger, ctx.timelockAccount, oracle], "CallerNotVault", (account) => [account]);
      for (const vault of [withdrawalVault, executionRewardsVault]) {
        const snapshot = await networkHelpers.takeSnapshot();
        await expectSuccess(contract, call(await impersonate(vault)), emits);
        await snapshot.restore();
      }
      return;
    }
    case "oracleOnly": {
      const oracleAddress = ctx.protocol.addresses.accountingOracle;
      expect((await ctx.pool.stakingContracts()).accountingOracle, "the oracle the pool knows").to.equal(oracleAddress);
      // Its members vote; only the oracle, on their quorum, reports.
      await expectRefused([stranger, ctx.timelockAccount, ctx.oracleMembers[0]!], "CallerNotOracle", (account) => [
        account,
      ]);
      await expectSuccess(contract, call(await impersonate(oracleAddress)), emits);
      return;
    }
    case "member": {
      const memberAddresses = ctx.oracleMembers.map((signer) => signer.address).sort();
      expect([...(await ctx.oracle.getMembers())].sort(), "the committee").to.deep.equal(memberAddresses);
      await expectRefused([stranger, ctx.timelockAccount, deployer], "NotMember", (account) => [account]);
      await expectSuccess(contract, call(ctx.oracleMembers[0]!), emits);
      return;
    }
    case "requestOwner": {
      const requestId = rule.requestId(args);
      const { alice: owner, bob: approved, carol: operator } = ctx.accounts;
      expect(await ctx.queue.ownerOf(requestId), `the owner of request ${requestId}`).to.equal(owner.address);
      // The owner lets one account move this request, and another all of its requests.
      await (await ctx.queue.connect(owner).approve(approved, requestId)).wait();
      await (await ctx.queue.connect(owner).setApprovalForAll(operator, true)).wait();
      const delegates: Record<Delegate, HardhatEthersSigner> = { approved, operator };
      const others = (Object.keys(delegates) as Delegate[]).filter((delegate) => !rule.delegates.includes(delegate));
      // The pool, which mints the plETH and funds the queue, has no say over anyone's request.
      const pool = await impersonate(ctx.protocol.addresses.pool);
      for (const signer of [stranger, ctx.timelockAccount, pool, ...others.map((delegate) => delegates[delegate])]) {
        await expect(call(signer), `${signer.address} is refused`)
          .to.be.revertedWithCustomError(contract, rule.error)
          .withArgs(...rule.errorArgs(signer.address, owner.address, requestId));
      }
      for (const signer of [owner, ...rule.delegates.map((delegate) => delegates[delegate])]) {
        const snapshot = await networkHelpers.takeSnapshot();
        await expectSuccess(contract, call(signer), emits);
        await snapshot.restore();
      }
      return;
    }
    case "timelockSelf": {
      // Not even a holder of its DEFAULT_ADMIN_ROLE: the caller must be the timelock itself.
      const address = await contract.getAddress();
      const others = (Object.keys(HOLDERS) as Holder[]).filter((holder) => holderAddress(ctx, holder) !== address);
      const refused = [
        stranger,
        deployer,
        ctx.pauseGuardian,
        ...(await Promise.all(others.map((o) => holderSigner(ctx, o)))),
      ];
      await expectRefused(refused, "TimelockUnauthorizedCaller", (account) => [account]);
      const data = contract.interface.encodeFunctionData(signature, args);
      await expectSuccess(contract, executeOn(ctx, contractName as TimelockName, address, data), emits);
      return;
    }
    case "fixedDelay": {
      const address = await contract.getAddress();
      const delay = await (contract as PluralTimelock).getMinDelay();
      const others = (Object.keys(HOLDERS) as Holder[]).filter((holder) => holderAddress(ctx, holder) !== address);
      const refused = [
        stranger,
        deployer,
        ...(await Promise.all(others.map((o) => holderSigner(ctx, o)))),
        await impersonate(address),
      ];
      await expectRefused(refused, "DelayIsFixed", () => [delay]);
      // Nor through an operation of its own: the call the timelock makes on itself reverts, and so does the execute.
      const data = contract.interface.encodeFunctionData(signature, args);
      await expect(executeOn(ctx, contractName as TimelockName, address, data), "through a scheduled operation")
        .to.be.revertedWithCustomError(contract, "DelayIsFixed")
        .withArgs(delay);
      return;
    }
    case "pauseGuardian": {
      const pause = ctx.emergencyPause;
      const { guardian, pauseAvailable, maxPauseDuration } = await pause.getPauseState();
      expect(guardian, "the pause guardian").to.equal(ctx.pauseGuardian.address);
      expect(pauseAvailable, "its grant unused").to.equal(true);
      const holders = await Promise.all(
        (Object.keys(HOLDERS) as Holder[])
          .filter((holder) => holder !== "pauseGuardian")
          .map((holder) => holderSigner(ctx, holder)),
      );
      await expectRefused([stranger, deployer, ...holders], "NotPauseGuardian", (account) => [account, guardian]);
      // The guardian pauses for a bounded time only.
      const [targets] = args;
      await expect(call(ctx.pauseGuardian, [targets, maxPauseDuration + 1n]), "a pause longer than the bound")
        .to.be.revertedWithCustomError(contract, "InvalidPauseDuration")
        .withArgs(maxPauseDuration + 1n, maxPauseDuration);
      await expectSuccess(contract, call(ctx.pauseGuardian), emits);
      await expect(call(ctx.pauseGuardian), "a second pause on one grant")
        .to.be.revertedWithCustomError(contract, "PauseAlreadyUsed")
        .withArgs(guardian);
      // Governance alone grants another pause, which the guardian may then use once.
      await (await pause.connect(ctx.timelockAccount).grantPause(guardian)).wait();
      await expectSuccess(contract, call(ctx.pauseGuardian), emits);
      return;
    }
    case "self": {
      const account = await holderSigner(ctx, rule.account);
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
        await checkRole(ctx, contractName, signature, "DEFAULT_ADMIN_ROLE", args, entry);
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
      const holders = await Promise.all((Object.keys(HOLDERS) as Holder[]).map((holder) => holderSigner(ctx, holder)));
      await expectRefused([stranger, deployer, ...holders], "AccessControlUnauthorizedAccount", (account) => [
        account,
        id,
      ]);
      return;
    }
    case "noOperator": {
      expect(await ctx.registryImplementation.operatorCount(), "operators of the implementation").to.equal(0n);
      const operatorId = args[0] as bigint;
      await expectRefused([stranger, ctx.manager, ctx.timelockAccount], "OperatorNotFound", () => [operatorId]);
      return;
    }
    case "noPool": {
      expect(await contract.getFunction("pool").staticCall(), "the implementation's pool").to.equal(ethers.ZeroAddress);
      const pool = await impersonate(ctx.protocol.addresses.pool);
      await expectRefused([stranger, ctx.timelockAccount, pool], rule.error, (account) => [account]);
      return;
    }
    case "unpooled": {
      expect(await ctx.queueImplementation.pool(), "the implementation's pool").to.equal(ethers.ZeroAddress);
      // Pricing the request calls address zero, which has no code to answer: a revert without data.
      for (const signer of [stranger, ctx.timelockAccount]) {
        await expect(call(signer), `${signer.address} cannot request`).to.be.revertedWithoutReason(ethers);
      }
      return;
    }
    case "noRequest": {
      const { lastRequestId } = await ctx.queueImplementation.getQueueState();
      expect(lastRequestId, "requests made on the implementation").to.equal(0n);
      await expectRefused([stranger, ctx.accounts.alice, ctx.timelockAccount], rule.error, () => rule.errorArgs(args));
      return;
    }
    case "noVault": {
      const known = await ctx.poolImplementation.stakingContracts();
      expect([known.withdrawalVault, known.executionRewardsVault], "the implementation's vaults").to.deep.equal([
        ethers.ZeroAddress,
        ethers.ZeroAddress,
      ]);
      const vaults = await Promise.all(
        [ctx.protocol.addresses.withdrawalVault, ctx.protocol.addresses.executionRewardsVault].map(impersonate),
      );
      await expectRefused([stranger, ctx.timelockAccount, ...vaults], "CallerNotVault", (account) => [account]);
      return;
    }
    case "noOracle": {
      const known = await ctx.poolImplementation.stakingContracts();
      expect(known.accountingOracle, "the implementation's oracle").to.equal(ethers.ZeroAddress);
      const oracle = await impersonate(ctx.protocol.addresses.accountingOracle);
      await expectRefused([stranger, ctx.timelockAccount, oracle], "CallerNotOracle", (account) => [account]);
      return;
    }
    case "noMember":
      expect([...(await ctx.oracleImplementation.getMembers())], "members of the implementation").to.deep.equal([]);
      await expectRefused([stranger, ctx.oracleMembers[0]!, ctx.timelockAccount], "NotMember", (account) => [account]);
      return;
    case "noClock": {
      const [config] = await ctx.oracleImplementation.getFrameConfig();
      expect(config.secondsPerSlot, "seconds per slot of the implementation").to.equal(0n);
      // The slot is (now - genesis) / secondsPerSlot: a division by zero, before any other check.
      for (const signer of [stranger, ctx.oracleMembers[0]!, ctx.timelockAccount]) {
        await expect(call(signer), `${signer.address} cannot apply a report`).to.be.revertedWithPanic(0x12);
      }
      return;
    }
    case "noPauseGuardian":
      // Its storage has no guardian (address zero), and no grant: the guardian of the proxy is a stranger here.
      await expectRefused([stranger, ctx.pauseGuardian, ctx.timelockAccount], "NotPauseGuardian", (account) => [
        account,
        ethers.ZeroAddress,
      ]);
      return;
    case "noGuardian":
      expect([...(await ctx.guardImplementation.guardians())], "guardians of the implementation").to.deep.equal([]);
      await expectRefused([stranger, ctx.guardians[0]!, ctx.timelockAccount], "NotAGuardian", (account) => [account]);
      return;
    case "unconfigured": {
      const implementation = ctx.guardImplementation;
      expect([...(await implementation.guardians())], "guardians of the implementation").to.deep.equal([]);
      expect(await implementation.quorum(), "quorum of the implementation").to.equal(0n);
      expect(await implementation.registry(), "registry of the implementation").to.equal(ethers.ZeroAddress);
      expect(await implementation.maxBlockAge(), "max block age of the implementation").to.equal(0n);
      // The newest block with a hash is the previous one: one block old, too old for a maximum age of zero.
      const blockNumber = args[2] as bigint;
      await expectRefused([stranger, ctx.guardians[0]!, ctx.timelockAccount], "AttestationTooOld", () => [
        blockNumber,
        1n,
        0n,
      ]);
      return;
    }
    case "unfunded": {
      const implementation = ctx.poolImplementation;
      // Not getAccounting(): its withdrawal reserve asks the queue, which the implementation does not know.
      expect(await implementation.totalPooledEther(), "ether the implementation buffers or staked").to.equal(0n);
      await expectRefused([stranger, ctx.timelockAccount], "InsufficientBufferedEther", () => [VALIDATOR_DEPOSIT, 0n]);
      return;
    }
    case "isolated": {
      const address = await contract.getAddress();
      const code = await ethers.provider.getCode(address);
      const before = await protocolState(ctx);
      const receipt = await expectSuccess(contract, call(stranger), emits);
      for (const log of receipt?.logs ?? [])
        expect(log.address, "every event comes from the implementation").to.equal(address);
      expect(await protocolState(ctx), "the proxies' state").to.equal(before);
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
      expect(contract.interface.getFunction(UNKNOWN_SELECTOR), "the probe selector is unused").to.equal(null);
      await expect(call(stranger), "an unknown selector").to.be.revertedWithoutReason(ethers);
      return;
    }
  }
}

/** Every contract created from inside `address`, recursively: a contract's nonce counts its creations, plus one. */
async function createdInside(address: string, provider: Provider = ethers.provider): Promise<string[]> {
  const nonce = await provider.getTransactionCount(address);
  const children: string[] = [];
  for (let index = 1; index < nonce; index++) {
    const child = ethers.getCreateAddress({ from: address, nonce: index });
    children.push(child, ...(await createdInside(child, provider)));
  }
  return children;
}

// Token governance (deploy/parameters/local-governor.json): the Governor proposes to the timelock, anyone executes what
// is due, and the PLURAL token and the Governor exist. Deployed on a chain of its own, with the same Ignition module.

const governanceConnection = await network.create();
const GOVERNOR_PARAMETERS = path.join(PROJECT_ROOT, "deploy", "parameters", "local-governor.json");

/** A deployment under token governance, with the holders' votes delegated. */
interface GovernanceContext {
  protocol: Protocol;
  token: PluralToken;
  governor: PluralGovernor;
  timelock: PluralTimelock;
  governanceDeployer: GovernanceDeployer;
  /** The parameter file's PLURAL holders, by descending balance, each delegating its votes to itself. */
  holders: HardhatEthersSigner[];
  /** An account with neither tokens nor votes. */
  stranger: HardhatEthersSigner;
  /** The timelock, impersonated. */
  timelockAccount: HardhatEthersSigner;
}

/** A proposal's calls and description, as `propose` takes them. */
interface Proposal {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

/** Re-signs the call's arguments (a vote by signature) with `signer`'s signature, for the voter they name. */
type SignVote = (ctx: GovernanceContext, args: unknown[], signer: HardhatEthersSigner) => Promise<unknown[]>;

/** The id of the proposal a call's arguments name. */
type ProposalOf = (ctx: GovernanceContext, args: unknown[]) => Promise<bigint>;

/** Moves a proposal on to where a `due` rule's call is something to do, as its voters and time would. */
type PrepareProposal = (ctx: GovernanceContext, proposalId: bigint) => Promise<void>;

type GovernanceRule =
  /** No access check: bound by balance or by a holder's signature. */
  | { kind: "anyone" }
  /**
   * No access check, but nothing to do yet: a stranger's call reverts with the Governor's
   * GovernorUnexpectedProposalState (the proposal's state is not `allowed`) until `prepare` makes the proposal due.
   */
  | { kind: "due"; proposalOf: ProposalOf; allowed: bigint; prepare: PrepareProposal }
  /** `propose`: anyone whose votes reach the proposal threshold. */
  | { kind: "threshold" }
  /** A vote by signature: anyone submits it, but only the voter's own signature counts. */
  | { kind: "signedVote"; sign: SignVote }
  /** `cancel`: only the proposer, and only while the proposal is pending. */
  | { kind: "proposer"; proposalOf: ProposalOf }
  /** `onlyGovernance`: only the timelock, executing a proposal that calls the Governor. */
  | { kind: "onlyGovernance" }
  /** Token receipts and ether: refused to everybody, since the timelock, not the Governor, holds assets. */
  | { kind: "disabled" };

interface GovernanceEntry {
  rule: GovernanceRule;
  /** Sample arguments with which the allowed caller succeeds; may prepare state first (runs once per test). */
  args?: (ctx: GovernanceContext) => unknown[] | Promise<unknown[]>;
  value?: bigint;
  /** An event the allowed call must emit, from the contract called: proof that it did something. */
  emits?: string;
}

/** The Governor's proposal states (IGovernor.ProposalState) the rules name, by their number. */
const ProposalState = { Pending: 0n, Active: 1n, Succeeded: 4n, Queued: 5n } as const;

/** The bitmap GovernorUnexpectedProposalState carries: one bit per allowed state. */
const stateBitmap = (state: bigint) => ethers.toBeHex(1n << state, 32);

const GOVERNANCE_CONTRACTS = {
  PluralToken: { artifacts: ["PluralToken"], at: (ctx: GovernanceContext): BaseContract => ctx.token },
  PluralGovernor: { artifacts: ["PluralGovernor"], at: (ctx: GovernanceContext): BaseContract => ctx.governor },
} as const;

type GovernanceContractName = keyof typeof GOVERNANCE_CONTRACTS;

/**
 * The deployment under token governance, through the same Ignition module and the local-governor parameters, with
 * every holder's votes delegated to itself.
 */
async function deployTokenGovernance(): Promise<Omit<GovernanceContext, "timelockAccount">> {
  const { ethers: gEthers, networkHelpers: gHelpers } = governanceConnection;
  const addresses = await deployLocalProtocol(governanceConnection, { parametersFile: GOVERNOR_PARAMETERS });
  const protocol = await connectProtocol(gEthers, addresses);
  const { token, governor } = protocol;
  if (token === undefined || governor === undefined) throw new Error("local-governor.json deploys no token governance");
  // The holders are those the token minted to, in its constructor.
  const mints = await token.queryFilter(token.filters.Transfer(gEthers.ZeroAddress), 0, "latest");
  const balances = mints.map((log) => ({ holder: log.args.to, amount: log.args.value }));
  balances.sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0));
  const holders = await Promise.all(balances.map(({ holder }) => gEthers.getSigner(holder)));
  for (const holder of holders) await (await token.connect(holder).delegate(holder)).wait();
  // Votes count from the second after their delegation.
  await gHelpers.time.increase(1);
  const taken = new Set(balances.map(({ holder }) => holder));
  // Accounts #0 to #6 have parts in the parameter files: holders, the operations proposer, the pause guardian.
  const stranger = (await gEthers.getSigners()).slice(7).find((signer) => !taken.has(signer.address));
  if (stranger === undefined) throw new Error("tests need an account without PLURAL");
  const [deployedLog] = await gEthers.provider.getLogs({
    fromBlock: 0,
    toBlock: "latest",
    topics: [GOVERNANCE_EVENTS.getEvent("GovernanceDeployed")!.topicHash],
  });
  return {
    protocol,
    token,
    governor,
    timelock: protocol.timelock,
    governanceDeployer: await gEthers.getContractAt("GovernanceDeployer", deployedLog!.address),
    holders,
    stranger,
  };
}

async function loadGovernance(): Promise<GovernanceContext> {
  const fixture = await governanceConnection.networkHelpers.loadFixture(deployTokenGovernance);
  return { ...fixture, timelockAccount: await timelockSigner(governanceConnection, fixture.protocol) };
}

let proposalCount = 0;

/** A proposal of one call, with a description no other proposal of the suite has. */
function proposal(target: string, data: string, label: string): Proposal {
  proposalCount += 1;
  return { targets: [target], values: [0n], calldatas: [data], description: `${label} #${proposalCount}` };
}

/** A proposal that sets the pool's stake limit: a call only the timelock may make. */
function stakeLimitProposal(ctx: GovernanceContext, label: string): Proposal {
  const data = ctx.protocol.pool.interface.encodeFunctionData("setStakeLimit", [ethers.parseEther("10"), 3600n]);
  return proposal(ctx.protocol.addresses.pool, data, label);
}

const proposeArgs = (p: Proposal) => [p.targets, p.values, p.calldatas, p.description];
const proposalArgs = (p: Proposal) => [p.targets, p.values, p.calldatas, ethers.id(p.description)];

/** The largest holder proposes `p`; returns its id. */
async function propose(ctx: GovernanceContext, p: Proposal): Promise<bigint> {
  const [proposer] = ctx.holders;
  await (await ctx.governor.connect(proposer!).propose(p.targets, p.values, p.calldatas, p.description)).wait();
  return ctx.governor.getProposalId(p.targets, p.values, p.calldatas, ethers.id(p.description));
}

/** Moves time to the opening of the proposal's vote. */
async function openVote(ctx: GovernanceContext, proposalId: bigint) {
  await governanceConnection.networkHelpers.time.increaseTo(await ctx.governor.proposalSnapshot(proposalId));
}

/** Moves time past the end of the proposal's vote. */
async function endVote(ctx: GovernanceContext, proposalId: bigint) {
  await governanceConnection.networkHelpers.time.increaseTo(await ctx.governor.proposalDeadline(proposalId));
}

/** Moves time to the proposal's vote, where the largest holder, enough for the quorum, votes for it. */
async function voteFor(ctx: GovernanceContext, proposalId: bigint) {
  await openVote(ctx, proposalId);
  await (await ctx.governor.connect(ctx.holders[0]!).castVote(proposalId, 1)).wait();
}

/** Ends the vote of a proposal voted for, queues it on the timelock and waits until it can execute. */
async function queueAndWait(ctx: GovernanceContext, proposalId: bigint) {
  await endVote(ctx, proposalId);
  await (await ctx.governor.connect(ctx.stranger).getFunction("queue(uint256)")(proposalId)).wait();
  await governanceConnection.networkHelpers.time.increaseTo(await ctx.governor.proposalEta(proposalId));
}

/** Runs `data` on `target` as token governance does: propose, vote, queue, wait, execute. Returns the execution. */
async function executeByGovernance(ctx: GovernanceContext, target: string, data: string) {
  const proposalId = await propose(ctx, proposal(target, data, "governance call"));
  await voteFor(ctx, proposalId);
  await queueAndWait(ctx, proposalId);
  return ctx.governor.connect(ctx.stranger).getFunction("execute(uint256)")(proposalId) as Promise<TransactionResponse>;
}

const dueProposal = (proposalOf: ProposalOf, allowed: bigint, prepare: PrepareProposal): GovernanceRule => ({
  kind: "due",
  proposalOf,
  allowed,
  prepare,
});

/** A proposal of the largest holder's, proposed and voted for: its vote is still open. */
async function votedProposal(ctx: GovernanceContext, label: string): Promise<[bigint, Proposal]> {
  const p = stakeLimitProposal(ctx, label);
  const proposalId = await propose(ctx, p);
  await voteFor(ctx, proposalId);
  return [proposalId, p];
}

const firstArgProposal: ProposalOf = (_, [proposalId]) => Promise.resolve(proposalId as bigint);
const callsProposal: ProposalOf = (ctx, [targets, values, calldatas, descriptionHash]) =>
  ctx.governor.getProposalId(targets as string[], values as bigint[], calldatas as string[], descriptionHash as string);

/** `owner`'s EIP-712 signature of `types` over `value` for `contract`'s domain. */
async function signTyped(
  contract: PluralToken | PluralGovernor,
  owner: HardhatEthersSigner,
  types: Record<string, { name: string; type: string }[]>,
  value: Record<string, unknown>,
) {
  const domain = await contract.eip712Domain();
  return owner.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    types,
    value,
  );
}

/** `castVoteBySig(proposalId, support, voter, signature)` re-signed by `signer`. */
const signBallot: SignVote = async (ctx, [proposalId, support, voter], signer) => {
  const nonce = await ctx.governor.nonces(voter as string);
  const signature = await signTyped(
    ctx.governor,
    signer,
    {
      Ballot: [
        { name: "proposalId", type: "uint256" },
        { name: "support", type: "uint8" },
        { name: "voter", type: "address" },
        { name: "nonce", type: "uint256" },
      ],
    },
    { proposalId, support, voter, nonce },
  );
  return [proposalId, support, voter, signature];
};

/** `castVoteWithReasonAndParamsBySig(proposalId, support, voter, reason, params, signature)` re-signed by `signer`. */
const signExtendedBallot: SignVote = async (ctx, [proposalId, support, voter, reason, params], signer) => {
  const nonce = await ctx.governor.nonces(voter as string);
  const signature = await signTyped(
    ctx.governor,
    signer,
    {
      ExtendedBallot: [
        { name: "proposalId", type: "uint256" },
        { name: "support", type: "uint8" },
        { name: "voter", type: "address" },
        { name: "nonce", type: "uint256" },
        { name: "reason", type: "string" },
        { name: "params", type: "bytes" },
      ],
    },
    { proposalId, support, voter, nonce, reason, params },
  );
  return [proposalId, support, voter, reason, params, signature];
};

/** A holder's (the second's) vote by signature on an open vote, signed by the voter: `sign`'s arguments. */
const signedVoteArgs =
  (sign: SignVote, ...extra: unknown[]) =>
  async (ctx: GovernanceContext) => {
    const [proposalId] = await votedProposal(ctx, "vote by signature");
    const voter = ctx.holders[1]!;
    return sign(ctx, [proposalId, 1n, voter.address, ...extra], voter);
  };

/** Who may call what on the token and the Governor. */
const GOVERNANCE_MATRIX: Record<GovernanceContractName, Record<string, GovernanceEntry>> = {
  // Transfers and approvals bound by balance and allowance; votes delegated by their owner or its signature.
  PluralToken: {
    "approve(address,uint256)": {
      rule: { kind: "anyone" },
      args: (ctx) => [ctx.holders[0]!.address, 1n],
      emits: "Approval",
    },
    "delegate(address)": {
      rule: { kind: "anyone" },
      args: (ctx) => [ctx.holders[0]!.address],
      emits: "DelegateChanged",
    },
    // Anyone may submit a delegation: the holder's signature, not the caller, authorizes it.
    "delegateBySig(address,uint256,uint256,uint8,bytes32,bytes32)": {
      rule: { kind: "anyone" },
      args: async (ctx) => {
        const holder = ctx.holders[1]!;
        const nonce = await ctx.token.nonces(holder);
        const expiry = BigInt(await governanceConnection.networkHelpers.time.latest()) + 3600n;
        const delegation = { delegatee: ctx.stranger.address, nonce, expiry };
        const types = {
          Delegation: [
            { name: "delegatee", type: "address" },
            { name: "nonce", type: "uint256" },
            { name: "expiry", type: "uint256" },
          ],
        };
        const { v, r, s } = ethers.Signature.from(await signTyped(ctx.token, holder, types, delegation));
        return [ctx.stranger.address, nonce, expiry, v, r, s];
      },
      emits: "DelegateChanged",
    },
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
      rule: { kind: "anyone" },
      args: async (ctx) => {
        const holder = ctx.holders[1]!;
        const value = ethers.parseEther("1");
        const deadline = BigInt(await governanceConnection.networkHelpers.time.latest()) + 3600n;
        const permit = {
          owner: holder.address,
          spender: ctx.stranger.address,
          value,
          nonce: await ctx.token.nonces(holder),
          deadline,
        };
        const types = {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        };
        const { v, r, s } = ethers.Signature.from(await signTyped(ctx.token, holder, types, permit));
        return [holder.address, ctx.stranger.address, value, deadline, v, r, s];
      },
      emits: "Approval",
    },
    // Bound by the caller's balance: a holder gives the stranger some first.
    "transfer(address,uint256)": {
      rule: { kind: "anyone" },
      args: async (ctx) => {
        await (await ctx.token.connect(ctx.holders[2]!).transfer(ctx.stranger, ethers.parseEther("10"))).wait();
        return [ctx.holders[0]!.address, ethers.parseEther("5")];
      },
      emits: "Transfer",
    },
    // Bound by the owner's allowance: a holder lets the stranger spend.
    "transferFrom(address,address,uint256)": {
      rule: { kind: "anyone" },
      args: async (ctx) => {
        const holder = ctx.holders[2]!;
        await (await ctx.token.connect(holder).approve(ctx.stranger, ethers.parseEther("10"))).wait();
        return [holder.address, ctx.stranger.address, ethers.parseEther("5")];
      },
      emits: "Transfer",
    },
  },

  PluralGovernor: {
    // Before its vote, the proposer alone may withdraw a proposal.
    "cancel(address[],uint256[],bytes[],bytes32)": {
      rule: { kind: "proposer", proposalOf: callsProposal },
      args: async (ctx) => {
        const p = stakeLimitProposal(ctx, "cancel by calls");
        await propose(ctx, p);
        return proposalArgs(p);
      },
      emits: "ProposalCanceled",
    },
    "cancel(uint256)": {
      rule: { kind: "proposer", proposalOf: firstArgProposal },
      args: async (ctx) => [await propose(ctx, stakeLimitProposal(ctx, "cancel by id"))],
      emits: "ProposalCanceled",
    },
    // Anyone votes with the weight of its delegated votes (the stranger's: none) once the vote opens.
    "castVote(uint256,uint8)": {
      rule: dueProposal(firstArgProposal, ProposalState.Active, openVote),
      args: async (ctx) => [await propose(ctx, stakeLimitProposal(ctx, "castVote")), 1n],
      emits: "VoteCast",
    },
    "castVoteBySig(uint256,uint8,address,bytes)": {
      rule: { kind: "signedVote", sign: signBallot },
      args: signedVoteArgs(signBallot),
      emits: "VoteCast",
    },
    "castVoteWithReason(uint256,uint8,string)": {
      rule: dueProposal(firstArgProposal, ProposalState.Active, openVote),
      args: async (ctx) => [await propose(ctx, stakeLimitProposal(ctx, "castVoteWithReason")), 1n, "reason"],
      emits: "VoteCast",
    },
    "castVoteWithReasonAndParams(uint256,uint8,string,bytes)": {
      rule: dueProposal(firstArgProposal, ProposalState.Active, openVote),
      args: async (ctx) => [await propose(ctx, stakeLimitProposal(ctx, "castVoteWithReasonAndParams")), 1n, "", "0x"],
      emits: "VoteCast",
    },
    "castVoteWithReasonAndParamsBySig(uint256,uint8,address,string,bytes,bytes)": {
      rule: { kind: "signedVote", sign: signExtendedBallot },
      args: signedVoteArgs(signExtendedBallot, "reason", "0x"),
      emits: "VoteCast",
    },
    // Anyone executes a queued proposal once the timelock's delay passed; the timelock checks it was scheduled.
    "execute(address[],uint256[],bytes[],bytes32)": {
      rule: dueProposal(callsProposal, ProposalState.Queued, queueAndWait),
      args: async (ctx) => proposalArgs((await votedProposal(ctx, "execute by calls"))[1]),
      emits: "ProposalExecuted",
    },
    "execute(uint256)": {
      rule: dueProposal(firstArgProposal, ProposalState.Queued, queueAndWait),
      args: async (ctx) => [(await votedProposal(ctx, "execute by id"))[0]],
      emits: "ProposalExecuted",
    },
    "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)": {
      rule: { kind: "disabled" },
      args: (ctx) => [ctx.stranger.address, ctx.stranger.address, [1n], [1n], "0x"],
    },
    "onERC1155Received(address,address,uint256,uint256,bytes)": {
      rule: { kind: "disabled" },
      args: (ctx) => [ctx.stranger.address, ctx.stranger.address, 1n, 1n, "0x"],
    },
    "onERC721Received(address,address,uint256,bytes)": {
      rule: { kind: "disabled" },
      args: (ctx) => [ctx.stranger.address, ctx.stranger.address, 1n, "0x"],
    },
    "propose(address[],uint256[],bytes[],string)": {
      rule: { kind: "threshold" },
      args: (ctx) => proposeArgs(stakeLimitProposal(ctx, "propose")),
      emits: "ProposalCreated",
    },
    // Anyone queues a proposal on the timelock once its vote passed.
    "queue(address[],uint256[],bytes[],bytes32)": {
      rule: dueProposal(callsProposal, ProposalState.Succeeded, endVote),
      args: async (ctx) => proposalArgs((await votedProposal(ctx, "queue by calls"))[1]),
      emits: "ProposalQueued",
    },
    "queue(uint256)": {
      rule: dueProposal(firstArgProposal, ProposalState.Succeeded, endVote),
      args: async (ctx) => [(await votedProposal(ctx, "queue by id"))[0]],
      emits: "ProposalQueued",
    },
    // Governance's own calls from the Governor, e.g. to recover tokens sent to it: the proposal's execution is the
    // proof, since the Governor's execute reverts when a relayed call does.
    "relay(address,uint256,bytes)": {
      rule: { kind: "onlyGovernance" },
      args: (ctx) => [
        ctx.protocol.addresses.token!,
        0n,
        ctx.token.interface.encodeFunctionData("approve", [ctx.stranger.address, 1n]),
      ],
      emits: "ProposalExecuted",
    },
    "setProposalThreshold(uint256)": {
      rule: { kind: "onlyGovernance" },
      args: () => [ethers.parseEther("2000")],
      emits: "ProposalThresholdSet",
    },
    "setVotingDelay(uint48)": { rule: { kind: "onlyGovernance" }, args: () => [7200n], emits: "VotingDelaySet" },
    "setVotingPeriod(uint32)": {
      rule: { kind: "onlyGovernance" },
      args: () => [2n * 24n * 3600n],
      emits: "VotingPeriodSet",
    },
    "updateQuorumNumerator(uint256)": {
      rule: { kind: "onlyGovernance" },
      args: () => [5n],
      emits: "QuorumNumeratorUpdated",
    },
    "updateTimelock(address)": {
      rule: { kind: "onlyGovernance" },
      args: async (ctx) => {
        const next = await governanceConnection.ethers.deployContract("PluralTimelock", [
          3600n,
          [ctx.protocol.addresses.governor!],
          [ethers.ZeroAddress],
          [],
          ethers.ZeroAddress,
        ]);
        return [await next.getAddress()];
      },
      emits: "TimelockChange",
    },
    "receive()": { rule: { kind: "disabled" }, value: 1n },
  },
};

function describeGovernanceRule(rule: GovernanceRule): string {
  switch (rule.kind) {
    case "anyone":
      return "anyone";
    case "due":
      return "anyone, once the proposal is due (until then GovernorUnexpectedProposalState)";
    case "threshold":
      return "anyone with votes at the proposal threshold";
    case "signedVote":
      return "anyone, with the voter's signature";
    case "proposer":
      return "only the proposer, while the proposal is pending";
    case "onlyGovernance":
      return "only governance: a proposal executed through the timelock";
    case "disabled":
      return "nobody: the timelock, not the Governor, holds assets";
  }
}

async function checkGovernanceRule(
  ctx: GovernanceContext,
  contractName: GovernanceContractName,
  signature: string,
  entry: GovernanceEntry,
) {
  const { rule, value, emits } = entry;
  const contract = GOVERNANCE_CONTRACTS[contractName].at(ctx);
  const { stranger, holders, timelockAccount, governor } = ctx;
  const [largest, second] = holders as [HardhatEthersSigner, HardhatEthersSigner];
  const { networkHelpers: helpers } = governanceConnection;
  const args = (await entry.args?.(ctx)) ?? [];
  const call = (signer: HardhatEthersSigner, callArgs = args) => send(contract, signer, signature, callArgs, value);

  switch (rule.kind) {
    case "anyone":
      await expectSuccess(contract, call(stranger), emits);
      return;
    case "due": {
      const proposalId = await rule.proposalOf(ctx, args);
      await expect(call(stranger), "a stranger's call before the proposal is due")
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, await governor.state(proposalId), stateBitmap(rule.allowed));
      await rule.prepare(ctx, proposalId);
      await expectSuccess(contract, call(stranger), emits);
      return;
    }
    case "threshold": {
      const threshold = await governor.proposalThreshold();
      expect(threshold, "the proposal threshold").to.be.greaterThan(0n);
      const refuse = async (votes: bigint) =>
        expect(call(stranger), `a proposer with ${votes} votes`)
          .to.be.revertedWithCustomError(governor, "GovernorInsufficientProposerVotes")
          .withArgs(stranger.address, votes, threshold);
      await refuse(0n);
      // Tokens count once delegated, from the next second: one short of the threshold is still short.
      await (await ctx.token.connect(second).transfer(stranger, threshold - 1n)).wait();
      await (await ctx.token.connect(stranger).delegate(stranger)).wait();
      await helpers.time.increase(1);
      await refuse(threshold - 1n);
      await (await ctx.token.connect(second).transfer(stranger, 1n)).wait();
      await helpers.time.increase(1);
      await expectSuccess(contract, call(stranger), emits);
      return;
    }
    case "signedVote": {
      const voter = args[2] as string;
      // The stranger's own signature for the voter's ballot: the Governor recovers another signer.
      await expect(call(stranger, await rule.sign(ctx, args, stranger)), "a signature by someone else")
        .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
        .withArgs(voter);
      await expectSuccess(contract, call(stranger), emits);
      return;
    }
    case "proposer": {
      const proposalId = await rule.proposalOf(ctx, args);
      expect(await governor.proposalProposer(proposalId), "the proposer").to.equal(largest.address);
      expect(await governor.state(proposalId), "the proposal's state").to.equal(ProposalState.Pending);
      for (const signer of [stranger, second, timelockAccount]) {
        await expect(call(signer), `${signer.address} is refused`)
          .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
          .withArgs(proposalId, signer.address);
      }
      // Once the vote opens, not even the proposer.
      const snapshot = await helpers.takeSnapshot();
      await openVote(ctx, proposalId);
      await expect(call(largest), "the proposer once the vote opened")
        .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
        .withArgs(proposalId, largest.address);
      await snapshot.restore();
      await expectSuccess(contract, call(largest), emits);
      return;
    }
    case "onlyGovernance": {
      expect(await governor.timelock(), "the Governor's executor").to.equal(ctx.protocol.addresses.timelock);
      const governorAccount = await governanceConnection.ethers.getImpersonatedSigner(await governor.getAddress());
      await helpers.setBalance(governorAccount.address, ethers.parseEther("1"));
      for (const signer of [stranger, largest, governorAccount]) {
        await expect(call(signer), `${signer.address} is refused`)
          .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
          .withArgs(signer.address);
      }
      // The timelock itself, outside the execution of a proposal that makes this very call: no such call is queued.
      await expect(call(timelockAccount), "the timelock outside a proposal").to.be.revertedWithPanic(0x31);
      const data = contract.interface.encodeFunctionData(signature, args);
      await expectSuccess(contract, executeByGovernance(ctx, await governor.getAddress(), data), emits);
      return;
    }
    case "disabled":
      for (const signer of [stranger, largest, timelockAccount]) {
        await expect(call(signer), `${signer.address} is refused`).to.be.revertedWithCustomError(
          governor,
          "GovernorDisabledDeposit",
        );
      }
      return;
  }
}

const GOVERNANCE_ENTRY_POINTS = Object.fromEntries(
  await Promise.all(
    Object.entries(GOVERNANCE_CONTRACTS).map(
      async ([name, contract]) => [name, await entryPoints(contract.artifacts)] as const,
    ),
  ),
) as Record<GovernanceContractName, Set<string>>;

describe("access control", function () {
  for (const contractName of Object.keys(CONTRACTS) as ContractName[]) {
    describe(contractName, function () {
      const rules = MATRIX[contractName];
      const abi = ENTRY_POINTS[contractName];

      if (abi.size === 0) {
        it("no state-changing entry point: every call reverts", async function () {
          const ctx = await load();
          const contract = CONTRACTS[contractName].at(ctx);
          const { stranger } = ctx.accounts;
          expect(await ethers.provider.getCode(contract), "code at the address").to.not.equal("0x");
          for (const data of ["0x", UNKNOWN_SELECTOR]) {
            await expect(
              stranger.sendTransaction({ to: contract.target, data, value: 1n }),
              `a call with data ${data}`,
            ).to.be.revertedWithoutReason(ethers);
          }
        });
      }

      for (const signature of [...abi].sort()) {
        const entry = rules[signature];
        if (entry === undefined) {
          it(`${signature}: no rule`, function () {
            expect.fail(`${contractName}.${signature} has no access rule: add one to the matrix`);
          });
          continue;
        }
        it(`${signature}: ${describeRule(entry.rule, contractName)}`, async function () {
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
    for (const [contractName, table] of Object.entries(ROLE_HOLDERS) as [
      ContractName,
      Partial<Record<Role, readonly Holder[]>>,
    ][]) {
      const exceptions = (Object.entries(table) as [Role, readonly Holder[]][])
        .filter(([, holders]) => holders.length !== 1 || holders[0] !== "timelock")
        .map(([name, holders]) => `${name} to ${holderNames(holders)}${holders.length === 1 ? " alone" : ""}`);
      const exception = exceptions.length === 0 ? "" : `, except ${exceptions.join(", ")}`;
      it(`gives every ${contractName} role to the timelock alone${exception}, administered by DEFAULT_ADMIN_ROLE`, async function () {
        const ctx = await load();
        const contract = CONTRACTS[contractName].at(ctx) as unknown as AccessControlled & BaseContract;
        const address = await contract.getAddress();
        const roles = new Map<string, readonly Holder[]>();
        for (const [name, holders] of Object.entries(table) as [Role, readonly Holder[]][]) {
          roles.set(await roleId(contract, name), holders);
        }
        // Exactly these holders, from every RoleGranted and RoleRevoked since block 0: no address(0) among them,
        // which would open a timelock role to everybody.
        const granted = await holdersFromEvents(address);
        expect([...granted.keys()].sort(), "roles ever granted").to.deep.equal([...roles.keys()].sort());
        for (const [id, holders] of roles) {
          await expectHolders(
            ctx,
            contract,
            id,
            holders.map((holder) => holderAddress(ctx, holder)),
          );
          expect(await contract.getRoleAdmin(id), `admin of ${id}`).to.equal(ethers.ZeroHash);
        }
      });
    }

    it("gives the operations timelock ADD_OPERATOR_ROLE and VET_KEYS_ROLE on the registry and no other role or power, not even over itself", async function () {
      const ctx = await load();
      const operations = ctx.protocol.addresses.operationsTimelock!;
      const registry = ctx.protocol.addresses.operatorRegistry;
      const expected = [
        `OperatorRegistry ${await ctx.registry.ADD_OPERATOR_ROLE()}`,
        `OperatorRegistry ${await ctx.registry.VET_KEYS_ROLE()}`,
      ].sort();
      // Every role of every contract on chain: its ABI's role constants and every role ever granted on it.
      const held: string[] = [];
      let checked = 0;
      for (const [name, deployed] of Object.entries(CONTRACTS) as [ContractName, DeployedContract][]) {
        const contract = deployed.at(ctx);
        if (contract.interface.getFunction("hasRole") === null) continue;
        const roles = new Set([
          ...(await roleConstants(contract)),
          ...(await holdersFromEvents(await contract.getAddress())).keys(),
        ]);
        for (const role of roles) {
          checked++;
          if (await (contract as unknown as AccessControlled).hasRole(role, operations)) held.push(`${name} ${role}`);
        }
      }
      expect(checked, "roles checked").to.be.greaterThan(50);
      expect(held.sort(), "roles the operations timelock holds").to.deep.equal(expected);
      // Not even for a while: every grant to it, on any contract, since block 0.
      const grants = await ethers.provider.getLogs({
        fromBlock: 0,
        toBlock: "latest",
        topics: [ROLE_EVENTS.getEvent("RoleGranted")!.topicHash, null, ethers.zeroPadValue(operations, 32)],
      });
      const named = new Map([
        [registry, "OperatorRegistry"],
        [operations, "OperationsTimelock"],
      ]);
      // OpenZeppelin's constructor makes every timelock its own admin; PluralTimelock revokes that in the same
      // constructor when it has an administrator.
      expect(
        grants.map((log) => `${named.get(log.address) ?? log.address} ${ROLE_EVENTS.parseLog(log)!.args.role}`).sort(),
        "roles ever granted to the operations timelock",
      ).to.deep.equal([...expected, `OperationsTimelock ${ethers.ZeroHash}`].sort());
      // Nor any power outside roles: no pause, no guardian's or member's signature, no operator of its own.
      expect((await ctx.emergencyPause.getPauseState()).guardian, "the pause guardian").to.not.equal(operations);
      expect(await ctx.guard.isGuardian(operations), "a deposit guardian").to.equal(false);
      expect([...(await ctx.oracle.getMembers())], "the oracle committee").to.not.include(operations);
      for (let id = 0n; id < (await ctx.registry.operatorCount()); id++) {
        expect((await ctx.registry.getOperator(id)).manager, `the manager of operator ${id}`).to.not.equal(operations);
      }
    });

    it("lets the operations account add operators and vet keys through its timelock and nothing else; governance cancels and revokes it", async function () {
      const ctx = await load();
      const operations = ctx.protocol.addresses.operationsTimelock!;
      const { registry, pool, emergencyPause } = ctx;
      const registryAddress = ctx.protocol.addresses.operatorRegistry;
      const throughOperations = (target: string, data: string) => executeOn(ctx, "OperationsTimelock", target, data);

      const addOperator = registry.interface.encodeFunctionData("addOperator", [
        "Routine",
        ctx.accounts.bob.address,
        ctx.accounts.bob.address,
      ]);
      await expect(throughOperations(registryAddress, addOperator), "adds an operator").to.emit(
        registry,
        "OperatorAdded",
      );
      const vet = registry.interface.encodeFunctionData("setVettedKeys", [OPERATOR_ID, 2n]);
      await expect(throughOperations(registryAddress, vet), "vets keys").to.emit(registry, "VettedKeysSet");

      // Scheduling is open to its proposer whatever the call; execution is where the roles it lacks stop it.
      const refusals: [BaseContract, string, unknown[], Role][] = [
        [registry, "setShareCap", [5000n], "MANAGE_OPERATORS_ROLE"],
        [registry, "upgradeToAndCall", [await implementationOf(registryAddress), "0x"], "DEFAULT_ADMIN_ROLE"],
        [pool, "setFees", [600n, 400n], "MANAGE_ACCOUNTING_ROLE"],
        [emergencyPause, "grantPause", [ctx.operations.address], "DEFAULT_ADMIN_ROLE"],
      ];
      for (const [contract, name, sample, roleName] of refusals) {
        const data = contract.interface.encodeFunctionData(name, sample);
        await expect(throughOperations(await contract.getAddress(), data), `${name} through the operations timelock`)
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(operations, await roleId(contract, roleName));
      }

      // Governance cancels a pending operation, then takes the registry roles back.
      const pending = addOperatorOperation(ctx, "pending");
      await scheduleOn(ctx, "OperationsTimelock", pending);
      const id = await ctx.operationsTimelock.hashOperation(...pending);
      const cancel = ctx.operationsTimelock.interface.encodeFunctionData("cancel", [id]);
      await expect(executeOn(ctx, "TimelockController", operations, cancel), "governance cancels")
        .to.emit(ctx.operationsTimelock, "Cancelled")
        .withArgs(id);
      for (const roleName of ["ADD_OPERATOR_ROLE", "VET_KEYS_ROLE"] as const) {
        const revoke = registry.interface.encodeFunctionData("revokeRole", [
          await roleId(registry, roleName),
          operations,
        ]);
        await (await executeOn(ctx, "TimelockController", registryAddress, revoke)).wait();
      }
      await expect(throughOperations(registryAddress, addOperator), "adding an operator once revoked")
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operations, await registry.ADD_OPERATOR_ROLE());
    });

    it("leaves every implementation without any role holder", async function () {
      const ctx = await load();
      for (const [name, contract] of Object.entries(CONTRACTS)) {
        if (!contract.bareImplementation) continue;
        const holders = await holdersFromEvents(await contract.at(ctx).getAddress());
        expect(holders.size, `roles ${name} ever granted`).to.equal(0);
      }
    });

    it("never gave the deployer account or the deployer contracts a role, nor left them ether", async function () {
      const ctx = await load();
      const deployers = [
        ctx.accounts.deployer.address,
        await ctx.pluralDeployer.getAddress(),
        await ctx.governanceDeployer.getAddress(),
      ];
      // Every RoleGranted of every contract on chain, since block 0: not even a role held for a while.
      const grants = await ethers.provider.getLogs({
        fromBlock: 0,
        toBlock: "latest",
        topics: [ROLE_EVENTS.getEvent("RoleGranted")!.topicHash],
      });
      expect(grants.length, "roles granted on chain").to.be.greaterThan(0);
      for (const log of grants) {
        const { role, account } = ROLE_EVENTS.parseLog(log)!.args;
        expect(deployers, `${role as string} granted on ${log.address}`).to.not.include(account);
      }
      const contracts = (Object.keys(ROLE_HOLDERS) as ContractName[]).map((name) => CONTRACTS[name].at(ctx));
      for (const contract of contracts as unknown as AccessControlled[]) {
        const address = await contract.getAddress();
        for (const role of (await holdersFromEvents(address)).keys()) {
          for (const account of deployers) {
            expect(await contract.hasRole(role, account), `${account} holds ${role} on ${address}`).to.equal(false);
          }
        }
      }
      // The initial deposit went to the pool, behind the dead shares.
      expect(await ethers.provider.getBalance(ctx.pluralDeployer), "ether left in the PluralDeployer").to.equal(0n);
      expect(await ethers.provider.getBalance(ctx.governanceDeployer), "ether in the GovernanceDeployer").to.equal(0n);
    });

    it("has a matrix entry for every contract the deployment put on chain, whose code is the artifact's", async function () {
      const ctx = await load();
      const expected = new Map<string, string>();
      for (const contract of Object.values(CONTRACTS)) expected.set(await contract.at(ctx).getAddress(), contract.code);

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
      // Proxies and timelocks are not created by transactions but inside the deployers' constructors; any creation from
      // inside any contract shows in its nonce, and a CREATE2 or failed creation would leave a codeless address here.
      const inside = (await Promise.all(created.map((address) => createdInside(address)))).flat();
      expect([...created, ...inside].sort(), "contracts created by transactions and from inside them").to.deep.equal(
        [...expected.keys()].sort(),
      );

      const pluralDeployer = await ctx.pluralDeployer.getAddress();
      const {
        pool,
        operatorRegistry,
        depositGuard,
        withdrawalVault,
        executionRewardsVault,
        accountingOracle,
        withdrawalQueue,
        emergencyPause,
      } = ctx.protocol.addresses;
      const proxies = [
        pool,
        operatorRegistry,
        depositGuard,
        withdrawalVault,
        executionRewardsVault,
        accountingOracle,
        withdrawalQueue,
        emergencyPause,
      ];
      expect(await createdInside(pluralDeployer), "contracts the PluralDeployer created, in order").to.deep.equal(
        proxies,
      );
      const [deployedLog] = await ethers.provider.getLogs({
        address: pluralDeployer,
        fromBlock: 0,
        toBlock: "latest",
        topics: [DEPLOYER_EVENTS.getEvent("ProtocolDeployed")!.topicHash],
      });
      expect([...DEPLOYER_EVENTS.parseLog(deployedLog!)!.args], "the proxies ProtocolDeployed names").to.deep.equal(
        proxies,
      );

      // Multisig governance: the two timelocks, and neither token nor Governor.
      const governanceDeployer = await ctx.governanceDeployer.getAddress();
      const timelocks = [ctx.protocol.addresses.timelock, ctx.protocol.addresses.operationsTimelock!];
      expect(await createdInside(governanceDeployer), "contracts the GovernanceDeployer created").to.deep.equal(
        timelocks,
      );
      const [governanceLog] = await ethers.provider.getLogs({
        address: governanceDeployer,
        fromBlock: 0,
        toBlock: "latest",
        topics: [GOVERNANCE_EVENTS.getEvent("GovernanceDeployed")!.topicHash],
      });
      expect([...GOVERNANCE_EVENTS.parseLog(governanceLog!)!.args], "what GovernanceDeployed names").to.deep.equal([
        ...timelocks,
        ethers.ZeroAddress,
        ethers.ZeroAddress,
      ]);

      for (const [address, artifactName] of expected) {
        const artifact = await artifacts.readArtifact(artifactName);
        const mask = (code: string) => {
          const bytes = ethers.getBytes(code);
          for (const references of Object.values(artifact.immutableReferences ?? {})) {
            for (const { start, length } of references) bytes.fill(0, start, start + length);
          }
          // Without the CBOR metadata at the end (its length in the last two bytes): its hash covers the compiler
          // job's settings, which differ between the job that wrote the artifact and the one that compiled the
          // deployer embedding the same code (GovernanceDeployer creates the timelocks).
          const metadataLength = bytes.length < 2 ? 0 : (bytes[bytes.length - 2]! << 8) + bytes[bytes.length - 1]! + 2;
          return ethers.hexlify(bytes.slice(0, bytes.length - metadataLength));
        };
        expect(mask(await ethers.provider.getCode(address)), `code at ${address}`).to.equal(
          mask(artifact.deployedBytecode),
        );
      }
    });
  });
});

describe("access control under token governance", function () {
  for (const contractName of Object.keys(GOVERNANCE_CONTRACTS) as GovernanceContractName[]) {
    describe(contractName, function () {
      const rules = GOVERNANCE_MATRIX[contractName];
      const abi = GOVERNANCE_ENTRY_POINTS[contractName];

      for (const signature of [...abi].sort()) {
        const entry = rules[signature];
        if (entry === undefined) {
          it(`${signature}: no rule`, function () {
            expect.fail(`${contractName}.${signature} has no access rule: add one to the matrix`);
          });
          continue;
        }
        it(`${signature}: ${describeGovernanceRule(entry.rule)}`, async function () {
          await checkGovernanceRule(await loadGovernance(), contractName, signature, entry);
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

  describe("Promise 5 under token governance", function () {
    it("gives the Governor alone PROPOSER_ROLE and CANCELLER_ROLE on the timelock, EXECUTOR_ROLE to it and everyone, and the timelock its own only admin", async function () {
      const ctx = await loadGovernance();
      const { timelock, governor } = ctx.protocol.addresses;
      const expected = new Map<string, string[]>([
        [await ctx.timelock.DEFAULT_ADMIN_ROLE(), [timelock]],
        [await ctx.timelock.PROPOSER_ROLE(), [governor!]],
        [await ctx.timelock.CANCELLER_ROLE(), [governor!]],
        // address(0): the timelock lets anyone execute an operation that is ready; the Governor holds the role in
        // any case, since its own execute calls the timelock.
        [await ctx.timelock.EXECUTOR_ROLE(), [ethers.ZeroAddress, governor!]],
      ]);
      const granted = await holdersFromEvents(timelock, governanceConnection.ethers.provider);
      expect([...granted.keys()].sort(), "roles ever granted").to.deep.equal([...expected.keys()].sort());
      for (const [id, holders] of expected) {
        expect([...granted.get(id)!].sort(), `holders of ${id}`).to.deep.equal(holders.sort());
        expect(await ctx.timelock.getRoleAdmin(id), `admin of ${id}`).to.equal(ethers.ZeroHash);
        for (const account of [...ctx.holders, ctx.stranger]) {
          expect(await ctx.timelock.hasRole(id, account), `${account.address} holds ${id}`).to.equal(false);
        }
      }
      expect(await ctx.governor.timelock(), "the Governor's timelock").to.equal(timelock);
    });

    it("has the GovernanceDeployer create the timelocks, the token and the Governor, and no role go to the token, the Governor (but on the timelock) or a holder", async function () {
      const ctx = await loadGovernance();
      const { provider } = governanceConnection.ethers;
      const { timelock, operationsTimelock, token, governor } = ctx.protocol.addresses;
      const created = [timelock, operationsTimelock!, token!, governor!];
      const governanceDeployer = await ctx.governanceDeployer.getAddress();
      expect(
        await createdInside(governanceDeployer, provider),
        "contracts the GovernanceDeployer created",
      ).to.deep.equal(created);
      const [deployedLog] = await provider.getLogs({
        address: governanceDeployer,
        fromBlock: 0,
        toBlock: "latest",
        topics: [GOVERNANCE_EVENTS.getEvent("GovernanceDeployed")!.topicHash],
      });
      expect([...GOVERNANCE_EVENTS.parseLog(deployedLog!)!.args], "what GovernanceDeployed names").to.deep.equal(
        created,
      );
      expect(await ctx.governor.token(), "the Governor's votes").to.equal(token);

      const proposerRoles = [
        await ctx.timelock.PROPOSER_ROLE(),
        await ctx.timelock.CANCELLER_ROLE(),
        await ctx.timelock.EXECUTOR_ROLE(),
      ];
      const outsiders = [token!, governanceDeployer, ...ctx.holders.map((holder) => holder.address)];
      const grants = await provider.getLogs({
        fromBlock: 0,
        toBlock: "latest",
        topics: [ROLE_EVENTS.getEvent("RoleGranted")!.topicHash],
      });
      expect(grants.length, "roles granted on chain").to.be.greaterThan(0);
      for (const log of grants) {
        const { role, account } = ROLE_EVENTS.parseLog(log)!.args as unknown as { role: string; account: string };
        expect(outsiders, `${role} granted on ${log.address}`).to.not.include(account);
        if (account === governor) {
          expect(log.address, "where the Governor holds a role").to.equal(timelock);
          expect(proposerRoles, "the Governor's roles").to.include(role);
        }
      }
    });
  });
});
