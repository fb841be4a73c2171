// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IWithdrawalVault} from "./interfaces/IWithdrawalVault.sol";
import {PoolVault} from "./PoolVault.sol";

/// @title WithdrawalVault
/// @notice Receives the beacon chain's withdrawals for every Plural validator; only the pool takes them out.
/// @dev Behind a proxy so its logic can grow (EIP-7002 exit requests) while its address, fixed in every validator's
/// credentials, stays.
/// @custom:oz-upgrades
contract WithdrawalVault is IWithdrawalVault, PoolVault {
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

    /// @inheritdoc IWithdrawalVault
    function withdrawalCredentials() external view returns (bytes32) {
        return bytes32(uint256(uint160(address(this))) | (uint256(0x01) << 248));
    }
}
