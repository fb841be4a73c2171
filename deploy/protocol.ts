import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { ContractFuture, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Futures of a deployment that every module deploying the protocol builds the same way, whatever the deposit
 * contract is (the real one on public networks, `BeaconDepositMock` on local ones).
 *
 * The implementations are deployed first; `PluralDeployer` then creates the four proxies (pool, operator registry,
 * deposit guard, withdrawal vault) in its constructor, each initialized with the others' addresses, so no proxy is
 * ever uninitialized and the deployer account keeps no role anywhere.
 *
 * Parameters, all required (see deploy/parameters/<network>.json):
 * - `timelockMinDelay` seconds between scheduling and executing a governance operation;
 * - `timelockProposer`, `timelockExecutor`: who may schedule and execute (a multisig on public networks, a named
 *   account on local ones); the timelock has no other admin;
 * - `initialDeposit` wei sent with the pool's initialization and locked behind dead shares;
 * - `stakeLimitMax` wei (0 for no limit) and `stakeLimitRefillPeriod` seconds;
 * - `shareCapBps`: the most any operator may hold after a deposit, in basis points of active validators;
 * - `guardians` (addresses), `guardianQuorum`, `maxBlockAge` (blocks an attestation stays valid, at most 256) and
 *   `pauseDuration` (seconds a guardian's staking pause lasts, at most 3 days).
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

  const deployer = m.contract(
    "PluralDeployer",
    [
      {
        pool: poolImplementation,
        operatorRegistry: registryImplementation,
        depositGuard: guardImplementation,
        withdrawalVault: vaultImplementation,
      },
      {
        admin: timelock,
        stakeLimitMax: m.getParameter<bigint>("stakeLimitMax"),
        stakeLimitRefillPeriod: m.getParameter<bigint>("stakeLimitRefillPeriod"),
        shareCapBps: m.getParameter<bigint>("shareCapBps"),
        guardians: m.getParameter<string[]>("guardians"),
        guardianQuorum: m.getParameter<bigint>("guardianQuorum"),
        maxBlockAge: m.getParameter<bigint>("maxBlockAge"),
        pauseDuration: m.getParameter<bigint>("pauseDuration"),
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

  return {
    timelock,
    pool,
    poolImplementation,
    operatorRegistry,
    depositGuard,
    withdrawalVault,
    registryImplementation,
    guardImplementation,
    vaultImplementation,
  };
}
