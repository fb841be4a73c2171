// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KeyBatch
/// @notice Commitments to batches of validator keys: a Merkle root over one leaf per key, so the registry stores one
/// root per batch instead of 144 bytes per key, and a deposit proves a run of consecutive keys with one range proof.
/// @dev Leaf: keccak256(uint64 operatorId ‖ uint64 keyIndex ‖ pubkey (48 bytes) ‖ signature (96 bytes)), 160 bytes,
/// where `keyIndex` is the key's index in the operator's whole key list. Tree: a level of width w gives the next level
/// of width ceil(w / 2); node i is keccak256(node 2i ‖ node 2i+1), and when w is odd the last node moves up unchanged.
/// Leaves (160 bytes) and inner nodes (64 bytes) hash inputs of different lengths, so neither can pose as the other.
/// Range proof for the positions [lo, hi] of a batch: level by level, the left sibling when lo is odd, then the right
/// sibling when hi is even and not the last node of its level. `lib/merkle.ts` builds the same roots and proofs.
library KeyBatch {
    uint256 internal constant PUBKEY_LENGTH = 48;
    uint256 internal constant SIGNATURE_LENGTH = 96;

    /// @dev The leaves of `count` keys whose first has index `firstIndex`, read from packed calldata
    /// (`pubkeys`: 48 bytes a key, `signatures`: 96 bytes a key; lengths checked by the caller).
    function leaves(
        uint256 operatorId,
        uint256 firstIndex,
        uint256 count,
        bytes calldata pubkeys,
        bytes calldata signatures
    ) internal pure returns (bytes32[] memory result) {
        result = new bytes32[](count);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // The leaf preimage is built in free memory past `result`, which is never allocated: it is scratch space.
            let buffer := mload(0x40)
            let out := add(result, 0x20)
            let pubkeyAt := pubkeys.offset
            let signatureAt := signatures.offset
            for {
                let i := 0
            } lt(i, count) {
                i := add(i, 1)
            } {
                // uint64 operatorId ‖ uint64 keyIndex in the first 16 bytes; ids and indices are below 2**64.
                mstore(buffer, or(shl(192, operatorId), shl(128, add(firstIndex, i))))
                calldatacopy(add(buffer, 16), pubkeyAt, 48)
                calldatacopy(add(buffer, 64), signatureAt, 96)
                mstore(add(out, shl(5, i)), keccak256(buffer, 160))
                pubkeyAt := add(pubkeyAt, 48)
                signatureAt := add(signatureAt, 96)
            }
        }
    }

    /// @dev The root of a whole batch. Overwrites `nodes`.
    function root(bytes32[] memory nodes) internal pure returns (bytes32 result) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let base := add(nodes, 0x20)
            for {
                let width := mload(nodes)
            } gt(width, 1) {
                width := shr(1, add(width, 1))
            } {
                let pairs := shr(1, width)
                for {
                    let i := 0
                } lt(i, pairs) {
                    i := add(i, 1)
                } {
                    // In place: node i is written after nodes 2i and 2i + 1, which are never read again.
                    mstore(add(base, shl(5, i)), keccak256(add(base, shl(6, i)), 0x40))
                }
                if and(width, 1) {
                    mstore(add(base, shl(5, pairs)), mload(add(base, shl(5, sub(width, 1)))))
                }
            }
            result := mload(base)
        }
    }

    /// @dev The root a range proof leads to, for the leaves `nodes` at positions [lo, lo + nodes.length) of a batch of
    /// `width` keys, or zero when the proof does not have exactly the elements the range needs. Overwrites `nodes`.
    /// The caller checks that the range lies inside the batch and is not empty.
    function processRange(
        bytes32[] memory nodes,
        uint256 lo,
        uint256 width,
        bytes32[] calldata proof
    ) internal pure returns (bytes32) {
        uint256 hi = lo + nodes.length - 1;
        uint256 used;
        while (width > 1) {
            uint256 count = hi - lo + 1;
            uint256 out;
            uint256 i;
            if (lo & 1 == 1) {
                if (used == proof.length) return bytes32(0);
                nodes[0] = _hashPair(proof[used], nodes[0]);
                ++used;
                out = 1;
                i = 1;
            }
            for (; i + 1 < count; i += 2) {
                nodes[out] = _hashPair(nodes[i], nodes[i + 1]);
                ++out;
            }
            if (i < count) {
                // The last node of the range is a left child: its sibling comes from the proof, unless it is the last
                // node of the level, which moves up unchanged.
                if (hi + 1 < width) {
                    if (used == proof.length) return bytes32(0);
                    nodes[out] = _hashPair(nodes[i], proof[used]);
                    ++used;
                } else {
                    nodes[out] = nodes[i];
                }
            }
            lo >>= 1;
            hi >>= 1;
            width = (width + 1) >> 1;
        }
        return used == proof.length ? nodes[0] : bytes32(0);
    }

    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32 result) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            result := keccak256(0x00, 0x40)
        }
    }
}
