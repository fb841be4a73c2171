// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MinFirstAllocation
/// @notice Spreads new validators over operators: each goes to the operator with the fewest active validators that
/// still has room, ties to the lowest id. The result is the same as handing them out one at a time.
library MinFirstAllocation {
    /// @dev Allocates up to `count` validators. `levels[i]` is operator i's active validators and `rooms[i]` how many
    /// more it may take (zero to skip it); both are updated in place. Returns the allocation per operator and its sum,
    /// which is below `count` only when every room is used up.
    /// Rounds: each finds the lowest level among operators with room, then gives one validator to each operator at
    /// that level in id order; giving them one at a time would pick the same operators in the same order.
    function allocate(
        uint256[] memory levels,
        uint256[] memory rooms,
        uint256 count
    ) internal pure returns (uint256[] memory allocation, uint256 allocated) {
        uint256 n = levels.length;
        allocation = new uint256[](n);
        while (allocated < count) {
            uint256 lowest = type(uint256).max;
            for (uint256 i; i < n; ++i) {
                if (rooms[i] != 0 && levels[i] < lowest) lowest = levels[i];
            }
            if (lowest == type(uint256).max) break;
            for (uint256 i; i < n && allocated < count; ++i) {
                if (rooms[i] != 0 && levels[i] == lowest) {
                    // No overflow: levels and allocations are validator counts, far below 2**256.
                    unchecked {
                        ++levels[i];
                        --rooms[i];
                        ++allocation[i];
                        ++allocated;
                    }
                }
            }
        }
    }
}
