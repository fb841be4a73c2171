// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoolVault} from "./PoolVault.sol";

/// @title ExecutionRewardsVault
/// @notice The fee recipient every Plural validator must use: priority fees and MEV payments collect here, and each
/// oracle report takes them to the pool as rewards, capped per report.
/// @custom:oz-upgrades
contract ExecutionRewardsVault is PoolVault {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock, which alone upgrades.
    /// @param pool_ The staking pool.
    function initialize(address admin, address pool_) external initializer {
        __PoolVault_init(admin, pool_);
    }
}
