// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IStakedEther
/// @notice plETH: an ERC-20 with EIP-2612 permit whose balances are shares of the ether the pool holds and has staked.
/// A balance does not change by itself: the ether value of each share grows with staking rewards and falls with
/// losses. The ether views use the ERC-4626 names.
/// @dev The ERC-20, ERC-20 metadata and EIP-2612 functions are OpenZeppelin's (`IERC20`, `IERC20Metadata`,
/// `IERC20Permit`); they are not redeclared here so implementations need no diamond overrides.
interface IStakedEther {
    /// @notice All the ether the pool accounts for: buffered, in flight to the beacon chain and on the beacon chain.
    function totalPooledEther() external view returns (uint256);

    /// @notice The shares that `assets` wei would buy at the current rate, rounded down; zero when the pool accounts
    /// for no ether (deposits are refused then).
    /// @param assets An amount of wei.
    function convertToShares(uint256 assets) external view returns (uint256);

    /// @notice The wei that `shares` are worth at the current rate, rounded down.
    /// @param shares An amount of plETH.
    function convertToAssets(uint256 shares) external view returns (uint256);

    /// @notice Destroys `shares` of the caller's plETH. The ether behind them stays pooled, so every other share is
    /// worth more: the registry burns the fees a penalized operator forfeits this way.
    /// @dev Emits `Transfer(caller, 0, shares)`. Reverts with `ERC20InsufficientBalance`.
    /// @param shares The plETH to destroy.
    function burn(uint256 shares) external;
}
