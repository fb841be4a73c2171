// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KeyBatchReference
/// @notice The key batch tree written the plain way (new arrays per level, no assembly), to check `KeyBatch` against
/// and to build the proofs tests present.
library KeyBatchReference {
    function leaf(
        uint256 operatorId,
        uint256 keyIndex,
        bytes memory pubkey,
        bytes memory signature
    ) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint64(operatorId), uint64(keyIndex), pubkey, signature));
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = _parents(level);
        return level[0];
    }

    /// @dev The proof of positions [lo, lo + count): per level, the left sibling if lo is odd, then the right sibling
    /// if hi is even and not the last node.
    function rangeProof(
        bytes32[] memory leaves,
        uint256 lo,
        uint256 count
    ) internal pure returns (bytes32[] memory proof) {
        bytes32[] memory buffer = new bytes32[](128);
        uint256 length;
        uint256 hi = lo + count - 1;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            if (lo % 2 == 1) buffer[length++] = level[lo - 1];
            if (hi % 2 == 0 && hi + 1 < level.length) buffer[length++] = level[hi + 1];
            level = _parents(level);
            lo /= 2;
            hi /= 2;
        }
        proof = new bytes32[](length);
        for (uint256 i; i < length; ++i) proof[i] = buffer[i];
    }

    function _parents(bytes32[] memory level) private pure returns (bytes32[] memory parents) {
        parents = new bytes32[]((level.length + 1) / 2);
        for (uint256 i; i < parents.length; ++i) {
            parents[i] =
                2 * i + 1 < level.length ? keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1])) : level[2 * i];
        }
    }
}
