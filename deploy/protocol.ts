import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { ContractFuture, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";

/**
 * Futures of a deployment that every module deploying the protocol builds the same way, whatever the deposit
 * contract is (the real one on public networks, `BeaconDepositMock` on local ones).
 *
 * `GovernanceDeployer` first creates governance in its constructor: the governance timelock (its own only admin), the
 * operations timelock (administered by the governance timelock) and, for token governance, the PLURAL token and the
 * Governor. The implementations are deployed next; `PluralDeployer` then creates the eight proxies (pool, operator
 * registry, deposit guard, withdrawal vault, execution-rewards vault, accounting oracle, withdrawal queue, emergency
 * pause) in its constructor, each initialized with the others' addresses, so no proxy is ever uninitialized and the
 * deployer account keeps no role anywhere.
 *
 * Parameters, all required (see deploy/parameters/<network>.json):
 * - `timelockMinDelay` seconds between scheduling and executing a governance operation (at most 30 days; at least
 *   1 day on mainnet);
 * - `timelockProposer`: the zero address for token governance (the Governor proposes), or a multisig that proposes
 *   instead (no token, no Governor); `timelockExecutor`: who may execute queued operations (zero: anyone);
 * - `operationsMinDelay`, `operationsProposer` (the operations multisig; zero for no operations timelock) and
 *   `operationsExecutor` (zero: anyone): the second timelock, which may only add operators and vet keys; the
 *   governance timelock administers it alone and may cancel its operations, and so may the pause guardian, at once;
 * - token governance: `tokenHolders` and `tokenAmounts` (wei of PLURAL each: the whole supply), `votingDelay` and
 *   `votingPeriod` (seconds), `proposalThreshold` (wei of votes), `quorumPercent` (1 to 50); ignored with a multisig;
 * - `pauseGuardian` (may pause deposits, withdrawals or staking once, for at most `maxPauseDuration` seconds, at most
 *   14 days; zero for none yet);
 * - `vettingLimit`: the most keys an operator may have vetted and not yet deposited (1 to 10,000);
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
  const governance = m.contract("GovernanceDeployer", [
    {
      timelockMinDelay: m.getParameter<bigint>("timelockMinDelay"),
      timelockProposer: m.getParameter<string>("timelockProposer"),
      timelockExecutor: m.getParameter<string>("timelockExecutor"),
      operationsMinDelay: m.getParameter<bigint>("operationsMinDelay"),
      operationsProposer: m.getParameter<string>("operationsProposer"),
      operationsExecutor: m.getParameter<string>("operationsExecutor"),
      // The pause guardian may also veto operations at once, before governance's slower cancel could.
      operationsCanceller: m.getParameter<string>("pauseGuardian"),
      tokenHolders: m.getParameter<string[]>("tokenHolders"),
      tokenAmounts: m.getParameter<bigint[]>("tokenAmounts"),
      votingDelay: m.getParameter<bigint>("votingDelay"),
      votingPeriod: m.getParameter<bigint>("votingPeriod"),
      proposalThreshold: m.getParameter<bigint>("proposalThreshold"),
      quorumPercent: m.getParameter<bigint>("quorumPercent"),
    },
  ]);
  const governed = (field: string) =>
    m.readEventArgument(governance, "GovernanceDeployed", field, { id: `${field}Address` });
  const timelock = m.contractAt("PluralTimelock", governed("timelock"), { id: "TimelockController" });
  const operationsTimelock = m.contractAt("PluralTimelock", governed("operationsTimelock"), {
    id: "OperationsTimelock",
  });
  const token = m.contractAt("PluralToken", governed("token"), { id: "PluralToken" });
  const governor = m.contractAt("PluralGovernor", governed("governor"), { id: "PluralGovernor" });

  const poolImplementation = m.contract("StakingPool", [depositContract], { id: "StakingPoolImplementation" });
  const registryImplementation = m.contract("OperatorRegistry", [], { id: "OperatorRegistryImplementation" });
  const guardImplementation = m.contract("DepositGuard", [depositContract], { id: "DepositGuardImplementation" });
  const vaultImplementation = m.contract("WithdrawalVault", [], { id: "WithdrawalVaultImplementation" });
  const rewardsVaultImplementation = m.contract("ExecutionRewardsVault", [], {
    id: "ExecutionRewardsVaultImplementation",
  });
  const oracleImplementation = m.contract("AccountingOracle", [], { id: "AccountingOracleImplementation" });
  const queueImplementation = m.contract("WithdrawalQueue", [], { id: "WithdrawalQueueImplementation" });
  const pauseImplementation = m.contract("EmergencyPause", [], { id: "EmergencyPauseImplementation" });

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
        emergencyPause: pauseImplementation,
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
        operations: operationsTimelock,
        vettingLimit: m.getParameter<bigint>("vettingLimit"),
        pauseGuardian: m.getParameter<string>("pauseGuardian"),
        maxPauseDuration: m.getParameter<bigint>("maxPauseDuration"),
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
  const emergencyPause = m.contractAt("EmergencyPause", deployed("emergencyPause"), { id: "EmergencyPause" });

  return {
    timelock,
    operationsTimelock,
    token,
    governor,
    emergencyPause,
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
    pauseImplementation,
  };
}
