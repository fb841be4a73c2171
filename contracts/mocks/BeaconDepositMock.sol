// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// This contract must be indistinguishable from the official deposit contract, revert data included: string reasons
// (the official ones, word for word) are right here and nowhere else in the protocol. The snake_case names are its ABI.
// solhint-disable gas-custom-errors, reason-string, gas-small-strings, func-name-mixedcase, var-name-mixedcase

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IDepositContract} from "../interfaces/IDepositContract.sol";

/// @title BeaconDepositMock
/// @notice The beacon deposit contract for local networks: same ABI, checks, revert reasons, events, roots and storage
/// layout as the official one at 0x00000000219ab540356cBB839Cbe05303d7705Fa, so tooling and a beacon-chain simulator
/// cannot tell them apart. Our own implementation, tested against independent SSZ code and EIP-4881's vectors.
/// @dev Storage mirrors the official contract slot for slot (0-31 branch, 32 deposit count, 33-64 zero hashes) so
/// that state reads and `hardhat_setStorageAt` work the same on both. The zero hashes are stored for that reason only:
/// `get_deposit_root` recomputes them, which is cheaper than reading 32 cold slots.
/// Invariant: `get_deposit_root()` is the SSZ `hash_tree_root` of the `List[DepositData, 2**32]` of all deposits.
contract BeaconDepositMock is IDepositContract, IERC165 {
    uint256 private constant TREE_DEPTH = 32;

    // One less than the tree's capacity, as in the official contract: a full tree would need a 33rd branch node.
    uint256 private constant MAX_DEPOSIT_COUNT = 2 ** TREE_DEPTH - 1;

    /// @dev For each height, the root of the last complete subtree at that height still waiting for its right sibling.
    bytes32[TREE_DEPTH] private _branch;
    uint256 private _depositCount;
    bytes32[TREE_DEPTH] private _zeroHashes;

    constructor() {
        bytes32 zeroHash;
        for (uint256 height = 1; height < TREE_DEPTH; ++height) {
            zeroHash = _sha256Pair(zeroHash, zeroHash);
            _zeroHashes[height] = zeroHash;
        }
    }

    /// @inheritdoc IDepositContract
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable {
        require(pubkey.length == 48, "DepositContract: invalid node public key length");
        require(withdrawal_credentials.length == 32, "DepositContract: invalid withdrawal_credentials length");
        require(signature.length == 96, "DepositContract: invalid signature length");
        require(msg.value >= 1 ether, "DepositContract: deposit value too low");
        require(msg.value % 1 gwei == 0, "DepositContract: deposit value not multiple of gwei");
        uint256 amountGwei = msg.value / 1 gwei;
        require(amountGwei <= type(uint64).max, "DepositContract: deposit value too high");

        bytes8 amount = _toLittleEndian64(uint64(amountGwei));
        bytes32 node = _depositDataRoot(pubkey, withdrawal_credentials, amount, signature);
        require(
            node == deposit_data_root,
            "DepositContract: reconstructed DepositData does not match supplied deposit_data_root"
        );
        uint256 index = _depositCount;
        require(index < MAX_DEPOSIT_COUNT, "DepositContract: merkle tree full");

        _depositCount = index + 1;
        _insert(node, index + 1);

        emit DepositEvent(
            pubkey,
            withdrawal_credentials,
            abi.encodePacked(amount),
            signature,
            abi.encodePacked(_toLittleEndian64(uint64(index)))
        );
    }

    /// @inheritdoc IDepositContract
    function get_deposit_root() external view returns (bytes32) {
        uint256 count = _depositCount;
        bytes32 node;
        bytes32 zeroHash;
        uint256 size = count;
        for (uint256 height; height < TREE_DEPTH; ++height) {
            node = size & 1 == 1 ? _sha256Pair(_branch[height], node) : _sha256Pair(node, zeroHash);
            zeroHash = _sha256Pair(zeroHash, zeroHash);
            size >>= 1;
        }
        // SSZ list mix-in: the length as a little-endian uint256 chunk; it fits in the first 8 bytes.
        return _sha256Pair(node, bytes32(_toLittleEndian64(uint64(count))));
    }

    /// @inheritdoc IDepositContract
    function get_deposit_count() external view returns (bytes memory) {
        return abi.encodePacked(_toLittleEndian64(uint64(_depositCount)));
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IDepositContract).interfaceId;
    }

    /// @dev `count` is the deposit count including `node`'s deposit. Only the branch nodes along the new leaf's path
    /// change, and only the highest of them needs storing: each lower one is now inside a complete subtree.
    function _insert(bytes32 node, uint256 count) private {
        uint256 height;
        // Ends below TREE_DEPTH: 1 <= count <= MAX_DEPOSIT_COUNT, so one of its 32 low bits is set.
        while (count & 1 == 0) {
            node = _sha256Pair(_branch[height], node);
            count >>= 1;
            ++height;
        }
        _branch[height] = node;
    }

    /// @dev The SSZ `hash_tree_root` of `DepositData{pubkey, withdrawal_credentials, amount, signature}`, the lengths
    /// already checked: Bytes48 and Bytes96 split into zero-padded 32-byte chunks, the uint64 amount little-endian.
    function _depositDataRoot(
        bytes calldata pubkey,
        bytes calldata withdrawalCredentials,
        bytes8 amount,
        bytes calldata signature
    ) private view returns (bytes32) {
        // Converting a shorter calldata slice to bytes32 pads it with zeros on the right, as SSZ chunking does.
        bytes32 pubkeyRoot = _sha256Pair(bytes32(pubkey[:32]), bytes32(pubkey[32:]));
        bytes32 signatureRoot = _sha256Pair(
            _sha256Pair(bytes32(signature[:32]), bytes32(signature[32:64])),
            _sha256Pair(bytes32(signature[64:]), bytes32(0))
        );
        return
            _sha256Pair(
                _sha256Pair(pubkeyRoot, bytes32(withdrawalCredentials)),
                _sha256Pair(bytes32(amount), signatureRoot)
            );
    }

    /// @dev sha256(left ‖ right) in scratch space: `sha256(abi.encodePacked(...))` would allocate fresh memory on each
    /// of the ~10 hashes of a deposit.
    function _sha256Pair(bytes32 left, bytes32 right) private view returns (bytes32 digest) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            // The precompile fails only when out of gas; revert as Solidity's `sha256` does.
            if iszero(staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)) {
                revert(0x00, 0x00)
            }
            digest := mload(0x00)
        }
    }

    /// @dev The beacon chain's uint64 encoding, which the event, the count and the mix-in use.
    function _toLittleEndian64(uint64 value) private pure returns (bytes8) {
        // Swap adjacent bytes, then adjacent 2-byte pairs, then the two 4-byte halves.
        value = ((value & 0xFF00FF00FF00FF00) >> 8) | ((value & 0x00FF00FF00FF00FF) << 8);
        value = ((value & 0xFFFF0000FFFF0000) >> 16) | ((value & 0x0000FFFF0000FFFF) << 16);
        return bytes8((value >> 32) | (value << 32));
    }
}
