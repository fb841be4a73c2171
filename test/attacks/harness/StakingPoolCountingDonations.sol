// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositContract} from "../../../contracts/interfaces/IDepositContract.sol";
import {StakingPoolWithoutDeadShares} from "./StakingPoolWithoutDeadShares.sol";

/// @title StakingPoolCountingDonations
/// @notice Attack harness: `StakingPoolWithoutDeadShares` with a second defence switched off, the internal buffer
/// counter. `StakingPool` prices shares from `bufferedEther`, a counter only deposits and accounted paths move, never
/// from `address(this).balance`; this harness lets anyone set the counter to the balance (`sync`), which is what a pool
/// that prices from its balance does before every deposit. Used against `StakingPoolWithoutDeadShares`, so that the
/// pair differs in that one defence.
/// @dev Test-only. Only for a pool without validators, where the whole balance is buffer.
/// @custom:oz-upgrades-from contracts/StakingPool.sol:StakingPool
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract StakingPoolCountingDonations is StakingPoolWithoutDeadShares {
    // The pool's ERC-7201 namespace, erc7201:plural.storage.StakingPool; `bufferedEther` is bits 0-95 of its first
    // slot.
    bytes32 private constant POOL_STORAGE = 0x0124024b9acb205440ea2a6deb50499dadffb4948a2de02d61da084a21cd9600;
    uint256 private constant BUFFER_MASK = 0xffffffffffffffffffffffff; // 96 bits

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(
        IDepositContract depositContract_,
        address firstDepositor
    ) StakingPoolWithoutDeadShares(depositContract_, firstDepositor) {}

    /// @notice Counts every wei the pool holds as buffered ether, donations included.
    function sync() external {
        uint256 poolBalance = address(this).balance;
        assembly ("memory-safe") {
            let word := sload(POOL_STORAGE)
            sstore(POOL_STORAGE, or(and(word, not(BUFFER_MASK)), and(poolBalance, BUFFER_MASK)))
        }
    }
}
