import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { ContractFuture, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Futures of a deployment that every module deploying the protocol builds the same way, whatever the deposit
 * contract is (the real one on public networks, `BeaconDepositMock` on local ones).
 *
 * Parameters, all required unless noted (see deploy/parameters/<network>.json):
 * - `timelockMinDelay` seconds between scheduling and executing a governance operation;
 * - `timelockProposer`, `timelockExecutor`: who may schedule and execute (a multisig on public networks, a named
 *   account on local ones); the timelock has no other admin and the deployer keeps no role;
 * - `initialDeposit` wei sent with the pool's initialization and locked behind dead shares;
 * - `stakeLimitMax` wei (0 for no limit) and `stakeLimitRefillPeriod` seconds.
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
  const initialize = m.encodeFunctionCall(poolImplementation, "initialize", [
    timelock,
    m.getParameter<bigint>("stakeLimitMax"),
    m.getParameter<bigint>("stakeLimitRefillPeriod"),
  ]);
  // Initialization happens in the proxy's constructor, so nobody can initialize the pool before us.
  const poolProxy = m.contract("ERC1967Proxy", [poolImplementation, initialize], {
    id: "StakingPoolProxy",
    value: m.getParameter<bigint>("initialDeposit"),
  });
  const pool = m.contractAt("StakingPool", poolProxy, { id: "StakingPool" });

  return { timelock, pool, poolImplementation };
}
