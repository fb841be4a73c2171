// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IPoolVault
/// @notice A vault that collects ether for the staking pool outside of any transaction of the pool's (beacon
/// withdrawals, execution-layer rewards); only the pool takes the ether out, when an oracle report accounts for it.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the timelock) upgrades. A vault's address never changes: validators name it.
interface IPoolVault {
    /// @notice `amount` wei went to the pool.
    /// @param amount The wei sent to the pool.
    event TransferredToPool(uint256 amount);

    /// @notice Only the staking pool takes ether out.
    error CallerNotPool(address caller);

    /// @notice `amount` wei asked for, `balance` held.
    error InsufficientBalance(uint256 amount, uint256 balance);

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice Sends `amount` wei to the pool through its `receiveVaultEther()`.
    /// @dev The pool only. Emits `TransferredToPool`. Reverts with `CallerNotPool`, `InsufficientBalance`.
    /// @param amount The wei to send, at most the vault's balance.
    function withdrawToPool(uint256 amount) external;

    /// @notice The staking pool.
    function pool() external view returns (address);
}

/// @title IVaultEtherRecipient
/// @notice What the pool exposes to take a vault's ether without minting shares for it.
interface IVaultEtherRecipient {
    /// @notice Takes ether from a vault during a report, which accounts for it; mints nothing.
    /// @dev The pool's withdrawal and execution-rewards vaults only; the pool reverts with `CallerNotVault` otherwise.
    function receiveVaultEther() external payable;
}
