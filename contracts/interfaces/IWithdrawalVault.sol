// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IWithdrawalVault
/// @notice The address in every Plural validator's withdrawal credentials (0x01 ‖ 11 zero bytes ‖ vault): the beacon
/// chain sends validator withdrawals (skimmed rewards and exited balances) here. Only the staking pool takes ether out,
/// when an oracle report accounts for it.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the timelock) upgrades. The address never changes: it is in the credentials.
interface IWithdrawalVault {
    /// @notice `amount` wei went to the pool.
    /// @param amount The wei sent to the pool.
    event WithdrawalsTransferred(uint256 amount);

    /// @notice Only the staking pool takes ether out.
    error CallerNotPool(address caller);

    /// @notice `amount` wei asked for, `balance` held.
    error InsufficientBalance(uint256 amount, uint256 balance);

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice Sends `amount` wei to the pool through its `receiveWithdrawals()`.
    /// @dev The pool only. Emits `WithdrawalsTransferred`. Reverts with `CallerNotPool`, `InsufficientBalance`.
    /// @param amount The wei to send, at most the vault's balance.
    function withdrawToPool(uint256 amount) external;

    /// @notice The withdrawal credentials that send withdrawals here: 0x01 ‖ 11 zero bytes ‖ this address.
    function withdrawalCredentials() external view returns (bytes32);

    /// @notice The staking pool.
    function pool() external view returns (address);
}

/// @title IWithdrawalsRecipient
/// @notice What the pool exposes to take the vault's ether without minting shares for it.
interface IWithdrawalsRecipient {
    /// @notice Takes withdrawn ether from the vault; the pool accounts for it in the report that pulls it.
    function receiveWithdrawals() external payable;
}
