// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SharesMath
/// @notice Conversions between plETH shares and ether at the pool's rate (total pooled ether / total shares).
/// @dev The rounding direction is part of each name. Callers pick the direction that favours the pool over the
/// individual: a depositor gets shares rounded down, a claimant gets ether rounded down, and anything the pool takes
/// from a user is rounded up. Every function expects `totalShares > 0` and `totalEther > 0`, which the pool guarantees
/// from its initializer on (dead shares backed by a real deposit).
library SharesMath {
    /// @dev Shares worth at most `amount` ether.
    function toSharesDown(uint256 amount, uint256 totalEther, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(amount, totalShares, totalEther);
    }

    /// @dev Fewest shares worth at least `amount` ether.
    function toSharesUp(uint256 amount, uint256 totalEther, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(amount, totalShares, totalEther, Math.Rounding.Ceil);
    }

    /// @dev Ether that `shares` are worth, rounded down.
    function toEtherDown(uint256 shares, uint256 totalEther, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalEther, totalShares);
    }

    /// @dev Ether that `shares` are worth, rounded up.
    function toEtherUp(uint256 shares, uint256 totalEther, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalEther, totalShares, Math.Rounding.Ceil);
    }
}
