// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOperatorRegistry} from "../../contracts/interfaces/IOperatorRegistry.sol";
import {KeyBatchReference} from "./KeyBatchReference.sol";
import {StakingPoolFixture} from "./StakingPoolFixture.sol";

/// @title StakingFixture
/// @notice Operators with keys, and the segments and attestations a validator deposit needs, built the way the
/// off-chain tooling builds them (allocation from the registry, proofs from the reference tree).
abstract contract StakingFixture is StakingPoolFixture {
    /// @dev Every key each operator committed, by index (a re-added index holds its newest key).
    mapping(uint256 operatorId => mapping(uint256 keyIndex => bytes)) internal pubkeyAt;
    mapping(uint256 operatorId => mapping(uint256 keyIndex => bytes)) internal signatureAt;
    /// @dev The leaves of each batch as committed.
    mapping(uint256 operatorId => mapping(uint256 batchIndex => bytes32[])) internal batchLeaves;
    uint256 internal keySeed;

    function _managerOf(uint256 operatorId) internal returns (address) {
        return makeAddr(string(abi.encodePacked("manager", bytes1(uint8(65 + (operatorId % 26))), operatorId)));
    }

    /// @dev An operator with `keys` keys in one batch, `vetted` of them vetted.
    function _addOperatorWithKeys(uint256 keys, uint256 vetted) internal returns (uint256 operatorId) {
        operatorId = registry.operatorCount();
        address manager = _managerOf(operatorId);
        vm.prank(admin);
        registry.addOperator("operator", manager, manager);
        if (keys != 0) _addKeys(operatorId, keys);
        if (vetted != 0) _vet(operatorId, vetted);
    }

    function _vet(uint256 operatorId, uint256 vetted) internal {
        vm.prank(admin);
        registry.setVettedKeys(operatorId, vetted);
    }

    /// @dev Pseudo-random keys (the mock checks roots, not BLS signatures), committed as the operator's next batch.
    function _addKeys(
        uint256 operatorId,
        uint256 count
    ) internal returns (bytes memory pubkeys, bytes memory signatures) {
        uint256 firstIndex = registry.getOperator(operatorId).totalKeys;
        uint256 batchIndex = registry.batchCount(operatorId);
        bytes32[] storage leaves = batchLeaves[operatorId][batchIndex];
        delete batchLeaves[operatorId][batchIndex];
        for (uint256 i; i < count; ++i) {
            ++keySeed;
            bytes memory pubkey = abi.encodePacked(
                keccak256(abi.encode(keySeed, "pubkey")),
                bytes16(keccak256(abi.encode(keySeed, "pubkey2")))
            );
            bytes memory signature = abi.encodePacked(
                keccak256(abi.encode(keySeed, "s0")),
                keccak256(abi.encode(keySeed, "s1")),
                keccak256(abi.encode(keySeed, "s2"))
            );
            pubkeyAt[operatorId][firstIndex + i] = pubkey;
            signatureAt[operatorId][firstIndex + i] = signature;
            leaves.push(KeyBatchReference.leaf(operatorId, firstIndex + i, pubkey, signature));
            pubkeys = bytes.concat(pubkeys, pubkey);
            signatures = bytes.concat(signatures, signature);
        }
        vm.prank(_managerOf(operatorId));
        registry.addKeys(operatorId, pubkeys, signatures);
    }

    /// @dev Fills the buffer with `amount` wei from a fresh depositor.
    function _fundBuffer(uint256 amount) internal {
        address depositor = makeAddr("depositor");
        vm.deal(depositor, amount);
        vm.prank(depositor);
        pool.deposit{value: amount}(address(0));
    }

    /// @dev The segments for the next `count` validators, as the registry allocates them.
    function _segmentsFor(uint256 count) internal view returns (IOperatorRegistry.KeySegment[] memory segments) {
        (uint256[] memory allocation, ) = registry.allocate(count);
        IOperatorRegistry.KeySegment[] memory buffer = new IOperatorRegistry.KeySegment[](count);
        uint256 length;
        for (uint256 operatorId; operatorId < allocation.length; ++operatorId) {
            uint256 next = registry.getOperator(operatorId).depositedKeys;
            uint256 end = next + allocation[operatorId];
            while (next < end) {
                (uint256 batchIndex, IOperatorRegistry.Batch memory batch) = _batchHolding(operatorId, next);
                uint256 stop = end < batch.end ? end : batch.end;
                buffer[length++] = _segment(operatorId, batchIndex, batch.firstIndex, next, stop - next);
                next = stop;
            }
        }
        segments = new IOperatorRegistry.KeySegment[](length);
        for (uint256 i; i < length; ++i) segments[i] = buffer[i];
    }

    /// @dev Keys [firstIndex, firstIndex + count) of one batch, with their proof and deposit data roots.
    function _segment(
        uint256 operatorId,
        uint256 batchIndex,
        uint256 batchStart,
        uint256 firstIndex,
        uint256 count
    ) internal view returns (IOperatorRegistry.KeySegment memory segment) {
        segment.operatorId = operatorId;
        segment.batchIndex = batchIndex;
        segment.depositDataRoots = new bytes32[](count);
        bytes32 credentials = pool.withdrawalCredentials();
        for (uint256 i; i < count; ++i) {
            bytes memory pubkey = pubkeyAt[operatorId][firstIndex + i];
            bytes memory signature = signatureAt[operatorId][firstIndex + i];
            segment.pubkeys = bytes.concat(segment.pubkeys, pubkey);
            segment.signatures = bytes.concat(segment.signatures, signature);
            segment.depositDataRoots[i] = _depositDataRoot(pubkey, credentials, signature);
        }
        segment.proof = KeyBatchReference.rangeProof(
            batchLeaves[operatorId][batchIndex],
            firstIndex - batchStart,
            count
        );
    }

    function _batchHolding(
        uint256 operatorId,
        uint256 keyIndex
    ) internal view returns (uint256 batchIndex, IOperatorRegistry.Batch memory batch) {
        uint256 batches = registry.batchCount(operatorId);
        for (batchIndex = batches; batchIndex > 0;) {
            --batchIndex;
            batch = registry.getBatch(operatorId, batchIndex);
            if (batch.firstIndex <= keyIndex) return (batchIndex, batch);
        }
        revert("fixture: no batch holds the key");
    }

    /// @dev hash_tree_root(DepositData) for a 32 ether deposit, written out leaf by leaf.
    function _depositDataRoot(
        bytes memory pubkey,
        bytes32 credentials,
        bytes memory signature
    ) internal pure returns (bytes32) {
        bytes32 pubkeyRoot = sha256(abi.encodePacked(pubkey, bytes16(0)));
        bytes32 signatureRoot = sha256(
            abi.encodePacked(
                sha256(_slice(signature, 0, 64)),
                sha256(abi.encodePacked(_slice(signature, 64, 32), bytes32(0)))
            )
        );
        // 32 ether = 32e9 gwei, little-endian in 8 bytes: 0x0040597307000000.
        return
            sha256(
                abi.encodePacked(
                    sha256(abi.encodePacked(pubkeyRoot, credentials)),
                    sha256(abi.encodePacked(bytes8(0x0040597307000000), bytes24(0), signatureRoot))
                )
            );
    }

    /// @dev Deposits `count` validators with a quorum attestation.
    function _stake(uint256 count) internal {
        pool.depositValidators(_segmentsFor(count), _attestation(GUARDIAN_QUORUM));
    }

    function _slice(bytes memory data, uint256 start, uint256 length) private pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i; i < length; ++i) out[i] = data[start + i];
    }
}
