import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { ContractFuture, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Futures of a deployment that every module deploying the protocol builds the same way, whatever the deposit
 * contract is (the real one on public networks, `BeaconDepositMock` on local ones).
 *
 * The implementations are deployed first; `PluralDeployer` then creates the seven proxies (pool, operator registry,
 * deposit guard, withdrawal vault, execution-rewards vault, accounting oracle, withdrawal queue) in its constructor, each initialized
 * with the others' addresses, so no proxy is ever uninitialized and the deployer account keeps no role anywhere.
 *
 * Parameters, all required (see deploy/parameters/<network>.json):
 * - `timelockMinDelay` seconds between scheduling and executing a governance operation;
 * - `timelockProposer`, `timelockExecutor`: who may schedule and execute (a multisig on public networks, a named
 *   account on local ones); the timelock has no other admin;
 * - `initialDeposit` wei sent with the pool's initialization and locked behind dead shares;
 * - `stakeLimitMax` wei (0 for no limit) and `stakeLimitRefillPeriod` seconds;
 * - `shareCapBps`: the most any operator may hold after a deposit, in basis points of active validators;
 * - `exitResponseTime`: seconds an operator has to meet a batch of exit requests (1 hour to 30 days) before its fee
 *   share is burned;
 * - `guardians` (addresses), `guardianQuorum`, `maxBlockAge` (blocks an attestation stays valid, at most 256) and
 *   `pauseDuration` (seconds a guardian's staking pause lasts, at most 3 days);
 * - `treasury` (address), `treasuryFeeBps` and `operatorFeeBps` (together at most 2,000) and `maxReportAge` (seconds
 *   a report may be awaited before deposits stop, 1 hour to 30 days);
 * - the beacon clock: `genesisTime` (unix seconds of slot 0), `secondsPerSlot`, `slotsPerEpoch`, and
 *   `epochsPerFrame` (one report per frame);
 * - `oracleMembers` (addresses) and `oracleQuorum` (more than half of them);
 * - sanity bounds: `maxAprBps` (at most 5,000), `maxLossBps` per report, `maxElRewardsBps` of the pool per report,
 *   `unseenDepositDeadline` seconds (1 to 365 days);
 * - `maxExitRequestFee`: the most the withdrawal vault pays per EIP-7002 exit request, in wei (at most 0.1 ether).
 */
export function buildProtocol(
  m: IgnitionModuleBuilder,
  depositContract: ContractFuture<string> | ModuleParameterRuntimeValue<string>,
) {
  const timelock = m.contract("TimelockController", [
    m.getParameter<bigint>("timelockMinDelay"),
    [m.getParameter<string>("timelockProposer")],
    [m.getParameter<string>("timelockExecutor")],
    ZERO_ADDRESS,
  ]);

  const poolImplementation = m.contract("StakingPool", [depositContract], { id: "StakingPoolImplementation" });
  const registryImplementation = m.contract("OperatorRegistry", [], { id: "OperatorRegistryImplementation" });
  const guardImplementation = m.contract("DepositGuard", [depositContract], { id: "DepositGuardImplementation" });
  const vaultImplementation = m.contract("WithdrawalVault", [], { id: "WithdrawalVaultImplementation" });
  const rewardsVaultImplementation = m.contract("ExecutionRewardsVault", [], {
    id: "ExecutionRewardsVaultImplementation",
  });
  const oracleImplementation = m.contract("AccountingOracle", [], { id: "AccountingOracleImplementation" });
  const queueImplementation = m.contract("WithdrawalQueue", [], { id: "WithdrawalQueueImplementation" });

  const deployer = m.contract(
    "PluralDeployer",
    [
      {
        pool: poolImplementation,
        operatorRegistry: registryImplementation,
        depositGuard: guardImplementation,
        withdrawalVault: vaultImplementation,
        executionRewardsVault: rewardsVaultImplementation,
        accountingOracle: oracleImplementation,
        withdrawalQueue: queueImplementation,
      },
      {
        admin: timelock,
        stakeLimitMax: m.getParameter<bigint>("stakeLimitMax"),
        stakeLimitRefillPeriod: m.getParameter<bigint>("stakeLimitRefillPeriod"),
        shareCapBps: m.getParameter<bigint>("shareCapBps"),
        exitResponseTime: m.getParameter<bigint>("exitResponseTime"),
        guardians: m.getParameter<string[]>("guardians"),
        guardianQuorum: m.getParameter<bigint>("guardianQuorum"),
        maxBlockAge: m.getParameter<bigint>("maxBlockAge"),
        pauseDuration: m.getParameter<bigint>("pauseDuration"),
        accounting: {
          treasury: m.getParameter<string>("treasury"),
          treasuryFeeBps: m.getParameter<bigint>("treasuryFeeBps"),
          operatorFeeBps: m.getParameter<bigint>("operatorFeeBps"),
          maxReportAge: m.getParameter<bigint>("maxReportAge"),
        },
        frame: {
          genesisTime: m.getParameter<bigint>("genesisTime"),
          secondsPerSlot: m.getParameter<bigint>("secondsPerSlot"),
          slotsPerEpoch: m.getParameter<bigint>("slotsPerEpoch"),
          epochsPerFrame: m.getParameter<bigint>("epochsPerFrame"),
        },
        oracleMembers: m.getParameter<string[]>("oracleMembers"),
        oracleQuorum: m.getParameter<bigint>("oracleQuorum"),
        sanityBounds: {
          maxAprBps: m.getParameter<bigint>("maxAprBps"),
          maxLossBps: m.getParameter<bigint>("maxLossBps"),
          maxElRewardsBps: m.getParameter<bigint>("maxElRewardsBps"),
          unseenDepositDeadline: m.getParameter<bigint>("unseenDepositDeadline"),
        },
        maxExitRequestFee: m.getParameter<bigint>("maxExitRequestFee"),
      },
    ],
    { value: m.getParameter<bigint>("initialDeposit") },
  );

  const deployed = (field: string) =>
    m.readEventArgument(deployer, "ProtocolDeployed", field, { id: `${field}Address` });
  const pool = m.contractAt("StakingPool", deployed("pool"), { id: "StakingPool" });
  const operatorRegistry = m.contractAt("OperatorRegistry", deployed("operatorRegistry"), { id: "OperatorRegistry" });
  const depositGuard = m.contractAt("DepositGuard", deployed("depositGuard"), { id: "DepositGuard" });
  const withdrawalVault = m.contractAt("WithdrawalVault", deployed("withdrawalVault"), { id: "WithdrawalVault" });
  const executionRewardsVault = m.contractAt("ExecutionRewardsVault", deployed("executionRewardsVault"), {
    id: "ExecutionRewardsVault",
  });
  const accountingOracle = m.contractAt("AccountingOracle", deployed("accountingOracle"), { id: "AccountingOracle" });
  const withdrawalQueue = m.contractAt("WithdrawalQueue", deployed("withdrawalQueue"), { id: "WithdrawalQueue" });

  return {
    timelock,
    pool,
    poolImplementation,
    operatorRegistry,
    depositGuard,
    withdrawalVault,
    executionRewardsVault,
    accountingOracle,
    withdrawalQueue,
    registryImplementation,
    guardImplementation,
    vaultImplementation,
    rewardsVaultImplementation,
    oracleImplementation,
    queueImplementation,
  };
}
