// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPoolVault} from "./IPoolVault.sol";

/// @title IWithdrawalVault
/// @notice The address in every Plural validator's withdrawal credentials (0x01 ‖ 11 zero bytes ‖ vault): the beacon
/// chain sends validator withdrawals (skimmed rewards and exited balances) here. Only the staking pool takes ether out,
/// when an oracle report accounts for it.
interface IWithdrawalVault is IPoolVault {
    /// @notice The withdrawal credentials that send withdrawals here: 0x01 ‖ 11 zero bytes ‖ this address.
    function withdrawalCredentials() external view returns (bytes32);
}
